"""Pool servers per ``serviceType`` (docs/ako-translation.md §4.3, 6): ClusterIP from
EndpointSlices, NodePort
from Nodes, NodePortLocal from Antrea's pod annotations. Mirrors AKO's ``PopulateServers*``
(internal/nodes/avi_model_l4_translator.go), including its port-matching quirks.

Each function returns ``(pool_port, servers)`` where servers are finished API ``servers[]``
entries (REST layer: ``port`` = own port or the pool's, ``external_uuid`` = "<ip>:<port>").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from albform.modules.k8s.context import Context, ip_type, service_families
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.nodes import node_addresses

NPL_POD_ANNOTATION = "nodeportlocal.antrea.io"


def target_port_int(port: Mapping[str, Any]) -> int:
    """``TargetPort.IntVal``: numeric targetPort (defaults to the port), 0 for a name."""
    target = port.get("targetPort", port.get("port"))
    return target if isinstance(target, int) else 0


def servers_for(ctx: Context, svc: KubeObject, port: Mapping[str, Any], *,
                ingress: bool) -> tuple[int, list[dict[str, Any]]]:
    """Dispatch on ``serviceType``; ``port`` is the Service port the pool is for."""
    mode = ctx.settings.service_type
    svc_type = svc.spec.get("type", "ClusterIP")
    if ingress and svc_type == "LoadBalancer" and not ctx.settings.layer7_only and \
            mode != "NodePort":
        return int(port.get("port", 0)), []  # AKO's ClusterIP store skips LB Services
    if mode == "NodePort":
        return _nodeport(ctx, svc, port)
    if mode == "NodePortLocal":
        if ingress and svc_type == "NodePort":
            return int(port.get("port", 0)), []
        return _npl(ctx, svc, port)
    return _clusterip(ctx, svc, port)


def _ready(conditions: Mapping[str, Any] | None) -> bool:
    conditions = conditions or {}
    return conditions.get("ready") is True and conditions.get("terminating") is not True


def _server(addr: str, atype: str, port: int, *, enabled: bool | None = None,
            node: str = "") -> dict[str, Any]:
    server: dict[str, Any] = {"ip": {"addr": addr, "type": atype}, "port": port,
                              "external_uuid": f"{addr}:{port}"}
    if enabled is not None:
        server["enabled"] = enabled
    if node:
        server["server_node"] = node
    return server


def _clusterip(ctx: Context, svc: KubeObject, port: Mapping[str, Any]
               ) -> tuple[int, list[dict[str, Any]]]:
    slices = sorted(ctx.index.slices.get((svc.namespace, svc.name), ()), key=lambda s: s.name)
    fam4, fam6 = service_families(svc.spec)
    port_name = str(port.get("name") or "")
    target = target_port_int(port)
    pool_port = int(port.get("port", 0))
    found: list[tuple[str, str, bool, str]] = []
    seen: set[tuple[str, int, str, str]] = set()
    any_matched = False
    for eps in slices:
        eps_ports = eps.data.get("ports") or []
        matched = None
        for p in eps_ports:
            if (p.get("name") is not None and p.get("name") == port_name) or \
                    (p.get("port") is not None and p.get("port") == target):
                matched = p
                break
        if len(slices) == 1 and len(eps_ports) == 1:
            matched = eps_ports[0]
        if matched is None:
            continue
        any_matched = True
        pool_port = int(matched.get("port") or 0)
        protocol = str(matched.get("protocol") or "TCP")
        for ep in eps.data.get("endpoints") or []:
            addresses = ep.get("addresses") or []
            if not addresses:
                continue
            addr = str(addresses[0])
            key = (addr, pool_port, protocol, str(eps.data.get("addressType") or ""))
            if key in seen:
                continue
            seen.add(key)
            atype = ip_type(addr)
            if not ((atype == "V4" and ctx.v4 and fam4) or (atype == "V6" and ctx.v6 and fam6)):
                continue
            found.append((addr, atype, _ready(ep.get("conditions")), str(ep.get("nodeName") or "")))
    if slices and not any_matched:
        ctx.warn_once(f"eps-port/{svc.namespace}/{svc.name}/{port_name}/{target}",
                      "Service port has no endpoints",
                      f"Service {svc.namespace}/{svc.name} port {port.get('port')}: targetPort "
                      f"{port.get('targetPort', port.get('port'))!r} matches no port of its "
                      "EndpointSlices; AKO gives the pool no servers.", svc.source)
    # The REST layer reads the pool port once, after every slice was matched.
    return pool_port, [_server(a, t, pool_port, enabled=e, node=n) for a, t, e, n in found]


def _nodeport(ctx: Context, svc: KubeObject, port: Mapping[str, Any]
              ) -> tuple[int, list[dict[str, Any]]]:
    pool_port = int(port.get("port", 0))
    if svc.spec.get("type", "ClusterIP") == "ClusterIP":
        return pool_port, []
    fam4, fam6 = service_families(svc.spec)
    ports = svc.spec.get("ports") or []
    key, value = ctx.settings.node_key, ctx.settings.node_value
    local = svc.spec.get("externalTrafficPolicy") == "Local"
    local_nodes = _endpoint_nodes(ctx, svc) if local else {}
    servers: list[dict[str, Any]] = []
    for p in ports:
        if p.get("name", "") != port.get("name", "") and len(ports) != 1:
            continue
        pool_port = int(p.get("nodePort") or 0)
        for node in ctx.index.nodes:
            if key and node.labels.get(key) != value:
                continue
            has4 = has6 = True
            if local:
                has4, has6 = local_nodes.get(node.name, (False, False))
                if not has4 and not has6:
                    continue
            ip4, ip6 = node_addresses(node, ctx.settings.cni_plugin, v4=ctx.v4, v6=ctx.v6)
            if ctx.v4 and fam4 and ip4 and has4:
                servers.append({"ip": {"addr": ip4, "type": "V4"}})
            elif ctx.v6 and fam6 and ip6 and has6:
                servers.append({"ip": {"addr": ip6, "type": "V6"}})
    for s in servers:
        s["port"] = pool_port
        s["external_uuid"] = f"{s['ip']['addr']}:{pool_port}"
    return pool_port, servers


def _endpoint_nodes(ctx: Context, svc: KubeObject) -> dict[str, tuple[bool, bool]]:
    """Nodes hosting a ready endpoint of ``svc``, per address family."""
    out: dict[str, tuple[bool, bool]] = {}
    for eps in ctx.index.slices.get((svc.namespace, svc.name), ()):
        for ep in eps.data.get("endpoints") or []:
            node = ep.get("nodeName")
            if not node or not _ready(ep.get("conditions")) or not ep.get("addresses"):
                continue
            atype = ip_type(str(ep["addresses"][0]))
            v4, v6 = out.get(node, (False, False))
            out[node] = (v4 or atype == "V4", v6 or atype == "V6")
    return out


def _npl(ctx: Context, svc: KubeObject, port: Mapping[str, Any]
         ) -> tuple[int, list[dict[str, Any]]]:
    pool_port = int(port.get("port", 0))
    selector = svc.spec.get("selector") or {}
    if not selector:
        return pool_port, []
    pods = [p for p in sorted(ctx.index.pods.get(svc.namespace, ()), key=lambda p: p.name)
            if all(p.labels.get(k) == v for k, v in selector.items()) and not _pod_not_ready(p)]
    target = port.get("targetPort", port.get("port"))
    fam4, fam6 = service_families(svc.spec)
    conditions = _pod_conditions(ctx, svc, port, {p.name for p in pods})
    servers = []
    for pod in pods:
        want = target if isinstance(target, int) else _container_port(pod, str(target))
        try:
            entries = json.loads(pod.annotations.get(NPL_POD_ANNOTATION) or "[]")
        except json.JSONDecodeError:
            continue
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue  # Antrea writes objects; anything else is not a mapping to use
            node_ip = str(entry.get("nodeIP") or "")
            atype = ip_type(node_ip)
            if not ((atype == "V4" and ctx.v4 and fam4) or (atype == "V6" and ctx.v6 and fam6)):
                continue
            if entry.get("podPort") != want:
                continue
            node_port = int(entry.get("nodePort") or 0)
            servers.append(_server(node_ip, atype, node_port,
                                   enabled=conditions.get(pod.name, True)))
    return pool_port, servers


def _pod_not_ready(pod: KubeObject) -> bool:
    for cond in (pod.data.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready" and cond.get("status") == "False":
            return True
    return False


def _container_port(pod: KubeObject, name: str) -> int:
    for container in pod.spec.get("containers") or []:
        for cport in container.get("ports") or []:
            if cport.get("name") == name:
                return int(cport.get("containerPort") or 0)
    return 0


def _pod_conditions(ctx: Context, svc: KubeObject, port: Mapping[str, Any],
                    pods: set[str]) -> dict[str, bool]:
    target, name = target_port_int(port), str(port.get("name") or "")
    out: dict[str, bool] = {}
    for eps in ctx.index.slices.get((svc.namespace, svc.name), ()):
        if not any((p.get("port") is not None and p.get("port") == target) or
                   (p.get("name") is not None and p.get("name") == name)
                   for p in eps.data.get("ports") or []):
            continue
        for ep in eps.data.get("endpoints") or []:
            ref = (ep.get("targetRef") or {}).get("name")
            if ref in pods and ref not in out:
                out[ref] = _ready(ep.get("conditions"))
    return out
