"""Cheap, high-value validation (spec §5.5) driven by the schema table: required top-level
fields (after server defaults are filled) and enum membership of top-level values.

Field errors are answered the way the controller answers field checks: 400 with a
JSON-encoded ``{field: message}`` dict as the ``error`` string.
"""

from __future__ import annotations

import json
from typing import Any

from albform.provider.emulator.errors import error

# Filled by the server whatever the schema says (uuid on create, singletons have no name).
_SERVER_FILLED = frozenset({"uuid", "url", "tenant_ref"})


def _definition(obj_type: str) -> Any:
    try:
        from albform.provider.schema.table import load_table
    except ImportError:
        return None
    table = load_table()
    return table.object(obj_type).object_def if table.has_type(obj_type) else None


def check(obj_type: str, body: dict[str, Any]) -> None:
    odef = _definition(obj_type)
    if odef is None:
        return
    problems: dict[str, str] = {}
    for name, field in odef.fields.items():
        if field.required and name not in _SERVER_FILLED and body.get(name) in (None, ""):
            problems[name] = "This field is required."
    for name, value in body.items():
        field = odef.fields.get(name)
        if field is None or not field.enum:
            continue
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if isinstance(v, str) and v not in field.enum]
        if bad:
            problems[name] = f"Invalid choice {bad[0]!r}; expected one of {', '.join(field.enum)}"
    if problems:
        raise error(400, json.dumps(problems))
