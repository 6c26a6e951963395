"""``albform drift``, ``albform cluster drift`` and ``albform gslb drift``: the drift-detection
job (nightly CI or a Kubernetes CronJob). Refreshes every managed object, prints a report (text
or JSON, optionally also written to ``--report FILE``), never changes state or the controller,
and exits 0 (in sync), 1 (errors: something could not be checked) or 2 (drift)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from albform.cli.commands.cluster import cluster_inputs, cluster_source
from albform.cli.commands.gslb import gslb_inputs, gslb_source
from albform.cli.commands.plan import hcl_source, run_args, workspace
from albform.cli.operations import run_drift
from albform.cli.options import output_options, state_options, variable_options


def drift_options(f: Any) -> Any:
    f = click.option("--report", "report", type=click.Path(dir_okay=False),
                     help="Also write the JSON report to this file.")(f)
    f = click.option(*("-parallelism", "--parallelism"), "parallelism",
                     type=click.IntRange(1, 256), default=10, show_default=True,
                     help="Concurrent reads of the controller.")(f)
    return f


@click.command("drift")
@drift_options
@variable_options
@state_options
@output_options
@click.pass_context
def drift_command(ctx: click.Context, /, report: str | None, **params: Any) -> int:
    """Report objects changed or deleted outside albform (exit 2 when drift is found).

    \b
    Example (nightly job):
        albform drift -json --report drift.json || [ $? -eq 2 ]
    """
    ws = workspace(ctx, params)
    return run_drift(ws, hcl_source(ws, params), run_args(params),
                     Path(report) if report else None)


@click.command("drift")
@cluster_inputs
@drift_options
@state_options
@output_options
@click.pass_context
def cluster_drift(ctx: click.Context, /, report: str | None, **params: Any) -> int:
    """Report cluster-derived objects changed or deleted on the controller outside albform."""
    ws = workspace(ctx, params)
    return run_drift(ws, cluster_source(ws, params), run_args(params),
                     Path(report) if report else None)


@click.command("drift")
@gslb_inputs
@drift_options
@state_options
@output_options
@click.pass_context
def gslb_drift(ctx: click.Context, /, report: str | None, **params: Any) -> int:
    """Report GslbServices and monitors changed or deleted on the leader outside albform."""
    ws = workspace(ctx, params)
    return run_drift(ws, gslb_source(ws, params), run_args(params),
                     Path(report) if report else None)
