"""``avi_vrfcontext_static_route``: routes merged into the shared ``global`` VRF next to
foreign routes (AKO's, an admin's), compared by content, never touching what is not ours."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from albform.engine.diff import diff_attributes
from albform.engine.provider import ReadRequest
from albform.provider.resources.provider import AviProvider

T = "avi_vrfcontext_static_route"


def route_config(i: int, hop: str = "172.19.0.2", cluster: str = "c1",
                 rid: str | None = None) -> dict[str, Any]:
    """Shaped like the Kubernetes translator's output (modules/k8s/DECISIONS.md)."""
    return {
        "vrf_name": "global", "cloud_ref": "/api/cloud?name=Default-Cloud",
        "tenant_ref": "/api/tenant/?name=admin",
        "route_id": rid or f"{cluster}-node{i}-0",
        "prefix": {"ip_addr": {"addr": f"10.244.{i}.0", "type": "V4"}, "mask": "24"},
        "next_hop": [{"addr": hop, "type": "V4"}],
        "labels": [{"key": "clustername", "value": cluster}],
    }


def api_route(i: int, hop: str, rid: str, label: str | None) -> dict[str, Any]:
    r: dict[str, Any] = {"route_id": rid,
                         "prefix": {"ip_addr": {"addr": f"10.{i}.0.0", "type": "V4"}, "mask": 16},
                         "next_hop": {"addr": hop, "type": "V4"}}
    if label:
        r["labels"] = [{"key": "clustername", "value": label}]
    return r


@pytest.fixture
def vrf(raw: Any) -> Any:
    """The global VRF, seeded with two foreign routes; routes restored afterwards."""
    found = [v for v in raw.list_objects("vrfcontext", {"name": "global"})]
    assert len(found) == 1
    body = found[0]
    original = list(body.get("static_routes") or [])
    foreign = [api_route(1, "192.168.1.1", "other-cluster-abc-0", "other"),
               api_route(2, "192.168.1.2", "manual-1", None)]
    raw.replace_object("vrfcontext", body["uuid"], {**body, "static_routes": foreign})

    class Handle:
        uuid = body["uuid"]
        foreign_routes = foreign

        @staticmethod
        def routes() -> list[dict[str, Any]]:
            got = raw.get_object("vrfcontext", body["uuid"])
            assert got is not None
            return list(got.get("static_routes") or [])

        @staticmethod
        def put_routes(routes: list[dict[str, Any]]) -> None:
            got = raw.get_object("vrfcontext", body["uuid"])
            assert got is not None
            raw.replace_object("vrfcontext", body["uuid"], {**got, "static_routes": routes})

    yield Handle
    Handle.put_routes(original)


def foreign_intact(vrf: Any) -> None:
    ids = {r["route_id"]: r for r in vrf.routes()}
    for f in vrf.foreign_routes:
        assert f["route_id"] in ids
        got = ids[f["route_id"]]
        assert got["next_hop"]["addr"] == f["next_hop"]["addr"]
        assert got.get("labels") == f.get("labels")


def plan_is_empty(provider: AviProvider, config: dict[str, Any], state: Any) -> None:
    desired = provider.canonicalize(T, config)
    assert diff_attributes(provider.schema(T), desired, state) == ()


def test_create_update_delete_next_to_foreign_routes(provider: AviProvider, vrf: Any) -> None:
    config = route_config(5)
    state = provider.create(T, provider.canonicalize(T, config)).attributes
    assert state["route_id"] == "c1-node5-0"
    assert state["vrf_context_ref"] == f"/api/vrfcontext/{vrf.uuid}"
    plan_is_empty(provider, config, state)
    read = provider.read(ReadRequest(T, state)).attributes
    plan_is_empty(provider, config, read)
    assert len(vrf.routes()) == 3
    foreign_intact(vrf)

    moved = route_config(5, hop="172.19.0.99")  # the node got a new address
    desired = provider.canonicalize(T, moved)
    changes = diff_attributes(provider.schema(T), desired, read)
    assert [c.path for c in changes] == [("next_hop", "addr")]
    state = provider.update(T, read, desired).attributes
    assert state["route_id"] == "c1-node5-0" and state["next_hop"]["addr"] == "172.19.0.99"
    assert [r["route_id"] for r in vrf.routes()].count("c1-node5-0") == 1
    foreign_intact(vrf)

    provider.delete(T, state)
    assert [r["route_id"] for r in vrf.routes()] == ["other-cluster-abc-0", "manual-1"]
    assert provider.read(ReadRequest(T, state)).attributes is None
    provider.delete(T, state)  # already gone: success


def test_out_of_band_edit_and_removal_are_seen(provider: AviProvider, vrf: Any) -> None:
    config = route_config(6)
    state = provider.create(T, provider.canonicalize(T, config)).attributes
    routes = vrf.routes()
    for r in routes:
        if r["route_id"] == "c1-node6-0":
            r["next_hop"]["addr"] = "172.19.0.66"
    vrf.put_routes(routes)
    read = provider.read(ReadRequest(T, state)).attributes
    assert read is not None and read["next_hop"]["addr"] == "172.19.0.66"
    changes = diff_attributes(provider.schema(T), provider.canonicalize(T, config), read)
    assert [(c.path, c.before, c.after) for c in changes] == [
        (("next_hop", "addr"), "172.19.0.66", "172.19.0.2")]
    vrf.put_routes([r for r in vrf.routes() if r["route_id"] != "c1-node6-0"])
    assert provider.read(ReadRequest(T, state)).attributes is None


