"""What a killed run leaves beside the state is cleaned or explained by the next one: temp
copies of a state write are removed and the stale lock record replaced, each said once; every
lock error names ``albform force-unlock ID``, and the http backend's names the state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from albform.engine.state.backends.http import HttpBackend
from albform.engine.state.backends.http_server import StateServer
from albform.engine.state.backends.local import LocalBackend
from albform.engine.state.backends.memory import MemoryBackend, MemoryStore
from albform.engine.state.backends.testing import sample_state
from albform.engine.state.lock import LockError, LockInfo, StateLockedError

HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from albform.engine.state.backends.local import LocalBackend
    from albform.engine.state.lock import LockInfo
    backend = LocalBackend(sys.argv[1])
    print(backend.lock(LockInfo.new("OperationTypeApply")), flush=True)
    time.sleep(600)
""")


def test_lock_record_of_a_killed_run_is_replaced_and_explained(tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    LocalBackend(state).write(sample_state())
    child = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(state)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    dead_id = child.stdout.readline().strip()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    info = tmp_path / ".terraform.tfstate.lock.info"
    assert dead_id in info.read_text()  # what kill -9 leaves

    backend = LocalBackend(state)
    lock_id = backend.lock(LockInfo.new("OperationTypePlan"))
    notices = backend.take_notices()
    assert len(notices) == 1 and dead_id in notices[0]
    assert "killed or crashed" in notices[0]
    assert lock_id in info.read_text() and backend.take_notices() == []
    backend.unlock(lock_id)
    assert not info.exists()


def test_temp_copies_of_an_interrupted_write_are_removed(tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    LocalBackend(state).write(sample_state())
    whole = state.read_bytes()
    leftovers = [tmp_path / ".terraform.tfstate.k2j4x.tmp",
                 tmp_path / ".terraform.tfstate.backup.a8f0q.tmp",
                 tmp_path / "..terraform.tfstate.lock.info.zz1.tmp",
                 tmp_path / "..terraform.tfstate.journal.new"]
    for path in leftovers:
        path.write_bytes(whole[:40])  # torn copies
    unrelated = tmp_path / "notes.tmp"
    unrelated.write_text("mine")

    backend = LocalBackend(state)
    with backend.locked("OperationTypePlan"):
        notices = backend.take_notices()
    assert len(notices) == 1
    for path in leftovers:
        assert not path.exists() and path.name in notices[0]
    assert unrelated.exists() and state.read_bytes() == whole
    assert backend.read() == sample_state()


def test_a_clean_directory_gives_no_notice(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "terraform.tfstate")
    with backend.locked("OperationTypePlan"):
        assert backend.take_notices() == []


def test_held_lock_error_names_force_unlock_with_the_holders_id(tmp_path: Path) -> None:
    first, second = LocalBackend(tmp_path), LocalBackend(tmp_path)
    held = first.lock(LockInfo.new("OperationTypeApply"))
    with pytest.raises(StateLockedError) as failure:
        second.lock(LockInfo.new("OperationTypePlan"))
    assert f"albform force-unlock {held}" in str(failure.value)
    first.unlock(held)


@pytest.mark.parametrize("make", [lambda p: LocalBackend(p),
                                  lambda p: MemoryBackend(MemoryStore())])
def test_wrong_id_error_names_force_unlock_with_the_right_id(tmp_path: Path, make) -> None:
    backend = make(tmp_path)
    held = backend.lock(LockInfo.new("OperationTypeApply"))
    with pytest.raises(LockError) as failure:
        backend.unlock("not-the-id")
    assert f"albform force-unlock {held}" in str(failure.value)
    backend.unlock(held)


def test_failed_unlock_names_force_unlock(tmp_path: Path) -> None:
    class Stuck(LocalBackend):
        def unlock(self, lock_id: str) -> None:
            raise OSError("disk gone")

    backend = Stuck(tmp_path)
    with pytest.raises(LockError) as failure, backend.locked("OperationTypeApply") as record:
        pass
    assert f"albform force-unlock {record.id}" in str(failure.value)
    assert "disk gone" in str(failure.value)


@pytest.fixture
def server() -> Iterator[StateServer]:
    with StateServer() as running:
        yield running


def test_http_lock_error_shows_the_state_path(server: StateServer, tmp_path: Path) -> None:
    address = f"{server.url}/state/prod"

    def client() -> HttpBackend:
        return HttpBackend(address, lock_address=f"{address}/lock", retry_wait_min=0.01,
                           retry_wait_max=0.02, journal_path=tmp_path / "journal")

    first = client()
    with first.locked("OperationTypeApply") as record:
        with pytest.raises(StateLockedError) as failure:
            client().lock(LockInfo.new("OperationTypePlan"))
        text = str(failure.value)
        assert f"Path:      {address}" in text
        assert f"albform force-unlock {record.id}" in text
