"""Print values as HCL literal expressions (``to_hcl``): the inverse of parsing plus
evaluation for plain data (property-tested as a round trip)."""

from __future__ import annotations

import re
from typing import Any

from albform.modules.hcl.expressions.values import format_number, is_number

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEYWORDS = {"true", "false", "null", "for", "in", "if"}


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(text: str) -> str:
    """A quoted HCL string whose value is exactly ``text`` (templates escaped)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    body = "".join(out)
    return '"' + body.replace("${", "$${").replace("%{", "%%{") + '"'


def to_hcl(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        text = format_number(value)
        return text if not text.startswith("-") else f"({text})"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            name = key if _IDENT.fullmatch(key) and key not in _KEYWORDS else quote(key)
            items.append(f"{name} = {to_hcl(item)}")
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"no HCL literal for {type(value).__name__}")
