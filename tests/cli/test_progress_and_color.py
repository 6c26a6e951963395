"""Progress and colour (issue 14 item 2): a slow create prints Terraform's heartbeat; colour on
a terminal in plan, apply and drift output, off with ``-no-color`` or ``NO_COLOR``."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from albform.provider.emulator import FaultConfig, start_emulator

POOL = 'resource "avi_pool" "slow" {\n  name = "slow-pool"\n}\n'


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AVI_", "ALBFORM_")) and k != "NO_COLOR"}
    return {**env, "ALBFORM_EMULATOR_DB": str(tmp_path / "emulator.db"), **extra}


def test_a_slow_create_prints_the_heartbeat(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(POOL)
    # Every pool write takes 12 s on this controller.
    faults = FaultConfig(slow_write_rate=1.0, slow_write_seconds=12.0, path_contains="/api/pool")
    with start_emulator(db_path=tmp_path / "c.db", password="pw", faults=faults) as emu:
        proc = subprocess.run(
            [sys.executable, "-m", "albform", "apply", "-auto-approve", "-no-color"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
            env=_env(tmp_path, AVI_CONTROLLER=emu.url, AVI_PASSWORD="pw", AVI_INSECURE="true"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines.index("avi_pool.slow: Creating...") < \
        lines.index("avi_pool.slow: Still creating... [10s elapsed]") < \
        next(i for i, line in enumerate(lines) if line.startswith(
            "avi_pool.slow: Creation complete after 1"))


def _on_a_terminal(tmp_path: Path, *args: str, **env: str) -> str:
    """Run albform with stdout on a pseudo-terminal; what it wrote there."""
    main, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "albform", *args], cwd=tmp_path,
                            stdout=secondary, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            env=_env(tmp_path, **env))
    os.close(secondary)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.wait(120) in (0, 2)
    return out.decode(errors="replace")


def test_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(POOL)
    assert "\x1b[" in _on_a_terminal(tmp_path, "plan")
    assert "\x1b[" not in _on_a_terminal(tmp_path, "plan", NO_COLOR="1")
    assert "\x1b[" not in _on_a_terminal(tmp_path, "plan", "-no-color")
    applied = _on_a_terminal(tmp_path, "apply", "-auto-approve")
    assert "\x1b[" in applied and "Apply complete!" in applied
    drift = _on_a_terminal(tmp_path, "drift")
    assert "\x1b[1mDrift report for state" in drift
    assert "\x1b[" not in _on_a_terminal(tmp_path, "drift", NO_COLOR="1")
