"""The conformance suite against MemoryBackend and LocalBackend, plus what only local state
does: backups, atomic files, the lock-info file, OS processes competing, crash safety."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.state.backends.base import BackendError
from albform.engine.state.backends.local import LocalBackend
from albform.engine.state.backends.memory import MemoryBackend, MemoryStore
from albform.engine.state.backends.testing import (
    ConformanceError,
    check_backend,
    check_journal,
    check_locking,
    sample_state,
)
from albform.engine.state.codec import StateFormatError, decode_state
from albform.engine.state.lock import LockError, LockInfo, StateLockedError
from albform.engine.state.model import State

REPO = Path(__file__).resolve().parents[3]


def test_memory_backend_conforms() -> None:
    store = MemoryStore()
    check_backend(lambda: MemoryBackend(store))
    check_locking(lambda: MemoryBackend(store))
    check_journal(lambda: MemoryBackend(store))


def test_local_backend_conforms(tmp_path: Path) -> None:
    check_backend(lambda: LocalBackend(tmp_path / "terraform.tfstate"))
    check_locking(lambda: LocalBackend(tmp_path), force_unlock_live=False)
    check_journal(lambda: LocalBackend(tmp_path))


def test_the_suite_catches_a_backend_that_skips_the_serial_check() -> None:
    class Careless(MemoryBackend):
        def write(self, state):  # type: ignore[no-untyped-def]
            from albform.engine.state.codec import encode_state
            self.store.data = encode_state(state)

    store = MemoryStore()
    with pytest.raises(ConformanceError, match="same serial"):
        check_backend(lambda: Careless(store))


def test_write_keeps_the_state_before_the_command_as_backup(tmp_path: Path) -> None:
    starting = LocalBackend(tmp_path)  # a command that starts without a state keeps none
    starting.write(sample_state(serial=1))
    starting.write(sample_state(serial=2, pool_name="p2"))
    assert not starting.backup_path.exists()
    before = starting.path.read_bytes()
    backend = LocalBackend(tmp_path)  # the next command: one backup, of the state before it
    backend.write(sample_state(serial=3, pool_name="p3"))
    assert backend.backup_path.read_bytes() == before
    backend.write(sample_state(serial=4, pool_name="p4"))
    assert backend.backup_path.read_bytes() == before
    assert decode_state(backend.path.read_bytes()).serial == 4
    assert oct(backend.path.stat().st_mode & 0o777) == "0o600"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_corrupt_file_is_reported_with_its_path_and_never_overwritten(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    backend.path.write_text('{"version": 4, "serial": ')
    with pytest.raises(StateFormatError, match=r"terraform\.tfstate: state is not valid JSON"):
        backend.read()
    with pytest.raises(StateFormatError):
        backend.write(sample_state())
    assert backend.path.read_text() == '{"version": 4, "serial": '


def test_an_unwritable_directory_is_a_backend_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(BackendError, match=r"failed to (read|write) state"):
        LocalBackend(blocker / "sub" / "terraform.tfstate").write(sample_state())


def test_lock_info_file_has_terraforms_record(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    with backend.locked("OperationTypeApply") as record:
        doc = json.loads(backend.info_path.read_text())
        assert doc["ID"] == record.id and doc["Operation"] == "OperationTypeApply"
        assert doc["Path"] == str(backend.path)
        assert oct(backend.info_path.stat().st_mode & 0o777) == "0o600"
    assert not backend.info_path.exists()


def test_stale_lock_info_blocks_nobody_and_force_unlock_clears_it(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    stale = LockInfo.new("OperationTypeApply", info="left by a killed run")
    backend.info_path.write_text(stale.to_json())
    with pytest.raises(LockError, match="does not match"):
        backend.force_unlock("wrong-id")
    backend.force_unlock(stale.id)
    assert not backend.info_path.exists()
    backend.info_path.write_text(stale.to_json())
    lock_id = backend.lock(LockInfo.new("OperationTypePlan"))  # the flock is the truth
    assert json.loads(backend.info_path.read_text())["ID"] == lock_id
    backend.unlock(lock_id)
    with pytest.raises(LockError, match="not locked"):
        backend.force_unlock(lock_id)


# -- real OS processes ---------------------------------------------------------------------------

def _hold_lock(directory: str, pipe: Connection) -> None:
    backend = LocalBackend(directory)
    lock_id = backend.lock(LockInfo.new("OperationTypeApply", info="child"))
    pipe.send(lock_id)
    if pipe.recv() == "release":
        backend.unlock(lock_id)
        pipe.send("released")
        pipe.recv()


def test_two_processes_compete_for_the_local_lock(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path), child))
    proc.start()
    try:
        assert parent.poll(30), "the child never took the lock"
        child_id = parent.recv()
        backend = LocalBackend(tmp_path)
        with pytest.raises(StateLockedError) as err:
            backend.lock(LockInfo.new("OperationTypePlan"))
        assert err.value.holder.id == child_id and err.value.holder.info == "child"
        with pytest.raises(LockError, match="cannot be unlocked by another process"):
            backend.force_unlock(child_id)
        parent.send("release")
        assert parent.recv() == "released"
        backend.unlock(backend.lock(LockInfo.new("OperationTypePlan")))
        parent.send("exit")
    finally:
        proc.join(30)
    assert proc.exitcode == 0


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path), child))
    proc.start()
    assert parent.poll(30)
    child_id = parent.recv()
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    backend = LocalBackend(tmp_path)
    assert json.loads(backend.info_path.read_text())["ID"] == child_id  # stale record left
    backend.unlock(backend.lock(LockInfo.new("OperationTypeApply")))


WRITER = textwrap.dedent("""
    import sys
    from albform.engine.state.backends.local import LocalBackend
    from albform.engine.state.backends.testing import sample_state
    backend = LocalBackend(sys.argv[1])
    serial = (backend.read() or sample_state(serial=0)).serial
    print("ready", flush=True)
    while True:
        serial += 1
        # a large pool name makes each write take long enough to be killed inside
        backend.write(sample_state(serial=serial, pool_name="p" * 200_000 + str(serial)))
