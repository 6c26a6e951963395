"""``X-Avi-Version`` gating: refuse fields newer than the requested version, hide them on reads.

Which version introduced a field comes from the generated schema table
(``albform.provider.schema``); without a table entry a field is always accepted. Requests
without the header are answered in the oldest format (``AVI_API_VERSION: 16_4_2`` as recorded)
but not gated, as the recorded controllers did.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from albform.provider.emulator import refs
from albform.provider.emulator.errors import error
from albform.provider.emulator.schema_lookup import object_def

OLDEST_FORMAT = "16_4_2"


def _available(field: Any, version: str) -> bool:
    from albform.provider.schema.versions import field_available

    return bool(field_available(field, version))


# (definition name, version) -> None when nothing in the definition (at any depth) is newer
# than the version, else (names hidden at this level, {field: nested definition to walk}).
# Answers are cached: the table is immutable and few versions are ever asked for.
_Plan = tuple[frozenset[str], dict[str, Any]] | None
_PLANS: dict[tuple[str, str], _Plan] = {}
_PLANS_LOCK = threading.Lock()


def _plan(odef: Any, version: str) -> _Plan:
    key = (odef.name, version)
    if key in _PLANS:
        return _PLANS[key]
    hidden = frozenset(n for n, f in odef.fields.items() if not _available(f, version))
    walk = {n: f.nested for n, f in odef.fields.items()
            if n not in hidden and f.nested is not None and _plan(f.nested, version) is not None}
    plan: _Plan = (hidden, walk) if hidden or walk else None
    with _PLANS_LOCK:
        if len(_PLANS) > 50_000:  # clients choose the version strings: stay bounded
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def _underscored(version: str) -> str:
    return "v" + version.strip().lstrip("vV").replace(".", "_")


def check_fields(obj_type: str, body: Any, version: str | None) -> None:
    """400 ``Incoming request (vX) has field (f) introduced in later versions(vY).``"""
    if not version:
        return
    odef = object_def(obj_type)
    if odef is None:
        return
    try:
        _check(odef, body, version)
    except ValueError:  # an unparseable version header: the controller would 400 anyway
        raise error(400, f"Invalid API version {version!r}") from None


def _check(odef: Any, body: Any, version: str) -> None:
    plan = _plan(odef, version)
    if plan is None or not isinstance(body, dict):
        return
    hidden, walk = plan
    for key in body.keys() & hidden:
        field = odef.fields[key]
        raise error(400, f"Incoming request ({_underscored(version)}) has field ({key}) "
                         f"introduced in later versions({_underscored(field.introduced_in)}).")
    for key in body.keys() & walk.keys():
        value = body[key]
        for item in value if isinstance(value, list) else [value]:
            _check(walk[key], item, version)


def down_convert(obj_type: str, body: dict[str, Any], version: str | None) -> dict[str, Any]:
    """Drop fields introduced after ``version``, at every depth (answers in an older format).

    No header means the oldest format (recorded: a ``POST /api/pool`` without the header came
    back without the 18.x/20.x fields, and ``AVI_API_VERSION: 16_4_2``)."""
    odef = object_def(obj_type)
    if odef is None:
        return body
    try:
        converted = _convert(odef, body, version or OLDEST_FORMAT)
    except ValueError:
        return body
    return converted if isinstance(converted, dict) else body


def _convert(odef: Any, value: Any, version: str) -> Any:
    plan = _plan(odef, version)
    if plan is None:
        return value
    if isinstance(value, list):
        return [_convert(odef, v, version) for v in value]
    if not isinstance(value, dict):
        return value
    hidden, walk = plan
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in hidden:
            continue
        nested = walk.get(key)
        out[key] = _convert(nested, item, version) if nested is not None else item
    return out


# (definition name, version) -> whether a value of that definition can be returned as stored:
# nothing inside is newer than the version and nothing inside is a reference.
_AS_IS: dict[tuple[str, str], bool] = {}


def _as_is(odef: Any, version: str) -> bool:
    key = (odef.name, version)
    found = _AS_IS.get(key)
    if found is None:
        found = _plan(odef, version) is None and not any(
            name.endswith(("_ref", "_refs")) or f.ref_target is not None
            or (f.nested is not None and not _as_is(f.nested, version))
            for name, f in odef.fields.items())
        if len(_AS_IS) > 50_000:
            _AS_IS.clear()
        _AS_IS[key] = found
    return found


def present(
    obj_type: str, body: dict[str, Any], version: str | None, base: str,
    name_of: Callable[[str], str | None] | None,
) -> dict[str, Any]:
    """One pass over a stored body for an answer: fields newer than ``version`` dropped (no
    header = oldest format) and refs made absolute (``#name`` with ``name_of``). Sub-objects
    whose definition holds neither are shared, not copied (most of a big page)."""
    odef = object_def(obj_type)
    try:
        out = _present(odef, body, version or OLDEST_FORMAT, base, name_of)
    except ValueError:  # unparseable version header: answer in the stored form
        out = refs.render(body, base, name_of)
    return out if isinstance(out, dict) else body


def _present(odef: Any, value: Any, version: str, base: str,
             name_of: Callable[[str], str | None] | None) -> Any:
    if odef is None:
        return refs.render(value, base, name_of)
    if isinstance(value, list):
        return [_present(odef, v, version, base, name_of) for v in value]
    if not isinstance(value, dict):
        return value
    if _as_is(odef, version) and odef.fields.keys() >= value.keys():
        return value  # keys unknown to the schema might hold refs: those are walked
    plan = _plan(odef, version)
    hidden = plan[0] if plan else frozenset()
    fields = odef.fields
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in hidden:
            continue
        if key.endswith("_ref") and isinstance(item, str):
            out[key] = refs.absolute(item, base, name_of)
        elif key.endswith("_refs") and isinstance(item, list):
            out[key] = [refs.absolute(v, base, name_of) if isinstance(v, str) else v
                        for v in item]
        elif isinstance(item, dict | list):
            field = fields.get(key)
            out[key] = _present(field.nested if field is not None else None, item, version,
                                base, name_of)
        else:
            out[key] = item
    return out


def older_than(version: str | None, reference: str) -> bool:
    """Whether the answer format ``version`` (None = oldest) predates ``reference``."""
    try:
        return _parse(version or OLDEST_FORMAT) < _parse(reference)
    except ValueError:
        return False


@functools.cache
def _parse(text: str) -> tuple[int, ...]:
    """``"18.2.3"`` / ``"v18_2_3"`` -> ``(18, 2, 3)``; ValueError when not a version."""
    return tuple(int(p) for p in text.strip().lstrip("vV").replace("_", ".").split("."))