def test_route_with_same_content_and_another_id_is_adopted(provider: AviProvider,
                                                           vrf: Any) -> None:
    # AKO wrote this route with its random id; the translator's stable id differs.
    ako = {**provider.canonicalize(T, route_config(7, rid="c1-6f0e2c9a-0")),
           "route_id": "c1-6f0e2c9a-0"}
    vrf.put_routes([*vrf.routes(), {k: ako[k] for k in ("route_id", "prefix", "next_hop",
                                                         "labels")}])
    config = route_config(7, rid="c1-stable-node7-0")
    desired = provider.canonicalize(T, config)
    assert desired["route_id"] == "c1-6f0e2c9a-0"
    state = provider.create(T, desired).attributes
    assert len(vrf.routes()) == 3
    plan_is_empty(provider, config, state)
    provider.delete(T, state)
    foreign_intact(vrf)


def test_parallel_creates_do_not_lose_routes(provider: AviProvider, vrf: Any) -> None:
    configs = [route_config(20 + i) for i in range(12)]
    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(lambda c: provider.create(T, provider.canonicalize(T, c))
                               .attributes, configs))
    ids = [r["route_id"] for r in vrf.routes()]
    assert sorted(ids) == sorted(["other-cluster-abc-0", "manual-1",
                                  *(s["route_id"] for s in states)])
    result = provider.read_many([ReadRequest(T, s, key=i) for i, s in enumerate(states)])
    assert result.api_calls == 1  # one GET of the VRF for all its routes
    for i, _s in enumerate(states):
        plan_is_empty(provider, configs[i], result.results[i].attributes)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda s: provider.delete(T, s), states))
    assert [r["route_id"] for r in vrf.routes()] == ["other-cluster-abc-0", "manual-1"]


def test_import_by_vrf_and_route_id(provider: AviProvider, vrf: Any) -> None:
    got = provider.import_resource(T, "global/manual-1")
    assert not got.diagnostics and got.attributes is not None
    assert got.attributes["next_hop"]["addr"] == "192.168.1.2"
    missing = provider.import_resource(T, "global/nope")
    assert missing.attributes is None and missing.diagnostics.has_errors()


def test_missing_vrf_is_a_clear_error(provider: AviProvider) -> None:
    config = {**route_config(9), "vrf_name": "no-such-vrf"}
    with pytest.raises(Exception, match="VrfContext"):
        provider.create(T, provider.canonicalize(T, config))


def test_a_refresh_reads_the_vrf_once_for_all_its_routes_and_canonicalize_reuses_it(
        provider: AviProvider, vrf: Any) -> None:
    configs = [route_config(20 + i) for i in range(5)]
    states = [provider.create(T, provider.canonicalize(T, c)).attributes for c in configs]
    before = provider.api.api_calls
    got = provider.read_many([ReadRequest(T, s, key=i) for i, s in enumerate(states)])
    assert [got.results[i].attributes for i in range(5)] == states
    desired = [provider.canonicalize(T, c) for c in configs]
    # One VRF GET for the refresh; canonicalising the five routes reads nothing more
    # (their refs resolve from the resolver's cache).
    assert provider.api.api_calls - before == 1
    for want, state in zip(desired, states, strict=True):
        assert not diff_attributes(provider.schema(T), want, state)
    # A write drops the view: the next canonicalize sees the VRF as it is now, so a route
    # with the same content under another id (AKO's) is adopted by its id.
    provider.delete(T, states[0])
    vrf.put_routes([*vrf.routes(), {**{k: desired[0][k] for k in ("prefix", "labels")},
                                    "next_hop": desired[0]["next_hop"], "route_id": "ako-x"}])
    assert provider.canonicalize(T, configs[0])["route_id"] == "ako-x"


def test_after_albform_writes_the_vrf_a_canonicalisation_only_checks_it_is_unchanged(
        provider: AviProvider, vrf: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The VRF albform wrote is the view of the next canonicalisations: each asks only for
    its ``_last_modified`` (no full read of the cluster's routes); once someone else writes
    the VRF, the next one reads it again and sees their route."""
    reads: list[Any] = []
    get_object = provider.api.get_object

    def recording(objtype: str, uuid: str, **kwargs: Any) -> Any:
        reads.append(kwargs.get("params"))
        return get_object(objtype, uuid, **kwargs)

    monkeypatch.setattr(provider.api, "get_object", recording)
    first = provider.create(T, provider.canonicalize(T, route_config(30))).attributes
    configs = [route_config(31 + i) for i in range(3)]
    reads.clear()
    for config in configs:
        provider.canonicalize(T, config)
    assert reads == [{"fields": "_last_modified"}] * 3
    desired = provider.canonicalize(T, configs[0])
    vrf.put_routes([*vrf.routes(), {**{k: desired[k] for k in ("prefix", "labels")},
                                    "next_hop": desired["next_hop"], "route_id": "ako-y"}])
    reads.clear()
    assert provider.canonicalize(T, configs[0])["route_id"] == "ako-y"
    assert reads == [{"fields": "_last_modified"}, None]  # the check, then the read
    provider.delete(T, first)
