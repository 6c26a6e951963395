"""Fixtures for the client tests: a loopback replay server built from the recorded
controller cassettes, the emulator, and a retry policy that never really sleeps."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from albform.provider.client import RetryPolicy

SKIP_RESPONSE_HEADERS = {"transfer-encoding", "content-length", "connection", "date"}


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class CassetteServer:
    """Answers requests with recorded controller responses, in recorded order per
    (method, path), the recorded query parameters having to be present in the request.
    ``POST /login`` always gets the recorded login answer. Unknown requests get 599."""

    login: dict[str, Any]
    interactions: list[dict[str, Any]]
    seen: list[Seen] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    url: str = ""
    login_answers: list[dict[str, Any]] = field(default_factory=list)  # before the recorded
    _used: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        if method == "POST" and path == "/login":
            if self.login_answers:
                return self.login_answers.pop(0)
            return self.login["response"]
        if method == "POST" and path == "/logout":
            return {"status": {"code": 200}, "headers": {}, "body": {"string": "{}"}}
        with self._lock:
            for index, interaction in enumerate(self.interactions):
                if index in self._used:
                    continue
                recorded = urlsplit(interaction["request"]["uri"])
                wanted = dict(parse_qsl(recorded.query, keep_blank_values=True))
                if (interaction["request"]["method"] == method and recorded.path == path
                        and all(params.get(k) == v for k, v in wanted.items())):
                    self._used.add(index)
                    return interaction["response"]
        self.misses.append(f"{method} {path} {params}")
        return None

    @property
    def unused(self) -> list[str]:
        return [f"{i['request']['method']} {i['request']['uri']}"
                for n, i in enumerate(self.interactions) if n not in self._used]


def _handler(server: CassetteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.seen.append(Seen(self.command, parts.path, params, dict(self.headers), body))
            recorded = server.answer(self.command, parts.path, params)
            if recorded is None:
                payload = json.dumps({"error": "no recorded answer"}).encode()
                self.send_response(599)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            raw = recorded.get("body", {})
            text = raw.get("string", "") if isinstance(raw, dict) else (raw or "")
            payload = text.encode() if isinstance(text, str) else bytes(text)
            self.send_response(recorded["status"]["code"])
            for name, values in recorded.get("headers", {}).items():
                if name.lower() in SKIP_RESPONSE_HEADERS:
                    continue
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


@pytest.fixture(scope="session")
def cassette_dir(shared_dir: Path) -> Path:
    path = shared_dir / "avi" / "cassettes"
    if not path.is_dir():
        pytest.skip("../shared/avi/cassettes is absent")
    return path


@pytest.fixture
def cassette(cassette_dir: Path):
    """``cassette("test_basic_vs")`` starts a replay server for that recording."""
    servers: list[ThreadingHTTPServer] = []

    def start(name: str) -> CassetteServer:
        login = json.loads((cassette_dir / "setUpModule.json").read_text())["interactions"][0]
        recorded = json.loads((cassette_dir / f"{name}.json").read_text())["interactions"]
        replay = CassetteServer(login=login, interactions=[
            i for i in recorded if urlsplit(i["request"]["uri"]).path != "/login"])
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replay))
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        servers.append(httpd)
        replay.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        return replay

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class SleepRecorder:
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def fast_retry(sleeps: SleepRecorder) -> RetryPolicy:
    """Real policy arithmetic, recorded instead of slept; jitter pinned to its maximum."""
    return RetryPolicy(max_attempts=5, initial_wait=0.5, max_wait=8.0, sleep=sleeps,
                       jitter=lambda: 1.0)


@pytest.fixture
def emulator() -> Iterator[Any]:
    emulator_mod = pytest.importorskip("albform.provider.emulator")
    with emulator_mod.start_emulator(password="s3cret-pw") as emu:
        yield emu


@pytest.fixture
def scripted(cassette):
    """A replay server for a hand-written exchange, for branches neither the recordings nor
    the emulator produce on demand: ``scripted([(method, path, status, body), ...])``."""
    def start(steps: list[tuple[str, str, int, Any]]) -> CassetteServer:
        replay = cassette("test_timeout")  # any recording: only its login is used
        replay.interactions = [{
            "request": {"method": method, "uri": f"https://avi-controller{path}"},
            "response": {"status": {"code": status}, "headers": {
                "Content-Type": ["application/json"]},
                "body": {"string": "" if body is None else json.dumps(body)}},
        } for method, path, status, body in steps]
        return replay

    return start
