"""Crash safety with a real SIGKILL: a child process applies against a journaling FakeProvider
and a real local state file; the parent kills it at a random moment and checks the invariants
(docs/users-and-peers.md §6.3): the state file parses, keeps its lineage, holds no object the
controller never created, and, with synchronous persistence, misses at most the one object
whose write was under way."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from albform.engine.state.backends.local import LocalBackend

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from albform.engine.apply import apply_plan
    from albform.engine.changes import Action
    from albform.engine.state.backends.local import LocalBackend
    from albform.engine.state.model import State
    from albform.engine.testing import FakeProvider
    from albform.engine.testing.plans import make_plan, ref, res

    workdir, parallelism = Path(sys.argv[1]), int(sys.argv[2])
    journal = open(workdir / "journal", "a", buffering=1)

    class Journaling(FakeProvider):
        def create(self, type_name, planned):
            result = super().create(type_name, planned)
            journal.write(result.attributes["uuid"] + "\\n")  # line-buffered: in the OS now
            return result

    backend = LocalBackend(workdir / "terraform.tfstate")
    backend.write(State(lineage="kill-test", serial=1))
    resources = [res("fake_pool.p0", name="p0")] + [
        res(f"fake_pool.p{i}", name=f"p{i}", description=ref(f"fake_pool.p{i // 3}"))
        for i in range(1, 400)]
    plan = make_plan(resources, {str(r.address): Action.CREATE for r in resources},
                     backend.read())
    print("ready", flush=True)
    apply_plan(plan, Journaling(latency=0.01), backend.write, parallelism=parallelism)
    print("done", flush=True)
""")


def run_and_kill(workdir: Path, parallelism: int, delay: float) -> str:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(workdir), str(parallelism)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    return child.stdout.read()


@pytest.mark.parametrize("parallelism", [1, 6])
def test_sigkill_mid_apply_leaves_a_valid_state_that_forgets_nothing(
        tmp_path: Path, parallelism: int) -> None:
    rng = random.Random(parallelism)
    for attempt in range(2):
        workdir = tmp_path / f"run{attempt}"
        workdir.mkdir()
        rest = run_and_kill(workdir, parallelism, rng.uniform(0.1, 0.5))
        assert "done" not in rest, "the apply finished before the kill: nothing was tested"

        state = LocalBackend(workdir / "terraform.tfstate").read()  # parses, or raises
        assert state is not None and state.lineage == "kill-test" and state.serial >= 1
        journal_path = workdir / "journal"
        created = set(journal_path.read_text().split()) if journal_path.exists() else set()
        recorded = {r.attributes["uuid"] for r in state.resources}
        assert recorded <= created, "the state holds an object that was never created"
        forgotten = created - recorded
        assert created, "killed before anything was created: nothing was tested"
        if parallelism == 1:
            assert len(forgotten) <= 1, forgotten
        # The backup is the previous state (or, killed between the two renames, the same
        # one): also whole, same lineage, never newer.
        backup = LocalBackend(workdir / "terraform.tfstate.backup").read()
        if backup is not None:
            assert backup.lineage == "kill-test" and backup.serial <= state.serial
