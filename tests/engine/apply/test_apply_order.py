"""Apply ordering against the FakeProvider, which refuses what a controller refuses: refs to
missing objects, deleting a referenced object, duplicate names, in-place force_new changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from albform.engine.apply import apply_plan
from albform.engine.changes import Action
from albform.engine.config import Lifecycle
from albform.engine.testing import FakeProvider, ref_url
from albform.engine.testing.plans import (
    RecordingPersist,
    addr,
    make_plan,
    ref,
    res,
    state_of,
)


def ops(p: FakeProvider) -> list[tuple[str, str, object]]:
    return [(c.operation, c.type_name, c.name) for c in p.call_log
            if c.operation in ("create", "update", "delete")]


def seed(p: FakeProvider) -> tuple[dict[str, object], dict[str, object]]:
    """A pool and a VS using it, on the controller; returns their attributes."""
    pool = dict(p.create("fake_pool", {"name": "web"}).attributes)
    vs = dict(p.create("fake_vs", {"name": "vs", "pool_ref": ref_url("fake_pool",
                                                                    str(pool["uuid"]))}
                       ).attributes)
    p.reset_calls()
    return pool, vs


@pytest.mark.parametrize("parallelism", [1, 4])
def test_create_flows_uuid_into_dependent(parallelism: int) -> None:
    p = FakeProvider()
    persist = RecordingPersist()
    plan = make_plan(
        [res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web")),
         res("fake_pool.web", name="web", servers=[{"ip": "10.0.0.1"}])],
        {"fake_vs.web": Action.CREATE, "fake_pool.web": Action.CREATE})
    out = apply_plan(plan, p, persist, parallelism=parallelism)

    assert not out.diagnostics, out.diagnostics
    assert out.applied == 2 and out.summary.add == 2
    pool = p.get("fake_pool", "web")
    vs = p.get("fake_vs", "vs")
    assert pool is not None and vs is not None
    assert vs["pool_ref"] == ref_url("fake_pool", pool["uuid"])
    assert ops(p) == [("create", "fake_pool", "web"), ("create", "fake_vs", "vs")]
    stored = out.state.by_address()
    assert stored[addr("fake_vs.web")].attributes == vs
    assert stored[addr("fake_vs.web")].dependencies == (addr("fake_pool.web"),)
    assert out.state.by_address() == persist.states[-1].by_address()
    assert out.state.serial == plan.prior_state.serial + len(persist.states)


def test_delete_runs_dependents_first() -> None:
    p = FakeProvider()
    pool, vs = seed(p)
    prior = state_of(("fake_pool.web", pool, ()), ("fake_vs.web", vs, ("fake_pool.web",)))
    plan = make_plan([], {"fake_pool.web": Action.DELETE, "fake_vs.web": Action.DELETE}, prior)
    out = apply_plan(plan, p, RecordingPersist(), parallelism=4)
    assert not out.diagnostics, out.diagnostics
    assert ops(p) == [("delete", "fake_vs", "vs"), ("delete", "fake_pool", "web")]
    assert out.state.resources == () and out.summary.destroy == 2


def test_delete_waits_for_update_that_drops_the_reference() -> None:
    p = FakeProvider()
    pool, vs = seed(p)
    prior = state_of(("fake_pool.web", pool, ()), ("fake_vs.web", vs, ("fake_pool.web",)))
    plan = make_plan(
        [res("fake_pool.v2", name="web-v2"),
         res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.v2"))],
        {"fake_pool.web": Action.DELETE, "fake_pool.v2": Action.CREATE,
         "fake_vs.web": Action.UPDATE}, prior)
    out = apply_plan(plan, p, RecordingPersist(), parallelism=4)
    assert not out.diagnostics, out.diagnostics
    assert ops(p) == [("create", "fake_pool", "web-v2"), ("update", "fake_vs", "vs"),
                      ("delete", "fake_pool", "web")]
    new_vs = out.state.by_address()[addr("fake_vs.web")]
    assert new_vs.attributes["uuid"] == vs["uuid"]  # updated in place
    assert new_vs.dependencies == (addr("fake_pool.v2"),)
    assert out.summary.add == 1 and out.summary.change == 1 and out.summary.destroy == 1


def test_delete_then_create_replacement() -> None:
    p = FakeProvider()
    _, vs = seed(p)
    p.delete("fake_vs", vs)
    old = dict(p.create("fake_vs", {"name": "vs"}).attributes)
    p.reset_calls()
    prior = state_of(("fake_vs.web", old, ()))
    plan = make_plan([res("fake_vs.web", name="vs", type="VS_TYPE_VH_PARENT")],
                     {"fake_vs.web": Action.DELETE_THEN_CREATE}, prior)
    out = apply_plan(plan, p, RecordingPersist())
    assert not out.diagnostics, out.diagnostics
    assert ops(p) == [("delete", "fake_vs", "vs"), ("create", "fake_vs", "vs")]
    new = out.state.by_address()[addr("fake_vs.web")].attributes
    assert new["type"] == "VS_TYPE_VH_PARENT" and new["uuid"] != old["uuid"]
    assert out.summary.add == 1 and out.summary.destroy == 1


def test_create_before_destroy_moves_dependents_first() -> None:
    p = FakeProvider()
    pool, vs = seed(p)
    prior = state_of(("fake_pool.web", pool, ()), ("fake_vs.web", vs, ("fake_pool.web",)))
    cbd = Lifecycle(create_before_destroy=True)
    # Avi names are unique, so the replacement gets a new name (a name_prefix pattern).
    plan = make_plan(
        [res("fake_pool.web", lifecycle=cbd, name="web-2"),
         res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web"))],
        {"fake_pool.web": Action.CREATE_THEN_DELETE, "fake_vs.web": Action.UPDATE}, prior)
    persist = RecordingPersist()
    out = apply_plan(plan, p, persist, parallelism=4)
    assert not out.diagnostics, out.diagnostics
    assert ops(p) == [("create", "fake_pool", "web-2"), ("update", "fake_vs", "vs"),
                      ("delete", "fake_pool", "web")]
    new_pool = p.get("fake_pool", "web-2")
    assert new_pool is not None
    assert p.get("fake_vs", "vs") == {**vs, "pool_ref": ref_url("fake_pool", new_pool["uuid"])}
    assert out.state.by_address()[addr("fake_pool.web")].create_before_destroy
    # Every write holds the old object (current, or deposed while it is replaced) until the
    # write after its delete, which holds only the new one.
    names = [{r.attributes["name"] for r in (*s.resources, *s.deposed)
              if r.address == addr("fake_pool.web")} for s in persist.states]
    assert names[-1] == {"web-2"} and all("web" in n for n in names[:-1]), names


def test_failed_cbd_delete_reports_the_object_left_behind() -> None:
    p = FakeProvider()
    pool = dict(p.create("fake_pool", {"name": "web"}).attributes)
    p.fail("delete", name="web", status=500, detail="controller busy")
    plan = make_plan([res("fake_pool.web", lifecycle=Lifecycle(create_before_destroy=True),
                          name="web-2")],
                     {"fake_pool.web": Action.CREATE_THEN_DELETE},
                     state_of(("fake_pool.web", pool, ())))
    out = apply_plan(plan, p, RecordingPersist())
    summaries = [d.summary for d in out.diagnostics]
    assert summaries == ["Failed to delete the replaced object", "Replaced object left behind"]
    assert str(pool["uuid"]) in out.diagnostics[1].detail
    assert out.state.by_address()[addr("fake_pool.web")].attributes["name"] == "web-2"
    # Not forgotten: the old object stays in the state, deposed, for the next apply.
    assert [r.attributes["uuid"] for r in out.state.deposed] == [pool["uuid"]]


def test_create_waits_for_delete_of_same_avi_name() -> None:
    # The resource moved address without a moved block: same name on the controller.
    p = FakeProvider()
    pool = dict(p.create("fake_pool", {"name": "web"}).attributes)
    p.reset_calls()
    plan = make_plan([res("fake_pool.renamed", name="web")],
                     {"fake_pool.renamed": Action.CREATE, "fake_pool.web": Action.DELETE},
                     state_of(("fake_pool.web", pool, ())))
    out = apply_plan(plan, p, RecordingPersist(), parallelism=4)
    assert not out.diagnostics, out.diagnostics
    assert ops(p) == [("delete", "fake_pool", "web"), ("create", "fake_pool", "web")]


def test_moved_address_is_renamed_in_state() -> None:
    from albform.engine.changes import ResourceChange

    p = FakeProvider()
    pool = dict(p.create("fake_pool", {"name": "web"}).attributes)
    plan = make_plan([res("fake_pool.new", name="web")], {},
                     state_of(("fake_pool.old", pool, ())))
    moved = ResourceChange(addr("fake_pool.new"), Action.NOOP, pool, pool,
                           previous_address=addr("fake_pool.old"))
    plan = replace(plan, changes=(moved,))
    persist = RecordingPersist()
    out = apply_plan(plan, p, persist)
    assert [r.address for r in out.state.resources] == [addr("fake_pool.new")]
    assert len(persist.states) == 1 and p.calls["update"] == 0


def test_update_keeps_ignored_attributes_and_unset_values() -> None:
    p = FakeProvider()
    pool = dict(p.create("fake_pool", {"name": "web", "description": "by hand",
                                       "lb_algorithm": "LB_ALGORITHM_ROUND_ROBIN"}).attributes)
    plan = make_plan([res("fake_pool.web", lifecycle=Lifecycle(ignore_changes=(("description",),)),
                          name="web", description="from config",
                          servers=[{"ip": "10.0.0.9"}])],
                     {"fake_pool.web": Action.UPDATE}, state_of(("fake_pool.web", pool, ())))
    out = apply_plan(plan, p, RecordingPersist())
    assert not out.diagnostics
    now = p.get("fake_pool", "web")
    assert now is not None
    assert now["description"] == "by hand"  # ignore_changes
    assert now["lb_algorithm"] == "LB_ALGORITHM_ROUND_ROBIN"  # unset in config: left alone
    assert now["servers"] == [{"ip": "10.0.0.9", "port": 80, "enabled": True}]


def test_data_source_read_at_apply_feeds_dependents() -> None:
    p = FakeProvider()
    plan = make_plan([res("data.fake_cloud.default", name="Default-Cloud"),
                      res("fake_pool.web", name="web", description=ref("data.fake_cloud.default"))],
                     {"data.fake_cloud.default": Action.READ, "fake_pool.web": Action.CREATE})
    out = apply_plan(plan, p, RecordingPersist())
    assert not out.diagnostics, out.diagnostics
    assert p.get("fake_pool", "web") is not None
    assert p.get("fake_pool", "web")["description"] == "cloud-default"  # type: ignore[index]
    # Data sources are read afresh by every plan; the apply keeps them out of state.
    assert [str(r.address) for r in out.state.resources] == ["fake_pool.web"]


def test_failed_data_source_read_skips_dependents() -> None:
    p = FakeProvider()
    plan = make_plan([res("data.fake_cloud.default", name="No-Such-Cloud"),
                      res("fake_pool.web", name="web", description=ref("data.fake_cloud.default"))],
                     {"data.fake_cloud.default": Action.READ, "fake_pool.web": Action.CREATE})
    out = apply_plan(plan, p, RecordingPersist())
    assert [(d.summary, str(d.address)) for d in out.diagnostics] == [
        ("Data source lookup failed", "data.fake_cloud.default")]
    assert "No object of type fake_cloud" in out.diagnostics[0].detail
    assert out.skipped == (addr("fake_pool.web"),) and p.objects() == []


def test_import_records_existing_object() -> None:
    from albform.engine.changes import ResourceChange

    p = FakeProvider()
    pool = dict(p.create("fake_pool", {"name": "web"}).attributes)
    plan = make_plan([res("fake_pool.web", name="web")], {})
    imported = ResourceChange(addr("fake_pool.web"), Action.NOOP, pool, pool,
                              importing_id=str(pool["uuid"]))
    plan = replace(plan, changes=(imported,))
    out = apply_plan(plan, p, RecordingPersist())
    assert not out.diagnostics
    assert out.state.by_address()[addr("fake_pool.web")].attributes == pool
    assert out.summary.imported == 1


def test_errored_plan_is_refused() -> None:
    p = FakeProvider()
    plan = make_plan([res("fake_pool.web", name="web")], {"fake_pool.web": Action.CREATE})
    plan = replace(plan, errored=True)
    persist = RecordingPersist()
    out = apply_plan(plan, p, persist)
    assert [d.summary for d in out.diagnostics] == ["Cannot apply an errored plan"]
    assert p.calls == {} and persist.states == []


def test_refresh_only_apply_persists_the_refreshed_state() -> None:
    p = FakeProvider()
    pool = dict(p.create("fake_pool", {"name": "web"}).attributes)
    stored = state_of(("fake_pool.web", pool, ()), ("fake_pool.gone", {"uuid": "x"}, ()))
    refreshed = stored.with_resources(r for r in stored.resources
                                      if str(r.address) == "fake_pool.web")
    plan = replace(make_plan([], {}, refreshed), prev_run_state=stored)
    persist = RecordingPersist()
    out = apply_plan(plan, p, persist)
    assert [str(r.address) for r in persist.states[-1].resources] == ["fake_pool.web"]
    assert out.state.serial == stored.serial + 1 and not out.diagnostics


def test_nothing_to_do_writes_nothing() -> None:
    p = FakeProvider()
    pool = dict(p.create("fake_pool", {"name": "web"}).attributes)
    prior = state_of(("fake_pool.web", pool, ()))
    persist = RecordingPersist()
    out = apply_plan(make_plan([res("fake_pool.web", name="web")], {}, prior), p, persist)
    assert persist.states == [] and out.state.by_address() == prior.by_address()


def test_value_differing_from_the_plan_is_refused() -> None:
    from albform.engine.changes import ResourceChange
    from albform.engine.values import UNKNOWN

    p = FakeProvider()
    # The plan promised port 80 and an unknown uuid; the configuration now says 443.
    plan = make_plan([res("fake_vs.web", name="vs", port=443),
                      res("fake_vs.ok", name="ok", port="8080")], {})
    plan = replace(plan, changes=(
        ResourceChange(addr("fake_vs.web"), Action.CREATE, None,
                       {"name": "vs", "port": 80, "uuid": UNKNOWN}),
        ResourceChange(addr("fake_vs.ok"), Action.CREATE, None,
                       {"name": "ok", "port": 8080, "uuid": UNKNOWN})))
    out = apply_plan(plan, p, RecordingPersist())
    (diag,) = out.diagnostics
    assert diag.summary == "Inconsistent final plan" and diag.address == addr("fake_vs.web")
    assert "differ from the plan at: port" in diag.detail
    assert p.get("fake_vs", "vs") is None
    assert p.get("fake_vs", "ok") is not None  # "8080" = 8080 under the diff's coercion
