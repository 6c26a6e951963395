"""The ``StateBackend`` protocol every state store implements, and the write check they share.

Contracts, for every backend:

* ``read()`` returns ``None`` when no state was ever written, else a ``State`` that shares no
  mutable data with the store or with earlier reads (copy on read: callers may mutate what they
  get without affecting the store).
* ``write(state)`` persists the whole state atomically: a reader sees the old state or the new
  one, never a mix, and a crash mid-write leaves the old one. It refuses, with
  ``StaleStateError``, a state of another lineage or with a serial not greater than the stored
  one, unless the stored state is empty (writing the identical state again is a no-op). Call
  it while holding the lock. ``write(state, force=True)`` (``state push -force``) skips the
  lineage and serial checks and writes ``state`` as given.
* ``lock(info) -> lock_id`` takes the lock or raises ``StateLockedError`` naming the holder;
  ``unlock(lock_id)`` releases this client's lock (``LockError`` on a wrong ID);
  ``force_unlock(lock_id)`` releases a lock held by anyone, given its ID (the ID is a nonce:
  you can only clear the lock you mean to).
* ``locked(operation, timeout_s)`` is the context manager callers use: it retries a held lock
  with back-off for up to ``timeout_s`` and always unlocks.
* ``journal()`` is the state's intent journal (``engine/state/journal.py``): it lives with the
  state, so whoever applies next reconciles what a crashed apply left open. Use it under the
  lock.

Failures of the store itself (I/O, network, database) raise ``BackendError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from albform.engine.state.journal import IntentJournal
from albform.engine.state.lock import (
    LockError,
    LockInfo,
    acquire_with_retry,
    force_unlock_advice,
)
from albform.engine.state.model import ResourceState, State


class BackendError(Exception):
    """The state store failed (I/O, network, database); the message names the store."""


class StaleStateError(BackendError):
    """A write that would lose someone's changes: other lineage or non-increasing serial."""


class StateBackend(Protocol):
    """Where one workspace's state lives. Backends subclass this to inherit ``locked``."""

    #: ``Path`` recorded in lock info (the state file for local state, ``""`` for http).
    lock_path: str = ""
    #: The hex SHA-256 of the stored state as the last ``read`` found it, for a backend that
    #: knows it (local files); None otherwise. Memos of what was planned against that very
    #: state are keyed by it (``engine/noop_memo.py``).
    read_sha256: str | None = None

    def read(self) -> State | None: ...

    def read_ahead(self) -> State | None:
        """The state read without the lock, so that work on it can start before the lock is
        taken; a later ``read`` (under the lock) returns this very object when the stored
        state has not changed meanwhile, else what it reads. None: this backend offers no
        read ahead (the caller waits for ``read``)."""
        return None

    def write(self, state: State, *, force: bool = False) -> None: ...

    def prepare(self, resource: ResourceState) -> None:
        """A hint that ``resource`` will be in the next ``write``: a backend that encodes
        states incrementally may encode it now, on the caller's thread (an apply's workers
        call this as each object is done). Never fails, never waits for a write under way;
        what is written is the same with or without it."""
        return None

    def lock(self, info: LockInfo) -> str: ...

    def unlock(self, lock_id: str) -> None: ...

    def force_unlock(self, lock_id: str) -> None: ...

    def journal(self) -> IntentJournal: ...

    def close(self) -> None:
        """Release connections (pg, http); a no-op for backends that hold none."""
        return None

    @contextmanager
    def locked(self, operation: str, timeout_s: float = 0.0, *,
               info: str = "") -> Iterator[LockInfo]:
        """Hold the lock for the ``with`` body; yields the lock record (its ``id`` too)."""
        record = LockInfo.new(operation, path=self.lock_path, info=info)
        lock_id = acquire_with_retry(self, record, timeout_s)
        try:
            yield record if lock_id == record.id else _with_id(record, lock_id)
        except BaseException as exc:
            # Report the body's failure first; a failed unlock is secondary to it.
            try:
                self.unlock(lock_id)
            except Exception as unlock_error:
                exc.add_note(f"Also failed to unlock the state (lock ID {lock_id}): "
                             f"{_reason(unlock_error)}\n{force_unlock_advice(lock_id)}")
            raise
        try:
            self.unlock(lock_id)
        except Exception as exc:
            raise LockError(f"Failed to unlock the state: {_reason(exc)}",
                            lock_id=lock_id) from exc

    def take_notices(self) -> list[str]:
        """What the backend found and tidied up when it took the lock (leftovers of a killed
        run), for the caller to show; each notice is returned once."""
        return []


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, LockError) else str(exc)


def _with_id(record: LockInfo, lock_id: str) -> LockInfo:
    return LockInfo(id=lock_id, operation=record.operation, info=record.info,
                    who=record.who, version=record.version, created=record.created,
                    path=record.path)


@dataclass(frozen=True, slots=True)
class StateHeader:
    """What ``check_write`` needs of a stored state short of equality: cheap to keep."""

    lineage: str
    serial: int
    is_empty: bool

    @classmethod
    def of(cls, state: State) -> StateHeader:
        return cls(state.lineage, state.serial, state.is_empty)


def check_write(stored: State | StateHeader | None, new: State, *,
                stored_data: bytes | None = None, new_data: bytes | None = None,
                force: bool = False) -> bool:
    """Whether ``new`` may replace ``stored`` (Terraform's ``CheckValidImport`` rules, applied
    on every write). Returns False when ``new`` is what is stored (nothing to write): equal
    encoded bytes (which also covers withheld sensitive values) or equal states. Raises
    ``StaleStateError`` in Terraform's wording when the write would lose changes. Pass a
    full ``State`` when the serials are equal, so equality can be decided. With ``force``
    nothing is refused: only the identical bytes are not written again."""
    if force:
        return stored_data is None or new_data != stored_data
    if stored is None or stored.is_empty:
        return True  # nothing in an empty state can be lost (Terraform allows this too)
    if new.lineage != stored.lineage:
        raise StaleStateError(
            f'cannot import state with lineage "{new.lineage}" over unrelated state with '
            f'lineage "{stored.lineage}"'
        )
    if new.serial < stored.serial:
        raise StaleStateError(
            f"cannot import state with serial {new.serial} over newer state with serial "
            f"{stored.serial}"
        )
    if new.serial == stored.serial:
        if new_data is not None and new_data == stored_data:
            return False
        if isinstance(stored, State) and new == stored:
            return False
        raise StaleStateError(
            f"cannot overwrite existing state with serial {stored.serial} with a different "
            "state that has the same serial"
        )
    return True
