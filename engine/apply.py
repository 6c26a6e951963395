"""``apply_plan``: carry out a plan against a provider, persisting state as it goes.

The plan's changes become a graph of provider operations (``apply_graph``), walked with
bounded parallelism. Each create/update re-evaluates the resource's configuration against the
*new* state (so a pool's uuid, known only once created, reaches the virtual service that
refers to it), canonicalises it through the provider, and calls it. Every completed
operation is persisted through ``persist`` (``apply_state``: before the next step with
``parallelism=1``, write-behind and coalesced otherwise), so a crash never forgets an object
that was created; a create that fails half-way (``ProviderError.partial_state``) is recorded
as tainted. A create_before_destroy replacement first turns the old object into a *deposed*
object of the state, so a crash before its delete leaves it recorded (the next plan deletes
it); a failed delete leaves it deposed, with a warning. Provider failures become diagnostics
naming the resource and the API's answer, and only root causes are reported: dependants are
skipped. An imported object records a restore point (``ResourceState.adopted_from``), which
its delete hands to the provider so a built-in it cannot delete gets its values back. Setting
``stop`` (SIGINT, SIGTERM) lets the calls in flight finish, persists, and returns
``interrupted=True``. Progress goes to ``hook``.

With a ``journal`` every create, update and delete is recorded there, durably, before the
provider is called (``apply_journal.StepJournal``): write-behind persistence may lose the last
steps in a crash, the journal does not, and the next plan reconciles them
(``engine/recovery.py``). So with a journal the state is written as a compaction at any
parallelism (``apply_state``): rarely during the walk, whole at the end; its cost no longer
grows with the number of steps. A create's identity is fixed first
(``Provider.prepare_create``), so a create repeated after a crash meets its own object.
Any other exception from the provider is a bug: it is re-raised after the state is saved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.apply_checks import StepError, check_consistent
from albform.engine.apply_creates import CreateKeys
from albform.engine.apply_graph import Step, build_apply_graph
from albform.engine.apply_journal import StepJournal
from albform.engine.apply_outputs import evaluate_outputs
from albform.engine.apply_state import WorkingState
from albform.engine.changes import Action, Plan, PlanSummary, ResourceChange
from albform.engine.collector import heap_frozen
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.diagnostics import Diagnostic, Diagnostics
from albform.engine.diff import merge_desired, overlay_unconfigured
from albform.engine.graph import CycleError
from albform.engine.hooks import Hook, NullHook
from albform.engine.ignore_changes import keep_ignored
from albform.engine.provider import Provider, ProviderError, describe_error, object_id
from albform.engine.secrets import digest_sent, without_digests
from albform.engine.state.journal import IntentJournal
from albform.engine.state.model import ResourceState, State
from albform.engine.switch_interval import quick_switches
from albform.engine.values import contains_placeholder, resolve_deferred


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    """What an apply did. ``state`` is the final state (persisted unless
    ``persist_failed``: then the caller should save it as an errored-state file).
    ``summary`` counts completed changes the way "Apply complete!" reports them."""

    state: State
    diagnostics: Diagnostics
    applied: int
    failed: tuple[ResourceAddress, ...] = ()
    skipped: tuple[ResourceAddress, ...] = ()
    interrupted: bool = False
    not_started: tuple[ResourceAddress, ...] = ()
    summary: PlanSummary = field(default_factory=PlanSummary)
    persisted: int = 0
    persist_failed: bool = False


class _Stop:
    """The walk stops when the caller's event is set or persisting failed."""

    def __init__(self, external: threading.Event | None) -> None:
        self.external = external
        self.internal = threading.Event()

    def is_set(self) -> bool:
        return self.internal.is_set() or (self.external is not None and self.external.is_set())


