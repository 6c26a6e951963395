"""API version gating: which ``X-Avi-Version`` first accepts a field.

The Swagger prose says ``Field introduced in 18.1.5, 18.2.1.`` for backports: the field exists
in 18.1.x from 18.1.5, in 18.2.x from 18.2.1, and in every later release line. The controller
answers a request carrying a newer field with 400 ``Incoming request (v18_2_2) has field (f)
introduced in later versions(v18_2_3).`` — ``field_available`` is the check behind that.
"""

from __future__ import annotations

import re
from functools import lru_cache

from albform.provider.schema.table import Field, UnknownObjectType, load_table

_VERSION = re.compile(r"^\d+(?:[._]\d+)*$")


def parse_version(text: str) -> tuple[int, ...]:
    """``"18.2.3"`` (or the header form ``"18_2_3"``/``"v18_2_3"``) -> ``(18, 2, 3)``."""
    cleaned = text.strip().lstrip("vV")
    if not _VERSION.match(cleaned):
        raise ValueError(f"not an Avi API version: {text!r}")
    return tuple(int(p) for p in re.split(r"[._]", cleaned))


def field_available(field: Field, version: str) -> bool:
    """Whether ``field`` may be sent to (and is returned by) API version ``version``."""
    if not field.introduced_in_all:
        return True
    return _available(field.introduced_in_all, version)


@lru_cache(maxsize=4096)  # a plan asks for the same few (introductions, version) pairs
def _available(introduced_in_all: tuple[str, ...], version: str) -> bool:
    wanted = parse_version(version)
    intros = [parse_version(v) for v in introduced_in_all]
    if wanted >= max(intros):
        return True
    return any(wanted[:2] == v[:2] and wanted >= v for v in intros)


def version_gate(api_type: str, field_path: str) -> str | None:
    """The version that introduced ``field_path`` (dotted, e.g. ``services.enable_http2``) of
    ``api_type``: the earliest listed, or None if the Swagger names none (always present).
    Raises ``UnknownObjectType``/``KeyError`` for unknown types/fields."""
    obj = load_table().object(api_type)
    found = obj.object_def.field_at(field_path)
    if found is None:
        raise UnknownObjectType(f"{api_type} has no field {field_path!r}")
    return found.introduced_in
