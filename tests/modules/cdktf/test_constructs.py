"""The pure-Python construct layer: tree, logical ids, tokens, argument checks, synth."""

from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.modules.cdktf import (
    App,
    AviPool,
    AviProvider,
    AviVirtualservice,
    Construct,
    DataAviCloud,
    HttpBackend,
    Lifecycle,
    LocalBackend,
    Output,
    PgBackend,
    Resource,
    Stack,
    Testing,
    Variable,
    make_logical_id,
)


def test_logical_ids_follow_cdktf() -> None:
    # Top level: the id minus disallowed characters. Nested: human part + MD5 suffix; the
    # spec (docs/terraform-compat.md §7) records web-group/pool0 -> web-group_pool0_AA86C06E.
    assert make_logical_id(["web.pool!"]) == "webpool"
    assert make_logical_id(["web-group", "pool0"]) == "web-group_pool0_AA86C06E"
    assert make_logical_id(["grp", "Default"]) == "grp"
    assert make_logical_id(["a", "Resource"]).startswith("a_")
    # A part the previous part ends with is dropped from the human part, not from the hash.
    digest = hashlib.md5(b"webpool/pool").hexdigest()[:8].upper()
    assert make_logical_id(["webpool", "pool"]) == f"webpool_{digest}"


@given(st.lists(st.text(string.ascii_letters + string.digits + "-_. ", min_size=1,
                        max_size=12).filter(lambda s: s not in ("Default", "Resource")),
                min_size=2, max_size=4))
def test_nested_logical_ids_are_valid_and_path_determined(parts: list[str]) -> None:
    got = make_logical_id(parts)
    assert got == make_logical_id(list(parts))
    assert all(c in string.ascii_letters + string.digits + "_-" for c in got)
    assert got.endswith(hashlib.md5("/".join(parts).encode()).hexdigest()[:8].upper())


def test_duplicate_ids_and_addresses_are_rejected() -> None:
    stack = Stack(App(), "s")
    AviPool(stack, "web", name="web")
    with pytest.raises(ValueError, match="already a construct with id 'web' in 's'"):
        AviPool(stack, "web", name="other")
    other = AviPool(stack, "web2", name="web2")
    other.override_logical_id("web")
    with pytest.raises(ValueError, match=r"s/web2 and s/web both synthesize .*avi_pool\.web"):
        stack.to_terraform()


def test_unknown_and_missing_arguments_are_type_errors() -> None:
    stack = Stack(App(), "s")
    with pytest.raises(TypeError, match=r"unexpected argument 'lb_algorythm'\. Did you mean "
                                        r"'lb_algorithm'\?"):
        AviPool(stack, "p", name="p", lb_algorythm="LB_ALGORITHM_ROUND_ROBIN")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"missing required argument.*'name'"):
        AviPool(stack, "q")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected argument 'avi_controler'"):
        AviProvider(stack, "avi", avi_controler="x")
    # Computed-only attributes are not arguments.
    with pytest.raises(TypeError, match="'_last_modified'"):
        AviPool(stack, "r", name="r", _last_modified="1")  # type: ignore[typeddict-unknown-key]


def test_tokens_resolve_at_synth_even_after_a_logical_id_override() -> None:
    def build(stack: Stack) -> None:
        cloud = DataAviCloud(stack, "cloud", name="Default-Cloud")
        tenant = Variable(stack, "tenant", type="string", default="admin")
        group = Construct(stack, "app")
        pool = AviPool(group, "pool", name="web", cloud_ref=cloud.id, tenant_ref=tenant.value,
                       lifecycle=Lifecycle(ignore_changes=["servers"]))
        AviVirtualservice(stack, "vs", name=f"vs-for-{pool.name}",
                          pool_ref=pool.id, depends_on=[pool])
        Output(stack, "pool_uuid", value=pool.uuid)
        pool.override_logical_id("web")   # after the references were taken

    doc = Testing.synth_scope(build)
    assert doc["resource"]["avi_virtualservice"]["vs"] == {
        "name": "vs-for-${avi_pool.web.name}", "pool_ref": "${avi_pool.web.id}",
        "depends_on": ["avi_pool.web"]}
    assert doc["resource"]["avi_pool"]["web"] == {
        "name": "web", "cloud_ref": "${data.avi_cloud.cloud.id}",
        "tenant_ref": "${var.tenant}", "lifecycle": {"ignore_changes": ["servers"]}}
    assert doc["output"]["pool_uuid"] == {"value": "${avi_pool.web.uuid}"}
    assert Testing.to_have_resource_with_properties(doc, "avi_pool", {"name": "web"})
    assert not Testing.to_have_resource_with_properties(doc, "avi_pool", {"name": "nope"})
    assert Testing.to_have_data_source_with_properties(doc, "avi_cloud",
                                                       {"name": "Default-Cloud"})