""")


def _serial(backend: LocalBackend) -> int:
    state = backend.read()
    return state.serial if state else 0


def test_a_writer_killed_mid_write_never_leaves_a_corrupt_state(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    backend.write(sample_state(serial=1))
    lineage = sample_state().lineage
    last_serial = 1
    for delay in (0.05, 0.11, 0.17, 0.23, 0.31):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)],
                                  stdout=subprocess.PIPE, cwd=REPO)
        assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
        time.sleep(delay)
        if delay == 0.31:  # on a slow machine, make sure at least one write completed
            deadline = time.monotonic() + 60
            while _serial(backend) == last_serial and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
        state = backend.read()  # parses, or this raises
        assert state is not None and state.lineage == lineage
        assert state.serial >= last_serial
        last_serial = state.serial
        if backend.backup_path.exists():
            assert decode_state(backend.backup_path.read_bytes()).lineage == lineage
    assert last_serial > 1, "the writer never completed a write; the test proved nothing"


def test_locked_releases_the_lock_when_the_body_fails(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    with pytest.raises(RuntimeError, match="apply failed"), backend.locked("OperationTypeApply"):
        raise RuntimeError("apply failed")
    assert not backend.info_path.exists()
    backend.unlock(backend.lock(LockInfo.new("OperationTypePlan")))


def test_a_failed_unlock_does_not_hide_the_bodys_error() -> None:
    store = MemoryStore()
    backend = MemoryBackend(store)
    with pytest.raises(RuntimeError, match="apply failed") as err, \
            backend.locked("OperationTypeApply") as record:
        backend.force_unlock(record.id)  # someone broke our lock meanwhile
        raise RuntimeError("apply failed")
    assert any("Also failed to unlock the state" in note for note in err.value.__notes__)


def test_rewriting_a_state_with_withheld_secrets_is_a_no_op(tmp_path: Path) -> None:
    from albform.engine.schema import AttributeSchema, ResourceSchema

    schemas = {"avi_pool": ResourceSchema("avi_pool", {
        "name": AttributeSchema("name", sensitive=True)})}
    backend = LocalBackend(tmp_path, schemas=schemas)
    backend.write(sample_state(serial=1))
    stored = backend.path.read_bytes()
    assert b"web-pool" not in stored
    # The same state again: its secret is not on disk, yet the write is recognised as equal.
    backend.write(sample_state(serial=1))
    assert LocalBackend(tmp_path, schemas=schemas).read() is not None
    LocalBackend(tmp_path, schemas=schemas).write(sample_state(serial=1))
    assert backend.path.read_bytes() == stored and not backend.backup_path.exists()


def test_a_file_changed_behind_the_clients_back_is_checked_in_full(tmp_path: Path) -> None:
    from albform.engine.state.backends.base import StaleStateError

    mine, theirs = LocalBackend(tmp_path), LocalBackend(tmp_path)
    mine.write(sample_state(serial=1))
    theirs.write(sample_state(serial=5))
    with pytest.raises(StaleStateError, match="serial 2 over newer state with serial 5"):
        mine.write(sample_state(serial=2))


@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from(["a", "b"]), st.booleans()),
                max_size=12))
def test_stored_serial_only_grows_and_lineage_never_changes(
        writes: list[tuple[int, str, bool]]) -> None:
    from albform.engine.state.backends.base import StaleStateError

    backend = MemoryBackend()
    accepted: list[State] = []
    for serial, lineage_tag, renamed in writes:
        candidate = sample_state(serial=serial, lineage=f"lineage-{lineage_tag}",
                                 pool_name="renamed" if renamed else "web-pool")
        try:
            backend.write(candidate)
        except StaleStateError:
            continue
        accepted.append(candidate)
    stored = backend.read()
    if not accepted:
        assert stored is None
        return
    assert stored == accepted[-1]
    assert {s.lineage for s in accepted} == {accepted[0].lineage}
    serials = [s.serial for s in accepted]
    assert serials == sorted(serials)
    # Equal serials are accepted only as exact repeats.
    for before, after in itertools.pairwise(accepted):
        assert after.serial > before.serial or after == before


def test_an_errored_state_is_kept_whole(tmp_path: Path) -> None:
    from albform.engine.state.backends.local import save_errored_state

    path = save_errored_state(sample_state(serial=9), tmp_path)
    assert path == tmp_path / "errored.tfstate"
    assert LocalBackend(path).read() == sample_state(serial=9)


@pytest.mark.parametrize("change", ["none", "same bytes", "other state", "one byte", "prefix",
                                    "longer", "removed", "emptied"])
def test_a_read_after_a_read_ahead_is_what_the_file_holds_then(change: str) -> None:
    """``read_ahead`` then ``read`` (under the lock) gives what a fresh client reads then,
    and the object read ahead exactly when the bytes are unchanged, whatever was done to
    the file in between."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "terraform.tfstate"
        LocalBackend(path).write(sample_state(serial=3))
        raw = path.read_bytes()
        backend = LocalBackend(path)
        ahead = backend.read_ahead()
        assert ahead == sample_state(serial=3)
        if change == "same bytes":
            path.write_bytes(raw)
        elif change == "other state":
            LocalBackend(path).write(sample_state(serial=4, pool_name="other-pool"))
        elif change == "one byte":  # same length, the serial's last digit changed
            at = raw.index(b'"serial": 3') + len(b'"serial": ')
            path.write_bytes(raw[:at] + b"7" + raw[at + 1:])
        elif change == "prefix":
            path.write_bytes(raw[:-1])
        elif change == "longer":
            path.write_bytes(raw + b" ")
        elif change == "removed":
            path.unlink()
        elif change == "emptied":
            path.write_bytes(b"")
        try:
            expected: State | type[StateFormatError] | None = LocalBackend(path).read()
        except StateFormatError:
            expected = StateFormatError
        try:
            found: State | type[StateFormatError] | None = backend.read()
        except StateFormatError:
            found = StateFormatError
        assert found == expected
        assert (found is ahead) == (change in ("none", "same bytes"))
