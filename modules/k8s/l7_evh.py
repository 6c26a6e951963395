"""The EVH L7 model (enableEVH=true, docs/ako-translation.md §4.8): shared ``Shared-L7-EVH-n``
parents (or one per
namespace with ``vipPerNamespace``) carrying every secure host's certificate, and one EVH child
per host (secure or insecure) with ``vh_matches``, per-path PoolGroups, a host-path
HTTPPolicySet and, for secure hosts, a redirect policy named like the child (a Route: only
with its Redirect policy; with None a policy closing port 80 instead)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from albform.modules.k8s.context import Context, service_metadata
from albform.modules.k8s.hashing import shard_bucket
from albform.modules.k8s.hostrule import crd_status as hostrule_status
from albform.modules.k8s.infrasetting import Attached, merge_listeners
from albform.modules.k8s.ingress import Backend, IngressHosts, segment
from albform.modules.k8s.l7_common import (
    HostRoutes,
    add_ingress,
    add_vrf_and_rhi,
    apply_hostrule,
    close_http_policy_set,
    clustername_only,
    creation_order,
    host_cert,
    http_policies,
    l7_pool,
    listeners,
    parent_start,
    parent_vs_body,
    path_pool_groups,
    policy_sets,
    redirect_policy_set,
    shared_fqdn,
    sso_fields,
    vs_base,
)
from albform.modules.k8s.l7_sni import shard_size
from albform.modules.k8s.markers import all_markers
from albform.modules.k8s.objects import AviObject
from albform.modules.k8s.regex_approot import applies as regex_applies
from albform.modules.k8s.regex_approot import host_objects_and_sets


@dataclass
class EvhParent:
    name: str
    tenant: str
    fqdns: dict[str, None] = field(default_factory=dict)  # an ordered set: see l7_sni.Parent
    hosts: dict[str, HostRoutes] = field(default_factory=dict)
    fqdn: str = ""  # the auto FQDN, which a HostRule names to configure the parent
    infra: Attached | None = None  # as l7_sni.Parent.infra


def build_evh(ctx: Context, parsed: list[IngressHosts]) -> list[AviObject]:
    parents: dict[tuple[str, str], EvhParent] = {}
    for ing in parsed:
        tenant = ctx.tenant_for(ing.namespace)
        for host in ing.secret_missing:
            # TestL7ModelNoSecretToSecretForEvh: the parent exists, with no child.
            _parent(ctx, parents, ing, host, tenant)
        for host, backends in ing.paths.items():
            parent = _parent(ctx, parents, ing, host, tenant)
            parent.fqdns.setdefault(host)
            rule = ctx.hostrules.for_host(host, tenant) if ctx.hostrules else None
            for extra in rule.extra_fqdns if rule else ():
                parent.fqdns.setdefault(extra)
            _add_host(ctx, parent, ing, host, backends)
    out: list[AviObject] = []
    for key in sorted(parents):
        out.extend(_emit_parent(ctx, parents[key]))
    return out


def _parent(ctx: Context, parents: dict[tuple[str, str], EvhParent], ing: IngressHosts,
            host: str, tenant: str) -> EvhParent:
    """The parent ``host`` maps to (by shard, or by namespace with vipPerNamespace)."""
    seg = segment(ing)
    if ctx.settings.vip_per_namespace:
        name = ctx.names.evh_namespace_vs(ing.namespace, seg)
    else:
        name = ctx.names.evh_shard_vs(shard_bucket(host, shard_size(ctx, ing) or 1), seg)
    parent = parents.get((tenant, name))
    if parent is None:
        parent = parents[(tenant, name)] = EvhParent(name, tenant, infra=ing.infra)
        if not ctx.settings.vip_per_namespace and (fqdn := shared_fqdn(ctx, name, tenant)):
            parent.fqdns[fqdn] = None
            parent.fqdn = fqdn
    return parent


def _add_host(ctx: Context, parent: EvhParent, ing: IngressHosts, host: str,
              backends: list[Backend]) -> None:
    eh = parent.hosts.get(host)
    if eh is None:
        eh = parent.hosts[host] = HostRoutes(host, ing.namespace, infra=ing.infra)
    if eh.cert is None and host in ing.tls:
        eh.cert = ing.tls[host]
    rules = add_ingress(eh, ing)
    seg = segment(ing)
    pg_pools: list[tuple[str, str, Backend]] = []
    for b in backends:
        pool_name = ctx.names.evh_pool(ing.name, ing.namespace, host, b.path, b.service, seg)
        eh.objects.extend(l7_pool(
            ctx, pool_name, parent.tenant, ing.namespace, ing.name, host, b, with_service=True,
            plain_name=ctx.names.evh_pool_plain(ing.name, ing.namespace, host, b.path,
                                                b.service, seg), infra=ing.infra,
            reencrypt=ing.reencrypt and host in ing.tls, destination_ca=ing.destination_ca))
        pg_pools.append((ctx.names.evh_pg(ing.name, ing.namespace, host, b.path, seg),
                         pool_name, b))
    groups, pg_rules = path_pool_groups(ctx, parent.tenant, ing, host, pg_pools)
    eh.objects.extend(groups)
    rules.extend(pg_rules)


def _emit_parent(ctx: Context, parent: EvhParent) -> list[AviObject]:
    rule, infra, vsvip = parent_start(ctx, parent.name, parent.fqdn, parent.tenant,
                                      list(parent.fqdns), parent.infra)
    out: list[AviObject] = [vsvip]
    # Every secure child's certificate sits on the parent (HostRule refs included).
    cert_refs: list[str] = []
    emitted: set[tuple[str, str]] = set()
    for eh in parent.hosts.values():
        if eh.cert is None:
            continue
        objects, refs = host_cert(ctx, eh.cert, eh.host, eh.segment, parent.tenant, emitted,
                                  with_alt=False)
        out.extend(objects)
        cert_refs.extend(r for r in refs if r not in cert_refs)
    if rule is not None:
        cert_refs.extend(r for r in rule.cert_refs if r not in cert_refs)
    body = parent_vs_body(ctx, parent.name, parent.tenant, infra)
    body.update({
        "vh_type": "VS_TYPE_VH_ENHANCED",
        "services": listeners(),
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "markers": clustername_only(ctx),
    })
    if cert_refs:
        body["ssl_key_and_certificate_refs"] = cert_refs
    if rule is not None:
        body["service_metadata"] = service_metadata(crd_status=hostrule_status(rule))
        apply_hostrule(ctx, rule, body, parent_like=True, child=False, tls_here=False)
        if rule.ssl_profile:
            body["ssl_profile_ref"] = f"/api/sslprofile?name={rule.ssl_profile}"
    for eh in parent.hosts.values():
        # manipulateEvhNodeForSSL: a secure child's HostRule SSL profile moves to the parent
        # (the last one wins, as in AKO).
        child_rule = ctx.hostrules.for_host(eh.host, parent.tenant) if ctx.hostrules else None
        if eh.cert is not None and child_rule is not None and child_rule.ssl_profile:
            body["ssl_profile_ref"] = f"/api/sslprofile?name={child_rule.ssl_profile}"
    body["services"] = merge_listeners(body["services"], infra)
    out.append(AviObject("virtualservice", parent.name, parent.tenant, body))
    for host in parent.hosts:
        out.extend(_emit_child(ctx, parent, parent.hosts[host], body["services"]))
    return out


def _emit_child(ctx: Context, parent: EvhParent, eh: HostRoutes,
                parent_services: list[dict[str, Any]]) -> list[AviObject]:
    tenant = parent.tenant
    rule = ctx.hostrules.for_host(eh.host, tenant) if ctx.hostrules else None
    domains = list(dict.fromkeys([eh.host, *(rule.extra_fqdns if rule else [])]))
    name = ctx.names.evh_vs(eh.host, eh.segment)
    if rule is not None and regex_applies(rule, evh=True, dedicated=False, secure=True):
        # The child takes its parent's ports (for the applicationRootPath redirects).
        out, sets, refs = host_objects_and_sets(ctx, eh, tenant, domains, rule,
                                                parent_services, encode=False)
    else:
        out = creation_order(eh.objects)
        sets, refs = policy_sets(ctx, eh, tenant, domains) \
            if not (rule is not None and rule.overwrite) else ([], [])
    redirect: list[str] = []
    if not (rule is not None and rule.overwrite):
        out.extend(sets)
        markers = all_markers(ctx.cluster, namespace=eh.namespace, host=[eh.host],
                              infra=eh.segment)
        # A secure host's port 80: redirected, or closed (a Route's None policy), or, for a
        # Route without either, left as it is.
        if eh.cert is not None and eh.redirect:
            out.append(redirect_policy_set(ctx, name, tenant, domains, markers))
            redirect.append(name)
        elif eh.cert is not None and eh.block_http:
            out.append(close_http_policy_set(ctx, name, tenant, markers))
            redirect.append(name)
    sso, crd = sso_fields(ctx, eh.host, tenant, hostrule_status(rule))
    metadata = service_metadata(namespace_ingress_name=eh.ingresses, namespace=eh.namespace,
                                hostnames=[eh.host], crd_status=crd)
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
        "vh_matches": [{"host": domain, "rules": [{
            "name": "VHMATCHRULENAME",
            "matches": {"path": {"match_criteria": "BEGINS_WITH", "match_case": "SENSITIVE",
                                 "match_str": ["/"]}}}]} for domain in domains],
        "http_policies": http_policies(redirect, refs),
        "markers": all_markers(ctx.cluster, namespace=eh.namespace, host=[eh.host],
                               infra=eh.segment),
    })
    if rule is not None:
        apply_hostrule(ctx, rule, body, parent_like=False, child=True, tls_here=False)
    body.update(sso)
    out.append(AviObject("virtualservice", name, tenant, body))
    return out
