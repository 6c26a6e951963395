"""Renderer details: exit codes, apply summary, sensitive masking, JSON shape properties."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.changes import (
    Action,
    OutputChange,
    Plan,
    PlanOptions,
    PlanSummary,
    ResourceChange,
)
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostic
from albform.engine.planning import build_plan
from albform.engine.render import (
    detailed_exit_code,
    render_apply_summary,
    render_plan_human,
    render_plan_json,
)
from albform.engine.render.human import wrap
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.model import ResourceState, State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.testing.fake_schemas import DEFAULT_SCHEMAS
from albform.engine.values import UNKNOWN

sys.path.insert(0, str(Path(__file__).parent.parent / "plan"))
from plan_helpers import A, apply_changes, res


def plan_of(*changes: ResourceChange, outputs: tuple[OutputChange, ...] = (),
            **kw: Any) -> Plan:
    return Plan(changes, State(), State(), Configuration(), output_changes=outputs, **kw)


def test_detailed_exit_codes() -> None:
    noop = ResourceChange(A("fake_pool.a"), Action.NOOP, {"n": 1}, {"n": 1})
    moved = ResourceChange(A("fake_pool.b"), Action.NOOP, {"n": 1}, {"n": 1},
                           previous_address=A("fake_pool.old"))
    create = ResourceChange(A("fake_pool.c"), Action.CREATE, None, {"n": 1})
    assert detailed_exit_code(plan_of(noop)) == 0
    assert detailed_exit_code(plan_of(noop, create)) == 2
    assert detailed_exit_code(plan_of(moved)) == 2  # move-only plans report changes
    assert detailed_exit_code(plan_of(outputs=(OutputChange("o", Action.CREATE, None, 1),))) \
        == 2
    assert detailed_exit_code(plan_of(create, errored=True)) == 1
    assert detailed_exit_code(plan_of(noop), [Diagnostic.error("Boom")]) == 1
    assert detailed_exit_code(None) == 1


def test_apply_summary_lines() -> None:
    assert render_apply_summary(PlanSummary(2, 1, 0)) == \
        "Apply complete! Resources: 2 added, 1 changed, 0 destroyed."
    assert render_apply_summary(PlanSummary(0, 0, 0, imported=1)) == \
        "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed."

    class Outcome:
        summary = PlanSummary(0, 0, 3)

    assert render_apply_summary(Outcome(), destroy=True) == \
        "Destroy complete! Resources: 3 destroyed."


def test_prose_wraps_at_77_columns_like_terraform() -> None:
    assert wrap("Terraform has compared your real infrastructure against your configuration "
                "and found no differences, so no changes are needed.") == (
        "Terraform has compared your real infrastructure against your configuration\n"
        "and found no differences, so no changes are needed.")


def test_nested_sensitive_values_are_masked_in_text_and_json() -> None:
    schema = ResourceSchema("t", {
        "name": AttributeSchema("name"),
        "auth": AttributeSchema("auth", type="object", fields={
            "user": AttributeSchema("user"),
            "password": AttributeSchema("password", sensitive=True)}),
    })
    change = ResourceChange(A("t.x"), Action.UPDATE,
                            {"name": "x", "auth": {"user": "u", "password": "old-pw"}},
                            {"name": "x", "auth": {"user": "v", "password": "new-pw"}})
    plan = plan_of(change, outputs=(OutputChange("o", Action.UPDATE, "s1", "s2", True),))
    text = render_plan_human(plan, {"t": schema})
    doc = json.dumps(render_plan_json(plan, {"t": schema}))
    for secret in ("old-pw", "new-pw", "s1", "s2"):
        assert secret not in text and secret not in doc
    assert "          ~ password = (sensitive value)" in text
    assert "  ~ o = (sensitive value)" in text
    rc = render_plan_json(plan, {"t": schema})["resource_changes"][0]["change"]
    assert rc["after_sensitive"] == {"auth": {"password": True}}
    assert rc["after"]["auth"] == {"user": "v", "password": None}


def test_json_plan_shape_and_unknowns() -> None:
    plan, _ = build_plan(Configuration(resources=(res("fake_pool.p", name="p"),)), State(),
                         FakeProvider())
    doc = render_plan_json(plan, DEFAULT_SCHEMAS)
    assert list(doc) == ["format_version", "terraform_version", "planned_values",
                         "resource_changes", "configuration", "timestamp",
                         "applyable", "complete", "errored"]
    (rc,) = doc["resource_changes"]
    assert rc["change"]["actions"] == ["create"] and rc["change"]["before"] is None
    assert "uuid" not in rc["change"]["after"] and rc["change"]["after_unknown"] == {
        "uuid": True}
    assert rc["provider_name"] == "registry.terraform.io/vmware/avi"
    assert doc["configuration"]["root_module"]["resources"][0]["expressions"]["name"] == {
        "constant_value": "p"}
    assert doc["applyable"] is True and doc["errored"] is False


def test_json_resource_change_reasons_and_prior_state() -> None:
    provider = FakeProvider()
    config = Configuration(resources=(res("fake_pool.a", name="a"), res("fake_pool.b", name="b")))
    plan, _ = build_plan(config, State(), provider)
    state = apply_changes(plan, provider)
    plan, _ = build_plan(Configuration(resources=config.resources[:1]), state, provider,
                         PlanOptions(replace=(A("fake_pool.a"),)))
    doc = render_plan_json(plan, DEFAULT_SCHEMAS)
    by = {r["address"]: r for r in doc["resource_changes"]}
    assert by["fake_pool.a"]["action_reason"] == "replace_by_request"
    assert by["fake_pool.a"]["change"]["actions"] == ["delete", "create"]
    assert by["fake_pool.b"]["action_reason"] == "delete_because_no_resource_config"
    assert by["fake_pool.b"]["change"]["after"] is None
    assert doc["prior_state"]["format_version"] == "1.0"
    assert len(doc["prior_state"]["values"]["root_module"]["resources"]) == 2


values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6), st.just(UNKNOWN)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(min_size=1, max_size=4), inner,
                                            max_size=3)),
    max_leaves=12)
objects = st.dictionaries(st.sampled_from(["name", "a", "b", "key", "servers"]), values,
                          max_size=5)
actions = st.sampled_from([a for a in Action if a is not Action.READ])


@settings(max_examples=60)
@given(actions, objects, objects)
def test_any_change_renders_and_json_serialises_without_secrets(
        action: Action, before: dict[str, Any], after: dict[str, Any]) -> None:
    before = {**before, "key": "SECRET-B"}
    after = {**after, "key": "SECRET-A"}
    change = ResourceChange(
        A("fake_cert.c"), action,
        None if action is Action.CREATE else before,
        None if action is Action.DELETE else after)
    plan = plan_of(change)
    text = render_plan_human(plan, DEFAULT_SCHEMAS)
    doc = json.dumps(render_plan_json(plan, DEFAULT_SCHEMAS))
    assert "SECRET" not in text and "SECRET" not in doc
    assert "UNKNOWN" not in doc
    if action is not Action.NOOP:
        assert "# fake_cert.c " in text


def test_type_changes_and_nested_lists_render_with_consistent_indentation() -> None:
    from albform.engine.render.values import ValueRenderer

    r = ValueRenderer()
    assert r.lines("k", 1, "x", {"a": 1}, None, 6, ()) == [
        '      ~ k = "x" -> {',
        "          + a = 1",
        "        }"]
    assert r.lines("k", 1, {"a": [1]}, "x", None, 6, ()) == [
        "      ~ k = {",
        "          - a = [",
        "              - 1,",
        "            ]",
        '        } -> "x"']
    assert r.lines("k", 1, [[1], [2]], [[1], [3]], None, 6, ()) == [
        "      ~ k = [",
        "            [",
        "                1,",
        "            ],",
        "          - [",
        "              - 2,",
        "            ],",
        "          + [",
        "              + 3,",
        "            ],",
        "        ]"]


def test_keyed_list_with_unknown_key_is_a_new_element() -> None:
    from albform.engine.diff import diff_attributes

    (change,) = diff_attributes(DEFAULT_SCHEMAS["fake_pool"], {"servers": [{"ip": UNKNOWN}]},
                                {"servers": []})
    assert (change.path, change.before, change.after) == (("servers", 0), None, {"ip": UNKNOWN})
    changes = diff_attributes(DEFAULT_SCHEMAS["fake_pool"], {"servers": [{"ip": UNKNOWN}]},
                              {"servers": [{"ip": "unknown"}]})
    assert [c.path for c in changes] == [("servers", 0), ("servers", 0)]


def test_markdown_pr_comment_lists_destroys_first_and_splits() -> None:
    from albform.engine.render.markdown import render_plan_markdown

    provider = FakeProvider()
    config = Configuration(resources=tuple(res(f"fake_pool.p{i}", name=f"p{i}")
                                           for i in range(40)))
    plan, _ = build_plan(config, State(), provider)
    state = apply_changes(plan, provider)
    changed = Configuration(resources=(
        *(res(f"fake_pool.p{i}", name=f"p{i}", description="d") for i in range(1, 40)),
        res("fake_cert.c", name="c", key="hunter2")))
    plan, diags = build_plan(changed, state, provider, PlanOptions(replace=(A("fake_pool.p1"),)))
    (comment,) = render_plan_markdown(plan, {**DEFAULT_SCHEMAS}, diagnostics=diags)
    first = comment.splitlines()[0]
    assert first == ("<!-- albform-plan: +1 ~38 -1 ±1 deleted=2 guard=ok errored=no -->")
    assert comment.index("Destroyed or replaced") < comment.index("Created") < \
        comment.index("Updated in place (38)")
    assert "- `-` `fake_pool.p0` (not in configuration)" in comment
    assert "- `-/+` `fake_pool.p1` (replace requested)" in comment
    # A long plan: creates and each update collapsed, the update's values inside.
    assert "<details><summary>Created (1)</summary>" in comment
    p2 = comment.index("<details><summary><code>~ fake_pool.p2</code>: description</summary>")
    assert comment[p2:].split("</details>")[0].endswith(
        '| `description` | `null` | `"d"` |\n\n')
    assert "hunter2" not in comment
    assert f"serial {state.serial}" in comment
    pages = render_plan_markdown(plan, DEFAULT_SCHEMAS, max_chars=800)
    assert len(pages) > 1 and all(len(p) <= 800 for p in pages)
    assert pages[0].splitlines()[0] == first and "albform apply tfplan" in pages[-1]
    body = "".join(pages)
    assert all(f"fake_pool.p{i}</code>" in body for i in range(2, 40))
    # A <details> block is never split between two comments.
    assert all(p.count("<details") == p.count("</details>") for p in pages)
    emptied, diags = build_plan(Configuration(), state, provider)
    (failed,) = render_plan_markdown(emptied, DEFAULT_SCHEMAS, diagnostics=diags)
    assert "guard=tripped errored=yes" in failed.splitlines()[0]
    assert "## :x: Plan failed" in failed and "**Plan deletes too many objects**" in failed


def test_markdown_names_a_deposed_object_apart_from_the_replacement() -> None:
    # A leftover deposed pool and a new replacement of the same address in one plan: two
    # destroy lines, only the deposed one saying so (as the human renderer does).
    from albform.engine.render.markdown import render_plan_markdown

    provider = FakeProvider()
    config = Configuration(resources=(res("fake_pool.web", name="web"),))
    plan, _ = build_plan(config, State(), provider)
    state = apply_changes(plan, provider)
    old = provider.create("fake_pool", {"name": "web-old"})
    state = state.with_deposed([ResourceState(A("fake_pool.web"), dict(old.attributes),
                                              deposed="00aa11bb")])
    plan, diags = build_plan(config, state, provider, PlanOptions(replace=(A("fake_pool.web"),)))
    assert not diags.has_errors()
    (comment,) = render_plan_markdown(plan, DEFAULT_SCHEMAS)
    listed = [line for line in comment.splitlines() if "`fake_pool.web`" in line]
    assert listed == [
        "- `-` `fake_pool.web` (deposed object `00aa11bb`, left over from a partially-failed "
        "replacement)",
        "- `-/+` `fake_pool.web` (replace requested)"]
    assert comment.splitlines()[0] == \
        "<!-- albform-plan: +0 ~0 -1 ±1 deleted=2 guard=ok errored=no -->"
    human = render_plan_human(plan, DEFAULT_SCHEMAS)
    assert "# fake_pool.web (deposed object 00aa11bb) will be destroyed" in human

def test_configuration_constants_mask_nested_sensitive_fields() -> None:
    schema = ResourceSchema("t", {"auth": AttributeSchema("auth", type="object", fields={
        "user": AttributeSchema("user"), "password": AttributeSchema("password", sensitive=True)})})
    config = Configuration(resources=(res("t.x", auth={"user": "u", "password": "pw-123"}),))
    plan = Plan((), State(), State(), config)
    doc = render_plan_json(plan, {"t": schema})
    expr = doc["configuration"]["root_module"]["resources"][0]["expressions"]["auth"]
    assert expr == {"constant_value": {"user": "u", "password": None}}
    assert "pw-123" not in json.dumps(doc)


def test_schema_objects_render_as_nested_blocks_after_attributes() -> None:
    from albform.engine.render.values import ValueRenderer

    fields = {"ip": AttributeSchema("ip"), "port": AttributeSchema("port", type="integer")}
    attrs = {"name": AttributeSchema("name"),
             "servers": AttributeSchema("servers", type="list", element_type="object",
                                        keyed_by=("ip",), fields=fields),
             "health": AttributeSchema("health", type="object", fields=fields)}
    before = {"name": "p", "servers": [{"ip": "a", "port": 1}, {"ip": "b", "port": 1},
                                       {"ip": "c", "port": 1}],
              "health": {"ip": "h", "port": 2}}
    after = {"name": "p", "servers": [{"ip": "c", "port": 1}, {"ip": "a", "port": 2},
                                      {"ip": "d"}],
             "health": {"ip": "h", "port": 2}}
    lines = ValueRenderer(replace_paths=frozenset({("servers", 2)})).object_lines(
        before, after, attrs, 6, (), important=["name"], blocks=True)
    assert lines == [
        '        name = "p"',
        "",
        "      ~ servers {",
        "          ~ port = 1 -> 2",
        "            # (1 unchanged attribute hidden)",
        "        }",
        "      + servers { # forces replacement",
        '          + ip = "d"',
        "        }",
        "      - servers {",
        '          - ip   = "b" -> null',
        "          - port = 1 -> null",
        "        }",
        "",
        "        # (2 unchanged blocks hidden)",
    ]


def test_prior_state_values_honour_the_states_own_sensitive_paths() -> None:
    from albform.engine.state.model import ResourceState

    state = State().with_resources([ResourceState(
        A("fake_other.x"), {"name": "x", "creds": {"password": "pw-9", "user": "u"}},
        sensitive_attributes=(("creds", "password"),))])
    plan = Plan((), state, state, Configuration())
    doc = render_plan_json(plan, {})  # no schema for this type at all
    values = doc["prior_state"]["values"]["root_module"]["resources"][0]["values"]
    assert values == {"name": "x", "creds": {"password": None, "user": "u"}}


def test_markdown_masks_values_inside_and_below_sensitive_attributes() -> None:
    from albform.engine.changes import Action, AttributeChange, Plan, ResourceChange
    from albform.engine.render.markdown import render_plan_markdown
    from albform.engine.schema import AttributeSchema, ResourceSchema

    login = AttributeSchema("login", "object", fields={
        "user": AttributeSchema("user"), "secret": AttributeSchema("secret", sensitive=True)})
    vault = AttributeSchema("vault", "object", sensitive=True,
                            fields={"token": AttributeSchema("token")})
    schema = ResourceSchema("fake_thing", {"login": login, "vault": vault,
                                           "name": AttributeSchema("name")})
    change = ResourceChange(
        A("fake_thing.t"), Action.UPDATE, {}, {}, attribute_changes=(
            AttributeChange(("login",), {"user": "u1", "secret": "s1"},
                            {"user": "u2", "secret": "s2"}),
            AttributeChange(("vault", "token"), "t1", "t2"),
            AttributeChange(("name",), "a", "b")))
    plan = Plan(changes=(change,), prior_state=None, prev_run_state=None, configuration=None)
    (comment,) = render_plan_markdown(plan, {"fake_thing": schema})
    for secret in ("s1", "s2", "t1", "t2"):
        assert f'"{secret}"' not in comment
    assert '| `login` | `{"secret": "(sensitive value)", "user": "u1"}` | ' \
           '`{"secret": "(sensitive value)", "user": "u2"}` |' in comment
    assert "| `vault.token` | (sensitive value) | (sensitive value) |" in comment
    assert '| `name` | `"a"` | `"b"` |' in comment


def test_markdown_says_when_the_blast_radius_guard_was_overridden() -> None:
    """A reviewer (and the CI reading the first line) must see that a mass delete went past
    the guard on purpose: ``guard=overridden`` and a warning, never ``guard=ok``."""
    from albform.engine.render.markdown import render_plan_markdown

    provider = FakeProvider()
    config = Configuration(resources=tuple(res(f"fake_pool.p{i}", name=f"p{i}")
                                           for i in range(4)))
    plan, _ = build_plan(config, State(), provider)
    state = apply_changes(plan, provider)
    emptied, diags = build_plan(Configuration(), state, provider, PlanOptions(force=True))
    assert not diags.has_errors()
    (comment,) = render_plan_markdown(emptied, DEFAULT_SCHEMAS, diagnostics=diags)
    assert comment.splitlines()[0] == \
        "<!-- albform-plan: +0 ~0 -4 ±0 deleted=4 guard=overridden errored=no -->"
    assert ("> :warning: **Blast-radius guard overridden** (`--allow-mass-delete`): this plan "
            "destroys or replaces 4 of the 4 managed objects (100%), more than the allowed "
            "50%.") in comment
    # Forced but within the allowed share: nothing was overridden.
    one_less = Configuration(resources=config.resources[1:])
    small, _ = build_plan(one_less, state, provider, PlanOptions(force=True))
    (comment,) = render_plan_markdown(small, DEFAULT_SCHEMAS)
    assert "guard=ok" in comment.splitlines()[0] and "overridden" not in comment
