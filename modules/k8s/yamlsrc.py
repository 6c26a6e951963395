"""YAML/JSON documents with their source lines, for file:line diagnostics.

``load_documents(text, filename)`` parses every document and keeps the composed node, so callers
can point a diagnostic at the line of any key (``Document.line_of("data", "shardVSSize")``).
Bad YAML becomes one error diagnostic carrying PyYAML's mark; nothing raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from albform.engine.diagnostics import Diagnostics, SourceRange

try:  # libyaml's parser is ~10x faster; the constructor stays the pure-Python SafeConstructor
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed document: its data, its node (for lines) and where it starts."""

    data: Any
    node: yaml.Node | None
    source: SourceRange

    def line_of(self, *path: str | int) -> SourceRange:
        """The source range of the value at ``path`` (falls back to the nearest ancestor)."""
        node = self.node
        line = self.source.start_line
        for step in path:
            node = child_node(node, step)
            if node is None:
                break
            line = node.start_mark.line + 1
        return SourceRange(self.source.filename, line)

    def item(self, index: int) -> Document:
        """The ``index``-th element of a sequence document as its own Document (List kinds)."""
        data = self.data[index]
        node = child_node(self.node, index)
        line = node.start_mark.line + 1 if node is not None else self.source.start_line
        return Document(data, node, SourceRange(self.source.filename, line))


def child_node(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]  # type: ignore[no-any-return]
    return None


def load_documents(text: str, filename: str) -> tuple[list[Document], Diagnostics]:
    """Parse all documents of ``text``; empty documents are skipped."""
    diags = Diagnostics()
    docs: list[Document] = []
    try:
        for node, data in _iter_nodes(text):
            if data is None:
                continue
            docs.append(Document(data, node, SourceRange(filename, node.start_mark.line + 1)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        diags.error("Invalid YAML", f"{problem}.", subject=SourceRange(filename, line,
                                                                           start_column=column))
    except yaml.YAMLError as exc:
        diags.error("Invalid YAML", str(exc), subject=SourceRange(filename, 1))
    return docs, diags


def _iter_nodes(text: str) -> Iterator[tuple[yaml.Node, Any]]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node, loader.construct_document(node)
    finally:
        loader.dispose()
