"""albform.provider.emulator — an Avi (NSX-ALB) controller emulator, the embedded default.

In-process API (for tests and the CLI)::

    from albform.provider.emulator import start_emulator, FaultConfig

    with start_emulator(                  # all keyword-only, all optional
        host="127.0.0.1",                 # loopback unless told otherwise
        port=0,                           # 0 = pick a free port
        tls=False,                        # True: HTTPS with a generated self-signed cert
        password="...",                   # admin's password (default DEFAULT_PASSWORD)
        db_path=None,                     # SQLite file; None = in memory
        faults=None,                      # FaultConfig(...) for latency/5xx/429/401/slow writes
        idle_timeout=900.0,               # session idle timeout, seconds
    ) as emu:                             # -> RunningEmulator, ready when returned
        emu.url                           # "http://127.0.0.1:41234"
        emu.cert_pem / emu.cert_path      # server certificate when tls=True (verify with it)
        emu.set_faults(FaultConfig(error_rate=0.2, seed=7))
        emu.expire_sessions()             # next API call of every session gets 401 once
        emu.set_oper_state(vs_uuid, "OPER_DOWN")
        emu.controller                    # direct object layer (Controller) over the store
    # emu.stop() is called on exit

Over HTTP it behaves like a 20.1 to 30.2 controller as recorded (``docs/avi-api.md``
§1, §5): ``POST /login`` (form or JSON) sets cookies ``csrftoken``, ``avi-sessionid`` and
``sessionid``; writes need ``X-CSRFToken`` (else 401 ``CSRF token missing or incorrect.``);
``X-Avi-Version`` is echoed in ``AVI_API_VERSION``; ``X-Avi-Tenant``, ``X-Avi-Tenant-UUID`` and
``Slug`` are honoured; collections answer ``{count, results, next}`` with the usual filters;
POST 201 + ``Location``, PUT, PATCH, DELETE 204; 409 on duplicate names, 400 on unresolvable
refs, 403 (400 for clouds) when deleting a referenced object; built-in objects of a fresh
controller; internal IPAM; VS runtime at ``/api/virtualservice/<uuid>/runtime`` and
``/api/virtualservice-inventory``; ``/api/initial-data``, ``/api/cluster/version``,
unauthenticated ``/api/cluster/status``; fault settings at ``GET``/``PUT /emulator/faults``.
Also: API tokens (``POST /api/user-token``), Basic auth when
``systemconfiguration.portal_configuration.allow_basic_authentication`` is on,
``controllerproperties`` idle timeout and request rate limit (429), copy-on-write clones when a
tenant edits an admin-shared profile, legacy inline VS ``vip`` (auto VsVip).

The CLI's embedded default runs it in a child process (``process.spawn_emulator``), so that
its work does not share albform's GIL.

Command line: ``albform emulator [--host H] [--port N] [--http] [--password P | AVI_PASSWORD]
[--db FILE] [--cert-out FILE] [--faults JSON]`` prints ``... ready at <url> ...`` when serving.
Benchmarks and fixtures can fill a store directly: ``server.build_state(...)`` then
``state.controller.store.bulk_put(...)``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from albform.provider.emulator.faults import FaultConfig
    from albform.provider.emulator.server import (
        DEFAULT_PASSWORD,
        RunningEmulator,
        start_emulator,
    )

__all__ = ["DEFAULT_PASSWORD", "FaultConfig", "RunningEmulator", "start_emulator"]

# Loaded on first use: albform's own process only spawns the embedded emulator
# (``process.spawn_emulator``), and importing the server (uvicorn, starlette, the built-in
# objects) cost every command a third of a second.
_HOMES = {"DEFAULT_PASSWORD": "server", "RunningEmulator": "server",
          "start_emulator": "server", "FaultConfig": "faults"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
