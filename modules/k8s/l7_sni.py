"""The SNI L7 model (enableEVH=false, docs/ako-translation.md §4.4-4.6): hosts hashed onto
``shardVSSize`` shared parent VSes (insecure pools behind one PoolGroup + DataScript, secure
hosts as SNI children with a cert, per-path PoolGroups and a host-path HTTPPolicySet,
http->https redirect on the parent), or one VS per host with ``shardVSSize: DEDICATED`` — also
in EVH mode, where the dedicated VS and its pools get EVH's encoded names
(docs/ako-translation.md §2.4.6, ``GetDedicatedVSName``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from albform.modules.k8s.context import Context, service_metadata
from albform.modules.k8s.hashing import shard_bucket
from albform.modules.k8s.hostrule import HostRule, apply_to_vs
from albform.modules.k8s.hostrule import crd_status as hostrule_status
from albform.modules.k8s.infrasetting import Attached, merge_listeners
from albform.modules.k8s.ingress import Backend, IngressHosts, TlsCert, segment
from albform.modules.k8s.l7_common import (
    HostRoutes,
    PathRule,
    add_ingress,
    add_vrf_and_rhi,
    apply_hostrule,
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
    pool_group,
    redirect_policy_set,
    rewrite_policy_set,
    shared_fqdn,
    sso_fields,
    vs_base,
)
from albform.modules.k8s.markers import all_markers
from albform.modules.k8s.objects import AviObject
from albform.modules.k8s.regex_approot import applies as regex_applies
from albform.modules.k8s.regex_approot import host_objects_and_sets
from albform.modules.k8s.vsvip import build_vsvip

DS_SCRIPT = (
    'host = avi.http.get_host_tokens("MODIFIED", 1)\npath = avi.http.get_path_tokens(1)\n'
    'if string.contains(host, ":") then\nfor match in string.gmatch(host, ".*:") do\n'
    "host = string.sub(match,0,-2)\nend\nend\nif host and path then\n"
    'lbl = host.."/"..path\nelse\nlbl = host.."/"\nend\n'
    'avi.poolgroup.select("%s", string.lower(lbl) )')


@dataclass
class Parent:
    name: str
    tenant: str
    # Ordered sets (dicts): a shard gathers thousands of hosts, and list membership tests
    # per host made building it quadratic.
    fqdns: dict[str, None] = field(default_factory=dict)
    insecure_pools: list[AviObject] = field(default_factory=list)
    insecure_names: set[str] = field(default_factory=set)
    members: list[dict[str, Any]] = field(default_factory=list)
    secure: dict[str, HostRoutes] = field(default_factory=dict)
    redirect_hosts: dict[str, None] = field(default_factory=dict)
    fqdn: str = ""  # the shared VS's auto FQDN, which a HostRule names to configure it
    rewrites: dict[str, str] = field(default_factory=dict)  # insecure host -> its GSLB fqdn
    # The AviInfraSetting of the first Ingress that made this parent (AKO applies whichever
    # Ingress it processed last; they agree unless namespaces disagree).
    infra: Attached | None = None
    # (tenant, name) of certificates emitted so far: the default one is shared by hosts.
    certs: set[tuple[str, str]] = field(default_factory=set)


def shard_size(ctx: Context, ing: IngressHosts) -> int:
    """``GetShardSizeFromAviInfraSetting``: the setting's l7Settings.shardSize, else the
    global shardVSSize (0 = DEDICATED)."""
    if ing.infra is not None and ing.infra.infra.shard_size is not None:
        return ing.infra.infra.shard_size
    return ctx.settings.shard_vs_size


def build_dedicated(ctx: Context, parsed: list[IngressHosts]) -> list[AviObject]:
    """Dedicated VSes for Ingresses whose shard size is DEDICATED (SNI or EVH naming)."""
    return _build_dedicated(ctx, parsed)


def build_sni(ctx: Context, parsed: list[IngressHosts]) -> list[AviObject]:
    dedicated = [ing for ing in parsed if shard_size(ctx, ing) == 0]
    parents: dict[tuple[str, str], Parent] = {}
    for ing in parsed:
        size = shard_size(ctx, ing)
        if size == 0:
            continue
        tenant = ctx.tenant_for(ing.namespace)
        for host in ing.secret_missing:
            # TestL7ModelNoSecretToSecret: the shard VS exists, with no child.
            _parent(ctx, parents, ing, host, size, tenant)
        for host, backends in ing.paths.items():
            parent = _parent(ctx, parents, ing, host, size, tenant)
            parent.fqdns.setdefault(host)
            rule = ctx.hostrules.for_host(host, tenant) if ctx.hostrules else None
            if host in ing.tls:
                _add_secure(ctx, parent.secure, ing, host, backends, ing.tls[host],
                            dedicated=False)
                redirected = [host, *(rule.extra_fqdns if rule else ())]
                for extra in redirected[1:]:
                    parent.fqdns.setdefault(extra)
                if ing.redirect:  # a Route redirects only with its Redirect policy
                    for name in redirected:
                        parent.redirect_hosts.setdefault(name)
            if host not in ing.tls or ing.insecure_allow:
                # A Route's Allow policy serves its secure host on port 80 too.
                _add_insecure(ctx, parent, ing, host, backends)
                if rule is not None and rule.gslb_fqdn:
                    # BuildHeaderRewrite: the GSLB name is rewritten to the local host.
                    parent.fqdns.setdefault(rule.gslb_fqdn)
                    parent.rewrites[host] = rule.gslb_fqdn
    out: list[AviObject] = []
    for key in sorted(parents):
        out.extend(_emit_parent(ctx, parents[key]))
    if dedicated:
        out.extend(_build_dedicated(ctx, dedicated))
    return out


def _parent(ctx: Context, parents: dict[tuple[str, str], Parent], ing: IngressHosts, host: str,
            size: int, tenant: str) -> Parent:
    """The shared parent ``host`` hashes to, created (with its auto FQDN) on first use."""
    name = ctx.names.shard_vs(shard_bucket(host, size), segment(ing))
    parent = parents.get((tenant, name))
    if parent is None:
        parent = parents[(tenant, name)] = Parent(name, tenant, infra=ing.infra)
        if fqdn := shared_fqdn(ctx, name, tenant):
            parent.fqdns[fqdn] = None
            parent.fqdn = fqdn
    return parent


def _add_insecure(ctx: Context, parent: Parent, ing: IngressHosts, host: str,
                  backends: list[Backend]) -> None:
    known = parent.insecure_names
    route = ing.is_route
    for b in backends:
        label = host + b.path if b.path else host
        name = ctx.names.l7_insecure_pool(host, b.path, ing.namespace, ing.name, segment(ing),
                                          svc=b.service if route else "")
        if name in known:
            continue
        known.add(name)
        parent.insecure_pools.extend(l7_pool(ctx, name, parent.tenant, ing.namespace, ing.name,
                                             host, b, with_service=route, infra=ing.infra,
                                             insecure_allow=ing.insecure_allow))
        parent.members.append({"pool_ref": f"/api/pool?name={name}",
                               "priority_label": label.lower(), "ratio": b.weight})


def _add_secure(ctx: Context, hosts: dict[str, HostRoutes], ing: IngressHosts, host: str,
                backends: list[Backend], cert: TlsCert | None, *, dedicated: bool,
                ) -> HostRoutes:
    """Add ``ing``'s paths for ``host`` to its routes in ``hosts`` (created on first use)."""
    sh = hosts.get(host)
    if sh is None:
        sh = hosts[host] = HostRoutes(host, ing.namespace, cert, infra=ing.infra)
    tenant = ctx.tenant_for(ing.namespace)
    rules = add_ingress(sh, ing)
    no_pg = ctx.settings.no_pg_for_sni and not dedicated and not ing.is_route
    seg = segment(ing)
    evh = ctx.settings.enable_evh  # dedicated EVH: GetEvhPoolName / GetEvhPGName
    pg_pools: list[tuple[str, str, Backend]] = []
    for b in backends:
        plain = ""
        if evh:
            plain = ctx.names.evh_pool_plain(ing.name, ing.namespace, host, b.path, b.service,
                                             seg, dedicated=True)
            pool_name = ctx.names.evh_pool(ing.name, ing.namespace, host, b.path, b.service,
                                           seg, dedicated=True)
        else:
            pool_name = ctx.names.sni_pool(ing.name, ing.namespace, host, b.path, seg,
                                           dedicated=dedicated, no_pg=no_pg,
                                           svc=b.service if ing.is_route else "")
        sh.objects.extend(l7_pool(ctx, pool_name, tenant, ing.namespace, ing.name, host, b,
                                  with_service=True, infra=ing.infra, plain_name=plain,
                                  reencrypt=ing.reencrypt and host in ing.tls,
                                  destination_ca=ing.destination_ca))
        if no_pg:
            rules.append(PathRule(b.path, b.path_type, pool=pool_name))
            continue
        pg_name = ctx.names.evh_pg(ing.name, ing.namespace, host, b.path, seg, dedicated=True) \
            if evh else ctx.names.sni_pg(ing.name, ing.namespace, host, b.path, seg,
                                         dedicated=dedicated)
        pg_pools.append((pg_name, pool_name, b))
    groups, pg_rules = path_pool_groups(ctx, tenant, ing, host, pg_pools)
    sh.objects.extend(groups)
    rules.extend(pg_rules)
    return sh


