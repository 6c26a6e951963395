"""Kubernetes objects from manifests: files, directories, multi-document YAML, ``List`` kinds
and ``kubectl get -o yaml|json`` dumps.

``load_manifests(paths) -> (list[KubeObject], Diagnostics)``; every object remembers the file
and line it came from. Bad YAML, malformed objects and mistyped fields (``shapes``) are
file:line errors; the other files are still read so users see every problem at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.k8s.jsonsrc import json_manifest
from albform.modules.k8s.shapes import shape_errors, unknown_builtin_kind
from albform.modules.k8s.yamlsrc import Document, child_node, load_documents

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class KubeObject:
    """A Kubernetes object as plain data, with where it was read from."""

    data: Mapping[str, Any]
    source: SourceRange | None = None
    # Derived once from ``data`` (which is never mutated): a translation asks for names and
    # namespaces hundreds of thousands of times at cluster scale.
    metadata: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    name: str = field(init=False, repr=False, compare=False)
    namespace: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        meta = self.data.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        object.__setattr__(self, "metadata", meta)
        object.__setattr__(self, "name", str(meta.get("name") or ""))
        object.__setattr__(self, "namespace", str(meta.get("namespace") or "default"))

    @property
    def kind(self) -> str:
        return str(self.data.get("kind") or "")

    @property
    def labels(self) -> Mapping[str, str]:
        return self.metadata.get("labels") or {}

    @property
    def annotations(self) -> Mapping[str, str]:
        return self.metadata.get("annotations") or {}

    @property
    def spec(self) -> Mapping[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}


def load_manifests(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[KubeObject],
                                                                      Diagnostics]:
    diags = Diagnostics()
    objects: list[KubeObject] = []
    for path in paths:
        for file in _expand(Path(path), diags):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                diags.error("Cannot read manifest", f"{exc}.", subject=SourceRange(str(file), 1))
                continue
            found, more = parse_manifests(text, str(file))
            objects.extend(found)
            diags.extend(more)
    return objects, diags


def manifest_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files ``load_manifests`` reads for ``paths`` (those that exist)."""
    return [file for path in paths for file in _expand(Path(path), Diagnostics())]


def _expand(path: Path, diags: Diagnostics) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*")
                      if p.is_file() and p.suffix in MANIFEST_SUFFIXES)
    if not path.exists():
        # No file:line of its own: the caller points it at the argument that named it.
        diags.error("Manifest not found", f"{path} does not exist.")
        return []
    return [path]


def parse_manifests(text: str, filename: str) -> tuple[list[KubeObject], Diagnostics]:
    if filename.endswith(".json"):
        fast = _parse_json(text, filename)
        if fast is not None:
            return fast
    docs, diags = load_documents(text, filename)
    objects: list[KubeObject] = []
    for doc in docs:
        _collect(doc, "", objects, diags)
    return objects, diags


def _parse_json(text: str, filename: str) -> tuple[list[KubeObject], Diagnostics] | None:
    """A JSON manifest through ``jsonsrc`` (every object at the line YAML gives it); None —
    read it as YAML — when it is not plain JSON or anything in it needs a diagnostic, whose
    lines inside objects only the YAML nodes know."""
    manifest = json_manifest(text)
    if manifest is None:
        return None
    diags = Diagnostics()
    objects: list[KubeObject] = []
    data, lines = manifest.data, manifest.item_lines
    kind = data.get("kind") if isinstance(data, dict) else None
    if lines is not None and isinstance(kind, str) and kind.endswith("List"):
        item_kind = kind[: -len("List")] if kind != "List" else ""
        for item, line in zip(data["items"], lines, strict=True):
            _collect(Document(item, None, SourceRange(filename, line)), item_kind, objects,
                     diags)
    else:
        _collect(Document(data, None, SourceRange(filename, manifest.line)), "", objects, diags)
    return None if len(diags) else (objects, diags)


def _collect(doc: Document, implied_kind: str, out: list[KubeObject], diags: Diagnostics) -> None:
    data = doc.data
    if not isinstance(data, dict):
        diags.error("Invalid Kubernetes object", "Expected a mapping with apiVersion and kind.",
                    subject=doc.source)
        return
    kind = data.get("kind") or implied_kind
    items = data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        item_kind = kind[: -len("List")] if kind != "List" else ""
        items_doc = Document(items, child_node(doc.node, "items"), doc.line_of("items"))
        for i in range(len(items)):
            _collect(items_doc.item(i), item_kind, out, diags)
        return
    if not isinstance(kind, str) or not kind:
        diags.error("Invalid Kubernetes object", 'The object has no "kind".', subject=doc.source)
        return
    meta = data.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        diags.error("Invalid Kubernetes object", f'The {kind} has no "metadata.name".',
                    subject=doc.source)
        return
    if implied_kind and "kind" not in data:
        data = {**data, "kind": kind}
    if (typo := unknown_builtin_kind(data)) is not None:
        diags.warning("Unknown Kubernetes kind", typo, subject=doc.source)
        return
    # The API server would refuse a mistyped field; from a file, refuse it here (shapes.py).
    bad = shape_errors(data)
    for path, message in bad:
        diags.error("Invalid Kubernetes object", f"{kind} {meta.get('name')}: {message}",
                    subject=doc.line_of(*path))
    if not bad:
        out.append(KubeObject(data, doc.source))

