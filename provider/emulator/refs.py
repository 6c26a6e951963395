"""References between objects: the input forms the controller accepts and the output form.

Every field whose name ends in ``_ref`` (one url) or ``_refs`` (a list), at any depth, is a
reference. On input a ref may be an absolute url (any host, optional ``#name``), a relative
``/api/<type>/<uuid>``, or a lookup ``/api/<type>?name=<n>[&tenant=<t>][&cloud=<c>]``; a bare
name is not a ref. The store keeps the canonical relative form ``/api/<type>/<uuid>`` and
:func:`render` turns it into ``<base>/api/<type>/<uuid>`` (``#<name>`` when names are asked).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

_SLASHES = re.compile(r"/{2,}")


@dataclass(frozen=True, slots=True)
class RefSpec:
    """A parsed input ref: either a uuid or a name lookup (with optional tenant/cloud)."""

    type: str
    uuid: str | None = None
    name: str | None = None
    tenant: str | None = None
    cloud: str | None = None


def is_ref_field(key: str) -> bool:
    return key.endswith("_ref") or key.endswith("_refs")


def canonical(obj_type: str, uuid: str) -> str:
    return f"/api/{obj_type}/{uuid}"


def parse(value: object) -> RefSpec | None:
    """Parse one input ref; None when it is not in any accepted form."""
    if not isinstance(value, str) or not value:
        return None
    parts = urlsplit(value.split("#", 1)[0])
    path = _SLASHES.sub("/", parts.path)
    if not path.startswith("/api/"):
        return None
    segments = [s for s in path[len("/api/") :].split("/") if s]
    if not segments or len(segments) > 2:
        return None
    obj_type = segments[0]
    if len(segments) == 2:
        return RefSpec(obj_type, uuid=segments[1])
    query = parse_qs(parts.query)
    names = query.get("name")
    if not names:
        return None
    return RefSpec(
        obj_type,
        name=names[0],
        tenant=query["tenant"][0] if query.get("tenant") else None,
        cloud=query["cloud"][0] if query.get("cloud") else None,
    )


def split_canonical(value: str) -> tuple[str, str]:
    """``/api/pool/pool-1`` -> ``("pool", "pool-1")`` (for values already canonical)."""
    _, _, rest = value.partition("/api/")
    obj_type, _, uuid = rest.partition("/")
    return obj_type, uuid


def walk(body: Any) -> Iterator[tuple[dict[str, Any] | list[Any], str | int, str]]:
    """Every ref string in ``body``: (container, key or index, value), depth first."""
    # Only containers are walked into (a generator per scalar was most of the cost: a create
    # walks its body twice, resolving refs and recording them).
    if isinstance(body, dict):
        for key, value in list(body.items()):
            if key.endswith("_ref") and isinstance(value, str):
                yield body, key, value
            elif key.endswith("_refs") and isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        yield value, index, item
            elif isinstance(value, dict | list):
                yield from walk(value)
    elif isinstance(body, list):
        for item in body:
            if isinstance(item, dict | list):
                yield from walk(item)


def assign(container: dict[str, Any] | list[Any], key: str | int, value: str) -> None:
    """Write back a ref found by :func:`walk`."""
    if isinstance(container, list):
        if isinstance(key, int):
            container[key] = value
    elif isinstance(key, str):
        container[key] = value


def render(body: Any, base: str, name_of: Callable[[str], str | None] | None) -> Any:
    """A copy of ``body`` with canonical refs made absolute (``#name`` when ``name_of``)."""
    if isinstance(body, dict):
        out: dict[str, Any] = {}
        for key, value in body.items():
            if key.endswith("_ref") and isinstance(value, str):
                out[key] = absolute(value, base, name_of)
            elif key.endswith("_refs") and isinstance(value, list):
                out[key] = [
                    absolute(v, base, name_of) if isinstance(v, str) else v for v in value
                ]
            elif isinstance(value, dict | list):
                out[key] = render(value, base, name_of)
            else:
                out[key] = value
        return out
    if isinstance(body, list):
        return [render(item, base, name_of) for item in body]
    return body


def absolute(value: str, base: str, name_of: Callable[[str], str | None] | None) -> str:
    if not value.startswith("/api/"):
        return value
    url = base + value
    if name_of is not None:
        name = name_of(split_canonical(value)[1])
        if name is not None:
            url += "#" + name
    return url
