"""A fake Kubernetes API server on loopback, for tests of the live-cluster reader.

A live Kubernetes API cannot run here, so this serves the few list endpoints the translator
reads (with ``limit``/``continue`` paging and bearer-token auth) plus the ``avi-k8s-config``
ConfigMap, from objects given as dicts. ``kubeconfig(path)`` writes a kubeconfig pointing at it.
Only for tests: it binds 127.0.0.1 and keeps everything in memory.

``synthetic_cluster`` builds a large, deterministic cluster (Nodes, LoadBalancer Services with
EndpointSlices, Ingresses, TLS Secrets) for scaling tests and the translation benchmark.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml

TOKEN = "s3cr3t-token-value"
PATHS = {
    "/api/v1/namespaces": "Namespace", "/api/v1/nodes": "Node",
    "/api/v1/services": "Service", "/apis/discovery.k8s.io/v1/endpointslices": "EndpointSlice",
    "/apis/networking.k8s.io/v1/ingressclasses": "IngressClass",
    "/apis/networking.k8s.io/v1/ingresses": "Ingress", "/api/v1/secrets": "Secret",
    "/api/v1/pods": "Pod",
    "/apis/ako.vmware.com/v1beta1/hostrules": "HostRule",
    "/apis/route.openshift.io/v1/routes": "Route",
}
CONFIGMAP_PATH = "/api/v1/namespaces/avi-system/configmaps/avi-k8s-config"


CRD_EVERY = 10  # with ``crds``: one Service and one Ingress in ten carry CRDs
BENCH_INFRA = "bench-infra"
# What the synthetic CRDs name on the controller (ControllerFacts.avi_objects).
SYNTHETIC_AVI_OBJECTS = frozenset({
    ("serviceenginegroup", "bench-seg"), ("network", "bench-vip"), ("wafpolicy", "bench-waf"),
    ("applicationprofile", "bench-http"), ("analyticsprofile", "bench-analytics"),
    ("httppolicyset", "bench-policy"), ("healthmonitor", "bench-hm"),
    ("networksecuritypolicy", "bench-nsp"), ("securitypolicy", "bench-sec")})


def synthetic_cluster(nodes: int, services: int, ingresses: int, *,
                      namespaces: int = 50, crds: bool = False) -> list[dict[str, Any]]:
    """A default IngressClass, ``nodes`` Nodes, ``services`` LoadBalancer Services (each with an
    EndpointSlice of three ready endpoints) and ``ingresses`` Ingresses over ``namespaces``
    namespaces. Seven Ingresses in ten route two paths of an insecure host; the rest route one
    path of a TLS host and come with their Secret. The same arguments give the same objects.

    ``crds``: the same cluster where one Service in ten has an L4Rule and the AviInfraSetting
    ``bench-infra`` (annotations), and one Ingress in ten uses an IngressClass whose parameters
    name that setting and has a HostRule and an HTTPRule for its host; the CRDs name only
    ``SYNTHETIC_AVI_OBJECTS``."""
    objects: list[dict[str, Any]] = [
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "avi-lb", "annotations": {
             "ingressclass.kubernetes.io/is-default-class": "true"}},
         "spec": {"controller": "ako.vmware.com/avi-lb"}}]
    if crds:
        objects.extend(_synthetic_infra())
    for i in range(nodes):
        objects.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i:05d}"},
                        "spec": {"podCIDR": f"10.{64 + i // 256}.{i % 256}.0/24"},
                        "status": {"addresses": [{"type": "InternalIP",
                                                  "address": f"172.16.{i // 256}.{i % 256}"}]}})
    for i in range(services):
        ns, name = f"ns-{i % namespaces}", f"svc-{i}"
        service: dict[str, Any] = {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"type": "LoadBalancer",
                     "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
        if crds and i % CRD_EVERY == CRD_EVERY - 1:
            service["metadata"]["annotations"] = {
                "aviinfrasetting.ako.vmware.com/name": BENCH_INFRA,
                "ako.vmware.com/l4rule": f"{name}-l4"}
            objects.append(_synthetic_l4rule(f"{name}-l4", ns))
        objects.append(service)
        objects.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                        "metadata": {"name": f"{name}-x1", "namespace": ns,
                                     "labels": {"kubernetes.io/service-name": name}},
                        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
                        "endpoints": [{"addresses": [f"10.{i // 65536}.{i // 256 % 256}.{k}"],
                                       "conditions": {"ready": True},
                                       "nodeName": f"node-{(i + k) % max(nodes, 1):05d}"}
                                      for k in range(3)]})
    for i in range(ingresses):
        with_crds = crds and i % CRD_EVERY == CRD_EVERY - 1
        objects.extend(_synthetic_ingress(i, f"ns-{i % namespaces}",
                                          f"svc-{i % max(services, 1)}", with_crds))
    return objects


def _synthetic_infra() -> list[dict[str, Any]]:
    return [
        {"apiVersion": "ako.vmware.com/v1beta1", "kind": "AviInfraSetting",
         "metadata": {"name": BENCH_INFRA},
         "spec": {"seGroup": {"name": "bench-seg"},
                  "network": {"vipNetworks": [{"networkName": "bench-vip"}], "enableRhi": True,
                              "bgpPeerLabels": ["peer1"]},
                  "l7Settings": {"shardSize": "MEDIUM"}}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "avi-lb-infra"},
         "spec": {"controller": "ako.vmware.com/avi-lb",
                  "parameters": {"apiGroup": "ako.vmware.com", "kind": "AviInfraSetting",
                                 "name": BENCH_INFRA}}}]


def _synthetic_l4rule(name: str, ns: str) -> dict[str, Any]:
    return {"apiVersion": "ako.vmware.com/v1alpha2", "kind": "L4Rule",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"analyticsProfileRef": "bench-analytics",
                     "securityPolicyRef": "bench-sec",
                     "performanceLimits": {"maxConcurrentConnections": 100},
                     "backendProperties": [{"port": 80, "protocol": "TCP",
                                            "healthMonitorRefs": ["bench-hm"],
                                            "lbAlgorithm": "LB_ALGORITHM_ROUND_ROBIN"}]}}


def _synthetic_rules(i: int, ns: str, host: str) -> list[dict[str, Any]]:
    return [
        {"apiVersion": "ako.vmware.com/v1beta1", "kind": "HostRule",
         "metadata": {"name": f"hr-{i}", "namespace": ns},
         "spec": {"virtualhost": {"fqdn": host, "wafPolicy": "bench-waf",
                                  "applicationProfile": "bench-http",
                                  "analyticsProfile": "bench-analytics",
                                  "httpPolicy": {"policySets": ["bench-policy"]},
                                  "analyticsPolicy": {"logAllHeaders": True}}}},
        {"apiVersion": "ako.vmware.com/v1beta1", "kind": "HTTPRule",
         "metadata": {"name": f"rr-{i}", "namespace": ns},
         "spec": {"fqdn": host, "paths": [{"target": "/", "healthMonitors": ["bench-hm"],
                                           "loadBalancerPolicy": {
                                               "algorithm": "LB_ALGORITHM_LEAST_CONNECTIONS"}}]}}]


def _synthetic_ingress(i: int, ns: str, svc: str, with_crds: bool = False,
                       ) -> list[dict[str, Any]]:
    backend = {"service": {"name": svc, "port": {"number": 80}}}
    host = f"app-{i}.example.com"
    out: list[dict[str, Any]] = _synthetic_rules(i, ns, host) if with_crds else []
    spec: dict[str, Any]
    if i % 10 < 7:
        spec = {"rules": [{"host": host, "http": {"paths": [
            {"path": "/api", "pathType": "Prefix", "backend": backend},
            {"path": "/web", "pathType": "Prefix", "backend": backend}]}}]}
    else:
        spec = {"tls": [{"hosts": [host], "secretName": f"tls-{i}"}],
                "rules": [{"host": host, "http": {"paths": [
                    {"path": "/", "pathType": "Prefix", "backend": backend}]}}]}
        out.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                    "metadata": {"name": f"tls-{i}", "namespace": ns},
                    "stringData": {"tls.crt": "CERT", "tls.key": "KEY"}})
    if with_crds:
        spec["ingressClassName"] = "avi-lb-infra"
    out.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": f"ing-{i}", "namespace": ns}, "spec": spec})
    return out


class FakeKubeApi:
    """Serves ``objects`` (Kubernetes objects as dicts) and ``configmap``; records requests.
    ``fail[path] = status`` makes that list endpoint fail."""

    def __init__(self, objects: Sequence[Mapping[str, Any]],
                 configmap: Mapping[str, Any] | None = None) -> None:
        self.objects: dict[str, list[dict[str, Any]]] = {}
        for obj in objects:
            self.objects.setdefault(str(obj["kind"]), []).append(dict(obj))
        self.configmap = dict(configmap) if configmap is not None else None
        self.requests: list[str] = []
        self.fail: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeKubeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeKubeApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kubeconfig(self, path: Path, context: str = "demo") -> Path:
        path.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {"token": TOKEN}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}]}))
        return path

    def page(self, path: str, query: Mapping[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if path in self.fail:
            return self.fail[path], {"kind": "Status", "reason": "Forbidden"}
        if path == CONFIGMAP_PATH and self.configmap is not None:
            return 200, self.configmap
        kind = PATHS.get(path)
        if kind is None:
            return 404, {"kind": "Status", "code": 404}
        items = self.objects.get(kind, [])
        if kind == "Secret" and query.get("fieldSelector") != ["type=kubernetes.io/tls"]:
            return 400, {"kind": "Status", "reason": "expected the TLS field selector"}
        limit = int(query.get("limit", ["500"])[0])
        start = int(query.get("continue", ["0"])[0])
        more = str(start + limit) if start + limit < len(items) else ""
        # Real list items carry no kind/apiVersion.
        return 200, {"kind": f"{kind}List", "apiVersion": "v1",
                     "metadata": {"continue": more} if more else {},
                     "items": [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")}
                               for o in items[start:start + limit]]}


def _handler(api: FakeKubeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            api.requests.append(self.path)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, body = 401, {"kind": "Status", "code": 401, "reason": "Unauthorized"}
            else:
                status, body = api.page(url.path, parse_qs(url.query))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
