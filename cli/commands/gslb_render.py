"""``albform gslb render``: print the GslbServices and health monitors AMKO would create on
the leader, without a controller (one entry per object, as ``cluster render``)."""

from __future__ import annotations

from typing import Any

import click

from albform.cli.commands.cluster_render import show_rendered
from albform.cli.commands.gslb import gslb_inputs, member_sources, require_inputs
from albform.modules.gslb.load import load_gslb


@click.command("render")
@gslb_inputs
@click.option("-o", "--output", "output", type=click.Choice(["json", "yaml"]), default="json",
              show_default=True, help="Output format.")
@click.pass_context
def gslb_render_command(ctx: click.Context, /, **params: Any) -> int:
    """Print the GSLB objects AMKO would create on the leader.

    \b
    Example:
        albform gslb render --member east=east/ --member west=west/ --amko amko/ -o yaml
    """
    require_inputs(params)
    ws = ctx.obj
    members = member_sources(ws.workdir, params["members"])
    translation, diags = load_gslb(members, [ws.resolve(p) for p in params["amko"]])
    return show_rendered(translation, diags, params["output"])
