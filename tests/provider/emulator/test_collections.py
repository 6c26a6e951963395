"""Collections: paging and ``next``, filters, projections, name suffixes, skip_default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emuclient import PASSWORD, Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from albform.provider.emulator import RunningEmulator, start_emulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD) as emu:
        client = Client(emu.url)
        for i in range(30):
            body = {"name": f"col-{i:02d}", "created_by": "ako-1" if i % 3 == 0 else "user",
                    "default_server_port": 8000 + i}
            assert client.post("/api/pool", body).status_code == 201
        yield emu


def test_paging_follows_next_to_the_end(client: Client) -> None:
    r = client.get("/api/pool?page_size=7&name.contains=col-").json()
    assert r["count"] == 30 and len(r["results"]) == 7
    seen = [p["name"] for p in r["results"]]
    while "next" in r:
        assert r["next"].startswith(client.url + "/api/pool?")
        r = client.http.get(r["next"], headers=client.headers(), timeout=10).json()
        seen += [p["name"] for p in r["results"]]
    assert seen == [f"col-{i:02d}" for i in range(30)]


def test_page_size_is_capped_at_200(client: Client) -> None:
    r = client.get("/api/applicationprofile?page_size=1000").json()
    assert len(r["results"]) == r["count"] <= 200


def test_filters(client: Client) -> None:
    def names(query: str) -> list[str]:
        r = client.get("/api/pool?" + query)
        assert r.status_code == 200, r.text
        return [p["name"] for p in r.json()["results"]]

    assert names("name=col-05") == ["col-05"]
    assert names("name.contains=col-2&page_size=100") == [f"col-2{i}" for i in range(10)]
    assert names("created_by=ako-1&page_size=100") == [f"col-{i:02d}" for i in range(0, 30, 3)]
    assert names("default_server_port=8007") == ["col-07"]
    uuids = [client.by_name("pool", n)["uuid"] for n in ("col-01", "col-02")]
    assert names("uuid.in=" + ",".join(uuids)) == ["col-01", "col-02"]
    assert names("sort=-name&page_size=2&name.contains=col-") == ["col-29", "col-28"]
    assert names("cloud_ref.name=Default-Cloud&page_size=1") == ["col-00"]
    assert names("cloud_ref.name=No-Such-Cloud") == []


def test_refers_to_and_referred_by(client: Client) -> None:
    pool = client.by_name("pool", "col-10")
    group = client.post("/api/poolgroup", {"name": "col-group", "members": [
        {"pool_ref": pool["url"]}]}).json()
    assert [g["name"] for g in client.get(
        f"/api/poolgroup?refers_to=pool:{pool['uuid']}").json()["results"]] == ["col-group"]
    referred = client.get(f"/api/pool?referred_by=poolgroup:{group['uuid']}").json()
    assert [p["name"] for p in referred["results"]] == ["col-10"]
    assert client.delete(f"/api/poolgroup/{group['uuid']}").status_code == 204


def test_fields_include_name_and_skip_default(client: Client) -> None:
    r = client.get("/api/pool?name=col-03&fields=default_server_port").json()["results"][0]
    assert set(r) == {"name", "url", "uuid", "default_server_port"}
    named = client.get("/api/pool?name=col-03&include_name").json()["results"][0]
    assert named["url"].endswith("#col-03") and named["tenant_ref"].endswith("#admin")
    plain = client.get("/api/pool?name=col-03").json()["results"][0]
    assert "#" not in plain["url"] and "#" not in plain["tenant_ref"]
    lean = client.get("/api/pool?name=col-03&skip_default=true").json()["results"][0]
    assert "lb_algorithm" not in lean and lean["default_server_port"] == 8003
    assert "lb_algorithm" in plain


def _projection_objects(client: Client) -> None:
    """A VS with its VsVip (read-time extras: ``vip_runtime``, ``vs_refs``) and a pool with
    servers (``server_count`` in old-format answers), made once per module."""
    if client.get("/api/vsvip?name=proj-vip").json()["count"]:
        return
    vip = client.post("/api/vsvip", {"name": "proj-vip", "vip": [
        {"ip_address": {"addr": "10.9.8.7", "type": "V4"}}]}).json()
    pool = client.post("/api/pool", {"name": "proj-pool", "servers": [
        {"ip": {"addr": "10.1.1.1", "type": "V4"}, "port": 80}]}).json()
    assert client.post("/api/virtualservice", {
        "name": "proj-vs", "services": [{"port": 80}], "vsvip_ref": vip["url"],
        "pool_ref": pool["url"]}).status_code == 201


_FIELDS = ["server_count", "servers", "vip_runtime", "vs_refs", "vip", "pool_ref",
           "vsvip_ref", "tenant_ref", "cloud_ref", "lb_algorithm", "services", "name",
           "no_such_field", "_last_modified", "uuid"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj_type=st.sampled_from(["virtualservice", "vsvip", "pool"]),
       version=st.sampled_from(["20.1.1", "18.2.1", "30.2.1"]),
       flags=st.sampled_from(["", "&include_name", "&skip_default=true"]),
       fields=st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=4, unique=True))
@example(obj_type="pool", version="18.2.1", flags="", fields=["server_count"])
@example(obj_type="vsvip", version="20.1.1", flags="&include_name", fields=["vs_refs"])
@example(obj_type="virtualservice", version="20.1.1", flags="", fields=["vip_runtime"])
def test_fields_projects_the_full_answer(emulator: RunningEmulator, obj_type: str,
                                         version: str, flags: str, fields: list[str]) -> None:
    """``fields=`` answers exactly the full answer's keys it names (plus name, url, uuid),
    whatever else the answer holds: extras, old-format fields, include_name, skip_default."""
    client = Client(emulator.url, version=version)
    _projection_objects(client)
    name = {"virtualservice": "proj-vs", "vsvip": "proj-vip", "pool": "proj-pool"}[obj_type]
    full: dict[str, Any] = client.get(f"/api/{obj_type}?name={name}{flags}").json()[
        "results"][0]
    assert obj_type != "pool" or version != "18.2.1" or full["server_count"] == 1
    got = client.get(f"/api/{obj_type}?name={name}{flags}&fields={','.join(fields)}").json()
    keep = {"name", "url", "uuid", *fields}
    assert got["results"][0] == {k: v for k, v in full.items() if k in keep}


def test_paths_tolerate_double_and_trailing_slashes(client: Client) -> None:
    assert client.get("//api//pool/?name=col-01").json()["count"] == 1
    pool = client.by_name("pool", "col-01")
    assert client.get(f"/api/pool/{pool['uuid']}/").json()["name"] == "col-01"


def test_unknown_type_is_404(client: Client) -> None:
    assert client.get("/api/abcd").status_code == 404


@pytest.fixture()
def client(emulator: RunningEmulator) -> Client:
    return Client(emulator.url)


_FIELD_SETS = [["_last_modified"], ["static_routes", "_last_modified"], ["servers", "enabled"],
               ["vip_runtime", "services"], ["vs_refs", "vip"], ["name"], ["no_such_field"],
               ["tenant_ref", "cloud_ref", "markers"]]


@pytest.mark.parametrize("fields", _FIELD_SETS, ids=",".join)
def test_an_object_gets_fields_as_its_whole_answer_projected(client: Client,
                                                             fields: list[str]) -> None:
    """``GET /api/<type>/<uuid>?fields=`` (served from the stored body cut by SQLite, or
    from the whole object when a field is derived) equals the whole GET cut to those
    fields plus name, url and uuid, for every type of a cluster's objects."""
    client = Client(client.url, version="30.2.1")  # markers: newer than the default version
    vrf = client.get("/api/vrfcontext?name=global").json()["results"][0]
    routes = [{"route_id": f"f{i}", "next_hop": {"addr": "10.0.0.1", "type": "V4"},
               "prefix": {"ip_addr": {"addr": f"10.9.{i}.0", "type": "V4"}, "mask": 24}}
              for i in range(3)]
    assert client.put(f"/api/vrfcontext/{vrf['uuid']}",
                      {**vrf, "static_routes": routes}).status_code == 200
    pool = client.post("/api/pool", {"name": "fields-pool", "servers": [
        {"ip": {"addr": "10.1.1.1", "type": "V4"}, "port": 80, "enabled": False}]}).json()
    vip = client.post("/api/vsvip", {"name": "fields-vip", "vip": [
        {"vip_id": "0", "ip_address": {"addr": "10.7.7.7", "type": "V4"}}]}).json()
    vs = client.post("/api/virtualservice", {
        "name": "fields-vs", "vsvip_ref": vip["url"].split("#")[0],
        "pool_ref": pool["url"].split("#")[0], "services": [{"port": 80}],
        "markers": [{"key": "k", "values": ["v"]}]}).json()
    try:
        for obj in (vrf, pool, vip, vs):
            path = obj["url"].split("#")[0].split("/api/", 1)[1]
            whole = client.get(f"/api/{path}").json()
            cut = client.get(f"/api/{path}?fields={','.join(fields)}").json()
            keep = {"name", "url", "uuid", *fields}
            assert cut == {k: v for k, v in whole.items() if k in keep}, path
    finally:
        for obj in (vs, vip, pool):
            client.delete(obj["url"].split("#")[0].split(client.url, 1)[-1])
        client.put(f"/api/vrfcontext/{vrf['uuid']}", {**vrf, "static_routes": []})
