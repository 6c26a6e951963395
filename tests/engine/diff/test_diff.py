"""diff_attributes: desired ⊆ actual, keyed lists, coercion, UNKNOWN, force_new."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.changes import AttributeChange
from albform.engine.diff import coerce_equal, diff_attributes, values_equal
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.testing.fake_schemas import DEFAULT_SCHEMAS
from albform.engine.values import UNKNOWN, Deferred

POOL = DEFAULT_SCHEMAS["fake_pool"]
VS = DEFAULT_SCHEMAS["fake_vs"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4),
    ),
    max_leaves=20,
)
objects = st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=6)


def paths(changes: tuple[AttributeChange, ...]) -> list[tuple[str | int, ...]]:
    return [c.path for c in changes]


@given(objects)
def test_diff_of_a_value_with_itself_is_empty(x: dict[str, Any]) -> None:
    assert diff_attributes(None, x, x) == ()


@given(objects)
def test_diff_with_schema_of_a_value_with_itself_is_empty(x: dict[str, Any]) -> None:
    assert diff_attributes(POOL, x, x) == ()


def _add_extra(value: Any, extra: dict[str, Any]) -> Any:
    """``value`` with extra keys added to every object inside it (lists keep their length)."""
    if isinstance(value, dict):
        out = {k: _add_extra(v, extra) for k, v in value.items()}
        for k, v in extra.items():
            out.setdefault(k, v)
        return out
    if isinstance(value, list):
        return [_add_extra(v, extra) for v in value]
    return value


@given(objects, st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=3))
def test_extra_server_keys_at_any_depth_are_not_changes(desired: dict[str, Any],
                                                         extra: dict[str, Any]) -> None:
    actual = _add_extra(desired, extra)
    assert diff_attributes(None, desired, actual) == ()


@given(st.lists(st.fixed_dictionaries({"ip": st.ip_addresses(v=4).map(str),
                                       "port": st.integers(1, 65535)}),
                unique_by=lambda s: s["ip"], max_size=6),
       st.randoms())
def test_keyed_list_order_does_not_matter(servers: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = [dict(s, hostname=s["ip"]) for s in servers]
    rnd.shuffle(shuffled)
    assert diff_attributes(POOL, {"servers": servers}, {"servers": shuffled}) == ()


@given(scalars)
def test_coercion_is_reflexive_and_symmetric_with_string_forms(x: Any) -> None:
    assert coerce_equal(x, x)
    if isinstance(x, bool):
        text = "true" if x else "false"
    elif isinstance(x, int | float):
        text = repr(x)
    else:
        return
    assert coerce_equal(x, text) and coerce_equal(text, x)


@given(scalars, scalars)
def test_coercion_is_symmetric(a: Any, b: Any) -> None:
    assert coerce_equal(a, b) == coerce_equal(b, a)
    assert values_equal(a, b) == values_equal(b, a)


def test_scalar_coercion_examples() -> None:
    actual = {"port": 80, "enabled": True, "weight": 1, "name": "p"}
    desired = {"port": "80", "enabled": "true", "weight": 1.0, "name": "p"}
    assert diff_attributes(None, desired, actual) == ()
    assert diff_attributes(None, {"port": "81"}, actual) == (
        AttributeChange(("port",), 80, "81"),)
    assert not coerce_equal("abc", 0)
    assert not coerce_equal(None, "")


def test_unconfigured_computed_and_defaulted_attributes_are_ignored() -> None:
    actual = {"name": "p", "uuid": "pool-1", "lb_algorithm": "LB_ALGORITHM_ROUND_ROBIN",
              "_last_modified": "1700000"}
    assert diff_attributes(POOL, {"name": "p"}, actual) == ()


def test_changed_scalar_reports_path_before_after() -> None:
    changes = diff_attributes(POOL, {"name": "p", "description": "new"},
                              {"name": "p", "description": "old", "uuid": "u"})
    assert changes == (AttributeChange(("description",), "old", "new"),)


def test_empty_desired_values_match_absent_actual() -> None:
    assert diff_attributes(None, {"a": None, "b": {}, "c": [], "d": {"e": None}}, {}) == ()
    assert diff_attributes(None, {"l": []}, {"l": [1]}) == (AttributeChange(("l",), [1], []),)


def test_keyed_list_reports_member_changes_by_key() -> None:
    actual = {"servers": [{"ip": "10.0.0.1", "port": 80, "hostname": "a"},
                          {"ip": "10.0.0.2", "port": 80, "hostname": "b"}]}
    desired = {"servers": [{"ip": "10.0.0.2", "port": 8080}, {"ip": "10.0.0.3"}]}
    changes = diff_attributes(POOL, desired, actual)
    assert changes == (
        AttributeChange(("servers", 0, "port"), 80, 8080),
        AttributeChange(("servers", 1), None, {"ip": "10.0.0.3"}),
        AttributeChange(("servers", 0), {"ip": "10.0.0.1", "port": 80, "hostname": "a"},
                        None),
    )


def test_positional_list_length_change_is_one_change() -> None:
    changes = diff_attributes(POOL, {"health_monitor_refs": ["a", "b"]},
                              {"health_monitor_refs": ["a"]})
    assert changes == (AttributeChange(("health_monitor_refs",), ["a"], ["a", "b"]),)


def test_schemaless_nested_changes_get_leaf_paths_from_deepdiff() -> None:
    desired = {"cfg": {"a": {"b": 2, "c": [1, 2]}, "d": "x"}}
    actual = {"cfg": {"a": {"b": 1, "c": [1, 3], "extra": True}, "d": "x", "z": 0}}
    assert paths(diff_attributes(None, desired, actual)) == [
        ("cfg", "a", "b"), ("cfg", "a", "c", 1)]
    changes = diff_attributes(None, desired, actual)
    assert (changes[0].before, changes[0].after) == (1, 2)


def test_unknown_is_always_a_change() -> None:
    assert diff_attributes(VS, {"pool_ref": UNKNOWN}, {"pool_ref": "/api/pool/p1"}) == (
        AttributeChange(("pool_ref",), "/api/pool/p1", UNKNOWN),)
    assert diff_attributes(VS, {"pool_ref": UNKNOWN}, {}) == (
        AttributeChange(("pool_ref",), None, UNKNOWN),)
    nested = diff_attributes(None, {"x": {"y": UNKNOWN}}, {"x": {"y": 1}})
    assert nested == (AttributeChange(("x", "y"), 1, UNKNOWN),)


def test_force_new_attribute_flags_replacement() -> None:
    changes = diff_attributes(VS, {"name": "v", "type": "VS_TYPE_VH_PARENT", "port": 81},
                              {"name": "v", "type": "VS_TYPE_NORMAL", "port": 80})
    assert [(c.path, c.forces_replacement) for c in changes] == [
        (("type",), True), (("port",), False)]


def test_force_new_applies_below_the_attribute() -> None:
    schema = ResourceSchema("t", {"spec": AttributeSchema(
        "spec", type="object", force_new=True,
        fields={"a": AttributeSchema("a", type="integer")})})
    (change,) = diff_attributes(schema, {"spec": {"a": 2}}, {"spec": {"a": 1}})
    assert change.path == ("spec", "a") and change.forces_replacement


def test_sensitive_value_not_returned_by_server_is_not_compared() -> None:
    cert = DEFAULT_SCHEMAS["fake_cert"]
    assert diff_attributes(cert, {"name": "c", "key": "secret"}, {"name": "c"}) == ()
    assert diff_attributes(cert, {"key": "secret"}, {"key": "<sensitive>"}) == ()
    assert len(diff_attributes(cert, {"key": "new"}, {"key": "old"})) == 1


def test_unresolved_deferred_is_a_bug() -> None:
    d = Deferred(frozenset(), lambda resolve: 1, "x")
    with pytest.raises(TypeError, match="unresolved Deferred"):
        diff_attributes(None, {"a": d}, {"a": 1})
