"""Replay every recorded controller exchange (``shared/avi/cassettes``) against the emulator.

The emulator runs with TLS and each request carries ``Host: avi-controller`` (the recorded
controller's name), so urls and refs come back in the recorded form. Volatile values are
normalised: recorded uuids are mapped to the emulator's as answers reveal them (and mapped
back into later requests), session cookies and CSRF tokens are the live session's (except the
deliberately bad token of ``test_retry_unauth_api``). For every exchange the status code must
match; for JSON answers the key sets must match at every depth, refs and urls must be equal
after uuid mapping (so ``#name`` presence is checked), and other scalars must have the same
type — and the same value unless they are volatile (timestamps, keys, serials).

Pre-existing state a recording relied on is created first (see ``PRESTATE``). Exchanges that
cannot be reproduced would be listed in ``UNREPRODUCIBLE`` with the reason; it is empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from albform.provider.emulator import RunningEmulator, start_emulator

CASSETTES = Path(__file__).resolve().parents[3].parent / "shared" / "avi" / "cassettes"
HOST = "avi-controller"
RECORDED_PASSWORD = "password"
# Keys whose values differ per run or per controller build: compared by type only.
VOLATILE = frozenset({
    "_last_modified", "uuid", "aes_key", "hmac_key", "redis_db", "redis_port", "Date", "Tag",
    "build", "Version", "days_until_expire", "ui_property", "ssh_ciphers", "ssh_hmacs",
})
_UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Object uuids: "<type>-<uuid4>".
UUID_RE = re.compile(r"\b([a-z0-9-]+?-" + _UUID4 + r")\b")
PLAIN_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Cassette -> (exchange index, reason) pairs that the emulator cannot reproduce. Keep empty.
UNREPRODUCIBLE: dict[str, list[tuple[int, str]]] = {}


def _cassettes() -> list[str]:
    if not CASSETTES.is_dir():
        return []
    return sorted(p.stem for p in CASSETTES.glob("*.json"))


@pytest.fixture(scope="module")
def tls_emulator() -> Iterator[RunningEmulator]:
    with start_emulator(password=RECORDED_PASSWORD, tls=True) as emu:
        yield emu


class Replayer:
    def __init__(self, emu: RunningEmulator) -> None:
        self.emu = emu
        self.http = requests.Session()
        # Per request: requests lets REQUESTS_CA_BUNDLE override a session-level verify.
        self.verify = str(emu.cert_path)
        self.csrf = ""
        self.uuids: dict[str, str] = {}

    # -- volatile-value mapping ------------------------------------------------------------

    def learn(self, recorded: Any, actual: Any) -> None:
        """Pair recorded uuids with ours wherever both answers hold one at the same place."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key in recorded.keys() & actual.keys():
                self.learn(recorded[key], actual[key])
        elif isinstance(recorded, list) and isinstance(actual, list):
            for r, a in zip(recorded, actual, strict=False):
                self.learn(r, a)
        elif isinstance(recorded, str) and isinstance(actual, str):
            for r, a in zip(UUID_RE.findall(recorded), UUID_RE.findall(actual), strict=False):
                self.uuids.setdefault(r, a)
            if recorded.startswith(f"https://{HOST}/api/") and actual.startswith(
                    f"https://{HOST}/api/"):
                r_id = recorded.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
                a_id = actual.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
                self.uuids.setdefault(r_id, a_id)

    def translate(self, text: str) -> str:
        return UUID_RE.sub(lambda m: self.uuids.get(m.group(1), m.group(1)), text)

    # -- requests --------------------------------------------------------------------------

    def login(self, body: str) -> requests.Response:
        r = self.http.post(self.emu.url + "/login", data=body, timeout=10, verify=self.verify,
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Host": HOST})
        if r.status_code == 200:
            self.csrf = r.cookies.get("csrftoken", self.csrf)
        return r

    def send(self, req: dict[str, Any]) -> requests.Response:
        uri = self.translate(req["uri"]).replace(f"https://{HOST}", self.emu.url)
        path = uri[len(self.emu.url):]
        body = req.get("body")
        if path.rstrip("/") == "/login" and req["method"] == "POST":
            return self.login(body or "")
        headers = {"Host": HOST}
        for name, values in req["headers"].items():
            if name.lower() in ("cookie", "content-length", "host", "x-csrftoken"):
                continue
            headers[name] = self.translate(values[0])
        recorded_csrf = req["headers"].get("X-CSRFToken", [None])[0]
        if recorded_csrf is not None:
            headers["X-CSRFToken"] = "invalid" if recorded_csrf == "invalid" else self.csrf
        data = self.translate(body).encode() if isinstance(body, str) else None
        return self.http.request(req["method"], uri, data=data, headers=headers, timeout=10,
                                 verify=self.verify)


def _scalar_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def compare(replayer: Replayer, recorded: Any, actual: Any, where: str,
            problems: list[str]) -> None:
    if isinstance(recorded, dict):
        if not isinstance(actual, dict):
            problems.append(f"{where}: expected an object, got {actual!r:.80}")
            return
        missing = sorted(recorded.keys() - actual.keys())
        extra = sorted(actual.keys() - recorded.keys())
        if missing or extra:
            problems.append(f"{where}: keys missing {missing} extra {extra}")
        for key in recorded.keys() & actual.keys():
            if key in VOLATILE:
                if _scalar_kind(recorded[key]) != _scalar_kind(actual[key]):
                    problems.append(f"{where}.{key}: type {_scalar_kind(actual[key])}")
                continue
            compare(replayer, recorded[key], actual[key], f"{where}.{key}", problems)
    elif isinstance(recorded, list):
        if not isinstance(actual, list) or len(recorded) != len(actual):
            problems.append(f"{where}: expected a list of {len(recorded)}, got {actual!r:.120}")
            return
        for i, (r, a) in enumerate(zip(recorded, actual, strict=True)):
            compare(replayer, r, a, f"{where}[{i}]", problems)
    elif isinstance(recorded, str) and recorded.startswith(f"https://{HOST}/"):
        if replayer.translate(recorded) != actual:
            problems.append(f"{where}: {actual!r} != recorded {replayer.translate(recorded)!r}")
    elif _scalar_kind(recorded) != _scalar_kind(actual):
        problems.append(f"{where}: {actual!r:.60} is not a {_scalar_kind(recorded)}")
    elif recorded != actual and not _volatile_text(recorded):
        problems.append(f"{where}: {actual!r:.80} != recorded {recorded!r:.80}")


def _volatile_text(value: Any) -> bool:
    """uuids, object ids and PEM/text blobs are compared by shape only."""
    if not isinstance(value, str):
        return False
    return bool(UUID_RE.search(value) or PLAIN_UUID.fullmatch(value) or "\n" in value)


def prestate(name: str, emu: RunningEmulator, replayer: Replayer) -> None:
    """Create what the recording relied on: a session from setUpModule, Basic auth enabled."""
    if name == "test_basic_auth":
        # Recorded against a controller whose admin password was "avi123$%" with Basic auth on.
        emu.state.set_password("avi123$%")
        sysconf = emu.controller.singleton("systemconfiguration")
        body = json.loads(json.dumps(sysconf.body))
        body["portal_configuration"]["allow_basic_authentication"] = True
        from albform.provider.emulator.context import RequestContext

        emu.controller.replace(RequestContext(base=""), "systemconfiguration", sysconf.uuid, body)
        return
    emu.state.set_password(RECORDED_PASSWORD)
    replayer.login(f"username=admin&password={RECORDED_PASSWORD}")


def restore(name: str, emu: RunningEmulator) -> None:
    emu.state.set_password(RECORDED_PASSWORD)
    if name == "test_basic_auth":
        from albform.provider.emulator.context import RequestContext

        sysconf = emu.controller.singleton("systemconfiguration")
        body = json.loads(json.dumps(sysconf.body))
        body["portal_configuration"]["allow_basic_authentication"] = False
        emu.controller.replace(RequestContext(base=""), "systemconfiguration", sysconf.uuid, body)


@pytest.mark.parametrize("name", _cassettes())
def test_replay_cassette(name: str, tls_emulator: RunningEmulator) -> None:
    exchanges = json.loads((CASSETTES / f"{name}.json").read_text())["interactions"]
    replayer = Replayer(tls_emulator)
    prestate(name, tls_emulator, replayer)
    skipped = dict(UNREPRODUCIBLE.get(name, []))
    problems: list[str] = []
    try:
        for index, exchange in enumerate(exchanges):
            if index in skipped:
                continue
            req, resp = exchange["request"], exchange["response"]
            label = f"{name}[{index}] {req['method']} {req['uri']}"
            answer = replayer.send(req)
            status = resp["status"]["code"]
            if answer.status_code != status:
                problems.append(f"{label}: status {answer.status_code} != {status}: "
                                f"{answer.text[:200]}")
                continue
            recorded_text = (resp.get("body") or {}).get("string") or ""
            if not recorded_text:
                if answer.content:
                    problems.append(f"{label}: expected an empty body, got {answer.text[:80]}")
                continue
            try:
                recorded = json.loads(recorded_text)
            except ValueError:
                if answer.text != recorded_text:
                    problems.append(f"{label}: body {answer.text!r} != {recorded_text!r}")
                continue
            actual = answer.json()
            replayer.learn(recorded, actual)
            compare(replayer, recorded, actual, label, problems)
            if "Location" in resp["headers"]:
                expected = replayer.translate(resp["headers"]["Location"][0])
                if answer.headers.get("Location") != expected:
                    problems.append(f"{label}: Location {answer.headers.get('Location')}")
            if "AVI_API_VERSION" in resp["headers"]:
                version = resp["headers"]["AVI_API_VERSION"][0]
                if answer.headers.get("AVI_API_VERSION") != version:
                    problems.append(f"{label}: AVI_API_VERSION "
                                    f"{answer.headers.get('AVI_API_VERSION')} != {version}")
    finally:
        restore(name, tls_emulator)
    assert not problems, "\n".join(problems)


def test_cassettes_present() -> None:
    if not CASSETTES.is_dir():
        pytest.skip("../shared/avi/cassettes is not beside the checkout")
    assert len(_cassettes()) >= 17


def test_comparison_detects_differences(tls_emulator: RunningEmulator) -> None:
    """The replay comparison is not vacuous: key, ref, type and value differences are caught."""
    replayer = Replayer(tls_emulator)
    replayer.uuids["pool-11111111-1111-4111-8111-111111111111"] = "pool-mine"
    recorded = {"a": 1, "pool_ref": f"https://{HOST}/api/pool/"
                "pool-11111111-1111-4111-8111-111111111111#p", "flag": True, "list": [1, 2],
                "_last_modified": "1"}
    same = {"a": 1, "pool_ref": f"https://{HOST}/api/pool/pool-mine#p", "flag": True,
            "list": [3, 4], "_last_modified": "2"}
    problems: list[str] = []
    compare(replayer, recorded, same, "x", problems)
    assert problems == ["x.list[0]: 3 != recorded 1", "x.list[1]: 4 != recorded 2"]
    wrong = {"a": "1", "pool_ref": f"https://{HOST}/api/pool/pool-mine", "flag": False,
             "list": [1], "extra": 0, "_last_modified": 2}
    problems = []
    compare(replayer, recorded, wrong, "x", problems)
    text = "\n".join(problems)
    for expected in ("extra ['extra']", "x.a:", "x.pool_ref:", "x.flag:", "x.list:",
                     "x._last_modified: type"):
        assert expected in text
