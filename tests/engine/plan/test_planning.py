"""build_plan against the in-memory FakeProvider: actions, reasons, drift, checks."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.changes import Action, Plan, PlanOptions
from albform.engine.config import (
    Configuration,
    ImportBlock,
    Lifecycle,
    MovedBlock,
    OutputConfig,
    ResourceConfig,
)
from albform.engine.hooks import NullHook
from albform.engine.planning import build_plan
from albform.engine.provider import ReadManyResult, ReadRequest
from albform.engine.state.model import OutputState, State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.values import UNKNOWN

sys.path.insert(0, str(Path(__file__).parent))
from plan_helpers import A, apply_changes, naive_apply, pool_ref, ref, res


def actions(plan: Any) -> dict[str, Action]:
    return {str(c.address): c.action for c in plan.changes}


def web_config(**pool: Any) -> Configuration:
    return Configuration(resources=(
        res("fake_pool.web", name="web", servers=[{"ip": "10.0.0.1", "port": 80}], **pool),
        res("fake_vs.web", name="vs-web", pool_ref=pool_ref("fake_pool.web"), port=80),
    ), outputs=(OutputConfig("vip", ref("fake_vs.web", "vip")),))


def applied(config: Configuration, provider: FakeProvider | None = None,
            ) -> tuple[FakeProvider, State]:
    provider = provider or FakeProvider()
    plan, diags = build_plan(config, State(), provider)
    assert not diags.has_errors(), diags
    return provider, apply_changes(plan, provider)


def test_first_plan_creates_everything_with_unknown_computed_values() -> None:
    plan, diags = build_plan(web_config(), State(), FakeProvider())
    assert not diags
    assert actions(plan) == {"fake_pool.web": Action.CREATE, "fake_vs.web": Action.CREATE}
    vs = next(c for c in plan.changes if c.address == A("fake_vs.web"))
    assert vs.after is not None
    assert vs.after["pool_ref"] is UNKNOWN  # the pool's uuid is not known before apply
    assert ("uuid",) in vs.after_unknown and ("vip",) in vs.after_unknown
    assert "type" not in vs.after  # server-defaulted and unset: the server decides
    assert plan.summary().add == 2 and plan.has_changes()
    (out,) = plan.output_changes
    assert out.action is Action.CREATE and out.after is UNKNOWN


def test_replan_after_apply_is_empty_and_reads_once_per_type() -> None:
    provider, state = applied(web_config())
    provider.reset_calls()
    plan, diags = build_plan(web_config(), state, provider)
    assert not diags
    assert set(actions(plan).values()) == {Action.NOOP}
    assert not plan.drift
    assert provider.calls["read_many"] == 2 and provider.calls["read"] == 0
    assert plan.lineage == state.lineage and plan.serial == state.serial
    assert plan.timestamp.endswith("Z")


def test_update_in_place_reports_attribute_changes() -> None:
    provider, state = applied(web_config())
    plan, _ = build_plan(web_config(description="new"), state, provider)
    pool = next(c for c in plan.changes if c.address == A("fake_pool.web"))
    assert pool.action is Action.UPDATE
    assert [(a.path, a.before, a.after) for a in pool.attribute_changes] == [
        (("description",), None, "new")]
    assert pool.after is not None and pool.after["uuid"] == pool.before["uuid"]  # type: ignore[index]
    assert actions(plan)["fake_vs.web"] is Action.NOOP
    assert plan.summary().change == 1


def test_force_new_change_replaces_and_dependents_see_unknown() -> None:
    config = Configuration(resources=(
        res("fake_healthmonitor.hm", name="hm", type="HTTP"),
        res("fake_pool.p", name="p", health_monitor_refs=[
            ref("fake_healthmonitor.hm", "uuid", lambda u: f"/api/fake_healthmonitor/{u}")]),
    ))
    provider, state = applied(config)
    changed = replace(config, resources=(
        res("fake_healthmonitor.hm", name="hm", type="TCP"), config.resources[1]))
    plan, _ = build_plan(changed, state, provider)
    hm = next(c for c in plan.changes if c.address == A("fake_healthmonitor.hm"))
    assert hm.action is Action.DELETE_THEN_CREATE
    assert hm.reason == "replace_because_cannot_update"
    assert hm.replace_paths == (("type",),)
    pool = next(c for c in plan.changes if c.address == A("fake_pool.p"))
    assert pool.action is Action.UPDATE
    assert pool.after is not None and pool.after["health_monitor_refs"] == [UNKNOWN]
    assert pool.after_unknown == (("health_monitor_refs", 0),)


def test_create_before_destroy_replace_request_and_taint() -> None:
    provider, state = applied(web_config())
    cbd = Lifecycle(create_before_destroy=True)
    config = replace(web_config(), resources=(
        replace(web_config().resources[0], lifecycle=cbd), web_config().resources[1]))
    plan, _ = build_plan(config, state, provider,
                         PlanOptions(replace=(A("fake_pool.web"),)))
    pool = next(c for c in plan.changes if c.address == A("fake_pool.web"))
    assert (pool.action, pool.reason) == (Action.CREATE_THEN_DELETE, "replace_by_request")
    tainted = state.with_resources(
        replace(r, status="tainted") if r.address == A("fake_vs.web") else r
        for r in state.resources)
    plan, _ = build_plan(web_config(), tainted, provider)
    vs = next(c for c in plan.changes if c.address == A("fake_vs.web"))
    assert (vs.action, vs.reason) == (Action.DELETE_THEN_CREATE, "replace_because_tainted")


def test_removed_resources_are_deleted_and_destroy_deletes_all() -> None:
    provider, state = applied(web_config())
    only_pool = Configuration(resources=web_config().resources[:1])
    plan, diags = build_plan(only_pool, state, provider)
    assert not diags.has_errors()
    vs = next(c for c in plan.changes if c.address == A("fake_vs.web"))
    assert (vs.action, vs.reason) == (Action.DELETE, "delete_because_no_resource_config")
    assert vs.after is None and vs.before is not None
    state = replace(state, outputs={"vip": OutputState("10.0.0.9")})
    plan, _ = build_plan(web_config(), state, provider, PlanOptions(destroy=True))
    assert set(actions(plan).values()) == {Action.DELETE}
    assert [o.action for o in plan.output_changes] == [Action.DELETE]


def test_out_of_band_edit_and_delete_are_drift_and_get_reverted() -> None:
    provider, state = applied(web_config())
    provider.edit_out_of_band("fake_pool", "web", description="edited", lb_algorithm=None)
    provider.delete_out_of_band("fake_vs", "vs-web")
    plan, _ = build_plan(web_config(description="mine"), state, provider)
    drift = {str(c.address): c for c in plan.drift}
    assert drift["fake_vs.web"].action is Action.DELETE
    pool_drift = drift["fake_pool.web"]
    assert pool_drift.action is Action.UPDATE
    assert {(a.path, a.after) for a in pool_drift.attribute_changes} == {
        (("description",), "edited"), (("lb_algorithm",), None)}
    assert actions(plan) == {"fake_pool.web": Action.UPDATE, "fake_vs.web": Action.CREATE}
    assert A("fake_vs.web") not in plan.prior_state.by_address()


def test_refresh_only_plans_only_drift_and_no_refresh_reads_nothing() -> None:
    provider, state = applied(web_config())
    provider.edit_out_of_band("fake_pool", "web", description="edited")
    plan, _ = build_plan(web_config(), state, provider, PlanOptions(refresh_only=True))
    assert plan.changes == () and len(plan.drift) == 1 and plan.has_changes()
    provider.reset_calls()
    plan, _ = build_plan(web_config(), state, provider, PlanOptions(refresh=False))
    assert provider.calls["read_many"] == 0 and plan.drift == ()
    assert set(actions(plan).values()) == {Action.NOOP}  # the edit is not seen


def test_data_source_is_read_at_plan_time_or_deferred_when_unknown() -> None:
    config = Configuration(resources=(
        res("data.fake_cloud.default", name="Default-Cloud"),
        res("fake_pool.p", name="p", description=ref("data.fake_cloud.default", "uuid")),
        res("data.fake_cloud.later", name=ref("fake_pool.p", "uuid")),
    ))
    plan, diags = build_plan(config, State(), FakeProvider())
    assert not diags
    by = {str(c.address): c for c in plan.changes}
    assert by["data.fake_cloud.default"].action is Action.NOOP
    assert by["fake_pool.p"].after["description"] == "cloud-default"  # type: ignore[index]
    later = by["data.fake_cloud.later"]
    assert (later.action, later.reason) == (Action.READ, "read_because_config_unknown")
    missing = Configuration(resources=(res("data.fake_cloud.x", name="nope"),))
    plan, diags = build_plan(missing, State(), FakeProvider())
    assert diags.has_errors() and "Data source lookup failed" in str(diags[0])


def test_ignore_changes_and_ignore_all() -> None:
    provider, state = applied(web_config(description="a"))
    ignore = Lifecycle(ignore_changes=(("description",),))
    config = Configuration(resources=(res(
        "fake_pool.web", ignore, name="web", servers=[{"ip": "10.0.0.1"}], description="b"),))
    plan, _ = build_plan(config, state, provider, PlanOptions(max_delete_fraction=None))
    assert actions(plan)["fake_pool.web"] is Action.NOOP
    config = Configuration(resources=(res(
        "fake_pool.web", Lifecycle(ignore_all_changes=True), name="renamed"),))
    plan, _ = build_plan(config, state, provider, PlanOptions(max_delete_fraction=None))
    assert actions(plan)["fake_pool.web"] is Action.NOOP


def test_prevent_destroy_fails_with_terraform_wording() -> None:
    provider, state = applied(web_config())
    guarded = Lifecycle(prevent_destroy=True)
    config = replace(web_config(), resources=(
        replace(web_config().resources[0], lifecycle=guarded), web_config().resources[1]))
    plan, diags = build_plan(config, state, provider, PlanOptions(destroy=True))
    (err,) = diags.errors()
    assert err.summary == "Instance cannot be destroyed"
    assert "Resource fake_pool.web has lifecycle.prevent_destroy set, but the plan calls " \
           "for this resource to be destroyed." in err.detail
    assert plan.errored and not plan.has_changes()


def test_blast_radius_guard_refuses_mass_deletion_unless_forced() -> None:
    config = Configuration(resources=tuple(
        res(f"fake_pool.p{i}", name=f"p{i}") for i in range(5)))
    provider, state = applied(config)
    emptied = Configuration(resources=config.resources[:1])
    plan, diags = build_plan(emptied, state, provider)
    (err,) = diags.errors()
    assert err.summary == "Plan deletes too many objects"
    assert "4 of the 5 managed objects (80%)" in err.detail and "--allow-mass-delete" in err.detail
    plan, diags = build_plan(emptied, state, provider, PlanOptions(force=True))
    assert not diags.has_errors() and plan.summary().destroy == 4
    two = Configuration(resources=config.resources[:3])
    _, diags = build_plan(two, state, provider)
    assert not diags.has_errors()  # "a couple" of deletes never trips the guard


def test_targeting_plans_the_target_and_its_dependencies_with_a_warning() -> None:
    config = replace(web_config(), resources=(
        *web_config().resources, res("fake_pool.other", name="other")))
    plan, diags = build_plan(config, State(), FakeProvider(),
                             PlanOptions(targets=(A("fake_vs.web"),)))
    assert [d.summary for d in diags] == ["Resource targeting is in effect"]
    assert set(actions(plan)) == {"fake_vs.web", "fake_pool.web"}
    assert not plan.complete


def test_moved_block_renames_in_state_without_changes() -> None:
    provider, state = applied(web_config())
    config = Configuration(
        resources=(res("fake_pool.renamed", name="web", servers=[{"ip": "10.0.0.1"}]),
                   replace(web_config().resources[1], attributes={
                       "name": "vs-web", "pool_ref": pool_ref("fake_pool.renamed"),
                       "port": 80})),
        moved=(MovedBlock(A("fake_pool.web"), A("fake_pool.renamed")),))
    plan, diags = build_plan(config, state, provider)
    assert not diags
    pool = next(c for c in plan.changes if c.address == A("fake_pool.renamed"))
    assert pool.action is Action.NOOP and pool.previous_address == A("fake_pool.web")
    assert A("fake_pool.renamed") in plan.prev_run_state.by_address()


def test_moved_blocks_move_single_instances_between_for_each_blocks_in_a_module() -> None:
    # As a synthesized cluster module moves an SNI child into a later tier's block.
    before = Configuration(resources=(res('module.k.fake_pool.ako["a"]', name="a"),
                                      res('module.k.fake_pool.ako["b"]', name="b")))
    provider, state = applied(before)
    config = Configuration(
        resources=(res('module.k.fake_pool.ako["a"]', name="a"),
                   res('module.k.fake_pool.ako_tier1["b"]', name="b")),
        moved=(MovedBlock(A('module.k.fake_pool.ako["b"]'),
                          A('module.k.fake_pool.ako_tier1["b"]')),))
    plan, diags = build_plan(config, state, provider)
    assert not diags
    assert {str(c.address): (c.action, c.previous_address) for c in plan.changes} == {
        'module.k.fake_pool.ako["a"]': (Action.NOOP, None),
        'module.k.fake_pool.ako_tier1["b"]': (Action.NOOP, A('module.k.fake_pool.ako["b"]'))}


def test_import_block_adopts_an_existing_object() -> None:
    provider = FakeProvider()
    provider.create("fake_pool", {"name": "legacy"})
    config = Configuration(resources=(res("fake_pool.legacy", name="legacy",
                                          description="now managed"),),
                           imports=(ImportBlock(A("fake_pool.legacy"), "legacy"),))
    plan, diags = build_plan(config, State(), provider)
    assert not diags
    (c,) = plan.changes
    assert (c.action, c.importing_id) == (Action.UPDATE, "legacy")
    assert plan.summary().imported == 1 and plan.summary().add == 0
    bad = replace(config, imports=(ImportBlock(A("fake_pool.legacy"), "nope"),))
    _, diags = build_plan(bad, State(), provider)
    assert diags.errors()[0].summary == "Cannot import non-existent remote object"


def test_cycles_and_undeclared_references_are_diagnostics() -> None:
    config = Configuration(resources=(
        res("fake_pool.a", name="a", description=ref("fake_pool.b")),
        res("fake_pool.b", name="b", description=ref("fake_pool.a")),
    ))
    plan, diags = build_plan(config, State(), FakeProvider())
    assert plan.errored
    assert any("Cycle: fake_pool.a → fake_pool.b → fake_pool.a" in d.detail
               or "Cycle: fake_pool.b → fake_pool.a → fake_pool.b" in d.detail for d in diags)
    config = Configuration(resources=(res("fake_pool.a", name="a",
                                          description=ref("fake_pool.zz")),))
    _, diags = build_plan(config, State(), FakeProvider())
    assert diags.errors()[0].summary == "Reference to undeclared resource"


def test_refresh_failure_is_an_error_diagnostic_not_an_exception() -> None:
    provider, state = applied(web_config())
    provider.fail("read", type_name="fake_pool", status=503, detail="controller busy")
    plan, diags = build_plan(web_config(), state, provider)
    assert plan.errored and "controller busy" in diags.errors()[0].detail
    assert "HTTP 503" in diags.errors()[0].detail


def test_outputs_noop_update_delete() -> None:
    provider, state = applied(web_config())
    vip = state.get(A("fake_vs.web")).attributes["vip"]  # type: ignore[union-attr]
    state = replace(state, outputs={"vip": OutputState(vip), "old": OutputState("x")})
    config = replace(web_config(), outputs=(
        OutputConfig("vip", ref("fake_vs.web", "vip")), OutputConfig("lit", "v")))
    plan, _ = build_plan(config, state, provider)
    assert {o.name: o.action for o in plan.output_changes} == {
        "vip": Action.NOOP, "lit": Action.CREATE, "old": Action.DELETE}


# -- the property: planning again after applying a plan finds nothing to do -------------------

server = st.fixed_dictionaries({"ip": st.sampled_from(["10.0.0.1", "10.0.0.2", "10.0.0.3"])},
                               optional={"port": st.integers(1, 65535),
                                         "enabled": st.booleans()})
pool_attrs = st.fixed_dictionaries({}, optional={
    "description": st.text(max_size=5),
    "lb_algorithm": st.sampled_from(["LB_ALGORITHM_LEAST_CONNECTIONS",
                                     "LB_ALGORITHM_ROUND_ROBIN"]),
    "servers": st.lists(server, unique_by=lambda s: s["ip"], max_size=3),
})
vs_attrs = st.fixed_dictionaries({}, optional={
    "port": st.one_of(st.integers(1, 65535), st.integers(1, 65535).map(str)),
    "enabled": st.one_of(st.booleans(), st.sampled_from(["true", "false"])),
    "type": st.sampled_from(["VS_TYPE_NORMAL", "VS_TYPE_VH_PARENT"]),
})


@st.composite
def configurations(draw: st.DrawFn) -> Configuration:
    n_pools = draw(st.integers(1, 3))
    resources: list[ResourceConfig] = []
    for i in range(n_pools):
        resources.append(res(f"fake_pool.p{i}", name=f"p{i}", **draw(pool_attrs)))
    for j in range(draw(st.integers(0, 3))):
        target = draw(st.integers(0, n_pools - 1))
        resources.append(res(f"fake_vs.v{j}", name=f"v{j}",
                             pool_ref=pool_ref(f"fake_pool.p{target}"), **draw(vs_attrs)))
    return Configuration(resources=tuple(resources))


@pytest.mark.parametrize("apply", [apply_changes, naive_apply],
                         ids=["engine_apply_plan", "naive_apply"])
@settings(max_examples=40)
@given(configurations(), configurations())
def test_plan_after_applying_its_own_plan_is_empty(
        apply: Callable[[Plan, FakeProvider], State], first: Configuration,
        second: Configuration) -> None:
    provider = FakeProvider()
    state = State()
    for config in (first, second):
        plan, diags = build_plan(config, state, provider, PlanOptions(force=True))
        assert not diags.has_errors(), diags
        state = apply(plan, provider)
        again, diags = build_plan(config, state, provider)
        assert not diags.has_errors(), diags
        assert {c.action for c in again.changes} <= {Action.NOOP}, again.changes
        assert not again.drift
        _assert_objects_match(config, provider)


def _assert_objects_match(config: Configuration, provider: FakeProvider) -> None:
    """Independently of the diff: every configured value is on the controller."""
    assert len(provider.objects()) == len(config.resources)
    for rc in config.resources:
        obj = provider.get(rc.type, rc.attributes["name"])
        assert obj is not None, rc.address
        for key, want in rc.attributes.items():
            if key == "servers":
                servers = obj.get(key) or []  # [] configured = absent on the server
                assert sorted(s["ip"] for s in servers) == sorted(s["ip"] for s in want)
                for s in want:
                    have = next(h for h in servers if h["ip"] == s["ip"])
                    assert all(have[k] == v for k, v in s.items())
            elif key == "pool_ref":
                assert obj[key].startswith("/api/fake_pool/")
            else:
                assert str(obj[key]).lower() == str(want).lower(), (rc.address, key)


def test_unconfigured_refs_to_deleted_objects_are_planned_to_be_unset() -> None:
    hm_ref = ref("fake_healthmonitor.h", "uuid", lambda u: f"/api/fake_healthmonitor/{u}")
    first = Configuration(resources=(
        res("fake_healthmonitor.h", name="hm", type="HTTP"),
        res("fake_healthmonitor.keep", name="keep", type="TCP"),
        res("fake_pool.p", name="pool", health_monitor_refs=[
            hm_ref, ref("fake_healthmonitor.keep", "uuid",
                        lambda u: f"/api/fake_healthmonitor/{u}")]),
        res("fake_vs.v", name="vs", pool_ref=pool_ref("fake_pool.p"))))
    provider = FakeProvider()
    plan, _ = build_plan(first, State(), provider)
    state = naive_apply(plan, provider)
    second = Configuration(resources=(res("fake_healthmonitor.keep", name="keep", type="TCP"),
                                      res("fake_pool.p", name="pool")))
    plan, diags = build_plan(second, state, provider, PlanOptions(force=True))
    assert not diags.has_errors()
    by = {str(c.address): c for c in plan.changes}
    pool = by["fake_pool.p"]
    keep_url = provider.get("fake_pool", "pool")["health_monitor_refs"][1]  # type: ignore[index]
    assert pool.action is Action.UPDATE
    assert [(a.path, a.after) for a in pool.attribute_changes] == [
        (("health_monitor_refs",), [keep_url])]
    assert pool.after["health_monitor_refs"] == [keep_url]  # type: ignore[index]
    from albform.engine.diff import merge_desired, overlay_unconfigured
    merged = merge_desired(None, pool.before or {}, {"name": "pool"})
    assert overlay_unconfigured(merged, {"name": "pool"}, pool.attribute_changes)[
        "health_monitor_refs"] == [keep_url]
    assert by["fake_healthmonitor.h"].action is Action.DELETE


class RecordingHook(NullHook):
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def pre_refresh(self, address: Any) -> None:
        self.events.append(("pre_refresh", str(address)))

    def post_refresh(self, address: Any, gone: bool) -> None:
        self.events.append(("post_refresh", f"{address} gone={gone}"))

    def message(self, text: str) -> None:
        self.events.append(("message", text))


def test_progress_reaches_the_hook() -> None:
    provider, state = applied(web_config())
    provider.delete_out_of_band("fake_vs", "vs-web")
    provider.create("fake_pool", {"name": "legacy"})
    hook = RecordingHook()
    config = replace(web_config(), resources=(
        *web_config().resources, res("data.fake_cloud.c", name="Default-Cloud"),
        res("fake_pool.legacy", name="legacy")),
        imports=(ImportBlock(A("fake_pool.legacy"), "legacy"),))
    build_plan(config, state, provider, hook=hook)
    assert ("post_refresh", "fake_vs.web gone=True") in hook.events
    assert ("post_refresh", "fake_pool.web gone=False") in hook.events
    assert hook.events.index(("pre_refresh", "fake_pool.web")) < hook.events.index(
        ("post_refresh", "fake_pool.web gone=False"))
    assert ("message", "data.fake_cloud.c: Reading...") in hook.events
    assert ("message", "fake_pool.legacy: Preparing import... [id=legacy]") in hook.events


class ReadsFirst(FakeProvider):
    """Notes when a refresh's ``read_many`` has begun."""

    def __init__(self) -> None:
        super().__init__()
        self.reading = threading.Event()

    def read_many(self, requests: Sequence[ReadRequest]) -> ReadManyResult:
        self.reading.set()
        return super().read_many(requests)


