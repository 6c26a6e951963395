"""Reading a live cluster through the official client, against a loopback HTTP server that
speaks the few Kubernetes list endpoints the translator uses (with paging and auth)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

pytest.importorskip("kubernetes")

from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.ingest import load_manifests
from albform.modules.k8s.live import load_live, load_live_settings
from albform.modules.k8s.translate import translate

DEMO = Path(__file__).resolve().parents[3] / "examples" / "lb-demo"
TOKEN = "s3cr3t-token-value"
PATHS = {
    "/api/v1/namespaces": "Namespace", "/api/v1/nodes": "Node",
    "/api/v1/services": "Service", "/apis/discovery.k8s.io/v1/endpointslices": "EndpointSlice",
    "/apis/networking.k8s.io/v1/ingressclasses": "IngressClass",
    "/apis/networking.k8s.io/v1/ingresses": "Ingress", "/api/v1/secrets": "Secret",
    "/api/v1/pods": "Pod",
}


class FakeApi:
    def __init__(self, objects: dict[str, list[dict[str, Any]]], configmap: dict[str, Any]):
        self.objects, self.configmap = objects, configmap
        self.requests: list[str] = []
        self.fail: dict[str, int] = {}


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            api.requests.append(self.path)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"kind": "Status", "code": 401, "reason": "Unauthorized"})
                return
            if url.path in api.fail:
                self._send(api.fail[url.path], {"kind": "Status", "reason": "Forbidden"})
                return
            if url.path == "/api/v1/namespaces/avi-system/configmaps/avi-k8s-config":
                self._send(200, api.configmap)
                return
            kind = PATHS.get(url.path)
            if kind is None:
                self._send(404, {"kind": "Status", "code": 404})
                return
            items = api.objects.get(kind, [])
            if kind == "Secret":
                assert query.get("fieldSelector") == ["type=kubernetes.io/tls"]
            limit = int(query.get("limit", ["500"])[0])
            start = int(query.get("continue", ["0"])[0])
            page = items[start:start + limit]
            more = str(start + limit) if start + limit < len(items) else ""
            # Real list items carry no kind/apiVersion.
            self._send(200, {"kind": f"{kind}List", "apiVersion": "v1",
                             "metadata": {"continue": more} if more else {},
                             "items": [{k: v for k, v in o.items()
                                        if k not in ("kind", "apiVersion")} for o in page]})

    return Handler


@pytest.fixture
def fake_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeApi, Path]]:
    objects, diags = load_manifests([DEMO / "manifests"])
    assert not diags
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj.kind, []).append(dict(obj.data))
    cm = yaml.safe_load((DEMO / "avi-k8s-config.yaml").read_text())
    api = FakeApi(by_kind, cm)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "demo",
        "clusters": [{"name": "demo", "cluster": {
            "server": f"http://127.0.0.1:{server.server_address[1]}"}}],
        "users": [{"name": "demo", "user": {"token": TOKEN}}],
        "contexts": [{"name": "demo", "context": {"cluster": "demo", "user": "demo"}}]}))
    monkeypatch.setattr("albform.modules.k8s.live.PAGE_SIZE", 1)
    try:
        yield api, kubeconfig
    finally:
        server.shutdown()
        server.server_close()


def test_live_objects_translate_like_the_manifests(fake_api: tuple[FakeApi, Path]) -> None:
    api, kubeconfig = fake_api
    live, diags = load_live(kubeconfig=str(kubeconfig), context="demo")
    assert not diags, [str(d) for d in diags]
    assert sorted(o.kind for o in live) == ["EndpointSlice", "Node", "Node", "Node", "Service"]
    # PAGE_SIZE=1: three nodes took three pages.
    assert sum(r.startswith("/api/v1/nodes") for r in api.requests) == 3
    files, _ = load_manifests([DEMO / "manifests"])
    settings, _ = load_live_settings(kubeconfig=str(kubeconfig), context="demo")
    assert settings is not None and settings.cluster_name == "kubeadm-cluster"
    from_live, _ = translate(live, settings, ControllerFacts())
    from_files, _ = translate(files, settings, ControllerFacts())
    assert from_live.to_json() == from_files.to_json()
    assert len(from_live.objects) == 7


def test_api_errors_become_diagnostics_without_credentials(
        fake_api: tuple[FakeApi, Path]) -> None:
    api, kubeconfig = fake_api
    api.fail["/apis/discovery.k8s.io/v1/endpointslices"] = 403
    objects, diags = load_live(kubeconfig=str(kubeconfig))
    assert objects == []
    assert [d.summary for d in diags] == ["Cannot read the cluster"]
    assert "EndpointSlice" in diags[0].detail and "403" in diags[0].detail
    assert TOKEN not in str(diags[0])


def test_missing_kubeconfig_is_a_diagnostic(tmp_path: Path) -> None:
    objects, diags = load_live(kubeconfig=str(tmp_path / "missing"))
    assert objects == [] and diags.has_errors()
    assert "Kubernetes configuration" in diags[0].detail