def _emit_parent(ctx: Context, parent: Parent) -> list[AviObject]:
    rule, infra, vsvip = parent_start(ctx, parent.name, parent.fqdn, parent.tenant,
                                      list(parent.fqdns), parent.infra)
    out: list[AviObject] = [vsvip]
    out.extend(parent.insecure_pools)
    out.append(pool_group(ctx, parent.name, parent.tenant, parent.members,
                          clustername_only(ctx), implicit=True))
    own_sets: list[str] = []
    if not (rule is not None and rule.overwrite):
        if parent.redirect_hosts:
            out.append(redirect_policy_set(ctx, parent.name, parent.tenant,
                                           list(parent.redirect_hosts), clustername_only(ctx)))
            own_sets.append(parent.name)
        for host, gslb in parent.rewrites.items():
            name = f"{parent.name}--host-hdr-re-write--{host}"
            out.append(rewrite_policy_set(ctx, name, parent.tenant, gslb, host))
            own_sets.append(name)
    out.append(AviObject("vsdatascriptset", parent.name, parent.tenant, {
        "name": parent.name,
        "tenant_ref": ctx.tenant_ref(parent.tenant),
        "created_by": ctx.created_by,
        "datascript": [{"evt": "VS_DATASCRIPT_EVT_HTTP_REQ", "script": DS_SCRIPT % parent.name}],
        "pool_group_refs": [f"/api/poolgroup/?name={parent.name}"],
        "markers": clustername_only(ctx),
    }))
    body = parent_vs_body(ctx, parent.name, parent.tenant, infra)
    body.update({
        "services": listeners(),
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "vs_datascripts": [{"index": 0,
                            "vs_datascript_set_ref": f"/api/vsdatascriptset/?name={parent.name}"}],
    })
    if own_sets:
        body["http_policies"] = http_policies(own_sets, [])
    body["markers"] = clustername_only(ctx)
    if rule is not None:
        body["service_metadata"] = service_metadata(crd_status=hostrule_status(rule))
        apply_to_vs(rule, body, parent_like=True, diags=ctx.diags)
    # AviInfraSetting listeners go over HostRule ones (buildWithInfraSetting runs after).
    body["services"] = merge_listeners(body["services"], infra)
    out.append(AviObject("virtualservice", parent.name, parent.tenant, body))
    for host in parent.secure:
        out.extend(_emit_sni_child(ctx, parent, parent.secure[host], body["services"]))
    return out


