"""L7 bodies shared by the SNI, dedicated and EVH models: pools, pool groups, host-path and
redirect HTTPPolicySets, SSL key/certs and the ``http_policies`` index rule
(docs/ako-translation.md §4.4-4.8);
``HostRoutes``, one host merged over every Ingress that serves it; and the VirtualService body
pieces the L4 model shares (``vs_base``, ``add_vrf_and_rhi``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from albform.modules.k8s.context import Context, service_metadata
from albform.modules.k8s.hostrule import HostRule, apply_to_vs, common_fields_set
from albform.modules.k8s.infrasetting import Attached, Infra, se_group
from albform.modules.k8s.infrasetting import rhi as infra_rhi
from albform.modules.k8s.ingress import Backend, IngressHosts, TlsCert
from albform.modules.k8s.istio import pool_fields as istio_pool_fields
from albform.modules.k8s.l7rule import apply as apply_l7rule
from albform.modules.k8s.markers import all_markers, cluster_markers
from albform.modules.k8s.objects import AviObject
from albform.modules.k8s.pools import build_pool
from albform.modules.k8s.servers import servers_for
from albform.modules.k8s.ssorule import vs_fields as sso_vs_fields
from albform.modules.k8s.vsvip import build_vsvip

POLICY_INDEX_BASE = 11


@dataclass(frozen=True, slots=True)
class PathRule:
    """One host-path switching rule: path, match criteria and the PG (or pool) it selects."""

    path: str
    path_type: str
    pool_group: str = ""
    pool: str = ""
    string_group: str = ""  # HostRule useRegex: the path is matched by this StringGroup


@dataclass
class HostRoutes:
    """One host's child VS (SNI/EVH child or dedicated VS), merged over every Ingress that
    serves the host."""

    host: str
    namespace: str
    cert: TlsCert | None = None
    infra: Attached | None = None  # the AviInfraSetting of the first Ingress serving it
    ingresses: list[str] = field(default_factory=list)  # "ns/ing"
    # (ns) -> (rules, ingress names) for the per-namespace host-path policy set
    rules: dict[str, tuple[list[PathRule], list[str]]] = field(default_factory=dict)
    objects: list[AviObject] = field(default_factory=list)  # pools, PGs

    # Port 80 of a secure host: redirected to HTTPS (every Ingress, a Route with
    # insecureEdgeTerminationPolicy Redirect) or, in EVH, closed (a Route's None).
    redirect: bool = False
    block_http: bool = False

    @property
    def segment(self) -> str:
        """The AviInfraSetting name segment of this host's names (and its marker)."""
        return self.infra.segment if self.infra is not None else ""


def add_ingress(hr: HostRoutes, ing: IngressHosts) -> list[PathRule]:
    """Record that ``ing`` serves the host (and how a secure one treats port 80); the list
    its path rules go to."""
    ns_ing = f"{ing.namespace}/{ing.name}"
    if ns_ing not in hr.ingresses:
        hr.ingresses.append(ns_ing)
    if hr.host in ing.tls:
        hr.redirect = hr.redirect or ing.redirect
        hr.block_http = hr.block_http or ing.block_http
    rules, names = hr.rules.setdefault(ing.namespace, ([], []))
    names.append(ing.name)
    return rules


def path_pool_groups(ctx: Context, tenant: str, ing: IngressHosts, host: str,
                     pools: Sequence[tuple[str, str, Backend]],
                     ) -> tuple[list[AviObject], list[PathRule]]:
    """The PoolGroups of a host's paths from (PG name, pool name, backend) triples: one per
    PG name holding each of its pools with the backend's weight (a Route's alternate backends
    share their path's PG, AKO's ``localPGList``), and the rule selecting each PG."""
    groups: dict[str, list[tuple[str, Backend]]] = {}
    for pg_name, pool_name, backend in pools:
        groups.setdefault(pg_name, []).append((pool_name, backend))
    objects, rules = [], []
    for pg_name, members in groups.items():
        first = members[0][1]
        objects.append(pool_group(
            ctx, pg_name, tenant,
            [{"pool_ref": f"/api/pool?name={pool}", "ratio": b.weight} for pool, b in members],
            all_markers(ctx.cluster, namespace=ing.namespace, host=[host],
                        infra=ing.infra.segment if ing.infra is not None else "",
                        path=[first.path], ingress=[ing.name]), implicit=False))
        rules.append(PathRule(first.path, first.path_type, pool_group=pg_name))
    return objects, rules


