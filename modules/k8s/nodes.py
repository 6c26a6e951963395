"""Node facts AKO reads: the node IP per family (``GetIPFromNode``) and the pod CIDRs per CNI
(``GetPodCIDR``). Pure functions over Node objects and the CNI CRD objects in the index."""

from __future__ import annotations

import json
import re

from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.context import ip_type
from albform.modules.k8s.ingest import KubeObject

CALICO_V4 = "projectcalico.org/IPv4Address"
CALICO_V6 = "projectcalico.org/IPv6Address"
ANTREA_TRANSPORT = "node.antrea.io/transport-addresses"
POD_CIDRS_ANNOTATION = "ako.vmware.com/pod-cidrs"
OVN_SUBNETS = "k8s.ovn.org/node-subnets"
_V4_CIDR = re.compile(r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$")


def node_addresses(node: KubeObject, cni: str, *, v4: bool = True, v6: bool = True
                   ) -> tuple[str, str]:
    """(IPv4, IPv6) next hop / server address of ``node``; "" when absent."""
    ip4 = ip6 = ""
    ann = node.annotations
    if cni == "calico":
        if v4 and CALICO_V4 in ann:
            ip4 = str(ann[CALICO_V4]).split("/")[0]
        if v6 and CALICO_V6 in ann:
            ip6 = str(ann[CALICO_V6]).split("/")[0]
    elif cni == "antrea" and ANTREA_TRANSPORT in ann:
        for addr in str(ann[ANTREA_TRANSPORT]).split(","):
            family = ip_type(addr)
            if v4 and family == "V4":
                ip4 = addr  # AKO keeps the last one of each family
            elif v6 and family == "V6":
                ip6 = addr
    if not ip4 or not ip6:
        for entry in (node.data.get("status") or {}).get("addresses") or []:
            if entry.get("type") != "InternalIP":
                continue
            addr = str(entry.get("address") or "")
            family = ip_type(addr)
            if v4 and family == "V4" and not ip4:
                ip4 = addr
            elif v6 and family == "V6" and not ip6:
                ip6 = addr
    return ip4, ip6


def pod_cidrs(node: KubeObject, cni: str, index: ClusterIndex) -> tuple[list[str], str]:
    """The node's pod CIDRs, or ``([], reason)`` when AKO would find none."""
    name = node.name
    if cni == "calico":
        found = _unique(str((b.spec or {}).get("cidr") or "") for b in index.crds["BlockAffinity"]
                        if b.spec.get("node") == name)
        return (found, "") if found else ([], "no Calico BlockAffinity for the node")
    if cni == "openshift":
        found = _unique(str(h.data.get("subnet") or "") for h in index.crds["HostSubnet"]
                        if h.data.get("host") == name)
        return (found, "") if found else ([], "no OpenShift HostSubnet for the node")
    if cni == "ovn-kubernetes":
        return _ovn(node)
    if cni == "cilium":
        found = []
        for c in index.crds["CiliumNode"]:
            if c.name == name:
                found = _unique(str(x) for x in (c.spec.get("ipam") or {}).get("podCIDRs") or [])
        return (found, "") if found else ([], "no CiliumNode podCIDRs for the node")
    if POD_CIDRS_ANNOTATION in node.annotations:
        out = []
        for part in str(node.annotations[POD_CIDRS_ANNOTATION]).strip().split(","):
            cidr = part.strip()
            if not cidr:
                continue
            if not _V4_CIDR.match(cidr):
                return [], f"{POD_CIDRS_ANNOTATION} value {cidr!r} is not an IPv4 CIDR"
            out.append(cidr)
        return out, ""
    spec = node.spec
    if not spec.get("podCIDR") and not spec.get("podCIDRs"):
        return [], "the node has no spec.podCIDR"
    # The API server always fills both; hand-written manifests often carry only podCIDR.
    return [str(c) for c in spec.get("podCIDRs") or [spec["podCIDR"]]], ""


def _ovn(node: KubeObject) -> tuple[list[str], str]:
    raw = node.annotations.get(OVN_SUBNETS)
    if raw is None:
        return [], f"annotation {OVN_SUBNETS} not found"
    try:
        value = json.loads(raw).get("default")
    except (json.JSONDecodeError, AttributeError):
        return [], f"annotation {OVN_SUBNETS} is not a JSON object"
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    if not items or "" in items:
        return [], "podcidr not found"
    return [str(x) for x in items], ""


def _unique(values: object) -> list[str]:
    out: list[str] = []
    for v in values:  # type: ignore[attr-defined]
        if v and v not in out:
            out.append(v)
    return out
