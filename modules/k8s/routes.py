"""VRF static routes for ClusterIP mode (docs/ako-translation.md §5): one
``avi_vrfcontext_static_route`` per
node pod CIDR, next hop the node IP, labelled ``clustername=C`` (contract in DECISIONS.md).
Nodes are processed sorted by name, as at AKO boot."""

from __future__ import annotations

import uuid

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.context import Context
from albform.modules.k8s.nodes import node_addresses, pod_cidrs
from albform.modules.k8s.objects import AviObject

ROUTE_TYPE = "vrfcontext_static_route"
_ROUTE_NS = uuid.NAMESPACE_URL


def routes_enabled(ctx: Context) -> bool:
    s = ctx.settings
    return not (s.disable_static_route_sync or s.service_type in ("NodePort", "NodePortLocal")
                or not s.primary_instance or s.delete_config
                or (ctx.facts.cloud_type == "CLOUD_NSXT" and s.cni_plugin == "ncp"))


def node_route_uuid(cluster: str, node: str) -> str:
    return str(uuid.uuid5(_ROUTE_NS, f"albform:k8s-node/{cluster}/{node}"))


def build_routes(ctx: Context) -> tuple[list[AviObject], dict[str, str], Diagnostics]:
    diags = Diagnostics()
    out: list[AviObject] = []
    route_nodes: dict[str, str] = {}
    if not routes_enabled(ctx):
        return out, route_nodes, diags
    vrf = ctx.vrf or "global"
    tenant = ctx.settings.tenant_name
    seen_prefixes: set[str] = set()
    for node in ctx.index.nodes:
        ip4, ip6 = node_addresses(node, ctx.settings.cni_plugin, v4=ctx.v4, v6=ctx.v6)
        if not ip4 and not ip6:
            diags.warning("No static route for node", f"Node {node.name} has no usable IP "
                          "address; AKO adds no route for it.", subject=node.source)
            continue
        cidrs, reason = pod_cidrs(node, ctx.settings.cni_plugin, ctx.index)
        if not cidrs:
            diags.warning("No static route for node", f"Node {node.name}: {reason}.",
                          subject=node.source)
            continue
        prefixes = [c.split("/")[0] for c in cidrs]
        if any(p in seen_prefixes for p in prefixes):
            # findRoutePrefix: AKO skips a node whose prefix another node already routes.
            diags.warning("No static route for node", f"Node {node.name}: a pod CIDR overlaps "
                          "another node's; AKO skips the node.", subject=node.source)
            continue
        seen_prefixes.update(prefixes)
        node_uuid = node_route_uuid(ctx.cluster, node.name)
        for i, cidr in enumerate(cidrs):
            addr, _, mask = cidr.partition("/")
            if not mask.isdigit():
                diags.warning("No static route for node", f"Node {node.name}: pod CIDR "
                              f"{cidr!r} is malformed.", subject=node.source)
                break
            if ip4 and ":" not in addr:
                hop, family = ip4, "V4"
            elif ip6 and ":" in addr:
                hop, family = ip6, "V6"
            else:
                continue
            route_id = f"{ctx.cluster}-{node_uuid}-{i}"
            body = {
                "vrf_name": vrf,
                "cloud_ref": ctx.cloud_ref,
                "tenant_ref": ctx.tenant_ref(tenant),
                "route_id": route_id,
                "prefix": {"ip_addr": {"addr": addr, "type": family}, "mask": int(mask)},
                "next_hop": {"addr": hop, "type": family},
                "labels": [{"key": "clustername", "value": ctx.cluster}],
            }
            out.append(AviObject(ROUTE_TYPE, route_id, tenant, body))
            route_nodes[route_id] = node.name
    return out, route_nodes, diags
