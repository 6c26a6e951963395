"""Plan rendering: Terraform's human text (``human``), its plan JSON (``json_plan``), a
pull-request comment (``markdown``), the apply summary line and the ``-detailed-exitcode``
rule. Renderers never print; the CLI does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from albform.engine.changes import Plan, PlanSummary
from albform.engine.diagnostics import Diagnostic
from albform.engine.render.human import RULE, render_plan_human
from albform.engine.render.json_plan import render_plan_json
from albform.engine.render.markdown import render_plan_markdown

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


def render_apply_summary(outcome: Any, *, destroy: bool = False) -> str:
    """"Apply complete! Resources: 1 added, 0 changed, 0 destroyed." (with "N imported, "
    first when anything was imported) or "Destroy complete! Resources: N destroyed.".
    ``outcome`` is an ``ApplyOutcome`` (its ``summary``) or a ``PlanSummary``."""
    s: PlanSummary = outcome if isinstance(outcome, PlanSummary) else outcome.summary
    if destroy:
        return f"Destroy complete! Resources: {s.destroy} destroyed."
    counts = f"{s.add} added, {s.change} changed, {s.destroy} destroyed."
    if s.imported:
        counts = f"{s.imported} imported, " + counts
    return "Apply complete! Resources: " + counts


def detailed_exit_code(plan: Plan | None, diagnostics: Sequence[Diagnostic] = ()) -> int:
    """``-detailed-exitcode``: 1 on any error, 2 when the plan has changes (a move-only plan
    counts, as in Terraform), 0 when there is nothing to do."""
    if plan is None or plan.errored or any(d.is_error for d in diagnostics):
        return EXIT_ERROR
    return EXIT_CHANGES if plan.has_changes() else EXIT_OK


__all__ = [
    "EXIT_CHANGES",
    "EXIT_ERROR",
    "EXIT_OK",
    "RULE",
    "detailed_exit_code",
    "render_apply_summary",
    "render_plan_human",
    "render_plan_json",
    "render_plan_markdown",
]
