"""A plan as a pull-request comment (docs/users-and-peers.md §3.5), split under GitHub's limit.

The rules, in the order a reader meets them:

1. The first line is machine-parsable (``<!-- albform-plan: +2 ~1 -1 ±1 deleted=2
   guard=ok errored=no -->``); CI finds the comment to update by it. ``guard`` is ``tripped``
   when the blast-radius guard refused the plan, ``overridden`` when ``--allow-mass-delete``
   let a plan past it (then a warning follows the summary), else ``ok``.
2. The summary comes next: ``## Plan: N to add, ...`` (Terraform's counts, imports first when
   there are any), ``## Plan: no changes``, or ``## Plan: only outputs will change`` for a
   plan that changes outputs and nothing else.
3. Destroys and replaces come first and are never collapsed, each with its reason (not in
   configuration, tainted, requested, deposed, or the attributes that force it with their
   values).
4. Each update lists its changed attributes with their values before and after; a sensitive
   attribute (per schema, at any depth) shows ``(sensitive value)``, never the value.
5. Long plans (more than ``LONG_PLAN`` listed objects) collapse creates and each update into
   ``<details>``; short plans show them open.
6. Moves and imports, drift found while planning, and output changes have their own sections.
7. The footer carries the plan digest, the state lineage/serial and the apply command.
8. Each returned comment is at most ``max_chars`` characters; a long plan continues in
   further comments, lines never cut in the middle of a table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.changes import (
    Action,
    AttributeChange,
    OutputChange,
    Plan,
    ResourceChange,
    path_text,
)
from albform.engine.diagnostics import Diagnostic
from albform.engine.planning_checks import blast_radius
from albform.engine.render.json_plan import render_plan_json
from albform.engine.render.values import KNOWN_AFTER_APPLY, SENSITIVE
from albform.engine.schema import AttributeSchema, ResourceSchema, mask_sensitive
from albform.engine.values import UNKNOWN

GITHUB_COMMENT_LIMIT = 65_536
GUARD_SUMMARY = "Plan deletes too many objects"
LONG_PLAN = 10  # listed objects above which creates and updates are collapsed (rule 5)


def plan_digest(plan: Plan, schemas: Mapping[str, ResourceSchema]) -> str:
    """A digest of what the plan would do (not of when it was made)."""
    doc = render_plan_json(plan, schemas)
    body = json.dumps([doc["resource_changes"], doc.get("output_changes", {})], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def _code(text: str) -> str:
    """``text`` as an inline code span that survives a table cell."""
    text = text.replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _masked(value: Any, attr: AttributeSchema | None) -> Any:
    """``value`` with every schema-sensitive part replaced by ``(sensitive value)`` (rule 4)."""
    return mask_sensitive(value, attr)


def _shown(value: Any) -> str:
    if value is UNKNOWN:
        return KNOWN_AFTER_APPLY
    if value == SENSITIVE:
        return SENSITIVE
    if value is None:
        return _code("null")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True,
                      default=lambda v: KNOWN_AFTER_APPLY if v is UNKNOWN else str(v))
    return _code(text)


def _attribute(schema: ResourceSchema | None, path: tuple[str | int, ...]
               ) -> tuple[AttributeSchema | None, bool]:
    """The schema of the attribute at ``path`` and whether it or an ancestor is sensitive."""
    if schema is None:
        return None, False
    return schema.attribute(path), schema.is_sensitive(path)


def _value_rows(changes: Sequence[AttributeChange], schema: ResourceSchema | None,
                ) -> list[str]:
    rows = ["| attribute | before | after |", "|---|---|---|"]
    for a in changes:
        attr, sensitive = _attribute(schema, a.path)
        if sensitive:
            before = after = SENSITIVE
        else:
            before, after = _shown(_masked(a.before, attr)), _shown(_masked(a.after, attr))
        forces = " (forces replacement)" if a.forces_replacement else ""
        rows.append(f"| {_code(path_text(a.path))}{forces} | {before} | {after} |")
    return rows


def _why(change: ResourceChange, schema: ResourceSchema | None) -> str:
    if change.deposed is not None:
        # Not the instance's current object, which a line of its own may also list.
        return (f" (deposed object `{change.deposed}`, left over from a partially-failed "
                "replacement)")
    if change.reason == "delete_because_no_resource_config":
        return " (not in configuration)"
    if change.reason == "replace_by_request":
        return " (replace requested)"
    if change.reason == "replace_because_tainted":
        return " (tainted)"
    if change.replace_paths:
        forcing = set(change.replace_paths)
        shown = []
        for a in change.attribute_changes:
            if a.path not in forcing:
                continue
            attr, sensitive = _attribute(schema, a.path)
            values = SENSITIVE if sensitive else (
                f"{_shown(_masked(a.before, attr))} → {_shown(_masked(a.after, attr))}")
            shown.append(f"{_code(path_text(a.path))}: {values}")
        if not shown:
            shown = [_code(path_text(p)) for p in change.replace_paths]
        return f" (forced by {'; '.join(shown)})"
    return ""


def _summary_heading(plan: Plan, changes: Sequence[ResourceChange],
                     outputs: Sequence[OutputChange]) -> str:
    """Rule 2."""
    if not changes and outputs:
        return "## Plan: only outputs will change"
    if not changes:
        return "## Plan: no changes"
    s = plan.summary()
    counts = f"{s.add} to add, {s.change} to change, {s.destroy} to destroy"
    if s.imported:
        counts = f"{s.imported} to import, " + counts
    return f"## Plan: {counts}"


def _collapsible(summary: str, body: list[str], *, open_: bool) -> list[str]:
    return [f"<details{' open' if open_ else ''}><summary>{summary}</summary>", "", *body, "",
            "</details>"]


def render_plan_markdown(plan: Plan, schemas: Mapping[str, ResourceSchema], *,
                         diagnostics: Sequence[Diagnostic] = (), plan_file: str = "tfplan",
                         max_chars: int = GITHUB_COMMENT_LIMIT, product: str = "albform",
                         apply_command: str = "albform apply") -> list[str]:
    changes = [c for c in plan.changes if c.is_change]
    outputs = [o for o in plan.output_changes if o.action is not Action.NOOP]
    creates = [c for c in changes if c.action is Action.CREATE]
    updates = [c for c in changes if c.action is Action.UPDATE]
    deletes = [c for c in changes if c.action is Action.DELETE]
    replaces = [c for c in changes if c.action.is_replace]
    moved_or_imported = [c for c in changes
                         if c.previous_address is not None or c.importing_id is not None]
    reads = [c for c in changes if c.action is Action.READ]
    # Only a forced plan can have gone past the guard.
    radius = blast_radius(plan.changes, plan.prior_state, plan.options) \
        if plan.options.force else None
    overridden = radius is not None and radius.exceeded
    guard = "tripped" if any(d.summary == GUARD_SUMMARY for d in diagnostics) else \
        "overridden" if overridden else "ok"
    errored = plan.errored or any(d.is_error for d in diagnostics)
    head = [f"<!-- albform-plan: +{len(creates)} ~{len(updates)} -{len(deletes)} "
            f"±{len(replaces)} deleted={len(deletes) + len(replaces)} guard={guard} "
            f"errored={'yes' if errored else 'no'} -->"]
    if errored:
        head.append("## :x: Plan failed")
        head += [f"- **{d.summary}**: {d.detail}" for d in diagnostics if d.is_error]
    else:
        head.append(_summary_heading(plan, changes, outputs))
    if overridden and radius is not None:
        head += ["", f"> :warning: **Blast-radius guard overridden** (`--allow-mass-delete`): "
                     f"this plan destroys or replaces {radius.describe()}."]
    expanded = len(changes) <= LONG_PLAN
    # Chunks: lines kept in one comment (a table, a <details> block) when the plan is split.
    chunks: list[list[str]] = []
    if deletes or replaces:
        chunks.append(["", "### :warning: Destroyed or replaced"])
        chunks += [[f"- `-` `{c.address}`{_why(c, schemas.get(c.type))}"] for c in deletes]
        chunks += [[f"- `{'+/-' if c.action is Action.CREATE_THEN_DELETE else '-/+'}` "
                    f"`{c.address}`{_why(c, schemas.get(c.type))}"] for c in replaces]
    if creates:
        listed = [f"- `+` `{c.address}`" for c in creates]
        if expanded:
            chunks += [["", "### Created"], *([line] for line in listed)]
        else:
            chunks.append(["", *_collapsible(f"Created ({len(creates)})", listed,
                                             open_=False)])
    if updates:
        chunks.append(["", f"### Updated in place ({len(updates)})"])
        for c in updates:
            paths = ", ".join(dict.fromkeys(path_text(a.path) for a in c.attribute_changes))
            chunks.append(["", *_collapsible(
                f"<code>~ {c.address}</code>: {paths or 'no attribute changes listed'}",
                _value_rows(c.attribute_changes, schemas.get(c.type)), open_=expanded)])
    if moved_or_imported or reads:
        chunks.append(["", "### Moved, imported, read"])
        for c in moved_or_imported:
            if c.previous_address is not None:
                chunks.append([f"- `{c.address}`: moved from `{c.previous_address}`"])
            if c.importing_id is not None:
                chunks.append([f"- `{c.address}`: imported from `{c.importing_id}`"])
        chunks += [[f"- `{c.address}`: read during apply"] for c in reads]
    if plan.drift:
        chunks.append(["", f"### Changed outside {product} (drift)"])
        for c in plan.drift:
            if c.action is Action.DELETE:
                chunks.append([f"- `{c.address}`: deleted"])
                continue
            chunks.append(["", *_collapsible(
                f"<code>{c.address}</code>: changed",
                _value_rows(c.attribute_changes, schemas.get(c.type)), open_=expanded)])
    if outputs:
        rows = ["", "### Changes to outputs", "", "| output | before | after |", "|---|---|---|"]
        for o in sorted(outputs, key=lambda o: o.name):
            cells = ((SENSITIVE, SENSITIVE) if o.sensitive else (_shown(o.before), _shown(o.after)))
            if o.action is Action.CREATE:
                cells = ("—", cells[1])
            elif o.action is Action.DELETE:
                cells = (cells[0], "—")
            rows.append(f"| {_code(o.name)} | {cells[0]} | {cells[1]} |")
        chunks.append(rows)
    footer = ["", "---",
              f"plan `{plan_digest(plan, schemas)}` · state lineage `{plan.lineage}` serial "
              f"{plan.serial} · apply with `{apply_command} {plan_file}`"]
    return _split(head, chunks, footer, max_chars)


def _split(head: list[str], chunks: list[list[str]], footer: list[str], limit: int
           ) -> list[str]:
    """Comments of at most ``limit`` characters: the head on the first, the footer on the
    last, a chunk never split across comments unless it alone is too long (then by line; an
    over-long line is shortened)."""
    fixed = len("\n".join(head)) + len("\n".join(footer)) + 64
    room = max(limit - fixed, 200)
    pages: list[list[str]] = [[]]
    size = 0

    def place(lines: list[str]) -> None:
        nonlocal size
        need = sum(len(line) + 1 for line in lines)
        if size + need > room and pages[-1]:
            pages.append([])
            size = 0
        pages[-1].extend(lines)
        size += need

    for chunk in chunks:
        if sum(len(line) + 1 for line in chunk) <= room:
            place(chunk)
            continue
        for line in chunk:
            place([line if len(line) <= room else line[: room - 1] + "…"])
    out = []
    for n, page in enumerate(pages):
        top = head if n == 0 else [f"{head[0]}", f"_(continued, part {n + 1})_"]
        bottom = footer if n == len(pages) - 1 else ["", "_(continued in the next comment)_"]
        out.append("\n".join(top + page + bottom) + "\n")
    return out
