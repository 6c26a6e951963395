"""The working directory's memos a plan or apply uses, under the user's albform key (outside
the working tree): the verified secret digests (``engine/secret_memo.py``) and the last
plan's no-op verdicts (``engine/noop_memo.py``). The decoded-state and configuration memos
are the backend's and the front ends' own (``Workspace.open_backend``, ``cli/sources.py``)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from albform.cli.workspace import Workspace


def noop_memo_of(ws: Workspace, backend: Any) -> Any:
    """The no-op memo of the state ``backend`` last read (``engine/noop_memo.py``), for a
    backend that knows its digest; else None."""
    from albform.engine.noop_memo import noop_memo

    return noop_memo(ws.workdir, Path(backend.lock_path), backend.read_sha256, ws.env) \
        if backend.read_sha256 is not None else None


def digest_memo(ws: Workspace) -> contextlib.AbstractContextManager[Any]:
    """The working directory's memo of verified secret digests, keyed by the user's albform
    key (outside the working tree, like the parse cache's); none without such a key."""
    from albform.engine.secret_memo import remembered_digests
    from albform.engine.user_key import derived_key
    from albform.engine.workdir import PRIVATE_DIR

    key = derived_key(ws.env, b"albform secret-digest memo")
    if key is None:
        return contextlib.nullcontext()  # scrypt decides every digest
    return remembered_digests(ws.workdir / PRIVATE_DIR / "secret-digests.json", key)
