"""OpenShift Routes (``route.openshift.io/v1``; AKO ``GetOshiftRouteModel``,
``ParseHostPathForRoute``, ``HasValidBackends`` in internal/nodes/route_ingress_model.go,
internal/nodes/validator.go and internal/lib/lib.go).

A Route becomes the ``IngressHosts`` an Ingress becomes: AKO's route and Ingress models meet
in ``RouteIngressModel.ParseHostPath() -> IngressConfig``, and every L7 builder (SNI, EVH,
dedicated, passthrough) then serves both. One host (``spec.host``, else ``spec.subdomain``
under ``defaultDomain``), one path, ``spec.to`` then ``spec.alternateBackends`` with their
weights (default 100). Termination: none (insecure), ``edge``/``reencrypt`` (certificate and
key inline, else AKO's default secret ``router-certs-default``; ``caCertificate`` becomes a CA
certificate object) or ``passthrough``; a HostRule's certificate wins over the Route's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.context import Context
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.ingress import Backend, IngressHosts, TlsCert, hostrule_cert, secret_cert
from albform.modules.k8s.naming import DEFAULT_SECRET

KIND = "Route"
# routev1.TLSTermination* and InsecureEdgeTerminationPolicy* values.
EDGE, REENCRYPT, PASSTHROUGH = "edge", "reencrypt", "passthrough"
ALLOW, REDIRECT, NONE = "Allow", "Redirect", "None"
STRICT = "strict"  # lib.FQDNReusePolicyStrict


def admitted_routes(ctx: Context, diags: Diagnostics) -> list[KubeObject]:
    """The Routes AKO processes, oldest first (``RouteLessthan``: creation time; then
    namespace and name where AKO compares UIDs). Namespaces the user's own filters leave out
    are skipped silently, as for Ingresses (``CheckIfNamespaceAccepted``); with
    ``fqdnReusePolicy: strict`` the first namespace to use a host claims it
    (``isRouteAcceptedWithFQDNRestriction``) and the others' Routes are warned."""
    routes = sorted((r for r in ctx.index.routes if ctx.namespace_accepted(r.namespace)),
                    key=lambda r: (str(r.metadata.get("creationTimestamp") or ""),
                                   r.namespace, r.name))
    if ctx.settings.fqdn_reuse_policy != STRICT:
        return routes
    claimed: dict[str, str] = {}  # host -> namespace
    out = []
    for route in routes:
        host = str(route.spec.get("host") or "")
        owner = claimed.setdefault(host, route.namespace)
        if owner != route.namespace:
            diags.warning("Route not translated", f"Route {route.namespace}/{route.name}: "
                          f"host {host!r} is already claimed by namespace {owner} "
                          "(fqdnReusePolicy strict); AKO sets the Route's status to \"Host "
                          "already Claimed\".", subject=route.source)
            continue
        out.append(route)
    return out


def parse_route(ctx: Context, route: KubeObject, diags: Diagnostics) -> IngressHosts | None:
    """``ParseHostPathForRoute``; None (with a warning naming the Route and AKO's reason)
    for a Route AKO does not process."""
    spec = route.spec
    where = f"Route {route.namespace}/{route.name}"
    if (duplicate := _duplicate_backend(spec)) is not None:
        diags.warning("Route not translated", f"{where}: multiple backends with name "
                      f"{duplicate!r} found; AKO rejects the Route (status "
                      "MultipleBackendsWithSameServiceError).", subject=route.source)
        return None
    host = str(spec.get("host") or "") or _subdomain_host(ctx, str(spec.get("subdomain") or ""))
    if not host:
        diags.warning("Route not translated", f"{where} has no spec.host, and no "
                      "spec.subdomain with a defaultDomain to complete it; AKO builds nothing "
                      "for it.", subject=route.source)
        return None
    if not ctx.host_allowed(host):
        diags.warning("Route host skipped", f"Host {host!r} of {where} is not in the cloud's "
                      "DNS sub-domains.", subject=route.source)
        return None
    wildcard = str(spec.get("wildcardPolicy") or "None")
    if wildcard != "None":
        diags.warning("Route field ignored", f"{where}: wildcardPolicy {wildcard!r} is not "
                      f"read by AKO; only the host {host!r} itself is served.",
                      subject=route.source)
    backends = _backends(ctx, route)
    tls = spec.get("tls") if isinstance(spec.get("tls"), dict) else None
    termination = str((tls or {}).get("termination") or "")
    policy = str((tls or {}).get("insecureEdgeTerminationPolicy") or "")
    if policy not in ("", ALLOW, REDIRECT, NONE):
        # AKO compares the value with these three only: anything else acts as unset.
        diags.warning("Route field ignored", f"{where}: insecureEdgeTerminationPolicy "
                      f"{policy!r} is none of Allow, Redirect, None; AKO treats it as unset "
                      "(HTTP is neither redirected to HTTPS nor served, nor closed).",
                      subject=route.source)
    out = IngressHosts(route, redirect=policy == REDIRECT, insecure_allow=policy == ALLOW)
    out.paths[host] = backends
    if tls is not None and termination == PASSTHROUGH:
        out.passthrough = True  # a HostRule's certificate does not apply to passthrough
        return out
    rule_cert = hostrule_cert(ctx, host) if ctx.hostrules else None
    if rule_cert is not None:
        # The HostRule's TLS settings carry no redirect, block or re-encryption; the Route's
        # Allow still serves the host on port 80 too.
        out.tls[host] = rule_cert
        out.redirect = False
        return out
    if tls is None:
        out.redirect = False
        return out
    cert = _route_cert(ctx, route, tls, termination, diags)
    out.block_http = termination in (EDGE, REENCRYPT) and policy == NONE
    if termination == REENCRYPT:
        # An HTTPRule's destinationCA for the path replaces this one (l7_pool applies it).
        out.reencrypt = True
        out.destination_ca = str(tls.get("destinationCACertificate") or "")
    if cert is not None:
        out.tls[host] = cert
    else:
        # BuildTlsCertNode fails: no secure host, but its shared parent is still built.
        out.secret_missing.append(host)
        if not out.insecure_allow:
            del out.paths[host]
    return out


