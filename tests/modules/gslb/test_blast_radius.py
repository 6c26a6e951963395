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


def _service(cluster: int, fqdn: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": fqdn.split(".")[0], "namespace": "default", "labels": {"app": "gslb"},
        "annotations": {"ako.vmware.com/controller-cluster-uuid": f"cluster-uuid-{cluster}",
                        "ako.vmware.com/host-fqdn-vs-uuid-map": f'{{"{fqdn}": "vs-{cluster}"}}'}},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]},
        "status": {"loadBalancer": {"ingress": [{"ip": f"10.0.{cluster}.{len(fqdn)}",
                                                 "hostname": fqdn}]}}}


def test_an_empty_member_input_removing_members_is_refused_past_the_threshold() -> None:
    """cluster2's input comes back empty: its three members leave three GslbServices by
    updates only (no delete), which the member guard counts."""
    from albform.modules.gslb.guard import check_member_removals

    amko = yaml.safe_load((CASES / "_common.yaml").read_text())["amko"]
    fqdns = ["a.avi.com", "bb.avi.com", "ccc.avi.com"]
    full = {"cluster1": [_service(1, f) for f in fqdns],
            "cluster2": [_service(2, f) for f in fqdns]}
    before, _ = translate(full, amko)
    config = before.to_configuration()
    provider, state = deployed_directly(config, FakeProvider(permissive_schemas(config)))
    after, _ = translate({"cluster1": full["cluster1"], "cluster2": []}, amko)
    plan, diags = build_plan(after.to_configuration(), state, provider,
                             PlanOptions(max_delete_fraction=0.4))
    assert not diags.has_errors()  # the engine sees three updates, no delete
    assert sorted(c.action.value for c in plan.changes if c.action is not Action.NOOP) == [
        "update"] * 3
    refused = check_member_removals(plan, PlanOptions(max_delete_fraction=0.4))
    assert [d.summary for d in refused] == ["Plan removes too many GSLB members"]
    assert "remove 3 of the 6 GslbService members (50%)" in refused[0].detail
    assert not check_member_removals(plan, PlanOptions(max_delete_fraction=0.5))
    assert not check_member_removals(plan, PlanOptions(max_delete_fraction=0.4, force=True))
