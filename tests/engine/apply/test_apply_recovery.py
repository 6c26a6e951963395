"""An apply that dies between a controller write and the state write that records it leaves an
open intent in the journal; the next plan reconciles it (adopt, refresh, remove, or drop) and
the apply after it converges: the controller holds exactly the state's objects."""

from __future__ import annotations

import dataclasses
import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from albform.engine.apply import ApplyOutcome, apply_plan
from albform.engine.changes import Action, Plan, PlanOptions
from albform.engine.config import Configuration, Lifecycle, MovedBlock
from albform.engine.planning import build_plan
from albform.engine.provider import ApplyResult, ProviderError
from albform.engine.state import journal as journal_module
from albform.engine.state.backends.memory import MemoryBackend
from albform.engine.state.journal import FileJournal, Intent, MemoryJournal, decode_intents
from albform.engine.state.model import State
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import addr, ref, res


class Killed(BaseException):
    """The process died: nothing after this point is written anywhere."""


@pytest.fixture(autouse=True, params=[False, True], ids=["step-intents", "keyed-ahead"])
def keyed(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test runs twice: with the fake's counter uuids (each step records its own
    intent) and with uuids derived from the create key (plain creates are recorded ahead,
    in one write before the first call: ``engine/apply_journal.py``)."""
    monkeypatch.setattr(DyingProvider, "KEYED", request.param)
    monkeypatch.setattr(CheckedProvider, "KEYED", request.param)
    return bool(request.param)


class DyingProvider(FakeProvider):
    """Dies during ``operation`` on the object named ``name``: after the controller did the
    write (its answer lost with the process) or, with ``before=True``, before sending it."""

    KEYED = False

    def __init__(self) -> None:
        super().__init__()
        self.key_uuids = self.KEYED
        self.target: tuple[str, str, bool] | None = None
        self.dead = False

    def die_on(self, operation: str, name: str, *, before: bool = False) -> None:
        self.target, self.dead = (operation, name, before), False

    def _maybe_die(self, operation: str, name: object, before: bool) -> None:
        if self.target is not None and self.target == (operation, name, before):
            self.dead, self.target = True, None
            raise Killed

    def create(self, type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        self._maybe_die("create", planned.get("name"), True)
        result = super().create(type_name, planned)
        self._maybe_die("create", planned.get("name"), False)
        return result

    def update(self, type_name: str, prior: Mapping[str, Any],
               planned: Mapping[str, Any]) -> ApplyResult:
        result = super().update(type_name, prior, planned)
        self._maybe_die("update", planned.get("name"), False)
        return result

    def delete(self, type_name: str, prior: Mapping[str, Any]) -> None:
        super().delete(type_name, prior)
        self._maybe_die("delete", prior.get("name"), False)


class DyingJournal(MemoryJournal):
    """The backend's journal, as a killed process leaves it: nothing is settled after death."""

    def __init__(self, journal: MemoryJournal, provider: DyingProvider) -> None:
        super().__init__()
        self._inner, self._provider = journal, provider

    def record(self, intent: Intent) -> None:
        if self._provider.dead:
            raise Killed
        self._inner.record(intent)

    def record_all(self, intents: Sequence[Intent]) -> None:
        if self._provider.dead:
            raise Killed
        self._inner.record_all(intents)

    def pending(self) -> list[Intent]:
        return self._inner.pending()

    def replace(self, intents: Sequence[Intent]) -> None:
        if not self._provider.dead:
            self._inner.replace(intents)


def run_apply(config: Configuration, provider: DyingProvider, backend: MemoryBackend, *,
              parallelism: int = 1, options: PlanOptions = PlanOptions(),  # noqa: B008
              ) -> tuple[Plan, ApplyOutcome | None]:
    """plan + apply as a new process does; the outcome is None when the apply was killed."""
    provider.dead = False
    plan = make(config, provider, backend, options)
    journal = DyingJournal(backend.journal(), provider)

    def persist(state: State) -> None:
        if not provider.dead:  # a dead process writes nothing more
            backend.write(state)

    try:
        return plan, apply_plan(plan, provider, persist, parallelism=parallelism,
                                journal=journal)
    except Killed:
        return plan, None


