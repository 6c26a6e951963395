"""Apply under failure: provider errors, half-made objects, persist failures (crashes),
interrupts, parallelism bound, cycles, hooks, outputs."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from albform.engine.addrs import ResourceAddress
from albform.engine.apply import apply_plan
from albform.engine.changes import Action
from albform.engine.config import Lifecycle, OutputConfig
from albform.engine.hooks import NullHook
from albform.engine.state.journal import Intent, MemoryJournal, intents_digest
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import RecordingPersist, addr, make_plan, ref, res


def chain_plan(branches: dict[str, int]) -> tuple[list, dict[str, Action]]:  # type: ignore[type-arg]
    """Per branch: a pool, and ``n`` VSs each referring to the pool."""
    resources, changes = [], {}
    for b, n in branches.items():
        resources.append(res(f"fake_pool.{b}", name=b))
        changes[f"fake_pool.{b}"] = Action.CREATE
        for i in range(n):
            resources.append(res(f"fake_vs.{b}{i}", name=f"{b}{i}", pool_ref=ref(f"fake_pool.{b}")))
            changes[f"fake_vs.{b}{i}"] = Action.CREATE
    return resources, changes


def test_failed_create_skips_dependants_and_reports_root_cause_only() -> None:
    p = FakeProvider()
    p.fail("create", name="bad", status=409, detail="Duplicate VIP 10.0.0.1")
    resources, changes = chain_plan({"bad": 2, "good": 2})
    out = apply_plan(make_plan(resources, changes), p, RecordingPersist(), parallelism=3)

    (diag,) = out.diagnostics
    assert diag.is_error and diag.address == addr("fake_pool.bad")
    assert diag.summary == "Failed to create object"
    assert "409" in diag.detail and "Duplicate VIP 10.0.0.1" in diag.detail
    assert out.failed == (addr("fake_pool.bad"),)
    assert out.skipped == (addr("fake_vs.bad0"), addr("fake_vs.bad1"))
    assert {o["name"] for o in p.objects()} == {"good", "good0", "good1"}
    assert {str(r.address) for r in out.state.resources} == {
        "fake_pool.good", "fake_vs.good0", "fake_vs.good1"}
    assert out.applied == 3 and not out.interrupted


def test_retriable_error_says_so() -> None:
    p = FakeProvider()
    p.fail("create", name="web", retriable=True, status=503, detail="Service Unavailable")
    out = apply_plan(make_plan([res("fake_pool.web", name="web")],
                               {"fake_pool.web": Action.CREATE}), p, RecordingPersist())
    assert "running apply again may succeed" in out.diagnostics[0].detail


def test_half_created_object_is_kept_as_tainted() -> None:
    p = FakeProvider()
    p.fail("create", name="web", partial=True, detail="placement failed")
    persist = RecordingPersist()
    out = apply_plan(make_plan([res("fake_pool.web", name="web")],
                               {"fake_pool.web": Action.CREATE}), p, persist)
    (stored,) = persist.states[-1].resources
    assert stored.status == "tainted"
    assert stored.attributes["uuid"] == p.get("fake_pool", "web")["uuid"]  # type: ignore[index]
    assert "tainted" in out.diagnostics[0].detail


def test_state_is_persisted_after_every_resource() -> None:
    p = FakeProvider()
    resources, changes = chain_plan({"a": 3, "b": 3})
    seen: list[tuple[set[str], set[str]]] = []

    def persist(state: object) -> None:
        # At every write, the state holds exactly the objects that exist (parallelism 1).
        in_state = {r.attributes["uuid"] for r in state.resources}  # type: ignore[attr-defined]
        seen.append((in_state, {o["uuid"] for o in p.objects()}))

    out = apply_plan(make_plan(resources, changes), p, persist, parallelism=1)
    assert len(seen) == 8 and out.persisted == 8
    assert all(in_state == existing for in_state, existing in seen)
    assert [len(s) for s, _ in seen] == list(range(1, 9))


def test_each_object_is_offered_to_the_backend_before_its_write() -> None:
    # StateBackend.prepare: the very state object the next write holds, handed over as the
    # step completes (so that the backend can encode it on the worker's thread).
    p = FakeProvider()
    resources, changes = chain_plan({"a": 2, "b": 2})
    prepared: list[object] = []
    persist = RecordingPersist()
    apply_plan(make_plan(resources, changes), p, persist, parallelism=3,
               prepare=prepared.append)
    final = persist.states[-1].resources
    assert len(final) == 6 and all(any(r is q for q in prepared) for r in final)


def test_crash_while_persisting_loses_no_created_object() -> None:
    p = FakeProvider()
    resources, changes = chain_plan({"a": 4, "b": 4})
    persist = RecordingPersist(fail_after=3)
    out = apply_plan(make_plan(resources, changes), p, persist, parallelism=1)

    last = persist.states[-1]
    assert len(persist.states) == 3 and len(last.resources) == 3
    # The apply stopped at the failed write: one object more than the last persisted state,
    # and that object is in the returned state (for errored.tfstate).
    assert len(p.objects()) == 4
    assert {o["uuid"] for o in p.objects()} == {r.attributes["uuid"] for r in out.state.resources}
    assert out.persist_failed and out.state.serial == last.serial + 1
    assert [d.summary for d in out.diagnostics] == ["Failed to persist state"]
    assert "No space left on device" in out.diagnostics[0].detail


def test_crash_with_parallel_workers_keeps_every_object_in_returned_state() -> None:
    # ~0.45 s of work: the write-behind persister writes at the start and 0.2 s later.
    p = FakeProvider(latency=0.05)
    resources, changes = chain_plan({"a": 10, "b": 10, "c": 10})
    persist = RecordingPersist(fail_after=1)
    out = apply_plan(make_plan(resources, changes), p, persist, parallelism=4)
    existing = {o["uuid"] for o in p.objects()}
    assert {r.attributes["uuid"] for r in persist.states[-1].resources} <= existing
    assert {r.attributes["uuid"] for r in out.state.resources} == existing
    assert len(existing) < 33 and out.persist_failed and not persist.overlapped


def test_parallelism_bound_is_respected_and_reached() -> None:
    p = FakeProvider(latency=0.02)
    resources = [res(f"fake_pool.p{i}", name=f"p{i}") for i in range(24)]
    changes = {f"fake_pool.p{i}": Action.CREATE for i in range(24)}
    persist = RecordingPersist()
    out = apply_plan(make_plan(resources, changes), p, persist, parallelism=3)
    assert out.applied == 24 and p.max_concurrency == 3
    assert not persist.overlapped
    serials = [s.serial for s in persist.states]
    assert serials == sorted(set(serials))
    assert {r.address for r in persist.states[-1].resources} == {
        ResourceAddress.parse(a) for a in changes}


class StopAfter(NullHook):
    """Sets the stop event (as the SIGINT handler would) after ``n`` completed operations."""

    def __init__(self, stop: threading.Event, n: int) -> None:
        self.stop, self.n, self.count = stop, n, 0
        self.lock = threading.Lock()

    def post_apply(self, address: ResourceAddress, action: Action, error: str | None,
                   elapsed: float) -> None:
        with self.lock:
            self.count += 1
            if self.count >= self.n:
                self.stop.set()


def test_interrupt_finishes_in_flight_and_persists() -> None:
    p = FakeProvider(latency=0.01)
    resources = [res(f"fake_pool.p{i}", name=f"p{i}") for i in range(20)]
    changes = {f"fake_pool.p{i}": Action.CREATE for i in range(20)}
    stop = threading.Event()
    persist = RecordingPersist()
    out = apply_plan(make_plan(resources, changes), p, persist, parallelism=2,
                     hook=StopAfter(stop, 3), stop=stop)
    created = {o["name"] for o in p.objects()}
    assert out.interrupted and 3 <= len(created) <= 4  # the stop, plus at most one in flight
    assert {r.attributes["name"] for r in persist.states[-1].resources} == created
    assert len(out.not_started) == 20 - len(created) and out.applied == len(created)
    assert [d.summary for d in out.diagnostics] == ["Apply interrupted"]


def test_a_cycle_leaves_the_journal_as_the_apply_found_it() -> None:
    """The creates' intents are recorded ahead, then the changes turn out not to order:
    nothing was sent, so none of them may be left for the next plan to reconcile."""
    p = FakeProvider()
    p.key_uuids = True
    journal = MemoryJournal()
    found = Intent("create", ResourceAddress.parse("fake_pool.old"), {"uuid": "u"}, "old")
    journal.record(found)  # an earlier apply's, reconciled by this plan
    plan = make_plan([res("fake_pool.a", name="a", description=ref("fake_pool.b")),
                      res("fake_pool.b", name="b", description=ref("fake_pool.a")),
                      res("fake_pool.c", name="c")],
                     {"fake_pool.a": Action.CREATE, "fake_pool.b": Action.CREATE,
                      "fake_pool.c": Action.CREATE})
    plan = dataclasses.replace(plan, journal_digest=intents_digest([found]), changes=tuple(
        dataclasses.replace(c, after={"name": c.address.name}) for c in plan.changes))
    out = apply_plan(plan, p, RecordingPersist(), journal=journal)
    assert [d.summary for d in out.diagnostics] == ["Cycle"]
    assert p.objects() == [] and journal.records == 4  # "c" was recorded ahead
    assert journal.pending() == [found]


def test_cycle_is_a_diagnostic_and_nothing_runs() -> None:
    p = FakeProvider()
    plan = make_plan([res("fake_pool.a", name="a", description=ref("fake_pool.b")),
                      res("fake_pool.b", name="b", description=ref("fake_pool.a"))],
                     {"fake_pool.a": Action.CREATE, "fake_pool.b": Action.CREATE})
    out = apply_plan(plan, p, RecordingPersist())
    assert [d.summary for d in out.diagnostics] == ["Cycle"]
    assert "fake_pool.a (create) -> fake_pool.b (create) -> fake_pool.a" in \
        out.diagnostics[0].detail
    assert p.calls == {} and out.applied == 0


def test_provider_bug_is_raised_after_state_is_saved() -> None:
    class Broken(FakeProvider):
        def create(self, type_name, planned):  # type: ignore[no-untyped-def]
            if planned["name"] == "boom":
                raise KeyError("provider bug")
            return super().create(type_name, planned)

    p = Broken()
    persist = RecordingPersist()
    plan = make_plan([res("fake_pool.ok", name="ok"), res("fake_pool.x", name="boom",
                                                          depends_on=["fake_pool.ok"])],
                     {"fake_pool.ok": Action.CREATE, "fake_pool.x": Action.CREATE})
    with pytest.raises(KeyError, match="provider bug"):
        apply_plan(plan, p, persist)
    assert [str(r.address) for r in persist.states[-1].resources] == ["fake_pool.ok"]


def test_outputs_are_evaluated_against_the_final_state() -> None:
    p = FakeProvider()
    p.fail("create", name="bad")
    plan = make_plan(
        [res("fake_vs.web", name="web"), res("fake_vs.bad", name="bad")],
        {"fake_vs.web": Action.CREATE, "fake_vs.bad": Action.CREATE},
        outputs=[OutputConfig("vip", ref("fake_vs.web", "vip")),
                 OutputConfig("bad_vip", ref("fake_vs.bad", "vip")),
                 OutputConfig("info", {"port": 443, "names": ["a"]}, sensitive=True)])
    out = apply_plan(plan, p, RecordingPersist())
    outputs = out.state.outputs
    assert outputs["vip"].value == p.get("fake_vs", "web")["vip"]  # type: ignore[index]
    assert outputs["vip"].type == "string"
    assert outputs["info"].type == ["object", {"port": "number",
                                               "names": ["tuple", ["string"]]}]
    assert outputs["info"].sensitive and "bad_vip" not in outputs
    assert sorted(d.summary for d in out.diagnostics) == [
        "Failed to create object", "Output value not known"]


def test_hook_sees_every_operation_in_order() -> None:
    events: list[str] = []
    lock = threading.Lock()

    class Recorder(NullHook):
        def pre_apply(self, address: ResourceAddress, action: Action) -> None:
            with lock:
                events.append(f"pre {address} {action.value}")

        def post_apply(self, address: ResourceAddress, action: Action, error: str | None,
                       elapsed: float) -> None:
            with lock:
                events.append(f"post {address} {action.value} {error}")

        def state_persisted(self, serial: int) -> None:
            with lock:
                events.append(f"persisted {serial}")

    p = FakeProvider()
    p.fail("create", name="web", detail="nope")
    plan = make_plan([res("fake_pool.web", name="web"),
                      res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web"))],
                     {"fake_pool.web": Action.CREATE, "fake_vs.web": Action.CREATE})
    apply_plan(plan, p, RecordingPersist(), hook=Recorder())
    assert events == ["pre fake_pool.web create",
                      "post fake_pool.web create create of fake_pool 'web' failed: nope"]


def test_unknown_value_after_dependencies_is_reported() -> None:
    p = FakeProvider()
    plan = make_plan([res("fake_pool.web", name="web"),
                      res("fake_vs.web", name="vs", description=ref("fake_pool.web", "nope"))],
                     {"fake_pool.web": Action.CREATE, "fake_vs.web": Action.CREATE})
    out = apply_plan(plan, p, RecordingPersist())
    assert [(d.summary, str(d.address)) for d in out.diagnostics] == [
        ("Value unknown at apply time", "fake_vs.web")]
    assert p.get("fake_vs", "vs") is None


def test_failed_replacement_create_keeps_the_old_object_current() -> None:
    p = FakeProvider()
    old = dict(p.create("fake_pool", {"name": "web"}).attributes)
    p.fail("create", name="web-2", status=400, detail="bad field")
    from albform.engine.testing.plans import state_of

    plan = make_plan([res("fake_pool.web", lifecycle=Lifecycle(create_before_destroy=True),
                          name="web-2")],
                     {"fake_pool.web": Action.CREATE_THEN_DELETE},
                     state_of(("fake_pool.web", old, ())))
    out = apply_plan(plan, p, RecordingPersist())
    assert out.state.by_address()[addr("fake_pool.web")].attributes == old
    assert [d.summary for d in out.diagnostics] == ["Failed to create object"]
    assert p.calls["delete"] == 0



def test_write_behind_coalesces_slow_writes_without_stalling_a_chain() -> None:
    p = FakeProvider(latency=0.005)  # a walk that outlasts the first write
    resources = [res("fake_pool.p0", name="p0")] + [
        res(f"fake_pool.p{i}", name=f"p{i}", description=ref(f"fake_pool.p{i - 1}"))
        for i in range(1, 30)]
    changes = {f"fake_pool.p{i}": Action.CREATE for i in range(30)}
    written: list[list[str]] = []

    def slow_persist(state: object) -> None:
        time.sleep(0.02)  # a big state on a slow disk
        written.append([r.attributes["name"] for r in state.resources])  # type: ignore[attr-defined]

    out = apply_plan(make_plan(resources, changes), p, slow_persist, parallelism=4)
    assert out.applied == 30 and out.persisted == len(written)
    # Coalesced: far fewer writes than steps, and the chain did not wait for each one.
    assert 2 <= len(written) < 30
    # Every write is a consistent prefix of the chain: nothing without its dependency.
    for names in written:
        assert sorted(names, key=lambda n: int(n[1:])) == [f"p{i}" for i in range(len(names))]
    assert len(written[-1]) == 30
