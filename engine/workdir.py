"""The working directory's private folder, ``.albform/``: the parse cache, the embedded
emulator's database, the local state server's files. Whoever creates a folder in it calls
``ensure_private_dir`` so that ``.albform/.gitignore`` (``*``) keeps all of it out of commits:
none of it is configuration, and a parse cache in a repository would be an input nobody reviews.
"""

from __future__ import annotations

import os
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