def make(config: Configuration, provider: FakeProvider, backend: MemoryBackend,
         options: PlanOptions = PlanOptions()) -> Plan:  # noqa: B008
    plan, diags = build_plan(config, backend.read() or State(), provider, options,
                             intents=backend.journal().pending())
    assert not diags.has_errors(), diags
    return plan


def assert_converged(config: Configuration, provider: FakeProvider,
                     backend: MemoryBackend) -> None:
    """Nothing left to apply, and the controller holds exactly the state's objects."""
    plan = make(config, provider, backend)
    assert not plan.has_changes(), [(str(c.address), c.action) for c in plan.changes]
    state = backend.read()
    assert state is not None
    on_controller = sorted(o["uuid"] for o in provider.objects())
    in_state = sorted([r.attributes["uuid"] for r in (*state.resources, *state.deposed)])
    assert on_controller == in_state  # no orphan, no duplicate
    assert backend.journal().pending() == []


def chain(n: int, **extra: Any) -> Configuration:
    resources = []
    for i in range(n):
        resources += [
            res(f"fake_healthmonitor.h{i}", name=f"hm{i}", type="HTTP"),
            res(f"fake_pool.p{i}", name=f"pool{i}",
                health_monitor_refs=[ref(f"fake_healthmonitor.h{i}")], **extra),
            res(f"fake_vs.v{i}", name=f"vs{i}", pool_ref=ref(f"fake_pool.p{i}"))]
    return Configuration(resources=tuple(resources))


def outcomes(plan: Plan) -> dict[str, str]:
    return {str(r.address): r.outcome for r in plan.recovered if r.outcome != "no effect"}


@pytest.mark.parametrize("parallelism", [1, 4])
def test_object_created_before_the_kill_is_adopted(parallelism: int) -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    provider.die_on("create", "pool1")
    _, outcome = run_apply(chain(3), provider, backend, parallelism=parallelism)
    assert outcome is None and provider.get("fake_pool", "pool1") is not None
    state = backend.read()
    assert state is None or state.get(addr("fake_pool.p1")) is None  # the orphan to be

    plan, outcome = run_apply(chain(3), provider, backend, parallelism=parallelism)
    assert outcomes(plan)["fake_pool.p1"] == "adopted"
    assert addr("fake_pool.p1") not in {c.address for c in plan.changes
                                        if c.action is Action.CREATE}
    assert outcome is not None and not outcome.diagnostics.has_errors()
    assert_converged(chain(3), provider, backend)


def test_create_that_never_reached_the_controller_is_dropped() -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    provider.die_on("create", "pool1", before=True)
    run_apply(chain(2), provider, backend)
    assert provider.get("fake_pool", "pool1") is None
    plan, outcome = run_apply(chain(2), provider, backend)
    # The writes before it are either in a compacted state already or adopted (the journal,
    # not the state, is what made them safe: apply_state); this one had no effect.
    assert "fake_pool.p1" not in outcomes(plan)
    assert set(outcomes(plan).values()) <= {"adopted"}
    assert ("fake_pool.p1", "create", "no effect") in {
        (str(r.address), r.operation, r.outcome) for r in plan.recovered}
    assert addr("fake_pool.p1") in {c.address for c in plan.changes
                                    if c.action is Action.CREATE}
    assert outcome is not None and not outcome.diagnostics.has_errors()
    assert_converged(chain(2), provider, backend)


def test_update_done_before_the_kill_is_recorded_without_a_refresh() -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    run_apply(chain(2), provider, backend)
    changed = chain(2, description="v2")
    provider.die_on("update", "pool0")
    run_apply(changed, provider, backend)
    assert provider.get("fake_pool", "pool0")["description"] == "v2"

    # Even without a refresh the plan knows the update happened.
    plan = make(changed, provider, backend, PlanOptions(refresh=False))
    assert outcomes(plan)["fake_pool.p0"] == "refreshed"
    assert addr("fake_pool.p0") not in {c.address for c in plan.changes
                                        if c.action is not Action.NOOP}
    run_apply(changed, provider, backend)
    assert_converged(changed, provider, backend)


def test_delete_done_before_the_kill_is_removed_from_the_state() -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    run_apply(chain(2), provider, backend)
    fewer = chain(1)
    provider.die_on("delete", "vs1")
    run_apply(fewer, provider, backend)
    assert provider.get("fake_vs", "vs1") is None
    assert backend.read().get(addr("fake_vs.v1")) is not None  # type: ignore[union-attr]

    plan = make(fewer, provider, backend, PlanOptions(refresh=False))
    assert outcomes(plan)["fake_vs.v1"] == "removed"
    run_apply(fewer, provider, backend)
    assert_converged(fewer, provider, backend)