def _duplicate_backend(spec: Mapping[str, Any]) -> str | None:
    """``HasValidBackends``: an alternate backend naming a Service already used."""
    seen = {str((spec.get("to") or {}).get("name") or "")}
    for alt in spec.get("alternateBackends") or []:
        name = str((alt or {}).get("name") or "")
        if name in seen:
            return name
        seen.add(name)
    return None


def _subdomain_host(ctx: Context, subdomain: str) -> str:
    """``GetHostnameforSubdomain``: ``<subdomain>.<defaultDomain>`` (no dot added when the
    domain starts with one)."""
    domain = ctx.settings.default_domain
    if not subdomain or not domain:
        return ""
    return subdomain + domain if domain.startswith(".") else f"{subdomain}.{domain}"


def _backends(ctx: Context, route: KubeObject) -> list[Backend]:
    """``spec.to`` then each alternate backend, all on the Route's path, with the Route's
    ``spec.port.targetPort`` (a number matches endpoint ports, a name their names)."""
    spec = route.spec
    path = str(spec.get("path") or "")
    target = ((spec.get("port") or {}).get("targetPort"))
    port: dict[str, Any] = {"targetPort": target if isinstance(target, int) else 0}
    if isinstance(target, str) and target:
        port = {"name": target, "targetPort": target}
    out = []
    for ref in [spec.get("to") or {}, *(spec.get("alternateBackends") or [])]:
        name = str(ref.get("name") or "")
        weight = ref.get("weight")
        if (route.namespace, name) not in ctx.index.services:
            ctx.warn_once(f"route-svc/{route.namespace}/{route.name}/{name}",
                          "Route backend missing", f"Route {route.namespace}/{route.name}: "
                          f"backend Service {route.namespace}/{name} does not exist; AKO "
                          "creates its pool with no servers.", route.source)
        out.append(Backend(path, "", name, port, weight if isinstance(weight, int) else 100))
    return out


def _route_cert(ctx: Context, route: KubeObject, tls: Mapping[str, Any], termination: str,
                diags: Diagnostics) -> TlsCert | None:
    """The edge/re-encrypt certificate: inline with its CA certificate, else AKO's default
    secret in AKO's namespace (without the CA: AKO builds it only for inline certificates)."""
    where = f"Route {route.namespace}/{route.name}"
    if termination not in (EDGE, REENCRYPT):
        diags.warning("TLS host not translated", f"{where}: tls.termination "
                      f"{termination!r} is not edge, reencrypt or passthrough; AKO builds no "
                      "certificate and skips the secure host.", subject=route.source)
        return None
    cert, key = str(tls.get("certificate") or ""), str(tls.get("key") or "")
    if cert and key:
        return TlsCert(cert, key, ca_certificate=str(tls.get("caCertificate") or ""))
    default = secret_cert(ctx, ctx.settings.ako_namespace, DEFAULT_SECRET,
                          f"{where} (no certificate and key in spec.tls)", diags, route.source)
    if default is None:
        return None
    return TlsCert(default.certificate, default.key, default.alt_certificate, default.alt_key,
                   default=True)