def _emit_sni_child(ctx: Context, parent: Parent, sh: HostRoutes,
                    parent_services: list[dict[str, Any]]) -> list[AviObject]:
    tenant = parent.tenant
    rule = ctx.hostrules.for_host(sh.host, tenant) if ctx.hostrules else None
    domains = list(dict.fromkeys([sh.host, *(rule.extra_fqdns if rule else [])]))
    name = ctx.names.sni_vs(sh.host, sh.segment)
    out: list[AviObject] = []
    cert_objects, cert_refs = host_cert(ctx, sh.cert, sh.host, sh.segment, tenant,
                                        parent.certs) if sh.cert is not None else ([], [])
    out.extend(cert_objects)
    # AKO gives the child its parent's ports, for the applicationRootPath redirects.
    objects, sets, refs = _objects_and_sets(ctx, sh, tenant, domains, rule, parent_services,
                                            dedicated=False, secure=True)
    out.extend(objects)
    out.extend(sets)
    metadata = service_metadata(namespace_ingress_name=sh.ingresses, namespace=sh.namespace,
                                hostnames=[sh.host], crd_status=hostrule_status(rule))
    body = {
        "name": name,
        "created_by": ctx.created_by,
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "application_profile_ref": "/api/applicationprofile/?name=System-Secure-HTTP",
        "east_west_placement": False,
        "cloud_ref": ctx.cloud_ref,
        # AKO passes the tenant as a request header; the body carries it for the provider.
        "tenant_ref": ctx.tenant_ref(tenant),
        "se_group_ref": f"/api/serviceenginegroup?name={ctx.settings.se_group_name}",
        "service_metadata": metadata,
    }
    add_vrf_and_rhi(ctx, body, rhi=False)
    body.update({
        "type": "VS_TYPE_VH_CHILD",
        "vh_parent_vs_ref": f"/api/virtualservice/?name={parent.name}",
        "vh_domain_name": domains,
        "ign_pool_net_reach": False,
        "markers": all_markers(ctx.cluster, namespace=sh.namespace, host=[sh.host],
                               infra=sh.segment),
        "ssl_key_and_certificate_refs": cert_refs,
        "http_policies": http_policies([], refs),
    })
    if rule is not None:
        apply_to_vs(rule, body, parent_like=False, diags=ctx.diags)
    out.append(AviObject("virtualservice", name, tenant, body))
    return out


