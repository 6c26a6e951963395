"""Ingress admission and host/path parsing (docs/ako-translation.md §2.6, 4.5; AKO
``ValidateIngressForClass``,
``ParseHostPathForIngress``). Produces ``IngressHosts``: per host the paths with their backend
Service port, and whether the host is secure (TLS host with a usable Secret)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.k8s.context import Context
from albform.modules.k8s.infrasetting import Attached
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.naming import DEFAULT_SECRET

AVI_CONTROLLER = "ako.vmware.com/avi-lb"
DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class"
PASSTHROUGH = "passthrough.ako.vmware.com/enabled"
ENABLE_TLS = "ako.vmware.com/enable-tls"  # lib.DefaultSecretEnabled


@dataclass(frozen=True, slots=True)
class Backend:
    path: str
    path_type: str
    service: str
    port: Mapping[str, Any]  # the Service port entry (synthesised when the Service is absent)
    weight: int = 100


@dataclass(frozen=True, slots=True)
class TlsCert:
    """A secure host's certificate: PEMs AKO turns into SSLKeyAndCertificate objects, and/or
    ``refs`` to certificates already on the controller (HostRule ``type: ref``), which
    replace the generated ones on the VS."""

    certificate: str
    key: str
    alt_certificate: str = ""
    alt_key: str = ""
    refs: tuple[str, ...] = ()
    # From AKO's default secret (router-certs-default): one certificate per tenant.
    default: bool = False
    # A Route's ``spec.tls.caCertificate``: its own CA certificate object (``-cacert``).
    ca_certificate: str = ""


@dataclass
class IngressHosts:
    """What AKO's ``ParseHostPath`` makes of an Ingress or an OpenShift Route (its
    ``IngressConfig``): the one shape every L7 builder reads, whichever object it came from."""

    ingress: KubeObject  # the Ingress or the Route
    paths: dict[str, list[Backend]] = field(default_factory=dict)  # host -> backends
    tls: dict[str, TlsCert] = field(default_factory=dict)  # secure host -> cert
    infra: Attached | None = None  # the AviInfraSetting that applies (class or namespace)
    # TLS hosts whose Secret is unusable: no child, but AKO still builds their shared parent.
    secret_missing: list[str] = field(default_factory=list)
    passthrough: bool = False  # passthrough.ako.vmware.com/enabled: hosts pass TLS through
    # TlsSettings.redirect: secure hosts redirect HTTP to HTTPS (an Ingress always; a Route
    # with insecureEdgeTerminationPolicy Redirect). For passthrough hosts: the -insecure VS.
    redirect: bool = True
    # The Route-only settings (route.py): insecureEdgeTerminationPolicy None (EVH closes port
    # 80) and Allow (secure hosts are served on the shared parent's port 80 too), and
    # re-encryption to the backends with the destination CA.
    block_http: bool = False
    insecure_allow: bool = False
    reencrypt: bool = False
    destination_ca: str = ""

    @property
    def is_route(self) -> bool:
        """Routes name their pools after the Service too (AKO keeps Ingress names as they
        were for backward compatibility)."""
        return self.ingress.kind == "Route"

    @property
    def namespace(self) -> str:
        return self.ingress.namespace

    @property
    def name(self) -> str:
        return self.ingress.name


def segment(ing: IngressHosts) -> str:
    """The AviInfraSetting name segment of the Ingress's L7 names ("" for none)."""
    return ing.infra.segment if ing.infra is not None else ""


def class_name(ctx: Context, ing: KubeObject) -> str:
    """The Ingress's class: ``spec.ingressClassName``, else AKO's default IngressClass."""
    name = ing.spec.get("ingressClassName")
    if name:
        return str(name)
    for cls_name in sorted(ctx.index.ingress_classes):
        cls = ctx.index.ingress_classes[cls_name]
        if cls.spec.get("controller") == AVI_CONTROLLER and \
                cls.annotations.get(DEFAULT_CLASS) == "true":
            return cls_name
    return ""


