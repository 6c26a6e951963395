"""Pool plans show what changes and nothing else (issue 13, defect 6): servers are matched by
identity (ip.addr + port), and inside each server only configured fields are compared, so
adding one endpoint shows exactly one added server — no existing server "changing" address,
no controller default ``-> null``."""

from __future__ import annotations

from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.apply import apply_plan
from albform.engine.changes import Action
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.planning import build_plan
from albform.engine.render import render_plan_human
from albform.engine.state.model import State
from albform.provider.resources.provider import AviProvider

POOL = ResourceAddress.parse("avi_pool.web")


def _pool(*addresses: str, port: int | None = None) -> Configuration:
    servers = [{"ip": [{"addr": a, "type": "V4"}], **({"port": port} if port else {})}
               for a in addresses]
    return Configuration(resources=(
        ResourceConfig(POOL, {"name": "noise-pool", "servers": servers}),))


def _apply(config: Configuration, state: State, provider: AviProvider) -> State:
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    outcome = apply_plan(plan, provider, lambda s: None, parallelism=1)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    return outcome.state


def test_adding_one_endpoint_shows_exactly_one_added_server(provider: AviProvider) -> None:
    state = _apply(_pool("10.30.0.2", "10.30.0.3", "10.30.0.4", port=8080), State(), provider)
    try:
        # 10.30.0.1 sorts first: by position every existing server would shift by one.
        plan, diags = build_plan(
            _pool("10.30.0.1", "10.30.0.2", "10.30.0.3", "10.30.0.4", port=8080),
            state, provider)
        assert not diags.has_errors(), diags
        (change,) = plan.changes
        assert change.action is Action.UPDATE
        (added,) = change.attribute_changes
        assert added.before is None and added.after["ip"]["addr"] == "10.30.0.1"
        text = render_plan_human(plan, {"avi_pool": provider.schema("avi_pool")})
        body = text[text.index("# avi_pool.web"):text.index("Plan:")]
        assert body.count("+ servers {") == 1, body
        assert "-> null" not in body and "- servers {" not in body, body
        assert "~ servers {" not in body, body
        assert "# (3 unchanged blocks hidden)" in body, body
        # The same endpoint on a second port is a second member, not a change of the first.
        state = _apply(_pool("10.30.0.2", "10.30.0.3", "10.30.0.4", port=8080), state,
                       provider)
        both: Any = _pool("10.30.0.2", "10.30.0.3", "10.30.0.4", port=8080)
        servers = [*both.resources[0].attributes["servers"],
                   {"ip": [{"addr": "10.30.0.2", "type": "V4"}], "port": 9090}]
        config = Configuration(resources=(ResourceConfig(POOL, {"name": "noise-pool",
                                                                "servers": servers}),))
        plan, _ = build_plan(config, state, provider)
        (change,) = plan.changes
        assert [(c.before, c.after["port"]) for c in change.attribute_changes] == [(None, 9090)]
    finally:
        _apply(Configuration(), state, provider)
