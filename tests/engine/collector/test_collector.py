"""``collector_paused``: the collector is off inside, restored after, and nothing it should
collect is lost (cycles made inside are collected later; other code's frozen objects stay
frozen). ``heap_frozen``: what existed before is not scanned inside, and is again after."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from albform.engine.collector import collector_paused, heap_frozen


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def _restore_gc() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_inside_and_restored_after(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() is enabled


def test_restored_when_the_block_raises() -> None:
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_cycles_made_inside_are_still_collected() -> None:
    gc.enable()
    with collector_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
    # What the block allocated went straight to the oldest generation: collecting the
    # younger two leaves the cycle alone, a full collection frees it.
    gc.collect(1)
    assert alive() is not None
    gc.collect()
    assert alive() is None


def test_objects_frozen_by_others_stay_frozen() -> None:
    keep = [Node() for _ in range(10)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with collector_paused():
        more = [Node() for _ in range(10)]
    assert gc.get_freeze_count() == frozen
    assert keep and more


def test_heap_frozen_leaves_older_objects_alone_until_the_block_ends() -> None:
    gc.enable()
    a, b = Node(), Node()
    a.other, b.other = b, a
    old = weakref.ref(a)
    del a, b
    with heap_frozen():
        assert gc.get_freeze_count() > 0
        c, d = Node(), Node()
        c.other, d.other = d, c
        new = weakref.ref(c)
        del c, d
        gc.collect()
        assert old() is not None  # frozen: a full collection does not look at it
        assert new() is None  # made inside: collected as usual
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert old() is None


def test_heap_frozen_keeps_someone_elses_freeze() -> None:
    gc.freeze()
    with heap_frozen():
        pass
    assert gc.get_freeze_count() > 0
