"""Every value kind the planner produces renders through the typed path (issue 13, defect 4):
human text, markdown and plan JSON never show a Python repr, whatever mix of kinds an
attribute or output holds. Planned views of new objects become ``UNKNOWN`` when taken whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, OutputChange, Plan, ResourceChange
from albform.engine.config import Configuration, OutputConfig
from albform.engine.planning import build_plan
from albform.engine.render import render_plan_human, render_plan_json
from albform.engine.render.markdown import render_plan_markdown
from albform.engine.render.values import primitive
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.model import State
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import ref, res
from albform.engine.values import UNKNOWN, plain

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=8), st.just(UNKNOWN))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(min_size=1, max_size=5), inner,
                                                 max_size=3)), max_leaves=12)
SCHEMA = ResourceSchema("fake_thing", {
    "plain": AttributeSchema("plain", type="any"),
    "secret": AttributeSchema("secret", type="any", sensitive=True),
    "block": AttributeSchema("block", type="list", element_type="object", fields={
        "v": AttributeSchema("v", type="any")}),
})
REPR_MARKS = ("object at 0x", "<albform.", "<class ")


def _texts(plan: Plan) -> list[str]:
    schemas = {"fake_thing": SCHEMA}
    return [render_plan_human(plan, schemas), json.dumps(render_plan_json(plan, schemas)),
            *render_plan_markdown(plan, schemas)]


@settings(max_examples=200, deadline=None)
@given(VALUES, VALUES)
def test_every_value_kind_renders_without_repr(before: Any, after: Any) -> None:
    attrs_before = {"plain": before, "secret": before, "block": [{"v": before}]}
    attrs_after = {"plain": after, "secret": after, "block": [{"v": after}]}
    address = ResourceAddress.parse("fake_thing.x")
    changes = [ResourceChange(address, action, b, a) for action, b, a in (
        (Action.CREATE, None, attrs_after), (Action.UPDATE, attrs_before, attrs_after),
        (Action.DELETE, attrs_before, None))]
    for change in changes:
        plan = Plan((change,), State(), State(), Configuration(), output_changes=(
            OutputChange("o", Action.UPDATE, before, after),))
        for text in _texts(plan):
            assert not any(mark in text for mark in REPR_MARKS), text


def test_a_foreign_value_is_a_loud_bug_not_a_repr() -> None:
    with pytest.raises(TypeError):
        primitive(object())
    with pytest.raises(TypeError):
        plain({"a": {1, 2}})
    assert plain({"a": (1, "x")}) == {"a": [1, "x"]}


def test_nested_blocks_of_new_objects_taken_whole_are_known_after_apply() -> None:
    config = Configuration(
        resources=(res("fake_pool.web", name="web", servers=[{"ip": "10.0.0.1"}]),),
        outputs=(OutputConfig("servers", ref("fake_pool.web", "servers")),))
    plan, diags = build_plan(config, State(), FakeProvider())
    assert not diags.has_errors(), diags
    (out,) = plan.output_changes
    assert out.after == [UNKNOWN]  # the server fills port and enabled
    assert "+ servers = [\n      + (known after apply),\n    ]" in render_plan_human(plan, {})
