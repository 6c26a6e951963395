"""A real ``albform apply`` killed mid-create (SIGKILL), terminated (SIGTERM, once and twice)
against a real ``albform emulator --db`` process: the next apply converges, ``plan
-detailed-exitcode`` exits 0, and the controller holds exactly the state's objects — no orphan,
no duplicate. The intents the killed apply journaled are what makes this hold.

The emulator, work directory and configuration come from ``benchmarks/crash_harness.py``, so
these tests also fail when the harness breaks; one harness trial runs as is."""

from __future__ import annotations

import importlib.util
import random
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CHAINS = 20  # health monitor -> pool -> vsvip -> virtual service: 80 objects


def _harness() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "crash_harness.py"
    spec = importlib.util.spec_from_file_location("crash_harness", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


harness = _harness()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    emu = harness.Emulator(tmp_path_factory.mktemp("controller") / "emulator.db")
    emu.faults({"latency_ms": 40})  # slow enough that signals land mid-apply
    yield emu
    emu.stop()


def workdir(tmp_path: Path, emu: Any, prefix: str) -> Any:
    work = harness.Workdir(tmp_path / "w", emu.url)
    work.write("".join(harness.chain(s, 0, prefix) for s in range(CHAINS)))
    return work


def assert_converges(work: Any, emu: Any, prefix: str) -> None:
    """Re-apply succeeds, a plan finds nothing to do, and no object is orphaned."""
    code, out = work.run("apply", "-auto-approve")
    assert code == 0 and "Traceback" not in out, out
    code, out = work.run("plan", "-detailed-exitcode")
    assert code == 0, out
    uuids, why = work.state_uuids()
    assert uuids is not None, why
    assert sorted(u for _, _, u in emu.objects(prefix)) == sorted(uuids)  # no orphan/dup
    assert len(uuids) == 4 * CHAINS
    assert not (work.path / ".terraform.tfstate.journal").exists()


@pytest.mark.parametrize("parallelism", [1, 10])
def test_kill_9_mid_create_then_reapply_converges_without_orphans(
        tmp_path: Path, emulator: Any, parallelism: int) -> None:
    prefix = f"k9p{parallelism}"
    work = workdir(tmp_path, emulator, prefix)
    proc = work.start("apply", "-auto-approve", f"-parallelism={parallelism}")
    out, sent = harness.interrupt(proc, 12, signal.SIGKILL)
    assert sent and proc.returncode == -signal.SIGKILL, out
    assert (work.path / ".terraform.tfstate.journal").exists()  # the killed apply's intents
    assert (work.path / ".terraform.tfstate.lock.info").exists()  # its lock record
    created = len(emulator.objects(prefix))
    uuids, why = work.state_uuids()
    assert uuids is not None, why
    assert created >= 12 and len(uuids) <= created

    code, out = work.run("plan")
    assert code == 0, out
    assert "was left by a run that never released it" in out  # explained, then replaced
    if created > len(uuids):  # orphans to be: the plan shows them adopted
        assert "was created by the interrupted apply: adopted into the state" in out, out
    assert_converges(work, emulator, prefix)


def test_sigterm_stops_gracefully_and_the_next_apply_converges(tmp_path: Path,
                                                               emulator: Any) -> None:
    work = workdir(tmp_path, emulator, "term1")
    proc = work.start("apply", "-auto-approve", "-parallelism=10")
    out, sent = harness.interrupt(proc, 8, signal.SIGTERM)
    assert sent and proc.returncode == 1, out
    assert "Termination signal (SIGTERM) received." in out
    assert "Apply interrupted" in out and "Apply complete!" not in out
    assert "Traceback" not in out
    # In-flight writes finished and were saved: nothing is left to reconcile.
    uuids, _ = work.state_uuids()
    assert uuids is not None and len(uuids) == len(emulator.objects("term1")) < 4 * CHAINS
    assert not (work.path / ".terraform.tfstate.journal").exists()
    assert_converges(work, emulator, "term1")


def test_second_sigterm_aborts_with_the_journal_intact(tmp_path: Path, emulator: Any) -> None:
    work = workdir(tmp_path, emulator, "term2")
    proc = work.start("apply", "-auto-approve", "-parallelism=10")
    assert proc.stdout is not None
    seen = []
    first_sent = False
    for line in proc.stdout:  # the first signal, then the second while calls are in flight
        seen.append(line)
        # One first signal: sent again for each later line (they come in bursts), a signal
        # could land while the first's handler runs, before its message, and the last after
        # the command restored the default handler (killed: -15, not the abort's 1).
        if not first_sent and "Creation complete" in line and len(seen) > 8:
            proc.send_signal(signal.SIGTERM)
            first_sent = True
        if "Gracefully shutting down" in line:
            proc.send_signal(signal.SIGTERM)
            break
    out = "".join(seen) + proc.communicate(timeout=120)[0]
    assert proc.returncode == 1, out
    assert "Two interrupts received. Exiting immediately." in out
    assert "Traceback" not in out
    assert_converges(work, emulator, "term2")


def test_one_harness_trial_counts_no_failure(tmp_path: Path, emulator: Any) -> None:
    fleet = harness.Fleet(8, "trial")
    work = harness.Workdir(tmp_path / "trials", emulator.url)
    tally = harness.Tally()
    harness.run_trial(0, fleet, work, emulator, tally, random.Random(3))
    harness.run_trial(1, fleet, work, emulator, tally, random.Random(4))  # rotates a quarter
    emulator.faults({"latency_ms": 40})  # a trial clears the faults: restore the fixture's
    assert sum(tally.trials.values()) == 2
    assert (tally.corrupt, tally.orphans, tally.duplicates, tally.non_converged) == \
        (0, 0, 0, 0), tally.problems
