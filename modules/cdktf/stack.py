"""``App`` and ``Stack``: merge the elements' fragments and write CDKTF's output layout.

``app.synth()`` writes ``<outdir>/manifest.json`` and ``<outdir>/stacks/<stack>/cdk.tf.json``
(and the stack's cluster modules, ``modules/<kind>-<id>/``, ``clusters.py``) exactly where
``cdktf synth`` writes them, with the same ``//`` metadata blocks (which
Terraform and albform skip). Output is deterministic: keys sorted, two-space indent, so the
same app gives the same bytes (the default local backend path is the one input that depends
on the current directory, as in CDKTF). Two elements with the same address are an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from albform.modules.cdktf.clusters import ClusterModule
from albform.modules.cdktf.construct import Construct
from albform.modules.cdktf.elements import Output, Resource, TerraformElement
from albform.modules.cdktf.providers import Backend, default_backend
from albform.modules.cdktf.tokens import resolve

CDKTF_VERSION = "0.21.0"


class App(Construct):
    """The root. ``outdir`` defaults to ``$CDKTF_OUTDIR`` or ``cdktf.out`` (as CDKTF)."""

    def __init__(self, outdir: str | Path | None = None) -> None:
        super().__init__(None, "")
        self.outdir = Path(outdir or os.environ.get("CDKTF_OUTDIR") or "cdktf.out")

    @property
    def stacks(self) -> list[Stack]:
        return [c for c in self.node.children if isinstance(c, Stack)]

    def synth(self) -> Path:
        """Write every stack and the manifest; returns the output directory."""
        stacks: dict[str, Any] = {}
        for stack in self.stacks:
            rel = f"stacks/{stack.name}"
            target = self.outdir / rel
            target.mkdir(parents=True, exist_ok=True)
            _write(target / "cdk.tf.json", stack.to_terraform())
            stack.synth_files(target)
            stacks[stack.name] = {
                "annotations": [], "constructPath": stack.node.path, "dependencies": [],
                "name": stack.name, "stackMetadataPath": f"{rel}/metadata.json",
                "synthesizedStackPath": f"{rel}/cdk.tf.json", "workingDirectory": rel}
        _write(self.outdir / "manifest.json", {"stacks": stacks, "version": CDKTF_VERSION})
        return self.outdir


def _write(path: Path, doc: Any) -> None:
    # Write then rename, so a reader never sees half a file.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(doc), encoding="utf-8")
    tmp.replace(path)


def dumps(doc: Any) -> str:
    """JSON as CDKTF 0.21 writes it: keys sorted, two-space indent, and empty containers
    opened and closed on separate lines (``{\n  }``), so the bytes match ``cdktf synth``."""
    out: list[str] = []
    _dump(doc, "", out)
    return "".join(out)


def _dump(value: Any, indent: str, out: list[str]) -> None:
    inner = indent + "  "
    if isinstance(value, dict):
        out.append("{\n")
        for i, key in enumerate(sorted(value)):
            out.append(f"{inner}{json.dumps(key, ensure_ascii=False)}: ")
            _dump(value[key], inner, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(indent + "}")
    elif isinstance(value, list | tuple):
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(inner)
            _dump(item, inner, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(indent + "]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def _merge(into: dict[str, Any], fragment: dict[str, Any], where: tuple[str, ...],
           owner: str) -> None:
    for key, value in fragment.items():
        if where == ("provider",) and key in into:
            # Several configurations of one provider (a default one and aliased ones) are
            # one list, as CDKTF writes them; each alias (and the default) at most once.
            aliases = [c.get("alias") for c in (*into[key], *value)]
            if len(aliases) != len(set(aliases)):
                raise ValueError(f"{owner}: provider {key!r} is configured twice with the "
                                 "same alias (or twice without one)")
            into[key] = [*into[key], *value]
        elif key in into and isinstance(into[key], dict) and isinstance(value, dict):
            _merge(into[key], value, (*where, key), owner)
        elif key in into and into[key] != value:
            raise ValueError(f"{owner}: {'.'.join((*where, key))} is already defined by "
                             "another construct in this stack")
        else:
            into[key] = value


class Stack(Construct):
    """One Terraform root module: ``Stack(app, "avi-prod")``."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(scope, id)

    @property
    def name(self) -> str:
        return self.node.id

    def elements(self) -> list[TerraformElement]:
        return [c for c in self.node.walk() if isinstance(c, TerraformElement)
                and self._owns(c)]

    def synth_files(self, stack_dir: Path) -> None:
        """Write the files elements keep beside ``cdk.tf.json`` (the cluster modules)."""
        for element in self.elements():
            if isinstance(element, ClusterModule):
                element.synth_files(stack_dir)

    def _owns(self, element: TerraformElement) -> bool:
        return element.stack is self

    def to_terraform(self) -> dict[str, Any]:
        """The stack's Terraform JSON document (tokens resolved)."""
        doc: dict[str, Any] = {}
        seen: dict[tuple[str, ...], str] = {}
        backend: str | None = None
        outputs: dict[str, str] = {}
        imports: list[dict[str, str]] = []
        imported: dict[str, list[str]] = {}
        for element in self.elements():
            fragment = element.to_terraform()
            for block, body in fragment.items():
                if block in ("resource", "data"):
                    for type_name, named in body.items():
                        for logical in named:
                            _unique(seen, (block, type_name, logical), element)
                elif block in ("variable", "output", "module"):
                    for logical in body:
                        _unique(seen, (block, logical), element)
            if isinstance(element, Backend):
                if backend is not None:
                    raise ValueError(f"stack {self.name!r} has more than one backend")
                backend = element.kind
            if isinstance(element, Resource) and element.import_id is not None:
                imports.append({"id": element.import_id, "to": element.fqn})
                imported.setdefault(element.type, []).append(element.logical_id)
            if isinstance(element, Output):
                outputs[element.logical_id] = element.logical_id
            _merge(doc, fragment, (), element.node.path)
        if backend is None:
            _merge(doc, {"terraform": {"backend": default_backend(self.name)}}, (), self.name)
            backend = "local"
        meta: dict[str, Any] = {"metadata": {"backend": backend, "stackName": self.name,
                                             "version": CDKTF_VERSION}}
        if imports:
            doc["import"] = imports
            meta["metadata"]["imports"] = imported
        # CDKTF writes the key even when the stack has no outputs.
        meta["outputs"] = {self.name: outputs} if outputs else {}
        return {"//": meta, **resolve(doc)}


def _unique(seen: dict[tuple[str, ...], str], key: tuple[str, ...],
            element: TerraformElement) -> None:
    if key in seen:
        raise ValueError(f"{element.node.path} and {seen[key]} both synthesize "
                         f"{'.'.join(key)}; give one of them another id or logical id")
    seen[key] = element.node.path
