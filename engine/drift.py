"""Drift: what changed on the controller since the last run, outside of albform.

``detect_drift(prev_run, refreshed, schemas)`` compares the stored state with the state after
refresh: an object whose attributes changed is an UPDATE (with attribute changes in both
directions: values changed, added and removed by the server side); an object gone is a
DELETE. ``planning`` calls it for ``plan.drift``.

``DriftReport`` is the nightly-job view (users-and-peers.md §3.4): provenance (lineage,
serial, times), counts (managed / in sync / changed / missing, coverage), the changed
attributes per object, causes grouped by type and attribute path, alerts (reads that failed,
so a gap is never mistaken for "in sync"), runtime health findings a front end supplies (a
GslbService member down), and JSON and text renderings. ``exit_code`` follows
``-detailed-exitcode``: 0 in sync, 1 errors, 2 drift or unhealthy.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from albform.engine.changes import Action, AttributeChange, ResourceChange
from albform.engine.diff import diff_attributes
from albform.engine.schema import ResourceSchema
from albform.engine.state.model import State
from albform.engine.values import UNKNOWN

DRIFT_REPORT_VERSION = "1.0"
SENSITIVE_TEXT = "(sensitive value)"
# Scalr's sync-or-revert choice: "revert" = `albform apply` (the configuration wins),
# "accept" = `albform apply -refresh-only` (record reality) and update the configuration.
SUGGESTED_CHANGED = ("revert", "accept")
SUGGESTED_MISSING = ("revert", "forget")


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
        changes = changed_attributes(schemas.get(rs.address.type), rs.attributes,
                                     now.attributes)
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

    @classmethod
    def from_changes(cls, prev_run: State, drift: Sequence[ResourceChange],
                     schemas: Mapping[str, ResourceSchema] | None = None, *,
                     alerts: Sequence[str] = (), started: str = "", finished: str = "",
                     scope: Mapping[str, Any] | None = None,
                     health: Sequence[str] = ()) -> DriftReport:
        """The report for ``drift`` (``plan.drift``); sensitive values (per ``schemas``)
        are replaced by "(sensitive value)" and full objects are not kept."""
        managed = sum(1 for r in prev_run.resources if not r.address.is_data)
        drift = [_masked(c, (schemas or {}).get(c.type)) for c in drift]
        return cls(
            lineage=prev_run.lineage, serial=prev_run.serial, managed=managed,
            changed=tuple(c for c in drift if c.action is Action.UPDATE),
            missing=tuple(c for c in drift if c.action is Action.DELETE),
            alerts=tuple(alerts), started=started, finished=finished, scope=scope,
            health=tuple(health))

    @property
    def in_sync(self) -> int:
        return self.managed - len(self.changed) - len(self.missing)

    @property
    def coverage(self) -> float:
        """Share of managed objects found in sync (1.0 when nothing is managed)."""
        return self.in_sync / self.managed if self.managed else 1.0

    @property
    def has_drift(self) -> bool:
        return bool(self.changed or self.missing)

    def exit_code(self) -> int:
        if self.alerts:
            return 1
        return 2 if self.has_drift or self.health else 0

    def causes(self) -> list[DriftCause]:
        """Drifted attribute paths grouped by object type, most frequent first, so that a
        controller upgrade setting one new default shows as one row, not a thousand."""
        counter: Counter[tuple[str, str]] = Counter()
        for change in self.changed:
            paths = {_path_text(c.path) for c in change.attribute_changes}
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
                        "coverage": round(self.coverage, 4)},
            "changed": [{"address": str(c.address), "type": c.type,
                         "changes": [{"path": list(a.path), "from": _jsonable(a.before),
                                      "to": _jsonable(a.after)}
                                     for a in c.attribute_changes],
                         "suggested_actions": list(SUGGESTED_CHANGED)}
                        for c in self.changed],
            "missing": [{"address": str(c.address), "type": c.type,
                         "suggested_actions": list(SUGGESTED_MISSING)}
                        for c in self.missing],
            "causes": [{"type": c.type, "path": c.path, "count": c.count}
                       for c in self.causes()],
            "alerts": list(self.alerts),
            "health": list(self.health),
        }

    def render_markdown(self) -> str:
        """For an issue or PR: counts first, missing objects never collapsed, changes
        collapsed per object, causes as a table; values shown only as attribute paths."""
        lines = [f"<!-- albform-drift: managed={self.managed} changed={len(self.changed)} "
                 f"missing={len(self.missing)} alerts={len(self.alerts)} -->",
                 f"## Drift: {len(self.changed)} changed, {len(self.missing)} missing of "
                 f"{self.managed} managed ({self.coverage:.0%} in sync)"]
        if self.missing:
            lines += ["", "### :warning: Missing on the controller"]
            lines += [f"- `{c.address}` (revert: `albform apply` re-creates it)"
                      for c in self.missing]
        if self.changed:
            lines += ["", f"<details><summary>Changed outside albform ({len(self.changed)})"
                          "</summary>", ""]
            lines += [f"- `{c.address}`: " + ", ".join(
                f"`{_path_text(a.path)}`" for a in c.attribute_changes) for c in self.changed]
            lines += ["", "</details>", "", "| type | attribute | objects |", "|---|---|---|"]
            lines += [f"| `{c.type}` | `{c.path}` | {c.count} |" for c in self.causes()]
        if self.health:
            lines += ["", "### Runtime health"] + [f"- {h}" for h in self.health]
        if self.alerts:
            lines += ["", "### Not checked"] + [f"- {a}" for a in self.alerts]
        lines += ["", "---", f"state lineage `{self.lineage}` serial {self.serial} · checked "
                             f"{self.started} .. {self.finished}"]
        return "\n".join(lines) + "\n"

    def render_text(self) -> str:
        lines = [f"Drift report for state {self.lineage} (serial {self.serial})"]
        if self.started or self.finished:
            lines.append(f"Checked {self.started} .. {self.finished}")
        lines.append(
            f"Managed: {self.managed}, in sync: {self.in_sync}, changed: {len(self.changed)}, "
            f"missing: {len(self.missing)} (coverage {self.coverage:.0%})")
        if not self.has_drift and not self.alerts:
            lines += ["", "No drift: every managed object matches the state."]
        if self.health:
            lines += ["", "Runtime health (objects in sync, but not healthy):"]
            lines += [f"  ! {h}" for h in self.health]
        if self.missing:
            lines += ["", "Missing (in state, gone from the controller):"]
            lines += [f"  - {c.address}" for c in self.missing]
        if self.changed:
            lines += ["", "Changed outside albform:"]
            for c in self.changed:
                lines.append(f"  ~ {c.address}")
                lines += [f"      {_path_text(a.path)}: {_short(a.before)} -> {_short(a.after)}"
                          for a in c.attribute_changes]
            lines += ["", "Causes (type, attribute, objects):"]
            lines += [f"  {c.type} {c.path}: {c.count}" for c in self.causes()]
        if self.alerts:
            lines += ["", "Alerts (not checked, so not known to be in sync):"]
            lines += [f"  ! {a}" for a in self.alerts]
        return "\n".join(lines) + "\n"


def _masked(change: ResourceChange, schema: ResourceSchema | None) -> ResourceChange:
    def mask(a: AttributeChange) -> AttributeChange:
        attr = schema.attribute(a.path) if schema is not None else None
        if attr is None or not attr.sensitive:
            return a
        return replace(a, before=SENSITIVE_TEXT if a.before is not None else None,
                       after=SENSITIVE_TEXT if a.after is not None else None)

    return replace(change, before=None, after=None,
                   attribute_changes=tuple(mask(a) for a in change.attribute_changes))


def _path_text(path: Sequence[str | int]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _jsonable(value: Any) -> Any:
    if value is UNKNOWN:
        return None
    return value


def _short(value: Any) -> str:
    if value is None:
        return "null"
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
