"""Graceful shutdown of an apply on SIGINT (Ctrl-C) or SIGTERM (CI cancellation, Kubernetes
Job deletion), both the same way.

First signal: the stop event is set — no new controller call starts, the calls in flight
finish, the state is persisted and the command exits 1 ("Apply interrupted"). If that takes
longer than ``GRACE_S`` (a call hanging on a dead controller), or on a second signal, albform
aborts: ``KeyboardInterrupt`` in the main thread (locks are released on the way out), and
``ABORT_S`` later a hard exit if even that is stuck. Aborting loses nothing: every write was
recorded in the intent journal before it was sent, and the next plan reconciles them.
Kubernetes sends SIGKILL 30 s after SIGTERM by default; ``GRACE_S + ABORT_S`` stays below.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

import click

GRACE_S = 20.0
ABORT_S = 5.0
EXIT_ABORTED = 1

_NAMES = {signal.SIGINT: "Interrupt", signal.SIGTERM: "Termination signal (SIGTERM)"}


class _Shutdown:
    def __init__(self, grace_s: float, abort_s: float) -> None:
        self.stop = threading.Event()
        self.grace_s = grace_s
        self.abort_s = abort_s
        self.expired = False
        self.timers: list[threading.Timer] = []

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.expired:
            self._abort(f"albform did not stop within {self.grace_s:g} s of the signal. "
                        "Exiting immediately.")
        if self.stop.is_set():
            # Terraform's words; the journal makes "data loss" recoverable by the next plan.
            self._abort("Two interrupts received. Exiting immediately. Note that data loss "
                        "may have occurred: the next plan reconciles the controller writes "
                        "that were under way.")
        self.stop.set()
        click.echo(f"\n{_NAMES.get(signal.Signals(signum), 'Signal')} received.\nPlease wait "
                   "for albform to exit or data loss may occur.\nGracefully shutting down...",
                   err=True)
        self._start(self.grace_s, self._expire)

    def _expire(self) -> None:
        """The grace period ran out: interrupt the main thread, which aborts."""
        self.expired = True
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    def _abort(self, message: str) -> None:
        click.echo(f"\n{message}", err=True)
        self._start(self.abort_s, _exit_now)
        raise KeyboardInterrupt

    def _start(self, seconds: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(seconds, action)
        timer.daemon = True
        timer.start()
        self.timers.append(timer)

    def cancel(self) -> None:
        for timer in self.timers:
            timer.cancel()


def _exit_now() -> None:
    # The unwinding after KeyboardInterrupt hangs (a worker thread stuck in a call): leave
    # without it. The state file was replaced atomically; the journal is durable.
    os._exit(EXIT_ABORTED)


@contextlib.contextmanager
def graceful_shutdown(grace_s: float = GRACE_S, abort_s: float = ABORT_S,
                      ) -> Iterator[threading.Event]:
    """SIGINT and SIGTERM set the yielded stop event for the ``with`` body (module docstring).
    Outside the main thread (tests calling the CLI in a thread) signals cannot be caught."""
    shutdown = _Shutdown(grace_s, abort_s)
    if threading.current_thread() is not threading.main_thread():
        yield shutdown.stop
        return
    previous = {s: signal.signal(s, shutdown.handler) for s in _NAMES}
    try:
        yield shutdown.stop
    finally:
        shutdown.cancel()
        for s, handler in previous.items():
            signal.signal(s, handler)
