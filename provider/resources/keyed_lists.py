"""Lists whose members have an identity, compared as keyed sets rather than by position.

Pool ``servers`` are identified by ip + port (the official provider's ``avi_server`` id is
``<pool>:<ip>:<port>``); the controller keeps them in insertion order, users write them in any
order. The engine's diff matches them by that identity (the schema's ``keyed_by``, from
``provider/schema/engine_view.py``). Both ``canonicalize`` (config side) and
``normalize_object`` (read side) also put them in one canonical order — numeric by address,
then port — so states, saved plans and what is sent do not depend on the order written.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from albform.engine.values import UNKNOWN, Deferred

SortKey = tuple[Any, ...]


# Pure, and every plan sorts every pool's servers on both sides (configured and read).
@lru_cache(maxsize=1 << 16)
def _addr_key(addr: Any) -> tuple[int, int, str]:
    if isinstance(addr, str):
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return (2, 0, addr)  # DNS names after numeric addresses
        return (0 if ip.version == 4 else 1, int(ip), "")
    return (3, 0, "")


def _port_key(port: Any) -> int:
    try:
        return int(port)
    except (TypeError, ValueError):
        return 0  # absent port = the pool's default_server_port


def server_identity(server: Mapping[str, Any]) -> tuple[str, int]:
    """(ip address, port or 0) — the identity of a pool server."""
    ip = server.get("ip")
    if isinstance(ip, list) and ip and isinstance(ip[0], Mapping):  # HCL single block
        ip = ip[0]
    addr = ip.get("addr") if isinstance(ip, Mapping) else None
    return (str(addr) if addr is not None else "", _port_key(server.get("port")))


def server_sort_key(server: Any) -> SortKey:
    if not isinstance(server, Mapping):
        return (9,)
    addr, port = server_identity(server)
    return (0, _addr_key(addr), port)


KEYED: Mapping[tuple[str, str], Callable[[Any], SortKey]] = {
    # (api type, attribute) -> canonical sort key of its members
    ("pool", "servers"): server_sort_key,
}


def _sortable(items: list[Any]) -> bool:
    # A list still holding placeholders keeps its order: UNKNOWN members sort nowhere.
    return all(v is not UNKNOWN and not isinstance(v, Deferred) for v in items)


def sort_keyed_lists(objtype: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """``attributes`` with every keyed list of ``objtype`` in canonical order (a new dict)."""
    out = dict(attributes)
    for (t, attr), key in KEYED.items():
        value = out.get(attr)
        if t == objtype and isinstance(value, list) and _sortable(value):
            out[attr] = sorted(value, key=key)
    return out
