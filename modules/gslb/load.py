"""File-level entry points: read each member cluster (manifests or a live kubeconfig context)
and the AMKO objects, translate, and return the ``Translation`` (render) or the engine
``Configuration`` (plan/apply). The CLI, the HCL module and the CDKTF construct call these.

A member that cannot be read (a missing file, an unreachable cluster) is an error: planning
without it would delete its GSLB members on the leader (the blast-radius rule for GSLB).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from albform.engine.addrs import ModuleStep
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostics
from albform.engine.inputs import file_digests, value_digest
from albform.modules.gslb.translate import translate
from albform.modules.k8s.ingest import KubeObject, load_manifests, manifest_files
from albform.modules.k8s.objects import Translation

CONTEXT_PREFIX = "context:"
# What AMKO reads from a member besides the core kinds: AKO HostRules, OpenShift Routes.
LIVE_CUSTOM_KINDS = (("HostRule", "ako.vmware.com", "v1beta1", "hostrules"),
                     ("Route", "route.openshift.io", "v1", "routes"))


@dataclass(frozen=True, slots=True)
class MemberSource:
    """One member cluster: manifest paths, or a kubeconfig context to read live."""

    name: str
    paths: tuple[Path, ...] = ()
    context: str | None = None
    kubeconfig: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "paths": [str(p) for p in self.paths],
                "context": self.context, "kubeconfig": self.kubeconfig}


def parse_member(text: str, base: Path | None = None) -> MemberSource:
    """``NAME=PATH`` or ``NAME=context:CTX`` (the ``--member`` syntax); ValueError if bad."""
    name, sep, where = text.partition("=")
    if not sep or not name.strip() or not where:
        raise ValueError(f"expected NAME=PATH or NAME=context:CTX, got {text!r}")
    if where.startswith(CONTEXT_PREFIX):
        return MemberSource(name.strip(), context=where[len(CONTEXT_PREFIX):])
    path = Path(where)
    return MemberSource(name.strip(), (path if path.is_absolute() or base is None
                                       else base / path,))


def read_member(source: MemberSource, diags: Diagnostics) -> list[KubeObject]:
    objects, more = load_manifests(source.paths)
    diags.extend(more)
    if source.context is not None or source.kubeconfig is not None:
        from albform.modules.k8s.live import load_live

        live, more = load_live(kubeconfig=source.kubeconfig, context=source.context,
                               custom=LIVE_CUSTOM_KINDS)
        for d in more:
            diags.error(f"Member cluster {source.name} unreachable", f"{d.summary}: {d.detail}")
        objects.extend(live)
    return objects


def load_gslb(members: Sequence[MemberSource], amko: Sequence[Path],
              ) -> tuple[Translation | None, Diagnostics]:
    diags = Diagnostics()
    by_name: dict[str, list[KubeObject]] = {}
    for source in members:
        if source.name in by_name:
            diags.error("Duplicate member cluster", f"Member {source.name} is given twice.")
            continue
        by_name[source.name] = read_member(source, diags)
    amko_objects, more = load_manifests(amko)
    diags.extend(more)
    if diags.has_errors():
        return None, diags
    translation, more = translate(by_name, amko_objects)
    diags.extend(more)
    return translation, diags


def load_gslb_configuration(members: Sequence[MemberSource], amko: Sequence[Path],
                            module: tuple[ModuleStep, ...] = ()
                            ) -> tuple[Configuration, Diagnostics]:
    translation, diags = load_gslb(members, amko)
    if translation is None or diags.has_errors():
        return Configuration(), diags
    # What a saved plan checks before it is applied (engine/inputs.py): every file read, and
    # for members read live, what the translation made of them.
    inputs = file_digests(manifest_files([*(p for m in members for p in m.paths), *amko]))
    for member in members:
        if member.context is not None or member.kubeconfig is not None:
            inputs[f"live cluster {member.name} (context {member.context or 'current'})"] = \
                value_digest(translation.to_json())
    return replace(translation.to_configuration(module), inputs=inputs), diags


def members_from_json(data: Sequence[Mapping[str, object]]) -> list[MemberSource]:
    """The inverse of ``MemberSource.to_json`` (saved plans record their sources)."""
    out = []
    for d in data:
        paths = d.get("paths") or []
        out.append(MemberSource(str(d["name"]),
                                tuple(Path(str(p)) for p in paths) if isinstance(paths, list)
                                else (),
                                str(d["context"]) if d.get("context") else None,
                                str(d["kubeconfig"]) if d.get("kubeconfig") else None))
    return out
