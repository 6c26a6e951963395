"""``albform state list|show|pull|rm|mv|push|replace-provider`` and ``albform force-unlock`` —
state inspection, hand edits (under the state lock, serial bumped, lineage kept; on local
state a timestamped backup or ``-backup``) and recovery, and ``push`` (the pushed lineage, as
Terraform). The edits' rules live in ``albform.engine.state.edit``; messages are Terraform's."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import click

from albform.cli.commands.plan import workspace
from albform.cli.operations import fail
from albform.cli.options import backend_options, parse_duration, state_options
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


def _edit(ctx: click.Context, params: dict[str, Any], operation: str,
          change: Callable[[Any, bool], tuple[Any, Any]], dry_run: bool = False,
          force: bool = False) -> Any:
    """Run ``change(stored state or None, whether the state is local) -> (new state or None,
    report)`` under the lock and write the new state unless it is None or the one read (and
    not with ``dry_run``; ``force``: ``write(force=True)``); returns the report."""
    from albform.engine.state.backends.local import LocalBackend

    backend = _backend(ctx, params)
    if "backup" in params:
        _keep_backup(ctx, backend, params["backup"])
    lock = contextlib.nullcontext() if not params.get("lock", True) else \
        backend.locked(operation, parse_duration(params.get("lock_timeout", "0s")))
    with lock:
        state = backend.read()
        new, report = change(state, isinstance(backend, LocalBackend))
        if not dry_run and new is not None and new is not state:
            backend.write(new, force=force)
    return report


def backup_option(f: Any) -> Any:
    """``-backup=PATH`` of the hand edits (Terraform's flag; local state only)."""
    return click.option("-backup", "--backup", "backup", default=None, metavar="PATH",
                        help="Where to write the state as it was before the edit (local "
                             "state only). Default, and with '-' as in Terraform: "
                             "terraform.tfstate.<unix time>.backup beside the state.")(f)


def _keep_backup(ctx: click.Context, backend: Any, backup: str | None) -> None:
    """Terraform's hand edits back up a local state to ``-backup`` or a timestamped file
    instead of ``F.backup``; ``-backup=-`` means the default there too (observed with
    terraform 1.11). Other backends keep no backup, as in Terraform."""
    from albform.engine.state.backends.local import LocalBackend, timestamped_backup

    if isinstance(backend, LocalBackend):
        backend.backup_path = timestamped_backup(backend.path) if backup in (None, "-") \
            else ctx.obj.resolve(backup)


def _or_empty(state: Any) -> Any:
    from albform.engine.state.model import State

    return state or State()


@state_group.command("rm")
@click.argument("addresses", nargs=-1, required=True)
@click.option("-dry-run", "--dry-run", "dry_run", is_flag=True,
              help="Only list what would be removed.")
@backup_option
@state_options
@click.pass_context
def state_rm(ctx: click.Context, /, addresses: tuple[str, ...], dry_run: bool,
             **params: Any) -> int:
    """Forget objects (the remote objects stay; albform stops managing them)."""
    from albform.engine.state.edit import StateEditError, remove

    try:
        removed = _edit(ctx, params, "state-rm", lambda st, _: remove(_or_empty(st), addresses),
                        dry_run)
    except StateEditError as exc:
        return fail(exc.summary, str(exc))
    verb = "Would remove" if dry_run else "Removed"
    for address in removed:
        click.echo(f"{verb} {address}")
    if not dry_run:
        click.echo(f"Successfully removed {len(removed)} resource instance(s).")
    return 0


@state_group.command("mv")
@click.argument("source")
@click.argument("destination")
@click.option("-dry-run", "--dry-run", "dry_run", is_flag=True,
              help="Only list what would be moved.")
@backup_option
@state_options
@click.pass_context
def state_mv(ctx: click.Context, /, source: str, destination: str, dry_run: bool,
             **params: Any) -> int:
    """Rename a resource, an instance or a module in the state (nothing remote changes)."""
    from albform.engine.state.edit import StateEditError, move

    try:
        moved = _edit(ctx, params, "state-mv",
                      lambda st, _: move(_or_empty(st), source, destination), dry_run)
    except StateEditError as exc:
        return fail(exc.summary, str(exc))
    verb = "Would move" if dry_run else "Move"
    for old, new in moved:
        click.echo(f'{verb} "{old}" to "{new}"')
    if not dry_run:
        click.echo(f"Successfully moved {len(moved)} object(s).")
    return 0


@state_group.command("push")
@click.argument("path")
@click.option("-force", "--force", "force", is_flag=True,
              help="Write even over a state of another lineage or a newer serial.")
@state_options
@click.pass_context
def state_push(ctx: click.Context, /, path: str, force: bool, **params: Any) -> int:
    """Replace the state with a local state file ("-" reads standard input)."""
    import sys

    from albform.engine.state.backends.base import StaleStateError
    from albform.engine.state.codec import decode_state
    from albform.engine.state.edit import pushed

    ws = workspace(ctx, params)
    raw = sys.stdin.buffer.read() if path == "-" else ws.resolve(path).read_bytes()
    given = decode_state(raw)

    def push(stored: Any, local: bool) -> tuple[Any, None]:
        return pushed(stored, given, force=force, local=local), None

    try:
        _edit(ctx, params, "state-push", push, force=force)
    except StaleStateError as exc:
        return fail("Failed to write state", f"{exc}\n\nUse -force to overwrite it anyway.")
    return 0


@state_group.command("replace-provider")
@click.argument("from_provider", metavar="FROM")
@click.argument("to_provider", metavar="TO")
@click.option("-auto-approve", "--auto-approve", "auto_approve", is_flag=True,
              help="Skip the confirmation.")
@backup_option
@state_options
@click.pass_context
def state_replace_provider(ctx: click.Context, /, from_provider: str, to_provider: str,
                           auto_approve: bool, **params: Any) -> int:
    """Point every object of one provider at another (e.g. a mirror's address)."""
    from albform.engine.state.edit import replace_provider

    def change(state: Any, _local: bool) -> tuple[Any, Any]:
        new, changed = replace_provider(_or_empty(state), from_provider, to_provider)
        if not changed:
            return None, changed
        click.echo(f"albform will perform the following actions:\n\n  ~ Updating provider:\n"
                   f"    - {from_provider}\n    + {to_provider}\n\nChanging {len(changed)} "
                   "resources:\n\n" + "".join(f"  {a}\n" for a in changed))
        if not auto_approve:
            click.echo("Do you want to make these changes?\nOnly 'yes' will be accepted to "
                       "continue.\n")
            answer = click.prompt("Enter a value", default="", show_default=False)
            if str(answer).strip() != "yes":
                raise click.ClickException("Cancelled replacing providers.")
        return new, changed

    changed = _edit(ctx, params, "state-replace-provider", change)
    if not changed:
        click.echo("No matching resources found.")
        return 0
    click.echo(f"Successfully replaced provider for {len(changed)} resources.")
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
        if raw:
            # Terraform's -raw: the bare value, no quotes and no newline (for shell use).
            if isinstance(value, (dict, list)) or value is None:
                kind = "object" if isinstance(value, dict) else \
                    "list" if isinstance(value, list) else "null"
                return fail("Unsupported value for raw output",
                            "The -raw option only supports strings, numbers, and boolean "
                            f'values, but output value "{name}" is {kind}.\n\nUse the -json '
                            "option for machine-readable representations of output values\n"
                            "that have complex types.")
            text = json.dumps(value) if isinstance(value, bool) else str(value)
            click.echo(text, nl=False)
            return 0
        click.echo(json.dumps(value, indent=None if json_mode else 2))
        return 0
    if raw:
        return fail("Output name required", "You must give the name of a single output value "
                    "when using the -raw option.")
    if json_mode:
        click.echo(json.dumps({k: {"sensitive": o.sensitive, "type": o.type,
                                   "value": o.value} for k, o in sorted(outputs.items())},
                              indent=2))
        return 0
    for key, out in sorted(outputs.items()):
        shown = "<sensitive>" if out.sensitive else json.dumps(out.value)
        click.echo(f"{key} = {shown}")
    return 0
