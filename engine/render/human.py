"""The human plan text, in Terraform's exact phrases (docs/terraform-compat.md §6).

PR tools (tfcmt, Atlantis) parse ``# ADDR will be created``, ``will be updated in-place``,
``will be destroyed`` (and ``# ADDR (deposed object KEY) will be destroyed``), ``must be
replaced``, ``has moved to``, ``will be imported``, the ``Plan: ...`` line and ``No changes.
Your infrastructure matches the configuration.``; those are byte-exact. Prose sentences name
``product`` ("albform"; tests pass "Terraform" to compare with real ``terraform plan``
output) and are wrapped at 77 columns as Terraform does without a terminal. The text ends
after the summary and output changes: the CLI prints the rule and the saved/unsaved-plan
note.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from albform.engine.changes import Action, OutputChange, Plan, ResourceChange
from albform.engine.render.values import _ANSI, SENSITIVE, ValueRenderer, is_null
from albform.engine.schema import ResourceSchema

WIDTH = 77
RULE = "─" * WIDTH

_LEGEND = [
    (Action.CREATE, "+", "  + create"),
    (Action.UPDATE, "~", "  ~ update in-place"),
    (Action.DELETE, "-", "  - destroy"),
    (Action.DELETE_THEN_CREATE, "-/+", "-/+ destroy and then create replacement"),
    (Action.CREATE_THEN_DELETE, "+/-", "+/- create replacement and then destroy"),
    (Action.READ, "<=", " <= read (data resources)"),
]
_BLOCK_PREFIX = {
    Action.CREATE: "  + ", Action.UPDATE: "  ~ ", Action.DELETE: "  - ",
    Action.DELETE_THEN_CREATE: "-/+ ", Action.CREATE_THEN_DELETE: "+/- ",
    Action.READ: " <= ", Action.NOOP: "    ",
}
_READ_REASONS = {
    "read_because_config_unknown": "# (config refers to values not yet known)",
    "read_because_dependency_pending":
        "# (depends on a resource or a module with changes pending)",
}


def wrap(text: str) -> str:
    """Terraform's word wrap for prose (paragraphs separated by blank lines)."""
    return "\n\n".join(textwrap.fill(p, WIDTH, break_long_words=False, break_on_hyphens=False)
                       for p in text.split("\n\n"))


def render_plan_human(plan: Plan, schemas: Mapping[str, ResourceSchema], *,
                      color: bool = False, product: str = "albform") -> str:
    r = _HumanPlan(schemas, color, product)
    return r.render(plan)


