"""The HTTP transport decides proxy and TLS once, from the configuration and the environment
as requests reads it, and hands back whole answers with their cookies — over real loopback
HTTP(S): a recording proxy, the TLS emulator, a server setting cookies."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from albform.provider.client import AviConfigError, AviTlsError, AviTransportError, ClientConfig
from albform.provider.client.transport import HttpTransport


@dataclass
class Recorder:
    """A loopback HTTP server that answers every request itself (as a proxy or as the
    controller) and records the request line and headers."""

    url: str = ""
    lines: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)  # names lower-cased
    set_cookies: list[str] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            rec.connections += 1

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            rec.lines.append(f"{self.command} {self.path}")
            rec.headers.append({k.lower(): v for k, v in self.headers.items()})
            payload = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            for cookie in rec.set_cookies:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment without any proxy or CA bundle settings of the machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE",
                 "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def test_the_environments_proxy_carries_the_requests(recorder, env):
    env.setenv("HTTP_PROXY", recorder.url)
    controller = "http://controller.invalid:8080"
    transport = HttpTransport(ClientConfig(controller=controller, password="pw"))
    reply = transport.send("GET", controller + "/api/pool", params={"name": "a b"},
                           headers={"Accept": "application/json"})
    assert reply.status == 200 and json.loads(reply.content) == {"ok": True}
    # Absolute-form request line: the proxy was asked to reach the controller.
    assert recorder.lines == [f"GET {controller}/api/pool?name=a+b"]


def test_no_proxy_bypasses_the_proxy(recorder, env):
    env.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    env.setenv("NO_PROXY", "127.0.0.1")
    transport = HttpTransport(ClientConfig(controller=recorder.url, password="pw"))
    assert transport.send("GET", recorder.url + "/api/pool", headers={}).status == 200
    assert recorder.lines == ["GET /api/pool"]  # origin-form: sent straight to the server


def test_proxy_credentials_become_proxy_authorization(recorder, env):
    controller = "http://controller.invalid"
    env.setenv("ALL_PROXY", recorder.url.replace("http://", "http://user:secret@"))
    transport = HttpTransport(ClientConfig(controller=controller, password="pw"))
    transport.send("GET", controller + "/api/pool", headers={})
    assert recorder.headers[0]["proxy-authorization"] == "Basic dXNlcjpzZWNyZXQ="


def test_a_socks_proxy_is_refused_clearly(env):
    env.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(AviConfigError, match="only http:// and https:// proxies"):
        HttpTransport(ClientConfig(controller="https://ctrl.example", password="pw"))


def test_answers_carry_their_cookies_without_attributes(recorder, env):
    recorder.set_cookies = ["csrftoken=tok123; expires=Fri, 01 Jan 2100 00:00:00 GMT; "
                            "Max-Age=31449600; Path=/; Secure",
                            "avi-sessionid=sid456; HttpOnly; Path=/; Secure"]
    transport = HttpTransport(ClientConfig(controller=recorder.url, password="pw"))
    reply = transport.send("POST", recorder.url + "/login", json_body={"username": "admin"},
                           headers={})
    assert dict(reply.cookies) == {"csrftoken": "tok123", "avi-sessionid": "sid456"}
    assert recorder.headers[0]["content-type"] == "application/json"
    assert recorder.headers[0]["accept-encoding"] == "gzip, deflate"


def test_requests_ca_bundle_is_trusted_unless_a_bundle_is_configured(tmp_path, env):
    emulator_mod = pytest.importorskip("albform.provider.emulator")
    other = tmp_path / "other.pem"
    with emulator_mod.start_emulator(tls=True, password="pw") as emu:
        other.write_text(emu.cert_path.read_text())
        untrusted = HttpTransport(ClientConfig(controller=emu.url, password="pw"))
        env.setenv("REQUESTS_CA_BUNDLE", str(emu.cert_path))
        trusted = HttpTransport(ClientConfig(controller=emu.url, password="pw"))
        assert trusted.send("GET", emu.url + "/api/cluster/status", headers={}).status == 200
        # The configured bundle wins over the environment's.
        env.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/system.pem")
        configured = HttpTransport(
            ClientConfig(controller=emu.url, password="pw", ca_bundle=str(other)))
        assert configured.send("GET", emu.url + "/api/cluster/status",
                               headers={}).status == 200
        with pytest.raises(AviTlsError, match="certificate verify failed"):
            untrusted.send("GET", emu.url + "/api/cluster/status", headers={})


def test_the_controllers_origin_reuses_its_connections_and_other_origins_still_work(
        recorder, env):
    """Requests to the controller go straight to its pool (no look-up per request) on
    keep-alive connections, with the request line the manager would send; a URL on another
    origin (``localhost`` for ``127.0.0.1``) is still answered, through the manager."""
    looked_up: list[str] = []
    find = urllib3.PoolManager.connection_from_host

    def counted(self, host, *args, **kwargs):
        looked_up.append(host)
        return find(self, host, *args, **kwargs)

    env.setattr(urllib3.PoolManager, "connection_from_host", counted)
    transport = HttpTransport(ClientConfig(controller=recorder.url, password="pw"))
    for _ in range(5):
        transport.send("GET", recorder.url + "/api/pool/a b", params={"name": "x"},
                       headers={})
    other = recorder.url.replace("127.0.0.1", "localhost")
    assert transport.send("GET", other + "/api/vrfcontext", headers={}).status == 200
    transport.close()
    assert recorder.lines == ["GET /api/pool/a%20b?name=x"] * 5 + ["GET /api/vrfcontext"]
    assert {h["host"] for h in recorder.headers[:5]} == {recorder.url.removeprefix("http://")}
    assert recorder.connections == 2  # one kept alive for the controller, one for localhost
    assert looked_up == ["localhost"]


def test_the_transport_itself_never_retries_nor_follows_redirects(env):
    """Retrying is the session's policy: a dropped exchange is tried once and raised, a
    redirect is handed back as the answer (urllib3 does neither on its own)."""
    requests_seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            requests_seen.append(self.path)
            if self.path == "/api/drop":
                self.close_connection = True  # no answer at all
                return
            self.send_response(302)
            self.send_header("Location", "/api/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    transport = HttpTransport(ClientConfig(controller=url, password="pw"))
    try:
        with pytest.raises(AviTransportError) as dropped:
            transport.send("GET", url + "/api/drop", headers={})
        assert dropped.value.request_sent
        moved = transport.send("GET", url + "/api/moved", headers={})
        assert moved.status == 302 and moved.headers["Location"] == "/api/elsewhere"
        assert requests_seen == ["/api/drop", "/api/moved"]
    finally:
        transport.close()
        server.shutdown()
        server.server_close()
