"""``_last_modified``: every write of an object moves it, and no change of what albform reads
of an object happens without it moving (a refresh skips objects whose ``_last_modified`` it
has seen: ``provider/resources/read_marks.py``). Also: ``fields=uuid,_last_modified``
listings (served from bodies cut by SQLite) equal whole listings projected."""

from __future__ import annotations

import time
from typing import Any

import pytest
from emuclient import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albform.provider.emulator import RunningEmulator, objects
from albform.provider.emulator.context import RequestContext
from albform.provider.emulator.objects import Controller
from albform.provider.emulator.store import Store
from albform.provider.resources.normalize import normalize_object


def _path(obj: dict[str, Any], client: Client) -> str:
    return obj["url"].split("#")[0].split(client.url, 1)[-1]


def _stamp(client: Client, path: str) -> int:
    return int(client.get(path).json()["_last_modified"])


def test_each_write_path_moves_last_modified(client: Client) -> None:
    pool = client.post("/api/pool", {"name": "lm-pool"}).json()
    path = _path(pool, client)
    seen = [int(pool["_last_modified"])]
    assert _stamp(client, path) == seen[-1]  # the write answer's is the stored one

    def moved() -> None:
        now = _stamp(client, path)
        assert now > seen[-1]
        seen.append(now)

    body = client.get(path).json()
    assert client.put(path, {**body, "description": "changed"}).status_code == 200
    moved()
    assert client.put(path, client.get(path).json()).status_code == 200  # touched: same body
    moved()
    assert client.patch(path, {"replace": {"description": "patched"}}).status_code == 200
    moved()

    sysconf = client.get("/api/systemconfiguration").json()
    client.put("/api/systemconfiguration", {**sysconf, "welcome_workflow_complete": True})
    assert int(client.get("/api/systemconfiguration").json()["_last_modified"]) \
        > int(sysconf["_last_modified"])
    client.delete(path)


def test_an_inline_vip_edit_moves_the_vsvip_it_rewrites(client: Client) -> None:
    def vip(addr: str) -> list[dict[str, Any]]:
        return [{"vip_id": "0", "ip_address": {"addr": addr, "type": "V4"}}]

    vs = client.post("/api/virtualservice", {"name": "lm-inline", "services": [{"port": 80}],
                                              "vip": vip("10.5.5.5")}).json()
    vsvip_path = "/api/vsvip/" + vs["vsvip_ref"].split("#")[0].rsplit("/", 1)[1]
    before = client.get(vsvip_path).json()
    body = client.get(_path(vs, client)).json()
    body.pop("vsvip_ref")
    assert client.put(_path(vs, client), {**body, "vip": vip("10.5.5.6")}).status_code == 200
    after = client.get(vsvip_path).json()
    assert after["vip"][0]["ip_address"]["addr"] == "10.5.5.6"
    assert int(after["_last_modified"]) > int(before["_last_modified"])
    client.delete(_path(vs, client))


def test_last_modified_moves_even_when_the_clock_does_not(monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    controller = Controller(Store())
    ctx = RequestContext(base="")
    controller.store.put(objects.StoredObject(
        type="tenant", uuid="admin", tenant="admin", name="admin", cloud=None,
        body={"uuid": "admin", "name": "admin"}))
    frozen = time.time_ns()
    monkeypatch.setattr(objects.time, "time_ns", lambda: frozen)
    made = controller.create(ctx, "healthmonitor", {"name": "hm", "type": "HEALTH_MONITOR_TCP"})
    again = controller.replace(ctx, "healthmonitor", made.uuid, dict(made.body))
    monkeypatch.setattr(objects.time, "time_ns", lambda: frozen - 10**9)  # a step back
    third = controller.replace(ctx, "healthmonitor", made.uuid, dict(again.body))
    stamps = [int(o.body["_last_modified"]) for o in (made, again, third)]
    assert stamps == sorted(set(stamps))


# -- property: what albform reads of an object never changes under the same _last_modified ----

_OPS = st.lists(st.tuples(
    st.sampled_from(["update", "touch", "patch", "delete", "create", "vs-vip"]),
    st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_a_read_never_changes_under_the_same_last_modified(client: Client,
                                                          ops: list[tuple[str, int, int]]
                                                          ) -> None:
    """Random writes over REST (pools, a VS with an inline VIP and its auto VsVip); after each,
    every object's normalised read is recorded under its ``_last_modified``: one stamp, one
    read."""
    reads: dict[tuple[str, str], dict[str, Any]] = {}

    def record() -> None:
        for objtype in ("pool", "vsvip", "virtualservice"):
            for obj in client.get(f"/api/{objtype}?page_size=200&name.contains=lmp-").json()[
                    "results"]:
                key = (obj["uuid"], obj["_last_modified"])
                normal = normalize_object(objtype, obj)
                assert reads.setdefault(key, normal) == normal, key

    def pool_path(i: int) -> str | None:
        found = client.get(f"/api/pool?name=lmp-{i}").json()["results"]
        return _path(found[0], client) if found else None

    for i in range(4):
        if pool_path(i) is None:
            client.post("/api/pool", {"name": f"lmp-{i}"})
    record()
    for op, i, value in ops:
        path = pool_path(i)
        if op == "create" and path is None:
            client.post("/api/pool", {"name": f"lmp-{i}", "default_server_port": 80 + value})
        elif op == "delete" and path is not None:
            client.delete(path)  # refused while a VS uses it: nothing changes
        elif op in ("update", "touch") and path is not None:
            body = client.get(path).json()
            if op == "update":
                body["default_server_port"] = 8000 + value
            client.put(path, body)
        elif op == "patch" and path is not None:
            client.patch(path, {"replace": {"description": f"d{value}"}})
        elif op == "vs-vip":
            vs = client.get("/api/virtualservice?name=lmp-vs").json()["results"]
            body = {"name": "lmp-vs", "services": [{"port": 80}], "vip": [
                {"vip_id": "0", "ip_address": {"addr": f"10.6.6.{value + 1}", "type": "V4"}}]}
            if path is not None:
                body["pool_ref"] = path
            if vs:
                client.put(_path(vs[0], client), body)
            else:
                client.post("/api/virtualservice", body)
        record()


# -- the stamps listing ----------------------------------------------------------------------

@pytest.mark.parametrize("query", ["page_size=7&page=2", "page_size=200", "name.contains=lsl-"
                                   "&page_size=5&page=3", "uuid.in={uuids}&page_size=200"])
def test_a_stamps_listing_is_the_whole_listing_projected(emulator: RunningEmulator,
                                                         query: str) -> None:
    client = Client(emulator.url, version="30.2.1")
    made = [client.post("/api/pool", {"name": f"lsl-{i}"}).json() for i in range(16)]
    try:
        query = query.format(uuids=",".join(p["uuid"] for p in made[3:11]))
        whole = client.get(f"/api/pool?{query}").json()
        cut = client.get(f"/api/pool?{query}&fields=uuid,_last_modified").json()
        keep = {"name", "url", "uuid", "_last_modified"}
        assert cut["count"] == whole["count"] and cut["results"]
        assert cut["results"] == [{k: v for k, v in r.items() if k in keep}
                                  for r in whole["results"]]
        assert all(r["_last_modified"] for r in cut["results"])
    finally:
        for p in made:
            client.delete(_path(p, client))
