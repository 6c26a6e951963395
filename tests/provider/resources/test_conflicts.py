"""412 "reload and retry" while another writer changes the same object: the provider must
merge into the fresh copy, never write back what it read before (a lost update).

The 412 is real HTTP from the emulator: a transport wrapper, on the provider's first PUT to
the object, lets another client write the object first and has the emulator's fault
injector answer that PUT with 412 (the emulator itself never checks ``_last_modified``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from albform.engine.provider import ProviderError
from albform.provider.client import AviClient, AviSession, ClientConfig
from albform.provider.client.transport import HttpTransport, Reply
from albform.provider.emulator.faults import FaultConfig
from albform.provider.emulator.server import RunningEmulator
from albform.provider.resources.conflicts import rewrite_on_conflict
from albform.provider.resources.provider import AviProvider
from albform.provider.schema.table import load_table


class ConflictOnFirstPut(HttpTransport):
    def __init__(self, emulator: RunningEmulator, config: ClientConfig) -> None:
        super().__init__(config)
        self.emulator = emulator
        self.path = ""
        self.other_writer: Callable[[], None] = lambda: None
        self.fired = 0

    def arm(self, path: str, other_writer: Callable[[], None]) -> None:
        self.path, self.other_writer = path, other_writer

    def send(self, method: str, url: str, **kwargs: Any) -> Reply:
        if self.path and method == "PUT" and self.path in url:
            self.path = ""
            self.fired += 1
            self.other_writer()
            self.emulator.set_faults(FaultConfig(error_rate=1.0, error_statuses=(412,)))
            try:
                return super().send(method, url, **kwargs)
            finally:
                self.emulator.set_faults(FaultConfig())
        return super().send(method, url, **kwargs)


@pytest.fixture
def conflicting(emulator: RunningEmulator) -> Iterator[tuple[AviProvider, ConflictOnFirstPut]]:
    config = ClientConfig(controller=emulator.url, password="test-password",
                          api_version="30.2.1")
    adapter = ConflictOnFirstPut(emulator, config)
    with AviClient(AviSession(config, transport=adapter)) as client:
        yield AviProvider(client, load_table()), adapter


def test_route_write_merges_into_the_other_writers_version(conflicting: Any,
                                                           raw: AviClient) -> None:
    provider, adapter = conflicting
    vrf = raw.list_objects("vrfcontext", {"name": "global"})[0]
    original = list(vrf.get("static_routes") or [])
    late = {"route_id": "late-writer", "next_hop": {"addr": "192.168.9.9", "type": "V4"},
            "prefix": {"ip_addr": {"addr": "10.99.0.0", "type": "V4"}, "mask": 16}}

    def other_writer() -> None:
        fresh = raw.get_object("vrfcontext", vrf["uuid"])
        raw.replace_object("vrfcontext", vrf["uuid"], {
            **fresh, "static_routes": [*(fresh.get("static_routes") or []), late]})

    adapter.arm(f"/api/vrfcontext/{vrf['uuid']}", other_writer)
    config = {"vrf_name": "global", "route_id": "mine-0",
              "prefix": {"ip_addr": {"addr": "10.98.0.0", "type": "V4"}, "mask": 16},
              "next_hop": {"addr": "192.168.9.8", "type": "V4"}}
    state = provider.create("avi_vrfcontext_static_route",
                            provider.canonicalize("avi_vrfcontext_static_route", config))
    try:
        assert adapter.fired == 1
        ids = [r["route_id"] for r in raw.get_object("vrfcontext", vrf["uuid"])
               ["static_routes"]]
        assert "late-writer" in ids and "mine-0" in ids
        assert state.attributes["route_id"] == "mine-0"
    finally:
        fresh = raw.get_object("vrfcontext", vrf["uuid"])
        raw.replace_object("vrfcontext", vrf["uuid"], {**fresh, "static_routes": original})


def test_update_overlays_the_configuration_on_the_fresh_object(conflicting: Any,
                                                               raw: AviClient) -> None:
    provider, adapter = conflicting
    made = provider.create("avi_pool", {"name": "conflict-pool"}).attributes
    try:
        def other_writer() -> None:
            fresh = raw.get_object("pool", made["uuid"])
            raw.replace_object("pool", made["uuid"], {**fresh, "description": "theirs"})

        adapter.arm(f"/api/pool/{made['uuid']}", other_writer)
        planned = {**made, "lb_algorithm": "LB_ALGORITHM_ROUND_ROBIN"}
        updated = provider.update("avi_pool", made, planned).attributes
        assert adapter.fired == 1
        assert updated["lb_algorithm"] == "LB_ALGORITHM_ROUND_ROBIN"
        assert updated["description"] == "theirs"
    finally:
        provider.delete("avi_pool", made)


def test_rewrite_on_conflict_redoes_the_write_only_for_conflicts() -> None:
    answers: list[Any] = [ProviderError("x", status=412), ProviderError("x", status=409), "ok"]

    def write() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert rewrite_on_conflict(write, statuses=(409, 412), attempts=3) == "ok"
    answers[:] = [ProviderError("x", status=412)] * 3
    with pytest.raises(ProviderError):
        rewrite_on_conflict(write, statuses=(412,), attempts=2)
    assert len(answers) == 1  # two attempts, then the last conflict is raised
    answers[:] = [ProviderError("bad", status=400), "ok"]
    with pytest.raises(ProviderError, match="bad"):
        rewrite_on_conflict(write, statuses=(412,), attempts=5)
