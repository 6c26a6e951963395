"""Collections: ``GET /api/<type>`` query parameters → store query → ``{count, results, next}``.

Supported (docs/avi-api.md §1.5): ``page`` (1-based) / ``page_size`` (default 25, at most 200),
``name``, ``name.contains``, ``name.icontains``, ``name.in``, ``uuid.in``, ``exclude=uuid.in``,
``cloud_ref.name``, ``cloud_ref.uuid`` / ``cloud_uuid``, ``refers_to=<type>:<uuid>`` (objects
that refer to it), ``referred_by=<type>:<uuid>`` (objects it refers to), ``sort=[-]<field>``,
and equality on any other top-level scalar field (``created_by=ako``). Presentation parameters
(``fields``, ``include_name``, ``skip_default``...) are the renderer's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from albform.provider.emulator.errors import error

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200

PRESENTATION = frozenset({
    "page", "page_size", "fields", "include_name", "include_refs", "skip_default",
    "join_subresources", "sort", "tenant", "limit_by", "exclude", "search", "isearch",
    "inventory", "include", "cloud", "include_names",
})
_FIELD = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(slots=True)
class CollectionQuery:
    """SQL conditions plus paging for one collection request."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    order: str = "seq"
    cloud_name: str | None = None
    tenants: list[str] | None = None


def _int(params: Mapping[str, str], key: str, default: int) -> int:
    raw = params.get(key)
    if raw in (None, ""):
        return default
    try:
        return int(raw)  # type: ignore[arg-type]
    except ValueError:
        raise error(400, f"Invalid value for {key}: {raw!r}") from None


def _target(raw: str, key: str) -> str:
    _, sep, uuid = raw.partition(":")
    if not sep or not uuid:
        raise error(400, f"{key} must be <type>:<uuid>")
    return uuid


def _scalar_text(value: str) -> str:
    """Query strings are text; JSON true/false are stored as 1/0 by json_extract."""
    return {"true": "1", "false": "0", "True": "1", "False": "0"}.get(value, value)


def build_query(params: Mapping[str, str], tenants: list[str] | None) -> CollectionQuery:
    q = CollectionQuery()
    q.page = max(1, _int(params, "page", 1))
    q.page_size = min(MAX_PAGE_SIZE, max(1, _int(params, "page_size", DEFAULT_PAGE_SIZE)))
    q.tenants = tenants
    for key, value in params.items():
        if key in PRESENTATION:
            continue
        if key == "name":
            q.where.append("name = ?")
            q.params.append(value)
        elif key == "name.contains":
            q.where.append("instr(name, ?) > 0")
            q.params.append(value)
        elif key == "name.icontains":
            q.where.append("instr(lower(name), lower(?)) > 0")
            q.params.append(value)
        elif key in ("name.in", "uuid.in"):
            column = key.split(".")[0]
            items = [v for v in value.split(",") if v]
            negate = params.get("exclude") == key
            q.where.append(f"{column} {'NOT ' if negate else ''}IN ({','.join('?' * len(items))})"
                           if items else ("1=1" if negate else "1=0"))
            q.params.extend(items)
        elif key in ("cloud_ref.uuid", "cloud_uuid"):
            q.where.append("cloud = ?")
            q.params.append(value)
        elif key == "cloud_ref.name":
            q.cloud_name = value
        elif key == "refers_to":
            q.where.append("uuid IN (SELECT src FROM refs WHERE dst = ?)")
            q.params.append(_target(value, key))
        elif key == "referred_by":
            q.where.append("uuid IN (SELECT dst FROM refs WHERE src = ?)")
            q.params.append(_target(value, key))
        elif _FIELD.match(key):
            q.where.append(f"CAST(json_extract(body, '$.{key}') AS TEXT) = ?")
            q.params.append(_scalar_text(value))
    sort = params.get("sort")
    if sort:
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        if not _FIELD.match(name):
            raise error(400, f"Invalid sort field {name!r}")
        column = name if name in ("name", "uuid") else f"json_extract(body, '$.{name}')"
        q.order = f"{column} {'DESC' if descending else 'ASC'}, seq"
    return q


def next_url(
    base_path: str, params: Mapping[str, str], q: CollectionQuery, total: int
) -> str | None:
    if q.page * q.page_size >= total:
        return None
    following = {k: v for k, v in params.items() if k != "page"}
    following["page"] = str(q.page + 1)
    following.setdefault("page_size", str(q.page_size))
    return f"{base_path}?{urlencode(following)}"
