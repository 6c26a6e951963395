"""Deposed objects: a create_before_destroy replacement never forgets the old object.

The old object becomes a deposed object of the state before its replacement is created; a
crash (a persist that fails, a real SIGKILL) or a failed delete leaves it there, and the next
plan deletes it (after what depended on it) and converges.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.apply import apply_plan
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, Lifecycle
from albform.engine.planning import build_plan
from albform.engine.state.backends.local import LocalBackend
from albform.engine.state.model import ResourceState, State
from albform.engine.testing import FakeProvider, ref_url
from albform.engine.testing.plans import RecordingPersist, addr, ref, res

CBD = Lifecycle(create_before_destroy=True)
# Avi names are unique, so a replacement created first gets a new name (renaming alone
# would be an in-place update): -replace forces the replacement.
REPLACE = PlanOptions(replace=(addr("fake_pool.web"),))


def config(pool_name: str) -> Configuration:
    """A create_before_destroy pool and a VS using it."""
    return Configuration(resources=(
        res("fake_pool.web", lifecycle=CBD, name=pool_name),
        res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web"))))


def deployed(p: FakeProvider) -> State:
    plan, diags = build_plan(config("web"), State(lineage="deposed-test"), p)
    assert not diags.has_errors()
    out = apply_plan(plan, p, RecordingPersist())
    assert not out.diagnostics, out.diagnostics
    return out.state


def names(p: FakeProvider, type_name: str) -> list[str]:
    return sorted(o["name"] for o in p.objects(type_name))


def converge(p: FakeProvider, state: State, configuration: Configuration) -> State:
    """Plan and apply until nothing is left to do; returns the final state."""
    plan, diags = build_plan(configuration, state, p)
    assert not diags.has_errors(), diags
    out = apply_plan(plan, p, RecordingPersist())
    assert not out.diagnostics.has_errors(), out.diagnostics
    again, diags = build_plan(configuration, out.state, p)
    assert not diags.has_errors()
    assert [c for c in again.changes if c.action is not Action.NOOP] == []
    assert out.state.deposed == ()
    return out.state


# -- the replacement itself ---------------------------------------------------------------------

@pytest.mark.parametrize("parallelism", [1, 4])
def test_every_write_holds_the_old_object_until_it_is_deleted(parallelism: int) -> None:
    p = FakeProvider()
    state = deployed(p)
    old_uuid = state.get(addr("fake_pool.web")).attributes["uuid"]  # type: ignore[union-attr]
    persist = RecordingPersist()
    plan, _ = build_plan(config("web-2"), state, p, REPLACE)
    assert {str(c.address): c.action for c in plan.changes}["fake_pool.web"] \
        is Action.CREATE_THEN_DELETE
    out = apply_plan(plan, p, persist, parallelism=parallelism)
    assert not out.diagnostics, out.diagnostics
    pool = addr("fake_pool.web")
    recorded = [{r.attributes["uuid"] for r in (*written.resources, *written.deposed)
                 if r.address == pool} for written in persist.states]
    # The old object is in every write but the one after its delete (the last one).
    assert all(old_uuid in uuids for uuids in recorded[:-1]), recorded
    assert old_uuid not in recorded[-1]
    if parallelism == 1:
        # Synchronous: the write right after deposing has the old object deposed, no current.
        first = persist.states[0]
        assert first.get(pool) is None
        assert [r.attributes["uuid"] for r in first.deposed] == [old_uuid]
        assert len(first.deposed[0].deposed or "") == 8
    assert out.state.deposed == ()
    assert out.state.get(pool).attributes["name"] == "web-2"  # type: ignore[union-attr]
    assert names(p, "fake_pool") == ["web-2"]
    assert out.summary.add == 1 and out.summary.destroy == 1


def test_failed_delete_leaves_the_old_object_deposed_and_the_next_apply_deletes_it() -> None:
    p = FakeProvider()
    state = deployed(p)
    old = state.get(addr("fake_pool.web"))
    assert old is not None
    p.fail("delete", name="web", status=500, detail="controller busy", times=1)
    configuration = config("web-2")
    plan, _ = build_plan(configuration, state, p, REPLACE)
    out = apply_plan(plan, p, RecordingPersist())
    assert [d.summary for d in out.diagnostics] == [
        "Failed to delete the replaced object", "Replaced object left behind"]
    [left] = out.state.deposed
    assert left.attributes["uuid"] == old.attributes["uuid"]
    assert left.deposed is not None and left.deposed in out.diagnostics[1].detail
    assert "next apply deletes it" in out.diagnostics[1].detail

    # The next plan deletes exactly that object, as Terraform does, and converges.
    plan, _ = build_plan(configuration, out.state, p)
    deposed = [c for c in plan.changes if c.deposed is not None]
    assert [(str(c.address), c.action, c.deposed, c.reason) for c in deposed] == [
        ("fake_pool.web", Action.DELETE, left.deposed, None)]
    assert plan.summary().destroy == 1
    final = converge(p, out.state, configuration)
    assert names(p, "fake_pool") == ["web-2"]
    assert final.get(addr("fake_pool.web")).attributes["name"] == "web-2"  # type: ignore[union-attr]


def test_a_failed_create_makes_the_deposed_object_current_again() -> None:
    p = FakeProvider()
    state = deployed(p)
    old = state.get(addr("fake_pool.web"))
    p.fail("create", name="web-2", status=400, detail="bad field")
    persist = RecordingPersist()
    plan, _ = build_plan(config("web-2"), state, p, REPLACE)
    out = apply_plan(plan, p, persist, parallelism=1)
    assert [d.summary for d in out.diagnostics] == ["Failed to create object"]
    assert out.state.get(addr("fake_pool.web")) == old
    assert out.state.deposed == ()
    assert persist.states[-1].deposed == () and persist.states[-1].get(addr("fake_pool.web"))


# -- the crash window ---------------------------------------------------------------------------

def test_crash_between_create_and_delete_then_a_fresh_plan_deletes_the_deposed_object() -> None:
    p = FakeProvider()
    state = deployed(p)
    old_uuid = state.get(addr("fake_pool.web")).attributes["uuid"]  # type: ignore[union-attr]
    configuration = config("web-2")
    plan, _ = build_plan(configuration, state, p, REPLACE)
    # Synchronous writes: 1 old pool deposed, 2 new pool created; the 3rd (VS updated)
    # fails as if the process died there, so the walk stops before the old pool's delete.
    crash = RecordingPersist(fail_after=2)
    out = apply_plan(plan, p, crash, parallelism=1)
    assert out.persist_failed and len(crash.states) == 2
    on_disk = crash.states[-1]
    assert on_disk.get(addr("fake_pool.web")).attributes["name"] == "web-2"  # type: ignore[union-attr]
    assert [r.attributes["uuid"] for r in on_disk.deposed] == [old_uuid]
    assert names(p, "fake_pool") == ["web", "web-2"]  # the old one still exists

    final = converge(p, on_disk, configuration)
    assert names(p, "fake_pool") == ["web-2"]
    vs = p.get("fake_vs", "vs")
    assert vs is not None and vs["pool_ref"] == ref_url(
        "fake_pool", str(final.get(addr("fake_pool.web")).attributes["uuid"]))  # type: ignore[union-attr]


CHILD = textwrap.dedent("""
    import json, sys, threading
    from pathlib import Path
    from albform.engine.apply import apply_plan
    from albform.engine.config import Configuration, Lifecycle
    from albform.engine.planning import build_plan
    from albform.engine.state.backends.local import LocalBackend
    from albform.engine.state.model import State
    from albform.engine.testing import FakeProvider
    from albform.engine.changes import PlanOptions
    from albform.engine.testing.plans import addr, ref, res

    workdir = Path(sys.argv[1])
    cbd = Lifecycle(create_before_destroy=True)

    def config(name):
        return Configuration(resources=(
            res("fake_pool.web", lifecycle=cbd, name=name),
            res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web"))))

    class Stalling(FakeProvider):
        def delete(self, type_name, prior):
            # The controller's objects as they are now, then hang: the parent kills us here.
            (workdir / "controller.json").write_text(json.dumps(self.export_objects()))
            print("deleting", flush=True)
            threading.Event().wait()

    p = Stalling()
    backend = LocalBackend(workdir / "terraform.tfstate")
    plan, _ = build_plan(config("web"), State(lineage="kill-deposed"), p)
    backend.write(apply_plan(plan, p, backend.write).state)
    plan, _ = build_plan(config("web-2"), backend.read(), p,
                         PlanOptions(replace=(addr("fake_pool.web"),)))
    print("ready", flush=True)
    apply_plan(plan, p, backend.write, parallelism=int(sys.argv[2]))
    print("done", flush=True)
""")


@pytest.mark.parametrize("parallelism", [1, 4])
def test_sigkill_between_create_and_delete_leaves_the_old_object_deposed(
        tmp_path: Path, parallelism: int) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), str(parallelism)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        assert child.stdout.readline().strip() == "deleting"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    import json

    p = FakeProvider()
    p.import_objects(json.loads((tmp_path / "controller.json").read_text()))
    assert names(p, "fake_pool") == ["web", "web-2"]
    state = LocalBackend(tmp_path / "terraform.tfstate").read()
    assert state is not None and state.lineage == "kill-deposed"
    old = p.get("fake_pool", "web")
    assert old is not None
    # With write-behind the last write may predate the create: then the old object is still
    # current there, and the new one is the one write the crash may lose (as for any create).
    recorded = {r.attributes["uuid"]: r.deposed for r in (*state.resources, *state.deposed)
                if r.address == addr("fake_pool.web")}
    assert old["uuid"] in recorded, "the old object was forgotten"
    if parallelism == 1:
        assert recorded[old["uuid"]] is not None, "synchronous: recorded as deposed"
        assert len(recorded) == 2

        final = converge(p, state, config("web-2"))
        assert names(p, "fake_pool") == ["web-2"]
        assert final.deposed == ()


# -- planning -----------------------------------------------------------------------------------

def test_refresh_drops_a_deposed_object_already_gone() -> None:
    p = FakeProvider()
    state = deployed(p)
    gone = p.create("fake_pool", {"name": "gone"}).attributes
    there = p.create("fake_pool", {"name": "there"}).attributes
    p.delete_out_of_band("fake_pool", "gone")
    state = state.with_deposed([
        ResourceState(addr("fake_pool.web"), dict(gone), deposed="0000000a"),
        ResourceState(addr("fake_pool.web"), dict(there), deposed="0000000b")])
    plan, diags = build_plan(config("web"), state, p)
    assert not diags.has_errors()
    assert [r.deposed for r in plan.prior_state.deposed] == ["0000000b"]
    assert [(c.action, c.deposed) for c in plan.changes if c.deposed] == [
        (Action.DELETE, "0000000b")]
    # -refresh-only records the drop and plans no delete.
    only, _ = build_plan(config("web"), state, p, PlanOptions(refresh_only=True))
    assert [c for c in only.changes if c.deposed] == []
    assert [r.deposed for r in only.prior_state.deposed] == ["0000000b"]


def test_deposed_object_is_deleted_after_its_dependents_and_before_its_dependencies() -> None:
    p = FakeProvider()
    hm = p.create("fake_healthmonitor", {"name": "hm", "type": "HTTP"}).attributes
    old_pool = p.create("fake_pool", {"name": "pool-old", "health_monitor_refs": [
        ref_url("fake_healthmonitor", str(hm["uuid"]))]}).attributes
    new_pool = p.create("fake_pool", {"name": "pool-new"}).attributes
    # The VS still refers to the old pool (the crash came before its update).
    vs = p.create("fake_vs", {"name": "vs", "pool_ref": ref_url("fake_pool",
                                                               str(old_pool["uuid"]))}).attributes
    p.reset_calls()
    state = State(lineage="order").with_resources([
        ResourceState(addr("fake_healthmonitor.hm"), dict(hm)),
        ResourceState(addr("fake_pool.web"), dict(new_pool), create_before_destroy=True),
        ResourceState(addr("fake_vs.web"), dict(vs), dependencies=(addr("fake_pool.web"),)),
    ]).with_deposed([ResourceState(addr("fake_pool.web"), dict(old_pool), deposed="1a2b3c4d",
                                   dependencies=(addr("fake_healthmonitor.hm"),),
                                   create_before_destroy=True)])
    # The health monitor goes away with the configuration; the VS moves to the new pool.
    configuration = Configuration(resources=(
        res("fake_pool.web", lifecycle=CBD, name="pool-new"),
        res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web"))))
    plan, diags = build_plan(configuration, state, p)
    assert not diags.has_errors(), diags
    assert plan.summary().destroy == 2
    out = apply_plan(plan, p, RecordingPersist(), parallelism=4)
    assert not out.diagnostics, out.diagnostics
    done = [(c.operation, c.type_name, c.name) for c in p.call_log
            if c.operation in ("update", "delete")]
    assert done == [("update", "fake_vs", "vs"), ("delete", "fake_pool", "pool-old"),
                    ("delete", "fake_healthmonitor", "hm")]
    assert out.summary.destroy == 2
    assert out.state.deposed == ()
    converge(p, out.state, configuration)


def test_a_saved_plan_keeps_the_deposed_delete_and_applies_it(tmp_path: Path) -> None:
    from albform.engine.planfile import load_plan, save_plan

    p = FakeProvider()
    state = deployed(p)
    old = p.create("fake_pool", {"name": "web-old"}).attributes
    state = state.with_deposed([ResourceState(addr("fake_pool.web"), dict(old),
                                              deposed="1a2b3c4d")])
    plan, _ = build_plan(config("web"), state, p)
    save_plan(plan, tmp_path / "tfplan")
    loaded = load_plan(tmp_path / "tfplan").plan
    assert [(c.action, c.deposed) for c in loaded.changes if c.deposed] == [
        (Action.DELETE, "1a2b3c4d")]
    assert [r.deposed for r in loaded.prior_state.deposed] == ["1a2b3c4d"]
    out = apply_plan(loaded, p, RecordingPersist())
    assert not out.diagnostics and out.summary.destroy == 1
    assert names(p, "fake_pool") == ["web"] and out.state.deposed == ()


def test_destroy_deletes_deposed_objects_too_and_target_selects_them_by_address() -> None:
    p = FakeProvider()
    state = deployed(p)
    old = p.create("fake_pool", {"name": "web-old"}).attributes
    state = state.with_deposed([ResourceState(addr("fake_pool.web"), dict(old),
                                              deposed="1a2b3c4d")])
    elsewhere, _ = build_plan(config("web"), state, p,
                              PlanOptions(targets=(addr("fake_vs.web"),)))
    assert [c for c in elsewhere.changes if c.deposed] == []
    targeted, _ = build_plan(config("web"), state, p,
                             PlanOptions(targets=(addr("fake_pool.web"),)))
    assert [c.deposed for c in targeted.changes if c.deposed] == ["1a2b3c4d"]

    plan, _ = build_plan(config("web"), state, p, PlanOptions(destroy=True, force=True))
    assert plan.summary().destroy == 3
    out = apply_plan(plan, p, RecordingPersist(), parallelism=4)
    assert not out.diagnostics, out.diagnostics
    assert p.objects() == [] and out.state.is_empty


def test_a_failed_leftover_delete_is_reported_and_kept_while_the_rest_completes() -> None:
    p = FakeProvider()
    state = deployed(p)
    old = p.create("fake_pool", {"name": "web-old"}).attributes
    state = state.with_deposed([ResourceState(addr("fake_pool.web"), dict(old),
                                              deposed="1a2b3c4d")])
    p.fail("delete", name="web-old", status=500, detail="controller busy")
    plan, _ = build_plan(Configuration(resources=(
        res("fake_pool.web", lifecycle=CBD, name="web", description="changed"),
        res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web")))), state, p)
    out = apply_plan(plan, p, RecordingPersist())
    assert [(d.summary, str(d.address)) for d in out.diagnostics] == [
        ("Failed to delete the replaced object", "fake_pool.web"),
        ("Replaced object left behind", "fake_pool.web")]
    assert "1a2b3c4d" in out.diagnostics[1].detail
    # The pool's own update completed and counts; the deposed object stays for next time.
    assert (out.summary.change, out.summary.destroy) == (1, 0)
    assert [r.deposed for r in out.state.deposed] == ["1a2b3c4d"]
    assert out.state.get(addr("fake_pool.web")).attributes["description"] == "changed"  # type: ignore[union-attr]


# -- property: whatever the crash point, no old object is forgotten ---------------------------

@settings(max_examples=40, deadline=None)
@given(pools=st.integers(1, 4), data=st.data())
def test_no_crash_point_forgets_a_replaced_object(pools: int, data: st.DataObject) -> None:
    p = FakeProvider()

    def configuration(generation: int) -> Configuration:
        return Configuration(resources=tuple(
            r for i in range(pools) for r in (
                res(f"fake_pool.p{i}", lifecycle=CBD, name=f"p{i}-g{generation}"),
                res(f"fake_vs.v{i}", name=f"v{i}", pool_ref=ref(f"fake_pool.p{i}")))))

    plan, _ = build_plan(configuration(0), State(lineage="prop"), p)
    before = apply_plan(plan, p, RecordingPersist()).state
    replaced = data.draw(st.sets(st.integers(0, pools - 1), min_size=1))
    plan, _ = build_plan(configuration(1), before, p, PlanOptions(
        replace=tuple(addr(f"fake_pool.p{i}") for i in sorted(replaced))))
    crash = RecordingPersist(fail_after=data.draw(st.integers(1, 3 * pools + 2)))
    apply_plan(plan, p, crash, parallelism=data.draw(st.sampled_from([1, 3])))
    on_disk = crash.states[-1] if crash.states else before

    recorded = {r.attributes["uuid"] for r in (*on_disk.resources, *on_disk.deposed)}
    live = {o["uuid"] for o in p.objects()}
    old = {r.attributes["uuid"] for r in before.resources}
    assert (old & live) <= recorded, "an old object still on the controller was forgotten"
    # The next plan deletes every deposed object that is still there.
    replan, diags = build_plan(configuration(1), on_disk, p)
    assert not diags.has_errors(), diags
    assert {(str(c.address), c.deposed) for c in replan.changes if c.deposed} == {
        (str(r.address), r.deposed) for r in on_disk.deposed if r.attributes["uuid"] in live}
