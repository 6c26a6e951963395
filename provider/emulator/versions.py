"""``X-Avi-Version`` gating: refuse fields newer than the requested version, hide them on reads.

Which version introduced a field comes from the generated schema table
(``albform.provider.schema``); without a table entry a field is always accepted. Requests
without the header are answered in the oldest format (``AVI_API_VERSION: 16_4_2`` as recorded)
but not gated, as the recorded controllers did.
"""

from __future__ import annotations

from typing import Any

from albform.provider.emulator.errors import error

OLDEST_FORMAT = "16_4_2"


def _table_fields(obj_type: str) -> Any:
    try:
        from albform.provider.schema.table import load_table
    except ImportError:  # the schema package not built yet: no gating
        return None
    table = load_table()
    if not table.has_type(obj_type):
        return None
    return table.object(obj_type).object_def


def _available(field: Any, version: str) -> bool:
    from albform.provider.schema.versions import field_available

    return bool(field_available(field, version))


def _underscored(version: str) -> str:
    return "v" + version.strip().lstrip("vV").replace(".", "_")


def check_fields(obj_type: str, body: Any, version: str | None) -> None:
    """400 ``Incoming request (vX) has field (f) introduced in later versions(vY).``"""
    if not version:
        return
    odef = _table_fields(obj_type)
    if odef is None:
        return
    try:
        _check(odef, body, version)
    except ValueError:  # an unparseable version header: the controller would 400 anyway
        raise error(400, f"Invalid API version {version!r}") from None


def _check(odef: Any, body: Any, version: str) -> None:
    if not isinstance(body, dict):
        return
    for key, value in body.items():
        field = odef.fields.get(key)
        if field is None:
            continue
        if not _available(field, version):
            raise error(400, f"Incoming request ({_underscored(version)}) has field ({key}) "
                             f"introduced in later versions({_underscored(field.introduced_in)}).")
        if field.nested is not None:
            for item in value if isinstance(value, list) else [value]:
                _check(field.nested, item, version)


def down_convert(obj_type: str, body: dict[str, Any], version: str | None) -> dict[str, Any]:
    """Drop fields introduced after ``version``, at every depth (answers in an older format).

    No header means the oldest format (recorded: a ``POST /api/pool`` without the header came
    back without the 18.x/20.x fields, and ``AVI_API_VERSION: 16_4_2``)."""
    odef = _table_fields(obj_type)
    if odef is None:
        return body
    try:
        converted = _convert(odef, body, version or OLDEST_FORMAT)
    except ValueError:
        return body
    return converted if isinstance(converted, dict) else body


def _convert(odef: Any, value: Any, version: str) -> Any:
    if isinstance(value, list):
        return [_convert(odef, v, version) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        field = odef.fields.get(key)
        if field is None:
            out[key] = item
        elif _available(field, version):
            out[key] = _convert(field.nested, item, version) if field.nested else item
    return out


def older_than(version: str | None, reference: str) -> bool:
    """Whether the answer format ``version`` (None = oldest) predates ``reference``."""
    try:
        return _parse(version or OLDEST_FORMAT) < _parse(reference)
    except ValueError:
        return False


def _parse(text: str) -> tuple[int, ...]:
    """``"18.2.3"`` / ``"v18_2_3"`` -> ``(18, 2, 3)``; ValueError when not a version."""
    return tuple(int(p) for p in text.strip().lstrip("vV").replace("_", ".").split("."))
