"""Merging our static routes into a shared VRF (static_route_merge.py): properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from albform.provider.resources.static_route_merge import (
    merge_routes,
    owned_routes,
    remove_routes,
    route_identity,
)


def route(net: int, hop: int, label: str | None, rid: str | None = None) -> dict[str, Any]:
    r: dict[str, Any] = {
        "prefix": {"ip_addr": {"addr": f"10.{net}.0.0", "type": "V4"}, "mask": 16},
        "next_hop": {"addr": f"192.168.0.{hop}", "type": "V4"},
    }
    if label is not None:
        r["labels"] = [{"key": "clustername", "value": label}]
    if rid is not None:
        r["route_id"] = rid
    return r


routes_st = st.builds(route, st.integers(0, 20), st.integers(1, 5),
                      st.sampled_from([None, "c1", "c2"]))


def unique(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for r in routes:
        if route_identity(r) not in seen:
            seen.add(route_identity(r))
            out.append(r)
    return out


@given(st.lists(routes_st, max_size=8), st.lists(routes_st, max_size=6))
def test_foreign_routes_survive_and_desired_are_present_once(foreign_raw: list[Any],
                                                             desired_raw: list[Any]) -> None:
    foreign = [dict(r, route_id=f"ako-{i}") for i, r in enumerate(unique(foreign_raw))]
    desired = unique(desired_raw)
    merged, ours = merge_routes(foreign, [], desired)
    identities = [route_identity(r) for r in merged]
    for want in desired:
        assert identities.count(route_identity(want)) == 1
    want_ids = {route_identity(d) for d in desired}
    kept = [r for r in merged if route_identity(r) not in want_ids]
    assert kept == [f for f in foreign if route_identity(f) not in want_ids]
    ids = [r["route_id"] for r in merged]
    assert len(ids) == len(set(ids)), "route ids stay unique in the VRF"
    assert sorted(map(route_identity, ours)) == sorted(want_ids)


@given(st.lists(routes_st, max_size=6), st.lists(routes_st, max_size=6),
       st.lists(routes_st, max_size=6))
def test_merge_is_idempotent_and_removal_restores_foreign(foreign_raw: list[Any],
                                                          first: list[Any],
                                                          second: list[Any]) -> None:
    foreign = [dict(r, route_id=f"ako-{i}") for i, r in enumerate(unique(foreign_raw))]
    merged, ours = merge_routes(foreign, [], unique(first))
    again, ours_again = merge_routes(merged, ours, unique(first))
    assert again == merged and ours_again == ours
    changed, ours2 = merge_routes(merged, ours, unique(second))
    assert sorted(map(route_identity, ours2)) == sorted(map(route_identity, unique(second)))
    assert owned_routes(changed, ours2) == ours2
    remaining = remove_routes(changed, ours2)
    second_ids = {route_identity(r) for r in unique(second)}
    first_ids = {route_identity(r) for r in unique(first)}
    for f in foreign:
        if route_identity(f) not in first_ids | second_ids:
            assert f in remaining


def test_edited_route_keeps_its_id_and_position_of_foreign_routes() -> None:
    ako = route(1, 1, "other", "other-abc-0")
    mine = route(2, 2, "c1", "c1-node-a-0")
    current = [ako, mine, route(3, 3, None, "manual")]
    moved = route(2, 4, "c1", "c1-node-a-0")  # the node got a new IP
    merged, ours = merge_routes(current, [mine], [moved])
    assert merged[0] == ako and merged[1]["route_id"] == "manual"
    assert ours == [moved]
    assert [r["route_id"] for r in merged] == ["other-abc-0", "manual", "c1-node-a-0"]


def test_out_of_band_edit_is_found_by_id() -> None:
    mine = route(2, 2, "c1", "c1-x-0")
    edited = route(2, 9, "c1", "c1-x-0")
    assert owned_routes([route(1, 1, None, "m"), edited], [mine]) == [edited]


def test_same_content_with_another_id_is_the_same_route() -> None:
    ako = route(5, 1, "c1", "c1-random-uuid-0")
    merged, ours = merge_routes([ako], [], [route(5, 1, "c1", "c1-stable-0")])
    assert merged == [ako] and ours == [ako]


def test_v6_spelling_and_hcl_block_lists_do_not_change_identity() -> None:
    a = {"prefix": {"ip_addr": {"addr": "fd00::0:0", "type": "V6"}, "mask": "64"},
         "next_hop": {"addr": "fd00::1", "type": "V6"}}
    b = {"prefix": [{"ip_addr": [{"addr": "fd00::", "type": "V6"}], "mask": 64}],
         "next_hop": [{"addr": "fd00:0::1", "type": "V6"}]}
    assert route_identity(a) == route_identity(b)
