"""What each Kubernetes object got on the controller, read back from an applied state:
``Service default/web → VS kubeadm-cluster--default-web, VIP 172.19.0.100, FQDN web.example``;
and a plan's changes grouped by the Kubernetes object that caused them.

The Kubernetes origin comes from AKO's markers (``markers.py``): a VS marked ``ServiceName``
serves that LoadBalancer Service; pools marked ``IngressName`` (a passthrough pool: the
``ingress_name`` of its ``service_metadata``) serve those Ingresses (or Routes), for the hosts
in their ``Host`` marker, through the VS that answers the host (an
SNI/EVH child marked with it, or the shared VS whose VsVip lists it). A VS's VIP and FQDNs
come from its VsVip (a child VS uses its parent's). Refs in state are ``/api/<type>/<uuid>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from albform.engine.changes import Action, ResourceChange
from albform.engine.state.model import State


@dataclass(frozen=True, slots=True)
class Served:
    """One Kubernetes object and the virtual service that serves it."""

    kind: str  # "Service" or "Ingress"
    namespace: str
    name: str
    vs: str
    vips: tuple[str, ...]
    fqdns: tuple[str, ...]

    def line(self) -> str:
        vip = ", ".join(self.vips) or "(not allocated)"
        fqdn = f", FQDN {', '.join(self.fqdns)}" if self.fqdns else ""
        return f"{self.kind} {self.namespace}/{self.name} → VS {self.vs}, VIP {vip}{fqdn}"


def _markers(attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    return {str(m.get("key")): [str(v) for v in m.get("values") or ()]
            for m in attributes.get("markers") or () if isinstance(m, Mapping)}


def _ingress(attributes: Mapping[str, Any]) -> tuple[str, str] | None:
    """(namespace, name) of the Ingress or Route an object serves: its ``IngressName``
    marker, else, on a host's object (a passthrough pool has no ``IngressName``), the
    ``ingress_name`` of AKO's ``service_metadata``."""
    marks = _markers(attributes)
    if marks.get("IngressName"):
        return marks.get("Namespace", [""])[0], marks["IngressName"][0]
    if not marks.get("Host"):
        return None
    try:
        meta = json.loads(str(attributes.get("service_metadata") or "{}"))
    except ValueError:
        return None
    if isinstance(meta, dict) and meta.get("ingress_name"):
        return str(meta.get("namespace") or ""), str(meta["ingress_name"])
    return None


def _uuid(ref: Any) -> str:
    return str(ref).rstrip("/").rsplit("/", 1)[-1] if ref else ""


def _vip_and_fqdns(vsvip: Mapping[str, Any] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if vsvip is None:
        return (), ()
    vips = tuple(str(address["addr"]) for v in vsvip.get("vip") or ()
                 for key in ("ip_address", "ip6_address")
                 if isinstance(address := v.get(key), Mapping) and address.get("addr"))
    fqdns = tuple(str(d["fqdn"]) for d in vsvip.get("dns_info") or () if d.get("fqdn"))
    return vips, fqdns


def served_objects(state: State) -> list[Served]:
    """One entry per Service and per Ingress/Route host group, sorted."""
    by_uuid: dict[str, Mapping[str, Any]] = {}
    services: list[Mapping[str, Any]] = []
    pools: list[Mapping[str, Any]] = []
    for r in state.resources:
        if r.deposed is not None or r.address.is_data:
            continue
        by_uuid[str(r.attributes.get("uuid"))] = r.attributes
        if r.address.type == "avi_virtualservice":
            services.append(r.attributes)
        elif r.address.type == "avi_pool":
            pools.append(r.attributes)

    def vsvip_of(vs: Mapping[str, Any]) -> Mapping[str, Any] | None:
        parent = by_uuid.get(_uuid(vs.get("vh_parent_vs_ref")))
        return by_uuid.get(_uuid((parent or vs).get("vsvip_ref")))

    out: list[Served] = []
    for vs in services:
        marks = _markers(vs)
        if "ServiceName" in marks:
            out.append(Served("Service", marks.get("Namespace", [""])[0],
                              marks["ServiceName"][0], str(vs.get("name")),
                              *_vip_and_fqdns(vsvip_of(vs))))
    out += _ingresses(pools, services, vsvip_of)
    return sorted(set(out), key=lambda s: (s.kind, s.namespace, s.name, s.vs))


def _ingresses(pools: Iterable[Mapping[str, Any]], services: list[Mapping[str, Any]],
               vsvip_of: Any) -> list[Served]:
    # Who answers a host, indexed once (a cluster has thousands of hosts and VSes): the
    # first SNI/EVH child marked with the host, else the first shared VS (not a child) whose
    # VsVip lists it.
    child_for: dict[str, Mapping[str, Any]] = {}
    shared_for: dict[str, Mapping[str, Any]] = {}
    for service in services:
        for host in _markers(service).get("Host", []):
            child_for.setdefault(host, service)
        if not service.get("vh_parent_vs_ref"):
            for host in _vip_and_fqdns(vsvip_of(service))[1]:
                shared_for.setdefault(host, service)

    def answering(host: str) -> Mapping[str, Any] | None:
        child = child_for.get(host)
        return child if child is not None else shared_for.get(host)

    out: list[Served] = []
    for pool in pools:
        if (ingress := _ingress(pool)) is None:
            continue
        for host in _markers(pool).get("Host", []):
            vs = answering(host)
            if vs is None:
                continue
            vips, _ = _vip_and_fqdns(vsvip_of(vs))
            out.append(Served("Ingress", *ingress, str(vs.get("name")), vips, (host,)))
    return out


_SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-",
            Action.DELETE_THEN_CREATE: "-/+", Action.CREATE_THEN_DELETE: "+/-"}
