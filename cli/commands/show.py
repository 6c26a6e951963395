"""``albform show [PATH]`` — a saved plan as text (Terraform's phrases), Terraform's plan JSON
(``-json``) or a pull-request comment (``-markdown``); or a state (the selected workspace's,
or a state file) as text or ``terraform show -json``'s state JSON.

``-markdown`` prints the comment ``albform.engine.render.markdown`` renders: summary first,
destroys and replaces with their reasons, each update's attributes with old and new values
(secrets masked), collapsed details on long plans. A plan too long for one GitHub comment
(65,536 characters) prints as several, each starting with its ``<!-- albform-plan: ... -->``
line, so CI can split on it. Reads no state and contacts no controller: the schemas that mask
secrets come from the provider's table.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from albform.cli.operations import fail, plan_schemas
from albform.cli.options import use_color
from albform.cli.sources import ConfigSource
from albform.cli.views.plan import plan_product
from albform.cli.workspace import Workspace


@click.command("show")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-markdown", "--markdown", "markdown", is_flag=True,
              help="Print the plan as a pull-request comment (GitHub Markdown).")
@click.option("-json", "--json", "json_mode", is_flag=True,
              help="Print Terraform's plan JSON (format 1.2) or state JSON (format 1.0).")
@click.option("-no-color", "--no-color", "no_color", is_flag=True, help="Disable colour.")
@click.pass_context
def show_command(ctx: click.Context, /, path: Path | None, markdown: bool, json_mode: bool,
                 no_color: bool) -> int:
    """Show a saved plan (as text, -json, or -markdown for a pull-request comment) or a state.

    \b
    Without PATH: the selected workspace's state. PATH is a saved plan (plan -out) or a
    state file. -markdown is for plans only.
    """
    from albform.engine.planfile import is_plan_file

    ws: Workspace = ctx.obj
    if markdown and json_mode:
        raise click.UsageError("-markdown and -json are alternatives")
    color = use_color(no_color)
    if path is not None and is_plan_file(ws.resolve(path)):
        return _show_plan(ws, path, markdown=markdown, json_mode=json_mode, color=color)
    if markdown:
        raise click.UsageError("-markdown shows a saved plan: give the plan file")
    return _show_state(ws, path, json_mode=json_mode)


def _show_plan(ws: Workspace, planfile: Path, *, markdown: bool, json_mode: bool,
               color: bool) -> int:
    from albform.engine.planfile import load_plan
    from albform.engine.render import render_plan_human, render_plan_json
    from albform.engine.render.markdown import render_plan_markdown
    from albform.provider.factory import offline_schemas

    saved = load_plan(ws.resolve(planfile))
    plan = saved.plan
    schemas = plan_schemas(offline_schemas().get, plan)
    if markdown:
        apply_command = ConfigSource.from_json(
            {"kind": "hcl", **saved.config_source}).apply_command
        for comment in render_plan_markdown(plan, schemas, plan_file=str(planfile),
                                            apply_command=apply_command):
            click.echo(comment, nl=False)
    elif json_mode:
        plan = with_configuration(ws, saved)
        click.echo(json.dumps(render_plan_json(plan, schemas)))
    else:
        click.echo(render_plan_human(plan, schemas, color=color, product=plan_product(ws.env)))
    return 0


def _show_state(ws: Workspace, path: Path | None, *, json_mode: bool) -> int:
    from albform.cli.commands.state import configured_backend
    from albform.cli.views.state import render_state
    from albform.engine.render.json_plan import render_state_json
    from albform.engine.state.backends.local import LocalBackend
    from albform.provider.factory import offline_schemas

    if path is not None and not ws.resolve(path).is_file():
        return fail("Failed to read the given file as a state or plan file",
                    f"{path} does not exist.")
    backend = LocalBackend(ws.resolve(path)) if path is not None \
        else ws.open_backend(configured_backend(ws))
    try:
        state = backend.read()
    finally:
        backend.close()
    catalog = offline_schemas()
    types = {r.address.type for r in state.resources} if state is not None else set()
    schemas = {t: s for t in types if (s := catalog.get(t)) is not None}
    if json_mode:
        click.echo(json.dumps(render_state_json(state, schemas)))
    else:
        click.echo(render_state(state, schemas))
    return 0


def with_configuration(ws: Workspace, saved: Any) -> Any:
    """The saved plan with the configuration it was made from, loaded again from the inputs
    the plan file records (for the plan JSON's ``configuration`` and ``variables``). When
    that cannot be done faithfully — inputs changed since, a ``-var`` value the file does
    not keep, a cluster read live — the plan is shown without it and a warning says why."""
    from albform.cli.planfile_record import with_variable_values
    from albform.cli.views.diagnostics import show_diagnostics
    from albform.engine.diagnostics import Diagnostic
    from albform.engine.planfile import StalePlanError, check_inputs_unchanged

    record = saved.config_source

    def without(reason: str) -> Any:
        show_diagnostics([Diagnostic.warning(
            "Plan shown without its configuration",
            f"The plan JSON's \"configuration\" and \"variables\" are left out: {reason}")])
        return saved.plan

    if not record:
        return saved.plan
    try:
        source = ConfigSource.from_json(with_variable_values(record, {}, ws.env))
        source = source.replaying(record.get("recorded_reads") or {})
    except ValueError as exc:
        return without(str(exc))
    if source.params.get("live"):
        return without("the Kubernetes objects were read from a live cluster, which the "
                       "plan file does not keep (give the manifests as files to keep it).")
    if source.needs_controller:
        return without("the controller facts were read from the controller, and this plan "
                       "file does not record them (it was saved by an older albform).")
    config, diags = source.load(ws.env, workspace=str(record.get("workspace") or "default"))
    if diags.has_errors():
        return without("the configuration no longer loads.")
    try:
        check_inputs_unchanged(saved.inputs, config)
    except StalePlanError:
        return without("the configuration's inputs changed after the plan was saved.")
    return dataclasses.replace(saved.plan, configuration=config)
