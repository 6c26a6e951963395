"""Secret digests already verified here, remembered in the working directory.

Checking a configured secret against its digest in the state costs one scrypt (~50 ms,
``secrets.py``). A cluster with 1,500 TLS Ingresses holds 1,500 certificate keys, so without
this memo every no-op re-plan would spend over a minute proving that nothing changed. The memo
maps each digest that matched here (or was made here, at apply) to an HMAC-SHA256 fingerprint
of the secret; the next check of the same digest compares fingerprints — microseconds — and
gives the answer scrypt would give:

* same fingerprint: the value is the one that matched, so it still matches;
* another fingerprint, or a digest not in the memo: scrypt decides
  (``secrets.SecretDigest.matches``) — a changed secret costs one scrypt, as without a memo,
  and a damaged memo can never change an answer.

The fingerprint key lives outside the working tree (the caller passes it: the CLI derives it
from the user's albform key, as the parse cache does), because the working tree is not
trusted: whoever can write ``.albform/`` must not make a rotated secret look unchanged, and
whoever can read it must not be able to test guesses against it. A memo made under another key
is ignored. The file (``.albform/secret-digests.json``, mode 0600, never committed) is written
only when there is a digest to remember, and keeps only the digests seen in the last run. A
memo that cannot be read is ignored (scrypt decides); one that cannot be written is not an
error: it is a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from albform.engine.workdir import ensure_private_dir

_VERSION = 2


class DigestMemo:
    """The fingerprints of verified digests; thread-safe (apply checks from its workers)."""

    def __init__(self, path: Path | None, key: bytes) -> None:
        self._path = path
        self._key = key
        self._key_id = hashlib.sha256(b"albform-secret-memo-key-id\0" + key).hexdigest()[:16]
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._used: dict[str, str] = {}
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            doc = json.loads(path.read_text())
            if doc.get("version") == _VERSION and doc.get("key_id") == self._key_id \
                    and isinstance(doc.get("digests"), dict):
                self._known = {str(k): str(v) for k, v in doc["digests"].items()}
        except (OSError, ValueError, TypeError, AttributeError):
            self._known = {}  # unreadable: scrypt decides (module docstring)

    def _fingerprint(self, keyed: bytes) -> str:
        return hmac.new(self._key, keyed, hashlib.sha256).hexdigest()

    def verdict(self, digest: str, keyed: bytes) -> bool | None:
        """True when ``keyed`` (the secret as ``secrets._keyed`` prepares it) is what matched
        ``digest`` before; None: this memo cannot tell (scrypt decides)."""
        with self._lock:
            known = self._known.get(digest)
        if known is None or not hmac.compare_digest(known, self._fingerprint(keyed)):
            return None
        with self._lock:
            self._used[digest] = known
        return True

    def record(self, digest: str, keyed: bytes) -> None:
        """``keyed`` matches ``digest`` (scrypt said so, or the digest was just made of it)."""
        fingerprint = self._fingerprint(keyed)
        with self._lock:
            self._known[digest] = fingerprint
            self._used[digest] = fingerprint

    def save(self) -> None:
        """Write the digests used or recorded in this run, if any (atomically; mode 0600)."""
        with self._lock:
            if self._path is None or not self._used:
                return
            doc = {"version": _VERSION, "key_id": self._key_id,
                   "digests": dict(sorted(self._used.items()))}
        tmp = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
        try:
            ensure_private_dir(self._path.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(doc, out)
            os.replace(tmp, self._path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


_active: DigestMemo | None = None
_active_lock = threading.Lock()


def active_memo() -> DigestMemo | None:
    """The memo installed by ``remembered_digests``, if any."""
    return _active


@contextlib.contextmanager
def remembered_digests(path: Path, key: bytes) -> Iterator[DigestMemo]:
    """Use the memo at ``path`` (fingerprints under ``key``) for every digest check and
    creation in this block (all threads), then save it. Nested use keeps the outer memo."""
    global _active
    with _active_lock:
        outer = _active
        memo = outer if outer is not None else DigestMemo(path, key)
        _active = memo
    try:
        yield memo
    finally:
        if outer is None:
            memo.save()
            with _active_lock:
                _active = None
