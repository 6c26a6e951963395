"""File-level entry points the CLI calls: read manifests, the AKO config and controller facts,
translate, and return either the ``Translation`` (render) or the engine ``Configuration``
(plan/apply). All user mistakes come back as diagnostics; nothing raises for bad input."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from albform.engine.addrs import ModuleStep
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.k8s.facts import ControllerFacts, load_facts
from albform.modules.k8s.ingest import load_manifests
from albform.modules.k8s.objects import Translation
from albform.modules.k8s.settings import AkoSettings, load_settings
from albform.modules.k8s.translate import translate


def _read(path: Path, what: str, diags: Diagnostics) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diags.error(f"Cannot read {what}", f"{exc}.", subject=SourceRange(str(path), 1))
        return None


def load_cluster(manifests: Sequence[Path], ako_config: Path,
                 controller_facts: Path | ControllerFacts | None = None,
                 ) -> tuple[Translation | None, Diagnostics]:
    """Translate the cluster; ``controller_facts`` is a YAML file, facts already read from a
    live controller, or None for the documented defaults."""
    diags = Diagnostics()
    objects, more = load_manifests(manifests)
    diags.extend(more)
    settings = None
    text = _read(ako_config, "AKO configuration", diags)
    if text is not None:
        settings, more = load_settings(text, str(ako_config))
        diags.extend(more)
    facts: ControllerFacts | None = ControllerFacts()
    if isinstance(controller_facts, ControllerFacts):
        facts = controller_facts
    elif controller_facts is not None:
        facts = None
        text = _read(controller_facts, "controller facts", diags)
        if text is not None:
            facts, more = load_facts(text, str(controller_facts))
            diags.extend(more)
    if diags.has_errors() or settings is None or facts is None:
        return None, diags
    translation, more = translate(objects, settings, facts)
    diags.extend(more)
    return translation, diags


def load_cluster_configuration(manifests: Sequence[Path], ako_config: Path,
                               controller_facts: Path | ControllerFacts | None = None,
                               module: tuple[ModuleStep, ...] = ()
                               ) -> tuple[Configuration, Diagnostics]:
    translation, diags = load_cluster(manifests, ako_config, controller_facts)
    if translation is None:
        return Configuration(), diags
    return translation.to_configuration(module), diags


def load_ako_settings(ako_config: Path) -> tuple[AkoSettings | None, Diagnostics]:
    """Only the AKO settings (e.g. to know which cloud to read facts from)."""
    diags = Diagnostics()
    text = _read(ako_config, "AKO configuration", diags)
    if text is None:
        return None, diags
    settings, more = load_settings(text, str(ako_config))
    diags.extend(more)
    return settings, diags