def apply_plan(plan: Plan, provider: Provider, persist: Callable[[State], None], *,
               hook: Hook | None = None, parallelism: int = 10,
               stop: threading.Event | None = None,
               journal: IntentJournal | None = None,
               prepare: Callable[[ResourceState], None] | None = None) -> ApplyOutcome:
    """Apply ``plan``. ``persist`` receives each new state, its serial already one above the
    previous write (starting above the plan's prior state), and is called under a lock.
    ``journal`` is the state backend's intent journal (None: no crash safety, tests only);
    ``prepare`` its ``StateBackend.prepare`` (``apply_state.WorkingState``)."""
    with heap_frozen(), quick_switches():  # see collector.py and switch_interval.py
        return _Apply(plan, provider, persist, hook or NullHook(), parallelism, stop,
                      journal, prepare).run()


class _Apply:
    def __init__(self, plan: Plan, provider: Provider, persist: Callable[[State], None],
                 hook: Hook, parallelism: int, stop: threading.Event | None,
                 journal: IntentJournal | None,
                 prepare: Callable[[ResourceState], None] | None = None) -> None:
        self.plan = plan
        self.provider = provider
        self.hook = hook
        self.parallelism = parallelism
        self.stop = _Stop(stop)
        prior: State = plan.prior_state if plan.prior_state is not None else State()
        config: Configuration = plan.configuration or Configuration()
        self.configs: dict[ResourceAddress, ResourceConfig] = config.by_address()
        self.configuration = config
        self.changes = {c.address: c for c in plan.changes
                        if c.deposed is None and c.is_change}
        # Deletes of deposed objects left over from an interrupted replacement.
        self.leftovers = {(c.address, c.deposed): c for c in plan.changes
                          if c.deposed is not None}
        self.all_changes = {c.address: c for c in plan.changes if c.deposed is None}
        # The deposed key of each object this apply replaced create-before-destroy.
        self.deposed_keys: dict[ResourceAddress, str] = {}
        self._previous: dict[ResourceAddress, ResourceState | None] = {}
        self.intents = StepJournal(journal, provider, on_refused=self.stop.internal.set)
        self.creates = CreateKeys(provider, prior.lineage)
        self.work = WorkingState(prior, max(prior.serial, plan.serial), persist, hook,
                                 on_error=self.stop.internal.set,
                                 journaled=journal is not None, prepare=prepare)
        self.diagnostics = Diagnostics()
        self.bugs: list[BaseException] = []
        self.data: dict[ResourceAddress, Mapping[str, Any]] = {}
        self.data_lock = threading.Lock()

    # -- driver ---------------------------------------------------------------------------
    def run(self) -> ApplyOutcome:
        if self.plan.errored:
            self.diagnostics.error(
                "Cannot apply an errored plan",
                "The plan was computed with errors, so it may be incomplete. Fix the errors "
                "and plan again.")
            return self._outcome(frozenset(), {}, frozenset(), frozenset())
        if not self.intents.current(self.plan.journal_digest, self.diagnostics):
            return self._outcome(frozenset(), {}, frozenset(), frozenset())
        if self.plan.recovered:
            self.work.mark_dirty()  # the reconciled intents are recorded by this apply
        for change in self.changes.values():
            if change.previous_address is not None:
                self.work.move(change.previous_address, change.address)
                # The plan's prior state already holds the new address, so the move above
                # may find nothing to do; the stored state still has the old one.
                self.work.mark_dirty()
        previous = self.plan.prev_run_state
        if previous is not None and previous is not self.plan.prior_state \
                and previous.resources != self.plan.prior_state.resources:
            # Refreshed (drift, objects gone) or moved: the state to keep is the new one,
            # even when no change runs (apply -refresh-only).
            self.work.mark_dirty()
        prior, deposed = self.work.resources(), self.work.deposed()
        self.creates.prior((*prior.values(), *deposed.values()))
        graph = build_apply_graph([*self.changes.values(), *self.leftovers.values()],
                                  self.configs, prior, deposed, self.provider)
        try:
            if self.intents.journal is not None:
                self.intents.record_ahead(self.creates.ahead(self.changes.values(),
                                                             self.configs))
        except StepError as exc:
            # The journal refused them: the stop is set, so no step starts; the state is
            # still written (moves, refreshes), as when a step's own record is refused.
            self.diagnostics.error(exc.summary, exc.detail)
        if self.parallelism > 1 or self.work.journaled:
            self.work.start_background()
        cycles: list[list[Step]] = []
        try:
            result = graph.walk(self._visit, parallelism=self.parallelism,
                                stop=self.stop, key=Step.sort_key)
        except CycleError as exc:  # raised before any step ran
            cycles = exc.cycles
        finally:
            self.work.close()
        if cycles:
            self.intents.withdraw_ahead(self.diagnostics)
            for cycle in cycles:
                self.diagnostics.error(
                    "Cycle", "The changes cannot be ordered: "
                    + " -> ".join(str(s) for s in cycle)
                    + ". Break the cycle, or mark the replaced resources "
                    "create_before_destroy consistently.")
            return self._outcome(frozenset(), {}, frozenset(), frozenset())
        for step, error in result.failed.items():
            self._report(step, error)
        if self.work.persist_error is None:
            self._finish_outputs(interrupted=bool(result.not_started))
            self.work.flush()
        if self.work.persist_error is None:
            self.intents.settle(self.diagnostics, {(s.address, s.deposed) for s in result.failed})
        done = {s.address for s in result.succeeded if s.deposed is None}
        gone = [self.leftovers[(s.address, s.deposed)] for s in result.succeeded
                if s.deposed is not None]
        return self._outcome(done, result.failed, result.skipped, result.not_started, gone)

    def _outcome(self, done: set[ResourceAddress] | frozenset[ResourceAddress],
                 failed: Mapping[Step, BaseException], skipped: frozenset[Step],
                 not_started: frozenset[Step],
                 leftovers_done: list[ResourceChange] | None = None) -> ApplyOutcome:
        failed_at = {s.address for s in failed}
        skipped_at = {s.address for s in skipped} - failed_at
        waiting_at = {s.address for s in not_started} - failed_at - skipped_at
        # A leftover deposed object's failed delete leaves its address's own change complete.
        incomplete = {s.address for s in (*failed, *skipped, *not_started)
                      if s.deposed is None}
        completed = [c for a, c in self.changes.items() if a in done and a not in incomplete]
        completed += leftovers_done or []
        self._warn_deposed()
        persist_failed = self.work.persist_error is not None
        if persist_failed:
            self.diagnostics.error(
                "Failed to persist state",
                f"Writing the state failed: {self.work.persist_error}. The apply stopped; "
                "the last state was not saved. Save the returned state (as an errored state "
                "file) and push it once the backend works again, or later applies will not "
                "know about objects created in this run.")
        interrupted = bool(not_started) and not persist_failed
        if interrupted:
            self.diagnostics.warning(
                "Apply interrupted",
                f"{len(waiting_at)} resource change(s) were not started; operations in "
                "flight finished and the state was saved. Run apply again to continue.")
        # The last write's state, or after a failed write the state it should have written.
        state = self.work.snapshot()
        if self.bugs:
            raise self.bugs[0]
        return ApplyOutcome(
            state=state, diagnostics=self.diagnostics, applied=len(completed),
            failed=_sorted(failed_at), skipped=_sorted(skipped_at),
            interrupted=interrupted, not_started=_sorted(waiting_at),
            # Counted by the plan's own rules ("N added, N changed, N destroyed").
            summary=Plan(tuple(completed), None, None, None).summary(),
            persisted=self.work.persisted, persist_failed=persist_failed)

    # -- one step ---------------------------------------------------------------------------
    def _visit(self, step: Step) -> None:
        self.hook.pre_apply(step.address, step.action)
        started = time.monotonic()
        try:
            if step.kind == "delete_deposed":
                self._delete_deposed(step)
            else:
                handler = getattr(self, f"_do_{step.kind}")
                handler(step.address, self.changes[step.address])
        except BaseException as exc:
            self.hook.post_apply(step.address, step.action, _message(exc),
                                 time.monotonic() - started)
            raise
        finally:
            self.work.flush()
        self.hook.post_apply(step.address, step.action, None, time.monotonic() - started)

    def _do_create(self, address: ResourceAddress, change: ResourceChange) -> None:
        desired = self._desired(change, None)
        check_consistent(self.provider, change, desired)
        key = None
        if change.action is Action.CREATE_THEN_DELETE:
            # create_before_destroy: the old object becomes deposed, and that is persisted
            # (synchronous mode) before the new one is created, so no crash forgets it.
            previous = self.work.get(address)
            key = self.work.depose(address)
            if key is not None:
                self.deposed_keys[address] = key
                self._previous[address] = previous
                self.work.flush(now=True)
        try:
            planned = self.provider.prepare_create(address.type, desired,
                                                   self.creates.key(change))
            self.intents.record("create", address, planned)
            result = self.provider.create(address.type, planned)
        except ProviderError as exc:
            if exc.partial_state is not None:
                self.work.put(self._state_for(change, exc.partial_state, tainted=True))
            elif key is not None:
                self.work.restore_deposed(address, key)  # nothing replaces it after all
            raise
        except BaseException:
            if key is not None:
                self.work.restore_deposed(address, key)
            raise
        attributes = digest_sent(self.provider.schema(address.type), desired,
                                 result.attributes, None)
        self.work.put(self._state_for(change, attributes, mark=result.mark))
        self._warnings(address, result.diagnostics)

    def _do_update(self, address: ResourceAddress, change: ResourceChange) -> None:
        current = self.work.get(address)
        if current is None:
            raise StepError("Object missing from state",
                            f"{address} is to be updated but the state holds no object for it.")
        desired = self._desired(change, current.attributes)
        # The update is a PUT of the current object with the configured values laid over it,
        # exactly the ``after`` the plan showed (unset means "leave as is").
        planned = merge_desired(self.provider.schema(address.type), current.attributes, desired)
        # ...plus what the plan unsets although the configuration does not set it (a ref to
        # an object this plan deletes).
        planned = overlay_unconfigured(planned, desired, change.attribute_changes)
        check_consistent(self.provider, change, planned)
        # A digest stands for "the secret the controller already has": never sent.
        self.intents.record("update", address, current.attributes)
        result = self.provider.update(address.type, current.attributes,
                                      without_digests(planned))
        attributes = digest_sent(self.provider.schema(address.type), planned,
                                 result.attributes, current.attributes)
        state = self._state_for(change, attributes, mark=result.mark)
        if current.adopted_from is not None:
            # An attribute configured since the import: its value before this first change
            # joins the restore point.
            state = replace(state, adopted_from=restore_point(
                desired, current.attributes, current.adopted_from))
        self.work.put(state)
        self._warnings(address, result.diagnostics)

    def _do_delete(self, address: ResourceAddress, change: ResourceChange) -> None:
        current = self.work.get(address)
        if current is not None:
            self.intents.record("delete", address, current.attributes)
        if current is not None and current.adopted_from is not None:
            self.provider.delete(address.type, current.attributes,
                                 original=current.adopted_from)
        elif current is not None:
            self.provider.delete(address.type, current.attributes)
        self.work.remove(address)

    def _delete_deposed(self, step: Step) -> None:
        key = step.deposed if step.deposed is not None else self.deposed_keys.get(step.address)
        if key is None:
            return  # the replaced object was not in the state: nothing to delete
        old = self.work.deposed_object(step.address, key)
        if old is not None:
            self.intents.record("delete", step.address, old.attributes, key)
            self.provider.delete(step.address.type, old.attributes)
        self.work.forget_deposed(step.address, key)

    def _do_read(self, address: ResourceAddress, change: ResourceChange) -> None:
        query = self._desired(change, None, canonical=False)
        result = self.provider.read_data_source(address.type, query)
        if result.attributes is None:
            raise StepError("Data source lookup failed", "; ".join(
                d.detail or d.summary for d in result.diagnostics) or "no object matched")
        # Kept for this apply's references only: the planner reads data sources afresh on
        # every plan, and does not prune them from state.
        with self.data_lock:
            self.data[address] = dict(result.attributes)

    def _do_import(self, address: ResourceAddress, change: ResourceChange) -> None:
        identifier = change.importing_id or ""
        result = self.provider.import_resource(address.type, identifier)
        if result.attributes is None:
            raise StepError("Cannot import non-existent remote object",
                            f"No {address.type} object {identifier!r} exists; check the id "
                            "of the import block.")
        state = self._state_for(change, result.attributes, mark=result.mark)
        config = self.configs.get(address)
        if config is not None:
            state = replace(state, adopted_from=restore_point(config.attributes,
                                                              result.attributes))
        self.work.put(state)

    # -- values -------------------------------------------------------------------------------
    def _resolve(self, address: ResourceAddress) -> Mapping[str, Any]:
        found = self.work.attributes(address)
        if found is not None:
            return found
        with self.data_lock:
            found = self.data.get(address)
        if found is not None:
            return found
        change = self.all_changes.get(address)
        if change is not None and change.after is not None \
                and not contains_placeholder(dict(change.after)):
            return change.after
        raise StepError("Reference to a missing object",
                        f"{address} is referred to but has no object in the state (was it "
                        "removed from the configuration, or did its apply fail?).")

    def _desired(self, change: ResourceChange, prior: Mapping[str, Any] | None, *,
                 canonical: bool = True) -> dict[str, Any]:
        config = self.configs.get(change.address)
        raw: Mapping[str, Any] = config.attributes if config else (change.after or {})
        values: dict[str, Any] = resolve_deferred(dict(raw), self._resolve)
        if contains_placeholder(values):
            raise StepError(
                "Value unknown at apply time",
                f"Some attributes of {change.address} are still unknown after everything it "
                "depends on was applied; a dependency did not produce the value it promised.")
        if not canonical:
            return values
        values = self.provider.canonicalize(change.address.type, values)
        if config is not None and prior is not None:
            # The same rule, on the same canonical values, as planning used.
            values = keep_ignored(values, prior, config.lifecycle)
        return values

    def _state_for(self, change: ResourceChange, attributes: Mapping[str, Any], *,
                   tainted: bool = False, mark: str | None = None) -> ResourceState:
        """The state object of ``change``'s address holding ``attributes`` (read mark
        ``mark``: the provider's for exactly these attributes, None when it gave none)."""
        config = self.configs.get(change.address)
        status = "tainted" if tainted else None
        previous = self.work.get(change.address) or self._previous.get(change.address)
        if config is None and previous is not None:
            return replace(previous, attributes=dict(attributes), status=status, mark=mark)
        new = ResourceState(address=change.address, attributes=dict(attributes),
                            provider=change.provider, status=status, mark=mark)
        if previous is not None:  # keep what we don't own (schema_version, unknown keys)
            new = replace(previous, attributes=new.attributes, status=status, mark=mark)
        if config is None:
            return new
        deps = config.dependencies()
        if previous is not None:
            deps |= self._still_referenced(change.address.type, attributes,
                                           previous.dependencies)
        return replace(new, provider=config.provider,
                       dependencies=tuple(sorted(deps, key=ResourceAddress.sort_key)),
                       create_before_destroy=config.lifecycle.create_before_destroy)

    def _still_referenced(self, type_name: str, attributes: Mapping[str, Any],
                          candidates: Iterable[ResourceAddress]) -> set[ResourceAddress]:
        """The earlier dependencies the object still refers to although the configuration
        no longer does (an unset attribute is left as is): deletes must keep waiting for it."""
        schema = self.provider.schema(type_name)
        if schema is None:
            return set()
        named: set[str] = set()
        for name, attr in schema.attributes.items():
            value = attributes.get(name)
            if attr.refers_to and value is not None:
                for v in value if isinstance(value, list) else [value]:
                    if (ident := self.provider.ref_id(v)) is not None:
                        named.add(ident)
        kept: set[ResourceAddress] = set()
        for dep in candidates:
            dep_attrs = self.work.attributes(dep)
            if dep_attrs is not None and object_id(self.provider, dep.type, dep_attrs) in named:
                kept.add(dep)
        return kept

    # -- reporting ----------------------------------------------------------------------------
    def _report(self, step: Step, error: BaseException) -> None:
        verb = {"create": "create", "update": "update", "delete": "delete",
                "delete_deposed": "delete the replaced", "read": "read", "import": "import"}
        if isinstance(error, ProviderError):
            detail = describe_error(error)
            if error.retriable:
                detail += ". The error is temporary; running apply again may succeed."
            if error.partial_state is not None:
                detail += " The object was created half-way and is recorded as tainted: " \
                          "the next apply replaces it."
            if error.status == 409 and step.kind in ("delete", "delete_deposed"):
                detail += (". The controller keeps objects that others still refer to: "
                           "remove those references (or the referring objects) first, then "
                           "apply again.")
            self.diagnostics.append(Diagnostic.error(
                f"Failed to {verb[step.kind]} object", detail, address=step.address))
        elif isinstance(error, StepError):
            self.diagnostics.append(Diagnostic.error(error.summary, error.detail,
                                                     address=step.address))
        else:
            self.bugs.append(error)

    def _warnings(self, address: ResourceAddress, diagnostics: Diagnostics) -> None:
        for d in diagnostics:
            self.diagnostics.append(Diagnostic(d.severity, d.summary, d.detail, d.subject,
                                               d.address or address))

    def _warn_deposed(self) -> None:
        tried = {(a, k) for a, k in self.deposed_keys.items()} | set(self.leftovers)
        for (address, key), old in sorted(self.work.deposed().items(),
                                          key=lambda item: (item[0][0].sort_key(), item[0][1])):
            if (address, key) not in tried:
                continue
            self.diagnostics.warning(
                "Replaced object left behind",
                f"The previous object of {address} (deposed object {key}, name "
                f"{old.attributes.get('name')!r}, uuid {old.attributes.get('uuid')!r}) was "
                "replaced but not deleted. It stays in the state as a deposed object; the "
                "next apply deletes it.", address=address)

    def _finish_outputs(self, *, interrupted: bool) -> None:
        prior = self.work.snapshot()
        if self.plan.options.destroy and not interrupted:
            self.work.set_outputs({})
            return
        outputs, diags = evaluate_outputs(self.configuration.outputs, prior)
        self.diagnostics.extend(diags)
        self.work.set_outputs(outputs)


def restore_point(configured: Mapping[str, Any], original: Mapping[str, Any],
                  recorded: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What an imported object's configured attributes were before albform changed them:
    ``recorded`` (the restore point so far) plus, for each attribute of ``configured`` not in
    it yet, its value in ``original`` (``None``: the object did not have it)."""
    point = dict(recorded or {})
    for name in configured:
        if name not in point:
            point[name] = original.get(name)
    return point


def _message(error: BaseException) -> str:
    if isinstance(error, ProviderError) and error.detail:
        return f"{error}: {error.detail}"
    return str(error) or type(error).__name__


def _sorted(addresses: set[ResourceAddress]) -> tuple[ResourceAddress, ...]:
    return tuple(sorted(addresses, key=ResourceAddress.sort_key))
