"""What AMKO reads from one member cluster: the candidate GSLB members (one per Ingress host,
per LoadBalancer Service, per Route) with the VIP and controller objects AKO reported on them,
and the accepted AKO HostRules (``gslb.fqdn``, aliases, TLS).

``read_cluster(name, objects, leader_tenant) -> ClusterView``. Facts from
AMKO's ``gslb/k8sobjects`` (``GetIngressHostMeta``, ``GetSvcMeta``, ``GetRouteMeta``) and
``gslbutils`` (``IngressGetIPAddrs``, ``RouteGetIPAddr``): the VIP comes from the object's
``status``, the VS uuid per host from ``ako.vmware.com/host-fqdn-vs-uuid-map`` and the site
from ``ako.vmware.com/controller-cluster-uuid``. Nothing is reported here: an object AKO has
not synced carries its ``problem``, reported once a GDP selects it (as AMKO logs it then).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.diagnostics import SourceRange
from albform.modules.k8s.ingest import KubeObject

VS_ANNOTATION = "ako.vmware.com/host-fqdn-vs-uuid-map"
CONTROLLER_ANNOTATION = "ako.vmware.com/controller-cluster-uuid"
TENANT_ANNOTATION = "ako.vmware.com/tenant-name"
DEFAULT_SECRET_ANNOTATION = "ako.vmware.com/enable-tls"
INGRESS, LBSVC, ROUTE = "INGRESS", "LBSVC", "ROUTE"
# Kinds AMKO would read that albform's GSLB translator does not (DECISIONS.md).
UNSUPPORTED_KINDS = ("MultiClusterIngress",)
HTTPS_PORT = 443


@dataclass(frozen=True, slots=True)
class MemberObject:
    """AMKO's ``AviGSK8sObj`` before weights: one object of one cluster serving one FQDN."""

    cluster: str
    obj_type: str  # INGRESS | LBSVC | ROUTE
    namespace: str
    name: str  # "<ingress>/<host>" for Ingresses, as AMKO names them
    hostname: str
    ip: str
    vs_uuid: str
    controller_uuid: str
    tenant: str
    labels: Mapping[str, str] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    tls: bool = False
    port: int = 0
    protocol: str = ""
    passthrough: bool = False
    source: SourceRange | None = None
    # Why AMKO would skip the object (e.g. no VIP yet); reported only if a GDP selects it.
    problem: str = ""

    @property
    def key(self) -> str:
        """``<TYPE>/<cluster>/<namespace>/<name>``, AMKO's member list entry."""
        return f"{self.obj_type}/{self.cluster}/{self.namespace}/{self.name}"

    @property
    def non_path(self) -> bool:
        return self.obj_type == LBSVC or self.passthrough


@dataclass(frozen=True, slots=True)
class HostRuleFqdn:
    """An accepted AKO HostRule, as AMKO keeps it (``HostRuleMeta`` + aliases)."""

    namespace: str
    name: str
    local_fqdn: str
    global_fqdn: str
    tls: bool
    aliases: tuple[str, ...]
    include_aliases: bool


@dataclass(frozen=True, slots=True)
class ClusterView:
    name: str
    members: tuple[MemberObject, ...]
    namespace_labels: Mapping[str, Mapping[str, str]]
    namespace_tenants: Mapping[str, str]
    host_rules: tuple[HostRuleFqdn, ...]
    unsupported: tuple[KubeObject, ...] = ()


def read_cluster(name: str, objects: Iterable[KubeObject | Mapping[str, Any]],
                 leader_tenant: str) -> ClusterView:
    objs = sorted((o if isinstance(o, KubeObject) else KubeObject(o) for o in objects),
                  key=lambda o: (o.kind, o.namespace, o.name))
    ns_labels = {o.name: dict(o.labels) for o in objs if o.kind == "Namespace"}
    ns_tenants = {o.name: str(o.annotations[TENANT_ANNOTATION]) for o in objs
                  if o.kind == "Namespace" and TENANT_ANNOTATION in o.annotations}
    rules = tuple(r for o in objs if o.kind == "HostRule" if (r := _host_rule(o)) is not None)
    tls_hosts = {(r.namespace, r.local_fqdn) for r in rules if r.tls}
    members: list[MemberObject] = []
    for obj in objs:
        if obj.kind == "Ingress":
            members.extend(_ingress(name, obj, leader_tenant, tls_hosts))
        elif obj.kind == "Service" and obj.spec.get("type") == "LoadBalancer":
            members.append(_service(name, obj, leader_tenant))
        elif obj.kind == "Route":
            members.append(_route(name, obj, leader_tenant, tls_hosts))
    unsupported = tuple(o for o in objs if o.kind in UNSUPPORTED_KINDS)
    return ClusterView(name, tuple(members), ns_labels, ns_tenants, rules, unsupported)


def _uuids(obj: KubeObject) -> tuple[dict[str, str], str, str | None]:
    """(VS uuid by host, controller cluster uuid, tenant annotation) as AKO annotated them."""
    ann = obj.annotations
    try:
        vs = json.loads(ann.get(VS_ANNOTATION) or "{}")
    except ValueError:
        vs = {}
    vs = {str(k): str(v) for k, v in vs.items()} if isinstance(vs, dict) else {}
    tenant = ann.get(TENANT_ANNOTATION)
    return vs, str(ann.get(CONTROLLER_ANNOTATION) or ""), str(tenant) if tenant else None


NO_STATUS = ("no IP address found for the object: status.loadBalancer.ingress is empty (AKO "
             "has not synced it)")


