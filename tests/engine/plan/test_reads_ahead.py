"""The refresh's reads started ahead (engine/planning_refresh.ReadsAhead): a plan made with
them is the plan made without them — same changes, drift, refreshed state and diagnostics —
whatever happened between the early reads and the plan (instances moved, objects to read in
full, a type whose early read failed), and the refresh asks again exactly what the early
reads could not answer."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albform.engine.changes import Plan, PlanOptions
from albform.engine.config import Configuration, MovedBlock
from albform.engine.diagnostics import Diagnostics
from albform.engine.hooks import NullHook
from albform.engine.planning import build_plan
from albform.engine.planning_refresh import ReadsAhead, refresh
from albform.engine.provider import ReadManyResult, ReadRequest, ReadResult
from albform.engine.state.model import State
from albform.engine.testing.fake_provider import FakeProvider

sys.path.insert(0, str(Path(__file__).parent))
from plan_helpers import A, apply_changes, pool_ref, res

POOLS, SERVICES = 4, 3


class MarkingProvider(FakeProvider):
    """A FakeProvider with read marks: an object's mark is a digest of it as stored; a
    request carrying the current mark is answered ``unchanged``. Records every request of
    every ``read_many`` (type, name, mark)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[list[tuple[str, Any, str | None]]] = []

    def read_many(self, requests: Sequence[ReadRequest]) -> ReadManyResult:
        self.asked.append([(r.type_name, r.attributes.get("name"), r.mark) for r in requests])
        read = super().read_many(requests).results
        results: dict[object, ReadResult] = {}
        for r in requests:
            found = read[r.key]
            if found.attributes is None:
                results[r.key] = found
                continue
            mark = hashlib.sha256(json.dumps(found.attributes, sort_keys=True,
                                             default=str).encode()).hexdigest()[:12]
            results[r.key] = ReadResult(r.attributes, mark=mark, unchanged=True) \
                if r.mark == mark else ReadResult(found.attributes, mark=mark)
        return ReadManyResult(results, api_calls=len({r.type_name for r in requests}))


def configuration(moved: frozenset[int] = frozenset()) -> Configuration:
    """Pools and services referring to them; the pools in ``moved`` are renamed q<i> by
    ``moved`` blocks."""
    pools = [res(f"fake_pool.{'q' if i in moved else 'p'}{i}", name=f"pool-{i}",
                 servers=[{"ip": f"10.0.0.{i}", "port": 80}]) for i in range(POOLS)]
    services = [res(f"fake_vs.v{i}", name=f"vs-{i}", port=80,
                    pool_ref=pool_ref(f"fake_pool.{'q' if i in moved else 'p'}{i}"))
                for i in range(SERVICES)]
    return Configuration(resources=(*pools, *services), moved=tuple(
        MovedBlock(A(f"fake_pool.p{i}"), A(f"fake_pool.q{i}")) for i in sorted(moved)))


def marked_state(provider: MarkingProvider) -> State:
    """The configuration applied, then refreshed once: every object carries its mark."""
    config = configuration()
    plan, diags = build_plan(config, State(), provider)
    assert not diags.has_errors(), diags
    state = apply_changes(plan, provider)
    refreshed, diags = refresh(state, provider, NullHook(), 4)
    assert not diags.has_errors(), diags
    assert all(r.mark for r in refreshed.resources)
    provider.asked.clear()
    return refreshed


def shown(plan: Plan, diags: Diagnostics) -> Any:
    """What a plan says, without its timestamp."""
    return ([(str(c.address), c.action, c.before, c.after, c.previous_address)
             for c in plan.changes],
            [(str(c.address), c.action, c.before, c.after) for c in plan.drift],
            [(str(r.address), r.attributes, r.mark) for r in plan.prior_state.resources],
            [(d.summary, d.detail, str(d.address)) for d in diags])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited=st.sets(st.integers(0, POOLS - 1)), deleted=st.sets(st.integers(0, POOLS - 1)),
       moved=st.frozensets(st.integers(0, POOLS - 1)), failing=st.booleans(),
       refresh_only=st.booleans())
def test_a_plan_with_reads_ahead_is_the_plan_without(edited: set[int], deleted: set[int],
                                                     moved: frozenset[int], failing: bool,
                                                     refresh_only: bool) -> None:
    plans = []
    first = MarkingProvider()
    state = marked_state(first)  # one applied controller (apply order picks the uuids)
    for use_ahead in (False, True):
        provider = MarkingProvider()
        provider.import_objects(first.export_objects())
        for i in edited - deleted:
            provider.edit_out_of_band("fake_pool", f"pool-{i}", servers=[])
        for i in deleted:
            provider.delete_out_of_band("fake_pool", f"pool-{i}")
        if failing:
            provider.fail("read", type_name="fake_vs", detail="controller down")
        ahead = ReadsAhead(state, provider, 4) if use_ahead else None
        if ahead is not None:
            ahead.answers()
            provider.asked.clear()
        plans.append(shown(*build_plan(configuration(moved), state, provider,
                                       PlanOptions(refresh_only=refresh_only),
                                       reads_ahead=ahead)))
        if use_ahead:
            asked_later = {(t, n) for call in provider.asked for t, n, _ in call}
            # Read again: the moved pools (new state objects) and, when its early read
            # failed, the services (the one type that fails then fails whole again).
            assert asked_later == {("fake_pool", f"pool-{i}") for i in moved} | (
                {("fake_vs", f"vs-{i}") for i in range(SERVICES)} if failing else set())
    assert plans[0] == plans[1]


def test_objects_to_read_in_full_are_asked_again_without_their_marks() -> None:
    provider = MarkingProvider()
    state = marked_state(provider)
    full = {A("fake_pool.p1")}
    ahead = ReadsAhead(state, provider, 4)
    ahead.answers()
    provider.asked.clear()
    with_ahead = refresh(state, provider, NullHook(), 4, full, ahead)
    assert provider.asked == [[("fake_pool", "pool-1", None)]]
    without = refresh(state, provider, NullHook(), 4, full)
    assert with_ahead[0] == without[0]
    assert list(with_ahead[1]) == list(without[1])


def test_answers_for_another_state_object_are_not_used() -> None:
    provider = MarkingProvider()
    state = marked_state(provider)
    ahead = ReadsAhead(state, provider, 4)
    ahead.answers()
    provider.asked.clear()
    # The same content decoded again (a state rewritten meanwhile): nothing is taken.
    copy = state.with_resources(replace(r, attributes=dict(r.attributes))
                                for r in state.resources)
    refreshed, diags = refresh(copy, provider, NullHook(), 4, (), ahead)
    assert not diags.has_errors()
    assert sorted(n for call in provider.asked for _, n, _ in call) == \
        sorted(str(r.attributes["name"]) for r in state.resources)
    assert refreshed == refresh(state, provider, NullHook(), 4)[0]
