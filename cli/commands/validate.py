"""``albform validate``: check a directory's configuration without contacting a controller
(syntax, references, types and attributes against the Avi schema)."""

from __future__ import annotations

import json
from typing import Any

import click

from albform.cli.commands.plan import hcl_source, workspace
from albform.cli.options import output_options, variable_options
from albform.cli.views.diagnostics import diagnostic_json, show_diagnostics


@click.command("validate")
@variable_options
@output_options
@click.pass_context
def validate_command(ctx: click.Context, /, **params: Any) -> int:
    """Check that the configuration is valid (exit 1 and every problem listed if not)."""
    ws = workspace(ctx, params)
    _, diags = hcl_source(ws, params).load(ws.env, validating=True)
    if params.get("json_mode"):
        click.echo(json.dumps({
            "format_version": "1.0",
            "valid": not diags.has_errors(),
            "error_count": len(diags.errors()),
            "warning_count": len(diags) - len(diags.errors()),
            "diagnostics": [diagnostic_json(d) for d in diags],
        }, indent=2))
    else:
        show_diagnostics(diags)
        if not diags.has_errors():
            click.echo("Success! The configuration is valid.")
    return 1 if diags.has_errors() else 0
