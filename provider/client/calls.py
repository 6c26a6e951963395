"""Counting API calls: a process-wide total plus per-thread tallies for one operation.

``read_many`` and the paged listing report what they cost; the engine runs operations on
several threads at once, so a tally counts only the calls made by its own thread while open.
"""

from __future__ import annotations

import threading
from types import TracebackType


class Tally:
    """Calls made by the opening thread between ``__enter__`` and ``__exit__``."""

    def __init__(self, counter: CallCounter) -> None:
        self._counter = counter
        self.calls = 0

    def __enter__(self) -> Tally:
        self._counter._open().append(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._counter._open().remove(self)


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = 0
        self._local = threading.local()

    @property
    def total(self) -> int:
        return self._total

    def add(self) -> None:
        with self._lock:
            self._total += 1
        for tally in self._open():
            tally.calls += 1

    def tally(self) -> Tally:
        return Tally(self)

    def _open(self) -> list[Tally]:
        tallies: list[Tally] | None = getattr(self._local, "tallies", None)
        if tallies is None:
            tallies = []
            self._local.tallies = tallies
        return tallies
