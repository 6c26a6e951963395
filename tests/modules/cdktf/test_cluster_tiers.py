"""``cluster_tiers.object_tiers``: every object sits in a deeper tier than each object of its
type it refers to, as shallow as that allows; a cycle is an error naming its keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.modules.cdktf.cluster_tiers import TierCycleError, object_tiers, tier_name


@st.composite
def _references(draw: st.DrawFn) -> dict[str, set[str]]:
    """An acyclic graph of references (each key refers only to keys drawn before it), plus
    references to keys outside the graph."""
    size = draw(st.integers(0, 12))
    keys = [f"k{i}" for i in range(size)]
    refers: dict[str, set[str]] = {}
    for i, key in enumerate(keys):
        refers[key] = set(draw(st.lists(st.sampled_from(keys[:i]), max_size=3))) if i else set()
        refers[key] |= set(draw(st.lists(st.sampled_from(["outside", "gone"]), max_size=1)))
    return refers


@given(_references())
def test_every_object_is_one_tier_past_the_deepest_object_it_refers_to(
        refers: dict[str, set[str]]) -> None:
    tiers = object_tiers(refers)
    assert set(tiers) == set(refers)
    for key, deps in refers.items():
        inside = [tiers[d] for d in deps if d in refers]
        assert tiers[key] == (1 + max(inside) if inside else 0)


@given(_references(), st.data())
def test_a_cycle_is_an_error_naming_its_keys(refers: dict[str, set[str]],
                                              data: st.DataObject) -> None:
    if not refers:
        return
    first, then = data.draw(st.sampled_from(sorted(refers))), \
        data.draw(st.sampled_from(sorted(refers)))
    refers[first].add(then)
    if _reaches(refers, then, first):  # then (or what it refers to) refers to first
        with pytest.raises(TierCycleError) as raised:
            object_tiers(refers)
        assert first in str(raised.value) and then in str(raised.value)
    else:
        assert object_tiers(refers)[first] > object_tiers(refers)[then]


def _reaches(refers: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        key = todo.pop()
        if key == goal:
            return True
        if key not in seen and key in refers:
            seen.add(key)
            todo.extend(refers[key])
    return False


def test_a_mutual_reference_is_a_cycle() -> None:
    with pytest.raises(TierCycleError, match=r"a -> b -> a|b -> a -> b"):
        object_tiers({"a": {"b"}, "b": {"a"}})


def test_tier_zero_keeps_the_front_ends_name() -> None:
    assert [tier_name("ako", t) for t in range(3)] == ["ako", "ako_tier1", "ako_tier2"]
