"""The one entry point to a cluster's inputs. ``cluster plan|apply|destroy|drift`` (through the
CLI's configuration source), ``cluster render`` and the HCL ``albform/ako`` module all describe
their inputs as a ``ClusterInputs`` and call ``load_cluster`` (the ``Translation``, for render)
or ``load_cluster_configuration`` (the engine ``Configuration``, for planning).

Where each input comes from, in order of preference:

* Kubernetes objects: manifest files/directories, plus a live cluster when ``live`` is given;
* AKO settings: ``ako_config`` (the ``avi-k8s-config`` ConfigMap or Helm values), else
  ``ako_settings`` (the same keys inline), else the live cluster's ConfigMap;
* controller facts: ``controller_facts`` (a YAML file, or the keys inline), else read from
  ``provider`` (the controller being planned against, as AKO does), else the defaults.

Every mistake is a diagnostic (with file:line; inline values, live reads and manifest paths that
do not exist are reported at ``where[<input name>]`` when given); nothing raises for bad input.
The configuration records a digest of each input (``engine/inputs.py``): each file read, and for
a live cluster or facts read from the controller, a digest of what was derived from them, so a
saved plan refuses to apply once the cluster or its files changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from albform.engine.addrs import ModuleStep
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostic, Diagnostics, SourceRange
from albform.engine.inputs import file_digests, value_digest
from albform.engine.provider import Provider
from albform.modules.k8s.facts import ControllerFacts, load_facts
from albform.modules.k8s.ingest import KubeObject, load_manifests, manifest_files
from albform.modules.k8s.objects import Translation
from albform.modules.k8s.references import avi_references
from albform.modules.k8s.settings import AkoSettings, load_settings
from albform.modules.k8s.translate import translate

if TYPE_CHECKING:
    from albform.modules.k8s.config_memo import ClusterMemo

# The input name of facts read from the controller (engine/inputs.py).
FACTS_READ = "controller facts (read from the controller)"


@dataclass(frozen=True, slots=True)
class LiveCluster:
    """A cluster read through the Kubernetes API."""

    kubeconfig: str | None = None
    context: str | None = None
    in_cluster: bool = False

    def describe(self) -> str:
        where = "in-cluster" if self.in_cluster else f"context {self.context or 'current'}"
        return f"live cluster ({where}{', ' + self.kubeconfig if self.kubeconfig else ''})"


@dataclass(frozen=True, slots=True)
class ClusterInputs:
    """Where a cluster's inputs are; see the module docstring for the order of preference."""

    manifests: tuple[Path, ...] = ()
    live: LiveCluster | None = None
    ako_config: Path | None = None
    ako_settings: Mapping[str, Any] | None = None
    controller_facts: Path | Mapping[str, Any] | None = None
    provider: Provider | None = None
    # Facts read from the controller when a saved plan was made, which the plan file keeps:
    # used in place of reading them again (``show -json PLANFILE`` describes the
    # configuration offline), under the same input name, so the digests still compare.
    recorded_facts: ControllerFacts | None = None
    # Where to report problems of inline values and live reads ("ako_settings",
    # "controller_facts", "live"): the HCL module's argument lines.
    where: Mapping[str, SourceRange] = field(default_factory=dict)


@dataclass
class _Read:
    """What was read, and the digests of what it was read from."""

    objects: list[KubeObject] = field(default_factory=list)
    settings: AkoSettings | None = None
    facts: ControllerFacts | None = None
    files: list[Path] = field(default_factory=list)
    live: str | None = None  # the live cluster read, as the input's name
    facts_read: str | None = None  # facts read from the controller, as the input's name
    live_failed: bool = False  # the live cluster could not be read (reported once)


def load_cluster(inputs: ClusterInputs) -> tuple[Translation | None, Diagnostics]:
    """The objects AKO would create (None when an input has errors)."""
    translation, _, diags = _load(inputs)
    return translation, diags


def load_cluster_configuration(inputs: ClusterInputs, module: tuple[ModuleStep, ...] = (),
                               *, memo_dir: Path | None = None, env: Mapping[str, str] = {},
                               ) -> tuple[Configuration, Diagnostics]:
    """The same objects as the engine's configuration (resources under ``module``), with
    ``inputs`` recording what they were read from and ``recorded_reads`` the facts read
    from the controller (``{"controller_facts": ...}``, for ``ClusterInputs.recorded_facts``);
    empty when an input has errors. ``memo_dir``: the working directory whose cluster memo
    (``config_memo.py``, under the user key ``env`` names) stands in for unchanged files."""
    memo = _memo(inputs, module, memo_dir, env)
    before: dict[str, str] = {}
    if memo is not None:
        kept = memo.load()
        if kept is not None:
            return kept
        before = memo.digests_now()
    translation, read, diags = _load(inputs)
    if translation is None:
        return Configuration(), diags
    recorded = {"controller_facts": read.facts.to_json()} \
        if read.facts_read is not None and read.facts is not None else {}
    config = replace(translation.to_configuration(module), inputs=_digests(read, translation),
                     recorded_reads=recorded)
    if memo is not None:
        memo.save(config, diags, before)
    return config, diags


