"""Persistence (restart on the same SQLite file keeps every object and IPAM allocation) and
parallel writers (no lost or duplicated objects, one winner per contested name, no address
handed out twice)."""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
from pathlib import Path
from typing import Any

from emuclient import Client
from test_ipam import network_body

from albform.provider.emulator import start_emulator


def _setup_ipam(client: Client) -> None:
    net = client.post("/api/network", network_body("persist-net", "10.50.0.1", "10.50.0.4",
                                                   "10.50.0.0/24")).json()
    profile = client.post("/api/ipamdnsproviderprofile", {
        "name": "persist-ipam", "type": "IPAMDNS_TYPE_INTERNAL",
        "internal_profile": {"usable_networks": [{"nw_ref": net["url"]}]}}).json()
    cloud = client.by_name("cloud", "Default-Cloud")
    cloud["ipam_provider_ref"] = profile["url"]
    assert client.put(f"/api/cloud/{cloud['uuid']}", cloud).status_code == 200


def _snapshot(client: Client) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for obj_type in ("tenant", "pool", "vsvip", "network", "cloud", "applicationprofile"):
        r = client.get(f"/api/{obj_type}?page_size=200", headers={"X-Avi-Tenant": "*"})
        assert r.status_code == 200, r.text
        out[obj_type] = sorted(r.json()["results"], key=lambda o: o["uuid"])
    return out


def test_restart_on_same_file_keeps_objects_and_allocations(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    with start_emulator(password="first", db_path=db) as emu:
        client = Client(emu.url, password="first", version="30.2.1")
        _setup_ipam(client)
        tenant = client.post("/api/tenant", {"name": "kept-tenant"}).json()
        assert client.post("/api/pool", {"name": "kept-pool"},
                           headers={"X-Avi-Tenant": "kept-tenant"}).status_code == 201
        vips = [client.post("/api/vsvip", {"name": f"kept-vip-{i}",
                                           "vip": [{"auto_allocate_ip": True}]}).json()
                for i in range(2)]
        before = _snapshot(client)
        first_url = emu.url
    with start_emulator(password="second", db_path=db) as emu:
        client = Client(emu.url, password="second", version="30.2.1")
        after = _snapshot(client)
        # Identical objects (uuids, refs, _last_modified...) once the changed port is ignored.
        assert _portless(after, emu.url) == _portless(before, first_url)
        assert client.get("/api/pool?name=kept-pool",
                          headers={"X-Avi-Tenant-UUID": tenant["uuid"]}).json()["count"] == 1
        held = {v["vip"][0]["ip_address"]["addr"] for v in vips}
        fresh = client.post("/api/vsvip", {"name": "new-vip", "vip": [{"auto_allocate_ip": True}]})
        assert fresh.status_code == 201, fresh.text
        assert fresh.json()["vip"][0]["ip_address"]["addr"] not in held
        # Built-ins were not seeded twice.
        assert client.get("/api/applicationprofile?name=System-HTTP").json()["count"] == 1


def _portless(snapshot: dict[str, list[dict[str, Any]]], base: str) -> Any:
    return json.loads(json.dumps(snapshot).replace(base, "http://emulator"))


def test_parallel_writers(tmp_path: Path) -> None:
    db = tmp_path / "parallel.db"
    with start_emulator(password="pw", db_path=db) as emu:

        def writer(worker: int) -> list[int]:
            client = Client(emu.url, password="pw")
            codes = []
            for i in range(15):
                codes.append(client.post("/api/pool", {"name": f"w{worker}-{i}"}).status_code)
            codes.append(client.post("/api/pool", {"name": "contested"}).status_code)
            pool = client.by_name("pool", f"w{worker}-0")
            pool["default_server_port"] = 9000 + worker
            codes.append(client.put(f"/api/pool/{pool['uuid']}", pool).status_code)
            codes.append(client.delete(
                f"/api/pool/{client.by_name('pool', f'w{worker}-1')['uuid']}").status_code)
            return codes

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(writer, range(6)))
        contested = sorted(codes[15] for codes in results)
        assert contested == [201, 409, 409, 409, 409, 409]
        assert all(codes[:15] == [201] * 15 and codes[16:] == [200, 204] for codes in results)
        client = Client(emu.url, password="pw")
        listed = client.get("/api/pool?page_size=200").json()
        assert listed["count"] == 6 * 14 + 1
        assert len({p["uuid"] for p in listed["results"]}) == listed["count"]
        assert {client.by_name("pool", f"w{w}-0")["default_server_port"] for w in range(6)} == {
            9000 + w for w in range(6)}
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dangling = check.execute("SELECT COUNT(*) FROM refs WHERE src NOT IN "
                                 "(SELECT uuid FROM objects)").fetchone()[0]
        assert dangling == 0
