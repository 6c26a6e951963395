"""``AkoCluster`` and ``AmkoGslb``: the objects AKO (one cluster) or AMKO (GslbServices across
member clusters) would create, synthesized as a local module in the stack's output.

At synth the front end translates its inputs (paths relative to the stack directory, or
absolute; ``Path`` objects are made absolute when the construct is made) and the construct
writes ``modules/<kind>-<id>/`` (``cluster_module.expand``: ``main.tf.json`` and
``objects.json``) next to ``cdk.tf.json``, whose ``module`` call has ``source =
"./modules/<kind>-<id>"``. Real Terraform accepts that; albform plans the same objects at the
same addresses (``module.<id>.avi_<type>.ako["<key>"]``) as its built-in HCL modules
``albform/ako`` and ``albform/amko``, which stay albform's HCL extension — but for objects
referring to one of their own type (SNI/EVH children), moved to a later tier's block so that
Terraform creates them after their parents (``cluster_tiers``). The module is a
snapshot of the cluster at synth time, as every CDKTF stack is of its app.

A translation error stops the synth (``ClusterSynthError``, with each diagnostic's
file:line; so does a translation no module can express); each warning is a
``ClusterModuleWarning`` naming the construct's path. ``ClusterSpec`` holds what both
styles share: the pure constructs here and the real-cdktf ones in ``interop``.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostics, Severity
from albform.modules.cdktf.cluster_module import dumps, expand
from albform.modules.cdktf.construct import Construct, make_logical_id
from albform.modules.cdktf.elements import Module, Referenceable, TerraformElement

MODULES_DIR = "modules"


class ClusterSynthError(ValueError):
    """The cluster's inputs have errors; the message lists them with file:line."""


class ClusterModuleWarning(UserWarning):
    """Something the synthesized cluster module says differently from the translation."""


def _paths(value: str | Path | Sequence[str | Path] | None) -> Any:
    """``Path`` objects become absolute (the stack directory is not the caller's cwd);
    strings are kept verbatim (relative to the stack directory, or absolute)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Path):
        return str(value.resolve())
    return [_paths(v) for v in value]


def _under(root: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else root / path


def _path_list(root: Path, value: Any) -> tuple[Path, ...]:
    return tuple(_under(root, v) for v in (value if isinstance(value, list) else [value]))


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """One kind of cluster module: its directory prefix, resource name and outputs."""

    kind: str  # "ako", "amko"
    outputs: Mapping[str, str]  # map output name -> resource type
    description: str

    def directory(self, path_below_stack: Sequence[str]) -> str:
        """``modules/<kind>-<logical id of the construct's path>``, the same in both styles."""
        return f"{MODULES_DIR}/{self.kind}-{make_logical_id(list(path_below_stack))}"

    def write(self, inputs: Mapping[str, Any], stack_dir: Path, directory: str,
              construct_path: str) -> None:
        """Translate and write the module's files under ``stack_dir/directory``; warn."""
        # Inputs are relative to the stack directory, which must exist for ``..`` in them.
        stack_dir.mkdir(parents=True, exist_ok=True)
        configuration = self._configuration_with_warnings(inputs, stack_dir, construct_path)
        try:
            result = expand(configuration, outputs=self.outputs, description=self.description)
        except ValueError as err:  # a translation no module can express
            raise ClusterSynthError(f"{construct_path}: {err}") from None
        target = stack_dir / directory
        target.mkdir(parents=True, exist_ok=True)
        for name, doc in sorted(result.files.items()):
            _write_private(target / name, dumps(doc))
        for message in result.warnings:
            _warn(construct_path, message)

    def _configuration_with_warnings(self, inputs: Mapping[str, Any], stack_dir: Path,
                                     construct_path: str) -> Configuration:
        loader = _ako_configuration if self.kind == "ako" else _amko_configuration
        config, diags = loader(inputs, stack_dir)
        if diags.has_errors():
            raise ClusterSynthError(f"{construct_path}: the {self.kind.upper()} inputs have "
                                    "errors:\n" + "\n".join(
                                        str(d) for d in diags if d.severity is Severity.ERROR))
        for diag in diags:
            _warn(construct_path, str(diag))
        return config


def _write_private(path: Path, text: str) -> None:
    """Write ``path`` readable by its owner only (``objects.json`` holds the private keys
    of TLS Secrets, which Terraform needs in the configuration), through a temporary file so
    a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)  # O_CREAT keeps the mode of a file left by an earlier run
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w",
                   encoding="utf-8") as out:
        out.write(text)
    tmp.replace(path)


def _warn(construct_path: str, message: str) -> None:
    """Warn at the user's line (the construct or ``app.synth()`` call): the first frame
    outside albform's package, however deep the synth walk that got here."""
    warnings.warn(f"{construct_path}: {message}", ClusterModuleWarning,
                  stacklevel=_caller_level())


