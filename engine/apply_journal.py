"""``StepJournal``: one apply's use of the state's intent journal (``engine/state/journal.py``).

The rule it keeps (the crash-safety rule of ``engine/apply.py``): every create, update and
delete is recorded durably *before* the provider is called, and a write whose intent cannot
be recorded is not made — the apply stops. Once the final state is persisted, the journal keeps
only the intents of failed steps, whose outcome is unknown (a create that timed out may have
happened); the next plan reconciles them (``engine/recovery.py``). A saved plan reconciled the
journal as it was when planned, so it is refused if the journal changed since.

Intents recorded ahead: before its first call, an apply records in one write the intents its
plan already fixes (``record_ahead``: plain creates whose identity and name are known before
anything is applied — the provider derives a new object's identity from the create key). A
step whose intent, computed as always, is exactly one recorded ahead sends without writing it
again: it is already durable, which is all the rule asks. Any other step records its own. An
intent recorded ahead whose step never ran is dropped when the apply settles (nothing was
sent for it); after a crash the next plan finds its object missing and drops it too (recovery
rule 2). At ``-parallelism`` 32 a record per step was a sync each and several waits for the
interpreter lock inside the walk, about a fifth of its time.

Without a journal (tests only) every method is a no-op that succeeds.
Thread-safety: ``record`` is called by every walk worker at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.apply_checks import StepError
from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import Provider
from albform.engine.state.journal import (
    Intent,
    IntentJournal,
    JournalError,
    Operation,
    intents_digest,
)
from albform.engine.values import contains_placeholder

# Where an intent was recorded: the address and, for a replaced object, its deposed key.
Where = tuple[ResourceAddress, str | None]


class StepJournal:
    """The intents one apply records. ``on_refused`` is called when an intent cannot be
    recorded (the apply must stop: nothing more may be sent)."""

    def __init__(self, journal: IntentJournal | None, provider: Provider, *,
                 on_refused: Callable[[], None]) -> None:
        self.journal = journal
        self._provider = provider
        self._on_refused = on_refused
        self._recorded: list[tuple[Where, Intent]] = []
        self._ahead: dict[Where, Intent] = {}
        self._found: list[Intent] = []  # what the journal held when the apply began
        self._lock = threading.Lock()

    def current(self, plan_digest: str, diagnostics: Diagnostics) -> bool:
        """Whether the journal still holds what the plan reconciled (``plan_digest``); if
        not, or if it cannot be read, an error in ``diagnostics`` says why."""
        if self.journal is None:
            return True
        try:
            pending = self.journal.pending()
        except JournalError as exc:
            diagnostics.error("Cannot read the intent journal", str(exc))
            return False
        self._found = pending
        if intents_digest(pending) != plan_digest:
            diagnostics.error(
                "Saved plan is stale",
                "Another apply was interrupted after this plan was made: the state's intent "
                "journal has changed. Run plan again, so that it reconciles them.")
            return False
        return True

    def record_ahead(self, creates: Sequence[tuple[ResourceAddress, Mapping[str, Any]]]) -> None:
        """Record, in one write, the create intent of each ``(address, planned)`` whose
        identity and name hold no unknown value (see the module docstring). ``planned`` is
        what ``Provider.prepare_create`` makes of the plan's values; a step recomputes its
        intent anyway, so one guessed wrong costs only a record of its own later. Raises
        ``StepError`` (after ``on_refused``) when the journal refuses them: nothing was sent."""
        if self.journal is None:
            return
        ahead: dict[Where, Intent] = {}
        for address, planned in creates:
            intent = self._intent("create", address, planned, None)
            if not contains_placeholder(dict(intent.identity)) \
                    and not contains_placeholder(planned.get("name")):
                ahead[(address, None)] = intent
        if not ahead:
            return
        try:
            self.journal.record_all(list(ahead.values()))
        except JournalError as exc:
            self._on_refused()
            raise StepError("Failed to record the intents",
                            f"{exc}. Nothing was sent; the apply stops, as writes that a "
                            "crash could leave unrecorded are not made.") from exc
        self._ahead = ahead

    def withdraw_ahead(self, diagnostics: Diagnostics) -> None:
        """No step will run after all (the changes cannot be ordered): leave the journal as
        the apply found it, without the intents recorded ahead, so the next plan does not
        report an interrupted apply. A journal that cannot be rewritten is a warning: its
        extra intents only make the next plan look for objects that are not there."""
        if self.journal is None or not self._ahead:
            return
        try:
            self.journal.replace(self._found)
        except JournalError as exc:
            diagnostics.warning("Intent journal not restored",
                                f"{exc}. The next plan reads the intents back and finds "
                                "that none of their writes was made.")
        self._ahead = {}

    def record(self, operation: Operation, address: ResourceAddress,
               attributes: Mapping[str, Any], deposed: str | None = None) -> None:
        """Journal the write about to be made; nothing is sent unless this returns.
        Raises ``StepError`` (after ``on_refused``) when the journal refuses it."""
        if self.journal is None:
            return
        intent = self._intent(operation, address, attributes, deposed)
        where = (address, deposed)
        if self._ahead.get(where) != intent:
            try:
                self.journal.record(intent)
            except JournalError as exc:
                self._on_refused()
                raise StepError("Failed to record the intent",
                                f"{exc}. Nothing was sent for {address}; the apply stops, as "
                                "writes that a crash could leave unrecorded are not made."
                                ) from exc
        with self._lock:
            self._recorded.append((where, intent))

    def _intent(self, operation: Operation, address: ResourceAddress,
                attributes: Mapping[str, Any], deposed: str | None) -> Intent:
        name = attributes.get("name")
        return Intent(operation, address, self._provider.identity(address.type, attributes),
                      name if isinstance(name, str) else None, deposed)

    def settle(self, diagnostics: Diagnostics, failed: set[Where]) -> None:
        """The final state is persisted: keep only the intents of the ``failed`` steps.
        A journal that cannot be rewritten is a warning: the state is already saved."""
        if self.journal is None:
            return
        kept = [intent for where, intent in self._recorded if where in failed]
        try:
            self.journal.replace(kept)
        except JournalError as exc:
            diagnostics.warning(
                "Intent journal not cleared",
                f"{exc}. The state is saved; the next plan reads the journal back and finds "
                "every change already recorded.")
