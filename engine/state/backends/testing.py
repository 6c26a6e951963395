"""The conformance suite every state backend must pass: ``check_backend(factory)``,
``check_locking(factory)`` and ``check_journal(factory)``.

``factory()`` returns a new *client* of one state that starts empty: every call gives another
client (another connection, another handle) of the same state, the way two processes see one
state file or one remote state. The checks raise ``ConformanceError`` naming what broke; they
import no test framework, so any backend's tests (and other projects') can call them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.state.backends.base import StaleStateError, StateBackend
from albform.engine.state.lock import (
    LockError,
    LockInfo,
    StateLockedError,
    acquire_with_retry,
)
from albform.engine.state.model import OutputState, ResourceState, State

BackendFactory = Callable[[], StateBackend]


class ConformanceError(AssertionError):
    """A backend broke one of the ``StateBackend`` contracts."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


def _expect_raises(kind: type[Exception], action: Callable[[], object], what: str) -> Exception:
    try:
        action()
    except kind as exc:
        return exc
    raise ConformanceError(f"{what}: expected {kind.__name__}, nothing was raised")


def sample_state(serial: int = 1, lineage: str = "3f1c2a9e-0000-4000-8000-000000000001",
                 *, pool_name: str = "web-pool") -> State:
    """A small state touching every codec feature: modules, index keys, data sources,
    dependencies, a tainted instance and outputs. Fresh dictionaries on every call."""
    pool = ResourceAddress("avi_pool", "web")
    resources = [
        ResourceState(pool, {"name": pool_name, "uuid": "pool-1", "servers": [
            {"ip": {"addr": "10.0.0.1", "type": "V4"}, "port": 8080}]}),
        ResourceState(ResourceAddress("avi_virtualservice", "vs", key="prod"),
                      {"name": "vs-prod", "pool_ref": "/api/pool/pool-1"},
                      dependencies=(pool,), create_before_destroy=True),
        ResourceState(ResourceAddress("avi_vsvip", "vip", key=0,
                                      module=(ModuleStep("edge"),)),
                      {"name": "vip-0"}, status="tainted"),
        ResourceState(ResourceAddress("avi_cloud", "default", mode="data"),
                      {"name": "Default-Cloud", "uuid": "cloud-1"}),
    ]
    return State(serial=serial, lineage=lineage,
                 outputs={"vs_name": OutputState("vs-prod")}).with_resources(resources)


def check_backend(factory: BackendFactory) -> None:
    """Empty read, round trip across clients, copy on read, serial and lineage checks, and
    a forced write."""
    first, second = factory(), factory()
    _expect(first.read() is None, "a new state must read as None")
    state = sample_state(serial=1)
    first.write(state)
    _expect(second.read() == state, "another client must read exactly what was written")
    _expect(first.read() == state, "the writer must read back exactly what it wrote")

    first.write(sample_state(serial=1))  # the identical state again: a no-op, not an error
    changed = sample_state(serial=1, pool_name="renamed")
    _expect_raises(StaleStateError, lambda: second.write(changed),
                   "a different state with the same serial")
    _expect_raises(StaleStateError, lambda: second.write(sample_state(serial=0)),
                   "a lower serial")
    other = sample_state(serial=5, lineage="00000000-0000-4000-8000-0000000000ff")
    _expect_raises(StaleStateError, lambda: second.write(other), "another lineage")
    _expect(first.read() == state, "refused writes must leave the stored state unchanged")

    newer = sample_state(serial=2, pool_name="renamed")
    second.write(newer)
    _expect(first.read() == newer, "a higher serial of the same lineage must be stored")
    _check_copy_on_read(first, serial=3)

    forced = sample_state(serial=1, lineage="00000000-0000-4000-8000-0000000000ff")
    second.write(forced, force=True)  # state push -force: lineage and serial as given
    _expect(first.read() == forced, "a forced write must be stored as given")


def _check_copy_on_read(backend: StateBackend, serial: int) -> None:
    written = sample_state(serial=serial)
    backend.write(written)
    mutable: Any = _pool(written).attributes
    mutable["name"] = "mutated after write"
    pristine = sample_state(serial=serial)
    _expect(backend.read() == pristine, "mutating a written state must not change the store")
    got = backend.read()
    assert got is not None
    attrs: Any = _pool(got).attributes
    attrs["name"] = "mutated by the caller"
    attrs["servers"][0]["port"] = 1
    _expect(backend.read() == pristine, "mutating a read state must not change the store")


def _pool(state: State) -> ResourceState:
    pool = state.get(ResourceAddress("avi_pool", "web"))
    _expect(pool is not None, "avi_pool.web vanished from the state")
    assert pool is not None
    return pool


