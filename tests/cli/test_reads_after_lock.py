"""The refresh's reads started once the state is read under the lock (cli/operations._open),
when nothing was read ahead of the configuration (a cluster; HCL settings not known early):
the refresh takes their answers and reads nothing itself, the plan is the same, and an object
changed on the controller still shows."""

from __future__ import annotations

import contextlib
import io
import threading
from pathlib import Path
from typing import Any

import pytest

from albform.cli.main import main
from albform.engine import planning_refresh

from .test_opening_ahead import CONFIG, _applied


def _plan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chdir: str,
          ) -> tuple[int, str, list[tuple[str, int]], list[Any]]:
    """``albform plan`` in this process: exit code, stdout, (thread, number of types) of
    every batch of refresh reads started, and the state each ``ReadsAhead`` was given."""
    batches: list[tuple[str, int]] = []
    started: list[Any] = []
    reads, init = planning_refresh._Reads.__init__, planning_refresh.ReadsAhead.__init__

    def spy_reads(self: Any, provider: Any, groups: Any, *a: Any) -> None:
        batches.append((threading.current_thread().name, len(groups)))
        reads(self, provider, groups, *a)

    def spy_init(self: Any, state: Any, *a: Any) -> None:
        started.append(state)
        init(self, state, *a)

    monkeypatch.setattr(planning_refresh._Reads, "__init__", spy_reads)
    monkeypatch.setattr(planning_refresh.ReadsAhead, "__init__", spy_init)
    monkeypatch.setenv("ALBFORM_EMULATOR_DB", str(tmp_path / "emulator.db"))
    for key in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), \
            pytest.raises(SystemExit) as stopped:
        main([chdir, "plan", "-detailed-exitcode", "-no-color"])
    return int(stopped.value.code or 0), out.getvalue(), batches, started


def test_the_reads_started_under_the_lock_are_the_refreshs(
        albform: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A function in the provider block: its settings are not known before the configuration
    # decodes, so nothing is opened ahead of it (as for a cluster).
    config = CONFIG.replace("avi_tenant = var.tenant", 'avi_tenant = lower("ADMIN")')
    work, chdir = _applied(albform, tmp_path, config)
    code, out, batches, started = _plan(monkeypatch, tmp_path, chdir)
    assert code == 0, out
    assert len(started) == 1 and len(started[0].resources) == 4
    # The early reads asked for both types; the refresh itself had nothing left to ask.
    assert batches == [("refresh-ahead", 2), ("MainThread", 0)]

    # A changed configuration plans its change as before.
    (work / "main.tf").write_text(config.replace("default_server_port = 80",
                                                 "default_server_port = 81", 1))
    code, out, batches, _ = _plan(monkeypatch, tmp_path, chdir)
    assert code == 2, out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in out
    assert batches == [("refresh-ahead", 2), ("MainThread", 0)]
