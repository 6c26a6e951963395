"""Avi internal IPAM for VsVips with ``auto_allocate_ip`` (docs/avi-api.md §5.6).

Network choice: ``vip.ipam_network_subnet.network_ref`` when given, else the usable networks of
the cloud's IPAM profile (``internal_profile.usable_networks[].nw_ref``, older
``usable_network_refs``) in order. Without either, a VIP that names its own ``subnet`` (as
cloud-connector configurations for AWS/Azure do) gets a host address of that subnet, the way
the cloud provider would hand one out. Addresses come from the network's static ranges meant for
VIPs (``STATIC_IPS_FOR_VIP`` / ``..._VIP_AND_SE``; older ``static_ranges``). Allocations are rows
keyed by (VRF, address) in the store, written in the caller's transaction, so one address is
never handed out twice; an allocation lives as long as its VsVip keeps the VIP.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from typing import Any

from albform.provider.emulator.errors import error
from albform.provider.emulator.refs import split_canonical
from albform.provider.emulator.store import Allocation, Store, StoredObject

_VIP_RANGE_TYPES = {"STATIC_IPS_FOR_VIP", "STATIC_IPS_FOR_VIP_AND_SE"}
NO_FREE_IPS = "No available free IPs"


def _ranges(network: dict[str, Any], family: int, subnet: Any) -> Iterator[tuple[int, int, str]]:
    """(first, last, prefix) integer ranges usable for VIPs, in configuration order."""
    for configured in network.get("configured_subnets") or []:
        prefix = configured.get("prefix") or {}
        prefix_text = f"{(prefix.get('ip_addr') or {}).get('addr', '')}/{prefix.get('mask', '')}"
        if isinstance(subnet, dict) and subnet.get("ip_addr"):
            wanted = f"{(subnet.get('ip_addr') or {}).get('addr', '')}/{subnet.get('mask', '')}"
            if wanted != prefix_text:
                continue
        entries = [
            (r.get("range") or {}) for r in configured.get("static_ip_ranges") or []
            if r.get("type", "STATIC_IPS_FOR_VIP_AND_SE") in _VIP_RANGE_TYPES
        ]
        entries += list(configured.get("static_ranges") or [])
        for entry in entries:
            try:
                first = ipaddress.ip_address((entry.get("begin") or {}).get("addr", ""))
                last = ipaddress.ip_address((entry.get("end") or {}).get("addr", ""))
            except ValueError:
                continue
            if first.version == family == last.version and int(first) <= int(last):
                yield int(first), int(last), prefix_text


def _candidate_networks(
    vip: dict[str, Any], cloud: StoredObject | None, get: Callable[[str], StoredObject | None]
) -> list[str]:
    subnet = vip.get("ipam_network_subnet") or {}
    if isinstance(subnet, dict) and subnet.get("network_ref"):
        return [split_canonical(subnet["network_ref"])[1]]
    if cloud is None or not cloud.body.get("ipam_provider_ref"):
        name = cloud.name if cloud else "?"
        raise error(400, f"IPAM profile not configured for cloud {name}; cannot allocate VIP")
    profile = get(split_canonical(cloud.body["ipam_provider_ref"])[1])
    internal = (profile.body.get("internal_profile") or {}) if profile else {}
    refs = [u.get("nw_ref") for u in internal.get("usable_networks") or []]
    refs += list(internal.get("usable_network_refs") or [])
    return [split_canonical(r)[1] for r in refs if isinstance(r, str)]


def allocate(store: Store, owner: str, body: dict[str, Any], cloud: StoredObject | None) -> None:
    """Give every auto-allocated VIP of a VsVip body an address; release what is no longer used.

    Must run inside ``store.transaction()``. Raises ``ApiError`` 400 on exhaustion.
    """
    previous = {a.vip_id: a for a in store.allocations(owner=owner)}
    keep: set[str] = set()
    for vip in body.get("vip") or []:
        if not isinstance(vip, dict) or not vip.get("auto_allocate_ip"):
            continue
        vip_id = str(vip.get("vip_id", "0"))
        family = 6 if vip.get("auto_allocate_ip_type") == "V6_ONLY" else 4
        held = previous.get(vip_id)
        if held is not None:
            _write(vip, held, family)
            keep.add(vip_id)
            continue
        own_subnet = None
        if not _has_ipam(vip, cloud):
            own_subnet = _from_subnet(store, owner, vip_id, vip, family,
                                      str(body.get("vrf_context_ref", "")))
        alloc = own_subnet or _find_free(store, owner, vip_id, vip, family, cloud)
        store.allocate(alloc)
        _write(vip, alloc, family)
        keep.add(vip_id)
    stale = [v for v in previous if v not in keep]
    if stale:
        store.release(owner, stale)


def _has_ipam(vip: dict[str, Any], cloud: StoredObject | None) -> bool:
    subnet = vip.get("ipam_network_subnet") or {}
    if isinstance(subnet, dict) and subnet.get("network_ref"):
        return True
    return cloud is not None and bool(cloud.body.get("ipam_provider_ref"))


def _find_free(
    store: Store, owner: str, vip_id: str, vip: dict[str, Any], family: int,
    cloud: StoredObject | None,
) -> Allocation:
    subnet = (vip.get("ipam_network_subnet") or {}).get("subnet")
    for network_uuid in _candidate_networks(vip, cloud, store.get):
        network = store.get(network_uuid)
        if network is None or network.type != "network":
            continue
        vrf = network.body.get("vrf_context_ref") or ""
        for first, last, prefix in _ranges(network.body, family, subnet):
            addr = store.first_free(vrf, first, last)
            if addr is not None:
                vip["_prefix"] = prefix
                return Allocation(vrf=vrf, addr=addr, network=network_uuid, owner=owner,
                                  vip_id=vip_id)
    raise error(400, NO_FREE_IPS)


def _subnet_hosts(subnet: Any, family: int) -> tuple[int, int, str] | None:
    """Host range of a VIP's own ``subnet`` (cloud-connector clouds allocate from it)."""
    if not isinstance(subnet, dict):
        return None
    try:
        net = ipaddress.ip_network(
            f"{(subnet.get('ip_addr') or {}).get('addr', '')}/{subnet.get('mask', '')}",
            strict=False)
    except ValueError:
        return None
    if net.version != family or net.num_addresses < 4:
        return None
    return int(net.network_address) + 1, int(net.broadcast_address) - 1, str(net)


