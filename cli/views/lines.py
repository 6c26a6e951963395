"""``LineWriter``: progress lines on stdout — flushed as written on a terminal, else once a
second. Used by the human progress view (``views/progress.py``) and the ``-json`` UI.

A flush per line is a system call per line, two per applied object, on the walk's critical
path; and each one lets another thread take the interpreter lock, so the worker then waits to
get it back. On a terminal a person is watching: every line is flushed. In a pipe or a CI log
the lines go into stdout's buffer and a daemon thread flushes it once a second, so a consumer
reading line by line sees each line within about a second. ``show_diagnostics`` flushes stdout
before it writes, so both streams stay in order. Thread-safe.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

import click

FLUSH_SECONDS = 1.0


class LineWriter:
    def __init__(self, *, interval: float = FLUSH_SECONDS) -> None:
        self._lock = threading.Lock()
        self._interval = interval
        self._out: TextIO | None = None
        self._tty = False
        self._unflushed = False
        self._ticker: threading.Thread | None = None

    def write(self, text: str) -> None:
        """Write one line (``text`` without its newline)."""
        with self._lock:
            out = sys.stdout
            if out is not self._out:  # asked once per stream: isatty is a system call too
                self._out, self._tty = out, out.isatty()
            if self._tty:
                click.echo(text, file=out)
                return
            out.write(text + "\n")
            self._unflushed = True
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, daemon=True,
                                                name="albform-lines")
                self._ticker.start()

    def flush(self) -> None:
        """Flush what is buffered now."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        out = self._out
        if self._unflushed and out is not None:
            self._unflushed = False
            try:
                out.flush()
            except ValueError:
                # Closed under us (an in-process run's captured stdout, between two ticks):
                # closing flushed what it held, so there is nothing left to deliver.
                if not out.closed:
                    raise

    def _tick(self) -> None:
        """Flush once an interval; end after an interval with nothing written (the next
        write starts another)."""
        while True:
            time.sleep(self._interval)
            with self._lock:
                if not self._unflushed:
                    self._ticker = None
                    return
                self._flush()
