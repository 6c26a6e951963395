"""The working directory's private folder, ``.albform/``: the parse cache, the memos of decoded
configurations and states, the embedded emulator's database, the local state server's files.
Whoever creates a folder in it calls ``ensure_private_dir`` so that ``.albform/.gitignore``
(``*``) keeps all of it out of commits: none of it is configuration, and a parse cache in a
repository would be an input nobody reviews.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import cache
from pathlib import Path

PRIVATE_DIR = ".albform"
_IGNORE_ALL = "# albform's private files (caches, emulator database): never commit them\n*\n"


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and its parents); the ``.albform`` folder on the way, if any, gets its
    ``.gitignore``. Raises ``OSError`` like ``mkdir``."""
    path.mkdir(parents=True, exist_ok=True)
    for folder in (path, *path.parents):
        if folder.name == PRIVATE_DIR:
            ignore = folder / ".gitignore"
            if not ignore.exists():
                tmp = folder / f".gitignore.{os.getpid()}.tmp"
                tmp.write_text(_IGNORE_ALL)
                os.replace(tmp, ignore)
            return


_PACKAGES = ("engine", "provider", "modules", "cli")


@cache
def installation_fingerprint() -> str:
    """Names, sizes and modification times of albform's files (code and generated schemas):
    any edit or upgrade moves it. The private folder's memos bind it (``engine/state/
    decoded_memo.py``, ``modules/hcl/config_memo.py``): what they hold depends on both."""
    root = Path(__file__).resolve().parents[1]  # the albform package
    digest = hashlib.sha256()
    for top in _PACKAGES:
        for folder, dirs, files in os.walk(root / top):  # top-down: pruned, in a fixed order
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".json", ".gz")):
                    info = os.stat(os.path.join(folder, name))
                    digest.update(
                        f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def package_fingerprint(module: str, distribution: str) -> str:
    """An installed third-party package as the memos bind it: its module file's path, size
    and time (any reinstall moves them) and its distribution's ``.dist-info`` names (they
    carry the version; ``distribution`` is their prefix, e.g. ``"PyYAML-"``). Found without
    importing the package: a memo hit must not need it."""
    spec = importlib.util.find_spec(module)
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is None:
        return f"{module}: not found"
    info = origin.stat()
    site = origin.parent.parent
    return "\0".join([f"{origin}:{info.st_size}:{info.st_mtime_ns}",
                       *sorted(n for n in os.listdir(site)
                               if n.startswith(distribution) and n.endswith(".dist-info"))])
