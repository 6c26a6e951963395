"""Property: for random configurations and random changes between them, planning with the
real ``build_plan`` and applying converges: the next plan is empty, and the state is exactly
what exists on the (fake) controller.

Force-new attributes of objects that others refer to are fixed per address: a
delete-then-create replacement of a referenced object cannot succeed on Avi (the controller
refuses to delete it while referred to), in albform as in Terraform; that case is covered by
create_before_destroy in ``test_apply_order``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.apply import apply_plan
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, Lifecycle, ResourceConfig
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.engine.testing import FakeProvider, ref_url
from albform.engine.testing.plans import RecordingPersist, ref, res
from albform.engine.values import UNKNOWN

IPS = [f"10.0.0.{i}" for i in range(1, 6)]


@st.composite
def configurations(draw: st.DrawFn, generation: int = 0,
                   refs_always_set: bool = False) -> Configuration:
    """Monitors, pools and virtual services referring to each other. With ``generation``
    > 0, monitors and pools are create_before_destroy and their names carry the generation
    (Avi names are unique, so a replacement created first needs a new name)."""
    resources: list[ResourceConfig] = []
    suffix = f"-g{generation}" if generation else ""
    cbd = Lifecycle(create_before_destroy=bool(generation))
    hms = draw(st.lists(st.booleans(), max_size=3))
    for i, present in enumerate(hms):
        if present:
            resources.append(res(f"fake_healthmonitor.h{i}", cbd, name=f"hm{i}{suffix}",
                                 type=("HTTP", "TCP")[i % 2],
                                 send_interval=draw(st.sampled_from([None, 5, 10, 30]))))
    hm_names = [f"fake_healthmonitor.h{i}" for i, present in enumerate(hms) if present]
    pools = draw(st.lists(st.booleans(), max_size=4))
    for i, present in enumerate(pools):
        if not present:
            continue
        attrs: dict[str, Any] = {"name": f"pool{i}{suffix}"}
        servers = draw(st.lists(st.sampled_from(IPS), unique=True, max_size=3))
        if servers or draw(st.booleans()):
            attrs["servers"] = [{"ip": ip, **({"port": 8080} if n % 2 else {})}
                                for n, ip in enumerate(servers)]
        algo = draw(st.sampled_from([None, "LB_ALGORITHM_ROUND_ROBIN",
                                     "LB_ALGORITHM_LEAST_CONNECTIONS"]))
        if algo:
            attrs["lb_algorithm"] = algo
        # Unset means "leave as is" (unless the referenced object goes: then the planner
        # unsets it), so this also covers references kept only on the controller.
        if refs_always_set or draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(hm_names), unique=True, max_size=2)) \
                if hm_names else []
            attrs["health_monitor_refs"] = [ref(h) for h in chosen]
        resources.append(res(f"fake_pool.p{i}", cbd, **attrs))
    pool_names = [f"fake_pool.p{i}" for i, present in enumerate(pools) if present]
    for i in range(draw(st.integers(0, 4))):
        attrs = {"name": f"vs{i}", "port": draw(st.sampled_from([80, 443])),
                 "type": draw(st.sampled_from(["VS_TYPE_NORMAL", "VS_TYPE_VH_PARENT"]))}
        if pool_names and (refs_always_set or draw(st.booleans())):
            attrs["pool_ref"] = ref(draw(st.sampled_from(pool_names)))
        resources.append(res(f"fake_vs.v{i}", **attrs))
    return Configuration(resources=tuple(resources))


def plan_and_apply(config: Configuration, state: State, p: FakeProvider,
                   parallelism: int, replace: tuple[ResourceAddress, ...] = ()) -> State:
    plan, diags = build_plan(config, state, p, PlanOptions(max_delete_fraction=None,
                                                           replace=replace))
    assert not diags.has_errors(), diags
    outcome = apply_plan(plan, p, RecordingPersist(), parallelism=parallelism)
    assert not outcome.diagnostics, [str(d) for d in outcome.diagnostics]
    return outcome.state


def assert_converged(config: Configuration, state: State, p: FakeProvider) -> None:
    again, diags = build_plan(config, state, p, PlanOptions(max_delete_fraction=None))
    assert not diags.has_errors(), diags
    pending = [(str(c.address), c.action.value, c.attribute_changes) for c in again.changes
               if c.action is not Action.NOOP]
    assert pending == []
    live = {o["uuid"]: o for o in p.objects()}
    assert {r.attributes["uuid"]: dict(r.attributes) for r in state.resources} == live
    assert {str(r.address) for r in state.resources} == {str(r.address)
                                                         for r in config.resources}


@settings(max_examples=60)
@given(configurations(), configurations(), st.sampled_from([1, 3, 8]))
def test_apply_then_plan_is_empty(first: Configuration, second: Configuration,
                                  parallelism: int) -> None:
    p = FakeProvider()
    state = plan_and_apply(first, State(), p, parallelism)
    assert_converged(first, state, p)
    state = plan_and_apply(second, state, p, parallelism)
    assert_converged(second, state, p)
    state = plan_and_apply(Configuration(), state, p, parallelism)
    assert state.resources == () and p.objects() == []



@settings(max_examples=60)
@given(configurations(), configurations(generation=1, refs_always_set=True), st.data(),
       st.sampled_from([1, 4]))
def test_create_before_destroy_replacements_converge(
        first: Configuration, second: Configuration, data: st.DataObject,
        parallelism: int) -> None:
    # Replace (-replace) a random set of monitors and pools, created first under new names,
    # while whatever refers to them moves over and the old objects go last. References are
    # always configured here: see test_unset_reference_to_replaced_object.
    p = FakeProvider()
    state = plan_and_apply(first, State(), p, parallelism)
    both = sorted({r.address for r in first.resources} & {r.address for r in second.resources}
                  - {r.address for r in second.resources if r.type == "fake_vs"})
    replace = tuple(data.draw(st.lists(st.sampled_from(both), unique=True)) if both else [])
    state = plan_and_apply(second, state, p, parallelism, replace)
    assert_converged(second, state, p)



REF_ATTRIBUTES = ("pool_ref", "health_monitor_refs")


@st.composite
def without_some_refs(draw: st.DrawFn, config: Configuration,
                      generation: int) -> Configuration:
    """``config`` with some of its configured refs no longer set (the objects keep them on
    the controller); with ``generation`` > 0 monitors and pools become create_before_destroy
    under new names, as in ``configurations``."""
    out: list[ResourceConfig] = []
    for rc in config.resources:
        attrs = {k: v for k, v in rc.attributes.items()
                 if k not in REF_ATTRIBUTES or draw(st.booleans())}
        if generation and rc.type != "fake_vs":
            attrs["name"] = f"{attrs['name']}-g{generation}"
            rc = dataclasses.replace(rc, lifecycle=Lifecycle(create_before_destroy=True))
        out.append(dataclasses.replace(rc, attributes=attrs))
    return Configuration(resources=tuple(out))


@settings(max_examples=60)
@given(configurations(refs_always_set=True), st.sampled_from([0, 1]), st.data(),
       st.sampled_from([1, 4]))
def test_replacements_with_unconfigured_references_converge(
        first: Configuration, generation: int, data: st.DataObject, parallelism: int) -> None:
    # The second configuration stops setting some refs, so objects keep refs the
    # configuration no longer sets (controller-only) to objects being replaced. The
    # FakeProvider refuses to delete a referenced object (409) and to store a ref to a
    # missing one (400), so the apply succeeds only if every such ref is dropped first.
    # Delete-first replacements (generation 0) are requested only for objects no
    # configuration refers to: a configured ref cannot be re-pointed before the old object
    # goes (see the module docstring).
    second = data.draw(without_some_refs(first, generation))
    p = FakeProvider()
    state = plan_and_apply(first, State(), p, parallelism)
    both = {r.address for r in second.resources if r.type != "fake_vs"}
    if not generation:
        both -= {d for r in second.resources for d in r.dependencies()}
    candidates = sorted(both, key=lambda a: a.sort_key())
    replaced = data.draw(st.lists(st.sampled_from(candidates), unique=True)) \
        if candidates else []
    old_uuids = {state.by_address()[a].attributes["uuid"] for a in replaced}
    state = plan_and_apply(second, state, p, parallelism, tuple(replaced))
    assert_converged(second, state, p)
    assert old_uuids.isdisjoint(o["uuid"] for o in p.objects())

def test_unset_reference_to_deleted_object_is_dropped_before_the_delete() -> None:
    # The planner turns the pool into an update unsetting the ref (the configuration no
    # longer sets it); apply must send that, then delete the monitor.
    p = FakeProvider()
    first = Configuration(resources=(
        res("fake_healthmonitor.h", name="hm", type="HTTP"),
        res("fake_pool.p", name="pool", health_monitor_refs=[ref("fake_healthmonitor.h")])))
    state = plan_and_apply(first, State(), p, 1)
    second = Configuration(resources=(res("fake_pool.p", name="pool"),))
    state = plan_and_apply(second, state, p, 1)
    assert p.get("fake_pool", "pool")["health_monitor_refs"] == []  # type: ignore[index]
    assert_converged(second, state, p)


def test_refused_delete_of_referenced_object_explains_the_way_out() -> None:
    p = FakeProvider()
    state = plan_and_apply(Configuration(resources=(res("fake_pool.p", name="pool"),)),
                           State(), p, 1)
    pool = p.get("fake_pool", "pool")
    assert pool is not None
    # Someone attached a virtual service by hand: albform does not manage it.
    p.create("fake_vs", {"name": "manual", "pool_ref": ref_url("fake_pool", pool["uuid"])})
    plan, _ = build_plan(Configuration(), state, p, PlanOptions(max_delete_fraction=None))
    outcome = apply_plan(plan, p, RecordingPersist())
    (diag,) = outcome.diagnostics
    assert diag.summary == "Failed to delete object" and "HTTP 409" in diag.detail
    assert "fake_vs:manual" in diag.detail and "remove those references" in diag.detail
    assert [str(r.address) for r in outcome.state.resources] == ["fake_pool.p"]


def test_reference_kept_only_on_the_controller_still_orders_deletes() -> None:
    # The configuration stops setting the ref (so it stays on the object) while the pool is
    # updated for another reason; a later destroy must still delete the pool first.
    p = FakeProvider()
    hm = res("fake_healthmonitor.h", name="hm", type="HTTP")
    first = Configuration(resources=(
        hm, res("fake_pool.p", name="pool", health_monitor_refs=[ref("fake_healthmonitor.h")])))
    state = plan_and_apply(first, State(), p, 1)
    second = Configuration(resources=(hm, res("fake_pool.p", name="pool",
                                              servers=[{"ip": "10.0.0.1"}])))
    state = plan_and_apply(second, state, p, 1)
    pool = state.by_address()[ResourceAddress.parse("fake_pool.p")]
    assert pool.attributes["health_monitor_refs"] and pool.dependencies == (
        ResourceAddress.parse("fake_healthmonitor.h"),)
    state = plan_and_apply(Configuration(), state, p, 1)
    assert state.resources == () and p.objects() == []



@pytest.mark.parametrize("cbd", [True, False], ids=["create_before_destroy", "delete_first"])
def test_unset_reference_to_replaced_object(cbd: bool) -> None:
    # The VS's configuration stops setting pool_ref while the pool is replaced: the ref is
    # not the configuration's to re-point at the new pool, so the planner unsets it (an
    # update run before the old pool's delete, which the controller would refuse otherwise).
    p = FakeProvider()
    first = Configuration(resources=(
        res("fake_pool.p", name="pool"), res("fake_vs.v", name="vs", pool_ref=ref("fake_pool.p"))))
    state = plan_and_apply(first, State(), p, 1)
    old_uuid = p.get("fake_pool", "pool")["uuid"]  # type: ignore[index]
    second = Configuration(resources=(
        res("fake_pool.p", Lifecycle(create_before_destroy=cbd),
            name="pool-2" if cbd else "pool"),
        res("fake_vs.v", name="vs")))
    replace = (ResourceAddress.parse("fake_pool.p"),)
    plan, _ = build_plan(second, state, p, PlanOptions(replace=replace))
    actions = {str(c.address): c for c in plan.changes}
    assert actions["fake_pool.p"].action is (
        Action.CREATE_THEN_DELETE if cbd else Action.DELETE_THEN_CREATE)
    vs = actions["fake_vs.v"]
    assert vs.action is Action.UPDATE and vs.after is not None
    assert vs.after["pool_ref"] is None
    assert [(c.path, c.before, c.after) for c in vs.attribute_changes] == [
        (("pool_ref",), ref_url("fake_pool", old_uuid), None)]
    state = plan_and_apply(second, state, p, 1, replace)
    assert "pool_ref" not in p.get("fake_vs", "vs")  # type: ignore[operator]
    assert p.get("fake_pool", "pool-2" if cbd else "pool")["uuid"] != old_uuid  # type: ignore[index]
    assert_converged(second, state, p)


def test_configured_reference_to_replaced_object_moves_to_the_new_object() -> None:
    # The other half of the rule: where the configuration does refer to the pool, the VS is
    # planned onto the new object (unknown until apply), never unset.
    p = FakeProvider()
    first = Configuration(resources=(
        res("fake_pool.p", name="pool"), res("fake_vs.v", name="vs", pool_ref=ref("fake_pool.p"))))
    state = plan_and_apply(first, State(), p, 1)
    second = Configuration(resources=(
        res("fake_pool.p", Lifecycle(create_before_destroy=True), name="pool-2"),
        res("fake_vs.v", name="vs", pool_ref=ref("fake_pool.p"))))
    replace = (ResourceAddress.parse("fake_pool.p"),)
    plan, _ = build_plan(second, state, p, PlanOptions(replace=replace))
    vs = next(c for c in plan.changes if str(c.address) == "fake_vs.v")
    assert vs.action is Action.UPDATE and vs.after is not None
    assert vs.after["pool_ref"] is UNKNOWN
    state = plan_and_apply(second, state, p, 1, replace)
    new_pool = p.get("fake_pool", "pool-2")
    assert new_pool is not None and p.get("fake_pool", "pool") is None
    assert p.get("fake_vs", "vs")["pool_ref"] == ref_url("fake_pool", new_pool["uuid"])  # type: ignore[index]
    assert_converged(second, state, p)


def test_unset_reference_to_leftover_deposed_object() -> None:
    # An apply died after creating the replacement pool: the old one stays deposed and the
    # VS (its ref no longer configured) still points at it. The next plan unsets the ref
    # and deletes the deposed pool after that.
    p = FakeProvider()
    first = Configuration(resources=(
        res("fake_pool.p", name="pool"), res("fake_vs.v", name="vs", pool_ref=ref("fake_pool.p"))))
    state = plan_and_apply(first, State(), p, 1)
    second = Configuration(resources=(
        res("fake_pool.p", Lifecycle(create_before_destroy=True), name="pool-2"),
        res("fake_vs.v", name="vs", pool_ref=ref("fake_pool.p"))))
    p.fail("delete", type_name="fake_pool", name="pool")
    plan, _ = build_plan(second, state, p, PlanOptions(
        replace=(ResourceAddress.parse("fake_pool.p"),)))
    outcome = apply_plan(plan, p, RecordingPersist(), parallelism=1)
    assert outcome.diagnostics[0].summary == "Failed to delete the replaced object"
    assert len(outcome.state.deposed) == 1
    # The VS was moved to the new pool; point it back at the old one by hand, as if the
    # apply had died before that update, and stop configuring the ref.
    old = outcome.state.deposed[0].attributes
    p.edit_out_of_band("fake_vs", "vs", pool_ref=ref_url("fake_pool", old["uuid"]))
    p.clear_faults()
    third = Configuration(resources=(
        res("fake_pool.p", Lifecycle(create_before_destroy=True), name="pool-2"),
        res("fake_vs.v", name="vs")))
    state = plan_and_apply(third, outcome.state, p, 1)
    assert p.get("fake_pool", "pool") is None and state.deposed == ()
    assert_converged(third, state, p)


@pytest.mark.parametrize("cbd", [True, False], ids=["create_before_destroy", "delete_first"])
def test_unset_reference_added_out_of_band_to_replaced_object(cbd: bool) -> None:
    p = FakeProvider()
    first = Configuration(resources=(res("fake_pool.p", name="pool"),
                                     res("fake_vs.v", name="vs")))
    state = plan_and_apply(first, State(), p, 1)
    pool = p.get("fake_pool", "pool")
    assert pool is not None
    p.edit_out_of_band("fake_vs", "vs", pool_ref=ref_url("fake_pool", pool["uuid"]))
    second = Configuration(resources=(
        res("fake_pool.p", Lifecycle(create_before_destroy=cbd),
            name="pool-2" if cbd else "pool"),
        res("fake_vs.v", name="vs")))
    state = plan_and_apply(second, state, p, 1, (ResourceAddress.parse("fake_pool.p"),))
    assert_converged(second, state, p)
