"""``albform plan``, ``apply`` and ``destroy`` for a directory of .tf / .tf.json files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from albform.cli.operations import RunArgs, run_apply_saved, run_plan
from albform.cli.options import (
    apply_options,
    destroy_options,
    output_options,
    parse_backend_config,
    parse_duration,
    parse_vars,
    plan_options,
    state_options,
    use_color,
    variable_options,
)
from albform.cli.sources import ConfigSource
from albform.cli.workspace import Workspace


def run_args(params: dict[str, Any], **overrides: Any) -> RunArgs:
    """Turn click's parameters into the operation's arguments."""
    return RunArgs(
        targets=tuple(params.get("targets", ())),
        replace=tuple(params.get("replace", ())),
        refresh=params.get("refresh", True),
        refresh_only=params.get("refresh_only", False),
        out=Path(params["out"]) if params.get("out") else None,
        detailed_exitcode=params.get("detailed_exitcode", False),
        lock=params.get("lock", True),
        lock_timeout=parse_duration(params.get("lock_timeout", "0s")),
        parallelism=params.get("parallelism", 10),
        json=params.get("json_mode", False),
        color=use_color(params.get("no_color", False)),
        auto_approve=params.get("auto_approve", False),
        force_deletes=params.get("force_deletes", False),
        max_delete_fraction=params.get("max_delete_fraction", 0.5),
        adopt=params.get("adopt", False),
        group_by_origin=params.get("by_k8s_object", False),
        **overrides,
    )


def workspace(ctx: click.Context, params: dict[str, Any]) -> Workspace:
    base: Workspace = ctx.obj
    state = params.get("state_path")
    override = None
    settings = parse_backend_config(tuple(params.get("backend_config") or ()), base.workdir)
    if params.get("backend_name"):
        override = (str(params["backend_name"]), settings)
    elif settings:
        raise click.UsageError("-backend-config needs -backend=NAME")
    return Workspace(base.workdir, base.env, Path(state) if state else None, override)


def hcl_source(ws: Workspace, params: dict[str, Any]) -> ConfigSource:
    return ConfigSource.hcl(ws.workdir, parse_vars(params.get("variables", ())),
                            [ws.resolve(p) for p in params.get("var_files", ())])


@click.command("plan")
@plan_options
@variable_options
@state_options
@output_options
@click.option("-out", "--out", "out", type=click.Path(), help="Save the plan to a file.")
@click.option("-destroy", "--destroy", "destroy", is_flag=True, help="Plan to destroy all.")
# cdktf passes it whenever a stack has import blocks. albform requires a resource block for
# every import target (planning reports one that has none), so there is never configuration
# to generate and the file is not written.
@click.option("-generate-config-out", "--generate-config-out", "generate_config_out",
              type=click.Path(), help="Accepted; albform needs a resource block for every "
              "import target, so there is no configuration to generate.")
@click.option("-detailed-exitcode", "--detailed-exitcode", "detailed_exitcode", is_flag=True,
              help="Exit 0 for no changes, 1 for errors, 2 for changes.")
@click.pass_context
def plan_command(ctx: click.Context, /, **params: Any) -> int:
    """Show the changes that apply would make.

    \b
    Example:
        albform -chdir=examples/nsx-alb-setup plan -out=tfplan
    """
    ws = workspace(ctx, params)
    return run_plan(ws, hcl_source(ws, params), run_args(params, destroy=params["destroy"]))


@click.command("apply")
@click.argument("planfile", required=False, type=click.Path())
@apply_options
@variable_options
@click.option("-destroy", "--destroy", "destroy", is_flag=True, help="Destroy everything.")
@click.pass_context
def apply_command(ctx: click.Context, /, planfile: str | None, **params: Any) -> int:
    """Create, update or delete objects to match the configuration (or a saved plan).

    \b
    Example:
        albform apply -auto-approve
        albform apply tfplan
    """
    ws = workspace(ctx, params)
    args = run_args(params, destroy=params["destroy"])
    if planfile:
        return run_apply_saved(ws, Path(planfile), args,
                               parse_vars(params.get("variables", ())))
    return run_plan(ws, hcl_source(ws, params), args, apply=True)


@click.command("destroy")
@destroy_options
@variable_options
@click.pass_context
def destroy_command(ctx: click.Context, /, **params: Any) -> int:
    """Destroy every object this configuration manages (in reverse dependency order)."""
    ws = workspace(ctx, params)
    return run_plan(ws, hcl_source(ws, params),
                    run_args(params, destroy=True), apply=True)
