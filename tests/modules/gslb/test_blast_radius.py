"""The engine's blast-radius guard applies to GSLB objects: an input that suddenly selects
nothing (a relabelled app, a GDP pointing elsewhere) must not wipe the leader's GslbServices;
a cluster that cannot be read stops the plan before that (test_cases: bad_member_not_given)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from albform.engine.changes import Action, PlanOptions
from albform.engine.planning import build_plan
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import deployed_directly, permissive_schemas
from albform.modules.gslb.translate import translate

CASES = Path(__file__).parent / "cases"


def _inputs() -> tuple[dict[str, Any], list[Any]]:
    spec = yaml.safe_load((CASES / "site_persistence_tls" / "input.yaml").read_text())
    return spec["members"], spec["amko"]


def test_selecting_nothing_is_refused_unless_forced() -> None:
    members, amko = _inputs()
    before, _ = translate(members, amko)
    config = before.to_configuration()
    provider, state = deployed_directly(config, FakeProvider(permissive_schemas(config)))
    assert len(state.resources) == 5

    relabelled = {c: [{**o, "metadata": {**o["metadata"], "labels": {"app": "other"}}}
                      for o in objs] for c, objs in members.items()}
    after, diags = translate(relabelled, amko)
    assert not after.objects
    assert [d.summary for d in diags] == ["GlobalDeploymentPolicy selects nothing"]
    _, plan_diags = build_plan(after.to_configuration(), state, provider)
    assert [d.summary for d in plan_diags.errors()] == ["Plan deletes too many objects"]

    forced, forced_diags = build_plan(after.to_configuration(), state, provider,
                                      PlanOptions(force=True))
    assert not forced_diags.has_errors()
    assert [c.action for c in forced.changes] == [Action.DELETE] * 5