def _from_subnet(store: Store, owner: str, vip_id: str, vip: dict[str, Any], family: int,
                 vrf: str) -> Allocation | None:
    hosts = _subnet_hosts(vip.get("subnet"), family)
    if hosts is None:
        return None
    first, last, prefix = hosts
    addr = store.first_free(vrf, first, min(last, first + 65536))
    if addr is None:
        raise error(400, NO_FREE_IPS)
    return Allocation(vrf=vrf, addr=addr, network=f"subnet:{prefix}", owner=owner,
                      vip_id=vip_id)


def _write(vip: dict[str, Any], alloc: Allocation, family: int) -> None:
    kind = "V6" if family == 6 else "V4"
    vip["ip6_address" if family == 6 else "ip_address"] = {"addr": alloc.addr, "type": kind}
    if alloc.network.startswith("subnet:"):
        return  # allocated from the VIP's own subnet: no Avi network involved
    network_ref = f"/api/network/{alloc.network}"
    prefix = vip.pop("_prefix", None)
    subnet = vip.setdefault("ipam_network_subnet", {})
    if isinstance(subnet, dict):
        subnet.setdefault("network_ref", network_ref)
    discovered: dict[str, Any] = {"network_ref": network_ref}
    if prefix:
        addr, _, mask = prefix.partition("/")
        if mask.isdigit():
            discovered["subnet"] = [{"ip_addr": {"addr": addr, "type": kind}, "mask": int(mask)}]
    vip["discovered_networks"] = [discovered]