def check_locking(factory: BackendFactory, *, names_holder: bool = True,
                  force_unlock_live: bool = True) -> None:
    """Two clients competing for one lock, wrong-ID unlocks, force-unlock and retry.

    ``names_holder``: the backend reports the holder's lock record on a conflict.
    ``force_unlock_live``: ``force_unlock`` can break a lock whose holder is still running
    (false for local state, where only the holding process can release it)."""
    first, second = factory(), factory()
    held = LockInfo.new("OperationTypeApply", info="conformance: first client")
    lock_id = first.lock(held)
    _expect(lock_id == held.id, "lock() must return the ID of the record it was given")
    error = _expect_raises(StateLockedError,
                           lambda: second.lock(LockInfo.new("OperationTypePlan")),
                           "locking a state another client holds")
    assert isinstance(error, StateLockedError)
    if names_holder:
        _expect(error.holder.id == lock_id and error.holder.operation == "OperationTypeApply",
                f"the lock error must name the holder, got {error.holder}")
    _expect_raises(LockError, lambda: second.unlock(lock_id),
                   "unlocking through a client that does not hold the lock")
    _expect_raises(LockError, lambda: second.force_unlock("not-the-lock-id"),
                   "force-unlock with a wrong ID")
    first.unlock(lock_id)
    second_id = second.lock(LockInfo.new("OperationTypePlan"))
    second.unlock(second_id)

    with first.locked("OperationTypeApply") as record:
        _expect_raises(StateLockedError, lambda: second.lock(LockInfo.new("OperationTypePlan")),
                       "locking while another client is inside locked()")
        _expect(bool(record.id), "locked() must yield the lock record")
    second.unlock(second.lock(LockInfo.new("OperationTypePlan")))

    lock_id = first.lock(LockInfo.new("OperationTypeApply"))
    if force_unlock_live:
        second.force_unlock(lock_id)
        second.unlock(second.lock(LockInfo.new("OperationTypeApply")))
    else:
        _expect_raises(LockError, lambda: second.force_unlock(lock_id),
                       "force-unlocking a lock whose holder is alive")
        first.unlock(lock_id)
    # Fresh clients: one whose lock was broken may rightly fail its next call (pg ends its
    # session).
    _check_retry(factory(), factory())


def _check_retry(first: StateBackend, second: StateBackend) -> None:
    now = [0.0]
    sleeps: list[float] = []
    lock_id = first.lock(LockInfo.new("OperationTypeApply"))

    def sleep_then_release(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds
        if len(sleeps) == 2:
            first.unlock(lock_id)

    got = acquire_with_retry(second, LockInfo.new("OperationTypePlan"), 30,
                             sleep=sleep_then_release, clock=lambda: now[0])
    _expect(sleeps == [1.0, 2.0], f"retry must back off 1 s then 2 s, slept {sleeps}")
    second.unlock(got)

    lock_id = first.lock(LockInfo.new("OperationTypeApply"))
    sleeps.clear()

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    _expect_raises(StateLockedError,
                   lambda: acquire_with_retry(second, LockInfo.new("OperationTypePlan"), 40,
                                              sleep=sleep, clock=lambda: now[0]),
                   "a lock held past the timeout")
    _expect(sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 9.0],
            f"back-off must double up to 16 s and stop at the timeout, slept {sleeps}")
    first.unlock(lock_id)


def check_journal(factory: BackendFactory) -> None:
    """The intent journal (``engine/state/journal.py``) lives with the state: what one client
    records — concurrently, from several threads, one by one or ``record_all`` at once —
    another client reads back in order, and ``replace`` by either leaves exactly the intents
    given."""
    import threading

    from albform.engine.state.journal import Intent

    writer, reader = factory(), factory()
    journal = writer.journal()
    _expect(reader.journal().pending() == [], "a new state's journal is not empty")
    intents = [Intent("create", ResourceAddress("avi_pool", f"p{i}"),
                      {"uuid": f"pool-{i}", "tenant_ref": "/api/tenant/admin"}, f"p{i}")
               for i in range(24)]
    parts = [intents[n::4] for n in range(4)]

    def record_all(part: list[Intent]) -> None:
        for intent in part:
            journal.record(intent)

    threads = [threading.Thread(target=record_all, args=(part,)) for part in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen = reader.journal().pending()
    _expect(sorted(seen, key=str) == sorted(intents, key=str),
            f"another client sees {len(seen)} of {len(intents)} recorded intents")
    for part in parts:  # each thread's intents in the order it recorded them
        _expect([i for i in seen if i in part] == part, "intents came back out of order")
    reader.journal().replace(intents[:1])
    _expect(writer.journal().pending() == intents[:1], "replace did not leave exactly the "
            "intents given")
    journal.record(intents[5])
    _expect(reader.journal().pending() == [intents[0], intents[5]],
            "a record after replace is lost or misplaced")
    journal.record_all(intents[6:12])
    journal.record_all([])
    _expect(reader.journal().pending() == [intents[0], intents[5], *intents[6:12]],
            "record_all lost intents or wrote them out of order")
    writer.journal().replace([])
    _expect(reader.journal().pending() == [], "replace(()) left intents behind")
