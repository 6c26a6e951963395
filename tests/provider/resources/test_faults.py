"""The provider under injected controller faults (emulator fault injection, real HTTP):
5xx bursts, session expiry, 429 with Retry-After, and answers lost after the write happened.
Every operation must end as if there had been no fault, and no object may exist twice.
Backoff sleeps are recorded instead of slept (the retry policy's injectable ``sleep``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from albform.engine.diff import diff_attributes
from albform.engine.provider import ReadRequest
from albform.provider.client import AviClient, AviSession, ClientConfig, RetryPolicy
from albform.provider.emulator.faults import FaultConfig
from albform.provider.emulator.server import RunningEmulator
from albform.provider.resources.provider import AviProvider
from albform.provider.schema.table import load_table

WAITS: list[float] = []
POLICY = RetryPolicy(max_attempts=8, initial_wait=0.01, max_wait=0.05, sleep=WAITS.append)


@pytest.fixture
def faulty(emulator: RunningEmulator) -> Iterator[tuple[AviProvider, RunningEmulator]]:
    WAITS.clear()
    config = ClientConfig(controller=emulator.url, password="test-password",
                          api_version="30.2.1", timeout=0.5)
    client = AviClient(AviSession(config, retry=POLICY))
    yield AviProvider(client, load_table()), emulator
    emulator.set_faults(FaultConfig())
    client.close()


def names_on_controller(raw: AviClient, prefix: str) -> list[str]:
    return sorted(o["name"] for o in raw.list_objects("pool", {"name.contains": prefix}))


def churn(provider: AviProvider, prefix: str, n: int) -> list[dict[str, Any]]:
    """Create, update, read and bulk-read ``n`` pools; returns their final states."""
    states = []
    for i in range(n):
        config = {"name": f"{prefix}-{i}", "servers": [{"ip": {"addr": f"10.7.0.{i + 1}",
                                                              "type": "V4"}}]}
        created = provider.create("avi_pool", provider.canonicalize("avi_pool", config))
        changed = {**config, "description": "updated"}
        desired = provider.canonicalize("avi_pool", changed)
        updated = provider.update("avi_pool", created.attributes,
                                  {**created.attributes, **desired}).attributes
        read = provider.read(ReadRequest("avi_pool", updated)).attributes
        assert read is not None
        assert diff_attributes(provider.schema("avi_pool"), desired, read) == ()
        states.append(dict(read))
    bulk = provider.read_many([ReadRequest("avi_pool", s, key=s["uuid"]) for s in states])
    assert all(bulk.results[s["uuid"]].attributes == s for s in states)
    return states


def cleanup(provider: AviProvider, states: list[dict[str, Any]]) -> None:
    for s in states:
        provider.delete("avi_pool", s)


def test_5xx_bursts(faulty: Any, raw: AviClient) -> None:
    provider, emu = faulty
    emu.set_faults(FaultConfig(error_rate=0.35, error_statuses=(500, 502, 503, 504), seed=7))
    states = churn(provider, "burst", 12)
    cleanup(provider, states)
    emu.set_faults(FaultConfig())
    assert len(WAITS) > 5  # faults really happened and were retried
    assert names_on_controller(raw, "burst") == []


def test_session_expiry(faulty: Any, raw: AviClient) -> None:
    provider, emu = faulty
    emu.set_faults(FaultConfig(session_expiry_rate=0.3, seed=3))
    states = churn(provider, "expiry", 8)
    emu.set_faults(FaultConfig())
    emu.expire_sessions()  # every session answers its next call with 401
    assert names_on_controller(raw, "expiry") == sorted(f"expiry-{i}" for i in range(8))
    cleanup(provider, states)
    assert names_on_controller(raw, "expiry") == []


def test_429_honours_retry_after(faulty: Any, raw: AviClient) -> None:
    provider, emu = faulty
    emu.set_faults(FaultConfig(error_rate=0.3, error_statuses=(429,), retry_after=3, seed=5))
    states = churn(provider, "throttled", 6)
    emu.set_faults(FaultConfig())
    assert WAITS and min(WAITS) >= 3  # every wait honoured the server's Retry-After
    assert names_on_controller(raw, "throttled") == sorted(f"throttled-{i}" for i in range(6))
    cleanup(provider, states)


def test_answer_lost_after_the_write_creates_once(faulty: Any, raw: AviClient) -> None:
    provider, emu = faulty
    emu.set_faults(FaultConfig(slow_write_rate=1.0, slow_write_seconds=1.0,
                               path_contains="/api/pool"))
    made = [provider.create("avi_pool", {"name": f"lost-{i}"}).attributes for i in range(3)]
    emu.set_faults(FaultConfig())
    assert names_on_controller(raw, "lost") == ["lost-0", "lost-1", "lost-2"]
    assert [m["name"] for m in made] == ["lost-0", "lost-1", "lost-2"]
    cleanup(provider, made)


def test_name_collision_is_not_mistaken_for_a_retry(provider: AviProvider,
                                                    raw: AviClient) -> None:
    first = provider.create("avi_pool", {"name": "taken"}).attributes
    with pytest.raises(Exception) as info:
        provider.create("avi_pool", {"name": "taken"})
    assert getattr(info.value, "status", None) == 409
    assert "already exists" in str(info.value) and "import" in info.value.detail
    assert names_on_controller(raw, "taken") == ["taken"]
    provider.delete("avi_pool", first)
