"""AKO settings from the ``avi-k8s-config`` ConfigMap or AKO's Helm ``values.yaml``
(docs/ako-translation.md §1).

``load_settings(text, filename) -> (AkoSettings | None, Diagnostics)``. Values AKO silently
defaults are defaulted the same way with a warning; values that stop AKO from starting are
errors naming the key and its line.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.k8s.hashing import SHARD_SIZES
from albform.modules.k8s.yamlsrc import Document, load_documents

_CLUSTER_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]*$")
CNI_PLUGINS = ("calico", "canal", "flannel", "openshift", "antrea", "ncp", "ovn-kubernetes",
               "cilium", "")
SERVICE_TYPES = ("ClusterIP", "NodePort", "NodePortLocal")


@dataclass(frozen=True, slots=True)
class VipNetwork:
    network_name: str = ""
    network_uuid: str = ""
    cidr: str = ""
    v6cidr: str = ""


@dataclass(frozen=True, slots=True)
class NodeNetwork:
    network_name: str = ""
    network_uuid: str = ""
    cidrs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AkoSettings:
    """Effective AKO configuration (after AKO's defaulting). Field names follow the CM keys."""

    cluster_name: str
    cloud_name: str = "Default-Cloud"
    tenant_name: str = "admin"
    vrf_name: str = ""
    se_group_name: str = "Default-Group"
    service_type: str = "ClusterIP"
    node_key: str = ""
    node_value: str = ""
    shard_vs_size: int = 8
    passthrough_shard_size: int = 1
    enable_evh: bool = False
    vip_per_namespace: bool = False
    layer7_only: bool = False
    no_pg_for_sni: bool = False
    auto_fqdn: str = "default"  # default | flat | disabled
    default_domain: str = ""
    default_lb_controller: bool = True
    disable_static_route_sync: bool = False
    cni_plugin: str = ""
    node_networks: tuple[NodeNetwork, ...] = ()
    vip_networks: tuple[VipNetwork, ...] = ()
    enable_rhi: bool = False
    bgp_peer_labels: tuple[str, ...] = ()
    nsxt_t1lr: str = ""
    ns_sync_label_key: str = ""
    ns_sync_label_value: str = ""
    blocked_namespaces: tuple[str, ...] = ()
    ip_family: str = ""  # "" = cloud default (see facts)
    primary_instance: bool = True
    ako_namespace: str = "avi-system"
    delete_config: bool = False
    istio_enabled: bool = False
    # L7Settings.fqdnReusePolicy (FQDN_REUSE_POLICY), lower-cased as AKO's main.go does:
    # "strict" lets one namespace claim a Route host.
    fqdn_reuse_policy: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    # Where each key was written (ConfigMap key or Helm values path → file:line), so a
    # later warning about a setting can point at it; not part of the settings' value.
    locations: Mapping[str, SourceRange] = field(default_factory=dict, compare=False)

    def where(self, key: str) -> SourceRange | None:
        """Where ``key`` (a ConfigMap key: ``istioEnabled``) was written, if known."""
        return self.locations.get(key)

    @property
    def name_prefix(self) -> str:
        return f"{self.cluster_name}--"

    @property
    def created_by(self) -> str:
        if self.primary_instance:
            return f"ako-{self.cluster_name}"
        return f"ako-{self.cluster_name}-{self.ako_namespace}"

    @property
    def ns_selector_enabled(self) -> bool:
        return bool(self.ns_sync_label_key.strip() and self.ns_sync_label_value.strip())


# Helm values.yaml path -> ConfigMap key (helm/ako/templates/configmap.yaml).
HELM_KEYS: dict[tuple[str, ...], str] = {
    ("AKOSettings", "clusterName"): "clusterName",
    ("AKOSettings", "enableEVH"): "enableEVH",
    ("AKOSettings", "vipPerNamespace"): "vipPerNamespace",
    ("AKOSettings", "layer7Only"): "layer7Only",
    ("AKOSettings", "disableStaticRouteSync"): "disableStaticRouteSync",
    ("AKOSettings", "cniPlugin"): "cniPlugin",
    ("AKOSettings", "enableEvents"): "enableEvents",
    ("AKOSettings", "logLevel"): "logLevel",
    ("AKOSettings", "fullSyncFrequency"): "fullSyncFrequency",
    ("AKOSettings", "apiServerPort"): "apiServerPort",
    ("AKOSettings", "deleteConfig"): "deleteConfig",
    ("AKOSettings", "namespaceSelector", "labelKey"): "nsSyncLabelKey",
    ("AKOSettings", "namespaceSelector", "labelValue"): "nsSyncLabelValue",
    ("AKOSettings", "blockedNamespaceList"): "blockedNamespaceList",
    ("AKOSettings", "servicesAPI"): "servicesAPI",
    ("AKOSettings", "istioEnabled"): "istioEnabled",
    ("AKOSettings", "ipFamily"): "ipFamily",
    ("AKOSettings", "useDefaultSecretsOnly"): "useDefaultSecretsOnly",
    ("AKOSettings", "vpcMode"): "vpcMode",
    ("AKOSettings", "primaryInstance"): "primaryInstance",
    ("ControllerSettings", "cloudName"): "cloudName",
    ("ControllerSettings", "tenantName"): "tenantName",
    ("ControllerSettings", "dedicatedTenantMode"): "dedicatedTenantMode",
    ("ControllerSettings", "vrfName"): "vrfName",
    ("ControllerSettings", "serviceEngineGroupName"): "serviceEngineGroupName",
    ("ControllerSettings", "controllerHost"): "controllerIP",
    ("ControllerSettings", "controllerVersion"): "controllerVersion",
    ("L7Settings", "serviceType"): "serviceType",
    ("L7Settings", "shardVSSize"): "shardVSSize",
    ("L7Settings", "passthroughShardSize"): "passthroughShardSize",
    ("L7Settings", "noPGForSNI"): "noPGForSNI",
    ("L7Settings", "defaultIngController"): "defaultIngController",
    ("L7Settings", "enableMCI"): "enableMCI",
    ("L7Settings", "fqdnReusePolicy"): "fqdnReusePolicy",
    ("L4Settings", "autoFQDN"): "autoFQDN",
    ("L4Settings", "defaultDomain"): "defaultDomain",
    ("L4Settings", "defaultLBController"): "defaultLBController",
    ("NetworkSettings", "nodeNetworkList"): "nodeNetworkList",
    ("NetworkSettings", "vipNetworkList"): "vipNetworkList",
    ("NetworkSettings", "enableRHI"): "enableRHI",
    ("NetworkSettings", "bgpPeerLabels"): "bgpPeerLabels",
    ("NetworkSettings", "nsxtT1LR"): "nsxtT1LR",
    ("NetworkSettings", "defaultDomain"): "defaultDomain",
    ("nodePortSelector", "key"): "nodeKey",
    ("nodePortSelector", "value"): "nodeValue",
    ("featureGates", "EnablePrometheus"): "enablePrometheus",
    ("ako-crd-operator", "enabled"): "akoCRDOperatorEnabled",
}
KNOWN_KEYS = frozenset(HELM_KEYS.values()) | {"akoNamespace"}
# Helm values of AKO's chart (helm/ako/values.yaml) that only shape the Deployment, not the
# avi-k8s-config ConfigMap: known, so not "unknown", but nothing to translate.
HELM_DEPLOYMENT_KEYS = frozenset({
    "replicaCount", "image", "GatewayAPI", "resources", "securityContext",
    "podSecurityContext", "rbac", "avicredentials", "persistentVolumeClaim", "mountPath",
    "logFile", "akoGatewayLogFile", "ako-crd-operator", "featureGates"})
HELM_DEPLOYMENT_LEAVES = frozenset({("featureGates", "GatewayAPI")})


def load_settings(text: str, filename: str) -> tuple[AkoSettings | None, Diagnostics]:
    """Read a ConfigMap (``kind: ConfigMap``, keys under ``data``) or Helm values file."""
    docs, diags = load_documents(text, filename)
    if diags.has_errors():
        return None, diags
    doc = next((d for d in docs if isinstance(d.data, dict)), None)
    if doc is None:
        diags.error("Empty AKO configuration", "The file holds no YAML mapping.",
                    subject=SourceRange(filename, 1))
        return None, diags
    if doc.data.get("kind") == "ConfigMap":
        found = _configmap_values(doc, diags)
        if found is None:
            return None, diags
        values, lines, ako_ns = found
    else:
        values, lines = _flatten_helm(doc)
        _warn_unknown_helm_keys(doc, diags)
        ako_ns = "avi-system"
    values.setdefault("akoNamespace", ako_ns)
    settings, more = settings_from_values(values, lines, filename)
    return settings, diags.extend_from(more)


def _configmap_values(doc: Document, diags: Diagnostics,
                      ) -> tuple[dict[str, Any], dict[str, SourceRange], str] | None:
    """(values, their lines, the ConfigMap's namespace), checked as the API server checks a
    ConfigMap: ``metadata`` and ``data`` are mappings, every ``data`` value is a string."""
    metadata, raw = doc.data.get("metadata"), doc.data.get("data")
    bad = False
    for key, value in (("metadata", metadata), ("data", raw)):
        if value is not None and not isinstance(value, dict):
            diags.error("Invalid ConfigMap", f"The ConfigMap's {key} must be a mapping, not "
                        f"{_kind(value)}.", subject=doc.line_of(key))
            bad = True
    raw = raw if isinstance(raw, dict) else {}
    for key, value in raw.items():
        if not isinstance(value, str):
            diags.error("Invalid ConfigMap", f"data.{key} must be a string (quote it: "
                        f"{key}: \"{value}\"); the API server rejects {_kind(value)} "
                        "values in a ConfigMap.", subject=doc.line_of("data", key))
            bad = True
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    if namespace is not None and not isinstance(namespace, str):
        diags.error("Invalid ConfigMap", f"metadata.namespace must be a string, not "
                    f"{_kind(namespace)}.", subject=doc.line_of("metadata", "namespace"))
        bad = True
    if bad:
        return None
    lines = {str(k): doc.line_of("data", k) for k in raw}
    return {str(k): v for k, v in raw.items()}, lines, namespace or "avi-system"


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _flatten_helm(doc: Document) -> tuple[dict[str, Any], dict[str, SourceRange]]:
    values: dict[str, Any] = {}
    lines: dict[str, SourceRange] = {}
    for path, key in HELM_KEYS.items():
        node: Any = doc.data
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            continue
        if key == "defaultDomain" and key in values and path[0] == "L4Settings":
            continue  # NetworkSettings.defaultDomain wins; L4Settings is the fallback
        values[key] = node
        lines[key] = doc.line_of(*path)
    return values, lines


def _warn_unknown_helm_keys(doc: Document, diags: Diagnostics) -> None:
    """Keys AKO's chart does not define are ignored by Helm's template, silently: say so, as
    for unknown ConfigMap keys (a misspelt ``shardVsSize`` would otherwise go unnoticed)."""
    known_paths = set(HELM_KEYS) | HELM_DEPLOYMENT_LEAVES
    prefixes = {path[:i] for path in known_paths for i in range(1, len(path))}
    data = doc.data if isinstance(doc.data, dict) else {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        for key, value in node.items():
            here = (*path, str(key))
            if here in known_paths:
                continue
            if not path and str(key) in HELM_DEPLOYMENT_KEYS - {"featureGates"}:
                continue  # deployment-only sections: their insides are the chart's business
            if here in prefixes and isinstance(value, dict):
                walk(value, here)
                continue
            if here in prefixes:
                continue
            diags.warning("Unknown AKO setting", f'"{".".join(here)}" is not a value of AKO\'s '
                          "Helm chart; it is ignored.", subject=doc.line_of(*here))

    walk(data, ())


class _Reader:
    """Typed access to raw CM values, recording a diagnostic per bad key."""

    def __init__(self, values: Mapping[str, Any], lines: Mapping[str, SourceRange],
                 filename: str) -> None:
        self.values, self.lines, self.filename = values, lines, filename
        self.diags = Diagnostics()

    def where(self, key: str) -> SourceRange:
        return self.lines.get(key) or SourceRange(self.filename, 1)

    def text(self, key: str, default: str = "") -> str:
        value = self.values.get(key)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def boolean(self, key: str, default: bool, *, strict: bool = False) -> bool:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        parsed = _go_parse_bool(str(value))
        if parsed is None:
            msg = f'"{key}" must be "true" or "false", not {str(value)!r}.'
            if strict:
                self.diags.error("Invalid AKO setting", msg, subject=self.where(key))
            else:
                self.diags.warning("Invalid AKO setting",
                                   f"{msg} AKO uses {str(default).lower()}.",
                                   subject=self.where(key))
            return default
        return parsed

    def json_list(self, key: str, *, required: bool = False) -> list[Any] | None:
        value = self.values.get(key)
        if value is None or value == "":
            if required:
                return None
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                self.diags.error("Invalid AKO setting",
                                 f'"{key}" must be a JSON list: {exc.msg}.',
                                 subject=self.where(key))
                return []
        if value is None and required:
            return None
        if not isinstance(value, list):
            self.diags.error("Invalid AKO setting", f'"{key}" must be a list.',
                             subject=self.where(key))
            return []
        return value


def _go_parse_bool(text: str) -> bool | None:
    """Go's strconv.ParseBool."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def settings_from_values(values: Mapping[str, Any], lines: Mapping[str, SourceRange],
                         filename: str) -> tuple[AkoSettings | None, Diagnostics]:
    """Validate CM-keyed raw values into ``AkoSettings`` with AKO's defaults."""
    r = _Reader(values, lines, filename)
    for key in values:
        if key not in KNOWN_KEYS:
            r.diags.warning("Unknown AKO setting", f'"{key}" is not an avi-k8s-config key; '
                            "it is ignored.", subject=r.where(key))
    cluster = r.text("clusterName")
    if not cluster or not _CLUSTER_NAME_RE.match(cluster):
        r.diags.error("Invalid AKO setting",
                      f'"clusterName" must be non-empty and match ^[a-zA-Z0-9-_]*$ '
                      f"(got {cluster!r}); AKO disables sync without it.",
                      subject=r.where("clusterName"))
    service_type = r.text("serviceType", "ClusterIP")
    if service_type not in SERVICE_TYPES:
        r.diags.warning("Invalid AKO setting", f'"serviceType" {service_type!r} is not one of '
                        f"{', '.join(SERVICE_TYPES)}; AKO treats it as ClusterIP.",
                        subject=r.where("serviceType"))
        service_type = "ClusterIP"
    cni = r.text("cniPlugin").lower()
    if cni not in CNI_PLUGINS:
        r.diags.warning("Invalid AKO setting", f'"cniPlugin" {cni!r} is not a known CNI; '
                        "node pod CIDRs come from the node spec.", subject=r.where("cniPlugin"))
    if service_type == "NodePortLocal" and cni != "antrea":
        r.diags.error("Invalid AKO setting", '"serviceType: NodePortLocal" needs '
                      '"cniPlugin: antrea".', subject=r.where("serviceType"))
    auto = r.text("autoFQDN", "default")
    if auto not in ("default", "flat"):
        if auto not in ("disabled", "disable", ""):
            r.diags.warning("Invalid AKO setting", f'"autoFQDN" {auto!r} is not default, flat '
                            "or disabled; AKO disables auto FQDN.", subject=r.where("autoFQDN"))
        auto = "disabled"
    shard = _shard(r, "shardVSSize", "LARGE", allow_dedicated=True)
    passthrough = _shard(r, "passthroughShardSize", "SMALL", allow_dedicated=False)
    enable_rhi = r.boolean("enableRHI", False)
    bgp = [str(x) for x in (r.json_list("bgpPeerLabels") or [])]
    if bgp and not enable_rhi:
        r.diags.error("Invalid AKO setting", '"bgpPeerLabels" needs "enableRHI: true".',
                      subject=r.where("bgpPeerLabels"))
    ip_family = r.text("ipFamily")
    if ip_family not in ("", "V4", "V6", "V4_V6"):
        r.diags.error("Invalid AKO setting", f'"ipFamily" must be V4, V6 or V4_V6, not '
                      f"{ip_family!r}.", subject=r.where("ipFamily"))
    settings = AkoSettings(
        cluster_name=cluster,
        cloud_name=r.text("cloudName", "Default-Cloud") or "Default-Cloud",
        tenant_name=r.text("tenantName", "admin") or "admin",
        vrf_name=r.text("vrfName"),
        se_group_name=r.text("serviceEngineGroupName", "Default-Group") or "Default-Group",
        service_type=service_type,
        node_key=r.text("nodeKey"), node_value=r.text("nodeValue"),
        shard_vs_size=shard, passthrough_shard_size=passthrough,
        enable_evh=r.boolean("enableEVH", False),
        vip_per_namespace=r.boolean("vipPerNamespace", False),
        layer7_only=r.boolean("layer7Only", False),
        no_pg_for_sni=r.boolean("noPGForSNI", False),
        auto_fqdn=auto,
        default_domain=r.text("defaultDomain"),
        default_lb_controller=r.boolean("defaultLBController", True),
        disable_static_route_sync=r.boolean("disableStaticRouteSync", False),
        cni_plugin=cni,
        node_networks=_node_networks(r),
        vip_networks=_vip_networks(r),
        enable_rhi=enable_rhi,
        bgp_peer_labels=tuple(bgp),
        nsxt_t1lr=r.text("nsxtT1LR"),
        ns_sync_label_key=r.text("nsSyncLabelKey"),
        ns_sync_label_value=r.text("nsSyncLabelValue"),
        blocked_namespaces=tuple(str(x) for x in (r.json_list("blockedNamespaceList") or [])),
        ip_family=ip_family,
        primary_instance=r.boolean("primaryInstance", True),
        ako_namespace=r.text("akoNamespace", "avi-system"),
        delete_config=r.boolean("deleteConfig", False),
        istio_enabled=r.boolean("istioEnabled", False),
        fqdn_reuse_policy=r.text("fqdnReusePolicy").lower(),
        extra={k: r.text(k) for k in values if k not in KNOWN_KEYS},
        locations=r.lines,
    )
    if r.diags.has_errors():
        return None, r.diags
    return settings, r.diags


def _shard(r: _Reader, key: str, default: str, *, allow_dedicated: bool) -> int:
    text = r.text(key, default) or default
    size = SHARD_SIZES.get(text)
    if size is None or (size == 0 and not allow_dedicated):
        allowed = "LARGE, MEDIUM, SMALL" + (" or DEDICATED" if allow_dedicated else "")
        r.diags.warning("Invalid AKO setting", f'"{key}" {text!r} is not {allowed}; AKO uses '
                        "one shard (as SMALL).", subject=r.where(key))
        return 1
    return size


def _is_cidr(text: str, v6: bool | None = None) -> bool:
    """ADDRESS/PREFIX with a valid address and prefix length (host bits may be set, as in
    AKO's examples); ``v6`` requires that family when given."""
    if "/" not in text:
        return False
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return False
    return v6 is None or (net.version == 6) == v6


def _vip_networks(r: _Reader) -> tuple[VipNetwork, ...]:
    items = r.json_list("vipNetworkList", required=True)
    if items is None:
        r.diags.error("Invalid AKO setting", '"vipNetworkList" is required (AKO refuses to '
                      'start without it); use "[]" to let the cloud IPAM pick the network.',
                      subject=r.where("vipNetworkList"))
        return ()
    out = []
    for item in items:
        if not isinstance(item, dict) or not (item.get("networkName") or item.get("networkUUID")):
            r.diags.error("Invalid AKO setting", '"vipNetworkList" entries need "networkName" '
                          'or "networkUUID".', subject=r.where("vipNetworkList"))
            continue
        for cidr_key in ("cidr", "v6cidr"):
            if item.get(cidr_key) and not _is_cidr(str(item[cidr_key]), cidr_key == "v6cidr"):
                r.diags.error("Invalid AKO setting", f'"vipNetworkList" {cidr_key} '
                              f"{item[cidr_key]!r} is not a CIDR.",
                              subject=r.where("vipNetworkList"))
        out.append(VipNetwork(str(item.get("networkName") or ""),
                              str(item.get("networkUUID") or ""),
                              str(item.get("cidr") or ""), str(item.get("v6cidr") or "")))
    return tuple(out)


def _node_networks(r: _Reader) -> tuple[NodeNetwork, ...]:
    items = r.json_list("nodeNetworkList") or []
    if len(items) > 5:
        r.diags.error("Invalid AKO setting", '"nodeNetworkList" allows at most 5 networks.',
                      subject=r.where("nodeNetworkList"))
    out = []
    for item in items:
        if not isinstance(item, dict) or not (item.get("networkName") or item.get("networkUUID")):
            r.diags.error("Invalid AKO setting", '"nodeNetworkList" entries need "networkName" '
                          'or "networkUUID".', subject=r.where("nodeNetworkList"))
            continue
        cidrs = item.get("cidrs") or []
        if not isinstance(cidrs, list) or not all(_is_cidr(str(c)) for c in cidrs):
            r.diags.error("Invalid AKO setting", '"nodeNetworkList" cidrs must be a list of '
                          "CIDRs.", subject=r.where("nodeNetworkList"))
            continue
        out.append(NodeNetwork(str(item.get("networkName") or ""),
                               str(item.get("networkUUID") or ""),
                               tuple(str(c) for c in cidrs)))
    return tuple(out)