class _HumanPlan:
    def __init__(self, schemas: Mapping[str, ResourceSchema], color: bool, product: str):
        self.schemas = schemas
        self.color = color
        self.product = product

    def bold(self, text: str) -> str:
        return f"{_ANSI['bold']}{text}{_ANSI['reset']}" if self.color else text

    def prose(self, text: str) -> str:
        return wrap(text.replace("{P}", self.product))

    # -- the whole plan -------------------------------------------------------------------
    def render(self, plan: Plan) -> str:
        parts: list[str] = []
        refresh_only = plan.options.refresh_only
        if plan.recovered:
            parts.append(self.recovery_section(plan))
        if plan.drift:
            parts.append(self.drift_section(plan))
        changes = [c for c in plan.changes if c.is_change]
        outputs = [o for o in plan.output_changes if o.action is not Action.NOOP]
        if refresh_only:
            if not plan.drift:
                parts.append(self.refresh_only_tail(plan))
            return "\n".join(parts)
        if not changes and not outputs:
            if plan.drift:
                parts.append(RULE + "\n")
            if plan.recovered:
                parts.append(self.prose(
                    "Apart from the outcome of the interrupted apply above, your "
                    "infrastructure matches the configuration. Apply this plan to record "
                    "that outcome in the {P} state.") + "\n")
                return "\n".join(parts)
            parts.append(self.bold("No changes.") + " " + self.bold(
                "Your infrastructure matches the configuration.") + "\n\n" + self.prose(
                "{P} has compared your real infrastructure against your configuration and "
                "found no differences, so no changes are needed.") + "\n")
            return "\n".join(parts)
        if plan.drift:
            parts.append(RULE + "\n")
        if changes:
            parts.append(self.changes_section(changes))
            parts.append(self.summary_line(plan))
        if outputs:
            parts.append(self.outputs_section(outputs))
            if not changes:
                parts.append(self.prose(
                    "You can apply this plan to save these new output values to the {P} "
                    "state, without changing any real infrastructure.") + "\n")
        return "\n".join(parts)

    def recovery_section(self, plan: Plan) -> str:
        """How the open intents of an interrupted apply were reconciled (``recovery``)."""
        lines = [self.bold("An interrupted apply was reconciled"), "", self.prose(
            f"{{P}} found {len(plan.recovered)} controller write(s) that an interrupted apply "
            "was making and checked each against the controller:"), ""]
        quiet = 0
        for r in plan.recovered:
            what = f"{r.address}" + (f" ({r.name!r})" if r.name else "")
            if r.outcome == "adopted":
                lines.append(f"  # {what} was created by the interrupted apply: adopted "
                             f"into the state as {r.identity}")
            elif r.outcome == "removed":
                lines.append(f"  # {what} was deleted by the interrupted apply: removed from "
                             "the state")
            elif r.outcome == "refreshed":
                lines.append(f"  # {what} was updated by the interrupted apply: the state "
                             "records its new values")
            else:
                quiet += 1
        if quiet:
            lines.append(f"  ({quiet} other write(s) never reached the controller or are "
                         "already in the state)")
        return "\n".join(lines) + "\n\n" + RULE + "\n"

    def changes_section(self, changes: list[ResourceChange]) -> str:
        lines: list[str] = []
        present = {c.action for c in changes}
        legend = [text for action, symbol, text in _LEGEND if action in present]
        if legend:
            lines.append(self.prose(
                "{P} used the selected providers to generate the following execution plan. "
                "Resource actions are indicated with the following symbols:"))
            lines += [self._color_legend(t) for t in legend]
            lines.append("")
        lines.append(self.prose("{P} will perform the following actions:"))
        lines.append("")
        for c in changes:
            lines += self.resource(c, self.header(c))
            lines.append("")
        return "\n".join(lines)

    def _color_legend(self, text: str) -> str:
        if not self.color:
            return text
        symbol, rest = text[:3], text[3:]
        colored = "".join(f"{_ANSI[ch]}{ch}{_ANSI['reset']}" if ch in "+-~" else ch
                          for ch in symbol)
        return colored + rest

    def summary_line(self, plan: Plan) -> str:
        s = plan.summary()
        text = f"{s.add} to add, {s.change} to change, {s.destroy} to destroy."
        if s.imported:
            text = f"{s.imported} to import, " + text
        return self.bold("Plan:") + " " + text + "\n"

    # -- one resource ------------------------------------------------------------------------
    def header(self, c: ResourceChange) -> list[str]:
        a = str(c.address)
        action, reason = c.action, c.reason
        if action is Action.CREATE:
            head = [f"# {a} will be created"]
        elif action is Action.UPDATE:
            head = [f"# {a} will be updated in-place"]
        elif action is Action.DELETE and c.deposed is not None:
            head = [f"# {a} (deposed object {c.deposed}) will be destroyed",
                    "# (left over from a partially-failed replacement of this instance)"]
        elif action is Action.DELETE:
            head = [f"# {a} will be destroyed"]
            if reason == "delete_because_no_resource_config":
                head.append(f"# (because {c.address} is not in configuration)")
        elif action.is_replace:
            if reason == "replace_because_tainted":
                head = [f"# {a} is tainted, so must be replaced"]
            elif reason == "replace_by_request":
                head = [f"# {a} will be replaced, as requested"]
            else:
                head = [f"# {a} must be replaced"]
        elif action is Action.READ:
            head = [f"# {a} will be read during apply"]
            if reason in _READ_REASONS:
                head.append(_READ_REASONS[reason])
        elif c.previous_address is not None:
            head = [f"# {c.previous_address} has moved to {a}"]
        else:
            head = [f"# {a} will be imported"]
        if action is not Action.NOOP:
            if c.previous_address is not None:
                head.append(f"# (moved from {c.previous_address})")
            if c.importing_id is not None:
                head.append(f'# (imported from "{c.importing_id}")')
        return ["  " + self.bold(head[0]), *("  " + h for h in head[1:])]

    def resource(self, c: ResourceChange, header: list[str],
                 prefix_action: Action | None = None) -> list[str]:
        schema = self.schemas.get(c.type)
        action = prefix_action or c.action
        prefix = _BLOCK_PREFIX[action]
        if self.color:
            prefix = "".join(f"{_ANSI[ch]}{ch}{_ANSI['reset']}" if ch in "+-~" else ch
                             for ch in prefix)
        kind = "data" if c.address.is_data else "resource"
        before = dict(c.before) if c.before is not None else {}
        after = dict(c.after) if c.after is not None else {}
        if c.action is Action.NOOP:
            after = before if c.before is not None else after
            before = after
        important = ["id", "name", "tags"]
        if schema is not None:
            important.append(schema.id_attribute)
        renderer = ValueRenderer(self.color, frozenset(c.replace_paths))
        body = renderer.object_lines(before, after,
                                     schema.attributes if schema is not None else None,
                                     6, (), important=important, blocks=True)
        return [*header, f'{prefix}{kind} "{c.address.type}" "{c.address.name}" {{', *body,
                "    }"]

    # -- drift ----------------------------------------------------------------------------------
    def drift_section(self, plan: Plan) -> str:
        lines = ["", self.bold("Note: Objects have changed outside of " + self.product), "",
                 self.prose("{P} detected the following changes made outside of {P} since "
                            'the last "' + self.product.lower() + ' apply" which may have '
                            "affected this plan:"), ""]
        for c in plan.drift:
            a = str(c.address)
            if c.action is Action.DELETE:
                lines += self.resource(c, ["  " + self.bold(f"# {a} has been deleted")])
            else:
                lines += self.resource(c, ["  " + self.bold(f"# {a} has changed")])
            lines.append("")
        lines.append("")
        if plan.options.refresh_only:
            lines.append(self.prose(
                "This is a refresh-only plan, so {P} will not take any actions to undo "
                "these. If you were expecting these changes then you can apply this plan to "
                "record the updated values in the {P} state without changing any remote "
                "objects."))
        else:
            lines.append(self.prose(
                "Unless you have made equivalent changes to your configuration, or ignored "
                "the relevant attributes using ignore_changes, the following plan may include "
                "actions to undo or respond to these changes."))
        lines.append("")
        return "\n".join(lines)

    def refresh_only_tail(self, plan: Plan) -> str:
        return (self.bold("No changes.") + " " + self.bold(
            "Your infrastructure still matches the configuration.") + "\n\n" + self.prose(
            "{P} has checked that the real remote objects still match the result of your "
            "most recent changes, and found no differences.") + "\n")

    # -- outputs ---------------------------------------------------------------------------------
    def outputs_section(self, outputs: list[OutputChange]) -> str:
        pad = max(len(o.name) for o in outputs)
        renderer = ValueRenderer(self.color)
        lines = [self.bold("Changes to Outputs:")]
        for o in sorted(outputs, key=lambda o: o.name):
            before: Any = o.before if o.action is not Action.CREATE else None
            after: Any = o.after if o.action is not Action.DELETE else None
            if o.sensitive:
                symbol = {Action.CREATE: "+", Action.DELETE: "-"}.get(o.action, "~")
                lines.append(f"  {renderer.marker(symbol)}{o.name:<{pad}} = {SENSITIVE}")
                continue
            if is_null(before) and is_null(after):
                continue
            lines += renderer.lines(o.name, pad, before, after, None, 2, ())
        return "\n".join(lines) + "\n"
