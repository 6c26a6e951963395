"""The ``albform`` command group: the table of commands and the mapping of outcomes to exit
codes (0 ok, 1 error, 2 changes with ``-detailed-exitcode``; click's usage errors exit 1 as
Terraform's do).

Commands live in ``cli/commands/<verb>.py`` and are imported only when they run (see
``cli/lazy_group.py``), so ``albform --help`` imports none of them. **Adding a command is one
line in** ``COMMANDS``: its name, ``"module:attribute"`` of the ``click.Command``, and its
one-line help (the first sentence of the command's docstring; a test checks they agree). A
subcommand of ``cluster`` goes in ``CLUSTER_COMMANDS`` in ``cli/commands/cluster.py`` (of
``gslb``, in ``GSLB_COMMANDS`` in ``cli/commands/gslb.py``) the same way. A command whose
module fails to import is an error when it is used, never a silent gap.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from pathlib import Path

import click

from albform.cli import process_exit
from albform.cli.lazy_group import LazyCommand, LazyGroup

_C = "albform.cli.commands"

COMMANDS: dict[str, LazyCommand] = {
    "plan": LazyCommand(f"{_C}.plan:plan_command", "Show the changes that apply would make."),
    "apply": LazyCommand(f"{_C}.plan:apply_command", "Create, update or delete objects to "
                         "match the configuration (or a saved plan)."),
    "destroy": LazyCommand(f"{_C}.plan:destroy_command", "Destroy every object this "
                           "configuration manages (in reverse dependency order)."),
    "validate": LazyCommand(f"{_C}.validate:validate_command", "Check that the configuration "
                            "is valid (exit 1 and every problem listed if not)."),
    "drift": LazyCommand(f"{_C}.drift:drift_command", "Report objects changed or deleted "
                         "outside albform (exit 2 when drift is found)."),
    "state": LazyCommand(f"{_C}.state:state_group", "Inspect the state."),
    "output": LazyCommand(f"{_C}.state:output_command", "Show output values from the state."),
    "force-unlock": LazyCommand(f"{_C}.state:force_unlock_command", "Release a stuck state "
                                "lock by its ID (never changes infrastructure)."),
    "cluster": LazyCommand(f"{_C}.cluster:cluster_group", "Plan and apply the ALB objects AKO "
                           "would create for a Kubernetes cluster."),
    "gslb": LazyCommand(f"{_C}.gslb:gslb_group", "Plan and apply the GslbServices AMKO would "
                        "create for several member clusters."),
    "show": LazyCommand(f"{_C}.show:show_command", "Show a saved plan (as text, -json, or "
                        "-markdown for a pull-request comment) or a state."),
    "state-server": LazyCommand(f"{_C}.state_server:state_server_command", "Serve "
                                "Terraform's http state backend (authentication required)."),
    "completion": LazyCommand(f"{_C}.completion:completion_command", "Print the shell "
                              "completion script for bash, zsh or fish."),
    "emulator": LazyCommand(f"{_C}.emulator:emulator_command",
                            "Run the Avi controller emulator (Ctrl-C to stop)."),
    "version": LazyCommand(f"{_C}.version:version_command", "Show albform's version and "
                           "the Terraform version whose formats it writes."),
    "init": LazyCommand(f"{_C}.init:init_command", "Prepare the working directory: check "
                        "the configuration, set up the backend."),
    "providers": LazyCommand(f"{_C}.providers:providers_group", "Show the providers the "
                             "configuration and the state use."),
    "graph": LazyCommand(f"{_C}.graph:graph_command", "Print the configuration's dependency "
                         "graph in Graphviz DOT."),
    "import": LazyCommand(f"{_C}.importing:import_command", "Import an existing object into "
                          "the state at ADDRESS (declared in the configuration)."),
    "workspace": LazyCommand(f"{_C}.workspace:workspace_group", "Manage workspaces: named "
                             "states of one configuration."),
}


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from albform.cli.views.version import version_text

    click.echo(version_text())
    ctx.exit(0)


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "-version", "--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version (as `albform version`).")
@click.option("-chdir", "--chdir", "chdir", type=click.Path(file_okay=False),
              help="Switch to this working directory before running the command.")
@click.pass_context
def cli(ctx: click.Context, chdir: str | None) -> None:
    """Terraform-style plan/apply for NSX-ALB (Avi) load balancers, derived from Kubernetes.

    With no controller configured (provider "avi" block or AVI_CONTROLLER), commands run
    against the embedded Avi controller emulator, persisted under .albform/.
    """
    from albform.cli.workspace import Workspace

    workdir = Path(chdir).resolve() if chdir else Path.cwd()
    if not workdir.is_dir():
        raise click.UsageError(f"-chdir: {chdir} is not a directory")
    ctx.obj = Workspace(workdir, dict(os.environ))


def run() -> None:
    """The console entry point (``albform``, ``python -m albform``): ``main`` with the
    process ended by a hard exit once the command is done (``cli/process_exit.py``)."""
    process_exit.enable()
    main()


def main(argv: list[str] | None = None) -> None:
    """Run one albform command line (``argv``, default ``sys.argv[1:]``) and exit with its
    status. In process (tests) it ends with ``SystemExit`` as any click program."""
    # The interpreter's last act is a full collection of everything still alive: about a
    # second after a 2,000-resource apply, once the result is printed. An exit handler (they
    # run before it) freezes the heap instead. Nothing is lost: the OS closes files and
    # sockets, albform closes what it writes with ``with`` blocks, and the interpreter
    # flushes stdout/stderr itself. Called in process (tests), it runs at that process's exit.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    try:
        code = cli.main(args=argv, prog_name="albform", complete_var="_ALBFORM_COMPLETE",
                        standalone_mode=False)
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
            raise  # a bug (a command that cannot load is one): keep the traceback
        show_diagnostics(diags)
        sys.exit(1)
    process_exit.exit_process(code if isinstance(code, int) else 0)
