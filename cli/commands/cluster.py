"""``albform cluster …``: plan, apply and destroy the objects AKO would create for a cluster.

Inputs are Kubernetes manifests (files, directories, ``kubectl get -o yaml`` dumps), the
``avi-k8s-config`` ConfigMap (or AKO Helm values) and optional controller facts. ``render``
prints the objects without touching a controller.
"""

from __future__ import annotations

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


def adopt_option(f: Any) -> Any:
    return click.option("--adopt", "adopt", is_flag=True,
                        help="Import objects an AKO installation already created (same name "
                             "and created_by) instead of creating them; never an object "
                             "another workspace's state manages (a warning names it).")(f)


def cluster_inputs(f: Any) -> Any:
    f = click.option("--controller-facts", "controller_facts", type=click.Path(exists=True),
                     help="YAML with cloudType, dnsSubdomains, licenseTier, vrfName (default: "
                          "read from the controller).")(f)
    f = click.option("--ako-config", "ako_config", type=click.Path(exists=True),
                     help="The avi-k8s-config ConfigMap (kubectl -o yaml) or AKO Helm values "
                          "(default with a live cluster: its avi-system/avi-k8s-config).")(f)
    f = click.option("--in-cluster", "in_cluster", is_flag=True,
                     help="Read the live cluster with the pod's service account.")(f)
    f = click.option("--context", "context", default=None,
                     help="Kubeconfig context of the live cluster.")(f)
    f = click.option("--kubeconfig", "kubeconfig", type=click.Path(exists=True),
                     help="Read the live cluster through this kubeconfig.")(f)
    f = click.option("--manifests", "manifests", multiple=True,
                     type=click.Path(exists=True),
                     help="Kubernetes manifests: file or directory (repeatable).")(f)
    return f


def cluster_source(ws: Any, params: dict[str, Any]) -> ConfigSource:
    live = None
    if params.get("kubeconfig") or params.get("context") or params.get("in_cluster"):
        live = {"kubeconfig": str(ws.resolve(params["kubeconfig"]))
                if params.get("kubeconfig") else None,
                "context": params.get("context"), "in_cluster": bool(params.get("in_cluster"))}
    if not params.get("manifests") and live is None:
        raise click.UsageError("give --manifests PATH, or a live cluster with --kubeconfig, "
                               "--context or --in-cluster")
    if not params.get("ako_config") and live is None:
        raise click.UsageError("--ako-config is required unless the cluster is read live")
    facts = params.get("controller_facts")
    return ConfigSource.cluster(
        [ws.resolve(p) for p in params.get("manifests", ())],
        ws.resolve(params["ako_config"]) if params.get("ako_config") else None,
        ws.resolve(facts) if facts else None,
        live,
    )


# Subcommands defined in other modules, imported when they run (see cli/main.py).
CLUSTER_COMMANDS: dict[str, LazyCommand] = {
    "drift": LazyCommand("albform.cli.commands.drift:cluster_drift", "Report cluster-derived "
                         "objects changed or deleted on the controller outside albform."),
    "render": LazyCommand("albform.cli.commands.cluster_render:render_command",
                          "Print the ALB objects AKO would create for these manifests."),
}


@click.group("cluster", cls=LazyGroup, lazy=CLUSTER_COMMANDS)
def cluster_group() -> None:
    """Plan and apply the ALB objects AKO would create for a Kubernetes cluster."""


@cluster_group.command("plan")
@cluster_inputs
@adopt_option
@plan_command_options
@click.option("--by-k8s-object", "by_k8s_object", is_flag=True,
              help="After the plan, list the changes by the Kubernetes object that caused "
                   "them.")
@click.pass_context
def cluster_plan(ctx: click.Context, /, **params: Any) -> int:
    """Show what applying the cluster's services would change on the controller.

    \b
    Example:
        albform cluster plan --manifests k8s/ --ako-config avi-k8s-config.yaml
    """
    ws = workspace(ctx, params)
    return run_plan(ws, cluster_source(ws, params), run_args(params))


_INPUTS = {name: f"--{name.replace('_', '-')}" for name in (
    "manifests", "kubeconfig", "context", "in_cluster", "ako_config", "controller_facts")}


@cluster_group.command("apply")
@click.argument("planfile", required=False, type=click.Path(dir_okay=False))
@cluster_inputs
@adopt_option
@apply_options
@click.pass_context
def cluster_apply(ctx: click.Context, /, planfile: str | None, **params: Any) -> int:
    """Create, update or delete controller objects to match the cluster (or a saved plan).

    \b
    Example:
        albform cluster apply --manifests k8s/ --ako-config avi-k8s-config.yaml
        albform cluster apply tfplan      # a plan saved by cluster plan -out=tfplan
    """
    ws = workspace(ctx, params)
    return apply_inputs_or_saved(ws, planfile, params, _INPUTS,
                                 lambda: cluster_source(ws, params))


@cluster_group.command("destroy")
@cluster_inputs
@destroy_options
@click.pass_context
def cluster_destroy(ctx: click.Context, /, **params: Any) -> int:
    """Delete every controller object albform manages for this cluster.

    The state says what to delete: no manifests or cluster access needed.

    \b
    Example:
        albform cluster destroy -state=cluster.tfstate
    """
    ws = workspace(ctx, params)
    return destroy_inputs_or_state(ws, params, _INPUTS, lambda: cluster_source(ws, params))


__all__ = ["cluster_group"]