def test_meta_arguments_count_for_each_provider_and_overrides() -> None:
    def build(stack: Stack) -> None:
        west = AviProvider(stack, "west", alias="west", avi_controller="10.0.0.1",
                           version="~> 30.2")
        AviPool(stack, "many", name="p-${count.index}", count=3, provider=west)
        each = AviPool(stack, "each", name="${each.key}", for_each={"a": 1, "b": 2})
        each.add_override("lifecycle.create_before_destroy", True)
        with pytest.raises(TypeError, match="mutually exclusive"):
            Resource(stack, "bad", type="avi_pool", count=1, for_each=["x"])

    doc = Testing.synth_scope(build)
    assert doc["provider"] == {"avi": [{"alias": "west", "avi_controller": "10.0.0.1"}]}
    assert doc["terraform"]["required_providers"]["avi"] == {"source": "vmware/avi",
                                                             "version": "~> 30.2"}
    assert doc["resource"]["avi_pool"]["many"] == {"name": "p-${count.index}", "count": 3,
                                                   "provider": "avi.west"}
    assert doc["resource"]["avi_pool"]["each"]["lifecycle"] == {"create_before_destroy": True}


def test_for_each_is_written_as_cdktf_iterators_write_it() -> None:
    def build(stack: Stack) -> None:
        AviPool(stack, "by_map", name="${each.key}", for_each={"a": "1"})
        AviPool(stack, "by_list", name="${each.key}", for_each=["x", "y"])
        AviPool(stack, "by_set", name="${each.key}", for_each={"y", "x"})
        AviPool(stack, "by_expr", name="${each.key}", for_each="${var.names}")

    pools = Testing.synth_scope(build)["resource"]["avi_pool"]
    assert pools["by_map"]["for_each"] == {"a": "1"}
    # Terraform rejects a JSON list in for_each (a tuple); cdktf's list iterator writes toset.
    assert pools["by_list"]["for_each"] == '${toset(["x", "y"])}'
    assert pools["by_set"]["for_each"] == '${toset(["x", "y"])}'
    assert pools["by_expr"]["for_each"] == "${var.names}"


def test_name_is_a_reference_like_id_and_uuid() -> None:
    def build(stack: Stack) -> None:
        pool = AviPool(stack, "web", name="web")
        AviPool(stack, "copy", name=f"{pool.name}-copy", description=pool.get("tenant_ref"))

    copy = Testing.synth_scope(build)["resource"]["avi_pool"]["copy"]
    assert copy == {"name": "${avi_pool.web.name}-copy",
                    "description": "${avi_pool.web.tenant_ref}"}


def test_a_foreign_scope_is_refused_naming_the_interop_module() -> None:
    class RealCdktfStack:  # stands for a cdktf TerraformStack (test_interop uses the real one)
        pass

    with pytest.raises(TypeError, match=r"import AviPool from albform\.modules\.cdktf\.interop"):
        AviPool(RealCdktfStack(), "web", name="web")  # type: ignore[arg-type]


