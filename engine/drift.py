"""Drift: what changed on the controller since the last run, outside of albform.

``detect_drift(prev_run, refreshed, schemas)`` compares the stored state with the state after
refresh: an object whose attributes changed is an UPDATE (with attribute changes in both
directions: values changed, added and removed by the server side); an object gone is a
DELETE. ``planning`` calls it for ``plan.drift``.

``DriftReport`` is the nightly-job view (docs/users-and-peers.md §3.4), in driftctl's classes:
provenance (lineage, serial, times), counts (managed / in sync / changed / missing /
unmanaged), the in-sync share (managed objects found in sync) and, when unmanaged objects were
looked for, the coverage (driftctl's meaning: the share of this state's marked objects on the
controller that the state manages), the changed attributes per object with their values,
causes grouped by type and attribute path, unmanaged objects (on the controller with this
state's ownership markers, not in state: a front end finds them), alerts (reads that failed,
so a gap is never mistaken for "in sync"), runtime health findings (a GslbService member
down), and JSON, text and Markdown renderings. A changed value too long for a line is shown
around its first difference, never cut before it. ``exit_code`` follows
``-detailed-exitcode``: 0 in sync, 1 errors, 2 drift (changed, missing or unmanaged) or
unhealthy.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from albform.engine.changes import Action, AttributeChange, ResourceChange, path_text
from albform.engine.diff import diff_attributes
from albform.engine.schema import ResourceSchema, as_stored
from albform.engine.state.model import State
from albform.engine.values import UNKNOWN

# 2.0: "coverage" (which was the in-sync share) became "in_sync_share"; "coverage" now means
# what driftctl's does; "unmanaged" added.
DRIFT_REPORT_VERSION = "2.0"
SENSITIVE_TEXT = "(sensitive value)"
# Scalr's sync-or-revert choice: "revert" = `albform apply` (the configuration wins),
# "accept" = `albform apply -refresh-only` (record reality) and update the configuration.
SUGGESTED_CHANGED = ("revert", "accept")
SUGGESTED_MISSING = ("revert", "forget")
SUGGESTED_UNMANAGED = ("import", "delete")


def detect_drift(prev_run: State, refreshed: State,
                 schemas: Mapping[str, ResourceSchema]) -> tuple[ResourceChange, ...]:
    """Changes made outside albform, in address order."""
    after_by_address = refreshed.by_address()
    out: list[ResourceChange] = []
    for rs in prev_run.resources:
        if rs.address.is_data:
            continue
        now = after_by_address.get(rs.address)
        if now is None:
            out.append(ResourceChange(rs.address, Action.DELETE, rs.attributes, None,
                                      provider=rs.provider))
            continue
        if now.attributes is rs.attributes or now.attributes == rs.attributes:
            continue
        schema = schemas.get(rs.address.type)
        # Like with like: what a state holds of each (a key the state cannot hold, which the
        # controller returns but the provider's schema lacks, is not a change since the
        # last run; the plan still compares the configuration with everything read).
        changes = changed_attributes(schema, as_stored(schema, rs.attributes),
                                     as_stored(schema, now.attributes))
        if changes:
            out.append(ResourceChange(rs.address, Action.UPDATE, rs.attributes,
                                      now.attributes, changes, provider=rs.provider))
    return tuple(out)


def changed_attributes(schema: ResourceSchema | None, before: Mapping[str, Any],
                       after: Mapping[str, Any]) -> tuple[AttributeChange, ...]:
    """Two-way attribute differences (``diff_attributes`` only looks at one side's keys)."""
    changes = list(diff_attributes(schema, after, before))
    for key, value in before.items():
        if key not in after and value is not None:
            changes.append(AttributeChange((key,), value, None))
    return tuple(changes)


@dataclass(frozen=True, slots=True)
class DriftCause:
    """Objects of one type whose drift touched the same attribute path."""

    type: str
    path: str
    count: int


@dataclass(frozen=True, slots=True)
class UnmanagedObject:
    """An object on the controller carrying this state's ownership markers (``owner``: the
    marker that matched), absent from the state."""

    type: str
    name: str
    uuid: str
    owner: str


@dataclass(frozen=True, slots=True)
class DriftReport:
    lineage: str
    serial: int
    managed: int
    changed: tuple[ResourceChange, ...]
    missing: tuple[ResourceChange, ...]
    alerts: tuple[str, ...] = ()
    started: str = ""
    finished: str = ""
    scope: Mapping[str, Any] | None = None
    # Runtime problems of managed objects the front end asked about (a GslbService member
    # down): not configuration drift, but something a drift job must raise (exit 2).
    health: tuple[str, ...] = ()
    # None: not looked for (the front end has no markers to look by).
    unmanaged: tuple[UnmanagedObject, ...] | None = None

    @classmethod
    def from_changes(cls, prev_run: State, drift: Sequence[ResourceChange],
                     schemas: Mapping[str, ResourceSchema] | None = None, *,
                     alerts: Sequence[str] = (), started: str = "", finished: str = "",
                     scope: Mapping[str, Any] | None = None,
                     health: Sequence[str] = (),
                     unmanaged: Sequence[UnmanagedObject] | None = None) -> DriftReport:
        """The report for ``drift`` (``plan.drift``); sensitive values (per ``schemas``)
        are replaced by "(sensitive value)" and full objects are not kept."""
        managed = sum(1 for r in prev_run.resources if not r.address.is_data)
        drift = [_masked(c, (schemas or {}).get(c.type)) for c in drift]
        return cls(
            lineage=prev_run.lineage, serial=prev_run.serial, managed=managed,
            changed=tuple(c for c in drift if c.action is Action.UPDATE),
            missing=tuple(c for c in drift if c.action is Action.DELETE),
            alerts=tuple(alerts), started=started, finished=finished, scope=scope,
            health=tuple(health), unmanaged=None if unmanaged is None else tuple(unmanaged))

    @property
    def in_sync(self) -> int:
        return self.managed - len(self.changed) - len(self.missing)

    @property
    def in_sync_share(self) -> float:
        """Share of managed objects found in sync (1.0 when nothing is managed)."""
        return self.in_sync / self.managed if self.managed else 1.0

    @property
    def coverage(self) -> float | None:
        """driftctl's coverage: managed / (managed + unmanaged); None when unmanaged objects
        were not looked for."""
        if self.unmanaged is None:
            return None
        total = self.managed + len(self.unmanaged)
        return self.managed / total if total else 1.0

    @property
    def has_drift(self) -> bool:
        return bool(self.changed or self.missing or self.unmanaged)

    def exit_code(self) -> int:
        if self.alerts:
            return 1
        return 2 if self.has_drift or self.health else 0

    def causes(self) -> list[DriftCause]:
        """Drifted attribute paths grouped by object type, most frequent first, so that a
        controller upgrade setting one new default shows as one row, not a thousand."""
        counter: Counter[tuple[str, str]] = Counter()
        for change in self.changed:
            paths = {path_text(c.path) for c in change.attribute_changes}
            for path in paths:
                counter[(change.type, path)] += 1
        return [DriftCause(t, p, n)
                for (t, p), n in sorted(counter.items(), key=lambda i: (-i[1], i[0]))]

    def to_json(self) -> dict[str, Any]:
        """A stable JSON document (``format_version`` 1.0)."""
        return {
            "format_version": DRIFT_REPORT_VERSION,
            "scope": dict(self.scope or {}),
            "state": {"lineage": self.lineage, "serial": self.serial},
            "started": self.started,
            "finished": self.finished,
            "summary": {"managed": self.managed, "in_sync": self.in_sync,
                        "changed": len(self.changed), "missing": len(self.missing),
                        "unmanaged": None if self.unmanaged is None else len(self.unmanaged),
                        "in_sync_share": round(self.in_sync_share, 4),
                        "coverage": None if self.coverage is None else round(self.coverage, 4)},
            "changed": [{"address": str(c.address), "type": c.type,
                         "changes": [{"path": list(a.path), "from": _jsonable(a.before),
                                      "to": _jsonable(a.after)}
                                     for a in c.attribute_changes],
                         "suggested_actions": list(SUGGESTED_CHANGED)}
                        for c in self.changed],
            "missing": [{"address": str(c.address), "type": c.type,
                         "suggested_actions": list(SUGGESTED_MISSING)}
                        for c in self.missing],
            "unmanaged": [{"type": u.type, "name": u.name, "uuid": u.uuid, "owner": u.owner,
                           "suggested_actions": list(SUGGESTED_UNMANAGED)}
                          for u in self.unmanaged or ()],
            "causes": [{"type": c.type, "path": c.path, "count": c.count}
                       for c in self.causes()],
            "alerts": list(self.alerts),
            "health": list(self.health),
        }

    def render_markdown(self, apply_command: str = "albform apply") -> str:
        """For an issue or PR: counts first, missing objects never collapsed, changes
        collapsed per object, causes as a table; values shown only as attribute paths.
        ``apply_command`` is what reverts a missing object (``albform cluster apply`` for
        a cluster's report)."""
        lines = [f"<!-- albform-drift: managed={self.managed} changed={len(self.changed)} "
                 f"missing={len(self.missing)} alerts={len(self.alerts)} -->",
                 f"## Drift: {len(self.changed)} changed, {len(self.missing)} missing"
                 f"{'' if self.unmanaged is None else f', {len(self.unmanaged)} unmanaged'}"
                 f" of {self.managed} managed "
                 f"({self.in_sync_share:.0%} in sync)"]
        if self.missing:
            lines += ["", "### :warning: Missing on the controller"]
            lines += [f"- `{c.address}` (revert: `{apply_command}` re-creates it)"
                      for c in self.missing]
        if self.changed:
            lines += ["", f"<details><summary>Changed outside albform ({len(self.changed)})"
                          "</summary>", ""]
            lines += [f"- `{c.address}`: " + ", ".join(
                f"`{path_text(a.path)}`" for a in c.attribute_changes) for c in self.changed]
            lines += ["", "</details>", "", "| type | attribute | objects |", "|---|---|---|"]
            lines += [f"| `{c.type}` | `{c.path}` | {c.count} |" for c in self.causes()]
        if self.unmanaged:
            lines += ["", "### Unmanaged (this state's markers, not in state)"]
            lines += [f"- `{u.type}` `{u.name}` ({u.owner})" for u in self.unmanaged]
        if self.health:
            lines += ["", "### Runtime health"] + [f"- {h}" for h in self.health]
        if self.alerts:
            lines += ["", "### Not checked"] + [f"- {a}" for a in self.alerts]
        lines += ["", "---", f"state lineage `{self.lineage}` serial {self.serial} · checked "
                             f"{self.started} .. {self.finished}"]
        return "\n".join(lines) + "\n"

    def render_text(self, *, color: bool = False) -> str:
        def styled(text: str, **style: Any) -> str:
            return _style(text, color, **style)

        lines = [styled(f"Drift report for state {self.lineage} (serial {self.serial})",
                        bold=True)]
        if self.started or self.finished:
            lines.append(f"Checked {self.started} .. {self.finished}")
        coverage = "" if self.coverage is None else \
            f"; coverage {self.coverage:.0%} of marked objects managed"
        lines.append(
            f"Managed: {self.managed}, in sync: {self.in_sync} ({self.in_sync_share:.0%}), "
            f"changed: {len(self.changed)}, missing: {len(self.missing)}"
            f"{'' if self.unmanaged is None else f', unmanaged: {len(self.unmanaged)}'}"
            f"{coverage}")
        if not self.has_drift and not self.alerts:
            lines += ["", styled("No drift: every managed object matches the state.",
                                 fg="green")]
        if self.health:
            lines += ["", "Runtime health (objects in sync, but not healthy):"]
            lines += [styled(f"  ! {h}", fg="red") for h in self.health]
        if self.missing:
            lines += ["", styled("Missing (in state, gone from the controller):", bold=True)]
            lines += [styled(f"  - {c.address}", fg="red") for c in self.missing]
        if self.unmanaged:
            lines += ["", styled("Unmanaged (on the controller with this state's markers, not "
                                 "in state):", bold=True)]
            lines += [styled(f"  + {u.type} {u.name}", fg="green") + f" ({u.uuid}, {u.owner})"
                      for u in self.unmanaged]
        if self.changed:
            lines += ["", styled("Changed outside albform:", bold=True)]
            for c in self.changed:
                lines.append(styled(f"  ~ {c.address}", fg="yellow"))
                for a in c.attribute_changes:
                    before, after = shown_pair(a.before, a.after)
                    lines.append(f"      {path_text(a.path)}: {before} -> {after}")
            lines += ["", "Causes (type, attribute, objects):"]
            lines += [f"  {c.type} {c.path}: {c.count}" for c in self.causes()]
        if self.alerts:
            lines += ["", styled("Alerts (not checked, so not known to be in sync):",
                                 bold=True)]
            lines += [styled(f"  ! {a}", fg="red") for a in self.alerts]
        return "\n".join(lines) + "\n"


_ANSI_CODES = {"bold": "1", "red": "31", "green": "32", "yellow": "33"}


def _style(text: str, color: bool, *, bold: bool = False, fg: str | None = None) -> str:
    if not color:
        return text
    codes = ([_ANSI_CODES["bold"]] if bold else []) + ([_ANSI_CODES[fg]] if fg else [])
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text


def _masked(change: ResourceChange, schema: ResourceSchema | None) -> ResourceChange:
    def mask(a: AttributeChange) -> AttributeChange:
        attr = schema.attribute(a.path) if schema is not None else None
        if attr is None or not attr.sensitive:
            return a
        return replace(a, before=SENSITIVE_TEXT if a.before is not None else None,
                       after=SENSITIVE_TEXT if a.after is not None else None)

    return replace(change, before=None, after=None,
                   attribute_changes=tuple(mask(a) for a in change.attribute_changes))


def _jsonable(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    return value


WHOLE = 120  # characters of a value shown whole; longer ones around their first difference
CONTEXT = 30  # characters kept before the first difference


def _text(value: Any) -> str:
    return "null" if value is None else json.dumps(value, sort_keys=True, default=str)


def shown_pair(before: Any, after: Any) -> tuple[str, str]:
    """Both values as JSON text: whole when short, otherwise the same window of each — from a
    little before the first differing character — so the difference is always visible."""
    old, new = _text(before), _text(after)
    if len(old) <= WHOLE and len(new) <= WHOLE:
        return old, new
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                 min(len(old), len(new)))
    start = max(0, first - CONTEXT)

    def window(text: str) -> str:
        cut = text[start:start + WHOLE]
        return ("…" if start else "") + cut + ("…" if start + WHOLE < len(text) else "")

    return window(old), window(new)
