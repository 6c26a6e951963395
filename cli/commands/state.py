"""``albform state list|show`` and ``albform force-unlock`` — state inspection and recovery."""

from __future__ import annotations

import json
from typing import Any

import click

from albform.cli.commands.plan import workspace
from albform.cli.operations import fail
from albform.cli.options import backend_options
from albform.cli.views.state import render_resource, render_state_list
from albform.engine.addrs import AddressError, ResourceAddress


def _backend(ctx: click.Context, /, params: dict[str, Any]) -> Any:
    ws = workspace(ctx, params)
    return ws.open_backend(configured_backend(ws))


def configured_backend(ws: Any) -> Any:
    """The ``terraform { backend }`` selection of the directory's configuration, if any."""
    if not any(ws.workdir.glob("*.tf")) and not any(ws.workdir.glob("*.tf.json")):
        return None
    from albform.modules.hcl.load import load_configuration

    config, diags = load_configuration(ws.workdir, env=ws.env)
    return None if diags.has_errors() else config.backend


@click.group("state")
def state_group() -> None:
    """Inspect the state."""


@state_group.command("list")
@click.argument("addresses", nargs=-1)
@backend_options
@click.pass_context
def state_list(ctx: click.Context, /, addresses: tuple[str, ...], **params: Any) -> int:
    """List resource addresses in the state (optionally filtered by address prefixes)."""
    state = _backend(ctx, params).read()
    click.echo(render_state_list(state, addresses), nl=False)
    return 0


@state_group.command("show")
@click.argument("address")
@backend_options
@click.pass_context
def state_show(ctx: click.Context, /, address: str, **params: Any) -> int:
    """Show one resource instance's attributes (sensitive values masked)."""
    try:
        addr = ResourceAddress.parse(address)
    except AddressError as exc:
        return fail("Invalid address", str(exc))
    state = _backend(ctx, params).read()
    resource = state.get(addr) if state is not None else None
    if resource is None:
        return fail("No instance found for the given address",
                    f"This command requires that the address references one specific instance; "
                    f"{address} is not in the state.")
    from albform.provider.factory import offline_schemas

    click.echo(render_resource(resource, offline_schemas().get(addr.type)))
    return 0


@state_group.command("pull")
@backend_options
@click.pass_context
def state_pull(ctx: click.Context, /, **params: Any) -> int:
    """Print the current state as Terraform v4 JSON."""
    from albform.engine.state.codec import encode_state

    state = _backend(ctx, params).read()
    if state is not None:
        click.echo(encode_state(state, None).decode())
    return 0


@click.command("force-unlock")
@click.argument("lock_id")
@click.option("-force", "--force", "force", is_flag=True, help="Don't ask for confirmation.")
@backend_options
@click.pass_context
def force_unlock_command(ctx: click.Context, /, lock_id: str, force: bool, **params: Any) -> int:
    """Release a stuck state lock by its ID (never changes infrastructure)."""
    backend = _backend(ctx, params)
    if not force:
        click.echo("Do you really want to force-unlock?\n  albform will remove the lock on "
                   "the remote state.\n  This will allow local albform commands to modify this "
                   "state, even though it\n  may still be in use. Only 'yes' will be accepted "
                   "to confirm.\n")
        if click.prompt("  Enter a value", default="", show_default=False).strip() != "yes":
            return fail("Force-unlock cancelled.")
    try:
        backend.force_unlock(lock_id)
    except Exception as exc:  # the backend's lock error: the user's to read, not a bug
        return fail("Failed to unlock state", str(exc))
    click.echo("albform state has been successfully unlocked!\n\nThe state has been unlocked, "
               "and albform commands should now be able to\nobtain a new lock on the remote "
               "state.")
    return 0


@click.command("output")
@click.argument("name", required=False)
@click.option("-json", "--json", "json_mode", is_flag=True, help="Print values as JSON.")
@click.option("-raw", "--raw", "raw", is_flag=True,
              help="Print a string value as is, without quotes.")
@backend_options
@click.pass_context
def output_command(ctx: click.Context, /, name: str | None, json_mode: bool, raw: bool,
                   **params: Any) -> int:
    """Show output values from the state."""
    state = _backend(ctx, params).read()
    outputs = dict(state.outputs) if state is not None else {}
    if name is not None:
        if name not in outputs:
            return fail("Output not found",
                        f"The output variable requested could not be found in the state. "
                        f"Known outputs: {', '.join(sorted(outputs)) or 'none'}.")
        if outputs[name].sensitive:
            return fail("Sensitive output not stored",
                        f"The output {name!r} is declared sensitive; albform keeps no "
                        "secret in state, so its value is not stored. Read it from where "
                        "the configuration gets it.")
        value = outputs[name].value
        if raw and isinstance(value, str):
            click.echo(value)
        else:
            click.echo(json.dumps(value, indent=None if json_mode else 2))
        return 0
    if json_mode:
        click.echo(json.dumps({k: {"sensitive": o.sensitive, "type": o.type,
                                   "value": o.value} for k, o in sorted(outputs.items())},
                              indent=2))
        return 0
    for key, out in sorted(outputs.items()):
        shown = "<sensitive>" if out.sensitive else json.dumps(out.value)
        click.echo(f"{key} = {shown}")
    return 0
