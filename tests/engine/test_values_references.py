"""``collect_references`` finds every address of every ``Deferred`` at any depth of an
attribute tree, whatever else the tree holds (compared with a plain recursive walk)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.values import UNKNOWN, Deferred, collect_references

_ADDRESSES = st.builds(ResourceAddress, st.sampled_from(["avi_pool", "avi_vsvip"]),
                       st.sampled_from(["a", "b", "c"]))
_DEFERRED = st.builds(lambda refs: Deferred(frozenset(refs), lambda resolve: None),
                      st.sets(_ADDRESSES, max_size=3))
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=3), st.just(UNKNOWN), _DEFERRED)
_TREES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=2), inner, max_size=3), max_leaves=20)


def _walk(value: Any, found: set[ResourceAddress]) -> set[ResourceAddress]:
    if isinstance(value, Deferred):
        found.update(value.references)
    elif isinstance(value, dict):
        for v in value.values():
            _walk(v, found)
    elif isinstance(value, list):
        for v in value:
            _walk(v, found)
    return found


@given(_TREES, st.sets(_ADDRESSES, max_size=2))
def test_every_reference_is_collected(tree: Any, already: set[ResourceAddress]) -> None:
    assert collect_references(tree) == _walk(tree, set())
    into = set(already)
    assert collect_references(tree, into) is into and into == _walk(tree, set(already))
