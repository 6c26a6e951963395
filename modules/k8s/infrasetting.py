"""AviInfraSetting (``ako.vmware.com/v1beta1``, cluster-scoped): validation as AKO's
``ValidateAviInfraSetting``, attachment (IngressClass ``spec.parameters``, the Service and
Namespace annotation ``aviinfrasetting.ako.vmware.com/name``) and what it changes.

``InfraSettings.for_ingress`` / ``for_service`` return the ``Infra`` that applies (or none);
builders read SE group, RHI, VIP and node networks, listeners, T1 router and the naming
segment from it. Fallback is AKO's: an Ingress whose setting (by class or namespace) is
Rejected or missing is not processed at all (``getL7IngressInfraSetting`` returns an error
and ``HostNameShardAndPublish`` stops); a LoadBalancer Service falls back to the global
settings (``getL4InfraSetting`` error is only logged). Both are warnings here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.crd_status import (
    AviRef,
    CrdStatuses,
    as_dict,
    as_list,
    creation_order,
)
from albform.modules.k8s.hashing import SHARD_SIZES
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.settings import AkoSettings, NodeNetwork, VipNetwork

KIND = "AviInfraSetting"
ANNOTATION = "aviinfrasetting.ako.vmware.com/name"  # lib.InfraSettingNameAnnotation
AKO_GROUP = "ako.vmware.com"
# lib.IPCIDRRegex / lib.IPV6CIDRRegex, as AKO checks vipNetworks[].cidr / .v6cidr
_V4_CIDR = re.compile(r"^(\b([01]?[0-9][0-9]?|2[0-4][0-9]|25[0-5])\.){3}"
                      r"([01]?[0-9][0-9]?|2[0-4][0-9]|25[0-5])\/(([0-9]|[1-2][0-9]|3[0-2]))?$")
_V6_CIDR = re.compile(r"^(((?:[0-9A-Fa-f]{1,4}))*((?::[0-9A-Fa-f]{1,4}))*::((?:[0-9A-Fa-f]{1,4}))*"
                      r"((?::[0-9A-Fa-f]{1,4}))*|((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4})){7})"
                      r"(\/([1-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8])){0,1}$")
# AKO's refData skips network checks for these clouds (checkRefOnController).
_UNCHECKED_NETWORK_CLOUDS = ("CLOUD_AWS", "CLOUD_AZURE")


@dataclass(frozen=True, slots=True)
class InfraListener:
    port: int
    enable_ssl: bool
    enable_http2: bool


@dataclass(frozen=True, slots=True)
class Infra:
    """An Accepted AviInfraSetting's spec, typed. ``None`` fields were not given (the global
    setting applies)."""

    name: str
    se_group: str
    vip_networks: tuple[VipNetwork, ...]
    node_networks: tuple[NodeNetwork, ...]
    enable_rhi: bool | None
    bgp_peer_labels: tuple[str, ...] | None
    enable_public_ip: bool | None
    listeners: tuple[InfraListener, ...]
    shard_size: int | None  # ShardSizeMap value; None without l7Settings.shardSize
    t1lr: str | None


@dataclass(frozen=True, slots=True)
class Attached:
    """The setting that applies to an object and the name segment it puts in L7 names
    ("" when the setting only comes through the object's Namespace: IsInfraSettingNSScoped)."""

    infra: Infra
    segment: str


class InfraSettings:
    def __init__(self, index: ClusterIndex, statuses: CrdStatuses, cloud_type: str,
                 diags: Diagnostics) -> None:
        self._index = index
        self._diags = diags
        self._warned: set[str] = set()
        self.present: set[str] = set()
        self.accepted: dict[str, Infra] = {}
        self.rejected: dict[str, str] = {}
        for obj in creation_order(index.crds.get(KIND, [])):
            self.present.add(obj.name)
            infra, error = _validate(obj, statuses, cloud_type)
            if infra is not None:
                statuses.accept(KIND, obj, cluster_scoped=True)
                self.accepted[obj.name] = infra
            elif error:
                self.rejected[obj.name] = error

        # Whether anything names a setting: lets clusters without any skip the lookups.
        self._active = bool(self.present) or any(
            ANNOTATION in o.annotations for o in self._index.namespaces.values()) or any(
            as_dict(c.spec.get("parameters")).get("kind") == KIND
            for c in self._index.ingress_classes.values()) or any(
            ANNOTATION in s.annotations for s in self._index.services.values()) or any(
            ANNOTATION in r.annotations for r in self._index.routes)

    def __bool__(self) -> bool:
        return self._active

    def _namespace_setting(self, ns: str) -> str:
        obj = self._index.namespaces.get(ns)
        return str(obj.annotations.get(ANNOTATION) or "") if obj is not None else ""

    def _resolve(self, name: str, via: str) -> tuple[Infra | None, str]:
        """(setting, problem): the problem says why a named setting cannot be used."""
        infra = self.accepted.get(name)
        if infra is not None:
            return infra, ""
        if name in self.rejected:
            return None, f"{via} refers to AviInfraSetting {name}, which is Rejected " \
                         f"({self.rejected[name]})"
        return None, f"{via} refers to AviInfraSetting {name}, which does not exist"

    def for_ingress(self, ing: KubeObject, class_name: str,
                    ) -> tuple[Attached | None, str]:
        """``getL7IngressInfraSetting``: the IngressClass's parameters, else the Namespace
        annotation. A problem (second value) means AKO does not process the Ingress."""
        cls = self._index.ingress_classes.get(class_name) if class_name else None
        params = cls.spec.get("parameters") if cls is not None else None
        if isinstance(params, dict) and params.get("apiGroup") == AKO_GROUP \
                and params.get("kind") == KIND:
            name = str(params.get("name") or "")
            infra, problem = self._resolve(name, f"IngressClass {class_name}")
            if infra is None:
                return None, problem
            scoped = self._namespace_setting(ing.namespace) == infra.name
            return Attached(infra, "" if scoped else infra.name), ""
        return self._from_namespace(ing.namespace)

    def for_route(self, route: KubeObject) -> tuple[Attached | None, str]:
        """``getL7RouteInfraSetting``: the Route's annotation, else the Namespace annotation;
        a problem means AKO does not process the Route."""
        name = str(route.annotations.get(ANNOTATION) or "")
        if not name:
            return self._from_namespace(route.namespace)
        infra, problem = self._resolve(name, f"Route {route.namespace}/{route.name}")
        if infra is None:
            return None, problem
        scoped = self._namespace_setting(route.namespace) == infra.name
        return Attached(infra, "" if scoped else infra.name), ""

    def for_service(self, svc: KubeObject) -> Infra | None:
        """``getL4InfraSetting``: the Service annotation, else the Namespace annotation; a
        setting that cannot be used leaves the global settings, with a warning."""
        name = str(svc.annotations.get(ANNOTATION) or "")
        if name:
            infra, problem = self._resolve(name, f"Service {svc.namespace}/{svc.name}")
        else:
            attached, problem = self._from_namespace(svc.namespace)
            infra = attached.infra if attached is not None else None
        if problem:
            self._warn_once(f"svc/{svc.namespace}/{svc.name}", "AviInfraSetting not applied",
                            f"{problem}; AKO builds the Service's virtual service with the "
                            "global settings.", svc)
        return infra

    def _from_namespace(self, ns: str) -> tuple[Attached | None, str]:
        name = self._namespace_setting(ns)
        if not name:
            return None, ""
        infra, problem = self._resolve(name, f"Namespace {ns}")
        # Through the Namespace annotation a setting never changes names.
        return (Attached(infra, "") if infra is not None else None), problem

    def _warn_once(self, key: str, summary: str, detail: str, obj: KubeObject) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._diags.warning(summary, detail, subject=obj.source)


# -- what a setting changes (buildWithInfraSetting, buildPoolWithInfraSetting) ---------------

def se_group(settings: AkoSettings, infra: Infra | None) -> str:
    return infra.se_group if infra is not None and infra.se_group else settings.se_group_name


def rhi(settings: AkoSettings, infra: Infra | None) -> bool:
    if infra is not None and infra.enable_rhi is not None:
        return infra.enable_rhi
    return settings.enable_rhi


def bgp_peer_labels(settings: AkoSettings, infra: Infra | None) -> tuple[str, ...]:
    if not rhi(settings, infra):
        return ()
    if infra is not None and infra.bgp_peer_labels is not None:
        return infra.bgp_peer_labels
    return settings.bgp_peer_labels


def vip_networks(settings: AkoSettings, infra: Infra | None) -> tuple[VipNetwork, ...]:
    return infra.vip_networks if infra is not None and infra.vip_networks else \
        settings.vip_networks


def node_networks(settings: AkoSettings, infra: Infra | None) -> tuple[NodeNetwork, ...]:
    return infra.node_networks if infra is not None and infra.node_networks else \
        settings.node_networks


def t1lr(settings: AkoSettings, infra: Infra | None) -> str:
    return infra.t1lr if infra is not None and infra.t1lr is not None else settings.nsxt_t1lr


def merge_listeners(services: list[dict[str, Any]], infra: Infra | None,
                    ) -> list[dict[str, Any]]:
    """``buildListenerPortsWithInfraSetting``: a listener replaces the service with its
    port, else is appended."""
    if infra is None or not infra.listeners:
        return services
    out = list(services)
    for li in infra.listeners:
        entry = {"port": li.port, "enable_ssl": li.enable_ssl, "port_range_end": li.port,
                 "enable_http2": li.enable_http2}
        for i, svc in enumerate(out):
            if svc.get("port") == li.port:
                out[i] = entry
                break
        else:
            out.append(entry)
    return out




def _opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _parse(obj: KubeObject) -> Infra:
    network = as_dict(obj.spec.get("network"))
    vips = tuple(VipNetwork(str(v.get("networkName") or ""), str(v.get("networkUUID") or ""),
                            str(v.get("cidr") or ""), str(v.get("v6cidr") or ""))
                 for v in as_list(network.get("vipNetworks")) if isinstance(v, dict))
    nodes = tuple(NodeNetwork(str(n.get("networkName") or ""), str(n.get("networkUUID") or ""),
                              tuple(str(c) for c in as_list(n.get("cidrs"))))
                  for n in as_list(network.get("nodeNetworks")) if isinstance(n, dict))
    listeners = tuple(InfraListener(int(li["port"]), bool(li.get("enableSSL")),
                                    bool(li.get("enableHTTP2")))
                      for li in as_list(network.get("listeners"))
                      if isinstance(li, dict) and isinstance(li.get("port"), int))
    labels = network.get("bgpPeerLabels")
    shard = str(as_dict(obj.spec.get("l7Settings")).get("shardSize") or "")
    t1lr = as_dict(obj.spec.get("nsxSettings")).get("t1lr")
    return Infra(
        name=obj.name,
        se_group=str(as_dict(obj.spec.get("seGroup")).get("name") or ""),
        vip_networks=vips,
        node_networks=nodes,
        enable_rhi=_opt_bool(network.get("enableRhi")),
        bgp_peer_labels=tuple(str(x) for x in labels) if isinstance(labels, list) else None,
        enable_public_ip=_opt_bool(network.get("enablePublicIP")),
        listeners=listeners,
        # ShardSizeMap lookup: an unknown name gives 0, i.e. DEDICATED, as in AKO.
        shard_size=SHARD_SIZES.get(shard, 0) if shard else None,
        t1lr=str(t1lr) if isinstance(t1lr, str) else None,
    )


def _validate(obj: KubeObject, statuses: CrdStatuses, cloud_type: str,
              ) -> tuple[Infra | None, str]:
    """``ValidateAviInfraSetting``; returns (setting, "") or (None, AKO's error)."""
    infra = _parse(obj)
    error = ""
    if not infra.enable_rhi and infra.bgp_peer_labels:
        error = "BGPPeerLabels cannot be set if EnableRhi is false."
    for net in infra.vip_networks:
        if error:
            break
        if net.cidr and not _V4_CIDR.match(net.cidr):
            error = (f"invalid CIDR configuration {net.cidr} detected for networkName "
                     f"{net.network_name} in vipNetworkList")
        elif net.v6cidr and not _V6_CIDR.match(net.v6cidr):
            error = (f"invalid IPv6 CIDR configuration {net.v6cidr} detected for networkName "
                     f"{net.network_name} in vipNetworkList")
    if not error and infra.listeners and not any(li.enable_ssl for li in infra.listeners):
        error = "One of the port in aviInfraSetting must have SSL enabled"
    if not error:
        error = statuses.missing_ref(_refs(infra, cloud_type))
    if error:
        statuses.reject(KIND, obj, error, cluster_scoped=True,
                        consequence="Ingresses using it are not processed; LoadBalancer "
                        "Services using it get the global settings.")
        return None, error
    return infra, ""


def _refs(infra: Infra, cloud_type: str) -> list[AviRef]:
    refs = []
    if cloud_type not in _UNCHECKED_NETWORK_CLOUDS:
        # A networkUUID is looked up by uuid in AKO; the facts know names, so only names
        # are checked here (DECISIONS.md).
        refs += [AviRef("spec.network.vipNetworks", "network", n.network_name)
                 for n in infra.vip_networks if not n.network_uuid]
        refs += [AviRef("spec.network.nodeNetworks", "network", n.network_name)
                 for n in infra.node_networks if not n.network_uuid]
    refs.append(AviRef("spec.seGroup.name", "serviceenginegroup", infra.se_group))
    return refs


def references(obj: KubeObject) -> list[AviRef]:
    """The Avi objects an AviInfraSetting names (what the controller is asked about)."""
    return _refs(_parse(obj), "")
