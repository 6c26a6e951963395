"""The embedded emulator's child process (``provider/emulator/process.py``): serves, keeps its
password off the command line, stops when told and when its parent dies, never orphaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from albform.engine.provider import ProviderError
from albform.provider.emulator.process import EmulatorStartError, spawn_emulator

PASSWORD = "child-secret-password"


def _login(url: str, password: str) -> int:
    return requests.post(f"{url}/login", json={"username": "admin", "password": password},
                         timeout=10).status_code


def _gone(pid: int, within_s: float = 30.0) -> bool:
    """True once ``pid`` no longer runs (a bounded wait, not a speed check)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            # A zombie has exited (nobody may reap an orphan in a container).
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_child_serves_on_its_database_and_stops_when_told(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    with spawn_emulator(db_path=db, password=PASSWORD) as child:
        assert child.url.startswith("http://127.0.0.1:")
        assert _login(child.url, PASSWORD) == 200
        assert _login(child.url, "wrong") == 401
        cmdline = Path(f"/proc/{child.pid}/cmdline").read_bytes()
        assert PASSWORD.encode() not in cmdline, "the password stays off the command line"
        assert os.getsid(child.pid) != os.getsid(0), "Ctrl-C at the terminal is not its"
    assert child.exit_status() == 0
    assert db.is_file()
    child.stop()  # idempotent


def test_a_child_stopped_with_a_connection_open_keeps_its_writes(tmp_path: Path) -> None:
    # The child ends without winding its server down (no wait for connections): what it
    # wrote must still be in the database, closed cleanly (no write-ahead log left over).
    db = tmp_path / "emulator.db"
    session = requests.Session()
    with spawn_emulator(db_path=db, password=PASSWORD) as child:
        login = session.post(f"{child.url}/login",
                             json={"username": "admin", "password": PASSWORD}, timeout=10)
        assert login.status_code == 200
        made = session.post(f"{child.url}/api/healthmonitor", timeout=10,
                            json={"name": "kept-after-stop", "type": "HEALTH_MONITOR_TCP"},
                            headers={"X-CSRFToken": session.cookies.get("csrftoken", ""),
                                     "Referer": child.url})
        assert made.status_code == 201, made.text
    assert child.exit_status() == 0
    session.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emulator.db"]
    with spawn_emulator(db_path=db, password=PASSWORD) as again, requests.Session() as reader:
        assert reader.post(f"{again.url}/login", timeout=10,
                           json={"username": "admin", "password": PASSWORD}).status_code == 200
        found = reader.get(f"{again.url}/api/healthmonitor?name=kept-after-stop", timeout=10)
        assert found.status_code == 200 and found.json()["count"] == 1, found.text


def test_child_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from albform.provider.emulator.process import spawn_emulator
        child = spawn_emulator(db_path=Path({str(tmp_path / 'e.db')!r}), password="x")
        print(child.pid, flush=True)
        time.sleep(600)
        """)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    assert _gone(child_pid), "an orphaned emulator would keep its database open"


def test_a_child_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmulatorStartError, match="did not start") as raised:
        spawn_emulator(db_path=tmp_path / "missing-dir" / "e.db", password=PASSWORD)
    # The child's reason, one line: the CLI shows it as an error (a ProviderError).
    assert "unable to open database file" in str(raised.value)
    assert isinstance(raised.value, ProviderError)
