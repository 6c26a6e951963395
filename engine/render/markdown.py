"""A plan as a pull-request comment (users-and-peers.md §3.5), split under GitHub's limit.

The first line is machine-parsable (``<!-- albform-plan: +2 ~1 -1 ±1 deleted=2
guard=ok -->``); destroys and replaces come first and are never collapsed; updates are
collapsed and list only the changed attribute paths; a deposed object's delete names its
key (the human renderer's ``(deposed object KEY)``); drift has its own section; the footer
carries the plan digest, the state lineage/serial and the apply command. Sensitive values
never appear (only attribute paths are listed). Each returned comment is at most
``max_chars`` characters; a long plan continues in further comments.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from albform.engine.changes import Action, Plan, ResourceChange
from albform.engine.diagnostics import Diagnostic
from albform.engine.render.human import visible
from albform.engine.render.json_plan import render_plan_json
from albform.engine.schema import ResourceSchema

GITHUB_COMMENT_LIMIT = 65_536
GUARD_SUMMARY = "Plan deletes too many objects"


def plan_digest(plan: Plan, schemas: Mapping[str, ResourceSchema]) -> str:
    """A digest of what the plan would do (not of when it was made)."""
    doc = render_plan_json(plan, schemas)
    body = json.dumps([doc["resource_changes"], doc.get("output_changes", {})], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def _path(change: ResourceChange) -> str:
    paths = []
    for a in change.attribute_changes:
        text = ""
        for step in a.path:
            text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
        if text not in paths:
            paths.append(text)
    return ", ".join(f"`{p}`" for p in paths) or "no attribute changes listed"


def _why(change: ResourceChange) -> str:
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
        forced = ", ".join(f"`{'.'.join(map(str, p))}`" for p in change.replace_paths)
        return f" (forced by {forced})"
    return ""


def render_plan_markdown(plan: Plan, schemas: Mapping[str, ResourceSchema], *,
                         diagnostics: Sequence[Diagnostic] = (), plan_file: str = "tfplan",
                         max_chars: int = GITHUB_COMMENT_LIMIT) -> list[str]:
    changes = [c for c in plan.changes if visible(c)]
    creates = [c for c in changes if c.action is Action.CREATE]
    updates = [c for c in changes if c.action is Action.UPDATE]
    deletes = [c for c in changes if c.action is Action.DELETE]
    replaces = [c for c in changes if c.action.is_replace]
    others = [c for c in changes if c.action in (Action.NOOP, Action.READ)]
    guard = "tripped" if any(d.summary == GUARD_SUMMARY for d in diagnostics) else "ok"
    errored = plan.errored or any(d.is_error for d in diagnostics)
    s = plan.summary()
    head = [f"<!-- albform-plan: +{len(creates)} ~{len(updates)} -{len(deletes)} "
            f"±{len(replaces)} deleted={len(deletes) + len(replaces)} guard={guard} "
            f"errored={'yes' if errored else 'no'} -->"]
    if errored:
        head.append("## :x: Plan failed")
        head += [f"- **{d.summary}**: {d.detail}" for d in diagnostics if d.is_error]
    elif not changes and not plan.drift:
        head.append("## Plan: no changes")
    else:
        head.append(f"## Plan: {s.add} to add, {s.change} to change, {s.destroy} to destroy")
    lines: list[str] = []
    if deletes or replaces:
        lines += ["", "### :warning: Destroyed or replaced"]
        lines += [f"- `-` `{c.address}`{_why(c)}" for c in deletes]
        lines += [f"- `{'+/-' if c.action is Action.CREATE_THEN_DELETE else '-/+'}` "
                  f"`{c.address}`{_why(c)}" for c in replaces]
    if creates:
        lines += ["", "### Created"] + [f"- `+` `{c.address}`" for c in creates]
    if updates:
        lines += ["", f"<details><summary>Updated in place ({len(updates)})</summary>", ""]
        lines += [f"- `~` `{c.address}`: {_path(c)}" for c in updates]
        lines += ["", "</details>"]
    if others:
        lines += ["", "### Moved, imported, read"]
        for c in others:
            what = (f"moved from `{c.previous_address}`" if c.previous_address else
                    f"imported from `{c.importing_id}`" if c.importing_id else
                    "read during apply")
            lines.append(f"- `{c.address}`: {what}")
    if plan.drift:
        lines += ["", "### Changed outside albform (drift)"]
        lines += [f"- `{c.address}`: " + ("deleted" if c.action is Action.DELETE else _path(c))
                  for c in plan.drift]
    footer = ["", "---",
              f"plan `{plan_digest(plan, schemas)}` · state lineage `{plan.lineage}` serial "
              f"{plan.serial} · apply with `albform apply {plan_file}`"]
    return _split(head, lines, footer, max_chars)


def _split(head: list[str], body: list[str], footer: list[str], limit: int) -> list[str]:
    """Comments of at most ``limit`` characters: the head on the first, the footer on the
    last, body lines never cut (an over-long line is shortened)."""
    fixed = len("\n".join(head)) + len("\n".join(footer)) + 64
    room = max(limit - fixed, 200)
    pages: list[list[str]] = [[]]
    size = 0
    for line in body:
        line = line if len(line) <= room else line[: room - 1] + "…"
        if size + len(line) + 1 > room and pages[-1]:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += len(line) + 1
    out = []
    for n, page in enumerate(pages):
        top = head if n == 0 else [f"{head[0]}", f"_(continued, part {n + 1})_"]
        bottom = footer if n == len(pages) - 1 else ["", "_(continued in the next comment)_"]
        out.append("\n".join(top + page + bottom) + "\n")
    return out
