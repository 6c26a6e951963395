"""Internal IPAM: VsVips with auto_allocate_ip get addresses from the chosen network's static
ranges; exhaustion is 400 ``No available free IPs``; deletion releases; updates keep the
address; no address is handed out twice (also under parallel writers)."""

from __future__ import annotations

import concurrent.futures
import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from emuclient import PASSWORD, Client
from hypothesis import given
from hypothesis import strategies as st

from albform.provider.emulator import RunningEmulator, start_emulator
from albform.provider.emulator.store import Allocation, Store


def network_body(name: str, first: str, last: str, cidr: str = "10.20.0.0/24") -> dict[str, Any]:
    addr, mask = cidr.split("/")
    return {"name": name, "configured_subnets": [{
        "prefix": {"ip_addr": {"addr": addr, "type": "V4"}, "mask": int(mask)},
        "static_ip_ranges": [{"type": "STATIC_IPS_FOR_VIP",
                              "range": {"begin": {"addr": first, "type": "V4"},
                                        "end": {"addr": last, "type": "V4"}}}],
    }]}


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD) as emu:
        yield emu


@pytest.fixture(scope="module")
def ipam(emulator: RunningEmulator) -> dict[str, Any]:
    """Network vip-net (3 addresses) behind an internal IPAM profile on Default-Cloud."""
    client = Client(emulator.url, version="30.2.1")
    net = client.post("/api/network", network_body("vip-net", "10.20.0.10", "10.20.0.12"))
    assert net.status_code == 201, net.text
    profile = client.post("/api/ipamdnsproviderprofile", {
        "name": "avi-ipam", "type": "IPAMDNS_TYPE_INTERNAL",
        "internal_profile": {"usable_networks": [{"nw_ref": net.json()["url"]}]}})
    assert profile.status_code == 201, profile.text
    cloud = client.by_name("cloud", "Default-Cloud")
    cloud["ipam_provider_ref"] = profile.json()["url"]
    assert client.put(f"/api/cloud/{cloud['uuid']}", cloud).status_code == 200
    return {"network": net.json(), "profile": profile.json()}


def _auto_vip(client: Client, name: str, **vip: Any) -> Any:
    return client.post("/api/vsvip", {"name": name, "vip": [{"auto_allocate_ip": True, **vip}],
                                      "dns_info": [{"fqdn": f"{name}.example.com"}]})


def test_allocation_exhaustion_release_and_stability(emulator: RunningEmulator,
                                                     ipam: dict[str, Any]) -> None:
    client = Client(emulator.url, version="30.2.1")
    made = [_auto_vip(client, f"auto-{i}") for i in range(3)]
    assert [m.status_code for m in made] == [201, 201, 201], [m.text for m in made]
    addrs = [m.json()["vip"][0]["ip_address"]["addr"] for m in made]
    assert sorted(addrs) == ["10.20.0.10", "10.20.0.11", "10.20.0.12"]
    first = made[0].json()
    assert first["vip"][0]["discovered_networks"][0]["network_ref"].startswith(
        ipam["network"]["url"].split("#")[0])
    assert first["dns_info"][0]["fqdn"] == "auto-0.example.com"

    full = _auto_vip(client, "auto-overflow")
    assert full.status_code == 400
    assert full.json() == {"error": "No available free IPs"}
    assert client.get("/api/vsvip?name=auto-overflow").json()["count"] == 0

    # An update that keeps auto-allocation keeps the address.
    current = client.get(f"/api/vsvip/{first['uuid']}").json()
    current["east_west_placement"] = False
    again = client.put(f"/api/vsvip/{first['uuid']}", current)
    assert again.status_code == 200
    assert again.json()["vip"][0]["ip_address"]["addr"] == addrs[0]

    # Deleting releases the address for the next VsVip.
    assert client.delete(f"/api/vsvip/{made[1].json()['uuid']}").status_code == 204
    reused = _auto_vip(client, "auto-reuse")
    assert reused.status_code == 201
    assert reused.json()["vip"][0]["ip_address"]["addr"] == addrs[1]
    for m in (made[0], made[2], reused):
        assert client.delete(f"/api/vsvip/{m.json()['uuid']}").status_code == 204


