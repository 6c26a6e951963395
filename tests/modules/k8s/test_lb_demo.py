"""The seed walkthrough (examples/lb-demo): the blog's cluster translates to the VS, VsVip,
pool of pod IPs and three static routes; scaling the Deployment changes exactly one pool."""

from __future__ import annotations

from pathlib import Path

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.modules.k8s.load import ClusterInputs, load_cluster, load_cluster_configuration
from albform.modules.k8s.objects import Translation

DEMO = Path(__file__).resolve().parents[3] / "examples" / "lb-demo"
VS = "kubeadm-cluster--default-lb-demo"
POOL = "kubeadm-cluster--default-lb-demo-TCP-80"


def _load(manifests: str) -> Translation:
    translation, diags = load_cluster(ClusterInputs(
        (DEMO / manifests,), ako_config=DEMO / "avi-k8s-config.yaml",
        controller_facts=DEMO / "controller-facts.yaml"))
    assert not diags, [str(d) for d in diags]
    assert translation is not None
    return translation


def test_seed_translation() -> None:
    t = _load("manifests")
    by = {(o.api_type, o.name): o for o in t.objects}
    assert [o.api_type for o in t.objects] == [
        "vsvip", "pool", "l4policyset", "virtualservice"] + ["vrfcontext_static_route"] * 3
    vs = by[("virtualservice", VS)].body
    assert vs["vsvip_ref"] == f"/api/vsvip/?name={VS}"
    assert vs["created_by"] == "ako-kubeadm-cluster"
    assert vs["se_group_ref"] == "/api/serviceenginegroup?name=Default-Group"
    vip = by[("vsvip", VS)].body["vip"]
    assert vip == [{"vip_id": "0", "auto_allocate_ip": True, "ipam_network_subnet": {
        "network_ref": "/api/network/?name=VLAN 2900",
        "subnet": {"ip_addr": {"addr": "172.19.0.0", "type": "V4"}, "mask": 24}}}]
    pool = by[("pool", POOL)].body
    assert [s["ip"]["addr"] for s in pool["servers"]] == ["10.244.1.12", "10.244.2.9"]
    assert {s["port"] for s in pool["servers"]} == {80}
    routes = [o.body for o in t.objects if o.api_type == "vrfcontext_static_route"]
    assert [(r["prefix"]["ip_addr"]["addr"], r["prefix"]["mask"], r["next_hop"]["addr"])
            for r in routes] == [("10.244.0.0", 24, "172.19.0.201"),
                                 ("10.244.1.0", 24, "172.19.0.202"),
                                 ("10.244.2.0", 24, "172.19.0.203")]
    assert {r["vrf_name"] for r in routes} == {"global"}


def test_scaling_changes_exactly_one_pool() -> None:
    before = {(o.api_type, o.name): o.body for o in _load("manifests").objects}
    after = {(o.api_type, o.name): o.body for o in _load("manifests-scaled").objects}
    assert before.keys() == after.keys()
    changed = [k for k in before if before[k] != after[k]]
    assert changed == [("pool", POOL)]
    assert len(after[("pool", POOL)]["servers"]) == 4


def test_configuration_addresses_and_dependencies() -> None:
    config, diags = load_cluster_configuration(ClusterInputs(
        (DEMO / "manifests",), ako_config=DEMO / "avi-k8s-config.yaml",
        controller_facts=DEMO / "controller-facts.yaml"), module=(ModuleStep("cluster"),))
    assert not diags
    by = config.by_address()
    vs_addr = ResourceAddress.parse(f'module.cluster.avi_virtualservice.ako["{VS}"]')
    assert set(by[vs_addr].depends_on) == {
        ResourceAddress.parse(f'module.cluster.avi_vsvip.ako["{VS}"]'),
        ResourceAddress.parse(f'module.cluster.avi_l4policyset.ako["{VS}"]')}
    l4ps = by[ResourceAddress.parse(f'module.cluster.avi_l4policyset.ako["{VS}"]')]
    assert l4ps.depends_on == (ResourceAddress.parse(f'module.cluster.avi_pool.ako["{POOL}"]'),)
    routes = [a for a in by if a.type == "avi_vrfcontext_static_route"]
    assert len(routes) == 3 and all(str(a.key).startswith("kubeadm-cluster-") for a in routes)
    for address in by:
        assert ResourceAddress.parse(str(address)) == address


def test_bad_inputs_give_diagnostics_not_exceptions(tmp_path: Path) -> None:
    bad = tmp_path / "cm.yaml"
    bad.write_text("kind: ConfigMap\ndata:\n  clusterName: ''\n  vipNetworkList: '[]'\n")
    config, diags = load_cluster_configuration(ClusterInputs(
        (DEMO / "manifests",), ako_config=bad, controller_facts=tmp_path / "none.yaml"))
    assert config.resources == ()
    assert [d.summary for d in diags.errors()] == ["Invalid AKO setting",
                                                   "Cannot read controller facts"]
