"""``albform gslb …``: plan, apply and destroy the GslbServices AMKO would create on the GSLB
leader for several member clusters.

Inputs: each member cluster as ``--member NAME=PATH`` (manifests of its Ingresses, Services,
Routes and HostRules with the status and annotations AKO wrote) or ``--member
NAME=context:CTX`` (read live), NAME being its ``clusterContext`` in the GSLBConfig; and
``--amko PATH`` with the GSLBConfig, GlobalDeploymentPolicy and GSLBHostRules. The leader is
``AVI_CONTROLLER`` or the embedded emulator. ``render`` needs no controller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from albform.cli.commands.input_sources import apply_inputs_or_saved, destroy_inputs_or_state
from albform.cli.commands.plan import run_args, workspace
from albform.cli.lazy_group import LazyCommand, LazyGroup
from albform.cli.operations import run_plan
from albform.cli.options import (
    apply_options,
    destroy_options,
    plan_command_options,
)
from albform.cli.sources import ConfigSource


def gslb_inputs(f: Any) -> Any:
    f = click.option("--amko", "amko", multiple=True,
                     type=click.Path(exists=True),
                     help="GSLBConfig, GlobalDeploymentPolicy and GSLBHostRule manifests: "
                          "file or directory (repeatable).")(f)
    f = click.option("--member", "members", multiple=True,
                     metavar="NAME=PATH|NAME=context:CTX",
                     help="A member cluster: its manifests, or a kubeconfig context to read "
                          "live (repeatable; NAME as in the GSLBConfig's memberClusters).")(f)
    return f


_INPUTS = {"members": "--member", "amko": "--amko"}


def require_inputs(params: dict[str, Any]) -> None:
    if not params.get("members") or not params.get("amko"):
        raise click.UsageError("give each member cluster as --member NAME=PATH or "
                               "NAME=context:CTX, and the AMKO objects as --amko PATH")


def member_sources(base: Path, texts: tuple[str, ...]) -> list[Any]:
    """``--member`` values as MemberSource values (usage error when malformed)."""
    from albform.modules.gslb.load import parse_member

    try:
        return [parse_member(text, base) for text in texts]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--member") from None


def gslb_source(ws: Any, params: dict[str, Any]) -> ConfigSource:
    require_inputs(params)
    return ConfigSource.gslb(member_sources(ws.workdir, params["members"]),
                             [ws.resolve(p) for p in params["amko"]])


# Subcommands defined in other modules, imported when they run (see cli/main.py).
GSLB_COMMANDS: dict[str, LazyCommand] = {
    "drift": LazyCommand("albform.cli.commands.drift:gslb_drift", "Report GslbServices and "
                         "monitors changed or deleted on the leader outside albform."),
    "render": LazyCommand("albform.cli.commands.gslb_render:gslb_render_command",
                          "Print the GSLB objects AMKO would create on the leader."),
}


@click.group("gslb", cls=LazyGroup, lazy=GSLB_COMMANDS)
def gslb_group() -> None:
    """Plan and apply the GslbServices AMKO would create for several member clusters."""


@gslb_group.command("plan")
@gslb_inputs
@plan_command_options
@click.pass_context
def gslb_plan(ctx: click.Context, /, **params: Any) -> int:
    """Show what applying the member clusters' GSLB services would change on the leader.

    \b
    Example:
        albform gslb plan --member east=east/ --member west=west/ --amko amko/
    """
    ws = workspace(ctx, params)
    return run_plan(ws, gslb_source(ws, params), run_args(params))


@gslb_group.command("apply")
@click.argument("planfile", required=False, type=click.Path(dir_okay=False))
@gslb_inputs
@apply_options
@click.pass_context
def gslb_apply(ctx: click.Context, /, planfile: str | None, **params: Any) -> int:
    """Create, update or delete GslbServices and monitors on the leader to match (or a saved plan).

    \b
    Example:
        albform gslb apply --member east=east/ --member west=west/ --amko amko/
        albform gslb apply tfplan      # a plan saved by gslb plan -out=tfplan
    """
    ws = workspace(ctx, params)
    return apply_inputs_or_saved(ws, planfile, params, _INPUTS,
                                 lambda: gslb_source(ws, params))


@gslb_group.command("destroy")
@gslb_inputs
@destroy_options
@click.pass_context
def gslb_destroy(ctx: click.Context, /, **params: Any) -> int:
    """Delete every GSLB object albform manages for these member clusters.

    The state says what to delete: no member clusters or AMKO objects needed.

    \b
    Example:
        albform gslb destroy -state=gslb.tfstate
    """
    ws = workspace(ctx, params)
    return destroy_inputs_or_state(ws, params, _INPUTS, lambda: gslb_source(ws, params))


__all__ = ["gslb_group"]
