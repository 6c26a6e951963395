"""``albform version [-json]`` (also ``albform -v`` / ``-version``, as Terraform accepts)."""

from __future__ import annotations

import click

from albform.cli.views.version import version_json, version_text


@click.command("version")
@click.option("-json", "--json", "json_mode", is_flag=True, help="Print as JSON.")
def version_command(json_mode: bool) -> int:
    """Show albform's version and the Terraform version whose formats it writes."""
    click.echo(version_json() if json_mode else version_text())
    return 0
