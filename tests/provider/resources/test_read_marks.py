"""A refresh with read marks (``read_marks``, ``bulk.BulkReader._read_groups``) equals, object
for object, the refresh that ignores them (every body read in full), whatever happened on the
controller since the state was written and whatever became of the marks in the state: the
state read back from its file (Terraform's format, the official provider's state form) gives
the same state file either way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.hooks import NullHook
from albform.engine.planning_refresh import refresh
from albform.engine.provider import ProviderError, ReadRequest
from albform.engine.schema import ResourceSchema
from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.model import ResourceState, State
from albform.provider.client import AviClient
from albform.provider.resources import bulk
from albform.provider.resources.provider import AviProvider
from albform.provider.resources.read_marks import EPOCH

N_POOLS = 8
VS = ResourceAddress("avi_virtualservice", "vs")
VIP = ResourceAddress("avi_vsvip", "vip")
HM = ResourceAddress("avi_healthmonitor", "hm")


def _pool(i: int) -> ResourceAddress:
    return ResourceAddress("avi_pool", "p", key=i)


def _create(provider: AviProvider, type_name: str, config: dict[str, Any],
            ) -> tuple[dict[str, Any], str | None]:
    made = provider.create(type_name, provider.canonicalize(type_name, config))
    return dict(made.attributes), made.mark


@pytest.fixture(scope="module")
def applied(provider: AviProvider) -> Iterator[dict[ResourceAddress, tuple[dict[str, Any],
                                                                          str | None]]]:
    """What an apply wrote: a health monitor, pools using it, a VsVip and a VS (read-time
    extras: ``vip_runtime``, ``vs_refs``), each with the mark its create answered."""
    objects: dict[ResourceAddress, tuple[dict[str, Any], str | None]] = {}
    objects[HM] = _create(provider, "avi_healthmonitor", {"name": "rm-hm",
                                                          "type": "HEALTH_MONITOR_TCP"})
    for i in range(N_POOLS):
        objects[_pool(i)] = _create(provider, "avi_pool", {
            "name": f"rm-pool-{i}", "health_monitor_refs": [objects[HM][0]["id"]]})
    objects[VIP] = _create(provider, "avi_vsvip", {"name": "rm-vip", "vip": [
        {"vip_id": "0", "ip_address": {"addr": "10.44.0.1", "type": "V4"}}]})
    objects[VS] = _create(provider, "avi_virtualservice", {
        "name": "rm-vs", "services": [{"port": 80}], "vsvip_ref": objects[VIP][0]["id"],
        "pool_ref": objects[_pool(0)][0]["id"]})
    yield objects
    for address in (VS, VIP, *(_pool(i) for i in range(N_POOLS)), HM):
        provider.delete(address.type, objects[address][0])


def _renaming(value: Any, renamed: dict[str, str]) -> Any:
    """``value`` with every uuid in ``renamed`` replaced by its new one (references)."""
    if isinstance(value, str):
        for before, after in renamed.items():
            value = value.replace(before, after)
        return value
    if isinstance(value, list):
        return [_renaming(v, renamed) for v in value]
    if isinstance(value, dict):
        return {k: _renaming(v, renamed) for k, v in value.items()}
    return value


_CHANGE = st.sampled_from(["update", "touch", "delete", "recreate", "apply", "none"])
_MARK = st.sampled_from(["keep", "none", "garbage", "other-version", "other-epoch",
                         "stale"])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.integers(0, N_POOLS + 2), _CHANGE), max_size=6),
       marks=st.lists(_MARK, min_size=N_POOLS + 3, max_size=N_POOLS + 3),
       listing=st.booleans())
def test_a_marked_refresh_equals_a_full_one(
        provider: AviProvider, raw: AviClient, applied: Any,
        monkeypatch: pytest.MonkeyPatch, changes: list[tuple[int, str]], marks: list[str],
        listing: bool) -> None:
    # Small pages: 8 pools are read by listing their collection when ``listing`` says so.
    monkeypatch.setattr(bulk, "BATCH", 3)
    monkeypatch.setattr(bulk, "LISTING_AT", 2 if listing else 10**6)
    addresses = [*(_pool(i) for i in range(N_POOLS)), HM, VIP, VS]
    # The state as the last apply or refresh left it: a full refresh of what was applied
    # (earlier examples changed the controller), objects gone re-created by an apply.
    state = _full_refresh(provider, _state(applied, addresses))
    # Dependencies first, each referring to the objects that stand now (a pool re-created
    # before its health monitor, or a VS naming a pool's old uuid, was refused with a 400).
    renamed: dict[str, str] = {}
    for address in (HM, *(_pool(i) for i in range(N_POOLS)), VIP, VS):
        if state.get(address) is None:
            old = applied[address][0]
            config = {k: _renaming(v, renamed) for k, v in old.items()
                      if k not in ("uuid", "id", "url")}
            applied[address] = _create(provider, address.type, config)
            renamed[old["uuid"]] = applied[address][0]["uuid"]
    state = _full_refresh(provider, _state(applied, addresses))
    # Out-of-band changes, and applies of our own (update answers carry marks).
    for index, change in changes:
        _change(provider, raw, state, addresses[index], change)
        r = state.get(addresses[index])
        if change == "apply" and r is not None and raw.get_object(
                provider.registry.api_type(r.address.type), r.attributes["uuid"]) is not None:
            answer = provider.update(r.address.type, r.attributes,
                                     {**r.attributes, "description": f"applied {index}"})
            state = state.with_resources([*(x for x in state.resources if x is not r),
                                          replace(r, attributes=dict(answer.attributes),
                                                  mark=answer.mark)])
    # What became of the marks in the state; the state as its file gives it back (the
    # official provider's state form holds less than a read: what a mark keeps).
    schemas = _schemas(provider)
    state = state.with_resources(
        replace(r, mark=_corrupt(r.mark, how))
        for r, how in zip(state.resources, marks, strict=False))
    state = decode_state(encode_state(state, schemas), schemas)
    marked, diags = refresh(state, provider, NullHook(), parallelism=4)
    assert not diags.has_errors()
    full = _full_refresh(provider, state)
    # The same state file either way, marks included.
    assert encode_state(marked, schemas) == encode_state(full, schemas)
    assert {r.address: r.mark for r in marked.resources} \
        == {r.address: r.mark for r in full.resources}
    assert all(r.mark is not None for r in full.resources)


def test_an_unchanged_object_costs_no_read_of_its_body(provider: AviProvider, applied: Any,
                                                       ) -> None:
    """With current marks the pools cost one ``fields`` query, and the engine keeps each
    state object itself (nothing compared, nothing copied)."""
    addresses = [_pool(i) for i in range(N_POOLS)]
    state = _full_refresh(provider, _state(applied, addresses))
    result = provider.read_many([ReadRequest("avi_pool", r.attributes, key=i, mark=r.mark)
                                 for i, r in enumerate(state.resources)])
    assert result.api_calls == 1
    assert all(r.unchanged for r in result.results.values())
    again, _ = refresh(state, provider, NullHook(), parallelism=1)
    assert all(a is b for a, b in zip(again.resources, state.resources, strict=True))


# -- helpers ------------------------------------------------------------------------------------

def _schemas(provider: AviProvider) -> dict[str, ResourceSchema]:
    types = ("avi_pool", "avi_healthmonitor", "avi_vsvip", "avi_virtualservice")
    return {t: schema for t in types if (schema := provider.schema(t)) is not None}


def _state(applied: Any, addresses: list[ResourceAddress]) -> State:
    return State(lineage="l").with_resources(
        ResourceState(a, applied[a][0], mark=applied[a][1]) for a in addresses)


def _full_refresh(provider: AviProvider, state: State) -> State:
    """A refresh that ignores every mark (what albform did before marks)."""
    unmarked = state.with_resources(replace(r, mark=None) for r in state.resources)
    refreshed, diags = refresh(unmarked, provider, NullHook(), parallelism=4)
    assert not diags.has_errors()
    return refreshed


def _change(provider: AviProvider, raw: AviClient, state: State, address: ResourceAddress,
            change: str) -> None:
    r = state.get(address)
    if r is None or change in ("none", "apply"):
        return
    objtype = provider.registry.api_type(address.type)
    uuid = r.attributes["uuid"]
    body = raw.get_object(objtype, uuid)
    if body is None:
        return
    if change == "update":
        edit = f"edited {body.get('_last_modified')}"
        raw.replace_object(objtype, uuid, {**body, "description": edit})
    elif change == "touch":
        raw.replace_object(objtype, uuid, body)
    elif change in ("delete", "recreate"):
        try:
            raw.delete_object(objtype, uuid)
        except ProviderError:  # referred to (a pool the VS uses): the controller refuses
            return
        if change == "recreate":  # the same uuid, the same body: a new _last_modified
            fresh = {k: v for k, v in body.items() if k not in ("url", "_last_modified")}
            raw.create_object(objtype, fresh, uuid=uuid)


def _corrupt(mark: str | None, how: str) -> str | None:
    if mark is None or how == "keep":
        return mark
    version, epoch, stamp = mark.split("|")
    return {"none": None, "garbage": "not a mark",
            "other-version": f"18.2.1|{epoch}|{stamp}",
            "other-epoch": f"{version}|{EPOCH + 1}|{stamp}",
            "stale": f"{version}|{epoch}|{int(stamp) - 1}"}[how]
