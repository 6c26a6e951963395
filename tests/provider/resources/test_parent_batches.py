"""Group commit of parent edits (``parent_edit.py``): static routes written by parallel
callers share one GET and one PUT of their VRF, every route ends up in the VRF exactly once,
and a route the controller refuses fails only its own caller.

The edits go through the real client to the loopback emulator; a counting wrapper around the
client tells how many GETs and PUTs of the VRF were made."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from albform.engine.provider import ProviderError
from albform.provider.client import AviClient
from albform.provider.resources.api import DEFAULT_TENANT
from albform.provider.resources.parent_edit import ParentEditor
from albform.provider.resources.static_route_merge import merge_routes


class Counting:
    """The client, counting the VRF reads and writes made through it."""

    def __init__(self, client: AviClient) -> None:
        self.client = client
        self.gets = 0
        self.puts = 0

    def get_object(self, objtype: str, uuid: str, **kwargs: Any) -> dict[str, Any] | None:
        self.gets += 1
        return self.client.get_object(objtype, uuid, **kwargs)

    def replace_object(self, objtype: str, uuid: str, body: Mapping[str, Any],
                       **kwargs: Any) -> dict[str, Any]:
        self.puts += 1
        return self.client.replace_object(objtype, uuid, body, **kwargs)


def route(i: int, **extra: Any) -> dict[str, Any]:
    return {"route_id": f"batch-{i}",
            "prefix": {"ip_addr": {"addr": f"10.77.{i}.0", "type": "V4"}, "mask": 24},
            "next_hop": {"addr": "172.19.0.2", "type": "V4"},
            "labels": [{"key": "clustername", "value": "batch"}], **extra}


def add(r: dict[str, Any]) -> Callable[[Sequence[dict[str, Any]]],
                                       tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    return lambda current: merge_routes(current, [], [r])


@pytest.fixture
def vrf(raw: AviClient) -> Any:
    found = raw.list_objects("vrfcontext", {"name": "global"})
    body = found[0]
    foreign = {"route_id": "manual-1", "next_hop": {"addr": "192.168.1.2", "type": "V4"},
               "prefix": {"ip_addr": {"addr": "10.2.0.0", "type": "V4"}, "mask": 16}}
    raw.replace_object("vrfcontext", body["uuid"], {**body, "static_routes": [foreign]})
    yield body["uuid"]
    now = raw.get_object("vrfcontext", body["uuid"])
    assert now is not None
    raw.replace_object("vrfcontext", body["uuid"], {**now, "static_routes": []})


def routes_of(raw: AviClient, uuid: str) -> list[dict[str, Any]]:
    got = raw.get_object("vrfcontext", uuid)
    assert got is not None
    return list(got.get("static_routes") or [])


def queued_behind_the_lock(editor: ParentEditor, uuid: str, changes: Sequence[Any],
                           ) -> list[Future[Any]]:
    """Start one ``modify`` per change while the VRF's lock is held, so that all of them
    queue; release the lock once they have (the first to get it writes them all)."""
    pool = ThreadPoolExecutor(len(changes))
    lock = editor.lock("vrfcontext", uuid)
    with lock:
        futures = [pool.submit(editor.modify, "vrfcontext", uuid, DEFAULT_TENANT,
                               "static_routes", c) for c in changes]
        while sum(len(w) for w in editor._waiting.values()) < len(changes):
            time.sleep(0.01)  # waiting for the threads to queue, not a timed assertion
    pool.shutdown(wait=True)
    return futures


def test_edits_queued_behind_a_write_are_written_together(raw: AviClient, vrf: str) -> None:
    api = Counting(raw)
    editor = ParentEditor(api)
    futures = queued_behind_the_lock(editor, vrf, [add(route(i)) for i in range(12)])
    assert (api.gets, api.puts) == (1, 1)  # one read-modify-write for the twelve
    ids = [r["route_id"] for r in routes_of(raw, vrf)]
    assert sorted(ids) == sorted(["manual-1", *(f"batch-{i}" for i in range(12))])
    for i, future in enumerate(futures):
        parent, ours = future.result()
        assert [r["route_id"] for r in ours] == [f"batch-{i}"]
        assert len(parent["static_routes"]) == 13  # every caller sees the VRF as written


def test_parallel_edits_lose_nothing_and_need_fewer_writes(raw: AviClient, vrf: str) -> None:
    api = Counting(raw)
    editor = ParentEditor(api)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: editor.modify("vrfcontext", vrf, DEFAULT_TENANT,
                                              "static_routes", add(route(i))), range(40)))
    ids = [r["route_id"] for r in routes_of(raw, vrf)]
    assert sorted(ids) == sorted(["manual-1", *(f"batch-{i}" for i in range(40))])
    assert api.puts <= 40 and api.gets == api.puts


def test_a_route_the_controller_refuses_fails_only_its_caller(raw: AviClient,
                                                              vrf: str) -> None:
    api = Counting(raw)
    editor = ParentEditor(api)
    # Route 3 refers to an object that does not exist: the controller answers 400 (the
    # emulator checks every reference of a body, at any depth).
    missing = {"bad_ref": "/api/pool/pool-missing"}
    changes = [add(route(i, **(missing if i == 3 else {}))) for i in range(6)]
    futures = queued_behind_the_lock(editor, vrf, changes)
    with pytest.raises(ProviderError) as refused:
        futures[3].result()
    assert refused.value.status == 400
    for i, future in enumerate(futures):
        if i != 3:
            assert [r["route_id"] for r in future.result()[1]] == [f"batch-{i}"]
    ids = [r["route_id"] for r in routes_of(raw, vrf)]
    assert sorted(ids) == sorted(["manual-1", *(f"batch-{i}" for i in range(6) if i != 3)])


def test_a_change_that_raises_fails_only_its_caller(raw: AviClient, vrf: str) -> None:
    def broken(_current: Sequence[dict[str, Any]]) -> Any:
        raise ProviderError("cannot merge this one", status=400)

    editor = ParentEditor(Counting(raw))
    futures = queued_behind_the_lock(editor, vrf, [add(route(1)), broken, add(route(2))])
    with pytest.raises(ProviderError, match="cannot merge"):
        futures[1].result()
    assert futures[0].result()[1][0]["route_id"] == "batch-1"
    assert futures[2].result()[1][0]["route_id"] == "batch-2"
    assert len(routes_of(raw, vrf)) == 3


def test_a_missing_parent_fails_every_edit_of_the_batch(raw: AviClient) -> None:
    editor = ParentEditor(Counting(raw))
    futures = queued_behind_the_lock(editor, "vrfcontext-missing",
                                     [add(route(i)) for i in range(3)])
    for future in futures:
        with pytest.raises(ProviderError) as gone:
            future.result()
        assert gone.value.status == 404

