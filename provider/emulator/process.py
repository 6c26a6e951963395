"""The embedded emulator in a child process: albform's default controller when none is set.

Run in albform's own process, the emulator's work (HTTP parsing, SQLite, rendering answers)
shares one GIL with the apply's walk, so a parallel apply used one core. In a child it runs on
the other. ``spawn_emulator`` starts ``python -m albform.provider.emulator.process`` and returns
once it serves; ``stop()`` (or leaving the ``with`` block) stops it and waits for it to exit.

Protocol, parent to child: one JSON line on the child's stdin with the password and database
path (never on the command line, where ``ps`` shows it); the child answers one line
``ready <url>`` on stdout once it accepts connections, then serves until its stdin reaches
end-of-file. That happens when the parent closes it in ``stop()`` and also when the parent dies
in any way (``kill -9`` included), so no orphan keeps serving or holding the database. The
child runs in its own session: a Ctrl-C at the terminal reaches albform only, whose graceful
shutdown lets the calls in flight finish against a controller that is still there.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from albform.engine.provider import ProviderError

_READY = "ready "
_FAILED = "failed "  # the child could not start: the reason follows
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


class EmulatorStartError(ProviderError):
    """The embedded emulator did not start (its database cannot be opened, say): the message
    says why, and the CLI shows it as an error, not a traceback."""


class EmulatorProcess:
    """A running child emulator: ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, proc: subprocess.Popen[bytes], url: str) -> None:
        self._proc = proc
        self.url = url

    @property
    def pid(self) -> int:
        return self._proc.pid

    def exit_status(self) -> int | None:
        """None while the child runs."""
        return self._proc.poll()

    def stop(self) -> None:
        """Close the child's stdin (its signal to stop) and wait for it; kill it if it does
        not exit within ``STOP_TIMEOUT_S``. Idempotent."""
        _close_quietly(self._proc.stdin)
        try:
            self._proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        _close_quietly(self._proc.stdout)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def spawn_emulator(*, db_path: Path, password: str,
                   start_timeout: float = START_TIMEOUT_S) -> EmulatorProcess:
    """Start the emulator on ``db_path`` (plain HTTP on 127.0.0.1, a free port) in a child
    process; returns once it serves. Raises ``EmulatorStartError`` when it does not start."""
    return StartingEmulator(db_path=db_path, password=password).ready(start_timeout)


class StartingEmulator:
    """A child emulator started and not waited for yet: the caller does other work (loading a
    configuration) while the child imports and opens its database, then calls ``ready``, or
    ``abandon`` when it turns out not to need it."""

    def __init__(self, *, db_path: Path, password: str) -> None:
        self.db_path = Path(db_path)
        self.password = password
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "albform.provider.emulator.process"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True,
            close_fds=True)
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps({"password": password,
                                               "db_path": str(self.db_path.resolve())}
                                              ).encode() + b"\n")
            self._proc.stdin.flush()
        except BaseException:
            self.abandon()
            raise

    def ready(self, start_timeout: float = START_TIMEOUT_S) -> EmulatorProcess:
        """The running emulator, once it serves (at most once). Raises ``EmulatorStartError``
        when it does not start, with the child's reason when it gave one."""
        proc, self._proc = self._proc, None
        if proc is None:
            raise RuntimeError("this emulator was already handed over or abandoned")
        assert proc.stdin is not None and proc.stdout is not None
        try:
            line = _read_line(proc.stdout, time.monotonic() + start_timeout)
        except BaseException:
            _kill(proc)
            raise
        if not line.startswith(_READY):
            _kill(proc)
            reason = line[len(_FAILED):].strip() if line.startswith(_FAILED) else \
                f"exit status {proc.returncode}; its error output is above"
            raise EmulatorStartError(f"The embedded controller emulator did not start with the "
                                     f"database {self.db_path}: {reason}.")
        return EmulatorProcess(proc, line[len(_READY):].strip())

    def abandon(self) -> None:
        """Stop the child if it was not handed over (idempotent)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            EmulatorProcess(proc, "").stop()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()
    _close_quietly(proc.stdin)
    _close_quietly(proc.stdout)


def _read_line(stream: IO[bytes], deadline: float) -> str:
    """One line from the child's stdout, or "" at end-of-file or when ``deadline`` passes."""
    fd = stream.fileno()
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return ""
        chunk = os.read(fd, 256)
        if not chunk:
            return ""
        data += chunk
    return data.decode(errors="replace")


def _close_quietly(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            stream.close()


def _serve_until_stdin_closes() -> int:
    """The child's side of the protocol (module docstring)."""
    settings = json.loads(sys.stdin.buffer.readline() or b"{}")
    try:
        from albform.provider.emulator.server import start_emulator

        emulator = start_emulator(db_path=settings["db_path"], password=settings["password"])
    except Exception as exc:  # the parent reports it (EmulatorStartError): one line, no trace
        sys.stdout.write(f"{_FAILED}{type(exc).__name__}: {exc}\n")
        sys.stdout.flush()
        return 1
    try:
        sys.stdout.write(f"{_READY}{emulator.url}\n")
        sys.stdout.flush()
        while sys.stdin.buffer.read(4096):
            pass  # nothing more is sent; end-of-file is the signal to stop
    except BaseException:
        emulator.stop()
        raise
    # The parent is done with it (or gone): the store is closed and the process ends, with no
    # graceful wind-down of the server that the parent would wait ~0.2 s for on every command.
    emulator.halt()
    return 0


if __name__ == "__main__":
    status = _serve_until_stdin_closes()
    if status == 0:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # the store is closed: nothing is left that interpreter teardown would do
    sys.exit(status)
