"""The user's albform key: a random MAC key kept outside every working tree.

``$XDG_CACHE_HOME/albform/parse-cache.key`` (else ``~/.cache/...``), mode 0600, made on first
use. Working trees are not trusted (anyone who can write one must not change what gets planned),
so what albform caches inside them is authenticated under this key: the HCL parse cache
(``modules/hcl/cache.py``) uses it as is, the secret-digest memo (``engine/secret_memo.py``)
a key derived from it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

KEY_FILE = Path("albform") / "parse-cache.key"


def default_key_path(env: Mapping[str, str] = os.environ) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / KEY_FILE


def read_or_create_key(path: Path) -> bytes | None:
    """The MAC key at ``path`` (created 0600 if missing); None when it cannot be kept
    safely: not a regular file, writable by others, or no place to create it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o022 \
                or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            return None
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text.encode() if len(text) == 64 else None


def derived_key(env: Mapping[str, str], label: bytes) -> bytes | None:
    """A key for one use of the user's albform key (``label`` names the use, so keys of two
    uses never coincide); None when there is no user key (``read_or_create_key``)."""
    user_key = read_or_create_key(default_key_path(env))
    if user_key is None:
        return None
    return hmac.new(user_key, label, hashlib.sha256).digest()
