"""``albform providers`` (the providers the configuration and the state use) and
``providers lock`` (accepted: albform's Avi provider is built in, so there is no plugin
package to lock; cdktf runs it after every ``init``)."""

from __future__ import annotations

import click

from albform.cli.commands.state import configured_backend
from albform.cli.operations import EXIT_ERROR, EXIT_OK
from albform.cli.views.diagnostics import show_diagnostics
from albform.cli.workspace import Workspace
from albform.engine.render.json_common import provider_name


@click.group("providers", invoke_without_command=True)
@click.pass_context
def providers_group(ctx: click.Context) -> int:
    """Show the providers the configuration and the state use."""
    if ctx.invoked_subcommand is not None:
        return EXIT_OK
    from albform.modules.hcl.load import load_configuration

    ws: Workspace = ctx.obj
    config, diags = load_configuration(ws.workdir, env=ws.env)
    if diags.has_errors():
        show_diagnostics(diags)
        return EXIT_ERROR
    state = ws.open_backend(configured_backend(ws)).read()
    in_config = sorted({provider_name(r.provider) for r in config.resources})
    in_state = sorted({provider_name(r.provider) for r in state.resources}) \
        if state is not None else []
    lines = ["", "Providers required by configuration:", "."]
    lines += [f"{'└' if i == len(in_config) - 1 else '├'}── provider[{p}]"
              for i, p in enumerate(in_config)]
    lines += ["", "Providers required by state:", ""]
    lines += [f"    provider[{p}]" for p in in_state]
    click.echo("\n".join(lines) + "\n")
    return EXIT_OK


@providers_group.command("lock")
@click.option("-platform", "--platform", "platforms", multiple=True, help="Accepted.")
@click.option("-no-color", "--no-color", "no_color", is_flag=True, help="Accepted.")
def providers_lock(platforms: tuple[str, ...], no_color: bool) -> int:
    """Accepted for Terraform compatibility: there are no provider packages to lock."""
    click.echo("\nSuccess! albform has validated the lock file and found no need for "
               "changes.\n(Its Avi provider is built in: there are no provider packages to "
               "lock.)")
    return EXIT_OK


