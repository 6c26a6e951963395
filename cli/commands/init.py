"""``albform init``: check the configuration, set up its backend, record it in ``.terraform/``
(see ``working_dir``) and, with ``-migrate-state``, move every workspace's state from the
backend recorded before.

albform needs no provider plugins or module downloads (the Avi provider is built in, modules
are local directories), so ``-upgrade`` and ``-get`` are accepted and change nothing. Other
commands work without ``init`` as long as no backend was recorded; once one is, a backend
block changed since is an error until ``init -reconfigure`` or ``-migrate-state``.
"""

from __future__ import annotations

from typing import Any

import click

from albform.cli.operations import EXIT_ERROR, EXIT_OK, fail
from albform.cli.options import parse_backend_config, parse_vars, use_color
from albform.cli.views.diagnostics import show_diagnostics
from albform.cli.views.init import InitView
from albform.cli.working_dir import read_backend_record, write_backend_record
from albform.cli.workspace import Workspace


@click.command("init")
@click.option("-input", "--input", "input_", type=bool, default=True,
              help="Ask before copying state (false: only with -force-copy).")
@click.option("-backend", "--backend", "use_backend", type=bool, default=True,
              help="false: skip the backend (nothing recorded).")
@click.option("-backend-config", "--backend-config", "backend_config", multiple=True,
              metavar="KEY=VALUE|FILE", help="A backend setting, or a file of them in the "
              ".tfvars format (repeatable).")
@click.option("-reconfigure", "--reconfigure", is_flag=True,
              help="Use the configured backend as is, without moving any state.")
@click.option("-migrate-state", "--migrate-state", "migrate", is_flag=True,
              help="Move every workspace's state from the previous backend (lineage kept).")
@click.option("-force-copy", "--force-copy", "force_copy", is_flag=True,
              help="Answer yes to copying state (implies -migrate-state).")
@click.option("-upgrade", "--upgrade", is_flag=True, help="Accepted; nothing to upgrade.")
@click.option("-get", "--get", "get", type=bool, default=True, help="Accepted; modules are "
              "local directories.")
@click.option("-lock", "--lock", "lock", type=bool, default=True, help="Accepted.")
@click.option("-lock-timeout", "--lock-timeout", "lock_timeout", default="0s",
              help="Accepted.")
@click.option("-no-color", "--no-color", "no_color", is_flag=True, help="Disable colour.")
@click.option("-var", "--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Set a variable (repeatable).")
@click.option("-var-file", "--var-file", "var_files", multiple=True, type=click.Path(),
              help="Load variables from a .tfvars file (repeatable).")
@click.pass_context
def init_command(ctx: click.Context, /, **params: Any) -> int:
    """Prepare the working directory: check the configuration, set up the backend.

    \b
    Example:
        albform init -backend-config=conn_str=postgres://... -migrate-state
    """
    from albform.cli.sources import ConfigSource

    ws: Workspace = ctx.obj
    view = InitView(color=use_color(params["no_color"]))
    source = ConfigSource.hcl(ws.workdir, parse_vars(params["variables"]),
                              [ws.resolve(p) for p in params["var_files"]])
    config, diags = source.load(ws.env)
    if diags.has_errors():
        show_diagnostics(diags, color=view.color)
        return EXIT_ERROR
    show_diagnostics(diags, color=view.color)
    view.backend_heading()
    if params["use_backend"]:
        code = _init_backend(ws, config.backend,
                             parse_backend_config(params["backend_config"], ws.workdir),
                             params, view)
        if code != EXIT_OK:
            return code
    view.providers()
    view.done()
    return EXIT_OK


def _init_backend(ws: Workspace, block: Any, overrides: dict[str, str],
                  params: dict[str, Any], view: InitView) -> int:
    kind = block[0] if block is not None else "local"
    settings = {**(dict(block[1]) if block is not None else {}), **overrides}
    target = Workspace(ws.workdir, ws.env, backend_override=(kind, settings))
    store = target.workspaces()  # a mistake in the settings is reported here
    record = read_backend_record(ws.workdir)
    before: tuple[str, dict[str, Any]] = (
        (record.type, {k: v for k, v in record.config.items() if v is not None})
        if record is not None else ("local", {}))
    changed = record is None or before != (kind, _without_secrets(settings)) \
        or _block_changed(ws, block)
    migrate = params["migrate"] or params["force_copy"]
    if changed and not params["reconfigure"] and (record is not None or kind != "local"):
        source = Workspace(ws.workdir, ws.env, backend_override=before).workspaces()
        if _has_state(source) and before != (kind, _without_secrets(settings)):
            if not migrate:
                return fail("Backend configuration changed",
                            "A change in the backend configuration has been detected, which "
                            "may require migrating existing state.\n\nIf you wish to attempt "
                            'automatic migration of the state, use "albform init '
                            '-migrate-state".\nIf you wish to store the current '
                            'configuration with no changes to the state, use "albform init '
                            '-reconfigure".')
            if not params["force_copy"] and not view.confirm_copy(before[0], kind,
                                                                  params["input_"]):
                return fail("Migration cancelled",
                            "The state was not copied; the previous backend stays recorded.")
            from albform.engine.state.backends.migrate import migrate_workspaces

            moved = migrate_workspaces(source, store)
            view.migrated(moved.copied)
    # Connect once, so a wrong address or password shows up now rather than at plan time.
    backend = store.backend("default")
    try:
        backend.read()
    finally:
        backend.close()
    write_backend_record(ws.workdir, kind, settings, block)
    if changed:
        view.configured(kind)
    return EXIT_OK


def _without_secrets(settings: dict[str, Any]) -> dict[str, Any]:
    from albform.cli.working_dir import is_secret

    return {k: v for k, v in settings.items() if not is_secret(k) and v is not None}


def _block_changed(ws: Workspace, block: Any) -> bool:
    from albform.cli.working_dir import block_hash

    record = read_backend_record(ws.workdir)
    return record is None or record.block_hash != block_hash(block)


def _has_state(store: Any) -> bool:
    for name in store.names():
        backend = store.backend(name)
        try:
            state = backend.read()
        finally:
            backend.close()
        if state is not None and not state.is_empty:
            return True
    return False

