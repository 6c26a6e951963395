"""State locks: ``LockInfo`` (Terraform's lock record), ``StateLockedError`` (naming the
holder in Terraform's wording) and ``acquire_with_retry`` (Terraform's back-off: 1 s, doubling,
capped at 16 s, until the timeout runs out).

Backends raise ``StateLockedError`` when someone else holds the lock and ``LockError`` for
every other lock failure (wrong ID on unlock, nothing to unlock). Only ``StateLockedError`` is
retried, as Terraform retries only lock errors that carry holder info.
"""

from __future__ import annotations

import getpass
import json
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from tenacity import RetryCallState, Retrying, retry_if_exception_type

from albform import __version__

# Terraform's advice printed under every lock failure (statemgr.LockErrorMessage), reworded
# only to name this tool.
LOCK_ADVICE = (
    "albform acquires a state lock to protect the state from being written\n"
    "by multiple users at the same time. Please resolve the issue above and try\n"
    'again. For most commands, you can disable locking with the "-lock=false"\n'
    "flag, but this is not recommended."
)
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 16.0
_FIELDS = ("ID", "Operation", "Info", "Who", "Version", "Created", "Path")


def force_unlock_advice(lock_id: str = "") -> str:
    """How to release a lock whose holder is gone; every lock error ends with it."""
    return ("If the run holding the lock is gone (killed, crashed, its machine lost), release "
            f"the lock with:\n  albform force-unlock {lock_id or 'ID'}"
            + ("" if lock_id else "\nwhere ID is the lock's ID (shown above, or by the holder)."))


class LockError(Exception):
    """A lock operation failed for a reason other than "someone else holds it". The message
    ends with ``force_unlock_advice`` for ``lock_id`` (the lock in question, when known)."""

    def __init__(self, message: str, *, lock_id: str = "") -> None:
        super().__init__(f"{message}\n\n{force_unlock_advice(lock_id)}")
        self.reason = message
        self.lock_id = lock_id


@dataclass(frozen=True, slots=True)
class LockInfo:
    """One lock record; ``to_json`` writes Terraform's field names in Go field order."""

    id: str
    operation: str
    info: str = ""
    who: str = ""
    # Terraform writes its own version here; albform writes its own, so the Lock Info box
    # says which tool (and release) holds the lock.
    version: str = f"albform {__version__}"
    created: str = ""
    path: str = ""

    @classmethod
    def new(cls, operation: str, *, path: str = "", info: str = "") -> LockInfo:
        """A fresh record for this process: random ID, ``user@host``, creation time now."""
        return cls(id=str(uuid.uuid4()), operation=operation, info=info, who=_who(),
                   created=_rfc3339_nano(time.time_ns()), path=path)

    def with_path(self, path: str) -> LockInfo:
        return replace(self, path=path)

    def to_dict(self) -> dict[str, str]:
        values = (self.id, self.operation, self.info, self.who, self.version, self.created,
                  self.path)
        return dict(zip(_FIELDS, values, strict=True))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes) -> LockInfo:
        """Parse a lock record; raise ``LockError`` when it is not one."""
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise LockError(f"lock info is not JSON: {exc}") from exc
        return cls.from_dict(doc)

    @classmethod
    def from_dict(cls, doc: Any) -> LockInfo:
        if not isinstance(doc, dict) or not isinstance(doc.get("ID"), str):
            raise LockError(f"lock info has no string \"ID\": {doc!r:.120}")
        text: dict[str, str] = {}
        for key in _FIELDS:
            value = doc.get(key)
            text[key] = value if isinstance(value, str) else ""
        return cls(id=text["ID"], operation=text["Operation"], info=text["Info"],
                   who=text["Who"], version=text["Version"], created=text["Created"],
                   path=text["Path"])

    def describe(self) -> str:
        """Terraform's ``Lock Info:`` block."""
        return (
            "Lock Info:\n"
            f"  ID:        {self.id}\n"
            f"  Path:      {self.path}\n"
            f"  Operation: {self.operation}\n"
            f"  Who:       {self.who}\n"
            f"  Version:   {self.version}\n"
            f"  Created:   {_go_time(self.created)}\n"
            f"  Info:      {self.info}\n"
        )


class StateLockedError(Exception):
    """Someone else holds the lock; ``holder`` is their record (as far as the backend knows)."""

    def __init__(self, holder: LockInfo, reason: str = "the state is already locked") -> None:
        self.holder = holder
        self.reason = reason
        super().__init__(
            f"Error acquiring the state lock\n\nError message: {reason}\n"
            f"{holder.describe()}\n\n{LOCK_ADVICE}\n\n{force_unlock_advice(holder.id)}"
        )


class Locker(Protocol):
    def lock(self, info: LockInfo) -> str: ...


def acquire_with_retry(
    locker: Locker,
    info: LockInfo,
    timeout_s: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Take the lock, retrying while it is held (1 s, 2 s, 4 s ... 16 s) for up to
    ``timeout_s`` seconds; one attempt when ``timeout_s`` is 0. Returns the lock ID, or
    raises the last ``StateLockedError``. ``sleep`` and ``clock`` are injectable for tests."""
    deadline = clock() + max(timeout_s, 0.0)

    def out_of_time(state: RetryCallState) -> bool:
        return deadline - clock() <= 0

    def back_off(state: RetryCallState) -> float:
        delay: float = min(FIRST_RETRY_S * 2 ** (state.attempt_number - 1), MAX_RETRY_S)
        return max(0.0, min(delay, deadline - clock()))

    retrying = Retrying(stop=out_of_time, wait=back_off, sleep=sleep, reraise=True,
                        retry=retry_if_exception_type(StateLockedError))
    return retrying(locker.lock, info)


def _who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers running as an arbitrary uid)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _rfc3339_nano(ns: int) -> str:
    """Go's time.RFC3339Nano in UTC: trailing zeros of the fraction trimmed."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{fraction:09d}".rstrip("0")
    return f"{stamp}.{frac}Z" if frac else f"{stamp}Z"


def _go_time(created: str) -> str:
    """``Created`` as Terraform prints a time.Time (``2026-11-25 08:45:10.6195 +0000 UTC``)."""
    if not created.endswith("Z") or "T" not in created:
        return created
    date, clock = created[:-1].split("T", 1)
    return f"{date} {clock} +0000 UTC"
