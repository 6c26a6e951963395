"""``LocalBackend``: the embedded default — ``terraform.tfstate`` in the working directory.

Files beside the state file ``F``:

* ``F.backup`` — the state as it was before this client's first write that changed its
  content (one backup per command, as Terraform keeps: an apply's later writes do not
  replace it; a command that started without a state, or changed only lineage or serial,
  leaves none); the hand edits (``state rm | mv |
  replace-provider``) write it to ``F.<unix time>.backup`` instead, or to their ``-backup``
  path (``timestamped_backup``), as Terraform does;
* ``.F.lock`` — never deleted; an exclusive ``flock`` on it *is* the lock. The kernel drops it
  when the holding process dies, so a killed run never blocks anyone;
* ``.F.lock.info`` — Terraform's lock record (one line of JSON, mode 0600), metadata only:
  written after taking the lock, removed on unlock; a stale copy blocks nobody;
* ``.F.journal`` — the intent journal (``engine/state/journal.py``): append-only, fsynced
  before each controller write, present only while an apply runs or after one was
  interrupted (the next plan reconciles it).

Every file is replaced atomically (temp file ``.F.<random>.tmp`` in the same directory, fsync,
rename, fsync of the directory), so a crash at any point leaves the old or the new file, never
a torn one. Whoever takes the lock next removes the temp files a killed run left and the stale
lock record, and says so (``take_notices``): holding the lock, nobody else is writing them.
The lock is not Terraform's (Terraform takes a POSIX record lock on ``F`` itself, which an
atomic rename would defeat), so do not run ``terraform`` and albform on one directory at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from albform.engine.schema import ResourceSchema
from albform.engine.state.backends.base import (
    BackendError,
    StateBackend,
    StateHeader,
    check_write,
)
from albform.engine.state.codec import (
    EncodeCache,
    StateFormatError,
    decode_state,
    encode_state,
    prepare_instance,
)
from albform.engine.state.decoded_memo import StateMemo
from albform.engine.state.journal import FileJournal
from albform.engine.state.lock import LockError, LockInfo, StateLockedError
from albform.engine.state.model import ResourceState, State

DEFAULT_STATE_FILE = "terraform.tfstate"


def timestamped_backup(state_path: Path, now: float | None = None) -> Path:
    """``F.<unix seconds>.backup`` beside the state file ``F``: where Terraform's
    ``state rm | mv | replace-provider`` keep the state they changed."""
    seconds = int(time.time() if now is None else now)
    return state_path.with_name(f"{state_path.name}.{seconds}.backup")


class LocalBackend(StateBackend):
    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STATE_FILE, *,
                 schemas: Mapping[str, ResourceSchema] | None = None,
                 memo: StateMemo | None = None) -> None:
        """``memo``: where the decoded state is remembered between runs (``read``)."""
        state_path = Path(path)
        if state_path.is_dir():
            state_path = state_path / DEFAULT_STATE_FILE
        self.path = state_path
        self.backup_path = state_path.with_name(state_path.name + ".backup")
        self.lock_file = state_path.with_name(f".{state_path.name}.lock")
        self.info_path = state_path.with_name(f".{state_path.name}.lock.info")
        self.journal_path = state_path.with_name(f".{state_path.name}.journal")
        self._journal: FileJournal | None = None
        self._notices: list[str] = []
        self.lock_path = str(state_path)
        self._schemas = schemas
        self._memo = memo
        # Rewrites during an apply re-encode only the instances changed since the last.
        self._encoded = EncodeCache()
        self._fd: int | None = None
        self._lock_id: str | None = None
        # The bytes this client last read or wrote, and their header (see ``write``).
        self._known: tuple[bytes, StateHeader] | None = None
        # read_ahead's bytes, their SHA-256 and state, for the next read
        self._ahead: tuple[bytes, bytes, State] | None = None
        # The state file as this client's first write found it (bytes, decoded once), kept
        # as the backup at the first write that changes the content (module docstring).
        self._before: tuple[bytes, State] | None = None
        self._first_write = True
        # The hex SHA-256 of the state file as ``read`` last found it (None: no file), for
        # the memos keyed by it (``engine/noop_memo.py``).
        self.read_sha256: str | None = None

    # -- state ----------------------------------------------------------------------------------
    def read(self) -> State | None:
        ahead, self._ahead = self._ahead, None
        self.read_sha256 = None
        if ahead is not None and self._holds(ahead[1]):
            raw, digest, state = ahead
            sha256 = digest.hex()
        else:
            found = self._read_bytes()
            if found is None:
                return None
            sha256 = hashlib.sha256(found).hexdigest()  # the memos' key
            raw, state = found, self._decoded(found, sha256)
        self._known = (raw, StateHeader.of(state))
        self.read_sha256 = sha256
        return state

    def _holds(self, digest: bytes) -> bool:
        """Whether the state file's SHA-256 is ``digest`` (its bytes are the ones read
        ahead): hashed as it is read, so a large state is not held twice in memory, and
        without the interpreter lock. Size, times and inode could not prove the content."""
        try:
            with self.path.open("rb") as f:
                return hashlib.file_digest(f, "sha256").digest() == digest
        except OSError:
            return False  # read again, and report it then

    def read_ahead(self) -> State | None:
        """See ``StateBackend.read_ahead``: safe without the lock, since every write replaces
        the file whole (module docstring), so the bytes read are one state or another."""
        raw = self._read_bytes()
        if raw is None:
            return None
        digest = hashlib.sha256(raw)  # for read's check, and the memo's key
        state = self._decoded(raw, digest.hexdigest())
        self._ahead = (raw, digest.digest(), state)
        return state

    def _decoded(self, raw: bytes, sha256: str | None = None) -> State:
        state = self._memo.load(raw, sha256) if self._memo is not None else None
        if state is None:
            state = self._decode(raw)
            if self._memo is not None:
                self._memo.save(raw, state)
        return state

    def prepare(self, resource: ResourceState) -> None:
        prepare_instance(resource, self._schemas, self._encoded)

    def write(self, state: State, *, force: bool = False) -> None:
        raw = self._read_bytes()
        data = encode_state(state, self._schemas, cache=self._encoded)
        stored: State | StateHeader | None = None
        if raw is not None:
            # Decoding a large state costs more than encoding one: when the file still holds
            # the bytes this client last read or wrote, its remembered header is enough.
            known = self._known
            if known is not None and known[0] == raw and known[1].serial != state.serial:
                stored = known[1]
            else:
                stored = self._decode(raw)
        if not check_write(stored, state, stored_data=raw, new_data=data, force=force):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._keep_backup(raw, stored, state)
            atomic_write(self.path, data)
        except OSError as exc:
            raise BackendError(f"failed to write state to {self.path}: {exc}") from exc
        self._known = (data, StateHeader.of(state))

    def _keep_backup(self, raw: bytes | None, stored: State | StateHeader | None,
                     new: State) -> None:
        if self._first_write:
            self._first_write = False
            if raw is not None:
                self._before = (raw, stored if isinstance(stored, State) else self._decode(raw))
        if self._before is not None and not self._before[1].same_content(new):
            atomic_write(self.backup_path, self._before[0])
            self._before = None  # written: later writes of this client keep it

    def _read_bytes(self) -> bytes | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise BackendError(f"failed to read state from {self.path}: {exc}") from exc
        # Terraform treats an empty file as "no state yet".
        return None if not raw or raw.isspace() else raw  # isspace copies nothing

    def _decode(self, raw: bytes) -> State:
        try:
            return decode_state(raw, self._schemas)
        except StateFormatError as exc:
            raise StateFormatError(f"{self.path}: {exc}") from exc

    def journal(self) -> FileJournal:
        if self._journal is None:
            self._journal = FileJournal(self.journal_path)
        return self._journal

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()

    # -- lock -------------------------------------------------------------------------------------
    def lock(self, info: LockInfo) -> str:
        if self._fd is not None:
            raise StateLockedError(self._read_info() or info, "state is already locked by "
                                   "this client")
        if not info.path:
            info = info.with_path(self.lock_path)
        fd = self._open_lock_file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StateLockedError(self._holder(), "resource temporarily unavailable") from None
        stale = self._read_info()  # we hold the flock: a record left now is a dead run's
        try:
            atomic_write(self.info_path, info.to_json().encode())
        except OSError as exc:
            os.close(fd)  # closing the descriptor drops the flock
            raise BackendError(f"failed to write lock info {self.info_path}: {exc}") from exc
        self._fd, self._lock_id = fd, info.id
        if stale is not None:
            self._notices.append(
                f"The state lock record {self.info_path.name} was left by a run that never "
                f"released it (ID {stale.id}, {stale.operation or 'an operation'} by "
                f"{stale.who or 'unknown'}, created {stale.created or 'at an unknown time'}): "
                "it was killed or crashed. The lock itself ended with that process; the "
                "record is replaced by this run's.")
        self._remove_temp_files()
        return info.id

    def take_notices(self) -> list[str]:
        notices, self._notices = self._notices, []
        return notices

    def _remove_temp_files(self) -> None:
        """Under the lock: temp copies a killed write left (never the state: the rename
        did not happen, so the state file is the previous, whole one)."""
        names = (self.path.name, self.backup_path.name, self.info_path.name,
                 self.journal_path.name)
        leftovers = sorted(p for name in names
                           for p in self.path.parent.glob(f".{glob.escape(name)}.*")
                           if p.suffix in (".tmp", ".new"))
        removed = []
        for path in leftovers:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path.name)
        if removed:
            self._notices.append(
                f"Removed {len(removed)} temporary file(s) of a state write that a killed or "
                f"crashed run left behind: {', '.join(removed)}. They were incomplete copies; "
                f"the state file {self.path.name} was only ever replaced whole.")

    def unlock(self, lock_id: str) -> None:
        if self._fd is None:
            raise LockError("LocalState not locked")
        if lock_id != self._lock_id:
            raise LockError(f"lock ID {lock_id!r} does not match the existing lock ID "
                            f"{self._lock_id!r}", lock_id=self._lock_id or "")
        with contextlib.suppress(FileNotFoundError):
            self.info_path.unlink()
        os.close(self._fd)
        self._fd = self._lock_id = None

    def force_unlock(self, lock_id: str) -> None:
        if self._fd is not None and lock_id == self._lock_id:
            self.unlock(lock_id)
            return
        fd = self._open_lock_file()
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._holder()
                _check_id(lock_id, holder.id)
                raise LockError(
                    "Local state cannot be unlocked by another process: a running process "
                    f"holds the lock (Who: {holder.who}, Operation: {holder.operation}). "
                    "The lock is released when that process exits.") from None
            stale = self._read_info()
            if stale is None:
                raise LockError("LocalState not locked")
            _check_id(lock_id, stale.id)
            # The holder died and left its record behind; the lock itself is already free.
            self.info_path.unlink(missing_ok=True)
        finally:
            os.close(fd)

    def _open_lock_file(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise BackendError(f"failed to open lock file {self.lock_file}: {exc}") from exc

    def _read_info(self) -> LockInfo | None:
        try:
            return LockInfo.from_json(self.info_path.read_bytes())
        except (OSError, LockError):
            return None

    def _holder(self) -> LockInfo:
        # The record may be missing for an instant after the holder took the flock.
        return self._read_info() or LockInfo(id="", operation="", path=self.lock_path,
                                             info="lock info unavailable", version="")


def _check_id(given: str, existing: str) -> None:
    if given != existing:
        raise LockError(f"lock ID {given!r} does not match the existing lock ID {existing!r}",
                        lock_id=existing)


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that readers and crashes see old or new, never torn."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


ERRORED_STATE_FILE = "errored.tfstate"


def save_errored_state(state: State, directory: str | os.PathLike[str], *,
                       schemas: Mapping[str, ResourceSchema] | None = None) -> Path:
    """Keep a state the configured backend refused to store (Terraform's ``errored.tfstate``)
    so nothing is lost; the user pushes it back once the backend works again. Returns the
    path written (atomically, mode 0600)."""
    path = Path(directory) / ERRORED_STATE_FILE
    atomic_write(path, encode_state(state, schemas))
    return path