def _caller_level() -> int:
    """``warnings.warn``'s stacklevel for the nearest frame outside albform (1: _warn's
    caller); the outermost frame when every frame is albform's."""
    frame, level = sys._getframe(2), 2  # _warn's caller is level 2 for warnings.warn
    while frame.f_back is not None and _is_albform(frame.f_globals.get("__name__")):
        frame, level = frame.f_back, level + 1
    return level


def _is_albform(module: object) -> bool:
    return isinstance(module, str) and (module == "albform" or module.startswith("albform."))


AKO = ClusterSpec("ako", {"virtualservices": "avi_virtualservice", "pools": "avi_pool",
                          "poolgroups": "avi_poolgroup", "vsvips": "avi_vsvip"},
                  "The objects AKO would create for this cluster, written by albform's "
                  "AkoCluster at synth; do not edit (synth rewrites it).")
AMKO = ClusterSpec("amko", {"gslbservices": "avi_gslbservice",
                            "healthmonitors": "avi_healthmonitor"},
                   "The GslbServices AMKO would create, written by albform's AmkoGslb at "
                   "synth; do not edit (synth rewrites it).")


def ako_inputs(*, manifests: str | Path | Sequence[str | Path] | None = None,
               kubeconfig: str | Path | None = None, kube_context: str | None = None,
               ako_config: str | Path | None = None,
               ako_settings: Mapping[str, Any] | None = None,
               controller_facts: str | Path | Mapping[str, Any] | None = None,
               ) -> dict[str, Any]:
    """``AkoCluster``'s arguments (``None`` left out); ``TypeError`` on a contradiction."""
    if (manifests is None) == (kubeconfig is None):
        raise TypeError("AkoCluster needs exactly one of manifests= or kubeconfig=")
    if ako_config is not None and ako_settings is not None:
        raise TypeError("AkoCluster takes ako_config= or ako_settings=, not both")
    if manifests is not None and ako_config is None and ako_settings is None:
        raise TypeError("AkoCluster needs ako_config= or ako_settings= (with manifests=, "
                        "there is no cluster to read the avi-k8s-config ConfigMap from)")
    facts = (dict(controller_facts) if isinstance(controller_facts, Mapping)
             else _paths(controller_facts))
    inputs = {"manifests": _paths(manifests), "kubeconfig": _paths(kubeconfig),
              "kube_context": kube_context, "ako_config": _paths(ako_config),
              "ako_settings": None if ako_settings is None else dict(ako_settings),
              "controller_facts": facts}
    return {k: v for k, v in inputs.items() if v is not None}


def amko_inputs(*, members: Mapping[str, str | Path | Sequence[str | Path]] | None = None,
                amko: str | Path | Sequence[str | Path] | None = None,
                kubeconfig: str | Path | None = None) -> dict[str, Any]:
    """``AmkoGslb``'s arguments (``None`` left out); ``TypeError`` when one is missing."""
    if not members:
        raise TypeError("AmkoGslb needs members= (cluster name -> manifests or "
                        "'context:CTX')")
    if amko is None:
        raise TypeError("AmkoGslb needs amko= (the GSLBConfig, GDP and GSLBHostRules)")
    inputs = {"members": {name: _paths(where) for name, where in members.items()},
              "kubeconfig": _paths(kubeconfig), "amko": _paths(amko)}
    return {k: v for k, v in inputs.items() if v is not None}


def _ako_configuration(inputs: Mapping[str, Any], root: Path,
                       ) -> tuple[Configuration, Diagnostics]:
    from albform.modules.k8s.load import ClusterInputs, LiveCluster, load_cluster_configuration

    facts = inputs.get("controller_facts")
    live = None
    if "kubeconfig" in inputs:
        live = LiveCluster(kubeconfig=str(_under(root, inputs["kubeconfig"])),
                           context=inputs.get("kube_context"))
    return load_cluster_configuration(ClusterInputs(
        manifests=_path_list(root, inputs["manifests"]) if "manifests" in inputs else (),
        live=live,
        ako_config=_under(root, inputs["ako_config"]) if "ako_config" in inputs else None,
        ako_settings=inputs.get("ako_settings"),
        controller_facts=facts if isinstance(facts, Mapping) or facts is None
        else _under(root, facts)))


