"""Starting and stopping the emulator: uvicorn serving the app on a background thread.

:func:`start_emulator` binds the socket first (so ``port=0`` yields a known free port), seeds a
fresh store with the built-in objects, sets the admin password, starts uvicorn on a daemon
thread and returns once it accepts connections. :class:`RunningEmulator` is a context manager;
``stop()`` shuts the server down gracefully and closes the store (a file store keeps its data).

HTTP is parsed by httptools (the C parser of uvicorn's standard install): through the
pure-Python h11 parser, reading and writing the HTTP framing cost about 0.1 ms of the
emulator's CPU per request more (0.26 against 0.15 ms for the smallest answer).
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from albform.provider.emulator import builtins
from albform.provider.emulator.app import EmulatorApp, EmulatorState
from albform.provider.emulator.auth import Sessions
from albform.provider.emulator.certs import self_signed
from albform.provider.emulator.faults import FaultConfig, FaultInjector
from albform.provider.emulator.objects import Controller
from albform.provider.emulator.store import Store

DEFAULT_PASSWORD = "albform-emulator"  # documented local-use default (override it)
_START_TIMEOUT = 30.0


def _nodelay(transport: asyncio.BaseTransport) -> None:
    """uvicorn writes a response's head and body separately; without TCP_NODELAY the second
    write waits for the client's delayed ACK (~40 ms per keep-alive request on loopback)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _OneWriteTransport:
    """The connection's transport, except that the writes made in one step of the event loop
    go out as one: uvicorn writes an answer's head and then its body, each a ``send`` on the
    emulator's side and, arriving apart, often a second ``recv`` (a wait and a wake-up) on the
    client's. The first write of a step is held; the next one sends both at once; a write
    with nothing after it in the same step (a body-less answer) goes out when the step ends;
    ``close`` sends what is held first. Everything else is the transport's own."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._transport.write(held + data)
            return
        self._held = bytes(data)
        asyncio.get_running_loop().call_soon(self._release)

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self._release()
        self._transport.close()

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)


class _NoDelayHttpTools(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        _nodelay(transport)
        super().connection_made(_OneWriteTransport(transport))  # type: ignore[arg-type]


@dataclass(slots=True)
class RunningEmulator:
    """A live emulator. ``url`` is ``http(s)://host:port``; ``cert_pem`` the server certificate
    (None for plain HTTP); ``state`` gives tests direct access to store, faults, sessions."""

    url: str
    host: str
    port: int
    state: EmulatorState
    cert_pem: bytes | None
    cert_path: Path | None
    _server: uvicorn.Server
    _thread: threading.Thread
    _tmpdir: tempfile.TemporaryDirectory[str] | None = None
    _stopped: bool = field(default=False)

    @property
    def controller(self) -> Controller:
        return self.state.controller

    def set_faults(self, config: FaultConfig) -> None:
        self.state.faults.configure(config)

    def expire_sessions(self) -> None:
        """Every live session answers its next API call with 401 (then must log in again)."""
        self.state.sessions.expire_all_once()

    def set_oper_state(self, vs_uuid: str, state: str | None) -> None:
        """Force a VS oper state (``OPER_DOWN``...); None returns to the computed one."""
        self.state.overrides.set(vs_uuid, state)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.state.controller.store.close()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()

    def halt(self) -> None:
        """Stop at once, for a process that exits right after (the embedded emulator's child,
        ``process.py``): the store is closed under its own lock, so never in the middle of a
        transaction, and the server is not wound down — no 0.1 s ticks, no 0.1 s pause, no
        wait for connections: the ~0.2 s that ``stop`` spends in uvicorn. Connections end with
        the process. Idempotent; after ``stop`` it does nothing."""
        if self._stopped:
            return
        self._stopped = True
        self.state.controller.store.close()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def build_state(
    *, password: str, db_path: str | Path | None, faults: FaultConfig | None,
    idle_timeout: float = 15 * 60.0,
) -> EmulatorState:
    """A seeded emulator state without a server (also used by benchmarks to bulk-load)."""
    controller = Controller(Store(db_path))
    builtins.seed(controller)
    state = EmulatorState(controller=controller, sessions=Sessions(idle_timeout=idle_timeout),
                          faults=FaultInjector(faults or FaultConfig()))
    state.set_password(password)
    props = controller.singleton("controllerproperties").body
    rate = props.get("portal_request_rate_limit")
    if isinstance(rate, int | float) and rate > 0:  # persisted setting of a file store
        burst = props.get("portal_request_burst_limit")
        state.limiter.configure(float(rate), float(burst) if isinstance(burst, int) else 0.0)
    return state


def start_emulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: bool = False,
    password: str = DEFAULT_PASSWORD,
    db_path: str | Path | None = None,
    faults: FaultConfig | None = None,
    idle_timeout: float = 15 * 60.0,
) -> RunningEmulator:
    """Start an emulator in this process; returns when it is ready to serve."""
    state = build_state(password=password, db_path=db_path, faults=faults,
                        idle_timeout=idle_timeout)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        state.controller.store.close()
        raise
    sock.set_inheritable(True)
    bound_port = sock.getsockname()[1]
    tmpdir = None
    cert = None
    ssl_args: dict[str, str] = {}
    if tls:
        tmpdir = tempfile.TemporaryDirectory(prefix="albform-emulator-")
        cert = self_signed(host)
        cert_file = Path(tmpdir.name) / "cert.pem"
        key_file = Path(tmpdir.name) / "key.pem"
        cert_file.write_bytes(cert.cert_pem)
        key_file.touch(mode=0o600)
        key_file.write_bytes(cert.key_pem)
        ssl_args = {"ssl_certfile": str(cert_file), "ssl_keyfile": str(key_file)}
    app = EmulatorApp(state, secure_cookies=tls)
    # No proxy-header rewriting (nothing proxies to the emulator), and no Date or Server
    # header: no client reads them, and each is one more line every client answer parses.
    config = uvicorn.Config(app.asgi, log_level="warning", access_log=False, lifespan="off",
                            http=_NoDelayHttpTools, timeout_graceful_shutdown=1,
                            proxy_headers=False, server_header=False, date_header=False,
                            **ssl_args)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"albform-emulator-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            state.controller.store.close()
            raise RuntimeError("the emulator's HTTP server did not start")
        time.sleep(0.01)
    shown_host = f"[{host}]" if ":" in host else host
    scheme = "https" if tls else "http"
    return RunningEmulator(
        url=f"{scheme}://{shown_host}:{bound_port}", host=host, port=bound_port, state=state,
        cert_pem=cert.cert_pem if cert else None,
        cert_path=Path(ssl_args["ssl_certfile"]) if tls else None,
        _server=server, _thread=thread, _tmpdir=tmpdir,
    )
