"""Secret digests already verified here, remembered in the working directory.

Checking a configured secret against its digest in the state costs one scrypt (~50 ms,
``secrets.py``). A cluster with 1,500 TLS Ingresses holds 1,500 certificate keys, so without
this memo every no-op re-plan would spend over a minute proving that nothing changed. The memo
maps each digest that matched here (or was made here, at apply) to an HMAC-SHA256 fingerprint
of the secret under a random key of the memo's own; the next check of the same digest compares
fingerprints — microseconds — and gives the answer scrypt would give:

* same fingerprint: the value is the one that matched, so it still matches;
* another fingerprint: the value differs from the one that matched, so it cannot match (short
  of a scrypt collision);
* digest not in the memo: scrypt decides (``secrets.SecretDigest.matches``).

The trade-off. The memo lets whoever reads it test guesses at HMAC speed instead of scrypt's.
It lives in ``.albform/`` (mode 0600, never committed), beside what the working directory
already holds in clear for the same plan — the manifests and their Secrets, the kubeconfig that
reads them, the embedded emulator's database — never in the state, which is what is shared
(remote backends, CI artifacts). Only digests seen in the last run are kept. A memo that cannot
be read is ignored (scrypt decides), one that cannot be written is not an error: it is a cache.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets as _random
import threading
from collections.abc import Iterator
from pathlib import Path

_VERSION = 1


class DigestMemo:
    """The fingerprints of verified digests; thread-safe (apply checks from its workers)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._key = b""
        self._known: dict[str, str] = {}
        self._used: dict[str, str] = {}
        if path is not None:
            self._load(path)
        if not self._key:
            self._key = _random.token_bytes(32)
            self._known = {}

    def _load(self, path: Path) -> None:
        try:
            doc = json.loads(path.read_text())
            if doc.get("version") == _VERSION and isinstance(doc.get("digests"), dict):
                self._key = base64.b64decode(doc["key"])
                self._known = {str(k): str(v) for k, v in doc["digests"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self._key, self._known = b"", {}  # unreadable: start afresh (module docstring)

    def _fingerprint(self, keyed: bytes) -> str:
        return hmac.new(self._key, keyed, hashlib.sha256).hexdigest()

    def verdict(self, digest: str, keyed: bytes) -> bool | None:
        """Whether ``keyed`` (the secret as ``secrets._keyed`` prepares it) matches ``digest``,
        or None when this memo does not know the digest."""
        with self._lock:
            known = self._known.get(digest)
        if known is None:
            return None
        fingerprint = self._fingerprint(keyed)
        with self._lock:
            self._used[digest] = known
        return hmac.compare_digest(known, fingerprint)

    def record(self, digest: str, keyed: bytes) -> None:
        """``keyed`` matches ``digest`` (scrypt said so, or the digest was just made of it)."""
        fingerprint = self._fingerprint(keyed)
        with self._lock:
            self._known[digest] = fingerprint
            self._used[digest] = fingerprint

    def save(self) -> None:
        """Write the digests used or recorded in this run (atomically; mode 0600)."""
        if self._path is None:
            return
        with self._lock:
            doc = {"version": _VERSION, "key": base64.b64encode(self._key).decode("ascii"),
                   "digests": dict(sorted(self._used.items()))}
        tmp = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
        try:
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
def remembered_digests(path: Path) -> Iterator[DigestMemo]:
    """Use the memo at ``path`` for every digest check and creation in this block (all
    threads), then save it. Nested use keeps the outer memo."""
    global _active
    with _active_lock:
        outer = _active
        memo = outer if outer is not None else DigestMemo(path)
        _active = memo
    try:
        yield memo
    finally:
        if outer is None:
            memo.save()
            with _active_lock:
                _active = None
