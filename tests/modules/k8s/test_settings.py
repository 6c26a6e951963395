"""avi-k8s-config / Helm values parsing: AKO's defaults, AKO's silent fallbacks (warnings) and
the settings that stop AKO from starting (errors naming the key and its line)."""

from __future__ import annotations

from albform.modules.k8s.facts import ControllerFacts, load_facts
from albform.modules.k8s.settings import NodeNetwork, VipNetwork, load_settings

CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: avi-k8s-config
  namespace: avi-system
data:
  clusterName: c1
  vipNetworkList: '[{"networkName":"vip","cidr":"10.0.0.0/24"}]'
{extra}"""


def _cm(extra: str = "") -> str:
    return CM.replace("{extra}", extra)


def test_configmap_defaults_match_ako() -> None:
    s, diags = load_settings(_cm(), "cm.yaml")
    assert not diags and s is not None
    assert (s.cluster_name, s.cloud_name, s.tenant_name, s.se_group_name) == (
        "c1", "Default-Cloud", "admin", "Default-Group")
    assert (s.service_type, s.shard_vs_size, s.passthrough_shard_size) == ("ClusterIP", 8, 1)
    assert (s.auto_fqdn, s.default_lb_controller, s.enable_evh, s.layer7_only) == (
        "default", True, False, False)
    assert s.vip_networks == (VipNetwork("vip", "", "10.0.0.0/24", ""),)
    assert s.created_by == "ako-c1" and s.name_prefix == "c1--"


def test_ako_fallbacks_are_warnings_with_the_key_line() -> None:
    s, diags = load_settings(_cm("  shardVSSize: HUGE\n  autoFQDN: disable\n"
                                 "  serviceType: LoadBalancer\n  enableEVH: maybe\n"), "cm.yaml")
    assert s is not None and not diags.has_errors()
    assert (s.shard_vs_size, s.auto_fqdn, s.service_type, s.enable_evh) == (
        1, "disabled", "ClusterIP", False)
    lines = sorted(d.subject.start_line for d in diags if d.subject)
    assert lines == [9, 11, 12]  # line 10, "disable", is a spelling AKO accepts silently
    assert all(d.summary == "Invalid AKO setting" for d in diags)
    assert '"shardVSSize"' in diags[0].detail or '"shardVSSize"' in diags[1].detail


def test_startup_errors_name_the_key() -> None:
    text = _cm("  serviceType: NodePortLocal\n  cniPlugin: calico\n"
               "  bgpPeerLabels: '[\"peer1\"]'\n"
               "  nodeNetworkList: '[{},{},{},{},{},{}]'\n").replace("clusterName: c1",
                                                                     "clusterName: 'bad name'")
    s, diags = load_settings(text, "cm.yaml")
    assert s is None
    details = " ".join(d.detail for d in diags.errors())
    for key in ('"clusterName"', '"serviceType: NodePortLocal"', '"bgpPeerLabels"',
                '"nodeNetworkList"'):
        assert key in details
    assert all(str(d).startswith("Error: cm.yaml:") for d in diags.errors())


def test_missing_vip_network_list_is_an_error_but_empty_list_is_fine() -> None:
    line = """  vipNetworkList: '[{"networkName":"vip","cidr":"10.0.0.0/24"}]'\n"""
    text = _cm().replace(line, "")
    s, diags = load_settings(text, "cm.yaml")
    assert s is None and '"vipNetworkList" is required' in diags.errors()[0].detail
    s, diags = load_settings(text + "  vipNetworkList: '[]'\n", "cm.yaml")
    assert s is not None and s.vip_networks == () and not diags


def test_unparsable_json_list_points_at_its_line() -> None:
    s, diags = load_settings(_cm("  blockedNamespaceList: '[kube-system'\n"), "cm.yaml")
    assert s is None
    assert diags.errors()[0].subject is not None
    assert diags.errors()[0].subject.start_line == 9


def test_helm_values_are_mapped_like_the_chart() -> None:
    values = """
AKOSettings:
  clusterName: helm-c
  cniPlugin: Antrea
  namespaceSelector: {labelKey: app, labelValue: migrate}
  blockedNamespaceList: [kube-system]
ControllerSettings:
  serviceEngineGroupName: SEG-1
  controllerHost: 10.0.0.1
