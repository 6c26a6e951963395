"""``albform import ADDR ID`` — take an existing Avi object (uuid, URL or name) under
management at an address the configuration declares, as ``terraform import`` does."""

from __future__ import annotations

from typing import Any

import click

from albform.cli.commands.plan import hcl_source, run_args, workspace
from albform.cli.operations import run_import
from albform.cli.options import state_options, variable_options


@click.command("import")
@click.argument("address")
@click.argument("identifier", metavar="ID")
@variable_options
@state_options
@click.option("-input", "--input", "input", type=bool, default=True,
              help="Accepted (albform never prompts for variables).")
@click.option("-no-color", "--no-color", "no_color", is_flag=True, help="Disable colour.")
@click.pass_context
def import_command(ctx: click.Context, /, address: str, identifier: str, **params: Any) -> int:
    """Import an existing object into the state at ADDRESS (declared in the configuration).

    ID is the object's uuid or url, as the official vmware/avi provider takes it. An exact
    object name is an albform extension: the official provider reads a name as a uuid and
    fails. The state's id is then the object's url, as that provider sets it.

    \\b
    Example:
        albform import avi_pool.web pool-5a2c...   (albform only: the name, web-pool)
    """
    ws = workspace(ctx, params)
    return run_import(ws, hcl_source(ws, params), address, identifier, run_args(params))
