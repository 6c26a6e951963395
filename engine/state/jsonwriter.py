"""Go's ``json.MarshalIndent(v, "", "  ")`` layout, written faster than ``json.dumps(indent=2)``.

The stdlib's C encoder does not indent (before Python 3.14), and its pure-Python indenting
encoder dominates the cost of writing a large state. This writer appends fragments to one
list, uses the C string escaper, and sorts object keys only inside ``Canonical`` values (the
attribute and output values cty writes sorted), so the codec needs no sorted copy of every
attribute tree. It also applies Go's HTML-safe escapes (``<``, ``>``, ``&``, U+2028, U+2029).
``render_at`` keeps a value's finished bytes (``Raw``) for ``dump_bytes`` to reuse, so a
document rewritten with few changes costs those changes and one join of bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring  # the C escaper when _json is available
from typing import Any

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
               "\u2028": "\\u2028", "\u2029": "\\u2029"}
_INDENT = ["\n" + "  " * level for level in range(32)]


class Canonical:
    """Marks a JSON value whose object keys are written sorted (cty's order)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Raw:
    """A value ``render_at(value, level)`` rendered earlier, written as it is: its UTF-8
    bytes, Go escapes applied. It is only valid at the nesting level it was rendered for
    (the writer checks)."""

    __slots__ = ("data", "level")

    def __init__(self, data: bytes, level: int) -> None:
        self.data = data
        self.level = level


def render_at(value: Any, level: int) -> Raw:
    """``value`` rendered as it would be at ``level`` inside a document, for reuse."""
    parts: list[str] = []
    _write(value, level, False, parts.append, _no_raw)
    return Raw(_go_escaped("".join(parts)).encode("utf-8"), level)


def dumps_indented(doc: Any) -> str:
    """``doc`` as Go's MarshalIndent with two spaces would write it (no final newline)."""
    parts: list[str] = []
    # Go's escapes leave only ASCII behind, so a Raw's text needs none again.
    _write(doc, 0, False, parts.append, lambda raw: parts.append(raw.data.decode("utf-8")))
    return _go_escaped("".join(parts))


def dump_bytes(doc: Any, end: str = "") -> bytes:
    """``(dumps_indented(doc) + end).encode("utf-8")``, made without a whole-document text:
    the text between ``Raw`` values is escaped and encoded piece by piece, the ``Raw``
    values' bytes are taken as they are, and one join makes the document."""
    chunks: list[bytes] = []
    parts: list[str] = []

    def flush() -> None:
        if parts:
            chunks.append(_go_escaped("".join(parts)).encode("utf-8"))
            parts.clear()

    def raw(value: Raw) -> None:
        flush()
        chunks.append(value.data)

    _write(doc, 0, False, parts.append, raw)
    parts.append(end)
    flush()
    return b"".join(chunks)


def _go_escaped(text: str) -> str:
    for char, escaped in _GO_ESCAPES.items():
        if char in text:  # these only ever occur inside strings
            text = text.replace(char, escaped)
    return text


def _no_raw(value: Raw) -> None:
    raise AssertionError("render_at is not given Raw values (dumps_indented and dump_bytes are)")


def _newline(level: int) -> str:
    while level >= len(_INDENT):
        _INDENT.append("\n" + "  " * len(_INDENT))
    return _INDENT[level]


def _write(value: Any, level: int, sort: bool, out: Callable[[str], None],
           raw: Callable[[Raw], None]) -> None:
    kind = type(value)
    if kind is str:
        out(encode_basestring(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif kind is int:
        out(int.__repr__(value))
    elif kind is dict or isinstance(value, Mapping):
        _write_object(value, level, sort, out, raw)
    elif kind is list or kind is tuple:
        if not value:
            out("[]")
            return
        inner = _newline(level + 1)
        out("[")
        first = True
        for item in value:
            out(inner if first else "," + inner)
            first = False
            _write(item, level + 1, sort, out, raw)
        out(_newline(level) + "]")
    elif kind is Canonical:
        _write(value.value, level, True, out, raw)
    elif kind is Raw:
        if value.level != level:
            raise AssertionError(f"text rendered at level {value.level} used at {level}")
        raw(value)
    elif kind is float:
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a JSON number")
        out(float.__repr__(value))
    elif isinstance(value, int):  # int subclasses (enums); bool was handled above
        out(int.__repr__(int(value)))
    elif isinstance(value, str):
        out(encode_basestring(str(value)))
    else:
        raise TypeError(f"a {type(value).__name__} is not JSON: {value!r:.60}")


def _write_object(value: Mapping[Any, Any], level: int, sort: bool,
                  out: Callable[[str], None], raw: Callable[[Raw], None]) -> None:
    if not value:
        out("{}")
        return
    if sort:
        # cty's wrapper for dynamically typed values is written value-then-type.
        keys = (["value", "type"] if len(value) == 2 and "value" in value and "type" in value
                else sorted(value))
    else:
        keys = list(value)
    inner = _newline(level + 1)
    out("{")
    separator = inner
    for key in keys:
        if type(key) is not str and not isinstance(key, str):
            raise TypeError(f"JSON object keys must be strings, got {key!r:.40}")
        head = separator + encode_basestring(key) + ": "
        separator = "," + inner
        item = value[key]
        # The commonest members — a string, null, an empty list — are written here whole
        # (one fragment, no call): a state's instances are mostly such scalars.
        kind = type(item)
        if kind is str:
            out(head + encode_basestring(item))
        elif item is None:
            out(head + "null")
        elif kind is list and not item:
            out(head + "[]")
        else:
            out(head)
            _write(item, level + 1, sort, out, raw)
    out(_newline(level) + "}")