RuleRewriter = Callable[[list[PathRule]], tuple[list[PathRule], list[dict[str, Any]]]]


def policy_sets(ctx: Context, hr: HostRoutes, tenant: str,
                hosts: Sequence[str] | None = None, rewrite: RuleRewriter | None = None,
                ) -> tuple[list[AviObject], list[tuple[str, str]]]:
    """The host's per-namespace host-path policy sets, and (first path, set name) refs for
    ``http_policies``. ``hosts``: the VS's domains (the host, then a HostRule's GSLB fqdn and
    aliases), recorded in the sets' Host marker. ``rewrite``: a HostRule's useRegex /
    applicationRootPath, turning a set's rules into (rules, extra redirect rules)."""
    sets, refs = [], []
    for ns in sorted(hr.rules):
        rules, names = hr.rules[ns]
        name = ctx.names.host_policy(ns, hr.host, hr.segment)
        redirects: list[dict[str, Any]] = []
        original = [r.path for r in rules if r.path]
        if rewrite is not None:
            rules, redirects = rewrite(rules)
        sets.append(host_policy_set(ctx, name, tenant, rules,
                                    {"namespace": ns, "host": list(hosts or [hr.host]),
                                     "infra": hr.segment}, names, redirects, original))
        first = min((r.path for r in rules), key=lambda p: (-len(p), p), default="")
        refs.append((first, name))
    return sets, refs


def cert_ref(name: str) -> str:
    return f"/api/sslkeyandcertificate/?name={name}"


def l7_pool(ctx: Context, name: str, tenant: str, ns: str, ing: str, host: str,
            backend: Backend, *, with_service: bool, plain_name: str = "",
            infra: Attached | None = None, reencrypt: bool = False, destination_ca: str = "",
            insecure_allow: bool = False) -> list[AviObject]:
    """The pool of one host path, configured by a matching HTTPRule: the PKIProfile AKO
    creates for the rule's ``destinationCA`` (if any) comes first, then the pool.
    ``plain_name``: the pool's unencoded name in EVH (the PKIProfile is named after it).
    ``infra``: the Ingress's AviInfraSetting (node networks, T1; its name segment is the
    InfrasettingName marker). ``reencrypt``: a re-encrypt Route (``BuildPoolSecurity``: SNI,
    System-Standard, a PKIProfile for ``destination_ca`` unless the HTTPRule gives one);
    ``insecure_allow``: a Route's insecure pool under insecureEdgeTerminationPolicy Allow."""
    setting = infra.infra if infra is not None else None
    segment = infra.segment if infra is not None else ""
    destination_ca = destination_ca if reencrypt else ""
    svc = ctx.index.services.get((ns, backend.service))
    servers: list[dict[str, Any]] = []
    if svc is not None:
        _, servers = servers_for(ctx, svc, backend.port, ingress=True)
    markers = all_markers(ctx.cluster, namespace=ns, host=[host], infra=segment,
                          service=backend.service if with_service else "",
                          path=[backend.path], ingress=[ing])
    rule = ctx.httprules.for_pool(host, ns, tenant, backend.path) if ctx.httprules else None
    metadata = service_metadata(ingress_name=ing, namespace=ns, hostnames=[host],
                                pool_ratio=backend.weight, insecure_edge_allow=insecure_allow,
                                crd_status=rule.crd_status if rule is not None else None)
    istio = istio_pool_fields(ctx)
    security = {"sni_enabled": True, "ssl_profile_ref": "/api/sslprofile?name=System-Standard"} \
        if reencrypt else {}
    if rule is None and not destination_ca:
        return [build_pool(ctx, name, tenant, servers=servers, markers=markers,
                           metadata=metadata, infra=setting,
                           extra={**security, **istio} or None)]
    out: list[AviObject] = []
    extra = {**security, **istio, **(rule.body if rule is not None else {})}
    pki_ca = rule.pki_ca if rule is not None and rule.pki_ca else destination_ca
    if pki_ca:
        pki = ctx.names.pool_pki_profile(plain_name or name)
        # An HTTPRule's PKIProfile is marked with the rule's path, a Route's with its pool's.
        pki_markers = markers if not (rule is not None and rule.pki_ca) else all_markers(
            ctx.cluster, namespace=ns, host=[host],
            service=backend.service if with_service else "", path=[rule.target], ingress=[ing])
        out.append(AviObject("pkiprofile", pki, tenant, {
            "name": pki,
            "created_by": ctx.created_by,
            "tenant_ref": ctx.tenant_ref(tenant),
            "crl_check": False,
            "ca_certs": [{"certificate": pki_ca}],
            "markers": pki_markers,
        }))
        extra["pki_profile_ref"] = f"/api/pkiprofile?name={pki}"
    out.append(build_pool(ctx, name, tenant, servers=servers, markers=markers,
                          metadata=metadata, extra=extra, infra=setting))
    return out


