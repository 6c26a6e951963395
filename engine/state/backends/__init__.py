"""State backends: where state lives (local file, PostgreSQL, an http endpoint, memory), all
behind the ``StateBackend`` protocol and proven by one conformance suite (``testing``).

``backend_from_config(name, settings, workdir)`` builds the one a ``backend`` block selects.
"""

from albform.engine.state.backends.base import (
    BackendError,
    StaleStateError,
    StateBackend,
    check_write,
)
from albform.engine.state.backends.http import HttpBackend
from albform.engine.state.backends.local import LocalBackend
from albform.engine.state.backends.memory import MemoryBackend, MemoryStore
from albform.engine.state.backends.pg import PgBackend
from albform.engine.state.backends.selection import backend_from_config, workspaces_from_config

__all__ = [
    "BackendError",
    "HttpBackend",
    "LocalBackend",
    "MemoryBackend",
    "MemoryStore",
    "PgBackend",
    "StaleStateError",
    "StateBackend",
    "backend_from_config",
    "workspaces_from_config",
    "check_write",
]
