"""The EVH L7 model (enableEVH=true, spec 4.8): shared ``Shared-L7-EVH-n`` parents (or one per
namespace with ``vipPerNamespace``) carrying every secure host's certificate, and one EVH child
per host (secure or insecure) with ``vh_matches``, per-path PoolGroups, a host-path
HTTPPolicySet and, for secure hosts, a redirect policy named like the child."""

from __future__ import annotations

from dataclasses import dataclass, field

from albform.modules.k8s.context import Context, service_metadata
from albform.modules.k8s.hashing import shard_bucket
from albform.modules.k8s.ingress import Backend, IngressHosts
from albform.modules.k8s.l7_common import (
    HostRoutes,
    PathRule,
    add_ingress,
    add_vrf_and_rhi,
    cert_ref,
    clustername_only,
    creation_order,
    http_policies,
    l7_pool,
    listeners,
    parent_vs_body,
    path_pool_group,
    policy_sets,
    redirect_policy_set,
    shared_fqdn,
    ssl_cert,
    vs_base,
)
from albform.modules.k8s.markers import all_markers
from albform.modules.k8s.objects import AviObject
from albform.modules.k8s.vsvip import build_vsvip


@dataclass
class EvhParent:
    name: str
    tenant: str
    fqdns: dict[str, None] = field(default_factory=dict)  # an ordered set: see l7_sni.Parent
    hosts: dict[str, HostRoutes] = field(default_factory=dict)


def build_evh(ctx: Context, parsed: list[IngressHosts]) -> list[AviObject]:
    parents: dict[tuple[str, str], EvhParent] = {}
    for ing in parsed:
        tenant = ctx.tenant_for(ing.namespace)
        for host, backends in ing.paths.items():
            if ctx.settings.vip_per_namespace:
                name = ctx.names.evh_namespace_vs(ing.namespace)
            else:
                size = ctx.settings.shard_vs_size or 1
                name = ctx.names.evh_shard_vs(shard_bucket(host, size))
            parent = parents.get((tenant, name))
            if parent is None:
                parent = parents[(tenant, name)] = EvhParent(name, tenant)
                if not ctx.settings.vip_per_namespace and (
                        fqdn := shared_fqdn(ctx, name, tenant)):
                    parent.fqdns[fqdn] = None
            parent.fqdns.setdefault(host)
            _add_host(ctx, parent, ing, host, backends)
    out: list[AviObject] = []
    for key in sorted(parents):
        out.extend(_emit_parent(ctx, parents[key]))
    return out


def _add_host(ctx: Context, parent: EvhParent, ing: IngressHosts, host: str,
              backends: list[Backend]) -> None:
    eh = parent.hosts.get(host)
    if eh is None:
        eh = parent.hosts[host] = HostRoutes(host, ing.namespace)
    if eh.cert is None and host in ing.tls:
        eh.cert = ing.tls[host]
    rules = add_ingress(eh, ing)
    for b in backends:
        pool_name = ctx.names.evh_pool(ing.name, ing.namespace, host, b.path, b.service)
        eh.objects.append(l7_pool(ctx, pool_name, parent.tenant, ing.namespace, ing.name, host,
                                  b, with_service=True))
        pg_name = ctx.names.evh_pg(ing.name, ing.namespace, host, b.path)
        eh.objects.append(path_pool_group(ctx, pg_name, parent.tenant, pool_name, b, ing, host))
        rules.append(PathRule(b.path, b.path_type, pool_group=pg_name))


def _emit_parent(ctx: Context, parent: EvhParent) -> list[AviObject]:
    out: list[AviObject] = [build_vsvip(ctx, parent.name, parent.tenant, list(parent.fqdns))]
    cert_refs: list[str] = []
    for eh in parent.hosts.values():
        if eh.cert is not None:
            cert_name = ctx.names.tls_cert(eh.host)
            out.append(ssl_cert(ctx, cert_name, parent.tenant, eh.cert, eh.host))
            cert_refs.append(cert_ref(cert_name))
    body = parent_vs_body(ctx, parent.name, parent.tenant)
    body.update({
        "vh_type": "VS_TYPE_VH_ENHANCED",
        "services": listeners(),
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "markers": clustername_only(ctx),
    })
    if cert_refs:
        body["ssl_key_and_certificate_refs"] = cert_refs
    out.append(AviObject("virtualservice", parent.name, parent.tenant, body))
    for host in parent.hosts:
        out.extend(_emit_child(ctx, parent, parent.hosts[host]))
    return out


def _emit_child(ctx: Context, parent: EvhParent, eh: HostRoutes) -> list[AviObject]:
    tenant = parent.tenant
    name = ctx.names.evh_vs(eh.host)
    out = creation_order(eh.objects)
    sets, refs = policy_sets(ctx, eh, tenant)
    out.extend(sets)
    redirect: list[str] = []
    if eh.cert is not None:
        out.append(redirect_policy_set(ctx, name, tenant, [eh.host], all_markers(
            ctx.cluster, namespace=eh.namespace, host=[eh.host])))
        redirect.append(name)
    metadata = service_metadata(namespace_ingress_name=eh.ingresses, namespace=eh.namespace,
                                hostnames=[eh.host])
    body = vs_base(ctx, name, tenant, app_profile="System-HTTP", metadata=metadata)
    add_vrf_and_rhi(ctx, body, rhi=False)
    body.update({
        "type": "VS_TYPE_VH_CHILD",
        "vh_type": "VS_TYPE_VH_ENHANCED",
        "vh_parent_vs_ref": f"/api/virtualservice/?name={parent.name}",
        "min_pools_up": 1,
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "east_west_placement": False,
        "ign_pool_net_reach": False,
        "vh_matches": [{"host": eh.host, "rules": [{
            "name": "VHMATCHRULENAME",
            "matches": {"path": {"match_criteria": "BEGINS_WITH", "match_case": "SENSITIVE",
                                 "match_str": ["/"]}}}]}],
        "http_policies": http_policies(redirect, refs),
        "markers": all_markers(ctx.cluster, namespace=eh.namespace, host=[eh.host]),
    })
    out.append(AviObject("virtualservice", name, tenant, body))
    return out
