"""Fixtures for CLI tests: run the real ``albform`` entry point in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The first JSON document on stdout (plan JSON is one line)."""
        for line in self.out.splitlines():
            if line.startswith("{"):
                return json.loads(line)
        raise AssertionError(f"no JSON on stdout:\n{self.out}\n{self.err}")


Runner = Callable[..., Result]


@pytest.fixture
def albform(tmp_path: Path) -> Runner:
    """``albform(*args, cwd=..., env=..., input=...)`` → Result. The embedded emulator's
    database lives in the test's temporary directory."""
    base_env = {**os.environ, "ALBFORM_EMULATOR_DB": str(tmp_path / "emulator.db")}
    for key in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD"):
        base_env.pop(key, None)

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            input: str | None = None, timeout: float = 120) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "albform", *args], cwd=cwd or tmp_path,
            env={**base_env, **(env or {})}, input=input, capture_output=True, text=True,
            timeout=timeout,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run
