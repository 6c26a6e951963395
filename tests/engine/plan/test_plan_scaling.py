"""Regression guard for planning at scale, without timing anything: a re-plan with one change
must do a fixed amount of work per resource.

Two kinds of evidence, both deterministic:

* exact counters of the operations that are easy to make quadratic by accident — provider
  calls (one bulk read per type, never one read per object), ``diff_attributes`` and
  ``canonicalize`` (once per resource), ``Deferred`` evaluations (once each), state and
  configuration scans (``State.get`` is a linear search; ``by_address`` builds a whole map);
* the number of Python function calls made inside the albform package (a profile hook), at
  N and at 2N resources: linear work doubles, an accidental per-resource scan of all
  resources would quadruple.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import albform
from albform.engine import planning_resource
from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.engine.testing.plans import deployed_directly
from albform.engine.values import UNKNOWN, Deferred

PACKAGE = Path(albform.__file__).resolve().parent
COUNTED = tuple(str(PACKAGE / part) + "/" for part in ("engine", "modules", "provider"))


def _pool_ref(pool: ResourceAddress, evaluations: Counter[str]) -> Deferred:
    def evaluate(resolve: Callable[[ResourceAddress], Any]) -> Any:
        evaluations["evaluate"] += 1
        uuid = resolve(pool).get("uuid")
        return UNKNOWN if uuid is UNKNOWN else f"/api/fake_pool/{uuid}"

    return Deferred(frozenset({pool}), evaluate, f"{pool}.uuid")


def _config(n: int, evaluations: Counter[str], changed: int | None = None) -> Configuration:
    """``n`` pools with two servers and ``n`` virtual services referring to them."""
    resources: list[ResourceConfig] = []
    for i in range(n):
        pool = ResourceAddress("fake_pool", f"p{i}")
        resources.append(ResourceConfig(pool, {
            "name": f"p{i}", "description": "changed" if i == changed else f"pool {i}",
            "servers": [{"ip": f"10.0.{i // 256}.{i % 256}", "port": 80},
                        {"ip": f"11.0.{i // 256}.{i % 256}"}]}))
        resources.append(ResourceConfig(ResourceAddress("fake_vs", f"v{i}"), {
            "name": f"v{i}", "pool_ref": _pool_ref(pool, evaluations), "enabled": True}))
    return Configuration(resources=tuple(resources))


@contextmanager
def _counting(target: Any, name: str, counts: Counter[str]) -> Iterator[None]:
    original = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return original(*args, **kwargs)

    setattr(target, name, counted)
    try:
        yield
    finally:
        setattr(target, name, original)


@contextmanager
def _python_calls(totals: dict[int, int]) -> Iterator[None]:
    """Count calls of functions defined in the albform package (and of the ``__eq__``,
    ``__hash__`` and ``__init__`` that dataclasses generate, whose file is "<string>"), in
    every thread (each thread counts under its own key: no lost updates)."""
    def profile(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        filename = frame.f_code.co_filename
        if filename.startswith(COUNTED) or filename == "<string>":
            ident = threading.get_ident()
            totals[ident] = totals.get(ident, 0) + 1

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]


def _replan_one_change(n: int) -> tuple[Counter[str], int, Counter[str]]:
    """Deploy ``n`` pools and virtual services, change one pool, plan: the operation
    counters, the albform function calls, and the provider's calls."""
    provider, state = deployed_directly(_config(n, Counter()))
    counts: Counter[str] = Counter()
    config = _config(n, counts, changed=n // 2)
    totals: dict[int, int] = {}
    with _counting(planning_resource, "diff_attributes", counts), \
            _counting(provider, "canonicalize", counts), \
            _counting(State, "get", counts), \
            _counting(State, "by_address", counts), \
            _counting(Configuration, "by_address", counts), \
            _counting(ResourceConfig, "dependencies", counts), \
            _python_calls(totals):
        plan, diags = build_plan(config, state, provider, PlanOptions(max_delete_fraction=None))
    assert not diags.has_errors(), [str(d) for d in diags]
    actions = Counter(c.action for c in plan.changes)
    assert actions == {Action.NOOP: 2 * n - 1, Action.UPDATE: 1}
    (update,) = [c for c in plan.changes if c.action is Action.UPDATE]
    assert update.address == ResourceAddress("fake_pool", f"p{n // 2}")
    return counts, sum(totals.values()), provider.calls


@pytest.mark.parametrize("n", [50, 200])
def test_one_change_replan_does_fixed_work_per_resource(n: int) -> None:
    counts, _, provider_calls = _replan_one_change(n)
    # One bulk read per type; no per-object reads, nothing written.
    assert provider_calls == {"read_many": 2}
    # Every resource is canonicalised and diffed exactly once; each Deferred evaluated once
    # — but the changed pool's referrer, if the helper thread reached it during the refresh
    # (worked out with the state's pool: planning_ahead), is worked out again by the planner.
    assert 2 * n <= counts["canonicalize"] <= 2 * n + 1
    assert counts["diff_attributes"] == 2 * n
    assert n <= counts["evaluate"] <= n + 1
    # No linear searches of the state, no per-resource dependency walks, and the address
    # maps are built a fixed number of times per plan, not per resource.
    assert counts["get"] == 0
    assert counts["dependencies"] == 0
    assert counts["by_address"] <= 6


def test_python_calls_grow_linearly_with_resources() -> None:
    _, small, _ = _replan_one_change(100)
    _, large, _ = _replan_one_change(200)
    # Linear work doubles (fixed costs make it a little less); quadratic work would
    # quadruple. The measured ratio is about 2.0.
    assert 1.5 * small < large < 2.2 * small, (small, large)