def pool_group(ctx: Context, name: str, tenant: str, members: Sequence[dict[str, Any]],
               markers: list[dict[str, Any]], *, implicit: bool) -> AviObject:
    body: dict[str, Any] = {
        "name": name,
        "tenant_ref": ctx.tenant_ref(tenant),
        "created_by": ctx.created_by,
        "cloud_ref": ctx.cloud_ref,
        "implicit_priority_labels": implicit,
        "markers": markers,
    }
    if members:  # Go's omitempty: a PG without members is sent without the key
        body["members"] = list(members)
    return AviObject("poolgroup", name, tenant, body)


def path_match(rule: PathRule) -> dict[str, Any]:
    if rule.string_group:
        return {"match_criteria": "REGEX_MATCH", "match_case": "INSENSITIVE",
                "string_group_refs": [f"/api/stringgroup?name={rule.string_group}"]}
    criteria = "EQUALS" if rule.path_type == "Exact" else "BEGINS_WITH"
    return {"match_criteria": criteria, "match_case": "SENSITIVE", "match_str": [rule.path]}


def host_policy_set(ctx: Context, name: str, tenant: str, rules: Sequence[PathRule],
                    markers_base: dict[str, Any], ingresses: Sequence[str],
                    redirects: Sequence[dict[str, Any]] = (),
                    marker_paths: Sequence[str] | None = None) -> AviObject:
    """``AviHttpPSBuild``: path rules by path length (longest first), then rules without a
    path, then ``redirects`` (HostRule applicationRootPath); names ``<set>-<i>``. Markers
    record the paths in the order they were added (``marker_paths`` when rules were
    rewritten after the set was made)."""
    with_path = sorted((r for r in rules if r.path), key=lambda r: -len(r.path))
    ordered = with_path + [r for r in rules if not r.path]
    out_rules = []
    for i, r in enumerate(ordered):
        match: dict[str, Any] = {"path": path_match(r)} if r.path else {}
        if r.pool:
            action = {"action": "HTTP_SWITCHING_SELECT_POOL",
                      "pool_ref": f"/api/pool/?name={r.pool}"}
        else:
            action = {"action": "HTTP_SWITCHING_SELECT_POOLGROUP",
                      "pool_group_ref": f"/api/poolgroup/?name={r.pool_group}"}
        out_rules.append({"index": i, "enable": True, "name": f"{name}-{i}", "match": match,
                          "switching_action": action})
    for redirect in redirects:
        i = len(out_rules)
        out_rules.append({**redirect, "index": i, "name": f"{name}-{i}"})
    # AKO collects marker paths before sorting the rules: insertion order, not rule order.
    paths = marker_paths if marker_paths is not None else [r.path for r in rules if r.path]
    markers = all_markers(ctx.cluster, **markers_base, path=list(paths),
                          ingress=sorted(set(ingresses)))
    return _policy_set(ctx, name, tenant, out_rules, markers)


