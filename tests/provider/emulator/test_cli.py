"""``albform emulator`` as a user runs it: readiness line, HTTPS with a verifiable certificate,
``--db`` persistence across runs, clean stop on SIGTERM, clear errors for bad options."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ALBFORM = shutil.which("albform", path=str(Path(sys.executable).parent))


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    assert ALBFORM is not None, "the albform console script is not installed in this venv"
    proc = subprocess.Popen([ALBFORM, "emulator", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"ready at (https?://127\.0\.0\.1:\d+)", line)
    if found is None:
        proc.kill()
        pytest.fail(f"no readiness line: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, found.group(1)


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=20)


def test_https_persistent_run_and_restart(tmp_path: Path) -> None:
    db, cert = tmp_path / "emu.db", tmp_path / "cert.pem"
    env = dict(os.environ, AVI_PASSWORD="from-env")
    proc, url = _start("--port", "0", "--db", str(db), "--cert-out", str(cert), env=env)
    try:
        assert url.startswith("https://")
        s = requests.Session()
        login = s.post(url + "/login", data={"username": "admin", "password": "from-env"},
                       verify=str(cert), timeout=10)
        assert login.status_code == 200
        made = s.post(url + "/api/pool", json={"name": "cli-pool"}, verify=str(cert), timeout=10,
                      headers={"X-CSRFToken": s.cookies["csrftoken"], "Referer": url})
        assert made.status_code == 201, made.text
    finally:
        assert _stop(proc) == 0
    proc, url = _start("--http", "--db", str(db), "--password", "other")
    try:
        s = requests.Session()
        assert s.post(url + "/login", data={"username": "admin", "password": "other"},
                      timeout=10).status_code == 200
        assert s.get(url + "/api/pool?name=cli-pool", timeout=10).json()["count"] == 1
    finally:
        assert _stop(proc) == 0


def test_bad_options_are_clear_errors(tmp_path: Path) -> None:
    assert ALBFORM is not None
    bad = subprocess.run([ALBFORM, "emulator", "--faults", "{not json"], capture_output=True,
                         text=True, timeout=30)
    assert bad.returncode == 1
    assert "--faults" in bad.stderr and "Traceback" not in bad.stderr
    missing = subprocess.run([ALBFORM, "emulator", "--db", str(tmp_path / "no" / "x.db")],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
