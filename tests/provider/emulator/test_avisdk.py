"""The official Python SDK (``avisdk``'s ``ApiSession``) driving the emulator as a real client:
login, create pool/vsvip/virtualservice, get by name, update, delete in the wrong order (403)
then the right one, tenants, ``Slug`` (force_uuid), and re-login after a bad CSRF token."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from emuclient import PASSWORD

from albform.provider.emulator import RunningEmulator, start_emulator

avi_api = pytest.importorskip("avi.sdk.avi_api")


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    """HTTPS, as the SDK expects of a controller; the SDK verifies our certificate."""
    with start_emulator(password=PASSWORD, tls=True) as emu:
        yield emu


@pytest.fixture()
def api(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    # requests lets REQUESTS_CA_BUNDLE override a session's verify, so point it at our cert.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emulator.cert_path))
    avi_api.ApiSession.clear_cached_sessions()
    session = avi_api.ApiSession(emulator.url, "admin", PASSWORD, tenant="admin",
                                 api_version="20.1.1", verify=str(emulator.cert_path))
    yield session
    avi_api.ApiSession.clear_cached_sessions()


def test_sdk_full_virtual_service_lifecycle(api: object) -> None:
    s = api
    pool = s.post("pool", data={"name": "sdk-pool", "servers": [
        {"ip": {"addr": "10.1.1.10", "type": "V4"}, "port": 80}]})  # type: ignore[attr-defined]
    assert pool.status_code == 201, pool.text
    vsvip = s.post("vsvip", data={"name": "sdk-vip", "vip": [  # type: ignore[attr-defined]
        {"ip_address": {"addr": "10.1.1.100", "type": "V4"}}]})
    assert vsvip.status_code == 201, vsvip.text
    vs = s.post("virtualservice", data={  # type: ignore[attr-defined]
        "name": "sdk-vs", "services": [{"port": 80}],
        "pool_ref": pool.json()["url"], "vsvip_ref": "/api/vsvip?name=sdk-vip"})
    assert vs.status_code == 201, vs.text
    assert vs.json()["pool_ref"] == pool.json()["url"]

    found = s.get_object_by_name("virtualservice", "sdk-vs")  # type: ignore[attr-defined]
    assert found["uuid"] == vs.json()["uuid"]
    assert found["vip_runtime"][0]["vip_id"] == "0"

    found["enabled"] = False
    updated = s.put(f"virtualservice/{found['uuid']}", data=found)  # type: ignore[attr-defined]
    assert updated.status_code == 200, updated.text
    assert updated.json()["enabled"] is False

    blocked = s.delete(f"pool/{pool.json()['uuid']}")  # type: ignore[attr-defined]
    assert blocked.status_code == 403
    assert json.loads(blocked.text) == {  # the SDK's .json() raises on errors
        "error": "Cannot delete, object is referred by: ['VirtualService sdk-vs']",
        "obj_name": "sdk-pool"}
    assert s.get_object_by_name("pool", "sdk-pool") is not None  # type: ignore[attr-defined]

    for obj_type, name in (("virtualservice", "sdk-vs"), ("pool", "sdk-pool"),
                           ("vsvip", "sdk-vip")):
        gone = s.delete_by_name(obj_type, name)  # type: ignore[attr-defined]
        assert gone.status_code == 204, (obj_type, gone.text)
        assert s.get_object_by_name(obj_type, name) is None  # type: ignore[attr-defined]


def test_sdk_tenants_are_isolated(api: object, emulator: RunningEmulator) -> None:
    s = api
    tenant = s.post("tenant", data={"name": "sdk-tenant"})  # type: ignore[attr-defined]
    assert tenant.status_code == 201, tenant.text
    created = s.post("pool", data={"name": "tenant-pool"},  # type: ignore[attr-defined]
                     tenant="sdk-tenant")
    assert created.status_code == 201, created.text
    assert created.json()["tenant_ref"].endswith(f"/api/tenant/{tenant.json()['uuid']}#sdk-tenant")
    # Invisible from admin, visible by tenant name and by tenant uuid.
    assert s.get_object_by_name("pool", "tenant-pool") is None  # type: ignore[attr-defined]
    assert s.get_object_by_name("pool", "tenant-pool",  # type: ignore[attr-defined]
                                tenant="sdk-tenant") is not None
    assert s.get_object_by_name("pool", "tenant-pool",  # type: ignore[attr-defined]
                                tenant_uuid=tenant.json()["uuid"]) is not None
    # Admin's shared profiles are visible from the tenant; the tenant cannot delete them.
    profile = s.get_object_by_name("applicationprofile", "System-HTTP",  # type: ignore[attr-defined]
                                   tenant="sdk-tenant")
    assert profile is not None
    # A tenant holding objects cannot be deleted; once empty it can.
    assert s.delete(f"tenant/{tenant.json()['uuid']}").status_code == 403  # type: ignore[attr-defined]
    assert s.delete_by_name("pool", "tenant-pool",  # type: ignore[attr-defined]
                            tenant="sdk-tenant").status_code == 204
    assert s.delete(f"tenant/{tenant.json()['uuid']}").status_code == 204  # type: ignore[attr-defined]


def test_sdk_force_uuid_sets_slug(api: object) -> None:
    s = api
    r = s.post("pool", data={"name": "forced"}, force_uuid="pool-forced-1")  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    assert r.json()["uuid"] == "pool-forced-1"
    assert r.json()["url"].endswith("/api/pool/pool-forced-1#forced")
    assert s.delete("pool/pool-forced-1").status_code == 204  # type: ignore[attr-defined]


def test_sdk_relogs_in_after_csrf_rejection(api: object) -> None:
    s = api
    s.headers["X-CSRFToken"] = "invalid"  # type: ignore[attr-defined]
    r = s.post("tenant", data={"name": "after-relogin"})  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    assert s.delete_by_name("tenant", "after-relogin").status_code == 204  # type: ignore[attr-defined]


def test_sdk_relogs_in_after_session_expiry(api: object, emulator: RunningEmulator) -> None:
    s = api
    assert s.get("pool").status_code == 200  # type: ignore[attr-defined]
    emulator.expire_sessions()
    # The SDK sees 401, logs in again and retries transparently.
    assert s.get("pool").status_code == 200  # type: ignore[attr-defined]