def redirect_policy_set(ctx: Context, name: str, tenant: str, hosts: Sequence[str],
                        markers: list[dict[str, Any]]) -> AviObject:
    rule = {"enable": True, "index": 0, "name": f"{name}-0",
            "match": {"host_hdr": {"match_criteria": "HDR_EQUALS", "value": list(hosts)},
                      "vs_port": {"match_criteria": "IS_IN", "ports": [80]}},
            "redirect_action": {"status_code": "HTTP_REDIRECT_STATUS_CODE_302",
                                "protocol": "HTTPS", "port": 443}}
    return _policy_set(ctx, name, tenant, [rule], markers)


def close_http_policy_set(ctx: Context, name: str, tenant: str,
                          markers: list[dict[str, Any]]) -> AviObject:
    """``BuildHTTPSecurityPolicyForVSForEvh``: a Route with insecureEdgeTerminationPolicy
    None closes connections on port 80 of its EVH child (the set is named like the child)."""
    rule = {"action": {"action": "HTTP_SECURITY_ACTION_CLOSE_CONN"}, "enable": True,
            "index": 0, "match": {"vs_port": {"match_criteria": "IS_IN", "ports": [80]}},
            "name": f"{name}-0"}
    return _policy_set(ctx, name, tenant, [], markers, security=[rule])


def rewrite_policy_set(ctx: Context, name: str, tenant: str, gslb_fqdn: str,
                       host: str) -> AviObject:
    """``BuildHeaderRewrite``: requests for a HostRule's GSLB fqdn get the local host in
    their Host header (an insecure host on a shared SNI parent)."""
    rule = {"index": 0, "enable": True, "name": f"{name}-0",
            "match": {"host_hdr": {"match_criteria": "HDR_EQUALS", "value": [gslb_fqdn]}},
            "hdr_action": [{"action": "HTTP_REPLACE_HDR",
                            "hdr": {"name": "Host", "value": {"val": host}}}]}
    return _policy_set(ctx, name, tenant, [rule], clustername_only(ctx))


def _policy_set(ctx: Context, name: str, tenant: str, rules: list[dict[str, Any]],
                markers: list[dict[str, Any]], security: list[dict[str, Any]] | None = None,
                ) -> AviObject:
    body = {
        "name": name,
        "created_by": ctx.created_by,
        "tenant_ref": ctx.tenant_ref(tenant),
        "http_request_policy": {"rules": rules} if rules else {},
        "http_security_policy": {"rules": security} if security else {},
        "markers": markers,
    }
    return AviObject("httppolicyset", name, tenant, body)


def ssl_cert(ctx: Context, name: str, tenant: str, cert: TlsCert, host: str, *,
             alt: bool = False, infra: str = "", ca: str = "",
             cert_type: str = "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE") -> AviObject:
    """``host`` "" leaves the Host marker out (the default certificate is shared); ``ca``
    names the CA certificate object this one refers to (``AviSSLBuild``)."""
    body: dict[str, Any] = {
        "name": name,
        "tenant_ref": ctx.tenant_ref(tenant),
        "created_by": ctx.created_by,
        "type": cert_type,
        "certificate": {"certificate": cert.alt_certificate if alt else cert.certificate},
        "key": cert.alt_key if alt else cert.key,
        "markers": all_markers(ctx.cluster, host=[host] if host else [], infra=infra),
    }
    if ca:
        body["ca_certs"] = [{"ca_ref": cert_ref(ca), "name": ca}]
    return AviObject("sslkeyandcertificate", name, tenant, body)


