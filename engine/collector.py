"""``collector_paused()``: run a block with Python's cyclic garbage collector paused.

Translating a cluster and planning build hundreds of thousands of small, acyclic objects
(dicts of attribute values, dataclass instances). Each time allocations outnumber frees by
700 the collector scans the young objects, and every so often the whole heap; with 60,000
resources those scans cost as much as the work itself (measured with
``benchmarks/k8s_translate.py``: about half of translate and of a no-op re-plan). Nothing in
these phases relies on cycle collection (reference counting frees everything they drop), so
the collector is paused for their duration and restored after; it then runs normally.

Nesting is fine (an inner block finds the collector paused and leaves it so). Pausing is
process-wide: another thread allocating meanwhile is not collected until the block ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
