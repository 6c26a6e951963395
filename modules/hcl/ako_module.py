"""The built-in cluster module, ``source = "albform/ako"``: the objects AKO would create for
a Kubernetes cluster, contributed to the plan as ``module.NAME.avi_<type>.ako["<name>"]``.

Arguments (relative paths resolve against the configuration directory):

* ``manifests`` — a path or list of paths (files or directories of YAML manifests); or
  ``kubeconfig`` (+ optional ``kube_context``) to read a live cluster;
* ``ako_config`` — path to the ``avi-k8s-config`` ConfigMap or Helm values, or
  ``ako_settings`` — the same keys inline (``{ clusterName = "c1", ... }``); with
  ``kubeconfig`` and neither, the ConfigMap is read from the cluster;
* ``controller_facts`` — path to a facts YAML file, or the facts inline.

Outputs: ``virtualservices``, ``pools``, ``poolgroups``, ``vsvips`` (maps of instance key →
the object's planned attributes, e.g. ``module.k8s.virtualservices["x"].id``), ``objects``
(every object, keyed ``avi_<type>.<key>``) and ``names`` (type → object names, known now).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostic, Diagnostics, SourceRange
from albform.engine.values import Deferred, Resolver
from albform.modules.hcl.decode import (
    Expansion,
    ModuleResult,
    Reported,
    evaluate_static,
    instance_context,
)
from albform.modules.hcl.expressions import EvalError
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.syntax import Block

if TYPE_CHECKING:
    from albform.modules.hcl.module_decoder import ModuleDecoder

SOURCE = "albform/ako"
ARGUMENTS = ("manifests", "kubeconfig", "kube_context", "ako_config", "ako_settings",
             "controller_facts")
OUTPUT_TYPES = {"virtualservices": "avi_virtualservice", "pools": "avi_pool",
                "poolgroups": "avi_poolgroup", "vsvips": "avi_vsvip"}


class ModuleProblem(Exception):
    """Stop decoding this module instance; the diagnostics say why."""


# Arguments every built-in module accepts besides its inputs.
META_ARGUMENTS = ("source", "count", "for_each", "depends_on", "providers")
Instance = Callable[[Path, str, Block, dict[str, tuple[Any, int]], tuple[ModuleStep, ...],
                     Diagnostics, tuple[ResourceAddress, ...]], ModuleResult]


def decode_ako_call(parent: ModuleDecoder, name: str, filename: str, block: Block,
                    exp: Expansion, extra_depends_on: tuple[ResourceAddress, ...],
                    ) -> dict[Any, ModuleResult]:
    return decode_builtin_call(parent, name, filename, block, exp, extra_depends_on,
                               source=SOURCE, inputs=ARGUMENTS, instance=_instance)


def decode_builtin_call(parent: ModuleDecoder, name: str, filename: str, block: Block,
                        exp: Expansion, extra_depends_on: tuple[ResourceAddress, ...], *,
                        source: str, inputs: tuple[str, ...], instance: Instance,
                        ) -> dict[Any, ModuleResult]:
    """A call of a built-in module (``albform/ako``, ``albform/amko``): unknown arguments are
    errors; per instance (count/for_each) the ``inputs`` are evaluated statically and handed
    to ``instance``, which raises ModuleProblem (diagnostics given) to skip the instance."""
    diags = parent.diags
    accepted = (*inputs, *META_ARGUMENTS)
    for attr in block.body.attributes:
        if attr.name not in accepted:
            diags.error("Unsupported argument", f"An argument named {attr.name!r} is not "
                        f"expected by the {source} module." + did_you_mean(attr.name,
                                                                           accepted),
                        subject=SourceRange(filename, attr.line))
    results: dict[Any, ModuleResult] = {}
    for key in (exp.keys if exp.keys is not None else [None]):
        ctx = instance_context(parent.ctx, exp, key)
        args: dict[str, tuple[Any, int]] = {}
        try:
            for attr in block.body.attributes:
                if attr.name in inputs:
                    args[attr.name] = (evaluate_static(attr.expr, ctx, attr.name), attr.line)
        except EvalError as err:
            if not isinstance(err, Reported):
                diags.error(err.summary, err.detail,
                            subject=SourceRange(filename, err.line or block.line))
            continue
        module = (*parent.module_path, ModuleStep(name, key))
        try:
            results[key] = instance(parent.root_dir, filename, block, args, module, diags,
                                    extra_depends_on)
        except ModuleProblem:
            continue
    return results


def argument_path(root: Path, value: Any, what: str, filename: str, line: int,
                  diags: Diagnostics) -> Path:
    """A path argument, relative to the configuration directory; ModuleProblem if not a
    non-empty string."""
    if not isinstance(value, str) or not value:
        diags.error("Invalid value", f"{what} must be a path string.",
                    subject=SourceRange(filename, line))
        raise ModuleProblem
    path = Path(value)
    return path if path.is_absolute() else root / path


def _instance(root: Path, filename: str, block: Block, args: dict[str, tuple[Any, int]],
              module: tuple[ModuleStep, ...], diags: Diagnostics,
              extra_depends_on: tuple[ResourceAddress, ...]) -> ModuleResult:
    from albform.modules.k8s.load import ClusterInputs, LiveCluster, load_cluster_configuration

    where = SourceRange(filename, block.line)

    def path(name: str) -> Path:
        return argument_path(root, args[name][0], name, filename, args[name][1], diags)

    def at(name: str) -> SourceRange:
        return SourceRange(filename, args[name][1]) if name in args else where

    if "manifests" not in args and "kubeconfig" not in args:
        diags.error("Missing required argument", f"The {SOURCE} module needs manifests (paths "
                    "of Kubernetes YAML) or a kubeconfig.", subject=where)
        raise ModuleProblem
    if not {"ako_config", "ako_settings", "kubeconfig"} & args.keys():
        diags.error("Missing required argument", f"The {SOURCE} module needs ako_config (a "
                    "file) or ako_settings (inline AKO settings).", subject=where)
        raise ModuleProblem
    manifests: tuple[Path, ...] = ()
    live = None
    if "manifests" in args:
        value, line = args["manifests"]
        manifests = tuple(argument_path(root, p, "manifests", filename, line, diags)
                          for p in (value if isinstance(value, list) else [value]))
    else:
        live = LiveCluster(kubeconfig=str(path("kubeconfig")),
                           context=args.get("kube_context", (None, 0))[0])
    settings = args.get("ako_settings", (None, 0))[0]
    if "ako_settings" in args and not isinstance(settings, dict):
        diags.error("Invalid value", "ako_settings must be an object of AKO ConfigMap keys "
                    "(clusterName, cloudName, ...).", subject=at("ako_settings"))
        raise ModuleProblem
    facts: Path | dict[str, Any] | None = None
    if "controller_facts" in args:
        given = args["controller_facts"][0]
        facts = given if isinstance(given, dict) else path("controller_facts")
    inputs = ClusterInputs(
        manifests=manifests, live=live,
        ako_config=path("ako_config") if "ako_config" in args else None,
        ako_settings=settings, controller_facts=facts,
        where={name: at(name) for name in ("manifests", "ako_settings", "controller_facts")}
        | {"live": at("kubeconfig")})
    config, more = load_cluster_configuration(inputs, module)
    return module_result(config, more, diags, where, extra_depends_on, OUTPUT_TYPES)


def module_result(config: Configuration, more: Diagnostics, diags: Diagnostics,
                  where: SourceRange, extra_depends_on: tuple[ResourceAddress, ...],
                  output_types: dict[str, str]) -> ModuleResult:
    """A built-in module instance's result from its front end's configuration: ``more``
    (its diagnostics) joins ``diags``, errors skip the instance (ModuleProblem); every
    resource also depends on the call's ``depends_on`` and points at the call."""
    # A problem the front end could not place (a path that does not exist) is the call's.
    diags.extend(Diagnostic(d.severity, d.summary, d.detail, d.subject or where, d.address)
                 for d in more)
    if more.has_errors():
        raise ModuleProblem
    resources = [replace(r, depends_on=r.depends_on + extra_depends_on,
                         source=r.source or where) for r in config.resources]
    return ModuleResult(resources=resources, outputs=module_outputs(resources, output_types),
                        inputs=dict(config.inputs))


def _object(address: ResourceAddress) -> Deferred:
    def run(resolve: Resolver) -> Any:
        return dict(resolve(address))
    return Deferred(frozenset({address}), run, str(address))


def module_outputs(resources: list[Any], output_types: dict[str, str]) -> dict[str, Any]:
    """One map output per ``output_types`` entry (output name -> resource type) of instance
    key -> the object's planned attributes, plus ``objects`` and ``names``."""
    outputs: dict[str, Any] = {name: {} for name in output_types}
    objects: dict[str, Any] = {}
    names: dict[str, list[str]] = {}
    by_type = {t: n for n, t in output_types.items()}
    for resource in resources:
        address = resource.address
        key = str(address.key)
        objects[f"{address.type}.{key}"] = _object(address)
        names.setdefault(address.type, []).append(str(resource.attributes.get("name", key)))
        if address.type in by_type:
            outputs[by_type[address.type]][key] = _object(address)
    outputs["objects"] = objects
    outputs["names"] = names
    return outputs
