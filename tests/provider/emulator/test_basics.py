"""Login, CSRF, object CRUD and the recorded answer shapes, over real loopback HTTP."""

from __future__ import annotations

import requests
from emuclient import PASSWORD, Client

from albform.provider.emulator import RunningEmulator


def test_login_sets_recorded_cookies_and_body(emulator: RunningEmulator) -> None:
    r = requests.post(emulator.url + "/login", data={"username": "admin", "password": PASSWORD},
                      timeout=10)
    assert r.status_code == 200
    assert {"csrftoken", "avi-sessionid", "sessionid"} <= set(r.cookies.keys())
    assert r.cookies["avi-sessionid"] == r.cookies["sessionid"]
    body = r.json()
    assert body["session_cookie_name"] == "avi-sessionid"
    assert body["user"]["uuid"] == "user-1"
    assert body["version"]["Version"]
    assert body["system_config"]["uuid"] == "default"
    assert r.headers["AVI_API_VERSION"] == "16_4_2"


def test_login_accepts_json_and_rejects_bad_password(emulator: RunningEmulator) -> None:
    ok = requests.post(emulator.url + "/login",
                       json={"username": "admin", "password": PASSWORD}, timeout=10)
    assert ok.status_code == 200
    bad = requests.post(emulator.url + "/login", json={"username": "admin", "password": "x"},
                        timeout=10)
    assert bad.status_code == 401
    assert bad.json() == {"error": "Invalid credentials"}


def test_api_without_session_is_401(emulator: RunningEmulator) -> None:
    r = requests.get(emulator.url + "/api/pool", timeout=10)
    assert r.status_code == 401


def test_write_without_csrf_is_401_plain_text(client: Client) -> None:
    r = client.post("/api/pool", {"name": "nocsrf"}, headers={"X-CSRFToken": "invalid"})
    assert r.status_code == 401
    assert r.text == "CSRF token missing or incorrect."
    assert client.get("/api/pool?name=nocsrf").json()["count"] == 0


def test_pool_crud_round_trip(client: Client) -> None:
    r = client.post("/api/pool", {"name": "crud-pool",
                                  "servers": [{"ip": {"addr": "10.0.0.5", "type": "V4"},
                                               "port": 8080}]})
    assert r.status_code == 201, r.text
    pool = r.json()
    assert r.headers["Location"] == pool["url"]
    assert pool["url"].endswith("#crud-pool")
    assert pool["uuid"].startswith("pool-")
    assert pool["tenant_ref"].endswith("/api/tenant/admin#admin")
    assert pool["cloud_ref"].endswith("#Default-Cloud")
    assert pool["vrf_ref"].endswith("#global")
    assert pool["servers"][0]["hostname"] == "10.0.0.5"
    assert r.headers["AVI_API_VERSION"] == "20.1.1"

    got = client.get(f"/api/pool/{pool['uuid']}").json()
    assert "#" not in got["url"] and "#" not in got["cloud_ref"]
    named = client.get(f"/api/pool/{pool['uuid']}?include_name=true").json()
    assert named["cloud_ref"].endswith("#Default-Cloud")

    got["default_server_port"] = 8443
    got["name"] = "crud-pool-renamed"
    put = client.put(f"/api/pool/{pool['uuid']}", got)
    assert put.status_code == 200, put.text
    assert put.json()["default_server_port"] == 8443
    assert put.json()["_last_modified"] != pool["_last_modified"]
    assert client.get("/api/pool?name=crud-pool").json()["count"] == 0

    patched = client.patch(f"/api/pool/{pool['uuid']}", {"add": {"servers": [
        {"ip": {"addr": "10.0.0.6", "type": "V4"}}]}})
    assert patched.status_code == 200, patched.text
    assert [s["ip"]["addr"] for s in patched.json()["servers"]] == ["10.0.0.5", "10.0.0.6"]
    deleted = client.patch(f"/api/pool/{pool['uuid']}", {"delete": {"servers": [
        {"ip": {"addr": "10.0.0.5", "type": "V4"}}]}})
    assert [s["ip"]["addr"] for s in deleted.json()["servers"]] == ["10.0.0.6"]

    assert client.delete(f"/api/pool/{pool['uuid']}").status_code == 204
    assert client.get(f"/api/pool/{pool['uuid']}").status_code == 404
    assert client.delete(f"/api/pool/{pool['uuid']}").status_code == 404


def test_http_is_parsed_by_httptools_on_a_keep_alive_connection(
        emulator: RunningEmulator) -> None:
    """The emulator serves through uvicorn's C parser (h11 cost ~0.1 ms more per request),
    and many requests on one connection all get their answers."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert issubclass(emulator._server.config.http_protocol_class, HttpToolsProtocol)
    with requests.Session() as session:
        answers = [session.get(f"{emulator.url}/api/cluster/status", timeout=30)
                   for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
