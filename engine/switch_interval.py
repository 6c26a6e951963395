"""``quick_switches()``: run a block with the interpreter's thread switch interval shortened.

An apply's walk runs up to ``-parallelism`` workers that each spend most of an object's time
waiting (HTTP, the journal's sync) and hold the interpreter lock only briefly between waits;
meanwhile one thread may run pure Python for a long stretch (the state persister encoding a
compaction, say). A worker whose answer has arrived then waits for the lock until the busy
thread is made to let go — by default after 5 ms (``sys.getswitchinterval()``), once per
wake-up, with many workers queued behind it. During the walk the interval is
``WALK_SWITCH_S``: a worker waits at most that long, the busy thread loses nothing it would
notice (a switch costs microseconds).

Process-wide and nestable across threads: the first block in lowers the interval, the last
one out restores what it was before (never below what someone else set).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

WALK_SWITCH_S = 0.0005

_lock = threading.Lock()
_active = 0
_previous = 0.0


@contextlib.contextmanager
def quick_switches() -> Iterator[None]:
    global _active, _previous
    with _lock:
        if _active == 0:
            _previous = sys.getswitchinterval()
            sys.setswitchinterval(min(_previous, WALK_SWITCH_S))
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                sys.setswitchinterval(_previous)