def test_ipam_network_subnet_picks_the_network(emulator: RunningEmulator,
                                               ipam: dict[str, Any]) -> None:
    client = Client(emulator.url, version="30.2.1")
    other = client.post("/api/network", network_body("other-net", "10.30.0.5", "10.30.0.5",
                                                     "10.30.0.0/24"))
    assert other.status_code == 201
    r = _auto_vip(client, "chosen", ipam_network_subnet={
        "network_ref": "/api/network?name=other-net",
        "subnet": {"ip_addr": {"addr": "10.30.0.0", "type": "V4"}, "mask": 24}})
    assert r.status_code == 201, r.text
    assert r.json()["vip"][0]["ip_address"] == {"addr": "10.30.0.5", "type": "V4"}
    # The network is referenced now, so it cannot go first.
    assert client.delete(f"/api/network/{other.json()['uuid']}").status_code == 403
    assert client.delete(f"/api/vsvip/{r.json()['uuid']}").status_code == 204
    assert client.delete(f"/api/network/{other.json()['uuid']}").status_code == 204


def test_parallel_allocations_never_share_an_address(emulator: RunningEmulator,
                                                     ipam: dict[str, Any]) -> None:
    client = Client(emulator.url, version="30.2.1")
    big = client.post("/api/network", network_body("big-net", "10.40.0.1", "10.40.0.40",
                                                   "10.40.0.0/24"))
    assert big.status_code == 201

    def make(i: int) -> tuple[int, str | None]:
        c = Client(emulator.url, version="30.2.1")
        r = _auto_vip(c, f"par-{i}", ipam_network_subnet={"network_ref": big.json()["url"]})
        addr = r.json()["vip"][0]["ip_address"]["addr"] if r.status_code == 201 else None
        return r.status_code, addr

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(make, range(48)))
    granted = [addr for status, addr in results if status == 201]
    refused = [status for status, _ in results if status != 201]
    assert len(granted) == 40 and len(set(granted)) == 40
    assert refused == [400] * 8
    allocations = emulator.controller.store.allocations()
    assert len({(a.vrf, a.addr) for a in allocations}) == len(allocations)


def test_vip_subnet_allocation_without_ipam_profile() -> None:
    """Cloud-connector style: no IPAM profile, the VIP names its subnet."""
    with start_emulator(password=PASSWORD) as emu:
        client = Client(emu.url, version="30.2.1")
        body = {"name": "aws-vip", "vip": [{"auto_allocate_ip": True, "subnet": {
            "ip_addr": {"addr": "172.16.5.0", "type": "V4"}, "mask": 30}}]}
        first = client.post("/api/vsvip", body)
        assert first.status_code == 201, first.text
        second = client.post("/api/vsvip", dict(body, name="aws-vip-2"))
        assert {first.json()["vip"][0]["ip_address"]["addr"],
                second.json()["vip"][0]["ip_address"]["addr"]} == {"172.16.5.1", "172.16.5.2"}
        third = client.post("/api/vsvip", dict(body, name="aws-vip-3"))
        assert third.status_code == 400 and third.json() == {"error": "No available free IPs"}
        plain = client.post("/api/vsvip", {"name": "no-ipam", "vip": [{"auto_allocate_ip": True}]})
        assert plain.status_code == 400


# Each step: allocate the lowest free address of the range for a new owner, or release one
# owner's address (by its index among the holders).
_steps = st.lists(st.one_of(st.just(("allocate", 0)),
                            st.tuples(st.just("release"), st.integers(0, 20))), max_size=40)


@given(_steps)
def test_first_free_is_the_lowest_free_address_after_any_history(
        steps: list[tuple[str, int]]) -> None:
    """``Store.first_free`` remembers where the range is full up to; whatever the order of
    allocations and releases, its answer is the lowest address no allocation holds."""
    store = Store()
    first = int(ipaddress.ip_address("10.9.0.1"))
    last = first + 24
    holders: list[str] = []
    for n, (op, index) in enumerate(steps):
        if op == "release" and holders:
            store.release(holders.pop(index % len(holders)))
            continue
        taken = {a.addr for a in store.allocations(vrf="v")}
        lowest = next((str(ipaddress.ip_address(v)) for v in range(first, last + 1)
                       if str(ipaddress.ip_address(v)) not in taken), None)
        with store.transaction():
            found = store.first_free("v", first, last)
            assert found == lowest
            if found is not None:
                store.allocate(Allocation("v", found, "net", f"owner-{n}", "0"))
                holders.append(f"owner-{n}")