SHARED = "cluster-wide (no single Kubernetes object: shared VSes, static routes...)"


def _origin(attributes: Mapping[str, Any]) -> str | None:
    """The Kubernetes object an object serves. The Ingress first: AKO marks an
    Ingress's (or Route's) pools with their backend ``ServiceName`` as well, and those pools
    live and die with the Ingress. A ``ServiceName`` names the Service only on L4 objects,
    which carry no ``Host`` (a passthrough host's pool carries both)."""
    if (ingress := _ingress(attributes)) is not None:
        return f"Ingress {ingress[0]}/{ingress[1]}"
    marks = _markers(attributes)
    namespace = marks.get("Namespace", [""])[0]
    if marks.get("ServiceName") and not marks.get("Host"):
        return f"Service {namespace}/{marks['ServiceName'][0]}"
    return None


def changes_by_origin(changes: Iterable[ResourceChange]) -> list[tuple[str, list[str]]]:
    """The plan's changes grouped by the Kubernetes object that caused them (from the markers
    of the object as planned, or as it was for a delete); an object without its own markers
    joins the object of the same name that has them (an L4 Service's VsVip and policy set
    share its VS's name); one marked with a ``Host`` only (an SNI/EVH child VS, its
    certificate, a passthrough host's pool and pool group) joins the Ingress of that host,
    or a group naming the host when several Ingresses or none name it; the rest are
    cluster-wide. Groups sorted, cluster-wide last."""
    listed = [c for c in changes if c.action in _SYMBOLS]

    def attributes(c: ResourceChange) -> Mapping[str, Any]:
        return (c.after if c.action is not Action.DELETE else c.before) or {}

    by_name: dict[str, str] = {}
    by_host: dict[str, set[str]] = {}
    for c in listed:
        if (origin := _origin(attributes(c))) is None:
            continue
        by_name[str(attributes(c).get("name"))] = origin
        if origin.startswith("Ingress "):
            for host in _markers(attributes(c)).get("Host", []):
                by_host.setdefault(host, set()).add(origin)

    def host_origin(attrs: Mapping[str, Any]) -> str | None:
        hosts = _markers(attrs).get("Host", [])
        origins = sorted({o for h in hosts for o in by_host.get(h, ())})
        if len(origins) == 1:
            return origins[0]
        if not hosts:
            return None
        # Several Ingresses share the host, or none names it (passthrough hosts).
        return f"Host {', '.join(hosts)}" + (f" ({', '.join(origins)})" if origins else "")

    groups: dict[str, list[str]] = {}
    for c in listed:
        attrs = attributes(c)
        origin = (_origin(attrs) or by_name.get(str(attrs.get("name"))) or host_origin(attrs)
                  or SHARED)
        groups.setdefault(origin, []).append(f"{_SYMBOLS[c.action]} {c.address}")
    return sorted(groups.items(), key=lambda g: (g[0] == SHARED, g[0]))
