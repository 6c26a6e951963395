"""Desired values worked out during the refresh (engine/planning_ahead.py): the same plan,
the same diagnostics in the same order, each resource canonicalised once (twice for a
referrer of a changed object: worked out with the state's values, then with the planned), by
dependency level; the dependency graph built once (engine/planning_graph.py)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine import planning, planning_ahead, planning_graph
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.planning import build_plan
from albform.engine.planning_graph import config_graph
from albform.engine.provider import ProviderError, ReadManyResult, ReadRequest
from albform.engine.state.model import State
from albform.engine.testing.fake_provider import FakeProvider

sys.path.insert(0, str(Path(__file__).parent))
from plan_helpers import A, apply_changes, pool_ref, res


class SlowRefresh(FakeProvider):
    """The refresh waits until every resource without a reference has been canonicalised
    (or a timeout): the helper thread then surely did its work before the planner's.
    ``canonicalize`` records the thread of each call and can fail for chosen names."""

    def __init__(self, expected: int, fail: Mapping[str, BaseException] | None = None) -> None:
        super().__init__()
        self.expected = expected
        self.fail = dict(fail or {})
        self.threads: list[tuple[str, str]] = []
        self._seen = threading.Condition()
        self.refreshing = False

    def canonicalize(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        name = str(attributes.get("name"))
        with self._seen:
            self.threads.append((name, threading.current_thread().name))
            self._seen.notify_all()
        if name in self.fail:
            raise self.fail[name]
        return super().canonicalize(type_name, attributes)

    def read_many(self, requests: Sequence[ReadRequest]) -> ReadManyResult:
        if self.refreshing:
            with self._seen:
                self._seen.wait_for(lambda: len(self.threads) >= self.expected, timeout=10)
        return super().read_many(requests)


def config_of(n: int) -> Configuration:
    """n pools, and n virtual services each referring to its pool (a Deferred)."""
    return Configuration(resources=tuple(
        r for i in range(n) for r in (
            res(f"fake_pool.p{i}", name=f"pool-{i}", servers=[{"ip": f"10.0.0.{i}",
                                                               "port": 80}]),
            res(f"fake_vs.v{i}", name=f"vs-{i}", pool_ref=pool_ref(f"fake_pool.p{i}"),
                port=80))))


def applied_with(provider: SlowRefresh, config: Configuration) -> State:
    plan, diags = build_plan(config, State(), provider)
    assert not diags.has_errors(), diags
    state = apply_changes(plan, provider)
    provider.threads.clear()
    provider.refreshing = True
    return state


def test_resources_without_references_are_canonicalised_once_during_the_refresh() -> None:
    config = config_of(5)
    provider = SlowRefresh(expected=5)
    state = applied_with(provider, config)
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    assert {c.action for c in plan.changes} == {Action.NOOP}
    names = [name for name, _ in provider.threads]
    assert sorted(names) == sorted({*names})  # once each
    threads = dict(provider.threads)
    assert {threads[f"pool-{i}"] for i in range(5)} == {"plan-ahead"}
    # Virtual services refer to their pool's planned values: worked out with the state's,
    # which the unchanged pools keep.
    assert {threads[f"vs-{i}"] for i in range(5)} == {"plan-ahead"}


def test_a_reference_to_a_changed_object_is_resolved_again_by_the_planner(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_of(3)
    provider = SlowRefresh(expected=6)
    state = applied_with(provider, config)
    # pool-1 changes on the controller: the refresh reads other values for it.
    pool = state.by_address()[A("fake_pool.p1")]
    provider._objects["fake_pool"][pool.attributes["uuid"]]["servers"] = [{"ip": "10.9.9.9",
                                                                   "port": 81}]
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    # vs-1 was worked out ahead with the state's pool, and again by the planner (the pool's
    # planned value is the update's); vs-0 only ahead.
    assert ("vs-1", "plan-ahead") in provider.threads
    assert ("vs-1", "MainThread") in provider.threads
    assert ("vs-0", "MainThread") not in provider.threads
    monkeypatch.setattr(planning, "_plans_all", lambda options: False)  # nothing ahead
    plain, _ = build_plan(config, state, provider)
    assert [(c.address, c.action, c.before, c.after) for c in plan.changes] == \
        [(c.address, c.action, c.before, c.after) for c in plain.changes]
    assert Action.UPDATE in {c.action for c in plan.changes}


def test_a_failure_ahead_is_the_planners_diagnostic_in_order() -> None:
    config = config_of(3)
    provider = SlowRefresh(expected=3)
    state = applied_with(provider, config)
    provider.fail = {"pool-1": ProviderError("no such cloud"),
                     "pool-2": ProviderError("bad value")}
    _, diags = build_plan(config, state, provider)
    errors = [(d.summary, str(d.address)) for d in diags if d.is_error]
    assert errors == [("Invalid resource configuration", "fake_pool.p1"),
                      ("Invalid resource configuration", "fake_pool.p2")]
    assert dict(provider.threads)["pool-1"] == "plan-ahead"


def test_a_bug_ahead_is_raised_by_build_plan() -> None:
    config = config_of(2)
    provider = SlowRefresh(expected=2)
    state = applied_with(provider, config)
    provider.fail = {"pool-0": RuntimeError("a bug")}
    with pytest.raises(RuntimeError, match="a bug"):
        build_plan(config, state, provider)


def test_nothing_is_worked_out_ahead_for_targeted_plans() -> None:
    config = config_of(2)
    provider = SlowRefresh(expected=0)
    state = applied_with(provider, config)
    build_plan(config, state, provider, PlanOptions(targets=(A("fake_pool.p0"),)))
    assert "plan-ahead" not in {thread for _, thread in provider.threads}


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=10)


def test_resources_are_canonicalised_ahead_by_dependency_level() -> None:
    """Listed dependents first (a virtual service before its pool, as a cluster lists them):
    the helper still does every pool before any virtual service that depends on one."""
    n = 4
    config = Configuration(resources=tuple(
        r for i in range(n) for r in (
            ResourceConfig(A(f"fake_vs.v{i}"), {"name": f"vs-{i}", "port": 80},
                           depends_on=(A(f"fake_pool.p{i}"),)),
            res(f"fake_pool.p{i}", name=f"pool-{i}"))))
    provider = SlowRefresh(expected=2 * n)
    state = applied_with(provider, config)
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    assert {c.action for c in plan.changes} == {Action.NOOP}
    ahead = [name for name, thread in provider.threads if thread == "plan-ahead"]
    assert ahead == [f"pool-{i}" for i in range(n)] + [f"vs-{i}" for i in range(n)]


def test_the_dependency_graph_is_built_once_per_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []

    def counted(resources: Sequence[ResourceConfig]) -> planning_graph.ConfigGraph:
        built.append(len(resources))
        return config_graph(resources)

    monkeypatch.setattr(planning, "config_graph", counted)
    monkeypatch.setattr(planning_ahead, "config_graph", counted)
    config = Configuration(resources=(*config_of(2).resources,
                                      res("fake_vs.lost", name="lost",
                                          pool_ref=pool_ref("fake_pool.nowhere"))))
    provider = SlowRefresh(expected=0)
    state = applied_with(provider, config_of(2))
    built.clear()
    _, diags = build_plan(config, state, provider)
    assert built == [5]
    errors = [(d.summary, str(d.address)) for d in diags if d.is_error]
    assert errors == [("Reference to undeclared resource", "fake_vs.lost")]
    # Without the helper (a targeted plan) the planner builds it.
    built.clear()
    build_plan(config, state, provider, PlanOptions(targets=(A("fake_pool.p0"),)))
    assert built == [5]


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=10)


def _referring(attrs: dict[str, Any]) -> bool:
    return 0 in config_graph([ResourceConfig(A("fake_pool.p"), attrs)]).referring


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=4), values, max_size=4), st.data())
def test_a_deferred_at_any_depth_makes_a_resource_referring(attrs: dict[str, Any],
                                                            data: st.DataObject) -> None:
    assert not _referring(attrs)
    deferred = pool_ref("fake_pool.p0")
    path = data.draw(st.lists(st.sampled_from(["list", "dict"]), max_size=4))
    value: Any = deferred
    for kind in path:
        value = [1, value] if kind == "list" else {"k": value}
    assert _referring({**attrs, "x": value})


def _described(plan: Any, diags: Any) -> Any:
    return ([(c.address, c.action, c.before, c.after, c.reason) for c in plan.changes],
            [(d.summary, d.detail, d.address) for d in diags])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(
    ["servers", "name", "gone", "vs-port", "vs-gone"])), max_size=4))
def test_guessed_references_plan_as_the_planner_alone(
        edits: list[tuple[int, str]]) -> None:
    config = config_of(4)
    provider = SlowRefresh(expected=8)
    state = applied_with(provider, config)
    by = state.by_address()
    for i, edit in edits:
        pool_uuid = by[A(f"fake_pool.p{i}")].attributes["uuid"]
        vs_uuid = by[A(f"fake_vs.v{i}")].attributes["uuid"]
        pool = provider._objects["fake_pool"].get(pool_uuid)
        vs = provider._objects["fake_vs"].get(vs_uuid)
        if edit == "servers" and pool is not None:
            pool["servers"] = [{"ip": "10.9.9.9", "port": 81}]
        elif edit == "name" and pool is not None:
            pool["name"] = f"renamed-{i}"
        elif edit == "gone" and pool is not None and vs is None:
            provider._objects["fake_pool"].pop(pool_uuid)
        elif edit == "vs-port" and vs is not None:
            vs["port"] = 81
        elif edit == "vs-gone" and vs is not None:
            provider._objects["fake_vs"].pop(vs_uuid)
    ahead = _described(*build_plan(config, state, provider))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planning, "_plans_all", lambda options: False)  # nothing ahead
        provider.refreshing = False
        alone = _described(*build_plan(config, state, provider))
    assert ahead == alone


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=12).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, max(n - 1, 0)),
                                   st.integers(0, max(n - 1, 0))), max_size=3 * n),
    st.permutations(range(n)))))
def test_by_level_puts_every_resource_after_its_dependencies(
        case: tuple[int, list[tuple[int, int]], list[int]]) -> None:
    n, edges, listed = case
    # Edges from a later to an earlier number: acyclic whatever order they are listed in.
    depends = {i: {min(a, b) for a, b in edges if max(a, b) == i and a != b} for i in range(n)}
    resources = [ResourceConfig(A(f"fake_pool.p{i}"), {"name": f"p{i}"},
                                depends_on=tuple(A(f"fake_pool.p{j}") for j in depends[i]))
                 for i in listed]
    graph = config_graph(resources)
    levels = graph.by_level()
    assert sorted(levels) == list(range(n))
    place = {resources[position].address: k for k, position in enumerate(levels)}
    for r in resources:
        assert all(place[d] < place[r.address] for d in r.depends_on)
    # Level by level: the longest chain of dependencies below each never decreases.
    height: dict[int, int] = {}
    for i in sorted(depends):
        height[i] = 1 + max((height[j] for j in depends[i]), default=-1)
    seen = [height[int(str(resources[position].address.name)[1:])] for position in levels]
    assert seen == sorted(seen)


@pytest.mark.parametrize("where", ["graph", "guesses"])
def test_a_helper_that_fails_leaves_the_work_to_the_planner_and_prints_nothing(
        where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception on the helper thread outside ``canonicalize`` (whose failures are kept
    per resource): no uncaught thread exception (Python would print its traceback), and the
    plan is the planner's own."""
    config = config_of(3)
    provider = SlowRefresh(expected=0)
    state = applied_with(provider, config)
    if where == "graph":
        def broken(*args: Any) -> Any:
            raise RuntimeError("the helper's graph failed")
        monkeypatch.setattr(planning_ahead, "config_graph", broken)
    else:
        def no_guesses(self: Any) -> Any:
            raise RuntimeError("the state's guesses failed")
        real_init = planning_ahead.DesiredAhead.__init__

        def init(self: Any, provider: Any, resources: Any, guesses: Any = None,
                 verdicts: Any = None) -> None:
            real_init(self, provider, resources, lambda: no_guesses(self), verdicts)
        monkeypatch.setattr(planning_ahead.DesiredAhead, "__init__", init)
    uncaught: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", uncaught.append)
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    assert {c.action for c in plan.changes} == {Action.NOOP}
    assert uncaught == []
    assert {n for n, t in provider.threads if t == "MainThread"} >= \
        ({"vs-0", "vs-1", "vs-2"} if where == "guesses" else
         {"pool-0", "vs-0", "pool-1", "vs-1", "pool-2", "vs-2"})
