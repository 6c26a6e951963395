"""Through the engine: apply, change things behind albform's back, plan again. The refresh
must report exactly the objects touched (no drift from the provider's own read-back), and the
plan must put back exactly what the configuration says."""

from __future__ import annotations

from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.apply import apply_plan
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.provider.resources.provider import AviProvider


def configuration() -> Configuration:
    resources = [ResourceConfig(ResourceAddress("avi_pool", f"p{i}"), {
        "name": f"drift-{i}", "lb_algorithm": "LB_ALGORITHM_ROUND_ROBIN",
        "servers": [{"ip": [{"addr": f"10.6.0.{i + 1}", "type": "V4"}], "port": "80"}]})
        for i in range(4)]
    resources.append(ResourceConfig(ResourceAddress("avi_healthmonitor", "hm"), {
        "name": "drift-hm", "type": "HEALTH_MONITOR_HTTP",
        "http_monitor": [{"http_response_code": ["HTTP_2XX"]}]}))
    return Configuration(resources=tuple(resources))


def test_refresh_reports_exactly_the_out_of_band_changes(provider: AviProvider,
                                                         raw: Any) -> None:
    config = configuration()
    plan, diags = build_plan(config, State(), provider)
    assert not diags.has_errors()
    state = apply_plan(plan, provider, lambda _: None).state
    clean, _ = build_plan(config, state, provider)
    assert clean.drift == () and all(c.action is Action.NOOP for c in clean.changes)

    by_name = {r.attributes["name"]: r.attributes for r in state.resources}
    edited = dict(raw.get_object("pool", by_name["drift-1"]["uuid"]))
    edited["lb_algorithm"] = "LB_ALGORITHM_LEAST_CONNECTIONS"  # configured: will be reverted
    edited["description"] = "hand edit"  # not configured: drift only
    raw.replace_object("pool", edited["uuid"], edited)
    raw.delete_object("pool", by_name["drift-2"]["uuid"])

    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors()
    drift = {str(c.address): c for c in plan.drift}
    assert set(drift) == {"avi_pool.p1", "avi_pool.p2"}
    assert drift["avi_pool.p2"].action is Action.DELETE
    assert {c.path for c in drift["avi_pool.p1"].attribute_changes} == {
        ("lb_algorithm",), ("description",)}
    actions = {str(c.address): c.action for c in plan.changes if c.action is not Action.NOOP}
    assert actions == {"avi_pool.p1": Action.UPDATE, "avi_pool.p2": Action.CREATE}

    state = apply_plan(plan, provider, lambda _: None).state
    final, _ = build_plan(config, state, provider)
    assert final.drift == () and all(c.action is Action.NOOP for c in final.changes)
    destroy, _ = build_plan(config, state, provider,
                            PlanOptions(destroy=True, max_delete_fraction=None))
    assert not apply_plan(destroy, provider, lambda _: None).diagnostics.has_errors()
