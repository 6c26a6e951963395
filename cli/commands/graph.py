"""``albform graph [-type=plan]`` — the configuration's dependency graph in Graphviz DOT
(``albform graph | dot -Tsvg > graph.svg``)."""

from __future__ import annotations

from typing import Any

import click

from albform.cli.operations import EXIT_ERROR, EXIT_OK
from albform.cli.views.diagnostics import show_diagnostics
from albform.cli.workspace import Workspace


@click.command("graph")
@click.option("-type", "--type", "graph_type", type=click.Choice(["plan", "resources"]),
              default="resources", show_default=True,
              help="resources: resource blocks and their dependencies; plan: the shape of "
                   "the operation graph (resources, provider, outputs).")
@click.option("-draw-cycles", "--draw-cycles", "draw_cycles", is_flag=True, help="Accepted.")
@click.pass_context
def graph_command(ctx: click.Context, /, graph_type: str, **params: Any) -> int:
    """Print the configuration's dependency graph in Graphviz DOT."""
    from albform.engine.render.graph_dot import render_graph_dot
    from albform.modules.hcl.load import load_configuration

    ws: Workspace = ctx.obj
    config, diags = load_configuration(ws.workdir, env=ws.env, workspace=ws.workspace_name)
    show_diagnostics(diags)
    if diags.has_errors():
        return EXIT_ERROR
    click.echo(render_graph_dot(config, plan_type=graph_type == "plan"))
    return EXIT_OK
