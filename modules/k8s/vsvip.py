"""VsVip bodies for every VS kind (docs/ako-translation.md §4.2, AKO ``AviVsVipBuild``): the
``vip`` entry from
the VIP network, cloud type and preferred IP, ``dns_info`` deduplicated in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from albform.modules.k8s.context import Context, ip_type
from albform.modules.k8s.infrasetting import Infra, bgp_peer_labels, t1lr, vip_networks
from albform.modules.k8s.markers import cluster_markers
from albform.modules.k8s.objects import AviObject


def network_ref(name: str, uuid: str) -> str:
    return f"/api/network/{uuid}" if uuid else f"/api/network/?name={name}"


def _subnet(cidr: str, family: str) -> dict[str, Any]:
    addr, _, mask = cidr.partition("/")
    return {"ip_addr": {"addr": addr, "type": family}, "mask": int(mask)}


def build_vips(ctx: Context, static_ip: str, infra: Infra | None = None,
               ) -> list[dict[str, Any]]:
    nets = vip_networks(ctx.settings, infra)
    # enablePublicIP (AviInfraSetting, public clouds) -> auto_allocate_floating_ip
    public = {"auto_allocate_floating_ip": infra.enable_public_ip} \
        if infra is not None and infra.enable_public_ip is not None \
        and ctx.facts.is_public_cloud else {}
    if ctx.facts.is_public_cloud and ctx.facts.cloud_type != "CLOUD_GCP":
        return [{"vip_id": str(i + 1), "auto_allocate_ip": True, **public,
                 "subnet_uuid": n.network_name} for i, n in enumerate(nets)] \
            or [{"vip_id": "0", "auto_allocate_ip": True, **public}]
    vip: dict[str, Any] = {"vip_id": "0", "auto_allocate_ip": True, **public}
    if static_ip:
        key = "ip_address" if ip_type(static_ip) != "V6" else "ip6_address"
        vip[key] = {"addr": static_ip, "type": "V4" if key == "ip_address" else "V6"}
    if nets:
        net = nets[0]
        ref = network_ref(net.network_name, net.network_uuid)
        ipam: dict[str, Any] = {"network_ref": ref}
        if net.cidr:
            ipam["subnet"] = _subnet(net.cidr, "V4")
        if net.v6cidr:
            ipam["subnet6"] = _subnet(net.v6cidr, "V6")
            vip["auto_allocate_ip_type"] = "V4_V6" if net.cidr else "V6_ONLY"
        vip["ipam_network_subnet"] = ipam
        if ctx.facts.cloud_type == "CLOUD_NSXT" and ctx.facts.nsxt_transport_zone == "VLAN" \
                and net.cidr:
            vip["placement_networks"] = [{"network_ref": ref, "subnet": _subnet(net.cidr, "V4")}]
    return [vip]


def build_vsvip(ctx: Context, name: str, tenant: str, fqdns: Sequence[str], *,
                static_ip: str = "", infra: Infra | None = None) -> AviObject:
    """``infra``: the AviInfraSetting of the VS (VIP networks, T1, RHI peer labels)."""
    body: dict[str, Any] = {
        "name": name,
        "tenant_ref": ctx.tenant_ref(tenant),
        "cloud_ref": ctx.cloud_ref,
        "east_west_placement": False,
    }
    dns = list(dict.fromkeys(f for f in fqdns if f))
    if dns:
        body["dns_info"] = [{"fqdn": f} for f in dns]
    body["vip"] = build_vips(ctx, static_ip, infra)
    tier1 = t1lr(ctx.settings, infra)
    if ctx.vrf and not tier1:
        body["vrf_context_ref"] = f"/api/vrfcontext?name={ctx.vrf}"
    if tier1:
        body["tier1_lr"] = tier1
    if labels := bgp_peer_labels(ctx.settings, infra):
        body["bgp_peer_labels"] = list(labels)
    body["markers"] = cluster_markers(ctx.cluster)
    return AviObject("vsvip", name, tenant, body)
