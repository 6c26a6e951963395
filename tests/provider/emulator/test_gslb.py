"""The GSLB leader: site configuration, GslbService integrity (members name existing sites, VS
members exist on their site, monitors are federated), gslbgeodbprofile, and the GslbService
runtime with per-member up/down. A fresh emulator per module: the gslb object is global."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emuclient import PASSWORD, Client

from albform.provider.emulator import RunningEmulator, start_emulator

REMOTE = "cluster-0a6b0b3c-remote"


@pytest.fixture(scope="module")
def leader() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD) as emu:
        yield emu


@pytest.fixture()
def client(leader: RunningEmulator) -> Client:
    return Client(leader.url)


def _gs(name: str, members: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": name, "domain_names": [name], "is_federated": True,
            "groups": [{"name": "amko-gs-group-10", "priority": 10,
                        "algorithm": "GSLB_ALGORITHM_ROUND_ROBIN", "members": members}],
            **extra}


def _member(ip: str, **extra: Any) -> dict[str, Any]:
    return {"enabled": True, "ratio": 1, "ip": {"addr": ip, "type": "V4"}, **extra}


def test_gslbservice_needs_a_gslb_leader_configuration(client: Client) -> None:
    r = client.post("/api/gslbservice", _gs("early.avi.com", [_member("1.1.1.1")]))
    assert r.status_code == 400
    assert "not a GSLB leader" in r.text


def test_site_configuration_and_member_integrity(client: Client) -> None:
    r = client.post("/api/gslb", {
        "name": "Default", "leader_cluster_uuid": "cluster-emulated",
        "sites": [
            {"name": "east", "cluster_uuid": "cluster-emulated", "username": "admin",
             "password": "pw", "member_type": "GSLB_ACTIVE_MEMBER",
             "ip_addresses": [{"addr": "127.0.0.1", "type": "V4"}]},
            {"name": "west", "cluster_uuid": REMOTE, "username": "admin", "password": "pw",
             "member_type": "GSLB_ACTIVE_MEMBER",
             "ip_addresses": [{"addr": "127.0.0.2", "type": "V4"}]}]})
    assert r.status_code == 201, r.text
    vs = client.post("/api/virtualservice", {"name": "local-vs", "services": [{"port": 80}]})
    assert vs.status_code == 201, vs.text
    local = vs.json()["uuid"]

    unknown_site = client.post("/api/gslbservice", _gs("a.avi.com", [
        _member("1.1.1.1", cluster_uuid="cluster-nowhere", vs_uuid=local)]))
    assert unknown_site.status_code == 400
    assert "cluster_uuid cluster-nowhere is not a GSLB site" in unknown_site.json()["error"]

    missing_vs = client.post("/api/gslbservice", _gs("a.avi.com", [
        _member("1.1.1.1", cluster_uuid=REMOTE, vs_uuid="virtualservice-on-west")]))
    assert missing_vs.status_code == 400
    assert "virtualservice-on-west does not exist on site west" in missing_vs.json()["error"]

    learned = client.put(f"/emulator/gslb/sites/{REMOTE}", {"virtualservices": [
        {"uuid": "virtualservice-on-west", "name": "west-vs", "oper_state": "OPER_DOWN"}]})
    assert learned.status_code == 200, learned.text
    ok = client.post("/api/gslbservice", _gs("a.avi.com", [
        _member("1.1.1.1", cluster_uuid="cluster-emulated", vs_uuid=local),
        _member("2.2.2.2", cluster_uuid=REMOTE, vs_uuid="virtualservice-on-west"),
        _member("3.3.3.3")]))
    assert ok.status_code == 201, ok.text

    runtime = client.get(f"/api/gslbservice/{ok.json()['uuid']}/runtime").json()
    states = [(m["ip"]["addr"], m["oper_status"]["state"])
              for g in runtime[0]["groups"] for m in g["members"]]
    assert states == [("1.1.1.1", "OPER_UP"), ("2.2.2.2", "OPER_DOWN"), ("3.3.3.3", "OPER_UP")]
    assert runtime[0]["info"]["num_members_up"] == 2


def test_objects_a_gslbservice_refers_to_must_be_federated(client: Client) -> None:
    hm = client.post("/api/healthmonitor", {"name": "local-only", "type": "HEALTH_MONITOR_TCP"})
    assert hm.status_code == 201, hm.text
    r = client.post("/api/gslbservice", _gs("b.avi.com", [_member("1.1.1.1")],
                                             health_monitor_refs=[hm.json()["url"]]))
    assert r.status_code == 400
    assert "HealthMonitor local-only is not federated" in r.json()["error"]
    profile = client.by_name("applicationpersistenceprofile", "System-Persistence-Client-IP")
    r = client.post("/api/gslbservice", _gs("b.avi.com", [_member("1.1.1.1")],
                                             site_persistence_enabled=True,
                                             application_persistence_profile_ref=profile["url"]))
    assert r.status_code == 400 and "is not federated" in r.json()["error"]
    fed = client.post("/api/healthmonitor", {"name": "fed", "type": "HEALTH_MONITOR_TCP",
                                             "is_federated": True})
    assert fed.status_code == 201, fed.text
    r = client.post("/api/gslbservice", _gs("b.avi.com", [_member("1.1.1.1")],
                                             health_monitor_refs=[fed.json()["url"]]))
    assert r.status_code == 201, r.text
    # The monitor is in use: deleting it is refused while the GslbService refers to it.
    assert client.delete(f"/api/healthmonitor/{fed.json()['uuid']}").status_code in (400, 403)


def test_gslbgeodbprofile_round_trips(client: Client) -> None:
    r = client.post("/api/gslbgeodbprofile", {
        "name": "geo", "is_federated": True,
        "entries": [{"priority": 10, "file": {"filename": "AviGeoDb.gz", "format":
                                              "GSLB_GEODB_FILE_FORMAT_AVI"}}]})
    assert r.status_code == 201, r.text
    got = client.get(f"/api/gslbgeodbprofile/{r.json()['uuid']}").json()
    assert got["is_federated"] is True and got["entries"][0]["priority"] == 10
