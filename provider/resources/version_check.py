"""Plan-time check of configured fields against the controller API version in use.

The controller rejects a request carrying a field newer than its ``X-Avi-Version`` with 400
``Incoming request (v18_2_8) has field (enable_http2) introduced in later versions(v20_1_1)``
— at apply, after other objects were already changed (docs/users-and-peers.md §2: #123, #141,
#389 ask for plan-time validation). ``newer_fields`` finds those fields in a configuration
before anything is sent, with the table's "Field introduced in" facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.provider.schema.table import ObjectDef
from albform.provider.schema.versions import field_available

Path = tuple[str | int, ...]


def newer_fields(odef: ObjectDef, attributes: Mapping[str, Any], version: str,
                 ) -> list[tuple[str, str]]:
    """``(dotted path, introduced in)`` of every configured field ``version`` lacks."""
    out: list[tuple[str, str]] = []
    _walk(odef, attributes, version, (), out)
    return out


def _walk(odef: ObjectDef, value: Mapping[str, Any], version: str, path: Path,
          out: list[tuple[str, str]]) -> None:
    for key, item in value.items():
        field = odef.fields.get(key)
        if field is None or item is None:
            continue
        here = (*path, key)
        if not field_available(field, version):
            out.append((".".join(str(p) for p in here), ", ".join(field.introduced_in_all)))
            continue
        if field.nested is None:
            continue
        for i, element in enumerate(item if isinstance(item, list) else [item]):
            if isinstance(element, Mapping):
                _walk(field.nested, element, version, (*here, i) if isinstance(item, list)
                      else here, out)


def every_field_available(odef: ObjectDef, version: str) -> bool:
    """Whether ``version`` has every field of ``odef``, at every depth: then no configuration
    of the type can have a newer one, and ``newer_fields`` need not walk it (a plan asks for
    every configured object; most use the newest API version)."""
    seen: set[int] = set()
    todo = [odef]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for field in current.fields.values():
            if not field_available(field, version):
                return False
            if field.nested is not None:
                todo.append(field.nested)
    return True