def _ingress(cluster: str, obj: KubeObject, leader_tenant: str,
             tls_hosts: set[tuple[str, str]]) -> list[MemberObject]:
    rules = [r for r in obj.spec.get("rules") or [] if isinstance(r, dict)]
    hosts = [str(r["host"]) for r in rules if r.get("host")]
    status = ((obj.data.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if not status:
        return [MemberObject(cluster, INGRESS, obj.namespace, f"{obj.name}/{host}", host, "", "",
                             "", leader_tenant, dict(obj.labels), source=obj.source,
                             problem=NO_STATUS) for host in hosts]
    if obj.annotations.get(DEFAULT_SECRET_ANNOTATION, "").lower() == "true":
        secure = set(hosts)
    else:
        secure = {str(h) for t in obj.spec.get("tls") or [] for h in t.get("hosts") or []}
    vs_uuids, controller, tenant = _uuids(obj)
    out = []
    for entry in status:
        ip, host = str(entry.get("ip") or ""), str(entry.get("hostname") or "")
        if not is_ip(ip) or not host or host not in hosts:
            continue
        out.append(MemberObject(
            cluster, INGRESS, obj.namespace, f"{obj.name}/{host}", host, ip,
            vs_uuids.get(host, ""), controller, tenant or leader_tenant, dict(obj.labels),
            _paths(rules, host), host in secure or (obj.namespace, host) in tls_hosts,
            source=obj.source))
    return out


def _paths(rules: list[dict[str, Any]], host: str) -> tuple[str, ...]:
    """AMKO's ``getPathsForHost``: the first rule for the host; "" is "/"; none is ["/"]."""
    paths: list[str] = []
    for rule in rules:
        if rule.get("host") != host:
            continue
        for p in ((rule.get("http") or {}).get("paths") or []):
            key = str(p.get("path") or "/")
            if key not in paths:
                paths.append(key)
        break
    return tuple(paths or ["/"])


def _service(cluster: str, obj: KubeObject, leader_tenant: str) -> MemberObject:
    status = ((obj.data.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    ip = str(status[0].get("ip") or "") if status else ""
    host = str(status[0].get("hostname") or "") if status else ""
    ports = [p for p in obj.spec.get("ports") or [] if isinstance(p, dict)]
    problem = ""
    if not ip or not host:
        problem = (f"empty status IP {ip!r} or hostname {host!r} (AMKO needs both: AKO writes "
                   "the hostname when the service has an FQDN)")
    elif not ports:
        problem = "service has no ports, will ignore"
    port, protocol = _min_port(ports) if ports else (0, "")
    vs_uuids, controller, tenant = _uuids(obj)
    return MemberObject(cluster, LBSVC, obj.namespace, obj.name, host, ip,
                        vs_uuids.get(host, ""), controller, tenant or leader_tenant,
                        dict(obj.labels), (), False, port, protocol, source=obj.source,
                        problem=problem)


def _min_port(ports: list[dict[str, Any]]) -> tuple[int, str]:
    """AMKO's ``getSvcPortProtocol``: the lowest port; a protocol other than TCP/UDP makes the
    health monitor TCP on that port."""
    best: tuple[int, str] | None = None
    for p in ports:
        number, protocol = int(p.get("port") or 0), str(p.get("protocol") or "TCP")
        if protocol not in ("TCP", "UDP"):
            return number, "TCP"
        if best is None or number < best[0]:
            best = (number, protocol)
    assert best is not None
    return best


def _route(cluster: str, obj: KubeObject, leader_tenant: str,
           tls_hosts: set[tuple[str, str]]) -> MemberObject:
    host = str(obj.spec.get("host") or "")
    ip, vs_uuids, controller, tenant = "", {}, "", None
    for entry in (obj.data.get("status") or {}).get("ingress") or []:
        if not str(entry.get("routerName") or "").startswith("ako-") or entry.get("host") != host:
            continue
        for cond in entry.get("conditions") or []:
            if not ip and is_ip(str(cond.get("message") or "")):
                ip = str(cond["message"])
            try:
                reason = json.loads(cond.get("reason") or "")
            except ValueError:
                continue
            if isinstance(reason, dict) and VS_ANNOTATION in reason:
                vs_uuids = json.loads(reason[VS_ANNOTATION])
                controller = str(reason.get(CONTROLLER_ANNOTATION) or "")
                tenant = reason.get(TENANT_ANNOTATION)
    if not vs_uuids:
        vs_uuids, controller, tenant = _uuids(obj)
    tls = obj.spec.get("tls") if isinstance(obj.spec.get("tls"), dict) else None
    passthrough = bool(tls and tls.get("termination") == "passthrough")
    return MemberObject(
        cluster, ROUTE, obj.namespace, obj.name, host, ip, str(vs_uuids.get(host, "")),
        controller, str(tenant or leader_tenant), dict(obj.labels),
        () if passthrough else (str(obj.spec.get("path") or "/"),),
        (bool(tls) and not passthrough) or (obj.namespace, host) in tls_hosts,
        HTTPS_PORT if passthrough else 0, "TCP" if passthrough else "", passthrough,
        obj.source, "" if ip else "no IP address found for the object: no VIP in status.ingress "
        "from an ako- router")


def _host_rule(obj: KubeObject) -> HostRuleFqdn | None:
    """AMKO's ``isHostRuleAcceptable``: status Accepted and a virtualhost fqdn."""
    status = (obj.data.get("status") or {}).get("status")
    vhost = obj.spec.get("virtualhost") or {}
    if status != "Accepted" or not vhost.get("fqdn"):
        return None
    gslb = vhost.get("gslb") or {}
    cert = ((vhost.get("tls") or {}).get("sslKeyCertificate") or {}).get("name")
    return HostRuleFqdn(obj.namespace, obj.name, str(vhost["fqdn"]), str(gslb.get("fqdn") or ""),
                        bool(cert), tuple(str(a) for a in vhost.get("aliases") or ()),
                        bool(gslb.get("includeAliases", False)))


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
