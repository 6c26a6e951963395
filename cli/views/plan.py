"""The plan/apply view: human text (Terraform's phrases, which PR tools parse) or JSON.

The prose lines that name the tool ("albform will perform the following actions:", "Note:
Objects have changed outside of albform") say "albform" unless ``ALBFORM_PLAN_WORDING`` asks
for Terraform's or OpenTofu's exact lines. PR tools (tfcmt, Atlantis) find the change details
and the drift note by those lines, so CI that pipes plans into them sets
``ALBFORM_PLAN_WORDING=terraform``. albform is the default because a person reading a terminal
should be told which tool ran (a line saying "Terraform" sends them looking for Terraform's
state and binary); the lines PR tools count from — ``# ADDR will be created``, ``Plan: ...``,
``No changes.`` — are the same under every wording.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from albform.cli.views.diagnostics import show_diagnostics
from albform.cli.views.json_ui import JsonUI
from albform.engine.changes import Plan
from albform.engine.diagnostics import Diagnostics

WORDING_VARIABLE = "ALBFORM_PLAN_WORDING"
_WORDINGS = {"albform": "albform", "terraform": "Terraform", "opentofu": "OpenTofu"}


def plan_product(env: Mapping[str, str]) -> str:
    """The tool name the plan's prose uses, from ``ALBFORM_PLAN_WORDING`` (default albform)."""
    wanted = env.get(WORDING_VARIABLE, "").strip().lower() or "albform"
    if wanted not in _WORDINGS:
        raise click.UsageError(f"{WORDING_VARIABLE}={env[WORDING_VARIABLE]!r} is not one of "
                               f"{', '.join(_WORDINGS)}")
    return _WORDINGS[wanted]


class PlanView:
    """Text, or with ``ui`` (``-json`` of every plan, apply and destroy) Terraform's
    streamed machine-readable UI."""

    def __init__(self, *, color: bool = False,
                 product: str = "albform", apply_command: str = "albform apply",
                 summarize: Callable[[Any], list[str]] | None = None,
                 group: Callable[[Plan], list[tuple[str, list[str]]]] | None = None,
                 ui: JsonUI | None = None) -> None:
        self.color = color
        self.product = product
        self.apply_command = apply_command
        # What the source's objects got (per Kubernetes object), printed after an apply.
        self.summarize = summarize
        # The plan's changes by the input object that caused them, printed after the plan.
        self.group = group
        self.ui = ui

    def plan(self, plan: Plan, schemas: Mapping[str, Any], diags: Diagnostics) -> None:
        from albform.engine.render import render_plan_human

        if self.ui is not None:
            self.ui.diagnostics(diags)
            if not diags.has_errors():
                self.ui.plan(plan)
            return
        show_diagnostics([d for d in diags if not d.is_error], color=self.color)
        if not diags.has_errors():
            click.echo(render_plan_human(plan, schemas, color=self.color,
                                         product=self.product))
            groups = self.group(plan) if self.group else []
            if groups:
                click.echo("Changes by Kubernetes object:")
                for origin, changes in groups:
                    click.echo(f"\n  {origin}")
                    for change in changes:
                        click.echo(f"    {change}")
                click.echo("")
        show_diagnostics(diags.errors(), color=self.color)

    def unsaved_note(self) -> None:
        click.echo("─" * 77)
        click.echo("\nNote: You didn't use the -out option to save this plan, so albform can't "
                   f"guarantee to take exactly these actions if you run \"{self.apply_command}"
                   "\" now.")

    def saved(self, path: Path) -> None:
        if self.ui is not None:
            return
        click.echo("─" * 77)
        click.echo(f"\nSaved the plan to: {path}\n\nTo perform exactly these actions, run the "
                   f"following command to apply:\n    {self.apply_command} \"{path}\"")

    def confirm(self, *, destroy: bool) -> bool:
        if destroy:
            click.echo("\nDo you really want to destroy all resources?\n  albform will destroy "
                       "all your managed infrastructure, as shown above.\n  There is no undo. "
                       "Only 'yes' will be accepted to confirm.\n")
        else:
            click.echo("\nDo you want to perform these actions?\n  albform will perform the "
                       "actions described above.\n  Only 'yes' will be accepted to approve.\n")
        try:
            answer = click.prompt("  Enter a value", default="", show_default=False)
        except click.exceptions.Abort:
            return False
        return str(answer).strip() == "yes"

    def cancelled(self, *, destroy: bool) -> None:
        what = "Destroy" if destroy else "Apply"
        click.echo(f"\n{what} cancelled.", err=True)

    def applied(self, outcome: Any, *, destroy: bool) -> None:
        from albform.engine.render import render_apply_summary

        if self.ui is not None:
            self.ui.applied(outcome, destroy=destroy)
            return
        click.echo("\n" + render_apply_summary(outcome, destroy=destroy))
        outputs = getattr(outcome.state, "outputs", {}) or {}
        if outputs and not destroy:
            click.echo("\nOutputs:\n")
            for name, output in sorted(outputs.items()):
                shown = "<sensitive>" if output.sensitive else json.dumps(output.value)
                click.echo(f"{name} = {shown}")
        served = self.summarize(outcome.state) if self.summarize and not destroy else []
        if served:
            click.echo("\nKubernetes objects on the controller:\n")
            for line in served:
                click.echo(f"  {line}")
