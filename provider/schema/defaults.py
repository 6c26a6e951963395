"""What the controller fills on write: scalar defaults per definition, applied recursively.

Used by the emulator to make POST/PUT answers look like a real controller's (docs/avi-api.md §5.4)
and by the provider to know which values are the server's, not the user's. Only fields with a
known default (Swagger ``default`` or docs/avi-api.md's recorded false/0 defaults) are filled;
server-chosen refs (``cloud_ref`` -> Default-Cloud...) need live objects and are the
emulator's business. Input objects are never mutated.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from albform.engine.values import PLAIN_TYPES
from albform.provider.schema.table import ObjectDef, load_table


def defaults_for(api_type: str) -> dict[str, Any]:
    """Top-level defaults of ``api_type`` (``{"default_server_port": 80, ...}``), fresh copy."""
    return _scalar_defaults(load_table().object(api_type).object_def)


def definition_defaults(definition: str) -> dict[str, Any]:
    """Defaults of a nested definition (``Server`` -> ``{"enabled": True, "ratio": 1, ...}``)."""
    return _scalar_defaults(load_table().definition(definition))


def fill_defaults(api_type: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` with every missing defaulted field filled, in nested objects and
    list elements too. Read-only fields are not invented."""
    return _fill(load_table().object(api_type).object_def, obj)


def copied(value: Any) -> Any:
    """``value`` itself when it is a plain scalar (immutable: nothing to copy), else a deep
    copy. Filling defaults copies a hundred values per object, nearly all of them scalars,
    and ``copy.deepcopy`` costs a call and a memo even for those."""
    return value if type(value) in PLAIN_TYPES else copy.deepcopy(value)


def _scalar_defaults(odef: ObjectDef) -> dict[str, Any]:
    return {name: copied(f.default) for name, f in odef.fields.items()
            if f.has_default and not f.read_only}


def _fill(odef: ObjectDef, obj: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        field = odef.fields.get(key)
        nested = field.nested if field is not None else None
        if nested is not None and isinstance(value, Mapping):
            out[key] = _fill(nested, value)
        elif nested is not None and isinstance(value, list):
            out[key] = [_fill(nested, v) if isinstance(v, Mapping) else copied(v)
                        for v in value]
        else:
            out[key] = copied(value)
    for key, default in _scalar_defaults(odef).items():
        out.setdefault(key, default)
    return out
