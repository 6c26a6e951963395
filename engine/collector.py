"""``collector_paused()``: run a block with Python's cyclic garbage collector paused;
``heap_frozen()``: run one with the heap as it stands left out of the collector's scans.

Translating a cluster and planning build hundreds of thousands of small, acyclic objects
(dicts of attribute values, dataclass instances). Each time allocations outnumber frees by
700 the collector scans the young objects, and every time the old generation has grown by a
quarter it scans the whole heap; with 60,000 resources those scans cost as much as the work
itself (measured with ``benchmarks/k8s_translate.py``: about half of translate and of a no-op
re-plan). Nothing in these phases relies on cycle collection (reference counting frees
everything they drop), so the collector is paused for their duration.

At the end, what the block allocated is moved straight to the oldest generation
(``gc.freeze()`` then ``gc.unfreeze()``: two list splices, no scan). Otherwise the first
young collections after the block would walk all of it, and then promote it into the old
generation in a way that triggers a full scan of the heap: the stage after a paused one
(configure after translate, say) paid seconds for it. Cyclic garbage made in the block is
still collected, by the next full collection. This step is skipped when objects are already
frozen (``gc.freeze()`` by someone else), since ``unfreeze`` would release theirs too.

Nesting is fine (an inner block finds the collector paused and leaves it so). Pausing is
process-wide: another thread allocating meanwhile is not collected until the block ends.

An apply's walk is long and allocates garbage of its own (HTTP exchanges, exceptions), so it
keeps the collector running, but with the heap built before it (configuration, plan, state)
frozen: ``gc.freeze()`` moves it to a generation no collection scans. Otherwise the walk's
first full collection walks all of it with the interpreter lock held — 0.33 s in the middle
of a 2,000-object apply (``benchmarks/README.md``, issue 16). The walk's own cycles are
collected as usual; the frozen objects return to the oldest generation when the block ends.
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
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def heap_frozen() -> Iterator[None]:
    """Leave the objects alive now out of the collector's scans until the block ends (module
    docstring). Does nothing when objects are frozen already (someone else's freeze)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
