"""Foreground servers (``albform emulator``, ``albform state-server``): run until Ctrl-C or
SIGTERM, then return so the caller stops its server cleanly."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType


@contextlib.contextmanager
def stop_signals() -> Iterator[Callable[[], None]]:
    """``with stop_signals() as wait:`` — SIGTERM is caught from here on (so it may arrive
    as soon as the readiness line is out), ``wait()`` blocks until SIGTERM or Ctrl-C; the
    previous SIGTERM handler is put back on exit."""
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    def wait() -> None:
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass

    previous = signal.signal(signal.SIGTERM, _on_signal)
    try:
        yield wait
    finally:
        signal.signal(signal.SIGTERM, previous)