L7Settings:
  shardVSSize: MEDIUM
  serviceType: NodePort
L4Settings:
  defaultDomain: l4.example.com
  defaultLBController: false
NetworkSettings:
  defaultDomain: net.example.com
  vipNetworkList: [{networkName: vip-net, cidr: 10.1.0.0/24}]
  nodeNetworkList: [{networkName: node-net, cidrs: [10.2.0.0/24]}]
nodePortSelector: {key: lb, value: "yes"}
"""
    s, diags = load_settings(values, "values.yaml")
    assert not diags and s is not None
    assert (s.cluster_name, s.cni_plugin, s.se_group_name, s.shard_vs_size) == (
        "helm-c", "antrea", "SEG-1", 4)
    assert (s.service_type, s.node_key, s.node_value) == ("NodePort", "lb", "yes")
    assert s.default_domain == "net.example.com"  # NetworkSettings wins over L4Settings
    assert s.default_lb_controller is False
    assert s.ns_selector_enabled and s.blocked_namespaces == ("kube-system",)
    assert s.node_networks == (NodeNetwork("node-net", "", ("10.2.0.0/24",)),)


def test_unknown_keys_warn() -> None:
    s, diags = load_settings(_cm("  shardVsSize: SMALL\n"), "cm.yaml")
    assert s is not None and [d.summary for d in diags] == ["Unknown AKO setting"]


def test_unknown_helm_values_warn_like_unknown_configmap_keys() -> None:
    """Helm ignores values its chart does not use; a misspelt one is said, with its line.
    Deployment-only values of AKO's chart (image, resources...) are known, not warned."""
    values = """
AKOSettings:
  clusterName: c1
  enableEVh: true
L7Settings:
  shardVsSize: SMALL
NetworkSettings:
  vipNetworkList: [{networkName: n}]
replicaCount: 1
image: {repository: x, pullPolicy: IfNotPresent}
featureGates: {GatewayAPI: false, Bogus: 1}
ako-crd-operator: {enabled: true, controllerManager: {container: {}}}
typoSection: {a: 1}
"""
    s, diags = load_settings(values, "values.yaml")
    assert s is not None
    assert [(d.summary, d.subject.start_line if d.subject else 0, d.detail.split('"')[1])
            for d in diags] == [
        ("Unknown AKO setting", 4, "AKOSettings.enableEVh"),
        ("Unknown AKO setting", 6, "L7Settings.shardVsSize"),
        ("Unknown AKO setting", 11, "featureGates.Bogus"),
        ("Unknown AKO setting", 13, "typoSection")]


def test_controller_facts() -> None:
    facts, diags = load_facts("cloudType: CLOUD_NSXT\ndnsSubdomains: [a.com]\n", "f.yaml")
    assert not diags and facts == ControllerFacts(cloud_type="CLOUD_NSXT",
                                                  dns_subdomains=("a.com",))
    facts, diags = load_facts("aviObjects: {wafpolicy: [w1], sslprofile: [p]}\n", "f.yaml")
    assert not diags and facts is not None
    assert facts.avi_objects == frozenset({("wafpolicy", "w1"), ("sslprofile", "p")})
    assert facts.has_object("wafpolicy", "w1") and not facts.has_object("wafpolicy", "w2")
    assert ControllerFacts().has_object("wafpolicy", "anything")  # no inventory: unchecked
    facts, diags = load_facts("aviObjects: {wafpolicy: w1}\n", "f.yaml")
    assert facts is None and [d.summary for d in diags] == ["Invalid controller fact"]
    facts, diags = load_facts("cloudType: CLOUD_MARS\nlicence: x\n", "f.yaml")
    assert facts is None
    assert [(d.summary, d.subject.start_line if d.subject else 0) for d in diags] == [
        ("Invalid controller fact", 1), ("Unknown controller fact", 2)]


def test_istio_without_its_secret_warns_on_the_istio_enabled_line() -> None:
    from albform.modules.k8s.translate import translate

    s, diags = load_settings(_cm('  istioEnabled: "true"\n'), "cm.yaml")
    assert s is not None and not diags
    _, diags = translate([], s, ControllerFacts())
    warning = next(d for d in diags if d.summary == "Istio objects not created")
    assert warning.subject is not None
    assert (warning.subject.filename, warning.subject.start_line) == ("cm.yaml", 9)