def _objects_and_sets(ctx: Context, sh: HostRoutes, tenant: str, domains: list[str],
                      rule: HostRule | None, ports: list[dict[str, Any]], *, dedicated: bool,
                      secure: bool,
                      ) -> tuple[list[AviObject], list[AviObject], list[tuple[str, str]]]:
    """The host's pools/PGs (and StringGroups), its host-path policy sets (none with a
    HostRule's ``overwrite``) and their refs, with a HostRule's useRegex/applicationRootPath
    applied where AKO applies them."""
    evh = ctx.settings.enable_evh
    if rule is not None and regex_applies(rule, evh=evh, dedicated=dedicated, secure=secure):
        return host_objects_and_sets(ctx, sh, tenant, domains, rule, ports,
                                     encode=rule.use_regex and not evh)
    if rule is not None and rule.overwrite:
        return creation_order(sh.objects), [], []
    sets, refs = policy_sets(ctx, sh, tenant, domains)
    return creation_order(sh.objects), sets, refs


def _build_dedicated(ctx: Context, parsed: list[IngressHosts]) -> list[AviObject]:
    """shardVSSize DEDICATED (4.6): one VS per host; insecure hosts use PGs + policies too.
    Keyed by tenant and AviInfraSetting segment too: both are part of the VS's identity."""
    maps: dict[tuple[str, str], dict[str, HostRoutes]] = {}
    secure_of: dict[tuple[str, str, str], bool] = {}
    for ing in parsed:
        tenant = ctx.tenant_for(ing.namespace)
        seg = segment(ing)
        for host, backends in ing.paths.items():
            sh = _add_secure(ctx, maps.setdefault((tenant, seg), {}), ing, host, backends,
                             ing.tls.get(host), dedicated=True)
            key = (tenant, seg, host)
            secure_of[key] = secure_of.get(key, False) or host in ing.tls
            if sh.cert is None and host in ing.tls:
                sh.cert = ing.tls[host]
    out: list[AviObject] = []
    certs: set[tuple[str, str]] = set()  # the default certificate is shared per tenant
    for tenant, seg, host in sorted(secure_of):
        out.extend(_emit_dedicated(ctx, tenant, maps[(tenant, seg)][host],
                                   secure_of[(tenant, seg, host)], certs))
    return out


