"""Pool bodies shared by L4 and L7 (AKO ``AviPoolBuild``): ownership, VRF/T1, placement
networks, servers and the default health monitor."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from typing import Any

from albform.modules.k8s.context import Context
from albform.modules.k8s.infrasetting import Infra, node_networks, t1lr
from albform.modules.k8s.objects import AviObject
from albform.modules.k8s.vsvip import _subnet, network_ref

_DEFAULT_HM = {"UDP": "System-UDP", "SCTP": "System-SCTP"}


def placement_networks(ctx: Context, infra: Infra | None = None) -> list[dict[str, Any]]:
    allowed = ctx.facts.cloud_type == "CLOUD_VCENTER" or (
        ctx.facts.cloud_type == "CLOUD_NSXT" and ctx.facts.nsxt_transport_zone == "VLAN")
    if not allowed:
        return []
    out = []
    # AKO iterates a Go map here (random order); sorting by network keeps output stable.
    for net in sorted(node_networks(ctx.settings, infra), key=lambda n: (n.network_name,
                                                                         n.network_uuid)):
        for cidr in net.cidrs:
            family = "V6" if ":" in cidr else "V4"
            out.append({"network_ref": network_ref(net.network_name, net.network_uuid),
                        "subnet": _subnet(_network_address(cidr), family)})
    return out


@functools.lru_cache(maxsize=1024)
def _network_address(cidr: str) -> str:
    """Pure, and asked again for every pool (a few CIDRs, tens of thousands of pools)."""
    try:
        return str(ipaddress.ip_network(cidr, strict=False))
    except ValueError:
        return cidr


def build_pool(ctx: Context, name: str, tenant: str, *, servers: Sequence[dict[str, Any]],
               markers: list[dict[str, Any]], metadata: str, protocol: str = "TCP",
               extra: dict[str, Any] | None = None, infra: Infra | None = None) -> AviObject:
    """``infra``: the AviInfraSetting of the pool's VS (node networks, T1 router)."""
    body: dict[str, Any] = {
        "name": name,
        "created_by": ctx.created_by,
        "tenant_ref": ctx.tenant_ref(tenant),
        "cloud_ref": ctx.cloud_ref,
        "service_metadata": metadata,
        "sni_enabled": False,
        "graceful_disable_timeout": 1,
    }
    placement = placement_networks(ctx, infra)
    if placement:
        body["placement_networks"] = placement
    tier1 = t1lr(ctx.settings, infra)
    if ctx.vrf and not tier1:
        body["vrf_ref"] = f"/api/vrfcontext?name={ctx.vrf}"
    if tier1:
        body["tier1_lr"] = tier1
    body["markers"] = markers
    if servers:
        body["servers"] = list(servers)
    body["health_monitor_refs"] = [
        f"/api/healthmonitor/?name={_DEFAULT_HM.get(protocol, 'System-TCP')}"]
    if extra:
        body.update(extra)
    return AviObject("pool", name, tenant, body)
