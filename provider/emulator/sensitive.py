"""Sensitive fields (keys, passphrases, passwords) are stored but never returned.

Which fields are sensitive comes from the generated schema table (at any depth, e.g.
``cloud.vcenter_configuration.password``) plus the recorded ones in
:data:`albform.provider.emulator.defaults.SENSITIVE`. Reads show the field with the value
``<sensitive>`` (recorded for ``sslkeyandcertificate.key``); write answers leave it out. An
empty value carries no secret and is shown as is (recorded: ``"key_passphrase": ""``).
"""

from __future__ import annotations

import functools
from typing import Any

from albform.provider.emulator import defaults
from albform.provider.emulator.schema_lookup import object_def

MASK = "<sensitive>"


@functools.cache
def _has_sensitive(name: str) -> bool:
    from albform.provider.schema.table import load_table

    odef = load_table().definition(name)
    return any(f.sensitive or (f.nested is not None and _has_sensitive(f.nested.name))
               for f in odef.fields.values())


def hide(obj_type: str, body: dict[str, Any], *, read: bool) -> dict[str, Any]:
    """A copy of ``body`` with sensitive values masked (``read``) or removed."""
    odef = object_def(obj_type)
    extra = defaults.SENSITIVE.get(obj_type, frozenset())
    hidden = _hide(odef, body, read, extra)
    return hidden if isinstance(hidden, dict) else body


def _hide(odef: Any, value: Any, read: bool, extra: frozenset[str] = frozenset()) -> Any:
    if isinstance(value, list):
        return [_hide(odef, v, read) for v in value]
    if not isinstance(value, dict):
        return value
    if not extra and (odef is None or not _has_sensitive(odef.name)):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        field = odef.fields.get(key) if odef is not None else None
        if key in extra or (field is not None and field.sensitive):
            if item in ("", None):
                out[key] = item
            elif read:
                out[key] = MASK
        elif field is not None and field.nested is not None:
            out[key] = _hide(field.nested, item, read)
        else:
            out[key] = item
    return out


def keep_unchanged(obj_type: str, new: dict[str, Any], current: dict[str, Any]) -> None:
    """A client that sends back ``<sensitive>`` (or omits a top-level sensitive field on a full
    replace) keeps the stored secret."""
    odef = object_def(obj_type)
    names = set(defaults.SENSITIVE.get(obj_type, frozenset()))
    if odef is not None:
        names |= {n for n, f in odef.fields.items() if f.sensitive}
    for key in names:
        if (key not in new or new[key] == MASK) and key in current:
            new[key] = current[key]
    _restore_masked(odef, new, current)


def _restore_masked(odef: Any, new: Any, current: Any) -> None:
    if odef is None or not isinstance(new, dict) or not isinstance(current, dict):
        return
    for key, item in new.items():
        field = odef.fields.get(key)
        if field is None:
            continue
        if field.sensitive and item == MASK and key in current:
            new[key] = current[key]
        elif field.nested is not None and isinstance(item, dict):
            _restore_masked(field.nested, item, current.get(key))
