"""The intent journal: a durable record of every controller write apply is about to make.

Write-behind persistence (``apply_state``) lets a few completed operations go unrecorded in
the state for a moment; a crash then would leave objects on the controller that no state
knows (orphans). So before each create, update or delete the engine appends an ``Intent``
(operation, address, the object's identity as the provider gives it, its name) to the
journal and waits until it is durable; the call is made only then. The next plan reads the
open intents and reconciles them with the controller (``engine/recovery.py``). After an
apply has persisted its final state, the journal keeps only the intents whose outcome is
still unknown (``replace``).

Rules every ``IntentJournal`` keeps:

1. ``record`` returns only once the intent is durable (fsync, committed row); a failure
   raises ``JournalError`` and the caller must not make the call.
2. ``record`` is thread-safe and cheap: concurrent records share one durable write (group
   commit; in a file, syncs overlap, so a record waits for one sync begun after its line was
   written, never for one already under way first), and its cost depends on the intents
   written, never on the state's size.
3. ``pending`` returns every intent recorded and not replaced away, in recording order.
4. ``replace(intents)`` atomically leaves exactly ``intents``; ``replace(())`` empties it.

Where it lives (``StateBackend.journal()``): beside the state file for the local backend, in
a table beside ``states`` for pg, and for http (whose protocol has one document and no
append) in the working directory's ``.albform/journal/``.

Codec: one JSON object per line, UTF-8, ``"v": 1``. A last line without its newline was
torn by a crash mid-append; its call was never made (rule 1), so it is ignored.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import heapq
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from albform.engine.addrs import ResourceAddress

Operation = Literal["create", "update", "delete"]
OPERATIONS: tuple[Operation, ...] = ("create", "update", "delete")
FORMAT_VERSION = 1


class JournalError(Exception):
    """The journal could not be written or read; the message names where it lives."""


@dataclass(frozen=True, slots=True)
class Intent:
    """One controller write about to be made. ``identity`` is what the provider needs to
    read the object back (``Provider.identity``); ``deposed`` is set when the write deletes a
    deposed object; ``name`` is for messages only."""

    operation: Operation
    address: ResourceAddress
    identity: Mapping[str, Any] = field(default_factory=dict)
    name: str | None = None
    deposed: str | None = None


def encode_intent(intent: Intent) -> bytes:
    """One journal line (ending in a newline)."""
    doc: dict[str, Any] = {"v": FORMAT_VERSION, "op": intent.operation,
                           "address": str(intent.address), "identity": dict(intent.identity)}
    if intent.name is not None:
        doc["name"] = intent.name
    if intent.deposed is not None:
        doc["deposed"] = intent.deposed
    return json.dumps(doc, separators=(",", ":"), sort_keys=True,
                      ensure_ascii=False).encode() + b"\n"


def decode_intents(data: bytes, where: str = "journal") -> list[Intent]:
    """The intents of a journal's bytes; a torn last line is ignored (module docstring).
    Any other line that is not an intent raises ``JournalError`` naming ``where``:line."""
    lines = data.split(b"\n")
    complete = lines[:-1]  # the part after the last newline is empty or torn
    out: list[Intent] = []
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            out.append(_decode_line(json.loads(line)))
        except (ValueError, TypeError, KeyError) as exc:
            raise JournalError(
                f"{where}:{number}: not an albform intent record ({exc}). The journal lists "
                "controller writes of an interrupted apply; if you cannot repair the line, "
                "move the file away and check the controller for objects missing from the "
                "state.") from None
    return out


def _decode_line(doc: Any) -> Intent:
    if not isinstance(doc, dict):
        raise ValueError(f"a record is a JSON object, not {doc!r:.40}")
    if doc.get("v") != FORMAT_VERSION:
        raise ValueError(f"unknown record version {doc.get('v')!r}")
    op = doc["op"]
    if op not in OPERATIONS:
        raise ValueError(f"unknown operation {op!r}")
    identity = doc["identity"]
    name, deposed = doc.get("name"), doc.get("deposed")
    if not isinstance(identity, dict) or not isinstance(name, str | None) \
            or not isinstance(deposed, str | None):
        raise ValueError("identity, name or deposed has the wrong type")
    return Intent(op, ResourceAddress.parse(doc["address"]), identity, name, deposed)


def intents_digest(intents: Sequence[Intent]) -> str:
    """A short fingerprint of a list of intents: a saved plan records the intents it
    reconciled, and apply refuses it when the journal has changed since."""
    if not intents:
        return ""
    digest = hashlib.sha256(b"".join(encode_intent(i) for i in intents))
    return digest.hexdigest()[:32]


class IntentJournal(Protocol):
    """See the module docstring for the rules."""

    def record(self, intent: Intent) -> None: ...

    def record_all(self, intents: Sequence[Intent]) -> None:
        """``record`` of each of ``intents``, in order, made durable together (one write:
        an apply records the intents its plan already fixes before its first call)."""
        ...

    def pending(self) -> list[Intent]: ...

    def replace(self, intents: Sequence[Intent]) -> None: ...


class GroupCommit:
    """Rule 2 for any store: ``record`` queues the line; one caller at a time writes every
    queued line through ``flush`` (one fsync or one INSERT for all), the others wait for
    that write to cover theirs. After a failed flush every later record fails too (the
    store is not trusted any more), as a failed state write stops an apply.

    With ``sync`` (a file: ``flush`` only hands the lines to the OS, ``sync`` makes
    everything handed so far durable) the two steps are apart: writes still go one batch at
    a time, but a sync never waits for another one. A record that arrives while a sync is
    under way does not wait for it (that sync started before its line was written, so it
    cannot cover it) and then for one more: it writes what is queued and starts its own
    sync at once, which the OS runs alongside or right after the one in progress. A record
    waits only for a sync that started after its line was written — one sync, not two.

    A waiting record is woken only by what it waits for — as the next writer, or once its
    line is durable — never by every write and sync: with ``-parallelism`` 32 a wake-up of
    all waiters per step was dozens of thread switches, each needing the interpreter lock."""

    def __init__(self, flush: Callable[[list[bytes]], None],
                 sync: Callable[[], None] | None = None) -> None:
        self._flush = flush
        self._sync = sync
        self._lock = threading.Lock()
        self._queue: list[bytes] = []
        self._queued = 0  # sequence number of the last queued line
        self._written = 0  # every line up to this one is written (durable without ``sync``)
        self._durable = 0  # every line up to this one is durable
        self._covering = 0  # the highest line a sync under way will make durable
        self._writing = False
        self._error: JournalError | None = None
        # Parked records, (line, lock they block on): lines not yet written, in order (the
        # first becomes the next writer), and lines a sync under way covers (a heap).
        self._unwritten: collections.deque[tuple[int, threading.Lock]] = collections.deque()
        self._unsynced: list[tuple[int, threading.Lock]] = []

    def record(self, line: bytes) -> None:
        self.record_all([line])

    def record_all(self, lines: Sequence[bytes]) -> None:
        """``record`` of each line, in order, returning once the last one is durable (they
        are queued together, so one write and one sync usually cover them all)."""
        if not lines:
            return
        with self._lock:
            self._check()
            self._queue.extend(lines)
            self._queued += len(lines)
            mine = self._queued
            while self._durable < mine:
                if self._written < mine:
                    if self._writing:
                        self._park(mine, written=False)
                    else:
                        self._write_queue()
                elif self._covering >= mine:  # a sync started after this line was written
                    self._park(mine, written=True)
                else:
                    self._sync_written()
                self._check()

    def _park(self, mine: int, *, written: bool) -> None:
        """Block until woken (holding the lock on entry and on return)."""
        waiter = threading.Lock()
        waiter.acquire()
        if written:
            heapq.heappush(self._unsynced, (mine, waiter))
        else:
            self._unwritten.append((mine, waiter))
        self._lock.release()
        try:
            waiter.acquire()
        finally:
            self._lock.acquire()

    def _write_queue(self) -> None:
        """Write everything queued; called holding the lock, released while writing. The
        records parked on lines of this batch wait for the sync its writer makes next (or
        return, without ``sync``); the first one queued meanwhile becomes the next writer."""
        batch, upto = self._queue, self._queued
        self._queue, self._writing = [], True
        self._outside(lambda: self._flush(batch))
        self._writing = False
        self._written = upto
        if self._sync is None:
            self._durable = upto
        while self._unwritten and self._unwritten[0][0] <= upto:
            entry = self._unwritten.popleft()
            if self._sync is None:
                entry[1].release()
            else:
                heapq.heappush(self._unsynced, entry)
        if self._unwritten:
            self._unwritten.popleft()[1].release()

    def _sync_written(self) -> None:
        """Make every written line durable; called holding the lock, released while
        syncing. Other syncs may be under way: each covers what was written when it began."""
        sync, upto = self._sync, self._written
        assert sync is not None
        self._covering = max(self._covering, upto)
        self._outside(sync)
        self._durable = max(self._durable, upto)
        while self._unsynced and self._unsynced[0][0] <= self._durable:
            heapq.heappop(self._unsynced)[1].release()

    def _outside(self, call: Callable[[], None]) -> None:
        """Run ``call`` with the lock released; on failure remember the error, wake every
        parked record (each then fails) and re-raise."""
        self._lock.release()
        try:
            call()
        except BaseException as exc:
            self._lock.acquire()
            self._error = exc if isinstance(exc, JournalError) else JournalError(repr(exc))
            for _, waiter in (*self._unwritten, *self._unsynced):
                waiter.release()
            self._unwritten.clear()
            self._unsynced.clear()
            raise
        self._lock.acquire()

    def _check(self) -> None:
        if self._error is not None:
            raise JournalError(f"the journal failed earlier: {self._error}")


class FileJournal:
    """An append-only file (``O_APPEND``, mode 0600): each group of records is one ``write``,
    made durable by ``fdatasync`` (the data and the file's new size; ``fsync`` where there is
    no ``fdatasync``), syncs overlapping as ``GroupCommit`` describes. The first record also
    fsyncs the directory, so the file itself survives a power cut. ``replace`` writes a new
    file and renames it over."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._fd_lock = threading.Lock()
        self._commit = GroupCommit(self._append, self._sync)

    def record(self, intent: Intent) -> None:
        self._commit.record(encode_intent(intent))

    def record_all(self, intents: Sequence[Intent]) -> None:
        self._commit.record_all([encode_intent(i) for i in intents])

    def pending(self) -> list[Intent]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise JournalError(f"cannot read the journal {self.path}: {exc}") from exc
        return decode_intents(data, str(self.path))

    def replace(self, intents: Sequence[Intent]) -> None:
        with self._fd_lock:
            self._close()
            try:
                if intents:
                    _atomic_write(self.path, b"".join(encode_intent(i) for i in intents))
                elif self.path.exists():
                    self.path.unlink()
                    _fsync_dir(self.path.parent)
            except OSError as exc:
                raise JournalError(f"cannot rewrite the journal {self.path}: {exc}") from exc

    def close(self) -> None:
        with self._fd_lock:
            self._close()

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _append(self, lines: list[bytes]) -> None:
        data = b"".join(lines)
        with self._fd_lock:
            try:
                if self._fd is not None and not self._still_the_file(self._fd):
                    self._close()  # another client replaced the journal: append to the new one
                if self._fd is None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT
                                       | os.O_CLOEXEC, 0o600)
                    _fsync_dir(self.path.parent)
                view = memoryview(data)
                while view:
                    written = os.write(self._fd, view)
                    view = view[written:]
            except OSError as exc:
                raise JournalError(f"cannot write the journal {self.path}: {exc}") from exc

    def _sync(self) -> None:
        """Make every line written so far durable. The sync runs on a duplicate of the file
        descriptor, outside the lock: other writes and syncs go on meanwhile, and a ``replace``
        closing the journal's own descriptor cannot leave this one pointing elsewhere."""
        with self._fd_lock:
            try:
                if self._fd is None:  # closed by replace() or close() while recording
                    raise OSError("the journal was closed while a record was being written")
                fd = os.dup(self._fd)
            except OSError as exc:
                raise JournalError(f"cannot sync the journal {self.path}: {exc}") from exc
        try:
            _sync_data(fd)
        except OSError as exc:
            raise JournalError(f"cannot sync the journal {self.path}: {exc}") from exc
        finally:
            os.close(fd)

    def _still_the_file(self, fd: int) -> bool:
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


class MemoryJournal:
    """A journal in memory, for the memory backend (shared by its clients like the state)
    and tests. Durable for as long as the object lives."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: list[bytes] = []
        self.records = 0  # how many record() calls, for tests

    def record(self, intent: Intent) -> None:
        self.record_all([intent])

    def record_all(self, intents: Sequence[Intent]) -> None:
        lines = [encode_intent(i) for i in intents]
        with self._lock:
            self._lines.extend(lines)
            self.records += len(lines)

    def pending(self) -> list[Intent]:
        with self._lock:
            return decode_intents(b"".join(self._lines))

    def replace(self, intents: Sequence[Intent]) -> None:
        with self._lock:
            self._lines = [encode_intent(i) for i in intents]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


# The data and the metadata needed to read it back (an append's new size), not the times.
_sync_data: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
