"""Canonical order of keyed lists (pool servers by ip + port): properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from albform.provider.resources.keyed_lists import server_identity, sort_keyed_lists

addresses = st.one_of(st.ip_addresses().map(str),
                      st.sampled_from(["web.example.com", "db.internal"]))
ports = st.one_of(st.none(), st.integers(1, 65535), st.integers(1, 65535).map(str))


@st.composite
def servers(draw: Any) -> list[dict[str, Any]]:
    seen: set[tuple[str, int]] = set()
    out = []
    for addr, port in draw(st.lists(st.tuples(addresses, ports), max_size=12)):
        server: dict[str, Any] = {"ip": {"addr": addr, "type": "V4"}}
        if port is not None:
            server["port"] = port
        if server_identity(server) not in seen:
            seen.add(server_identity(server))
            out.append(server)
    return out


@given(servers(), st.randoms())
def test_order_is_canonical_whatever_the_input_order(members: list[Any], rnd: Any) -> None:
    shuffled = list(members)
    rnd.shuffle(shuffled)
    a = sort_keyed_lists("pool", {"servers": members})
    b = sort_keyed_lists("pool", {"servers": shuffled})
    assert a == b
    assert sort_keyed_lists("pool", a) == a
    assert sorted(map(server_identity, a["servers"])) == sorted(map(server_identity, members))


def test_other_types_and_lists_are_left_alone() -> None:
    value = {"servers": [{"ip": {"addr": "10.0.0.2"}}, {"ip": {"addr": "10.0.0.1"}}]}
    assert sort_keyed_lists("poolgroup", value) == value
    assert sort_keyed_lists("pool", {"members": [2, 1]}) == {"members": [2, 1]}
