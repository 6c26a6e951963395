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
    """Drop top-level fields introduced after ``version`` (reads in an older format)."""
    if not version:
        return body
    odef = _table_fields(obj_type)
    if odef is None:
        return body
    try:
        return {k: v for k, v in body.items()
                if (f := odef.fields.get(k)) is None or _available(f, version)}
    except ValueError:
        return body
