"""Gathering a cluster source's inputs — manifests and/or a live cluster, the AKO settings
(file or the live ``avi-k8s-config`` ConfigMap), the controller facts (file, the controller
itself, or defaults) — and translating them into a configuration."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import Provider
from albform.modules.k8s.facts import ControllerFacts, load_facts
from albform.modules.k8s.ingest import KubeObject, load_manifests
from albform.modules.k8s.load import load_ako_settings
from albform.modules.k8s.references import avi_references
from albform.modules.k8s.settings import AkoSettings
from albform.modules.k8s.translate import translate


def _objects(params: Mapping[str, Any], diags: Diagnostics) -> list[KubeObject]:
    objects, more = load_manifests([Path(p) for p in params.get("manifests", [])])
    diags.extend(more)
    live = params.get("live")
    if live:
        from albform.modules.k8s.live import load_live

        live_objects, more = load_live(kubeconfig=live.get("kubeconfig"),
                                       context=live.get("context"),
                                       in_cluster=bool(live.get("in_cluster")), pods=True)
        diags.extend(more)
        objects.extend(live_objects)
    return objects


def _settings(params: Mapping[str, Any], diags: Diagnostics) -> AkoSettings | None:
    if params.get("ako_config"):
        settings, more = load_ako_settings(Path(params["ako_config"]))
        diags.extend(more)
        return settings
    live = params.get("live")
    if not live:
        diags.error("Missing AKO settings", "Give --ako-config FILE (the avi-k8s-config "
                    "ConfigMap or AKO Helm values), or read it from a live cluster with "
                    "--kubeconfig/--in-cluster.")
        return None
    from albform.modules.k8s.live import load_live_settings

    settings, more = load_live_settings(kubeconfig=live.get("kubeconfig"),
                                        context=live.get("context"),
                                        in_cluster=bool(live.get("in_cluster")))
    diags.extend(more)
    return settings


def _facts(params: Mapping[str, Any], settings: AkoSettings, provider: Provider | None,
           objects: list[KubeObject], diags: Diagnostics) -> ControllerFacts | None:
    path = params.get("controller_facts")
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            diags.error("Cannot read controller facts", f"{exc}.")
            return None
        facts, more = load_facts(text, str(path))
        diags.extend(more)
        return facts
    if provider is None:
        return ControllerFacts()
    from albform.cli.facts import read_controller_facts

    facts, more = read_controller_facts(provider, settings, avi_references(objects))
    diags.extend(more)
    return facts


def load_cluster_source(params: Mapping[str, Any], provider: Provider | None,
                        ) -> tuple[Configuration, Diagnostics]:
    diags = Diagnostics()
    objects = _objects(params, diags)
    if diags.has_errors():
        # A cluster that could not be read would fail the settings read the same way: one
        # error, said once.
        return Configuration(), diags
    settings = _settings(params, diags)
    facts = _facts(params, settings, provider, objects, diags) if settings is not None \
        else None
    if diags.has_errors() or settings is None or facts is None:
        return Configuration(), diags
    translation, more = translate(objects, settings, facts)
    diags.extend(more)
    return translation.to_configuration(), diags
