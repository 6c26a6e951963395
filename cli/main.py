"""The ``albform`` command group. Commands live in ``cli/commands/<verb>.py``."""

from __future__ import annotations

import sys

import click

from albform import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="albform")
def cli() -> None:
    """Terraform-style plan/apply for NSX-ALB (Avi) load balancers, derived from Kubernetes."""


def main() -> None:
    """Console entry point. Usage errors exit 1 (Terraform's convention), not click's 2."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
