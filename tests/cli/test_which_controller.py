"""Which controller a command talks to, and what goes wrong reaching it (issue 14 items 1, 3):
a banner naming the controller (URL, version, tenant) or the embedded emulator and its
database; an unknown ``AVI_*`` variable warned about with "Did you mean"; an unreachable
controller or ``http://`` against an HTTPS one said in one line naming the setting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from albform.provider.emulator import start_emulator

CONFIG = 'resource "avi_pool" "p" {\n  name = "which-p"\n}\n'


def plan(workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (workdir / "main.tf").write_text(CONFIG)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AVI_", "ALBFORM_"))}
    proc = subprocess.run([sys.executable, "-m", "albform", "plan", "-no-color"], cwd=workdir,
                          env={**base, **env}, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_the_embedded_emulator_is_named_with_its_database(tmp_path: Path) -> None:
    own = plan(tmp_path)
    assert own.returncode == 0, own.stderr
    assert own.stderr.splitlines()[0] == (
        "Avi controller: the embedded emulator (no AVI_CONTROLLER set), database "
        ".albform/emulator.db (one per working directory; set ALBFORM_EMULATOR_DB=PATH to "
        "share one)")
    shared_db = tmp_path / "shared.db"
    shared = plan(tmp_path, ALBFORM_EMULATOR_DB=str(shared_db))
    assert f"database {shared_db} (shared through ALBFORM_EMULATOR_DB)" in shared.stderr
    assert shared_db.exists()


def test_a_misspelt_avi_variable_is_a_warning_with_did_you_mean(tmp_path: Path) -> None:
    proc = plan(tmp_path, AVI_CONTROLER="10.0.0.1", AVI_SOMETHING_ELSE="x")
    assert proc.returncode == 0
    assert "Warning: Unknown environment variable AVI_CONTROLER" in proc.stderr
    assert 'albform does not read AVI_CONTROLER. Did you mean "AVI_CONTROLLER"? With no ' \
           "AVI_CONTROLLER set, albform uses its embedded controller emulator." in proc.stderr
    assert "albform does not read AVI_SOMETHING_ELSE. With no" in proc.stderr  # no guess
    assert "the embedded emulator" in proc.stderr


def test_a_real_controller_is_named_with_version_and_tenant(tmp_path: Path) -> None:
    with start_emulator(db_path=tmp_path / "c.db", password="pw", tls=True) as emu:
        assert emu.cert_pem is not None
        (tmp_path / "ca.pem").write_bytes(emu.cert_pem)
        proc = plan(tmp_path, AVI_CONTROLLER=emu.url, AVI_USERNAME="admin", AVI_PASSWORD="pw",
                    AVI_CA_BUNDLE=str(tmp_path / "ca.pem"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == f"Avi controller {emu.url} (version 30.2.1, tenant admin)"


def test_an_unreachable_controller_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    proc = plan(tmp_path, AVI_CONTROLLER=f"127.0.0.1:{port}", AVI_PASSWORD="x")
    assert proc.returncode == 1
    assert (f"│ cannot reach the Avi controller at https://127.0.0.1:{port}: connection refused "
            "(nothing listens on that port); check AVI_CONTROLLER (or avi_controller in the "
            "provider block)\n") in proc.stderr
    assert "Max retries" not in proc.stderr and "ConnectionPool" not in proc.stderr


def test_http_against_an_https_controller_is_recognised(tmp_path: Path) -> None:
    with start_emulator(db_path=tmp_path / "c.db", password="pw", tls=True) as emu:
        port = emu.url.rsplit(":", 1)[1]
        proc = plan(tmp_path, AVI_CONTROLLER=f"http://127.0.0.1:{port}", AVI_PASSWORD="pw")
    assert proc.returncode == 1
    assert (f"the Avi controller at 127.0.0.1:{port} speaks HTTPS, not HTTP: use "
            f"https://127.0.0.1:{port} in AVI_CONTROLLER") in proc.stderr
