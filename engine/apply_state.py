"""The state an apply builds as it goes, shared by the walk's worker threads, and its
persistence after every completed step (``WorkingState``; used only by ``apply``).

Every mutation happens under one lock and marks the state dirty; ``flush()`` asks for a write
of a snapshot with the next serial. Three modes:

* synchronous (``parallelism=1`` without an intent journal): ``flush()`` writes before
  returning, so each completed step is persisted on its own before the next one starts
  (exact, but a chain of N steps costs N writes of a growing state);
* write-behind (parallel walks without a journal): a persister thread writes whenever the
  state is dirty, coalescing the steps completed meanwhile into the next write, and rests
  twice as long as the last write took (at least 0.2 s, at most 10 s) between writes. The
  walk never waits for the backend; an object created is in a written state within about
  three write times plus 0.2 s (Terraform's own interval is 20 s);
* compaction (``journaled=True``, any parallelism: what ``apply`` does when the backend has
  an intent journal). The journal already holds, durably and append-only, every write under
  way, and the next plan reconciles whatever the state misses (``engine/recovery.py``): a
  state write during the walk is only a safe point that shortens that reconciliation, not
  what makes the apply crash-safe. So the persister rests ``COMPACT_FACTOR`` times as long as
  the last write took (at least 1 s, at most 120 s): writing whole states costs at most about
  1/20 of the apply whatever its size — the number of mid-apply writes stays nearly constant
  as N grows instead of the apply turning quadratic — and ``close()`` writes the final state.

``put`` hands each object to ``prepare`` (the backend's ``StateBackend.prepare``) on the
worker's thread, outside the lock: a backend that encodes incrementally renders it then, as
the walk goes, so that the final write (which nothing overlaps: the walk waits for it) and
the mid-apply ones render little.

``flush(now=True)`` writes before returning in every mode: a create_before_destroy's deposed
object must be in a written state before its replacement exists.

Writes never overlap and serials increase by one per write. A failing ``persist`` is
remembered (``persist_error``), no further writes are tried, and ``on_error`` is called so
the caller can stop the walk and hand the in-memory state back for an errored-state file.

Deposed objects (``State.deposed``) are part of every snapshot: ``depose`` turns the current
object of a create_before_destroy replacement into a deposed one *before* its replacement is
created, so every state written holds the old object, current or deposed, until
``forget_deposed`` after its delete: a crash in between leaves it deposed, never forgotten.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.hooks import Hook
from albform.engine.state.model import OutputState, ResourceState, State, new_deposed_key

DeposedId = tuple[ResourceAddress, str]

MIN_PAUSE_S = 0.2
MAX_PAUSE_S = 10.0
# Compaction mode (module docstring): the pause is this many write times, within bounds.
COMPACT_FACTOR = 20.0
COMPACT_MIN_PAUSE_S = 1.0
COMPACT_MAX_PAUSE_S = 120.0


class WorkingState:
    def __init__(self, base: State, serial: int, persist: Callable[[State], None],
                 hook: Hook, *, on_error: Callable[[], None] = lambda: None,
                 journaled: bool = False,
                 prepare: Callable[[ResourceState], None] | None = None) -> None:
        self._base = base
        self._prepare = prepare
        self.journaled = journaled
        self._serial = serial
        self._persist = persist
        self._hook = hook
        self._on_error = on_error
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._persisting = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closing = False
        # The persister waits for a dirty state (only then does a step need to wake it; while
        # it rests between writes, waking it at every step would cost a thread switch each).
        self._idle = False
        self._resources: dict[ResourceAddress, ResourceState] = {
            r.address: r for r in base.resources}
        # Old objects of create_before_destroy replacements, until their delete succeeds.
        self._deposed: dict[DeposedId, ResourceState] = {
            (r.address, r.deposed or ""): r for r in base.deposed}
        self._outputs: Mapping[str, OutputState] = base.outputs
        self._dirty = False
        self.persisted = 0
        self.last_persisted: State | None = None
        self.persist_error: Exception | None = None

    # -- reads --------------------------------------------------------------------------
    def get(self, address: ResourceAddress) -> ResourceState | None:
        with self._lock:
            return self._resources.get(address)

    def attributes(self, address: ResourceAddress) -> Mapping[str, Any] | None:
        with self._lock:
            found = self._resources.get(address)
        return None if found is None else found.attributes

    def deposed(self) -> dict[DeposedId, ResourceState]:
        with self._lock:
            return dict(self._deposed)

    def deposed_object(self, address: ResourceAddress, key: str) -> ResourceState | None:
        with self._lock:
            return self._deposed.get((address, key))

    def resources(self) -> dict[ResourceAddress, ResourceState]:
        with self._lock:
            return dict(self._resources)

    # -- mutations (each marks the state dirty; call flush() after) ----------------------
    def put(self, resource: ResourceState) -> None:
        with self._lock:
            self._resources[resource.address] = resource
            self._dirty = True
        if self._prepare is not None:
            self._prepare(resource)

    def remove(self, address: ResourceAddress) -> None:
        with self._lock:
            if self._resources.pop(address, None) is not None:
                self._dirty = True

    def move(self, old: ResourceAddress, new: ResourceAddress) -> None:
        with self._lock:
            found = self._resources.pop(old, None)
            if found is not None and new not in self._resources:
                self._resources[new] = replace(found, address=new)
                self._dirty = True
            elif found is not None:
                self._resources[old] = found

    def depose(self, address: ResourceAddress) -> str | None:
        """Turn the current object at ``address`` into a deposed one under a fresh key (which
        is returned; ``None`` when there is no current object)."""
        with self._lock:
            old = self._resources.pop(address, None)
            if old is None:
                return None
            key = new_deposed_key(k for a, k in self._deposed if a == address)
            self._deposed[(address, key)] = replace(old, deposed=key)
            self._dirty = True
            return key

    def restore_deposed(self, address: ResourceAddress, key: str) -> None:
        """Make a deposed object current again (its replacement was never created), unless
        another object became current meanwhile."""
        with self._lock:
            if address in self._resources or (address, key) not in self._deposed:
                return
            old = self._deposed.pop((address, key))
            self._resources[address] = replace(old, deposed=None)
            self._dirty = True

    def forget_deposed(self, address: ResourceAddress, key: str) -> None:
        with self._lock:
            if self._deposed.pop((address, key), None) is not None:
                self._dirty = True

    def mark_dirty(self) -> None:
        """The base state itself is news (refreshed, moved): write it even if no step runs."""
        with self._lock:
            self._dirty = True

    def set_outputs(self, outputs: Mapping[str, OutputState]) -> None:
        with self._lock:
            if dict(outputs) != dict(self._outputs):
                self._outputs = dict(outputs)
                self._dirty = True

    # -- persistence ---------------------------------------------------------------------
    def snapshot(self, serial: int | None = None) -> State:
        """The state as it stands, resources in address order (for the caller)."""
        with self._lock:
            state = self._snapshot(self._serial if serial is None else serial)
        return state.with_resources(state.resources).with_deposed(state.deposed)

    def _snapshot(self, serial: int) -> State:
        # Resources in working order (prior order, new ones appended): the codec orders them
        # itself, and sorting 50,000 addresses on every write would dominate a large apply.
        return replace(self._base, resources=tuple(self._resources.values()), serial=serial,
                       outputs=dict(self._outputs), deposed=tuple(self._deposed.values()))

    def start_background(self) -> None:
        """Switch to write-behind: from now on a persister thread does the writes."""
        self._thread = threading.Thread(target=self._run, name="state-persister",
                                        daemon=True)
        self._thread.start()

    def flush(self, *, now: bool = False) -> None:
        """Persist everything changed so far: now (synchronous mode, or ``now``) or soon
        (write-behind, compaction)."""
        if self._thread is not None and not now:
            # The step's mutation set the dirty flag under the lock before this: a persister
            # not idle now is writing or resting and sees the flag when it next looks.
            if self._idle:
                with self._wake:
                    self._wake.notify()
        else:
            self._drain()

    def close(self) -> None:
        """Stop the persister thread, then write whatever is still unwritten."""
        if self._thread is not None:
            with self._wake:
                self._closing = True
                self._wake.notify()
            self._thread.join()
            self._thread = None
        self._drain()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._dirty and not self._closing:
                    self._idle = True
                    self._wake.wait()
                self._idle = False
                if self._closing:
                    return  # close() does the last write
            started = time.monotonic()
            # One write per pass: looping while dirty (as ``_drain`` does for flush and close)
            # would write back to back for the whole apply, since a step always completes
            # during a write — the pause below is what bounds the cost of persisting.
            self._write_once()
            if self.persist_error is not None:
                return
            # Pace the writes: encoding holds the GIL, and every hand-over between a worker
            # and the walk then waits for the interpreter's switch interval, which stalls a
            # chain of small steps; so persisting takes at most a third of the time.
            took = time.monotonic() - started
            if self.journaled:
                pause = min(max(COMPACT_FACTOR * took, COMPACT_MIN_PAUSE_S), COMPACT_MAX_PAUSE_S)
            else:
                pause = min(max(2 * took, MIN_PAUSE_S), MAX_PAUSE_S)
            resume = time.monotonic() + pause
            with self._wake:
                while not self._closing and (left := resume - time.monotonic()) > 0:
                    self._wake.wait(left)  # only close() ends the rest early

    def _drain(self) -> None:
        """Write until nothing is left unwritten (flush and close)."""
        while self._write_once():
            pass

    def _write_once(self) -> bool:
        """Write one snapshot if the state is dirty; False when there was nothing to write
        or the write failed."""
        with self._persisting:
            with self._lock:
                if not self._dirty or self.persist_error is not None:
                    return False
                self._dirty = False
                self._serial += 1
                state = self._snapshot(self._serial)
            try:
                self._persist(state)
            except Exception as exc:  # a backend failure: recorded, the apply stops
                with self._lock:
                    self.persist_error = exc
                    self._dirty = True
                self._on_error()
                return False
            with self._lock:
                self.persisted += 1
                self.last_persisted = state
            self._hook.state_persisted(state.serial)
            return True
