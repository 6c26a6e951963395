"""Helpers for planning tests: configurations over the FakeProvider, and a small apply.

``apply_changes`` applies a plan with the engine's ``apply_plan``. ``naive_apply`` is a
small independent apply (re-evaluates ``Deferred`` values against the objects created so
far, in dependency order); the property test runs both, so planning is not only checked
against one apply implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, Plan
from albform.engine.config import Configuration, Lifecycle, ResourceConfig
from albform.engine.graph import Graph
from albform.engine.provider import ProviderError
from albform.engine.state.model import ResourceState, State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.values import UNKNOWN, Deferred, resolve_deferred

A = ResourceAddress.parse


def ref(address: str, attr: str = "uuid", fmt: Callable[[Any], Any] | None = None,
        ) -> Deferred:
    """``address.attr`` as a deferred expression (UNKNOWN in, UNKNOWN out)."""
    target = A(address)

    def evaluate(resolve: Callable[[ResourceAddress], Mapping[str, Any]]) -> Any:
        value = resolve(target).get(attr)
        if value is UNKNOWN:
            return UNKNOWN
        return fmt(value) if fmt else value

    return Deferred(frozenset({target}), evaluate, f"{address}.{attr}")


def pool_ref(address: str) -> Deferred:
    return ref(address, "uuid", lambda u: f"/api/fake_pool/{u}")


def res(address: str, lifecycle: Lifecycle | None = None, **attributes: Any,
        ) -> ResourceConfig:
    return ResourceConfig(A(address), attributes, lifecycle=lifecycle or Lifecycle())


def apply_changes(plan: Plan, provider: FakeProvider) -> State:
    """Apply with the engine's ``apply_plan``; fall back to ``naive_apply`` without it."""
    try:
        from albform.engine.apply import apply_plan
    except ImportError:  # pragma: no cover - only before apply.py existed
        return naive_apply(plan, provider)
    saved: list[State] = []
    outcome = apply_plan(plan, provider, saved.append, parallelism=4)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    return outcome.state


def naive_apply(plan: Plan, provider: FakeProvider) -> State:
    config: Configuration = plan.configuration
    configs = config.by_address()
    applied: dict[ResourceAddress, Mapping[str, Any]] = {
        r.address: r.attributes for r in plan.prior_state.resources}
    by_address = {c.address: c for c in plan.changes}
    graph: Graph[ResourceAddress] = Graph(configs)
    for rc in config.resources:
        for dep in rc.dependencies():
            graph.connect(rc.address, dep)
    for address in graph.topological_order():
        change = by_address.get(address)
        rc = configs[address]
        if address.is_data:
            if change is not None and change.after is not None:
                applied[address] = change.after
            continue
        if change is None or change.action in (Action.NOOP, Action.DELETE):
            if change is not None and change.importing_id is not None:
                applied[address] = change.before or {}
            continue
        planned = provider.canonicalize(
            rc.type, resolve_deferred(dict(rc.attributes), lambda a: applied[a]))
        if change.action is Action.CREATE:
            applied[address] = provider.create(rc.type, planned).attributes
        elif change.action is Action.UPDATE:
            assert change.before is not None
            merged = {**change.before, **planned}
            applied[address] = provider.update(rc.type, change.before, merged).attributes
        else:
            assert change.before is not None
            provider.delete(rc.type, change.before)
            applied[address] = provider.create(rc.type, planned).attributes
    pending = [c for c in plan.changes if c.action is Action.DELETE]
    while pending:
        left = []
        for c in pending:
            try:
                assert c.before is not None
                provider.delete(c.type, c.before)
                applied.pop(c.address, None)
            except ProviderError:
                left.append(c)
        if len(left) == len(pending):
            raise AssertionError(f"deletes cannot progress: {left}")
        pending = left
    prev = plan.prior_state
    return prev.with_resources(
        ResourceState(a, attrs) for a, attrs in applied.items() if not a.is_data
    ).next_serial()