def admitted(ctx: Context, ing: KubeObject) -> bool:
    """``ValidateIngressForClass`` and the namespace filters. Namespaces filtered out by the
    user's own settings are skipped silently; an Ingress AKO does not own by class is said."""
    if not ctx.namespace_accepted(ing.namespace):
        return False
    classes = ctx.index.ingress_classes
    name = ing.spec.get("ingressClassName")
    if name:
        cls = classes.get(str(name))
        if cls is None:
            reason = f"its IngressClass {name!r} does not exist"
        elif cls.spec.get("controller") != AVI_CONTROLLER:
            reason = (f"its IngressClass {name!r} belongs to controller "
                      f"{cls.spec.get('controller')!r}, not {AVI_CONTROLLER}")
        else:
            return True
    elif any(c.spec.get("controller") == AVI_CONTROLLER and
             c.annotations.get(DEFAULT_CLASS) == "true" for c in classes.values()):
        return True
    else:
        reason = f"it names no IngressClass and no {AVI_CONTROLLER} IngressClass is the default"
    ctx.diags.warning("Ingress not translated", f"Ingress {ing.namespace}/{ing.name}: {reason}; "
                      "AKO does not process it.", subject=ing.source)
    return False


def parse_ingress(ctx: Context, ing: KubeObject, diags: Diagnostics) -> IngressHosts:
    # ParseHostPathForIngress: strings.EqualFold(value, "true")
    out = IngressHosts(ing, passthrough=str(ing.annotations.get(PASSTHROUGH, "")).lower()
                       == "true")
    for rule in ing.spec.get("rules") or []:
        host = str(rule.get("host") or "")
        if not host:
            if not ctx.subdomains:
                continue
            sub = ctx.subdomains[0]
            host = f"{ing.name}.{ing.namespace}{sub}" if sub.startswith(".") else \
                f"{ing.name}.{ing.namespace}.{sub}"
        if not ctx.host_allowed(host):
            diags.warning("Ingress host skipped", f"Host {host!r} of Ingress {ing.namespace}/"
                          f"{ing.name} is not in the cloud's DNS sub-domains.",
                          subject=ing.source)
            continue
        for p in (rule.get("http") or {}).get("paths") or []:
            svc_ref = (p.get("backend") or {}).get("service") or {}
            svc_name = str(svc_ref.get("name") or "")
            if not svc_name:
                diags.warning("Ingress path not translated", f"Ingress {ing.namespace}/"
                              f"{ing.name}: path {p.get('path') or '/'!r} of host {host!r} has "
                              "no Service backend (resource backends are not supported); AKO "
                              "skips it.", subject=ing.source)
                continue
            port = _service_port(ctx, ing, svc_name, svc_ref.get("port") or {})
            out.paths.setdefault(host, []).append(Backend(
                str(p.get("path") or ""), str(p.get("pathType") or "ImplementationSpecific"),
                svc_name, port))
    if out.passthrough:
        return out  # passthrough hosts ignore spec.tls, HostRules and enable-tls
    for tls in ing.spec.get("tls") or []:
        secret_name = str(tls.get("secretName") or "")
        for host in tls.get("hosts") or []:
            if host not in out.paths or host in out.tls:
                continue
            if (cert := hostrule_cert(ctx, host)) is not None:
                out.tls[host] = cert
                continue
            cert = secret_cert(ctx, ing.namespace, secret_name,
                             f"Ingress {ing.namespace}/{ing.name}", diags, ing.source)
            if cert is not None:
                out.tls[host] = cert
            else:
                del out.paths[host]  # BuildTlsCertNode fails: the host is dropped
                out.secret_missing.append(host)
    if ctx.hostrules:
        # ParseHostPathForIngress: a host whose HostRule names a certificate is secure.
        for host in out.paths:
            if host not in out.tls and (cert := hostrule_cert(ctx, host)) is not None:
                out.tls[host] = cert
    if str(ing.annotations.get(ENABLE_TLS, "")).lower() == "true":
        _default_tls(ctx, ing, out, diags)
    return out


