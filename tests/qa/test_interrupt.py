"""Ctrl-C during a long apply against a slow controller: one interrupt finishes the calls in
flight, saves the state and exits 1 without "Apply complete!"; a second one exits at once
saying so. Either way the state file stays whole and the next plan is consistent with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from albform.provider.emulator import FaultConfig, start_emulator

PASSWORD = "Qa-Int-pw!"
COUNT = 30


@pytest.fixture
def slow_controller() -> Iterator[str]:
    with start_emulator(password=PASSWORD, faults=FaultConfig(latency_ms=250)) as emu:
        yield emu.url


def _start(tmp_path: Path, url: str, *args: str) -> subprocess.Popen[str]:
    (tmp_path / "main.tf").write_text("".join(
        f'resource "avi_pool" "p{i}" {{\n  name = "qa-int-{i}"\n}}\n' for i in range(COUNT)))
    env = {**os.environ, "AVI_CONTROLLER": url, "AVI_USERNAME": "admin",
           "AVI_PASSWORD": PASSWORD}
    return subprocess.Popen([sys.executable, "-m", "albform", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _interrupt_after_first_create(proc: subprocess.Popen[str], times: int) -> str:
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "Creation complete" in line:
            break
    proc.send_signal(signal.SIGINT)
    if times == 2:  # again once albform said it is shutting down (calls still in flight)
        for line in proc.stdout:
            seen.append(line)
            if "Gracefully shutting down" in line:
                break
        proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=120)
    return "".join(seen) + rest


@pytest.mark.parametrize("interrupts", [1, 2])
def test_interrupted_apply_keeps_a_whole_state(tmp_path: Path, slow_controller: str,
                                               interrupts: int) -> None:
    proc = _start(tmp_path, slow_controller, "apply", "-auto-approve", "-no-color",
                  "-parallelism=2")
    out = _interrupt_after_first_create(proc, interrupts)
    assert proc.returncode == 1, out
    assert "Apply complete!" not in out
    assert "Traceback" not in out
    if interrupts == 1:
        assert "Apply interrupted" in out
    else:
        assert "Two interrupts received. Exiting immediately." in out
    state = json.loads((tmp_path / "terraform.tfstate").read_text())
    recorded = len(state["resources"])
    assert 1 <= recorded < COUNT
    if interrupts == 1:
        replan = _start(tmp_path, slow_controller, "plan", "-no-color")
        text, _ = replan.communicate(timeout=120)
        assert replan.returncode == 0, text
        assert f"Plan: {COUNT - recorded} to add, 0 to change, 0 to destroy." in text
