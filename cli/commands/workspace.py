"""``albform workspace new | select | list | show | delete`` — named states of one
configuration, stored where Terraform stores them in each backend (local
``terraform.tfstate.d/<name>/``, one pg row per name; http has only ``default``), selected by
``.terraform/environment`` or ``TF_WORKSPACE``. Messages are Terraform's."""

from __future__ import annotations

from typing import Any

import click

from albform.cli.commands.state import configured_backend
from albform.cli.operations import EXIT_ERROR, EXIT_OK, fail
from albform.cli.working_dir import select_workspace
from albform.cli.workspace import Workspace
from albform.engine.state.backends.workspaces import (
    DEFAULT_WORKSPACE,
    NOT_SUPPORTED,
    WorkspacesNotSupportedError,
    exists,
    invalid_name_message,
)


def _store(ws: Workspace) -> Any:
    return ws.workspaces(configured_backend(ws))


def _doesnt_exist(name: str) -> int:
    return fail(f'Workspace "{name}" doesn\'t exist.',
                'You can create this workspace with the "new" subcommand\nor include the '
                '"-or-create" flag with the "select" subcommand.')


def _overridden(ws: Workspace) -> int | None:
    if not ws.env.get("TF_WORKSPACE"):
        return None
    return fail("Workspace overridden",
                "The selected workspace is currently overridden using the TF_WORKSPACE\n"
                "environment variable.\n\nTo select a new workspace, either update this "
                "environment variable or unset\nit and then run this command again.")


@click.group("workspace")
def workspace_group() -> None:
    """Manage workspaces: named states of one configuration."""


@workspace_group.command("show")
@click.pass_context
def workspace_show(ctx: click.Context) -> int:
    """Print the selected workspace's name."""
    ws: Workspace = ctx.obj
    click.echo(ws.workspace_name)
    return EXIT_OK


@workspace_group.command("list")
@click.pass_context
def workspace_list(ctx: click.Context) -> int:
    """List the workspaces, the selected one marked with ``*``."""
    ws: Workspace = ctx.obj
    current = ws.workspace_name
    for name in _store(ws).names():
        click.echo(f"{'*' if name == current else ' '} {name}")
    click.echo()
    return EXIT_OK


@workspace_group.command("new")
@click.argument("name")
@click.option("-lock", "--lock", "lock", type=bool, default=True, help="Accepted.")
@click.option("-lock-timeout", "--lock-timeout", "lock_timeout", default="0s",
              help="Accepted.")
@click.pass_context
def workspace_new(ctx: click.Context, /, name: str, **params: Any) -> int:
    """Create a workspace and select it."""
    ws: Workspace = ctx.obj
    if (problem := invalid_name_message(name)) is not None:
        return fail("Invalid workspace name", problem)
    store = _store(ws)
    try:
        if exists(store, name):
            return fail(f'Workspace "{name}" already exists')
        store.create(name)
    except WorkspacesNotSupportedError:
        return fail("Failed to create new workspace", NOT_SUPPORTED)
    if not ws.env.get("TF_WORKSPACE"):
        select_workspace(ws.workdir, name)
    click.echo(f'Created and switched to workspace "{name}"!\n\nYou\'re now on a new, empty '
               "workspace. Workspaces isolate their state,\nso if you run \"albform plan\" "
               "albform will not see any existing state\nfor this configuration.")
    return EXIT_OK


@workspace_group.command("select")
@click.argument("name")
@click.option("-or-create", "--or-create", "or_create", is_flag=True,
              help="Create the workspace if it does not exist.")
@click.pass_context
def workspace_select(ctx: click.Context, /, name: str, or_create: bool) -> int:
    """Select a workspace (for every later command in this directory)."""
    ws: Workspace = ctx.obj
    if (refused := _overridden(ws)) is not None:
        return refused
    if (problem := invalid_name_message(name)) is not None:
        return fail("Invalid workspace name", problem)
    store = _store(ws)
    if not exists(store, name):
        if not or_create:
            return _doesnt_exist(name)
        try:
            store.create(name)
        except WorkspacesNotSupportedError:
            return fail("Failed to create new workspace", NOT_SUPPORTED)
    select_workspace(ws.workdir, name)
    click.echo(f'Switched to workspace "{name}".')
    return EXIT_OK


@workspace_group.command("delete")
@click.argument("name")
@click.option("-force", "--force", "force", is_flag=True,
              help="Delete even if the workspace still tracks objects (they are forgotten, "
                   "not destroyed).")
@click.option("-lock", "--lock", "lock", type=bool, default=True,
              help="Hold the workspace's lock while checking it.")
@click.option("-lock-timeout", "--lock-timeout", "lock_timeout", default="0s",
              help="How long to retry a held lock.")
@click.pass_context
def workspace_delete(ctx: click.Context, /, name: str, force: bool, lock: bool,
                     lock_timeout: str) -> int:
    """Delete a workspace and its state (refused while it tracks objects, without -force)."""
    from albform.cli.options import parse_duration

    ws: Workspace = ctx.obj
    if name == ws.workspace_name:
        return fail(f'Workspace "{name}" is your active workspace.',
                    "You cannot delete the currently active workspace. Please switch\nto "
                    "another workspace and try again.")
    if name == DEFAULT_WORKSPACE:
        return fail("Failed to delete workspace", "can't delete default state")
    store = _store(ws)
    if not exists(store, name):
        return _doesnt_exist(name)
    backend = store.backend(name)
    try:
        if lock:
            with backend.locked("workspace-delete", parse_duration(lock_timeout)):
                state = backend.read()
        else:
            state = backend.read()
    finally:
        backend.close()
    tracked = [str(r.address) for r in (*state.resources, *state.deposed)] \
        if state is not None else []
    if tracked and not force:
        listing = "\n".join(f"  - {a}" for a in tracked)
        fail("Workspace is not empty",
             f'Workspace "{name}" is currently tracking the following resource instances:\n'
             f"{listing}\n\nDeleting this workspace would cause albform to lose track of any "
             "associated\nremote objects, which would then require you to delete them "
             "manually outside\nof albform. You should destroy these objects with albform "
             "before deleting\nthe workspace.\n\nIf you want to delete this workspace "
             "anyway, and have albform forget about\nthese managed objects, use the -force "
             "option to disable this safety check.")
        return EXIT_ERROR
    store.delete(name)
    click.echo(f'Deleted workspace "{name}"!')
    if tracked:
        click.echo(f'WARNING: "{name}" was non-empty.\nThe resources managed by the deleted '
                   "workspace may still exist,\nbut are no longer manageable by albform since "
                   "the state has\nbeen deleted.")
    return EXIT_OK
