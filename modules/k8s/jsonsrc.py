"""``kubectl get -o json`` manifests read at the speed of ``json``, with each object's line.

A cluster dump of 30,000 objects is 15 MB of JSON; composing it as YAML (for the line of every
key, ``yamlsrc.py``) costs far more than translating it. ``json_manifest`` decodes the text
with the C decoder and notes where each element of a top-level ``items`` list starts — the
line ``yamlsrc`` gives the same element — so every object keeps its ``file:line``. Lines
*inside* an object are not known here: the caller reads the file through ``yamlsrc`` again
whenever it has something to report (``ingest.parse_manifests``), so diagnostics point at the
same lines either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


@dataclass(frozen=True, slots=True)
class JsonManifest:
    """The decoded document, the line it starts on, and the line of each ``items`` element
    (None when the document is not an object with an ``items`` list)."""

    data: Any
    line: int
    item_lines: list[int] | None


def json_manifest(text: str) -> JsonManifest | None:
    """``text`` as one JSON document; None when it is not exactly one."""
    try:
        start = _skip(text, 0)
        if text[start] == "{":
            data, lines, end = _object_with_items(text, start)
        else:
            (data, end), lines = _DECODER.raw_decode(text, start), None
    except (ValueError, IndexError):
        return None
    if _skip(text, end) != len(text):
        return None
    return JsonManifest(data, text.count("\n", 0, start) + 1, lines)


def _object_with_items(text: str, i: int) -> tuple[dict[str, Any], list[int] | None, int]:
    """Decode the object at ``i`` member by member, noting its ``items`` elements' lines."""
    out: dict[str, Any] = {}
    lines: list[int] | None = None
    i = _skip(text, i + 1)
    while text[i] != "}":
        if text[i] != '"':
            raise ValueError("expected a member name")
        key, i = _DECODER.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] != ":":
            raise ValueError("expected ':'")
        i = _skip(text, i + 1)
        if key == "items" and text[i] == "[":
            out[key], lines, i = _elements(text, i)
        else:
            out[key], i = _DECODER.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
        elif text[i] != "}":
            raise ValueError("expected ',' or '}'")
    return out, lines, i + 1


def _elements(text: str, i: int) -> tuple[list[Any], list[int], int]:
    items: list[Any] = []
    lines: list[int] = []
    line, counted = 1, 0
    i = _skip(text, i + 1)
    while text[i] != "]":
        line += text.count("\n", counted, i)
        counted = i
        lines.append(line)
        item, i = _DECODER.raw_decode(text, i)
        items.append(item)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
        elif text[i] != "]":
            raise ValueError("expected ',' or ']'")
    return items, lines, i + 1


def _skip(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _SPACE:
        i += 1
    return i
