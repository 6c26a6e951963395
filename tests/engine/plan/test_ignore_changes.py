"""``lifecycle.ignore_changes`` is one rule for planning and apply (issue 13, defect 1):
an indexed path such as ``servers[0].enabled`` ignores that one field, not the whole list,
and what the plan shows is exactly what apply sends."""

from __future__ import annotations

from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.apply import apply_plan
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, Lifecycle
from albform.engine.ignore_changes import keep_ignored
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import res

POOL = ResourceAddress.parse("fake_pool.web")


def _pool(lifecycle: Lifecycle | None = None, **attrs: Any) -> Configuration:
    return Configuration(resources=(res("fake_pool.web", lifecycle, name="web", **attrs),))


def _apply(config: Configuration, state: State, provider: FakeProvider) -> State:
    plan, diags = build_plan(config, state, provider, PlanOptions(max_delete_fraction=None))
    assert not diags.has_errors(), diags
    outcome = apply_plan(plan, provider, lambda s: None, parallelism=1)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    return outcome.state


def test_indexed_ignore_changes_hides_one_field_and_apply_sends_what_was_planned() -> None:
    provider = FakeProvider()
    servers = [{"ip": "10.0.0.1", "port": 80, "enabled": True},
               {"ip": "10.0.0.2", "port": 80}]
    state = _apply(_pool(servers=servers, description="a"), State(), provider)
    ignore = Lifecycle(ignore_changes=(("servers", 0, "enabled"),))
    changed = [{"ip": "10.0.0.1", "port": 80, "enabled": False},
               {"ip": "10.0.0.2", "port": 8080}]
    config = _pool(ignore, servers=changed, description="b")
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    (change,) = plan.changes
    assert change.action is Action.UPDATE
    paths = {c.path for c in change.attribute_changes}
    # The second server's port change is shown; the first server's enabled flag is not.
    assert paths == {("servers", 1, "port"), ("description",)}
    outcome = apply_plan(plan, provider, lambda s: None, parallelism=1)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    (pool,) = provider.objects("fake_pool")
    assert pool["servers"][0]["enabled"] is True
    assert pool["servers"][1]["port"] == 8080
    again, _ = build_plan(config, outcome.state, provider)
    assert [c.action for c in again.changes] == [Action.NOOP]


def test_keep_ignored_paths() -> None:
    prior = {"name": "web", "description": "old",
             "servers": [{"ip": "a", "enabled": True}, {"ip": "b"}]}
    desired = {"name": "web", "description": "new",
               "servers": [{"ip": "a", "enabled": False}, {"ip": "c"}]}
    kept = keep_ignored(desired, prior, Lifecycle(ignore_changes=(("servers", 0, "enabled"),)))
    assert kept["servers"] == [{"ip": "a", "enabled": True}, {"ip": "c"}]
    assert desired["servers"][0]["enabled"] is False  # the input is not modified
    kept = keep_ignored(desired, prior, Lifecycle(ignore_changes=(("description",),)))
    assert kept["description"] == "old"
    # A field the prior object lacks is unset in what is compared and sent.
    kept = keep_ignored(desired, prior, Lifecycle(ignore_changes=(("servers", 1, "ip"),)))
    assert kept["servers"][1] == {"ip": "b"}
    kept = keep_ignored(desired, {"name": "web"},
                        Lifecycle(ignore_changes=(("description",),)))
    assert "description" not in kept
    # An index beyond either list leaves the list alone.
    kept = keep_ignored(desired, prior, Lifecycle(ignore_changes=(("servers", 5, "ip"),)))
    assert kept["servers"] == desired["servers"]
    assert keep_ignored(desired, prior, Lifecycle(ignore_all_changes=True)) == prior
