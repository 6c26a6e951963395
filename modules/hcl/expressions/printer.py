"""Print values as HCL literal expressions (``to_hcl``): the inverse of parsing plus
evaluation for plain data, used for ``-var`` hints and property-tested as a round trip."""

from __future__ import annotations

import json
import re
from typing import Any

from albform.modules.hcl.expressions.values import format_number, is_number

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEYWORDS = {"true", "false", "null", "for", "in", "if"}


def quote(text: str) -> str:
    """A quoted HCL string whose value is exactly ``text`` (templates escaped)."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    body = body.replace("\\b", "\\u0008").replace("\\f", "\\u000c")
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