class WaitsForReads(RecordingHook):
    """Its ``pre_refresh`` notes whether the reads had begun (waiting a little for them)."""

    def __init__(self, provider: ReadsFirst) -> None:
        super().__init__()
        self.provider = provider
        self.reads_began: list[bool] = []

    def pre_refresh(self, address: Any) -> None:
        super().pre_refresh(address)
        self.reads_began.append(self.provider.reading.wait(timeout=5))


def test_the_refresh_reads_go_out_before_the_progress_lines() -> None:
    """A line per object is albform's own work; the reads are the controller's: they start
    first and run while the lines are written, which still come in the state's order."""
    provider = ReadsFirst()
    state = naive_apply(build_plan(web_config(), State(), provider)[0], provider)
    provider.reading.clear()
    hook = WaitsForReads(provider)
    plan, diags = build_plan(web_config(), state, provider, hook=hook)
    assert not diags.has_errors()
    assert hook.reads_began == [True, True]
    assert [e for e in hook.events if e[0] == "pre_refresh"] == [
        ("pre_refresh", str(r.address)) for r in state.resources]
    assert {c.action for c in plan.changes} == {Action.NOOP}


def test_targeting_that_leaves_out_a_move_is_refused_with_the_missing_targets() -> None:
    provider, state = applied(web_config())
    config = Configuration(
        resources=(res("fake_pool.renamed", name="web", servers=[{"ip": "10.0.0.1"}]),
                   replace(web_config().resources[1], attributes={
                       "name": "vs-web", "pool_ref": pool_ref("fake_pool.renamed")})),
        moved=(MovedBlock(A("fake_pool.web"), A("fake_pool.renamed")),))
    other = replace(config, resources=(*config.resources, res("fake_pool.x", name="x")))
    _, diags = build_plan(other, state, provider, PlanOptions(targets=(A("fake_pool.x"),)))
    (err,) = diags.errors()
    assert err.summary == "Moved resource instances excluded by targeting"
    assert '  -target="fake_pool.renamed"\n  -target="fake_pool.web"' in err.detail
    plan, diags = build_plan(config, state, provider,
                             PlanOptions(targets=(A("fake_vs.web"),)))
    assert not diags.has_errors()  # the VS depends on the moved pool: covered
    assert {str(c.previous_address) for c in plan.changes} >= {"fake_pool.web"}


def test_replace_of_an_unknown_address_warns_and_replaces_nothing() -> None:
    from albform.engine.addrs import ResourceAddress
    from albform.engine.changes import PlanOptions
    from albform.engine.config import Configuration
    from albform.engine.planning import build_plan
    from albform.engine.state.model import State
    from albform.engine.testing import FakeProvider

    options = PlanOptions(replace=(ResourceAddress.parse("fake_pool.nope"),))
    plan, diags = build_plan(Configuration(), State(), FakeProvider(), options)
    assert [d.summary for d in diags] == ["Nothing to replace"]
    assert not diags.has_errors()
    assert not plan.changes
