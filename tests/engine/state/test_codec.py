"""State codec: round trip (hypothesis), byte stability, Terraform's layout, masking, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.codec import (
    EncodeCache,
    StateFormatError,
    decode_state,
    encode_state,
    prepare_instance,
    withhold_sensitive,
)
from albform.engine.state.jsonwriter import Canonical, dump_bytes, dumps_indented, render_at
from albform.engine.state.model import OutputState, ResourceState, State

DATA = Path(__file__).parent / "data"

IDENT = st.from_regex(r"[a-z_][a-z0-9_-]{0,8}", fullmatch=True)
KEY = st.none() | st.integers(0, 50) | st.text(max_size=6)
SCALAR = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
          | st.text(max_size=12))
JSON = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)
ADDRESS = st.builds(
    ResourceAddress,
    type=IDENT.map(lambda s: f"avi_{s}"),
    name=IDENT,
    key=KEY,
    module=st.lists(st.builds(ModuleStep, IDENT, KEY), max_size=2).map(tuple),
    mode=st.sampled_from(["managed", "data"]),
)
DEPOSED_KEY = st.from_regex(r"[0-9a-f]{8}", fullmatch=True)
PATH = st.lists(st.text(min_size=1, max_size=5) | st.integers(0, 3), min_size=1,
                max_size=3).map(tuple)


# Privates another writer left: the official provider's JSON (kept beside albform's keys) and
# bytes that are not JSON (kept as they are; they can hold no mark then).
FOREIGN_JSON = {"private": "eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ=="}
NOT_JSON = {"private": "bm90IGpzb24="}


@st.composite
def resource_states(draw: st.DrawFn) -> ResourceState:
    deps = draw(st.lists(ADDRESS.map(lambda a: a.resource()), max_size=2))
    mark = draw(st.none() | st.text(max_size=24))
    return ResourceState(
        address=draw(ADDRESS),
        attributes=draw(st.dictionaries(st.text(max_size=8), JSON, max_size=4)),
        provider=draw(st.sampled_from([
            'provider["registry.terraform.io/vmware/avi"]',
            'provider["registry.terraform.io/vmware/avi"].west'])),
        dependencies=tuple(deps),
        # A string index step decodes as an attribute name: generate only the two
        # step kinds the model distinguishes (names and integer indexes).
        sensitive_attributes=tuple(draw(st.lists(PATH, max_size=2))),
        schema_version=draw(st.integers(0, 3)),
        status=draw(st.sampled_from([None, "tainted"])),
        create_before_destroy=draw(st.booleans()),
        adopted_from=draw(st.none() | st.dictionaries(st.text(max_size=8), JSON, max_size=3)),
        mark=mark,
        extra=draw(st.sampled_from([{}, FOREIGN_JSON] if mark is not None
                                   else [{}, FOREIGN_JSON, NOT_JSON])),
    )


@st.composite
def states(draw: st.DrawFn) -> State:
    resources = draw(st.lists(resource_states(), max_size=6,
                              unique_by=lambda r: r.address))
    # Deposed objects: of a current object's address (the usual case) or of an address with
    # no current object left; several per address possible.
    managed = [r.address for r in resources if not r.address.is_data]
    where = ADDRESS.filter(lambda a: not a.is_data)
    if managed:
        where = st.sampled_from(managed) | where
    deposed = draw(st.lists(
        st.builds(lambda r, at, key: replace(r, address=at, deposed=key),
                  resource_states(), where, DEPOSED_KEY),
        max_size=3, unique_by=lambda r: (r.address, r.deposed)))
    # A sensitive output's value is never stored (see test_secret_digests): only null ones
    # round-trip.
    outputs = draw(st.dictionaries(IDENT, st.builds(OutputState, JSON, st.just("string"))
                                   | st.builds(OutputState, st.none(), st.just("string"),
                                               st.just(True)), max_size=3))
    extra = draw(st.sampled_from([{}, {"check_results": [{"object_kind": "resource"}]},
                                  {"x_future_key": {"a": 1}}]))
    return State(serial=draw(st.integers(0, 2**40)), lineage=draw(st.uuids()).__str__(),
                 outputs=outputs, terraform_version="1.11.4", extra=extra
                 ).with_resources(resources).with_deposed(deposed)


# -- properties ---------------------------------------------------------------------------------

@given(states())
def test_decode_of_encode_is_identity(state: State) -> None:
    assert decode_state(encode_state(state)) == state


@given(states(), states(), st.data())
def test_an_encode_cache_never_changes_the_bytes(first: State, second: State,
                                                 data: st.DataObject) -> None:
    """A backend's cache across rewrites: states sharing ResourceState objects (an apply's
    growing state, resources dropped and added) give the bytes a fresh encode gives."""
    mixed = {r.address: r for r in first.resources}
    for r in data.draw(st.lists(st.sampled_from(second.resources), max_size=4)
                       if second.resources else st.just([])):
        mixed[r.address] = r
    dropped = data.draw(st.sets(st.sampled_from(sorted(mixed, key=str)), max_size=2)
                        if mixed else st.just(set()))
    third = replace(second, resources=()).with_resources(
        r for a, r in mixed.items() if a not in dropped).with_deposed(first.deposed)
    cache = EncodeCache()
    for state in (first, third, second, third, third):
        assert encode_state(state, cache=cache) == encode_state(state)


# Instances of a few resources that depend on each other: unkeyed, counted, and counted
# inside a counted module (whose resource-level form drops every key).
_LINKED = [ResourceAddress("avi_pool", "a"),
           *(ResourceAddress("avi_pool", "b", key=k) for k in range(3)),
           *(ResourceAddress("avi_vs", "c", key=k, module=(ModuleStep("m", m),))
             for m in range(2) for k in range(2))]


@given(st.data())
def test_an_encode_cache_follows_instances_gained_and_lost(data: st.DataObject) -> None:
    """An apply's rewrites: instances come and go, others stay the very same objects, some
    are rendered ahead (``prepare_instance``, as an apply's workers do), and whether an
    instance's exact dependency list must be written changes with the instances of the
    resources it depends on. Every cached encode is byte-identical to a fresh one."""
    made: dict[tuple[ResourceAddress, int], ResourceState] = {}

    def instance(address: ResourceAddress, version: int) -> ResourceState:
        if (address, version) not in made:
            deps = data.draw(st.lists(st.sampled_from(_LINKED), max_size=4, unique=True))
            made[(address, version)] = ResourceState(
                address=address, attributes={"name": str(address), "v": version},
                dependencies=tuple(d for d in deps if d != address))
        return made[(address, version)]

    cache = EncodeCache()
    for serial in range(data.draw(st.integers(2, 6))):
        present = data.draw(st.dictionaries(st.sampled_from(_LINKED), st.integers(0, 1)))
        state = State(serial=serial, lineage="l").with_resources(
            instance(a, v) for a, v in present.items())
        for r in state.resources:
            if data.draw(st.booleans()):
                prepare_instance(r, None, cache)
        assert encode_state(state, cache=cache) == encode_state(state)


def test_an_instance_prepared_ahead_is_not_rendered_again() -> None:
    one = ResourceState(address=ResourceAddress("avi_pool", "a"), attributes={"name": "a"})
    two = ResourceState(address=ResourceAddress("avi_pool", "b"), attributes={"name": "b"},
                        dependencies=(one.address,))
    cache = EncodeCache()
    prepare_instance(one, None, cache)  # before a first encode: nothing to decide it against
    state = State(serial=1, lineage="l").with_resources([one])
    encode_state(state, cache=cache)
    assert cache.hits == 0
    prepare_instance(two, None, cache)
    grown = replace(state, serial=2).with_resources([one, two])
    assert encode_state(grown, cache=cache) == encode_state(grown)
    assert cache.hits == 2, "the prepared instance is reused as the unchanged one is"


def test_an_encode_cache_reuses_unchanged_instances() -> None:
    one = ResourceState(address=ResourceAddress("avi_pool", "a"), attributes={"name": "a"})
    two = ResourceState(address=ResourceAddress("avi_pool", "b"), attributes={"name": "b"},
                        dependencies=(one.address,))
    cache = EncodeCache()
    state = State(serial=1, lineage="l").with_resources([one])
    encode_state(state, cache=cache)
    grown = replace(state, serial=2).with_resources([one, two])
    assert encode_state(grown, cache=cache) == encode_state(grown)
    assert cache.hits == 1, "the unchanged instance is not encoded again"
    changed = grown.with_resources([replace(one, attributes={"name": "A"}), two])
    assert encode_state(changed, cache=cache) == encode_state(changed)
    assert cache.hits == 1


@given(states())
def test_encoding_is_byte_stable(state: State) -> None:
    first = encode_state(state)
    assert encode_state(state) == first
    assert encode_state(decode_state(first)) == first


# -- Terraform's layout -------------------------------------------------------------------------

def test_a_file_terraform_wrote_is_reproduced_byte_for_byte() -> None:
    # Written by terraform 1.11.4 (terraform_data with count, for_each in a module, a
    # sensitive output and HTML characters that Go escapes).
    raw = (DATA / "terraform_data.tfstate.json").read_bytes()
    state = decode_state(raw)
    assert [str(r.address) for r in state.resources] == [
        "terraform_data.a", "terraform_data.b[0]", "terraform_data.b[1]",
        'module.m.terraform_data.k["p"]', 'module.m.terraform_data.k["q"]']
    # ...except the sensitive output's value, which albform never stores.
    assert state.outputs["o"].value == "hi"
    assert encode_state(state) == raw.replace(b'"value": "hi"', b'"value": null')


def test_a_deposed_object_terraform_wrote_is_reproduced_byte_for_byte() -> None:
    # Written by terraform 1.11.4: terraform_data.cbd (create_before_destroy) replaced while
    # the create-time provisioner of terraform_data.b failed, so the old object was never
    # destroyed; `terraform plan` on it says "(deposed object 661cce99) will be destroyed".
    raw = (DATA / "terraform_deposed.tfstate.json").read_bytes()
    state = decode_state(raw)
    assert [str(r.address) for r in state.resources] == [
        "terraform_data.b", "terraform_data.cbd"]
    [old] = state.deposed
    assert (str(old.address), old.deposed) == ("terraform_data.cbd", "661cce99")
    assert old.attributes["triggers_replace"] == {"value": "one", "type": "string"}
    assert state.get(old.address) is not None
    assert state.get(old.address).attributes["id"] != old.attributes["id"]  # type: ignore[union-attr]
    assert encode_state(state) == raw


def test_layout_of_grouped_resources() -> None:
    pool = ResourceAddress("avi_pool", "web")
    state = State(serial=7, lineage="l-1").with_resources([
        ResourceState(pool.instance(1), {"name": "b"}),
        ResourceState(pool.instance(0), {"name": "a"}, dependencies=(  # written as Terraform's
            ResourceAddress("avi_vsvip", "v", module=(ModuleStep("m", "k"),)),)),
        ResourceState(ResourceAddress("avi_vsvip", "v", module=(ModuleStep("m", "k"),)),
                      {"z": 1, "a": 2}, status="tainted"),
    ])
    text = encode_state(state).decode()
    doc = json.loads(text)
    assert list(doc) == ["version", "terraform_version", "serial", "lineage", "outputs",
                         "resources", "check_results"]
    assert doc["check_results"] is None
    assert text.endswith("}\n") and text.startswith('{\n  "version": 4,\n')
    root, module = doc["resources"]
    assert list(root) == ["mode", "type", "name", "provider", "instances"]
    assert root["provider"] == 'provider["registry.terraform.io/vmware/avi"]'
    assert [i["index_key"] for i in root["instances"]] == [0, 1]
    assert list(root["instances"][0]) == ["index_key", "schema_version", "attributes",
                                          "sensitive_attributes", "dependencies"]
    assert root["instances"][0]["dependencies"] == ["module.m.avi_vsvip.v"]
    assert module["module"] == 'module.m["k"]'
    instance = module["instances"][0]
    assert "index_key" not in instance and instance["status"] == "tainted"
    assert list(instance["attributes"]) == ["a", "z"]


# -- sensitive values ---------------------------------------------------------------------------

SCHEMA = ResourceSchema("avi_cloud", {
    "name": AttributeSchema("name"),
    "password": AttributeSchema("password", sensitive=True),
    "token": AttributeSchema("token", sensitive=True),
    "servers": AttributeSchema("servers", "list", fields={
        "ip": AttributeSchema("ip"),
        "secret": AttributeSchema("secret", sensitive=True)}),
})


def test_sensitive_values_are_never_written() -> None:
    attrs = {"name": "c", "password": "hunter2", "token": None,
             "servers": [{"ip": "10.0.0.1", "secret": "s3cret-a"}, {"ip": "10.0.0.2"}]}
    state = State(serial=1, lineage="l").with_resources(
        [ResourceState(ResourceAddress("avi_cloud", "c"), attrs)])
    raw = encode_state(state, {"avi_cloud": SCHEMA})
    assert b"hunter2" not in raw and b"s3cret-a" not in raw
    instance = json.loads(raw)["resources"][0]["instances"][0]
    assert instance["sensitive_attributes"] == [
        [{"type": "get_attr", "value": "password"}],
        [{"type": "get_attr", "value": "servers"},
         {"type": "index", "value": {"value": 0, "type": "number"}},
         {"type": "get_attr", "value": "secret"}],
    ]
    # A null sensitive value reveals nothing and stays; the caller's dict is untouched.
    assert instance["attributes"]["token"] is None
    assert attrs["password"] == "hunter2"
    decoded = decode_state(raw).resources[0]
    assert decoded.sensitive_attributes == (("password",), ("servers", 0, "secret"))
    assert "password" not in decoded.attributes
    assert encode_state(decode_state(raw), {"avi_cloud": SCHEMA}) == raw


def test_a_restore_point_is_written_without_its_secrets() -> None:
    """An imported object's pre-import values (``adopted_from``) obey the same rule as its
    attributes: a sensitive value never reaches the file (so it is not restored either)."""
    before = {"name": "c", "password": "old-secret", "token": None}
    state = State(serial=1, lineage="l").with_resources([ResourceState(
        ResourceAddress("avi_cloud", "c"), {"name": "c"}, adopted_from=before)])
    raw = encode_state(state, {"avi_cloud": SCHEMA})
    assert b"old-secret" not in raw
    decoded = decode_state(raw).resources[0]
    assert decoded.adopted_from == {"name": "c", "token": None}
    assert decode_state(encode_state(state)).resources[0].adopted_from == before


def test_withhold_sensitive_reports_each_concrete_path() -> None:
    masked, removed = withhold_sensitive(
        {"servers": [{"secret": 1}, {"secret": 2}], "other": 3}, [("servers", "secret")])
    assert masked == {"servers": [{}, {}], "other": 3}
    assert removed == [("servers", 0, "secret"), ("servers", 1, "secret")]


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "not valid JSON: Expecting property name enclosed in double quotes at line 1"),
    (b"[]", "not a JSON object"),
    (b'{"version": 5, "terraform_version": "1.15.0"}',
     "format version 5, which is not supported by albform. This state file was created by "
     "Terraform 1.15.0"),
    (b'{"version": 3}', "format version 3"),
    (b'{"version": 4, "serial": -1}', "serial must be a non-negative integer"),
    (b'{"version": 4, "resources": [{"mode": "managed", "type": "avi_pool", "name": "p", '
     b'"provider": "x", "instances": [{"deposed": 1}]}]}',
     "resources[0].instances[0].deposed: expected a string key"),
    (b'{"version": 4, "resources": [{"mode": "managed", "type": "avi_pool", "name": "p", '
     b'"provider": "x", "instances": [{}, {}]}]}', "avi_pool.p has more than one current"),
    (b'{"version": 4, "resources": [{"mode": "managed", "type": "avi_pool", "name": "p", '
     b'"provider": "x", "instances": [{"index_key": 1.5}]}]}',
     "resources[0].instances[0].index_key"),
    (b'{"version": 4, "resources": [{"mode": "weird", "type": "a", "name": "p", '
     b'"provider": "x"}]}', "resources[0].mode"),
    (b'{"version": 4, "resources": [{"mode": "managed", "type": "a b", "name": "p", '
     b'"provider": "x"}]}', "resources[0]: invalid resource address"),
])
def test_bad_files_give_a_clear_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(StateFormatError) as err:
        decode_state(raw)
    assert reason in str(err.value)


def test_float_index_keys_become_ints() -> None:
    raw = (b'{"version": 4, "serial": 1, "lineage": "l", "resources": [{"mode": "managed", '
           b'"type": "avi_pool", "name": "p", "provider": "x", "instances": '
           b'[{"index_key": 2.0, "attributes": {}}]}]}')
    assert decode_state(raw).resources[0].address.key == 2


# -- oracle: the real terraform lists what we wrote ---------------------------------------------

@pytest.mark.terraform
def test_terraform_lists_the_addresses_we_wrote(tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    from albform.engine.state.backends.testing import sample_state

    state = sample_state().with_resources([
        *sample_state().resources,
        ResourceState(ResourceAddress("avi_pool", "p", key='we"ird',
                                      module=(ModuleStep("a", 0), ModuleStep("b"))), {}),
    ])
    (tmp_path / "avi.tfstate").write_bytes(encode_state(state))
    done = subprocess.run(
        [terraform, "state", "list", "-state=avi.tfstate"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null",
                                     "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == sorted(str(r.address) for r in state.resources)


# -- the indenting writer -----------------------------------------------------------------------

def _go(text: str) -> str:
    for char, escaped in {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                          "\u2028": "\\u2028", "\u2029": "\\u2029"}.items():
        text = text.replace(char, escaped)
    return text


_JSON_KEYS = st.text(max_size=4).filter(lambda k: k not in ("value", "type"))


def _json_containers(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    # A named function, not a lambda: hypothesis inspects the extend function's source to
    # check it uses its argument, which is unreliable for a lambda holding another lambda.
    return st.lists(inner, max_size=3) | st.dictionaries(_JSON_KEYS, inner, max_size=3)


JSON_DOCS = st.recursive(
    SCALAR | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet="<>&\u2028\u2029\"\\\n\té", max_size=5),
    _json_containers,
    max_leaves=12,
)


@given(JSON_DOCS)
def test_writer_matches_the_stdlib_layout(doc: object) -> None:
    assert dumps_indented(doc) == _go(json.dumps(doc, indent=2, ensure_ascii=False))
    assert dumps_indented(Canonical(doc)) == _go(
        json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True))


@given(st.lists(JSON_DOCS, max_size=4), st.data())
def test_prerendered_values_give_the_bytes_of_the_whole_document(
        items: list[object], data: st.DataObject) -> None:
    """``dump_bytes`` with some values rendered earlier (``render_at``, Go escapes and all)
    writes the bytes the writer gives for the plain document; ``dumps_indented`` reads the
    same values back as text."""
    plain = {"version": 4, "items": [{"value": item} for item in items]}
    rendered = [data.draw(st.booleans()) for _ in items]
    mixed = {"version": 4, "items": [render_at({"value": item}, 2) if pre else {"value": item}
                                     for item, pre in zip(items, rendered, strict=True)]}
    assert dump_bytes(mixed, end="\n") == (dumps_indented(plain) + "\n").encode()
    assert dumps_indented(mixed) == dumps_indented(plain)


def test_a_prerendered_value_is_refused_at_another_level() -> None:
    with pytest.raises(AssertionError):
        dump_bytes({"items": [render_at({"a": 1}, 3)]})


@pytest.mark.parametrize("bad", [float("nan"), {1: "x"}, {"k": object()}, {"s": {1, 2}}])
def test_writer_refuses_what_is_not_json(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        dumps_indented(bad)


def test_encoding_a_value_that_is_not_json_names_the_problem() -> None:
    from albform.engine.values import UNKNOWN

    state = State(serial=1, lineage="l").with_resources(
        [ResourceState(ResourceAddress("avi_pool", "p"), {"name": UNKNOWN})])
    with pytest.raises(ValueError, match="state holds a value that is not JSON"):
        encode_state(state)


@pytest.mark.terraform
def test_terraform_reads_a_deposed_object_we_wrote(tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    address = ResourceAddress("terraform_data", "cbd")
    provider = 'provider["terraform.io/builtin/terraform"]'

    def obj(ident: str, trigger: str) -> dict[str, object]:
        return {"id": ident, "input": None, "output": None,
                "triggers_replace": {"value": trigger, "type": "string"}}

    state = State(lineage="0b7d5e0e-8f6d-4c37-9d53-8a2a3c1f0f11", serial=3).with_resources([
        ResourceState(address, obj("new", "two"), provider=provider,
                      create_before_destroy=True)]).with_deposed([
        ResourceState(address, obj("old", "one"), provider=provider,
                      create_before_destroy=True, deposed="0a1b2c3d")])
    (tmp_path / "s.tfstate").write_bytes(encode_state(state))
    done = subprocess.run(
        [terraform, "show", "-json", "s.tfstate"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null",
                                     "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"},
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)["values"]["root_module"]["resources"]
    assert [(r["values"]["id"], r.get("deposed_key")) for r in shown] == [
        ("new", None), ("old", "0a1b2c3d")]
