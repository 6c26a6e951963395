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
    objs = sorted((o if isinstance(o, KubeObject) else KubeObject(o)
                   for o in (objects if isinstance(objects, Iterable) else ())
                   if isinstance(o, KubeObject | dict)),
                  key=lambda o: (o.kind, o.namespace, o.name))
    ns_labels = {o.name: _labels(o) for o in objs if o.kind == "Namespace"}
    ns_tenants = {o.name: t for o in objs if o.kind == "Namespace"
                  if (t := _text(_annotations(o).get(TENANT_ANNOTATION)))}
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


# Total accessors: a field of the wrong type reads as absent (the object then carries a
# ``problem`` or is simply not a member); reading never raises on malformed input.
def _at(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def str_map(value: Any) -> dict[str, str]:
    return ({str(k): v for k, v in value.items() if isinstance(v, str)}
            if isinstance(value, dict) else {})


def _labels(obj: KubeObject) -> dict[str, str]:
    return str_map(obj.metadata.get("labels"))


def _annotations(obj: KubeObject) -> dict[str, str]:
    return str_map(obj.metadata.get("annotations"))


def _uuids(annotations: Mapping[str, Any]) -> tuple[dict[str, str], str, str | None]:
    """(VS uuid by host, controller cluster uuid, tenant) as AKO wrote them (annotations, or
    a Route's status condition reason)."""
    try:
        vs = json.loads(_text(annotations.get(VS_ANNOTATION)) or "{}")
    except ValueError:
        vs = {}
    tenant = _text(annotations.get(TENANT_ANNOTATION))
    return (str_map(vs), _text(annotations.get(CONTROLLER_ANNOTATION)), tenant or None)


NO_STATUS = ("no IP address found for the object: status.loadBalancer.ingress is empty (AKO "
             "has not synced it)")


def _ingress(cluster: str, obj: KubeObject, leader_tenant: str,
             tls_hosts: set[tuple[str, str]]) -> list[MemberObject]:
    rules = _dicts(obj.spec.get("rules"))
    hosts = [h for r in rules if (h := _text(r.get("host")))]
    status = _dicts(_at(obj.data, "status", "loadBalancer", "ingress"))
    labels, annotations = _labels(obj), _annotations(obj)
    if not status:
        return [MemberObject(cluster, INGRESS, obj.namespace, f"{obj.name}/{host}", host, "", "",
                             "", leader_tenant, labels, source=obj.source,
                             problem=NO_STATUS) for host in hosts]
    if annotations.get(DEFAULT_SECRET_ANNOTATION, "").lower() == "true":
        secure = set(hosts)
    else:
        secure = {h for t in _dicts(obj.spec.get("tls")) for h in _texts(t.get("hosts"))}
    vs_uuids, controller, tenant = _uuids(annotations)
    out = []
    for entry in status:
        ip, host = _text(entry.get("ip")), _text(entry.get("hostname"))
        if not is_ip(ip) or not host or host not in hosts:
            continue
        out.append(MemberObject(
            cluster, INGRESS, obj.namespace, f"{obj.name}/{host}", host, ip,
            vs_uuids.get(host, ""), controller, tenant or leader_tenant, labels,
            _paths(rules, host), host in secure or (obj.namespace, host) in tls_hosts,
            source=obj.source))
    return out


def _paths(rules: list[dict[str, Any]], host: str) -> tuple[str, ...]:
    """AMKO's ``getPathsForHost``: the first rule for the host; "" is "/"; none is ["/"]."""
    paths: list[str] = []
    for rule in rules:
        if rule.get("host") != host:
            continue
        for p in _dicts(_at(rule, "http", "paths")):
            key = _text(p.get("path")) or "/"
            if key not in paths:
                paths.append(key)
        break
    return tuple(paths or ["/"])


def _service(cluster: str, obj: KubeObject, leader_tenant: str) -> MemberObject:
    status = _dicts(_at(obj.data, "status", "loadBalancer", "ingress"))
    ip = _text(status[0].get("ip")) if status else ""
    host = _text(status[0].get("hostname")) if status else ""
    ports = [p for p in _dicts(obj.spec.get("ports"))
             if isinstance(p.get("port"), int) and not isinstance(p.get("port"), bool)]
    problem = ""
    if not ip or not host:
        problem = (f"empty status IP {ip!r} or hostname {host!r} (AMKO needs both: AKO writes "
                   "the hostname when the service has an FQDN)")
    elif not is_ip(ip):
        problem = f"status IP {ip!r} is not an IP address"
    elif not ports:
        problem = "service has no ports, will ignore"
    port, protocol = _min_port(ports) if ports else (0, "")
    vs_uuids, controller, tenant = _uuids(_annotations(obj))
    return MemberObject(cluster, LBSVC, obj.namespace, obj.name, host, ip,
                        vs_uuids.get(host, ""), controller, tenant or leader_tenant,
                        _labels(obj), (), False, port, protocol, source=obj.source,
                        problem=problem)


def _min_port(ports: list[dict[str, Any]]) -> tuple[int, str]:
    """AMKO's ``getSvcPortProtocol``: the lowest port; a protocol other than TCP/UDP makes the
    health monitor TCP on that port."""
    best: tuple[int, str] | None = None
    for p in ports:
        number, protocol = int(p["port"]), _text(p.get("protocol")) or "TCP"
        if protocol not in ("TCP", "UDP"):
            return number, "TCP"
        if best is None or number < best[0]:
            best = (number, protocol)
    assert best is not None
    return best


def _route(cluster: str, obj: KubeObject, leader_tenant: str,
           tls_hosts: set[tuple[str, str]]) -> MemberObject:
    host = _text(obj.spec.get("host"))
    ip, controller, tenant = "", "", None
    vs_uuids: dict[str, str] = {}
    for entry in _dicts(_at(obj.data, "status", "ingress")):
        if not _text(entry.get("routerName")).startswith("ako-") or entry.get("host") != host:
            continue
        for cond in _dicts(entry.get("conditions")):
            if not ip and is_ip(_text(cond.get("message"))):
                ip = _text(cond.get("message"))
            try:
                reason = json.loads(_text(cond.get("reason")))
            except ValueError:
                continue
            if isinstance(reason, dict) and VS_ANNOTATION in reason:
                vs_uuids, controller, tenant = _uuids(reason)
    if not vs_uuids:
        vs_uuids, controller, tenant = _uuids(_annotations(obj))
    tls = obj.spec.get("tls") if isinstance(obj.spec.get("tls"), dict) else None
    passthrough = bool(tls and tls.get("termination") == "passthrough")
    return MemberObject(
        cluster, ROUTE, obj.namespace, obj.name, host, ip, vs_uuids.get(host, ""),
        controller, tenant or leader_tenant, _labels(obj),
        () if passthrough else (_text(obj.spec.get("path")) or "/",),
        (bool(tls) and not passthrough) or (obj.namespace, host) in tls_hosts,
        HTTPS_PORT if passthrough else 0, "TCP" if passthrough else "", passthrough,
        obj.source, "" if ip else "no IP address found for the object: no VIP in status.ingress "
        "from an ako- router")


def _host_rule(obj: KubeObject) -> HostRuleFqdn | None:
    """AMKO's ``isHostRuleAcceptable``: status Accepted and a virtualhost fqdn."""
    vhost = obj.spec.get("virtualhost")
    fqdn = _text(_at(vhost, "fqdn"))
    if _at(obj.data, "status", "status") != "Accepted" or not fqdn:
        return None
    return HostRuleFqdn(obj.namespace, obj.name, fqdn, _text(_at(vhost, "gslb", "fqdn")),
                        bool(_text(_at(vhost, "tls", "sslKeyCertificate", "name"))),
                        tuple(_texts(_at(vhost, "aliases"))),
                        _at(vhost, "gslb", "includeAliases") is True)


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
