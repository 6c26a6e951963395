"""The in-memory FakeProvider behaves like a small controller (so engine tests mean something)."""

from __future__ import annotations

import threading

import pytest

from albform.engine.provider import Provider, ProviderError, ReadRequest
from albform.engine.testing import FakeProvider, ref_url
from albform.engine.values import UNKNOWN


def make_pool(p: FakeProvider, name: str = "web") -> dict[str, object]:
    return dict(p.create("fake_pool", {"name": name, "servers": [{"ip": "10.1.1.1"}]}).attributes)


def test_implements_the_protocol() -> None:
    assert isinstance(FakeProvider(), Provider)


def test_create_assigns_uuid_and_server_defaults() -> None:
    p = FakeProvider()
    pool = make_pool(p)
    assert str(pool["uuid"]).startswith("fake_pool-")
    assert pool["lb_algorithm"] == "LB_ALGORITHM_LEAST_CONNECTIONS"
    assert pool["servers"] == [{"ip": "10.1.1.1", "port": 80, "enabled": True}]
    assert p.read(ReadRequest("fake_pool", {"uuid": pool["uuid"]})).attributes == pool


def test_create_rejects_duplicates_missing_required_and_dangling_refs() -> None:
    p = FakeProvider()
    make_pool(p)
    with pytest.raises(ProviderError) as dup:
        make_pool(p)
    assert dup.value.status == 409
    with pytest.raises(ProviderError, match="name is required"):
        p.create("fake_pool", {"servers": []})
    with pytest.raises(ProviderError) as dangling:
        p.create("fake_vs", {"name": "vs", "pool_ref": ref_url("fake_pool", "nope")})
    assert dangling.value.status == 400


def test_placeholders_reaching_create_are_an_engine_bug() -> None:
    with pytest.raises(AssertionError, match="UNKNOWN"):
        FakeProvider().create("fake_vs", {"name": "vs", "pool_ref": UNKNOWN})


def test_canonicalize_turns_uuids_and_name_lookups_into_urls() -> None:
    p = FakeProvider()
    pool = make_pool(p)
    url = ref_url("fake_pool", str(pool["uuid"]))
    assert p.canonicalize("fake_vs", {"name": "v", "pool_ref": pool["uuid"], "port": None}) == {
        "name": "v", "pool_ref": url}
    assert p.canonicalize("fake_vs", {"pool_ref": "/api/fake_pool?name=web"}) == {"pool_ref": url}
    assert p.canonicalize("fake_vs", {"pool_ref": UNKNOWN}) == {"pool_ref": UNKNOWN}


def test_referenced_object_cannot_be_deleted_until_released() -> None:
    p = FakeProvider()
    pool = make_pool(p)
    vs = p.create("fake_vs", p.canonicalize("fake_vs", {"name": "vs", "pool_ref": pool["uuid"]}))
    with pytest.raises(ProviderError) as err:
        p.delete("fake_pool", pool)
    assert err.value.status == 409 and "fake_vs:vs" in err.value.detail
    p.update("fake_vs", vs.attributes, {"name": "vs"})
    p.delete("fake_pool", pool)
    p.delete("fake_pool", pool)  # already gone is success
    assert p.objects("fake_pool") == []


def test_update_keeps_computed_and_refuses_force_new_change() -> None:
    p = FakeProvider()
    vs = dict(p.create("fake_vs", {"name": "vs", "port": 80}).attributes)
    updated = p.update("fake_vs", vs, {"name": "vs", "port": 443}).attributes
    assert updated["uuid"] == vs["uuid"] and updated["vip"] == vs["vip"]
    assert updated["port"] == 443
    with pytest.raises(ProviderError, match="cannot change type"):
        p.update("fake_vs", updated, {"name": "vs", "type": "VS_TYPE_VH_PARENT"})
    p.delete_out_of_band("fake_vs", "vs")
    with pytest.raises(ProviderError) as gone:
        p.update("fake_vs", updated, {"name": "vs"})
    assert gone.value.status == 404


def test_faults_by_operation_name_and_count() -> None:
    p = FakeProvider()
    p.fail("create", name="bad", times=1, retriable=True, status=503, detail="busy")
    with pytest.raises(ProviderError) as err:
        make_pool(p, "bad")
    assert err.value.retriable and err.value.status == 503 and err.value.detail == "busy"
    assert p.objects() == []
    make_pool(p, "bad")  # the fault was used up
    make_pool(p, "good")
    p.fail("delete", type_name="fake_pool")
    with pytest.raises(ProviderError):
        p.delete("fake_pool", p.get("fake_pool", "good") or {})
    assert p.get("fake_pool", "good") is not None


def test_partial_create_leaves_object_and_reports_it() -> None:
    p = FakeProvider()
    p.fail("create", name="half", partial=True)
    with pytest.raises(ProviderError) as err:
        make_pool(p, "half")
    partial = err.value.partial_state
    assert partial is not None and p.get("fake_pool", "half") == dict(partial)


def test_drift_helpers_and_read_many() -> None:
    p = FakeProvider()
    a, b = make_pool(p, "a"), make_pool(p, "b")
    p.edit_out_of_band("fake_pool", "a", lb_algorithm="LB_ALGORITHM_ROUND_ROBIN")
    p.delete_out_of_band("fake_pool", "b")
    p.reset_calls()
    got = p.read_many([ReadRequest("fake_pool", a, key="a"), ReadRequest("fake_pool", b, key="b")])
    assert got.api_calls == 1 and p.calls["read_many"] == 1
    assert got.results["a"].attributes is not None
    assert got.results["a"].attributes["lb_algorithm"] == "LB_ALGORITHM_ROUND_ROBIN"
    assert got.results["b"].attributes is None


def test_data_source_and_import() -> None:
    p = FakeProvider()
    cloud = p.read_data_source("fake_cloud", {"name": "Default-Cloud"})
    assert cloud.attributes is not None and cloud.attributes["uuid"] == "cloud-default"
    missing = p.read_data_source("fake_cloud", {"name": "nope"})
    assert missing.attributes is None and missing.diagnostics.has_errors()
    pool = make_pool(p)
    for ident in (str(pool["uuid"]), ref_url("fake_pool", str(pool["uuid"])), "web"):
        assert p.import_resource("fake_pool", ident).attributes == pool
    assert p.import_resource("fake_pool", "ghost").attributes is None


def test_latency_calls_overlap_and_concurrency_is_measured() -> None:
    p = FakeProvider(latency=0.05)
    threads = [threading.Thread(target=make_pool, args=(p, f"p{i}")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert p.calls["create"] == 4 and len(p.objects()) == 4
    assert 2 <= p.max_concurrency <= 4


def test_export_import_round_trip_keeps_refs_and_counter() -> None:
    p = FakeProvider()
    pool = make_pool(p)
    p.create("fake_vs", {"name": "vs", "pool_ref": ref_url("fake_pool", str(pool["uuid"]))})
    q = FakeProvider()
    q.import_objects(p.export_objects())
    assert q.objects() == p.objects()
    with pytest.raises(ProviderError) as err:  # the reference index came along
        q.delete("fake_pool", pool)
    assert err.value.status == 409
    assert q.create("fake_pool", {"name": "new"}).attributes["uuid"] not in {
        o["uuid"] for o in p.objects()}
