"""Merging our static routes into a shared VrfContext without touching anyone else's.

AKO (and people) write routes into the same ``global`` VRF albform manages routes in. A route
is identified by its content — prefix + next hop + labels — never by ``route_id``: AKO's ids
are random per node (docs/ako-translation.md §5.3, 1.14.1+), so ids say nothing about equality.
``route_id`` is only a tracking hint: a route we created keeps its id, so when someone edits
its next hop out of band, refresh still finds it (by id) and reports the edit.

Ownership rules (``merge_routes``):
* a route of the VRF is *ours* when it matches a route recorded in our prior state (by
  ``route_id``, else by identity); everything else is foreign and is kept as it is, in place;
* every desired route is present afterwards exactly once; an existing route with the same
  identity is reused (keeping its id) instead of being duplicated;
* our prior routes that are no longer desired are removed.

Pure functions; the I/O around them lives in ``static_routes.py``.
"""

from __future__ import annotations

import functools
import ipaddress
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

RouteIdentity = tuple[str, int, str, tuple[tuple[str, str], ...]]
Route = Mapping[str, Any]


def _one(value: Any) -> Any:
    """HCL writes single nested messages as a one-element list of blocks."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _addr(value: Any) -> str:
    block = _one(value)
    addr = block.get("addr") if isinstance(block, Mapping) else block
    return _spelling(str(addr or "").strip())


@functools.lru_cache(maxsize=65536)
def _spelling(text: str) -> str:
    """One spelling per address (v6 compression). Cached: every write of a VRF compares
    each of its routes, and a cluster's VRF holds thousands."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _mask(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def route_identity(route: Route) -> RouteIdentity:
    """(prefix address, mask, next hop address, labels) — what makes two routes the same."""
    prefix = _one(route.get("prefix")) or {}
    labels = route.get("labels") or []
    label_pairs = tuple(sorted(
        (str(_one(lb).get("key", "")), str(_one(lb).get("value", "")))
        for lb in labels if isinstance(_one(lb), Mapping)
    ))
    return (
        _addr(prefix.get("ip_addr")) if isinstance(prefix, Mapping) else "",
        _mask(prefix.get("mask")) if isinstance(prefix, Mapping) else -1,
        _addr(route.get("next_hop")),
        label_pairs,
    )


def route_sort_key(route: Route) -> tuple[Any, ...]:
    addr, mask, hop, labels = route_identity(route)
    try:
        ip = ipaddress.ip_address(addr)
        addr_key: tuple[int, int, str] = (ip.version, int(ip), "")
    except ValueError:
        addr_key = (9, 0, addr)
    return (addr_key, mask, hop, labels)


def new_route_id() -> str:
    return f"albform-{uuid.uuid4().hex[:16]}"


class RouteIndex:
    """A VRF's route list indexed by ``route_id`` and by identity, built once per answer: a VRF
    holds a cluster's thousands of node routes, and each of ours is found in it without a
    rescan (refresh and canonicalisation look up every route of the state)."""

    def __init__(self, current: Sequence[Route]) -> None:
        self.routes = list(current)
        self._by_id = {r.get("route_id"): i for i, r in enumerate(self.routes)
                       if r.get("route_id")}
        self._by_identity: dict[RouteIdentity, list[int]] = {}
        for i, r in enumerate(self.routes):
            self._by_identity.setdefault(route_identity(r), []).append(i)

    def owned(self, prior: Route, taken: Collection[int] = ()) -> int | None:
        """The index of the route ``prior`` (from our state) is now, not in ``taken``: by
        ``route_id`` first (survives out-of-band edits), then by identity."""
        rid = prior.get("route_id")
        idx = self._by_id.get(rid) if rid else None
        if idx is None or idx in taken:
            idx = next((i for i in self._by_identity.get(route_identity(prior), [])
                        if i not in taken), None)
        return idx

    def same_content(self, route: Route) -> list[Route]:
        """The routes with ``route``'s identity."""
        return [self.routes[i] for i in self._by_identity.get(route_identity(route), [])]


def find_owned(current: Sequence[Route], prior: Sequence[Route]) -> list[int]:
    """Indexes into ``current`` of the routes our prior state owns, each matched once
    (``RouteIndex.owned``)."""
    index = RouteIndex(current)
    taken: set[int] = set()
    for p in prior:
        idx = index.owned(p, taken)
        if idx is not None:
            taken.add(idx)
    return sorted(taken)


def merge_routes(current: Sequence[Route], prior: Sequence[Route], desired: Sequence[Route],
                 make_id: Callable[[], str] = new_route_id,
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The VRF's new route list and our routes within it (see the module rules).

    ``current`` is the VRF's list now, ``prior`` our routes from state (empty on create),
    ``desired`` the configured routes. Returns ``(merged, ours)``.
    """
    owned = set(find_owned(current, prior))
    foreign = [dict(r) for i, r in enumerate(current) if i not in owned]
    # Ids of our replaced routes are free again: an edited route keeps its id.
    used_ids = {str(r.get("route_id")) for r in foreign if r.get("route_id")}
    ours_now = [dict(current[i]) for i in sorted(owned)]
    reusable: dict[RouteIdentity, list[dict[str, Any]]] = {}
    for r in ours_now + foreign:
        reusable.setdefault(route_identity(r), []).append(r)

    ours: list[dict[str, Any]] = []
    adopted: list[int] = []  # ids (python) of foreign dicts that now count as ours
    for want in desired:
        candidates = reusable.get(route_identity(want), [])
        if candidates:
            existing = candidates.pop(0)
            merged_route = {**existing, **{k: v for k, v in want.items() if v is not None
                                           and k != "route_id"}}
            if any(existing is f for f in foreign):
                adopted.append(id(existing))
            ours.append(merged_route)
            continue
        route = {k: v for k, v in want.items() if v is not None}
        rid = route.get("route_id")
        if not rid or str(rid) in used_ids:
            rid = make_id()
            while rid in used_ids:
                rid = make_id()
        route["route_id"] = rid
        used_ids.add(str(rid))
        ours.append(route)
    kept_foreign = [f for f in foreign if id(f) not in adopted]
    return kept_foreign + ours, sorted(ours, key=route_sort_key)


def owned_routes(current: Sequence[Route], prior: Sequence[Route]) -> list[dict[str, Any]]:
    """Our routes as they are in the VRF now (for refresh), in canonical order."""
    return sorted((dict(current[i]) for i in find_owned(current, prior)), key=route_sort_key)


def remove_routes(current: Sequence[Route], prior: Sequence[Route]) -> list[dict[str, Any]]:
    """The VRF's route list without our routes (for delete)."""
    owned = set(find_owned(current, prior))
    return [dict(r) for i, r in enumerate(current) if i not in owned]