def test_default_and_aliased_providers_coexist_with_the_pinned_version() -> None:
    def build(stack: Stack) -> None:
        AviProvider(stack, "default", avi_controller="10.0.0.1")
        west = AviProvider(stack, "west", alias="west", avi_controller="10.0.0.2")
        AviPool(stack, "here", name="here")
        AviPool(stack, "there", name="there", provider=west)

    doc = Testing.synth_scope(build)
    assert doc["provider"] == {"avi": [{"avi_controller": "10.0.0.1"},
                                       {"alias": "west", "avi_controller": "10.0.0.2"}]}
    # Without version= the cdktf CLI refuses the stack; the default is the pinned range.
    assert doc["terraform"]["required_providers"]["avi"] == {"source": "vmware/avi",
                                                             "version": "~> 30.2.1"}
    assert doc["resource"]["avi_pool"]["there"]["provider"] == "avi.west"

    def twice(stack: Stack) -> None:
        AviProvider(stack, "a", alias="x")
        AviProvider(stack, "b", alias="x")

    with pytest.raises(ValueError, match="same alias"):
        Testing.synth_scope(twice)


def test_provider_takes_exactly_the_official_arguments() -> None:
    def build(stack: Stack) -> None:
        AviProvider(stack, "p", avi_csp_host="console.example.com", avi_api_timeout=30)

    doc = Testing.synth_scope(build)
    assert doc["provider"]["avi"] == [{"avi_csp_host": "console.example.com",
                                       "avi_api_timeout": 30}]
    for extension in ("avi_insecure", "avi_ca_bundle", "avi_connect_timeout"):
        def bad(stack: Stack, name: str = extension) -> None:
            AviProvider(stack, "p", **{name: "x"})

        with pytest.raises(TypeError, match=extension):
            Testing.synth_scope(bad)


@pytest.mark.parametrize(("make", "expected"), [
    (lambda s: None, None),
    (lambda s: LocalBackend(s, path="x.tfstate"), {"local": {"path": "x.tfstate"}}),
    (lambda s: HttpBackend(s, address="https://127.0.0.1/state"),
     {"http": {"address": "https://127.0.0.1/state"}}),
    (lambda s: PgBackend(s, conn_str="postgres://db/x", schema_name="lb"),
     {"pg": {"conn_str": "postgres://db/x", "schema_name": "lb"}}),
])
def test_backends(make: object, expected: dict[str, object] | None, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    stack = Stack(App(), "prod")
    make(stack)  # type: ignore[operator]
    doc = stack.to_terraform()
    if expected is None:   # CDKTF's default: a local state file named after the stack
        expected = {"local": {"path": str(tmp_path / "terraform.prod.tfstate")}}
    assert doc["terraform"]["backend"] == expected
    assert doc["//"]["metadata"]["backend"] == next(iter(expected))


def test_two_backends_are_rejected() -> None:
    stack = Stack(App(), "s")
    LocalBackend(stack)
    with pytest.raises(ValueError, match="already a construct with id 'backend'"):
        PgBackend(stack, conn_str="x")


def test_synth_writes_cdktf_layout_deterministically(tmp_path: Path) -> None:
    def make(outdir: Path) -> App:
        app = App(outdir=outdir)
        stack = Stack(app, "avi-prod")
        LocalBackend(stack, path="state.tfstate")
        pool = AviPool(stack, "web_pool", name="web", servers=[
            {"ip": [{"addr": "10.0.0.1", "type": "V4"}], "port": "80"}])
        pool.import_from("pool-uuid-1")
        Output(stack, "pool", value=pool.id)
        return app

    first = make(tmp_path / "a").synth()
    second = make(tmp_path / "b").synth()
    stack_file = Path("stacks/avi-prod/cdk.tf.json")
    assert (first / stack_file).read_bytes() == (second / stack_file).read_bytes()
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["version"] == "0.21.0"
    assert manifest["stacks"]["avi-prod"]["synthesizedStackPath"] == str(stack_file)
    assert manifest["stacks"]["avi-prod"]["workingDirectory"] == "stacks/avi-prod"
    doc = json.loads((first / stack_file).read_text())
    assert doc["//"]["metadata"] == {"backend": "local", "stackName": "avi-prod",
                                     "version": "0.21.0",
                                     "imports": {"avi_pool": ["web_pool"]}}
    assert doc["import"] == [{"id": "pool-uuid-1", "to": "avi_pool.web_pool"}]
    assert doc["resource"]["avi_pool"]["web_pool"]["//"] == {
        "metadata": {"path": "avi-prod/web_pool", "uniqueId": "web_pool"}}
    assert not list(first.rglob("*.tmp"))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=4),
    max_leaves=20)


