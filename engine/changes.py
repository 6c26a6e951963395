"""What a plan says will change: actions, attribute-level changes, resource changes.

These are values; ``planning`` builds them, ``apply`` executes them, the renderers print them.
``Action`` names follow Terraform's JSON plan (``["create"]``, ``["delete", "create"]``...).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import AVI_PROVIDER

if TYPE_CHECKING:
    from albform.engine.recovery import Recovery


class Action(enum.Enum):
    NOOP = "no-op"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    DELETE_THEN_CREATE = "delete-then-create"
    CREATE_THEN_DELETE = "create-then-delete"

    @property
    def is_replace(self) -> bool:
        return self in (Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)

    def json_actions(self) -> list[str]:
        """The ``change.actions`` array of Terraform's plan JSON."""
        return {
            Action.NOOP: ["no-op"],
            Action.CREATE: ["create"],
            Action.READ: ["read"],
            Action.UPDATE: ["update"],
            Action.DELETE: ["delete"],
            Action.DELETE_THEN_CREATE: ["delete", "create"],
            Action.CREATE_THEN_DELETE: ["create", "delete"],
        }[self]


def path_text(path: Sequence[str | int]) -> str:
    """An attribute path as people write it: ``servers[0].ip.addr``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


@dataclass(frozen=True, slots=True)
class AttributeChange:
    """One changed attribute: ``path`` from the object root, values before and after.
    A missing side is represented by ``None``."""

    path: tuple[str | int, ...]
    before: Any
    after: Any
    forces_replacement: bool = False


@dataclass(frozen=True, slots=True)
class ResourceChange:
    address: ResourceAddress
    action: Action
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    attribute_changes: tuple[AttributeChange, ...] = ()
    # Terraform's action_reason: "replace_because_cannot_update", "replace_by_request",
    # "delete_because_no_resource_config", "read_because_config_unknown"...
    reason: str | None = None
    replace_paths: tuple[tuple[str | int, ...], ...] = ()
    provider: str = AVI_PROVIDER
    previous_address: ResourceAddress | None = None
    importing_id: str | None = None
    # Attributes still unknown after this change is applied, for "(known after apply)".
    after_unknown: tuple[tuple[str | int, ...], ...] = ()
    # The deposed key when this change deletes a deposed object (left over from an
    # interrupted create_before_destroy replacement) rather than the current object.
    deposed: str | None = None

    @property
    def type(self) -> str:
        return self.address.type

    @property
    def is_change(self) -> bool:
        """Whether applying this does anything: any action but a no-op, and a no-op that
        moves the object to a new address or imports it (the state changes)."""
        return (self.action is not Action.NOOP or self.previous_address is not None
                or self.importing_id is not None)


@dataclass(frozen=True, slots=True)
class OutputChange:
    name: str
    action: Action
    before: Any
    after: Any
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class PlanSummary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    imported: int = 0


@dataclass(frozen=True, slots=True)
class PlanOptions:
    targets: tuple[ResourceAddress, ...] = ()
    replace: tuple[ResourceAddress, ...] = ()
    refresh: bool = True
    refresh_only: bool = False
    destroy: bool = False
    # Blast-radius guard: refuse plans deleting more than this share of managed objects.
    max_delete_fraction: float | None = 0.5
    force: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plan:
    """A computed plan: the changes, plus what they were computed against.

    ``prior_state`` is the state after refresh, ``prev_run_state`` the state as stored before
    it; drift is the difference between the two. ``lineage``/``serial`` come from the stored
    state so that applying a saved plan against a moved state fails ("Saved plan is stale").
    ``configuration`` is kept because apply re-evaluates ``Deferred`` values with the values
    known after each dependency is applied.
    """

    changes: tuple[ResourceChange, ...]
    prior_state: Any  # albform.engine.state.model.State (Any avoids an import cycle)
    prev_run_state: Any
    configuration: Any  # albform.engine.config.Configuration
    options: PlanOptions = field(default_factory=PlanOptions)
    output_changes: tuple[OutputChange, ...] = ()
    drift: tuple[ResourceChange, ...] = ()
    lineage: str = ""
    serial: int = 0
    errored: bool = False
    complete: bool = True
    timestamp: str = ""
    recovered: tuple[Recovery, ...] = ()
    journal_digest: str = ""

    def has_changes(self) -> bool:
        """Whether applying the plan would do anything: a resource change (moves and
        imports count), an output change, in refresh-only mode drift to save, or the outcome
        of an interrupted apply to record (only an apply settles the journal). Never for an
        errored plan. The one rule for the plan text, ``-detailed-exitcode`` (2), the JSON
        plan's ``applyable`` and whether apply runs."""
        return not self.errored and (
            bool(self.recovered)
            or any(c.is_change for c in self.changes)
            or any(o.action is not Action.NOOP for o in self.output_changes)
            or (self.options.refresh_only and bool(self.drift))
        )

    def records_reads(self) -> bool:
        """Whether a refresh-only apply has something to save that no plan shows: the refresh
        read objects whose state gains or changes only its read marks (a state an older
        albform wrote). Like Terraform's refresh, that apply keeps what it read; the plan
        still has no changes (``has_changes``: text, exit code, ``applyable``)."""
        prev, prior = self.prev_run_state, self.prior_state
        return (not self.errored and self.options.refresh_only and prev is not None
                and prior is not None and prior is not prev
                and (prior.resources != prev.resources or prior.deposed != prev.deposed))

    def summary(self) -> PlanSummary:
        add = change = destroy = imported = 0
        for c in self.changes:
            if c.action is Action.CREATE:
                add += 1
            elif c.action is Action.UPDATE:
                change += 1
            elif c.action is Action.DELETE:
                destroy += 1
            elif c.action.is_replace:
                add += 1
                destroy += 1
            if c.importing_id is not None:
                imported += 1
        return PlanSummary(add, change, destroy, imported)