def _memo(inputs: ClusterInputs, module: tuple[ModuleStep, ...], memo_dir: Path | None,
          env: Mapping[str, str]) -> ClusterMemo | None:
    """The cluster memo of a load from files alone (``config_memo.py``), or None: no live
    cluster, and the AKO settings and the facts read from files (which win over inline
    settings and recorded facts: ``_read_settings``, ``_read_facts``)."""
    if memo_dir is None or module or inputs.live is not None or inputs.ako_config is None \
            or not isinstance(inputs.controller_facts, Path):
        return None
    from albform.modules.k8s.config_memo import cluster_memo

    return cluster_memo(memo_dir, manifests=inputs.manifests, ako_config=inputs.ako_config,
                        controller_facts=inputs.controller_facts, env=env)


def _load(inputs: ClusterInputs) -> tuple[Translation | None, _Read, Diagnostics]:
    diags = Diagnostics()
    read = _Read()
    _read_objects(inputs, read, diags)
    _read_settings(inputs, read, diags)
    _read_facts(inputs, read, diags)
    if diags.has_errors() or read.settings is None or read.facts is None:
        return None, read, diags
    translation, more = translate(read.objects, read.settings, read.facts)
    diags.extend(more)
    return translation, read, diags


def _digests(read: _Read, translation: Translation) -> dict[str, str]:
    """The input record (engine/inputs.py). A live cluster changes all the time in ways that
    do not matter (status, resource versions): its digest is that of the objects the
    translation made of it. Facts read from the controller are digested as read."""
    digests = file_digests(read.files)
    if read.live is not None:
        digests[read.live] = value_digest(translation.to_json())
    if read.facts_read is not None:
        digests[read.facts_read] = value_digest(read.facts)
    return digests


def _at(inputs: ClusterInputs, name: str, more: Diagnostics, *, inline: bool = False,
        ) -> Diagnostics:
    """Point diagnostics at ``where[name]`` (if given): those about an inline value (their
    lines are those of a synthetic document), else those without a file:line of their own."""
    where = inputs.where.get(name)
    if where is None:
        return more
    return Diagnostics(Diagnostic(d.severity, d.summary, d.detail, where, d.address)
                       if inline or d.subject is None else d for d in more)


def _read_text(path: Path, what: str, read: _Read, diags: Diagnostics) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diags.error(f"Cannot read {what}", f"{path}: {exc}.", subject=SourceRange(str(path), 1))
        return None
    read.files.append(path)
    return text


def _read_objects(inputs: ClusterInputs, read: _Read, diags: Diagnostics) -> None:
    objects, more = load_manifests(inputs.manifests)
    diags.extend(_at(inputs, "manifests", more))
    read.objects.extend(objects)
    read.files.extend(manifest_files(inputs.manifests))
    if inputs.live is not None:
        from albform.modules.k8s.live import AKO_CUSTOM_KINDS, load_live

        live, more = load_live(kubeconfig=inputs.live.kubeconfig, context=inputs.live.context,
                               in_cluster=inputs.live.in_cluster, pods=True,
                               custom=AKO_CUSTOM_KINDS)
        diags.extend(_at(inputs, "live", more))
        read.live_failed = more.has_errors()
        read.objects.extend(live)
        read.live = inputs.live.describe()


def _read_settings(inputs: ClusterInputs, read: _Read, diags: Diagnostics) -> None:
    if inputs.ako_config is not None:
        text = _read_text(inputs.ako_config, "AKO configuration", read, diags)
        if text is not None:
            read.settings, more = load_settings(text, str(inputs.ako_config))
            diags.extend(more)
    elif inputs.ako_settings is not None:
        data = {k: v if isinstance(v, str) else json.dumps(v)
                for k, v in inputs.ako_settings.items()}
        where = inputs.where.get("ako_settings")
        read.settings, more = load_settings(json.dumps({"kind": "ConfigMap", "data": data}),
                                            where.filename if where else "ako_settings")
        diags.extend(_at(inputs, "ako_settings", more, inline=True))
    elif inputs.live is not None:
        if read.live_failed:
            return
        from albform.modules.k8s.live import load_live_settings

        read.settings, more = load_live_settings(
            kubeconfig=inputs.live.kubeconfig, context=inputs.live.context,
            in_cluster=inputs.live.in_cluster)
        diags.extend(_at(inputs, "live", more))
    else:
        diags.error("Missing AKO settings", "Give the AKO settings: the avi-k8s-config "
                    "ConfigMap or AKO Helm values as a file, or read them from a live "
                    "cluster.", subject=inputs.where.get("ako_settings"))


def _read_facts(inputs: ClusterInputs, read: _Read, diags: Diagnostics) -> None:
    given = inputs.controller_facts
    if isinstance(given, Path):
        text = _read_text(given, "controller facts", read, diags)
        if text is not None:
            read.facts, more = load_facts(text, str(given))
            diags.extend(more)
    elif given is not None:
        where = inputs.where.get("controller_facts")
        read.facts, more = load_facts(json.dumps(dict(given)),
                                      where.filename if where else "controller_facts")
        diags.extend(_at(inputs, "controller_facts", more, inline=True))
    elif inputs.recorded_facts is not None:
        read.facts = inputs.recorded_facts
        read.facts_read = FACTS_READ
    elif inputs.provider is not None:
        if read.settings is None:
            return  # which cloud to ask is in the settings (their error is reported)
        from albform.modules.k8s.controller_facts import read_controller_facts

        read.facts, more = read_controller_facts(inputs.provider, read.settings,
                                                 avi_references(read.objects))
        diags.extend(more)
        read.facts_read = FACTS_READ
    else:
        read.facts = ControllerFacts()