@given(_json)
def test_writer_round_trips_and_matches_json_module_apart_from_empty_containers(
        value: object) -> None:
    from albform.modules.cdktf.stack import dumps

    text = dumps(value)
    assert json.loads(text) == value
    # Same as the json module except that empty containers span two lines (CDKTF's writer).
    expected = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    assert text.replace("{\n", "{").replace("[\n", "[").replace(" ", "").replace("\n", "") \
        == expected.replace("{\n", "{").replace("[\n", "[").replace(" ", "").replace("\n", "")


@given(st.text(max_size=20), st.text(max_size=20))
def test_tokens_inside_any_string_resolve(prefix: str, suffix: str) -> None:
    stack = Stack(App(), "s")
    pool = AviPool(stack, "web", name="web")
    other = AviPool(stack, "o", name=prefix + pool.uuid + suffix)
    assert other.attributes["name"] != prefix + "${avi_pool.web.uuid}" + suffix
    doc = Testing.synth(stack)
    assert doc["resource"]["avi_pool"]["o"]["name"] == prefix + "${avi_pool.web.uuid}" + suffix


def test_stack_without_outputs_has_empty_outputs_metadata() -> None:
    stack = Stack(App(), "s")
    LocalBackend(stack, path="x")
    assert stack.to_terraform()["//"] == {
        "metadata": {"backend": "local", "stackName": "s", "version": "0.21.0"},
        "outputs": {}}


def test_ako_cluster_module_call(tmp_path: Path) -> None:
    from albform.modules.cdktf import AkoCluster, AviCloud

    def build(stack: Stack) -> None:
        cloud = AviCloud(stack, "cloud", name="Default-Cloud", vtype="CLOUD_NONE")
        cluster = AkoCluster(stack, "kubeadm", manifests=[tmp_path / "m", "rel/n.yaml"],
                             ako_settings={"clusterName": "c1"},
                             controller_facts={"cloudType": "CLOUD_NONE"}, depends_on=[cloud])
        Output(stack, "vs", value=cluster.virtualservices)
        with pytest.raises(TypeError, match="exactly one of manifests= or kubeconfig="):
            AkoCluster(stack, "neither")
        with pytest.raises(TypeError, match="ako_config= or ako_settings=, not both"):
            AkoCluster(stack, "both", manifests="m", ako_config="a", ako_settings={})
        with pytest.raises(TypeError, match="cannot be imported"):
            DataAviCloud(stack, "d").import_from("x")

    doc = Testing.synth_scope(build)
    # A local module the stack's synth writes (tests/modules/cdktf/test_cluster_modules.py).
    assert doc["module"]["kubeadm"] == {"source": "./modules/ako-kubeadm",
                                        "depends_on": ["avi_cloud.cloud"]}
    assert doc["output"]["vs"] == {"value": "${module.kubeadm.virtualservices}"}
    assert "neither" not in doc["module"] and "both" not in doc["module"]


def test_amko_gslb_module_call(tmp_path: Path) -> None:
    from albform.modules.cdktf import AmkoGslb

    def build(stack: Stack) -> None:
        gslb = AmkoGslb(stack, "gslb", members={"east": tmp_path / "east",
                                                "west": "context:west-admin"},
                        amko=[tmp_path / "amko"], kubeconfig="kubeconfig")
        Output(stack, "gs", value=gslb.gslbservices)
        with pytest.raises(TypeError, match="needs members="):
            AmkoGslb(stack, "no-members", amko="a")
        with pytest.raises(TypeError, match="needs amko="):
            AmkoGslb(stack, "no-amko", members={"east": "e"})

    doc = Testing.synth_scope(build)
    assert doc["module"]["gslb"] == {"source": "./modules/amko-gslb"}
    assert doc["output"]["gs"] == {"value": "${module.gslb.gslbservices}"}