def _emit_dedicated(ctx: Context, tenant: str, sh: HostRoutes, secure: bool,
                    certs: set[tuple[str, str]]) -> list[AviObject]:
    evh = ctx.settings.enable_evh
    name = ctx.names.dedicated_evh_vs(sh.host, sh.segment) if evh else \
        ctx.names.dedicated_vs(sh.host, sh.segment)
    infra = sh.infra.infra if sh.infra is not None else None
    rule = ctx.hostrules.for_host(sh.host, tenant) if ctx.hostrules else None
    domains = list(dict.fromkeys([sh.host, *(rule.extra_fqdns if rule else [])]))
    out: list[AviObject] = [build_vsvip(ctx, name, tenant, domains,
                                        static_ip=rule.load_balancer_ip if rule else "",
                                        infra=infra)]
    cert_refs: list[str] = []
    if secure and sh.cert is not None:
        cert_objects, cert_refs = host_cert(ctx, sh.cert, sh.host, sh.segment, tenant, certs,
                                            with_alt=False)
        out.extend(cert_objects)
    services = listeners(secure=secure)
    if rule is not None and rule.listeners:
        services = [{"port": li.port, "enable_ssl": li.enable_ssl, "port_range_end": li.port,
                     "enable_http2": False} for li in rule.listeners]
    services = merge_listeners(services, infra)
    objects, sets, refs = _objects_and_sets(ctx, sh, tenant, domains, rule, services,
                                            dedicated=True, secure=secure)
    out.extend(objects)
    redirect: list[str] = []
    host_markers = all_markers(ctx.cluster, namespace=sh.namespace, host=[sh.host],
                               infra=sh.segment)
    if not (rule is not None and rule.overwrite):
        out.extend(sets)
        if secure and sh.redirect:
            out.append(redirect_policy_set(ctx, name, tenant, domains, host_markers))
            redirect.append(name)
    sso, crd = sso_fields(ctx, sh.host, tenant, hostrule_status(rule)) if evh else \
        ({}, hostrule_status(rule))
    metadata = service_metadata(namespace_ingress_name=sh.ingresses, namespace=sh.namespace,
                                hostnames=[sh.host], crd_status=crd)
    body = vs_base(ctx, name, tenant,
                   app_profile="System-Secure-HTTP" if secure else "System-HTTP",
                   metadata=metadata, infra=infra)
    add_vrf_and_rhi(ctx, body, infra=infra)
    body.update({
        "vsvip_ref": f"/api/vsvip/?name={name}",
        "type": "VS_TYPE_NORMAL",
        "services": listeners(secure=secure),
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "east_west_placement": False,
        "http_policies": http_policies(redirect, refs),
        "markers": host_markers,
    })
    if evh:
        body["min_pools_up"] = 1  # setDedicatedEvhVSNodeProperties
    if cert_refs:
        body["ssl_key_and_certificate_refs"] = cert_refs
    if rule is not None:
        apply_hostrule(ctx, rule, body, parent_like=True, child=False)
    body.update(sso)
    body["services"] = merge_listeners(body["services"], infra)
    out.append(AviObject("virtualservice", name, tenant, body))
    return out
