"""Sealed files: the private memos' on-disk form (``engine/state/decoded_memo.py``,
``modules/hcl/config_memo.py``).

The working tree is not trusted, so a memo entry is sealed with HMAC-SHA256 under a key that
lives outside it (``engine/user_key.py``) over ``binding + NUL + payload``: the binding says
what the entry stands for (formats, versions, the inputs' digests) and is never stored, so an
entry made for other inputs, edited, planted or cut short fails the check and reads as
absent. The file is one line of hex MAC, then the payload; it is written to a temporary file
beside it and renamed over it, so a reader sees the old entry or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

from albform.engine.workdir import ensure_private_dir


def _mac(key: bytes, binding: bytes, payload: bytes) -> bytes:
    return hmac.new(key, binding + b"\0" + payload, hashlib.sha256).hexdigest().encode()


def read_sealed(path: Path, key: bytes, binding: bytes) -> bytes | None:
    """The payload sealed at ``path`` for ``binding`` under ``key``; None when there is none
    or it fails the check."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    mac, newline, payload = data.partition(b"\n")
    if not newline or not hmac.compare_digest(mac, _mac(key, binding, payload)):
        return None
    return payload


def write_sealed(path: Path, key: bytes, binding: bytes, payload: bytes) -> None:
    """Seal ``payload`` for ``binding`` at ``path`` (its folder made private); nothing
    happens when it cannot be written: a memo is a cache."""
    tmp: str | None = None
    try:
        ensure_private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(_mac(key, binding, payload) + b"\n" + payload)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
