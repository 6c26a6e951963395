"""The official provider's view (``official_schema.json.gz``) and the state form it implies.

Facts checked against the provider's Go source (``vmware/terraform-provider-avi`` 30.2.1,
``avi/provider.go`` and ``avi/resource_avi_*.go``): which attributes are strings there, which
objects are blocks, the provider's arguments. The round-trip property: any internal value of
the most used types survives ``to_state`` → ``from_state`` unchanged (empty values aside), and
``to_state`` types every value exactly as the official schema declares it.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albform.engine.schema import AttributeSchema
from albform.provider.client.config import DEFAULT_CSP_HOST, ENV_VARS, PROVIDER_ARGS, ClientConfig
from albform.provider.client.errors import AviConfigError
from albform.provider.resources.schemas import adjust, server_schema
from albform.provider.schema.engine_view import resource_schema
from albform.provider.schema.official_view import (
    OfficialStateForm,
    go_format,
    load_official,
    nested_block,
    official_block,
    provider_arguments,
    provider_version,
)


def _generator() -> Any:
    path = Path(__file__).resolve().parents[3] / "tools" / "gen_official_schema.py"
    spec = importlib.util.spec_from_file_location("gen_official_schema", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
generate, parse_functions = GEN.generate, GEN.parse_functions

# The 20 types the corpus and the Kubernetes translator use most.
TOP_TYPES = (
    "avi_pool", "avi_virtualservice", "avi_vsvip", "avi_healthmonitor",
    "avi_sslkeyandcertificate", "avi_gslbservice", "avi_cloud", "avi_poolgroup",
    "avi_applicationprofile", "avi_networkprofile", "avi_httppolicyset", "avi_l4policyset",
    "avi_vsdatascriptset", "avi_vrfcontext", "avi_network", "avi_sslprofile",
    "avi_pkiprofile", "avi_serviceenginegroup", "avi_ipamdnsproviderprofile", "avi_tenant",
)


def test_the_view_is_the_pinned_provider_version() -> None:
    assert provider_version() == "30.2.1"
    view = load_official()
    assert len(view["resources"]) >= 110 and len(view["data_sources"]) >= 110


def test_provider_arguments_are_exactly_the_official_ones() -> None:
    assert set(provider_arguments()) == {
        "avi_username", "avi_controller", "avi_password", "avi_tenant", "avi_version",
        "avi_authtoken", "avi_api_timeout", "avi_csp_token", "avi_csp_host"}
    assert provider_arguments()["avi_api_timeout"]["type"] == "int"


def test_each_provider_argument_falls_back_to_the_providers_environment_variable() -> None:
    # provider.go: DefaultFunc: schema.EnvDefaultFunc("AVI_…", default) on every argument.
    for name, facts in provider_arguments().items():
        assert ENV_VARS[PROVIDER_ARGS[name]] == facts["env"], name
        env = {"AVI_CONTROLLER": "c", facts["env"]: "7"}
        if name == "avi_csp_token":  # read, and refused by name: CSP login is not implemented
            with pytest.raises(AviConfigError, match="avi_csp_token"):
                ClientConfig.from_provider_args({}, env)
            continue
        given = ClientConfig.from_provider_args({}, env)
        assert str(getattr(given, PROVIDER_ARGS[name])).removesuffix(".0") == "7", name
    assert provider_arguments()["avi_csp_host"]["default"] == DEFAULT_CSP_HOST == \
        ClientConfig.from_provider_args({}, {"AVI_CONTROLLER": "c"}).csp_host


@pytest.mark.parametrize(("tf_type", "attr", "facts"), [
    # resource_avi_pool.go: enabled is TypeString + validateBool, default "true".
    ("avi_pool", "enabled", {"type": "string", "optional": True, "default": "true",
                             "validate": "validateBool"}),
    ("avi_pool", "name", {"type": "string", "required": True}),
    ("avi_pool", "ignore_servers", {"type": "bool", "optional": True, "default": False}),
    ("avi_pool", "servers", {"type": "list", "optional": True, "elem": "ResourceServerSchema"}),
    ("avi_vsvip", "vip", {"type": "list", "optional": True, "elem": "ResourceVipSchema"}),
    ("avi_gslbservice", "domain_names", {"type": "list", "required": True, "elem": "string"}),
])
def test_facts_from_the_go_source(tf_type: str, attr: str, facts: dict[str, Any]) -> None:
    block = official_block(tf_type)
    assert block is not None
    assert block["attributes"][attr] == facts


def test_nested_objects_are_blocks_and_secrets_are_sensitive() -> None:
    server = nested_block("ResourceServerSchema")["attributes"]
    assert server["ip"] == {"type": "set", "required": True, "elem": "ResourceIpAddrSchema"}
    assert server["port"]["type"] == "string"
    cert = official_block("avi_sslkeyandcertificate")
    assert cert is not None and cert["attributes"]["key"].get("sensitive") is True


GO_SAMPLE = '''
package avi

// A comment with "quotes" and {braces}
func ResourceThingSchema() map[string]*schema.Schema {
	return map[string]*schema.Schema{
		"name": {
			Type:     schema.TypeString,
			Required: true,
		},
		// flags as strings, like the real provider
		"enabled": {
			Type:         schema.TypeString,
			Optional:     true,
			Default:      "true",
			ValidateFunc: validateBool,
		},
		"ports": {
			Type:     schema.TypeList,
			Optional: true,
			Elem:     &schema.Schema{Type: schema.TypeInt},
		},
		"addr": {
			Type:     schema.TypeSet,
			Optional: true,
			Computed: true,
			Elem:     ResourceAddrSchema(),
		},
		"secret": {
			Type:      schema.TypeString,
			Optional:  true,
			Sensitive: true,
		},
	}
}

func ResourceAddrSchema() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			"ip": {
				Type:     schema.TypeString,
				Required: true,
			},
		},
	}
}
'''

PROVIDER_SAMPLE = '''
package avi
func Provider() *schema.Provider {
	return &schema.Provider{
		Schema: map[string]*schema.Schema{
			"avi_username": {
				Type:        schema.TypeString,
				Optional:    true,
				DefaultFunc: schema.EnvDefaultFunc("AVI_USERNAME", nil),
				Description: "Username for Avi Controller.",
			},
		},
		DataSourcesMap: map[string]*schema.Resource{
			"avi_thing": dataSourceAviThing(),
		},
		ResourcesMap: map[string]*schema.Resource{
			"avi_thing": resourceAviThing(),
		},
	}
}
func resourceAviThing() *schema.Resource {
	return &schema.Resource{
		Read:   ResourceAviThingRead,
		Schema: ResourceThingSchema(),
	}
}
func dataSourceAviThing() *schema.Resource {
	return &schema.Resource{
		Read: ResourceAviThingRead,
		Schema: map[string]*schema.Schema{
			"name": {
				Type:     schema.TypeString,
				Computed: true,
			},
		},
	}
}
'''


def test_the_generator_reads_go_schema_literals() -> None:
    blocks = parse_functions(GO_SAMPLE)
    thing = blocks["ResourceThingSchema"]["attributes"]
    assert thing["enabled"] == {"type": "string", "optional": True, "default": "true",
                                "validate": "validateBool"}
    assert thing["ports"] == {"type": "list", "optional": True, "elem": "int"}
    assert thing["addr"] == {"type": "set", "optional": True, "computed": True,
                             "elem": "ResourceAddrSchema"}
    assert thing["secret"]["sensitive"] is True
    view = generate({"avi/a.go": GO_SAMPLE, "avi/provider.go": PROVIDER_SAMPLE}, "9.9.9")
    assert view["resources"]["avi_thing"] == blocks["ResourceThingSchema"]
    assert view["data_sources"]["avi_thing"]["attributes"] == {
        "name": {"type": "string", "computed": True}}
    assert set(view["blocks"]) == {"ResourceAddrSchema"}
    assert view["provider"]["avi_username"] == {"type": "string", "optional": True,
                                              "env": "AVI_USERNAME"}


@pytest.mark.parametrize(("value", "text"), [
    (True, "true"), (False, "false"), (80, "80"), (0, "0"), (-3, "-3"), (1.5, "1.5"),
    (2.0, "2"), (0.1, "0.1"), (1e21, "1000000000000000000000"), (1e-7, "0.0000001"),
])
def test_go_format_matches_strconv(value: bool | int | float, text: str) -> None:
    assert go_format(value) == text


# -- the round trip -------------------------------------------------------------------------

def _schema(tf_type: str) -> Any:
    if tf_type == "avi_server":
        return server_schema(resource_schema("avi_pool"))
    return adjust(resource_schema(tf_type))


def _scalar(kind: str | None) -> st.SearchStrategy[Any]:
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=-(2**53), max_value=2**53)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False, width=64).filter(
            lambda f: not f.is_integer() or abs(f) < 2**53)
    return st.text(max_size=8)


def _values(fields: Mapping[str, AttributeSchema], official: Mapping[str, Any],
            depth: int) -> st.SearchStrategy[dict[str, Any]]:
    blocks = load_official()["blocks"]
    options: dict[str, st.SearchStrategy[Any]] = {}
    for name, attr in fields.items():
        facts = official.get(name)
        if facts is None or (attr.computed and not attr.server_default):
            continue
        nested = facts.get("elem") in blocks and attr.fields is not None
        if nested and depth <= 0:
            continue
        if nested:
            assert attr.fields is not None
            inner = _values(attr.fields, nested_block(facts["elem"])["attributes"], depth - 1)
            options[name] = inner if attr.type == "object" else st.lists(inner, max_size=2)
        elif attr.type == "list":
            options[name] = st.lists(_scalar(attr.element_type), max_size=3)
        elif attr.type in ("string", "boolean", "integer", "number"):
            options[name] = _scalar(attr.type)
    names = sorted(options)
    return st.lists(st.sampled_from(names), unique=True, max_size=6).flatmap(
        lambda chosen: st.fixed_dictionaries({n: options[n] for n in chosen})
    ) if names else st.just({})


def _significant(value: Any) -> Any:
    """``value`` without empty members: what the diff treats as set."""
    if isinstance(value, dict):
        kept = {k: _significant(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, [])}
    if isinstance(value, list):
        return [_significant(v) for v in value]
    return value


def _typed_as_declared(value: Any, facts: Mapping[str, Any]) -> None:
    blocks = load_official()["blocks"]
    if value is None:
        return
    kind = facts["type"]
    if facts.get("elem") in blocks:
        assert isinstance(value, list)
        for item in value:
            for name, inner in item.items():
                _typed_as_declared(inner, blocks[facts["elem"]]["attributes"][name])
        return
    if kind in ("list", "set"):
        assert isinstance(value, list)
        for item in value:
            _typed_as_declared(item, {"type": facts.get("elem", "string")})
        return
    expected = {"string": str, "bool": bool, "int": int, "float": (int, float)}[kind]
    assert isinstance(value, expected) and (kind == "bool" or not isinstance(value, bool)), \
        (value, facts)


@pytest.mark.parametrize("tf_type", [*TOP_TYPES, "avi_server"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data())
def test_state_form_round_trip(tf_type: str, data: st.DataObject) -> None:
    schema = _schema(tf_type)
    form = schema.state_form
    assert isinstance(form, OfficialStateForm)
    official = official_block(tf_type)
    assert official is not None
    internal = data.draw(_values(schema.attributes, official["attributes"], depth=2))
    internal["id"] = "https://10.1.1.10/api/x/x-1"  # the provider's id: the object's url
    state = form.to_state(internal)
    # Every attribute of the provider's schema is there (plus the SDK's id), typed as it says.
    assert set(state) == {*official["attributes"], "id"}
    for name, value in state.items():
        if name != "id":
            _typed_as_declared(value, official["attributes"][name])
    back = form.from_state(state)
    assert _significant(back) == _significant(internal)
    # Idempotent both ways: converting a state form again changes nothing.
    assert form.to_state(back) == state
    # What a state cannot hold (keys the provider's schema lacks, at any depth) is exactly
    # what ``kept`` drops, so refresh keeps what a written and re-read state would have.
    noisy = _with_extras(internal)
    assert _significant(form.kept(noisy)) == _significant(form.from_state(form.to_state(noisy)))
    assert form.kept(internal) == internal
    # ``holds`` answers whether ``kept`` would drop nothing, at every depth (a refresh may
    # trust a read mark only for configurations the state holds whole).
    nested = {k: _with_extras(v) for k, v in internal.items()}
    for value in (internal, noisy, nested):
        assert form.holds(value) == (form.kept(value) == value)
    assert form.holds(internal) and not form.holds(noisy)


def _with_extras(value: Any) -> Any:
    """``value`` with a key no schema has in every object, at every depth."""
    if isinstance(value, dict):
        return {**{k: _with_extras(v) for k, v in value.items()}, "zz_not_in_schema": True}
    if isinstance(value, list):
        return [_with_extras(v) for v in value]
    return value


def test_scalars_in_state_are_strings_where_the_provider_says_so() -> None:
    form = _schema("avi_pool").state_form
    assert form is not None
    state = form.to_state({"name": "p", "enabled": True, "default_server_port": 8080,
                           "servers": [{"ip": {"addr": "10.0.0.1", "type": "V4"},
                                        "port": 80, "ratio": 1, "enabled": False}]})
    assert state["enabled"] == "true" and state["default_server_port"] == "8080"
    assert state["servers"][0]["ip"] == [{"addr": "10.0.0.1", "type": "V4"}]
    assert state["servers"][0]["enabled"] == "false" and state["servers"][0]["port"] == "80"
    assert state["health_monitor_refs"] is None and state["analytics_policy"] == []
    assert form.from_state(state)["servers"][0] == {
        "ip": {"addr": "10.0.0.1", "type": "V4"}, "port": 80, "ratio": 1, "enabled": False}


def test_unset_attributes_are_empty_blocks_or_null() -> None:
    # to_state decides each attribute's conversion once per form: an unset block is [], any
    # other unset attribute null, at the top and inside blocks; set ones are converted.
    blocks = load_official()["blocks"]
    for tf_type in TOP_TYPES:
        form = _schema(tf_type).state_form
        official = official_block(tf_type)
        assert form is not None and official is not None
        for _ in range(2):  # the first call decides, the second reuses
            state = form.to_state({})
            assert state.pop("id") is None
            assert state == {name: [] if facts.get("elem") in blocks else None
                             for name, facts in official["attributes"].items()}
    form = _schema("avi_pool").state_form
    assert form is not None
    server = form.to_state({"servers": [{"port": None, "ip": None}]})["servers"][0]
    assert server["port"] is None and server["ip"] == [] and server["hostname"] is None


def test_sensitive_paths_follow_the_block_nesting() -> None:
    form = _schema("avi_sslkeyandcertificate").state_form
    assert form is not None
    assert form.state_path(("key",)) == ("key",)
    assert form.state_path(("certificate", "certificate")) == ("certificate", 0, "certificate")
    assert form.internal_path(("certificate", 0, "certificate")) == ("certificate",
                                                                     "certificate")
    pool = _schema("avi_pool").state_form
    assert pool is not None
    assert pool.state_path(("servers", 2, "ip", "addr")) == ("servers", 2, "ip", 0, "addr")
    assert pool.internal_path(("servers", 2, "ip", 0, "addr")) == ("servers", 2, "ip", "addr")


def test_unparsable_state_strings_stay_strings() -> None:
    form = _schema("avi_pool").state_form
    assert form is not None
    back = form.from_state({"enabled": "maybe", "default_server_port": "${var.port}"})
    assert back == {"enabled": "maybe", "default_server_port": "${var.port}"}
    assert not math.isnan(float(go_format(0.5)))


@pytest.mark.parametrize(("tf_type", "path"), [
    ("avi_gslbservice", ("domain_names",)),
    ("avi_gslbservice", ("groups",)),
    ("avi_vsvip", ("vip", "vip_id")),
    ("avi_pool", ("name",)),
])
def test_what_the_official_provider_requires_is_required(tf_type: str,
                                                          path: tuple[str, ...]) -> None:
    attr = _schema(tf_type).attribute(path)
    assert attr is not None and attr.required, path


def test_every_official_required_argument_is_required_in_the_engine_schema() -> None:
    blocks = load_official()["blocks"]

    def walk(attrs: Mapping[str, AttributeSchema], official: Mapping[str, Any],
             where: str, depth: int) -> list[str]:
        missing = []
        for name, attr in attrs.items():
            facts = official.get(name)
            if facts is None:
                continue
            if facts.get("required") and not attr.required:
                missing.append(f"{where}.{name}")
            if attr.fields is not None and facts.get("elem") in blocks and depth < 6:
                missing += walk(attr.fields, blocks[facts["elem"]]["attributes"],
                                f"{where}.{name}", depth + 1)
        return missing

    missing: list[str] = []
    for tf_type in TOP_TYPES:
        block = official_block(tf_type)
        assert block is not None
        missing += walk(_schema(tf_type).attributes, block["attributes"], tf_type, 0)
    assert missing == []
