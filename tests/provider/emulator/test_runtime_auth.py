"""Version/health endpoints, VS runtime and inventory, sessions (logout, idle timeout), Basic
auth, and fault injection (errors with Retry-After, determinism, 409 after a slow write)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from emuclient import PASSWORD, Client

from albform.provider.emulator import FaultConfig, RunningEmulator, start_emulator


@pytest.fixture()
def fresh() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD, idle_timeout=0.5) as emu:
        yield emu


def test_health_and_version_endpoints(emulator: RunningEmulator, client: Client) -> None:
    status = requests.get(emulator.url + "/api/cluster/status", timeout=10)
    assert status.status_code == 200  # no authentication needed
    assert status.json()["cluster_state"]["state"] == "CLUSTER_UP_NO_HA"
    data = client.get("/api/initial-data").json()
    assert data["version"]["Version"] == client.get("/api/cluster/version").json()["Version"]
    assert client.get("/api/cluster/runtime").json()["cluster_state"]["state"]


def test_virtual_service_runtime(emulator: RunningEmulator, client: Client) -> None:
    vip = client.post("/api/vsvip", {"name": "rt-vip", "vip": [
        {"ip_address": {"addr": "10.9.9.9", "type": "V4"}}]}).json()
    vs = client.post("/api/virtualservice", {"name": "rt-vs", "services": [{"port": 80}],
                                             "vsvip_ref": vip["url"]}).json()
    runtime = client.get(f"/api/virtualservice/{vs['uuid']}/runtime/").json()
    assert runtime["oper_status"]["state"] == "OPER_UP"
    assert runtime["vip_summary"][0]["ip_address"]["addr"] == "10.9.9.9"
    inventory = client.get("/api/virtualservice-inventory?name=rt-vs").json()
    assert inventory["count"] == 1
    assert inventory["results"][0]["runtime"]["oper_status"]["state"] == "OPER_UP"
    joined = client.get("/api/virtualservice?name=rt-vs&join_subresources=runtime").json()
    assert joined["results"][0]["runtime"]["oper_status"]["state"] == "OPER_UP"

    emulator.set_oper_state(vs["uuid"], "OPER_DOWN")
    assert client.get(f"/api/virtualservice/{vs['uuid']}/runtime").json()[
        "oper_status"]["state"] == "OPER_DOWN"
    emulator.set_oper_state(vs["uuid"], None)
    disabled = client.patch(f"/api/virtualservice/{vs['uuid']}", {"replace": {"enabled": False}})
    assert disabled.status_code == 200, disabled.text
    assert client.get(f"/api/virtualservice/{vs['uuid']}/runtime").json()[
        "oper_status"]["state"] == "OPER_DISABLED"
    vsvip_view = client.get(f"/api/vsvip/{vip['uuid']}").json()
    assert vsvip_view["vs_refs"] == [vs["url"].split("#")[0]]
    assert client.delete(f"/api/virtualservice/{vs['uuid']}").status_code == 204
    assert "vs_refs" not in client.get(f"/api/vsvip/{vip['uuid']}").json()
    assert client.delete(f"/api/vsvip/{vip['uuid']}").status_code == 204


def test_logout_ends_the_session(client: Client) -> None:
    assert client.get("/api/pool").status_code == 200
    assert client.request("POST", "/logout").status_code == 200
    assert client.get("/api/pool").status_code == 401


def test_idle_session_expires(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    assert client.get("/api/pool").status_code == 200
    time.sleep(0.7)
    assert client.get("/api/pool").status_code == 401
    client.login()
    assert client.get("/api/pool").status_code == 200


def test_basic_auth_only_when_enabled(fresh: RunningEmulator) -> None:
    def basic_get() -> int:
        return requests.get(fresh.url + "/api/pool", auth=("admin", PASSWORD),
                            timeout=10).status_code

    assert basic_get() == 401
    client = Client(fresh.url)
    sysconf = client.get("/api/systemconfiguration").json()
    sysconf["portal_configuration"]["allow_basic_authentication"] = True
    assert client.put("/api/systemconfiguration", sysconf).status_code == 200
    assert basic_get() == 200
    # Basic needs no CSRF token for writes.
    r = requests.post(fresh.url + "/api/pool", json={"name": "basic-pool"},
                      auth=("admin", PASSWORD), timeout=10)
    assert r.status_code == 201, r.text
    bad = requests.get(fresh.url + "/api/pool", auth=("admin", "wrong"), timeout=10)
    assert bad.status_code == 401


def test_password_change_via_useraccount(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    r = client.put("/api/useraccount", {"old_password": PASSWORD, "password": "n3w!"})
    assert r.status_code == 200 and r.content == b""
    assert requests.post(fresh.url + "/login", data={"username": "admin", "password": PASSWORD},
                         timeout=10).status_code == 401
    Client(fresh.url, password="n3w!")


def _statuses(emu: RunningEmulator, n: int) -> list[int]:
    client = Client(emu.url)
    return [client.get("/api/tenant").status_code for _ in range(n)]


def test_faults_are_deterministic_and_retry_after(fresh: RunningEmulator) -> None:
    config = FaultConfig(error_rate=0.5, error_statuses=(429, 503), seed=42, retry_after=3)
    fresh.set_faults(config)
    first = _statuses(fresh, 40)
    fresh.set_faults(config)  # re-seeding replays the same sequence
    assert _statuses(fresh, 40) == first
    assert {429, 503, 200} == set(first)
    fresh.set_faults(FaultConfig(error_rate=1.0, error_statuses=(429,), retry_after=3))
    r = Client.__new__(Client)  # login itself is not subject to faults
    r.__init__(fresh.url)  # type: ignore[misc]
    limited = r.get("/api/pool")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    fresh.set_faults(FaultConfig())


def test_fault_admin_endpoint_and_latency(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    r = client.put("/emulator/faults", {"latency_ms": 200})
    assert r.status_code == 200 and r.json()["latency_ms"] == 200
    started = time.monotonic()
    assert client.get("/api/pool").status_code == 200
    assert time.monotonic() - started >= 0.2
    assert client.put("/emulator/faults", {"error_rate": 2}).status_code == 400
    assert client.put("/emulator/faults", {"nonsense": 1}).status_code == 400
    assert client.put("/emulator/faults", {}).json()["latency_ms"] == 0


def test_slow_write_then_retry_sees_409(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    fresh.set_faults(FaultConfig(slow_write_rate=1.0, slow_write_seconds=1.0))
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.post("/api/pool", {"name": "slow-pool"}, timeout=0.3)
    fresh.set_faults(FaultConfig())
    retry = client.post("/api/pool", {"name": "slow-pool"})
    assert retry.status_code == 409  # the first write had succeeded
    assert client.get("/api/pool?name=slow-pool").json()["count"] == 1


def test_session_expiry_fault_gives_401_once(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    fresh.set_faults(FaultConfig(session_expiry_rate=1.0))
    assert client.get("/api/pool").status_code == 401
    fresh.set_faults(FaultConfig())
    assert client.get("/api/pool").status_code == 401  # the session is gone
    client.login()
    assert client.get("/api/pool").status_code == 200


def test_idle_timeout_follows_controllerproperties(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    props = client.get("/api/controllerproperties").json()
    props["api_idle_timeout"] = 30
    assert client.put("/api/controllerproperties", props).status_code == 200
    assert fresh.state.sessions.idle_timeout == 30 * 60.0
    time.sleep(0.7)  # longer than the start-up setting of 0.5 s, well inside 30 min
    assert client.get("/api/pool").status_code == 200


def test_portal_rate_limit_answers_429(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    props = client.get("/api/controllerproperties").json()
    props.update(portal_request_rate_limit=1, portal_request_burst_limit=3)
    assert client.put("/api/controllerproperties", props).status_code == 200
    answers = [client.get("/api/tenant") for _ in range(6)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    limited = [a for a in answers[3:] if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert limited[0].json() == {"error": "Too many requests"}
    assert int(limited[0].headers["Retry-After"]) >= 1
    fresh.state.limiter.configure(0, 0)  # off again (the PUT itself would be limited)
    assert client.get("/api/tenant").status_code == 200


def test_token_login(fresh: RunningEmulator) -> None:
    client = Client(fresh.url)
    token = client.post("/api/user-token", {"hours": "2"})
    assert token.status_code == 200, token.text
    s = requests.Session()
    r = s.post(fresh.url + "/login", json={"username": "admin", "token": token.json()["token"]},
               timeout=10)
    assert r.status_code == 200 and s.get(fresh.url + "/api/pool", timeout=10).status_code == 200
    bad = requests.post(fresh.url + "/login", json={"username": "admin", "token": "nope"},
                        timeout=10)
    assert bad.status_code == 401


def test_faults_configured_at_start() -> None:
    with start_emulator(password=PASSWORD, faults=FaultConfig(
            error_rate=1.0, error_statuses=(503,), path_contains="/api/pool")) as emu:
        client = Client(emu.url)  # login is never faulted
        down = client.get("/api/pool")
        assert down.status_code == 503 and down.json() == {"error": "INITIALIZING"}
        assert client.get("/api/tenant").status_code == 200  # other paths unaffected
        assert client.get("/emulator/faults").json()["error_statuses"] == [503]
