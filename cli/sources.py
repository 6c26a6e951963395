"""Configuration sources: where a command's desired resources come from.

A ``ConfigSource`` is a small JSON-serialisable description (front end + its inputs), so a saved
plan can record it and ``apply PLANFILE`` can load the same configuration again (the plan's
``Deferred`` values are code and cannot be stored). Whether what it loads is still what the plan
was made from is told by the configuration's input digests (``engine/inputs.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from albform.engine.changes import Plan, PlanOptions
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import Provider

if TYPE_CHECKING:
    from albform.modules.gslb.load import MemberSource
    from albform.modules.hcl.load import SettingsKnown



@dataclass(frozen=True)
class ConfigSource:
    """``kind`` is ``"hcl"`` (a directory of .tf/.tf.json files), ``"cluster"``
    (Kubernetes manifests + AKO settings through the translator), ``"gslb"`` (member
    clusters + AMKO objects through the GSLB translator) or ``"state"`` (nothing desired:
    destroying what the state records needs no inputs)."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def hcl(cls, directory: Path, variables: Mapping[str, str], var_files: Sequence[Path],
            ) -> ConfigSource:
        return cls("hcl", {
            "dir": str(directory.resolve()),
            "variables": dict(variables),
            "var_files": [str(p.resolve()) for p in var_files],
        })

    @classmethod
    def cluster(cls, manifests: Sequence[Path], ako_config: Path | None,
                controller_facts: Path | None,
                live: Mapping[str, Any] | None = None) -> ConfigSource:
        """``live`` = ``{"kubeconfig", "context", "in_cluster"}`` reads the cluster through
        the Kubernetes API (and the avi-k8s-config ConfigMap when ``ako_config`` is None)."""
        return cls("cluster", {
            "manifests": [str(p.resolve()) for p in manifests],
            "ako_config": str(ako_config.resolve()) if ako_config else None,
            "controller_facts": str(controller_facts.resolve()) if controller_facts else None,
            "live": dict(live) if live else None,
        })

    @classmethod
    def gslb(cls, members: Sequence[MemberSource], amko: Sequence[Path]) -> ConfigSource:
        """``members``: each cluster's manifests or kubeconfig context; ``amko``: the
        GSLBConfig, GlobalDeploymentPolicy and GSLBHostRule files."""
        return cls("gslb", {
            "members": [m.to_json() for m in members],
            "amko": [str(p.resolve()) for p in amko],
        })

    @classmethod
    def state_only(cls) -> ConfigSource:
        return cls("state")

    @property
    def apply_command(self) -> str:
        """The command that applies a plan of this source (for hints and PR comments)."""
        return {"cluster": "albform cluster apply", "gslb": "albform gslb apply"}.get(
            self.kind, "albform apply")

    def applied_summary(self, state: Any) -> list[str]:
        """Lines telling what each input object got on the controller, after an apply
        (cluster sources: Service/Ingress → VS, VIP, FQDN); none for other sources."""
        if self.kind != "cluster":
            return []
        from albform.modules.k8s.summary import served_objects

        return [s.line() for s in served_objects(state)]

    def change_groups(self, plan: Any) -> list[tuple[str, list[str]]]:
        """The plan's changes grouped by the input object that caused them (cluster sources:
        by Kubernetes object); none for other sources."""
        if self.kind != "cluster":
            return []
        from albform.modules.k8s.summary import changes_by_origin

        return changes_by_origin(plan.changes)

    # -- serialisation ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConfigSource:
        return cls(str(data["kind"]), dict(data.get("params", {})))

    # -- loading ------------------------------------------------------------------------
    @property
    def needs_controller(self) -> bool:
        """A cluster source without a facts file (or facts a saved plan recorded) reads the
        facts from the controller."""
        return self.kind == "cluster" and not self.params.get("controller_facts") \
            and not self.params.get("recorded_facts")

    def replaying(self, recorded: Mapping[str, Any]) -> ConfigSource:
        """This source loading what a saved plan recorded of its live reads
        (``Configuration.recorded_reads``) instead of reading again: for a cluster source,
        the controller facts."""
        facts = recorded.get("controller_facts")
        if self.kind != "cluster" or facts is None:
            return self
        from albform.modules.k8s.facts import ControllerFacts

        try:
            ControllerFacts.from_json(facts)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError("the controller facts the plan file records are malformed."
                             ) from None
        return ConfigSource(self.kind, {**self.params, "recorded_facts": facts})

    def check_plan(self, plan: Plan, options: PlanOptions) -> Diagnostics:
        """The front end's own checks of a plan before it is shown or saved (GSLB: the
        member-level blast-radius guard, modules/gslb/guard.py)."""
        if self.kind != "gslb":
            return Diagnostics()
        from albform.modules.gslb.guard import check_member_removals

        return check_member_removals(plan, options)

    def load(self, env: Mapping[str, str], provider: Provider | None = None, *,
             validating: bool = False, workspace: str = "default",
             settings_known: SettingsKnown | None = None, memo_dir: Path | None = None,
             ) -> tuple[Configuration, Diagnostics]:
        """The configuration; ``provider`` is required when ``needs_controller``.
        ``validating``: HCL variables left unset read as unknown instead of an error;
        ``workspace``: the value of ``terraform.workspace``; ``settings_known``: told the
        provider arguments and backend before the rest is decoded, when an HCL source knows
        them early (``modules/hcl/load.SettingsKnown``); ``memo_dir``: the working
        directory whose cluster memo may stand in for unchanged manifests
        (``modules/k8s/config_memo.py``)."""
        if self.kind == "hcl":
            from albform.modules.hcl.load import load_configuration

            return load_configuration(
                Path(self.params["dir"]),
                variables=self.params.get("variables", {}),
                var_files=[Path(p) for p in self.params.get("var_files", [])],
                env=env,
                validating=validating,
                workspace=workspace,
                settings_known=settings_known,
            )
        if self.kind == "cluster":
            from albform.modules.k8s.load import load_cluster_configuration

            return load_cluster_configuration(self._cluster_inputs(provider),
                                              memo_dir=memo_dir, env=env)
        if self.kind == "gslb":
            from albform.modules.gslb.load import load_gslb_configuration, members_from_json

            return load_gslb_configuration(members_from_json(self.params["members"]),
                                           [Path(p) for p in self.params.get("amko", [])])
        if self.kind == "state":
            return Configuration(), Diagnostics()
        raise ValueError(f"unknown configuration source kind {self.kind!r}")

    def _cluster_inputs(self, provider: Provider | None) -> Any:
        from albform.modules.k8s.facts import ControllerFacts
        from albform.modules.k8s.load import ClusterInputs, LiveCluster

        live = self.params.get("live")
        facts = self.params.get("controller_facts")
        recorded = self.params.get("recorded_facts")
        return ClusterInputs(
            manifests=tuple(Path(p) for p in self.params.get("manifests", [])),
            live=LiveCluster(kubeconfig=live.get("kubeconfig"), context=live.get("context"),
                             in_cluster=bool(live.get("in_cluster"))) if live else None,
            ako_config=Path(self.params["ako_config"]) if self.params.get("ako_config")
            else None,
            controller_facts=Path(facts) if facts else None,
            recorded_facts=ControllerFacts.from_json(recorded) if recorded else None,
            provider=provider)

