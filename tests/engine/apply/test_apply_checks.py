"""The final-plan comparison: known planned values must match what apply sends."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from albform.engine.apply_checks import format_path, mismatched_paths
from albform.engine.values import UNKNOWN

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                 max_size=3),
    max_leaves=10)


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=4))
def test_a_value_matches_itself(value: dict[str, object]) -> None:
    assert mismatched_paths(value, value) == []


def test_unknown_matches_anything_and_paths_are_reported() -> None:
    planned = {"uuid": UNKNOWN, "servers": [{"ip": "1.1.1.1", "port": 80}], "n": 1}
    sending = {"uuid": "x", "servers": [{"ip": "1.1.1.2", "port": "80"}], "n": 2}
    paths = mismatched_paths(planned, sending)
    assert paths == [("servers", 0, "ip"), ("n",)]
    assert [format_path(p) for p in paths] == ["servers[0].ip", "n"]


def test_list_length_and_emptiness() -> None:
    assert mismatched_paths({"a": [1, 2]}, {"a": [1]}) == [("a",)]
    assert mismatched_paths({"a": []}, {}) == []  # empty list equals unset
    assert mismatched_paths({"a": {}}, {"a": None}) == []