def _amko_configuration(inputs: Mapping[str, Any], root: Path,
                        ) -> tuple[Configuration, Diagnostics]:
    from albform.modules.gslb.load import (
        CONTEXT_PREFIX,
        MemberSource,
        load_gslb_configuration,
    )

    kubeconfig = inputs.get("kubeconfig")
    kubeconfig = None if kubeconfig is None else str(_under(root, kubeconfig))
    members = []
    for cluster, where in sorted(inputs["members"].items()):
        if isinstance(where, str) and where.startswith(CONTEXT_PREFIX):
            members.append(MemberSource(str(cluster), context=where[len(CONTEXT_PREFIX):],
                                        kubeconfig=kubeconfig))
        else:
            members.append(MemberSource(str(cluster), _path_list(root, where)))
    return load_gslb_configuration(members, list(_path_list(root, inputs["amko"])))


class ClusterModule(Module):
    """The pure-Python construct: a ``module`` call with a local source whose files
    ``synth_files`` writes into the stack directory."""

    SPEC: ClusterSpec

    def __init__(self, scope: Construct, id: str, inputs: Mapping[str, Any], *,
                 depends_on: Sequence[TerraformElement | str] | None = None) -> None:
        deps: list[Referenceable | str] = [
            d if isinstance(d, str) else getattr(d, "fqn", str(d)) for d in depends_on or []]
        super().__init__(scope, id, source="", depends_on=deps)
        self.cluster_inputs = dict(inputs)

    @property
    def directory(self) -> str:
        scopes = self.node.scopes()
        below = scopes[scopes.index(self.stack) + 1:]
        return self.SPEC.directory([c.node.id for c in below])

    def to_terraform(self) -> dict[str, Any]:
        self.source = f"./{self.directory}"
        return super().to_terraform()

    def synth_files(self, stack_dir: Path) -> None:
        """Translate the inputs and write the module under ``stack_dir``."""
        self.SPEC.write(self.cluster_inputs, stack_dir, self.directory, self.node.path)


class AkoCluster(ClusterModule):
    """The objects AKO would create for a cluster, as ``module.<id>.avi_<type>.ako[...]``.

    ``manifests``/``kubeconfig`` say where the cluster is, ``ako_config``/``ako_settings``
    give AKO's settings, ``controller_facts`` what the controller has (a path or a mapping).
    """

    SPEC = AKO

    def __init__(self, scope: Construct, id: str, *,
                 depends_on: Sequence[TerraformElement | str] | None = None,
                 manifests: str | Path | Sequence[str | Path] | None = None,
                 kubeconfig: str | Path | None = None, kube_context: str | None = None,
                 ako_config: str | Path | None = None,
                 ako_settings: Mapping[str, Any] | None = None,
                 controller_facts: str | Path | Mapping[str, Any] | None = None) -> None:
        inputs = ako_inputs(manifests=manifests, kubeconfig=kubeconfig,
                            kube_context=kube_context, ako_config=ako_config,
                            ako_settings=ako_settings, controller_facts=controller_facts)
        super().__init__(scope, id, inputs, depends_on=depends_on)

    @property
    def virtualservices(self) -> str:
        return self.get("virtualservices")

    @property
    def pools(self) -> str:
        return self.get("pools")

    @property
    def vsvips(self) -> str:
        return self.get("vsvips")


class AmkoGslb(ClusterModule):
    """The GslbServices AMKO would create across member clusters, as
    ``module.<id>.avi_<type>.amko[...]``.

    ``members`` maps each member cluster name (its ``clusterContext`` in the GSLBConfig) to
    manifest paths or ``"context:CTX"``; ``kubeconfig`` serves the ``context:`` members;
    ``amko`` holds the GSLBConfig, GlobalDeploymentPolicy and GSLBHostRule objects.
    """

    SPEC = AMKO

    def __init__(self, scope: Construct, id: str, *,
                 depends_on: Sequence[TerraformElement | str] | None = None,
                 members: Mapping[str, str | Path | Sequence[str | Path]] | None = None,
                 amko: str | Path | Sequence[str | Path] | None = None,
                 kubeconfig: str | Path | None = None) -> None:
        inputs = amko_inputs(members=members, amko=amko, kubeconfig=kubeconfig)
        super().__init__(scope, id, inputs, depends_on=depends_on)

    @property
    def gslbservices(self) -> str:
        return self.get("gslbservices")

    @property
    def healthmonitors(self) -> str:
        return self.get("healthmonitors")
