"""``MemoryBackend``: state held in memory, for tests and for callers that persist elsewhere.

Several clients may share one ``MemoryStore`` (pass it to each) to act like several processes
using one remote state; each client remembers only its own lock. The store keeps the encoded
bytes, so every read decodes a fresh copy (copy on read) and later mutation of a written
state's dictionaries cannot reach the store.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from albform.engine.schema import ResourceSchema
from albform.engine.state.backends.base import StateBackend, check_write
from albform.engine.state.codec import EncodeCache, decode_state, encode_state, prepare_instance
from albform.engine.state.journal import MemoryJournal
from albform.engine.state.lock import LockError, LockInfo, StateLockedError
from albform.engine.state.model import ResourceState, State


@dataclass
class MemoryStore:
    """What a memory "server" holds: the state bytes and the current lock record."""

    data: bytes | None = None
    holder: LockInfo | None = None
    journal: MemoryJournal = field(default_factory=MemoryJournal)
    mutex: threading.Lock = field(default_factory=threading.Lock)


class MemoryBackend(StateBackend):
    lock_path = ""

    def __init__(self, store: MemoryStore | None = None, *,
                 schemas: Mapping[str, ResourceSchema] | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self._schemas = schemas
        # Rewrites during an apply re-encode only the instances changed since the last.
        self._encoded = EncodeCache()
        self._lock_id: str | None = None

    def read(self) -> State | None:
        data = self.store.data
        return None if data is None else decode_state(data, self._schemas)

    def prepare(self, resource: ResourceState) -> None:
        prepare_instance(resource, self._schemas, self._encoded)

    def write(self, state: State, *, force: bool = False) -> None:
        with self.store.mutex:
            stored = (None if self.store.data is None
                      else decode_state(self.store.data, self._schemas))
            data = encode_state(state, self._schemas, cache=self._encoded)
            if check_write(stored, state, stored_data=self.store.data, new_data=data, force=force):
                self.store.data = data

    def journal(self) -> MemoryJournal:
        return self.store.journal

    def lock(self, info: LockInfo) -> str:
        with self.store.mutex:
            if self.store.holder is not None:
                raise StateLockedError(self.store.holder, "state is locked by another client")
            self.store.holder = info
        self._lock_id = info.id
        return info.id

    def unlock(self, lock_id: str) -> None:
        if self._lock_id != lock_id:
            raise LockError(f"lock ID {lock_id!r} is not held by this client",
                            lock_id=self._lock_id or "")
        self._release(lock_id)
        self._lock_id = None

    def force_unlock(self, lock_id: str) -> None:
        self._release(lock_id)
        if self._lock_id == lock_id:
            self._lock_id = None

    def _release(self, lock_id: str) -> None:
        with self.store.mutex:
            holder = self.store.holder
            if holder is None:
                raise LockError("state is not locked")
            if holder.id != lock_id:
                raise LockError(
                    f"lock ID {lock_id!r} does not match the existing lock ID {holder.id!r}",
                    lock_id=holder.id)
            self.store.holder = None