def test_replacement_created_before_the_kill_is_adopted_and_the_old_object_deleted() -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    cbd = Lifecycle(create_before_destroy=True)

    def config(kind: str) -> Configuration:
        return Configuration(resources=(
            res("fake_healthmonitor.h", cbd, name=f"hm-{kind}", type=kind),))

    run_apply(config("HTTP"), provider, backend)
    old = provider.get("fake_healthmonitor", "hm-HTTP")
    provider.die_on("create", "hm-TCP")
    run_apply(config("TCP"), provider, backend)  # type is force_new: replaced

    plan, outcome = run_apply(config("TCP"), provider, backend)
    assert outcomes(plan)["fake_healthmonitor.h"] == "adopted"
    assert outcome is not None and not outcome.diagnostics.has_errors()
    assert old is not None and provider.get("fake_healthmonitor", "hm-HTTP") is None
    assert_converged(config("TCP"), provider, backend)


class UncertainProvider(FakeProvider):
    """A create whose answer is lost and whose retries then fail: the object exists, the
    create raised (the issue's "timed out, then 503s")."""

    def create(self, type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        super().create(type_name, planned)
        if planned.get("name") == "pool0" and not getattr(self, "healed", False):
            raise ProviderError("create of pool pool0 timed out", retriable=True, status=503)
        return super().create(type_name, planned)  # adopts its own object


def test_uncertain_create_is_adopted_by_the_next_apply() -> None:
    provider, backend = UncertainProvider(), MemoryBackend()
    plan = make(chain(1), provider, backend)
    outcome = apply_plan(plan, provider, backend.write, journal=backend.journal())
    assert outcome.diagnostics.has_errors()
    assert [i.address for i in backend.journal().pending()] == [addr("fake_pool.p0")]

    provider.healed = True  # type: ignore[attr-defined]
    plan = make(chain(1), provider, backend)
    assert outcomes(plan) == {"fake_pool.p0": "adopted"}
    outcome = apply_plan(plan, provider, backend.write, journal=backend.journal())
    assert not outcome.diagnostics.has_errors()
    assert_converged(chain(1), provider, backend)


def test_repeated_create_meets_its_own_object_even_without_the_journal() -> None:
    """The 409 rule: the key-derived identity proves the object is ours."""
    provider, backend = DyingProvider(), MemoryBackend()
    provider.key_uuids = True
    run_apply(chain(1), provider, backend)  # a first state, so the lineage is kept
    provider.die_on("create", "pool1")
    run_apply(chain(2), provider, backend)
    backend.journal().replace([])  # lost (e.g. an http state applied from another machine)

    plan, outcome = run_apply(chain(2), provider, backend)
    assert addr("fake_pool.p1") in {c.address for c in plan.changes
                                    if c.action is Action.CREATE}
    assert outcome is not None and not outcome.diagnostics.has_errors(), outcome.diagnostics
    assert len([o for o in provider.objects("fake_pool") if o["name"] == "pool1"]) == 1
    assert_converged(chain(2), provider, backend)


def test_saved_plan_is_refused_once_the_journal_changed() -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    plan = make(chain(1), provider, backend)
    backend.journal().record(Intent("create", addr("fake_pool.x"), {"uuid": "fake_pool-x"}))
    outcome = apply_plan(plan, provider, backend.write, journal=backend.journal())
    assert [d.summary for d in outcome.diagnostics] == ["Saved plan is stale"]
    assert provider.objects() == []


def test_journal_records_each_write_before_it_is_made() -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    journal = backend.journal()
    seen: list[tuple[str, bool]] = []
    original = provider.create

    def create(type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        seen.append((str(planned["name"]), any(i.identity == {"uuid": planned["uuid"]}
                                              for i in journal.pending())))
        return original(type_name, planned)

    provider.create = create  # type: ignore[method-assign]
    plan = make(chain(2), provider, backend)
    apply_plan(plan, provider, backend.write, journal=journal)
    assert len(seen) == 6 and all(recorded for _, recorded in seen)
    assert journal.pending() == []  # settled once the state was written
    assert journal.records == 6  # recorded ahead (keyed) or per step, never twice


@pytest.mark.parametrize("parallelism", [1, 10])
def test_keyed_creates_are_all_recorded_before_the_first_call(keyed: bool,
                                                              parallelism: int) -> None:
    """With uuids derived from the create key the plan fixes every create's intent: all of
    them are durable before anything is sent, and no step records one again."""
    provider, backend = DyingProvider(), MemoryBackend()
    journal = backend.journal()
    pending_at_calls: list[int] = []
    original = provider.create

    def create(type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        pending_at_calls.append(len(journal.pending()))
        return original(type_name, planned)

    provider.create = create  # type: ignore[method-assign]
    apply_plan(make(chain(3), provider, backend), provider, backend.write, journal=journal,
               parallelism=parallelism)
    if keyed:
        assert pending_at_calls == [9] * 9
    elif parallelism == 1:
        assert pending_at_calls == list(range(1, 10))  # one more per step
    else:
        # Steps record and call concurrently: another may record between a step's record and
        # its call, but every call finds its own intent and those of every call before it
        # (so the i-th smallest count is above i, whatever order the counts were noted in).
        assert len(pending_at_calls) == 9
        assert all(count >= i + 1 for i, count in enumerate(sorted(pending_at_calls)))
    assert journal.records == 9 and journal.pending() == []


def test_an_intent_recorded_ahead_that_a_step_would_not_make_is_recorded_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A create whose identity comes out different at its step (here: every guess made
    ahead is wrong) records its own intent before sending: recording ahead is only ever a
    saving, never a rule the step relies on."""
    from albform.engine.apply_creates import CreateKeys

    provider, backend = DyingProvider(), MemoryBackend()
    provider.key_uuids = True
    journal = backend.journal()
    plan = make(chain(1), provider, backend)
    guess = CreateKeys.ahead

    def wrong(self: CreateKeys, *args: Any) -> list[tuple[Any, dict[str, Any]]]:
        return [(a, {**p, "uuid": p["uuid"] + "-guessed"}) for a, p in guess(self, *args)]

    monkeypatch.setattr(CreateKeys, "ahead", wrong)
    seen: list[bool] = []
    create = provider.create

    def checked(type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        seen.append(any(i.identity == {"uuid": planned["uuid"]} for i in journal.pending()))
        return create(type_name, planned)

    provider.create = checked  # type: ignore[method-assign]
    outcome = apply_plan(plan, provider, backend.write, journal=journal)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    assert seen == [True, True, True] and journal.records == 6


def test_adopted_object_keeps_its_dependencies_for_destroy_order() -> None:
    provider, backend = DyingProvider(), MemoryBackend()
    provider.die_on("create", "vs0")
    run_apply(chain(1), provider, backend)
    run_apply(chain(1), provider, backend)
    vs = backend.read().get(addr("fake_vs.v0"))  # type: ignore[union-attr]
    assert vs is not None and addr("fake_pool.p0") in vs.dependencies
    plan, outcome = run_apply(chain(1), provider, backend,
                              options=PlanOptions(destroy=True))
    assert outcome is not None and not outcome.diagnostics.has_errors()
    assert provider.objects() == []
    assert dataclasses.replace(plan, changes=()).recovered == ()


class CheckedProvider(FakeProvider):
    """Checks, as each create, update or delete is sent, that the journal file holds its
    intent within the bytes a finished data sync has covered (``durable``: the file's size
    when that sync began)."""

    KEYED = False

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.key_uuids = self.KEYED
        self.path = path
        self.durable = 0
        self.sent: list[tuple[str, str, bool]] = []
        self._lock = threading.Lock()

    def sync(self, real: Callable[[int], None], fd: int) -> None:
        size = os.fstat(fd).st_size
        time.sleep(random.random() / 300)  # syncs overlap and end in any order
        real(fd)
        with self._lock:
            self.durable = max(self.durable, size)

    def _check(self, operation: str, attributes: Mapping[str, Any]) -> None:
        with self._lock:
            durable = decode_intents(self.path.read_bytes()[:self.durable])
            on_disk = any(i.operation == operation and i.identity == {"uuid": attributes["uuid"]}
                          for i in durable)
            self.sent.append((operation, str(attributes["name"]), on_disk))

    def create(self, type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        self._check("create", planned)
        return super().create(type_name, planned)

    def update(self, type_name: str, prior: Mapping[str, Any],
               planned: Mapping[str, Any]) -> ApplyResult:
        self._check("update", prior)
        return super().update(type_name, prior, planned)

    def delete(self, type_name: str, prior: Mapping[str, Any], **kwargs: Any) -> None:
        self._check("delete", prior)
        super().delete(type_name, prior, **kwargs)


def test_no_write_is_sent_before_its_intent_is_synced_to_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash-safety rule at parallelism 8 with the file journal, whose records share
    overlapping syncs: every call finds its intent on disk (in a finished sync's cover)."""
    provider, backend = CheckedProvider(tmp_path / "journal"), MemoryBackend()
    real = journal_module._sync_data
    monkeypatch.setattr(journal_module, "_sync_data", lambda fd: provider.sync(real, fd))
    for config, options in ((chain(12), PlanOptions()),
                            (chain(12, description="changed"), PlanOptions()),
                            (chain(12), PlanOptions(destroy=True, max_delete_fraction=None))):
        plan = make(config, provider, backend, options)
        outcome = apply_plan(plan, provider, backend.write, parallelism=8,
                             journal=FileJournal(provider.path))
        assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    operations = [operation for operation, _, _ in provider.sent]
    assert operations.count("create") == operations.count("delete") == 36
    assert operations.count("update") == 12  # the pools
    assert [sent for sent in provider.sent if not sent[2]] == []


class RefusingJournal(MemoryJournal):
    """A journal whose store fails (a full disk, a lost database)."""

    def record(self, intent: Intent) -> None:
        raise journal_module.JournalError("cannot write the journal j: No space left on device")

    def record_all(self, intents: Sequence[Intent]) -> None:
        raise journal_module.JournalError("cannot write the journal j: No space left on device")


def test_nothing_is_sent_when_the_journal_refuses_the_intents(keyed: bool) -> None:
    """Recorded ahead (keyed) or per step, a refused intent stops the apply before its call."""
    provider, backend = DyingProvider(), MemoryBackend()
    plan = make(chain(2), provider, backend)
    outcome = apply_plan(plan, provider, backend.write, parallelism=4,
                         journal=RefusingJournal())
    assert provider.objects() == []
    summaries = [d.summary for d in outcome.diagnostics if d.is_error]
    assert summaries == (["Failed to record the intents"] if keyed
                         else ["Failed to record the intent"] * len(summaries))
    assert summaries and outcome.summary.add == 0


def moved_then_reused() -> list[Configuration]:
    """``a`` is created, moved to ``b``, then a new object is declared at ``a``."""
    x = res("fake_pool.x", name="first")
    return [Configuration(resources=(x, res("fake_pool.a", name="one"))),
            Configuration(resources=(x, res("fake_pool.b", name="one")),
                          moved=(MovedBlock(addr("fake_pool.a"), addr("fake_pool.b")),)),
            Configuration(resources=(x, res("fake_pool.b", name="one"),
                                     res("fake_pool.a", name="two")))]


def test_a_new_object_where_one_was_moved_from_gets_a_uuid_of_its_own() -> None:
    """The moved object kept the uuid its first address's key gave it; the new object at
    that address must not derive it again (its create would meet the moved object and take
    it over), even when its first attempt dies and the create is retried."""
    provider, backend = DyingProvider(), MemoryBackend()
    provider.key_uuids = True
    first, moved, reused = moved_then_reused()
    for config in (first, moved):
        _, outcome = run_apply(config, provider, backend)
        assert outcome is not None and not outcome.diagnostics.has_errors()
    provider.die_on("create", "two")  # after the controller made it
    assert run_apply(reused, provider, backend)[1] is None
    _, outcome = run_apply(reused, provider, backend)
    assert outcome is not None and not outcome.diagnostics.has_errors(), outcome.diagnostics
    assert sorted(o["name"] for o in provider.objects("fake_pool")) == ["first", "one", "two"]
    state = backend.read()
    assert state is not None
    assert state.get(addr("fake_pool.b")).attributes["name"] == "one"  # type: ignore[union-attr]
    assert state.get(addr("fake_pool.a")).attributes["name"] == "two"  # type: ignore[union-attr]
    assert_converged(reused, provider, backend)