def host_cert(ctx: Context, cert: TlsCert, host: str, segment: str, tenant: str,
              emitted: set[tuple[str, str]], *, with_alt: bool = True,
              ) -> tuple[list[AviObject], list[str]]:
    """The SSLKeyAndCertificate objects a secure host needs (not yet in ``emitted``, a set of
    (tenant, name) the caller keeps) and the refs to put on its VS (``BuildTlsCertNode``).
    A HostRule ``ref`` certificate replaces the generated ones (``SetSSLKeyCertRefs([])``);
    the default secret gives one certificate per tenant, without a Host marker.
    ``with_alt``: False where AKO's model carries no alternate certificate (dedicated, EVH)."""
    if cert.refs:
        return [], list(cert.refs)
    objects: list[AviObject] = []
    refs: list[str] = []
    if cert.default:
        candidates = [(ctx.names.default_cert(), "", False)]
        if with_alt and cert.alt_certificate and cert.alt_key:
            candidates.append((ctx.names.default_cert(alt=True), "", True))
    else:
        candidates = [(ctx.names.tls_cert(host, segment), host, False)] if cert.certificate \
            else []
        if with_alt and cert.alt_certificate and cert.alt_key:
            candidates.append((ctx.names.tls_cert(host, segment, alt=True), host, True))
    ca = ""
    if cert.ca_certificate and not cert.default:
        # BuildCACertNode: a Route's CA certificate, created before the certificate naming it.
        ca = ctx.names.ca_cert(host, segment)
        if (tenant, ca) not in emitted:
            emitted.add((tenant, ca))
            objects.append(ssl_cert(ctx, ca, tenant, TlsCert(cert.ca_certificate, ""), host,
                                    infra=segment, cert_type="SSL_CERTIFICATE_TYPE_CA"))
    for name, marker_host, alt in candidates:
        refs.append(cert_ref(name))
        if (tenant, name) not in emitted:
            emitted.add((tenant, name))
            objects.append(ssl_cert(ctx, name, tenant, cert, marker_host, alt=alt,
                                    infra=segment if marker_host else "", ca=ca))
    return objects, refs


def http_policies(without_paths: Sequence[str], with_paths: Sequence[tuple[str, str]]
                  ) -> list[dict[str, Any]]:
    """``AviVsHttpPSAdd``: sets without paths first from index 11, then sets with paths
    ordered by their first path."""
    names = list(without_paths) + [n for _, n in sorted(with_paths, key=lambda x: x[0])]
    return [{"index": POLICY_INDEX_BASE + i,
             "http_policy_set_ref": f"/api/httppolicyset/?name={n}"}
            for i, n in enumerate(names)]


def vs_base(ctx: Context, name: str, tenant: str, *, app_profile: str,
            metadata: str, infra: Infra | None = None) -> dict[str, Any]:
    """``infra`` sets the SE group (parents, dedicated and L4 VSes; children keep the
    global one)."""
    return {
        "name": name,
        "created_by": ctx.created_by,
        "cloud_ref": ctx.cloud_ref,
        "tenant_ref": ctx.tenant_ref(tenant),
        "application_profile_ref": f"/api/applicationprofile/?name={app_profile}",
        "se_group_ref": f"/api/serviceenginegroup?name={se_group(ctx.settings, infra)}",
        "service_metadata": metadata,
    }


def apply_hostrule(ctx: Context, rule: HostRule, body: dict[str, Any], *, parent_like: bool,
                   child: bool, tls_here: bool = True) -> None:
    """A HostRule's fields on a VS body, then (EVH only) its L7Rule's (``BuildL7Rule``)."""
    apply_to_vs(rule, body, parent_like=parent_like, diags=ctx.diags, tls_here=tls_here)
    if ctx.settings.enable_evh and rule.l7_rule:
        l7 = ctx.l7rules.get(rule.obj.namespace, rule.l7_rule)
        if l7 is not None:
            apply_l7rule(l7, body, child=child, hostrule_set=common_fields_set(rule))


