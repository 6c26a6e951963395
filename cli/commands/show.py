"""``albform show PLANFILE`` — a saved plan as text (Terraform's phrases), Terraform's plan JSON
(``-json``) or a pull-request comment (``-markdown``).

``-markdown`` prints the comment ``albform.engine.render.markdown`` renders: summary first,
destroys and replaces with their reasons, each update's attributes with old and new values
(secrets masked), collapsed details on long plans. A plan too long for one GitHub comment
(65,536 characters) prints as several, each starting with its ``<!-- albform-plan: ... -->``
line, so CI can split on it. Reads no state and contacts no controller: the schemas that mask
secrets come from the provider's table.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from albform.cli.operations import plan_schemas
from albform.cli.options import use_color
from albform.cli.sources import ConfigSource
from albform.cli.views.plan import plan_product
from albform.cli.workspace import Workspace


@click.command("show")
@click.argument("planfile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-markdown", "--markdown", "markdown", is_flag=True,
              help="Print the plan as a pull-request comment (GitHub Markdown).")
@click.option("-json", "--json", "json_mode", is_flag=True,
              help="Print Terraform's plan JSON.")
@click.option("-no-color", "--no-color", "no_color", is_flag=True, help="Disable colour.")
@click.pass_context
def show_command(ctx: click.Context, /, planfile: Path, markdown: bool, json_mode: bool,
                 no_color: bool) -> int:
    """Show a saved plan (as text, -json, or -markdown for a pull-request comment)."""
    from albform.engine.planfile import load_plan
    from albform.engine.render import render_plan_human, render_plan_json
    from albform.engine.render.markdown import render_plan_markdown
    from albform.provider.factory import offline_schemas

    if markdown and json_mode:
        raise click.UsageError("-markdown and -json are alternatives")
    ws: Workspace = ctx.obj
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
        click.echo(json.dumps(render_plan_json(plan, schemas)))
    else:
        color = use_color(no_color)
        click.echo(render_plan_human(plan, schemas, color=color, product=plan_product(ws.env)))
    return 0
