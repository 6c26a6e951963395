"""QA fixtures: the real ``albform`` entry point in a subprocess, as a user runs it, on the
embedded emulator whose database lives in the test's temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str


Runner = Callable[..., Result]


@pytest.fixture
def albform(tmp_path: Path) -> Runner:
    """``albform(*args, cwd=..., env=...)`` → Result; a traceback on stderr fails the test."""
    base_env = {**os.environ, "ALBFORM_EMULATOR_DB": str(tmp_path / "emulator.db")}
    for key in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD", "AVI_CA_BUNDLE",
                "AVI_INSECURE"):
        base_env.pop(key, None)

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> Result:
        proc = subprocess.run([sys.executable, "-m", "albform", *args], cwd=cwd or tmp_path,
                              env={**base_env, **(env or {})}, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run