CrdStatusValue = tuple[str, str, str] | None


def sso_fields(ctx: Context, host: str, tenant: str, crd: CrdStatusValue,
               ) -> tuple[dict[str, Any], CrdStatusValue]:
    """An SSORule for an EVH host (``BuildL7SSORule``, run after the HostRule): the VS fields
    and the ``crd_status`` it leaves in the service metadata (the SSORule's, else ``crd``)."""
    rule = ctx.ssorules.for_host(host, tenant) if ctx.ssorules else None
    if rule is None:
        return {}, crd
    return sso_vs_fields(rule), ("SSORule", rule.key, "ACTIVE")


def parent_start(ctx: Context, name: str, fqdn: str, tenant: str, fqdns: Sequence[str],
                 attached: Attached | None,
                 ) -> tuple[HostRule | None, Infra | None, AviObject]:
    """What a shared parent (SNI or EVH) starts from: the HostRule reaching it through its
    auto FQDN (or its name without a DNS profile), its AviInfraSetting, and its VsVip (the
    HostRule's loadBalancerIP as static address)."""
    rule = ctx.hostrules.for_host(fqdn or name, tenant) if ctx.hostrules else None
    infra = attached.infra if attached is not None else None
    vsvip = build_vsvip(ctx, name, tenant, fqdns,
                        static_ip=rule.load_balancer_ip if rule else "", infra=infra)
    return rule, infra, vsvip


def parent_vs_body(ctx: Context, name: str, tenant: str, infra: Infra | None = None,
                   ) -> dict[str, Any]:
    """The opening keys of a shared (SNI or EVH) parent VS body, which owns the VIP ``name``;
    the caller adds the model's own keys after them."""
    body = vs_base(ctx, name, tenant, app_profile="System-HTTP", metadata=service_metadata(),
                   infra=infra)
    add_vrf_and_rhi(ctx, body, infra=infra)
    body.update({"vsvip_ref": f"/api/vsvip/?name={name}", "type": "VS_TYPE_VH_PARENT"})
    return body


def add_vrf_and_rhi(ctx: Context, body: dict[str, Any], *, rhi: bool = True,
                    infra: Infra | None = None) -> None:
    """The VRF reference (none under an NSX-T T1 router) and, on VSes that own a VIP, route
    health injection, in AKO's order."""
    if ctx.vrf and not (infra is not None and infra.t1lr):
        body["vrf_context_ref"] = f"/api/vrfcontext?name={ctx.vrf}"
    if rhi and infra_rhi(ctx.settings, infra):
        body["enable_rhi"] = True


def listeners(secure: bool = True, insecure: bool = True) -> list[dict[str, Any]]:
    out = []
    if insecure:
        out.append({"port": 80, "enable_ssl": False, "port_range_end": 80,
                    "enable_http2": False})
    if secure:
        out.append({"port": 443, "enable_ssl": True, "port_range_end": 443,
                    "enable_http2": False})
    return out


def shared_fqdn(ctx: Context, vs_name: str, tenant: str) -> str:
    """``GetFqdns`` for a shared parent VS (4.4.4)."""
    sub = ctx.auto_fqdn_subdomain()
    if sub is None:
        return ""
    clean = "-".join(p for p in "".join(c if c.isalnum() or c == "-" else " "
                                        for c in tenant).replace("-", " ").split() if p)
    sep = "." if ctx.settings.auto_fqdn == "default" else "-"
    return f"{vs_name}{sep}{clean}.{sub}"


def clustername_only(ctx: Context) -> list[dict[str, Any]]:
    return cluster_markers(ctx.cluster)


_CREATION_RANK = {"pkiprofile": 0, "pool": 1}


def creation_order(objects: Sequence[AviObject]) -> list[AviObject]:
    """AKO creates a child's pools (after their PKI profiles) before its pool groups
    (docs/ako-translation.md §0)."""
    return sorted(objects, key=lambda o: _CREATION_RANK.get(o.api_type, 2))
