"""The ``albform`` command group. Commands live in ``cli/commands/<verb>.py``; this module only
mounts them and maps outcomes to exit codes (0 ok, 1 error, 2 changes with
``-detailed-exitcode``; click's usage errors exit 1 as Terraform's do)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from albform import __version__
from albform.cli.workspace import Workspace

# (module, attribute, command name) — mounted lazily so a broken optional part (e.g. a front end
# being built) never takes the whole CLI down.
COMMANDS = [
    ("albform.cli.commands.plan", "plan_command", "plan"),
    ("albform.cli.commands.plan", "apply_command", "apply"),
    ("albform.cli.commands.plan", "destroy_command", "destroy"),
    ("albform.cli.commands.validate", "validate_command", "validate"),
    ("albform.cli.commands.drift", "drift_command", "drift"),
    ("albform.cli.commands.state", "state_group", "state"),
    ("albform.cli.commands.state", "output_command", "output"),
    ("albform.cli.commands.state", "force_unlock_command", "force-unlock"),
    ("albform.cli.commands.cluster", "cluster_group", "cluster"),
    ("albform.cli.commands.emulator", "emulator_command", "emulator"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="albform")
@click.option("-chdir", "--chdir", "chdir", type=click.Path(file_okay=False),
              help="Switch to this working directory before running the command.")
@click.pass_context
def cli(ctx: click.Context, chdir: str | None) -> None:
    """Terraform-style plan/apply for NSX-ALB (Avi) load balancers, derived from Kubernetes.

    With no controller configured (provider "avi" block or AVI_CONTROLLER), commands run
    against the embedded Avi controller emulator, persisted under .albform/.
    """
    workdir = Path(chdir).resolve() if chdir else Path.cwd()
    if not workdir.is_dir():
        raise click.UsageError(f"-chdir: {chdir} is not a directory")
    ctx.obj = Workspace(workdir, dict(os.environ))


def _mount() -> None:
    for module_name, attr, name in COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        command = getattr(module, attr, None)
        if isinstance(command, click.Command):
            cli.add_command(command, name)


_mount()


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    try:
        code = cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(1)
    except Exception as exc:
        from albform.cli.errors import diagnostics_for
        from albform.cli.views.diagnostics import show_diagnostics

        diags = diagnostics_for(exc)
        if diags is None:
            raise  # a bug: keep the traceback
        show_diagnostics(diags)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