def _default_tls(ctx: Context, ing: KubeObject, out: IngressHosts, diags: Diagnostics) -> None:
    """``ako.vmware.com/enable-tls``: every other host is secured with AKO's default secret
    (router-certs-default in AKO's namespace) and redirected to HTTPS."""
    hosts = [h for h in out.paths if h not in out.tls]
    if not hosts:
        return
    ns = ctx.settings.ako_namespace
    cert = secret_cert(ctx, ns, DEFAULT_SECRET, f"Ingress {ing.namespace}/{ing.name} "
                     f"({ENABLE_TLS})", diags, ing.source)
    for host in hosts:
        if cert is None:
            del out.paths[host]
            out.secret_missing.append(host)
        else:
            out.tls[host] = TlsCert(cert.certificate, cert.key, cert.alt_certificate,
                                    cert.alt_key, default=True)


def hostrule_cert(ctx: Context, host: str) -> TlsCert | None:
    """The certificate a HostRule gives ``host`` (``sslKeyCertHostRulePresent``): Avi
    references, or the Secret in the HostRule's namespace (validated when accepted)."""
    rule = ctx.hostrules.match(host) if ctx.hostrules else None
    if rule is None or not rule.provides_cert:
        return None
    pems: dict[str, str] = {}
    for which, (kind, name) in (("", rule.cert), ("alt_", rule.alt_cert)):
        if kind == "secret":
            got = secret_cert(ctx, rule.obj.namespace, name, f"HostRule {rule.key}", ctx.diags,
                            rule.obj.source)
            if got is not None:
                pems[which + "certificate"], pems[which + "key"] = got.certificate, got.key
    if not pems and not rule.cert_refs:
        return None
    return TlsCert(pems.get("certificate", ""), pems.get("key", ""),
                   pems.get("alt_certificate", ""), pems.get("alt_key", ""),
                   tuple(rule.cert_refs))


def _service_port(ctx: Context, ing: KubeObject, svc: str, ref: Mapping[str, Any],
                  ) -> Mapping[str, Any]:
    """The Service port the backend names (by number or name); AKO looks the name up. A
    missing Service or port still gets its pool (with no servers), with a warning."""
    ns = ing.namespace
    obj = ctx.index.services.get((ns, svc))
    if obj is None:
        ctx.warn_once(f"ing-svc/{ns}/{ing.name}/{svc}", "Ingress backend missing",
                      f"Ingress {ns}/{ing.name}: backend Service {ns}/{svc} does not exist; "
                      "AKO creates its pool with no servers.", ing.source)
    ports: list[Mapping[str, Any]] = (obj.spec.get("ports") or []) if obj is not None else []
    if "name" in ref:
        for p in ports:
            if p.get("name") == ref["name"]:
                return p
        missing, port = f"port {ref['name']!r}", {"name": ref["name"], "port": 0, "targetPort": 0}
    else:
        number = ref.get("number")
        for p in ports:
            if p.get("port") == number:
                return p
        missing, port = f"port {number}", {"port": int(number or 0),
                                            "targetPort": int(number or 0)}
    if obj is not None:
        ctx.warn_once(f"ing-port/{ns}/{ing.name}/{svc}/{missing}", "Ingress backend port missing",
                      f"Ingress {ns}/{ing.name}: Service {ns}/{svc} has no {missing}; AKO "
                      "builds the pool from the Ingress's port alone.", ing.source)
    return port


def secret_cert(ctx: Context, namespace: str, secret_name: str, owner: str, diags: Diagnostics,
              source: SourceRange | None) -> TlsCert | None:
    def field_of(key: str) -> str:
        return ctx.index.secret_value(namespace, secret_name, key) or ""

    cert, key = field_of("tls.crt"), field_of("tls.key")
    if not cert or not key:
        diags.warning("TLS host not translated", f"{owner}: Secret {secret_name!r} is missing "
                      "or lacks tls.crt/tls.key; AKO skips the secure host (a shared virtual "
                      "service it maps to is still created, listening on 80 and 443).",
                      subject=source)
        return None
    return TlsCert(cert, key, field_of("alt.crt"), field_of("alt.key"))
