"""A JSON reader that keeps line numbers (the ``json`` module drops them).

``load(text) -> JValue`` where objects keep key order and duplicate keys (Terraform's JSON
syntax allows repeated keys for repeated blocks). Raises ``JSONSyntaxError`` with a line.
String scanning uses the standard library's C-accelerated ``scanstring``.
"""

from __future__ import annotations

import json.decoder
import re
from dataclasses import dataclass
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]


class JSONSyntaxError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class JValue:
    """``kind`` is "object" (value: list of (key, key line, JValue)), "array" (list of
    JValue) or "scalar" (None, bool, int, float, str)."""

    kind: str
    value: Any
    line: int


def load(text: str) -> JValue:
    reader = _Reader(text)
    value = reader.value()
    reader.skip()
    if reader.pos != len(text):
        raise JSONSyntaxError("Extra data after the JSON document.", reader.line())
    return value


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._line = 1
        self._line_pos = 0

    def line(self) -> int:
        # Lines are counted incrementally: positions only move forward.
        self._line += self.text.count("\n", self._line_pos, self.pos)
        self._line_pos = self.pos
        return self._line

    def skip(self) -> None:
        m = _WS.match(self.text, self.pos)
        assert m
        self.pos = m.end()

    def value(self) -> JValue:
        self.skip()
        text, pos = self.text, self.pos
        line = self.line()
        if pos >= len(text):
            raise JSONSyntaxError("Unexpected end of JSON input.", line)
        ch = text[pos]
        if ch == "{":
            return self._object(line)
        if ch == "[":
            return self._array(line)
        if ch == '"':
            return JValue("scalar", self._string(), line)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, pos):
                self.pos += len(word)
                return JValue("scalar", val, line)
        m = _NUMBER.match(text, pos)
        if m:
            self.pos = m.end()
            literal = m.group()
            number: int | float = (float(literal) if any(c in literal for c in ".eE")
                                   else int(literal))
            return JValue("scalar", number, line)
        raise JSONSyntaxError(f"Unexpected character {ch!r} in JSON.", line)

    def _string(self) -> str:
        try:
            value, end = _scanstring(self.text, self.pos + 1, True)
        except json.JSONDecodeError as err:
            raise JSONSyntaxError(f"Invalid JSON string: {err.msg}.", self.line()) from None
        self.pos = end
        return str(value)

    def _object(self, line: int) -> JValue:
        self.pos += 1
        items: list[tuple[str, int, JValue]] = []
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return JValue("object", items, line)
        while True:
            self.skip()
            key_line = self.line()
            if not self.text.startswith('"', self.pos):
                raise JSONSyntaxError("Expected a quoted object key.", key_line)
            key = self._string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise JSONSyntaxError(f"Expected ':' after key {key!r}.", self.line())
            self.pos += 1
            items.append((key, key_line, self.value()))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return JValue("object", items, line)
            raise JSONSyntaxError("Expected ',' or '}' in an object.", self.line())

    def _array(self, line: int) -> JValue:
        self.pos += 1
        items: list[JValue] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return JValue("array", items, line)
        while True:
            items.append(self.value())
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return JValue("array", items, line)
            raise JSONSyntaxError("Expected ',' or ']' in an array.", self.line())
