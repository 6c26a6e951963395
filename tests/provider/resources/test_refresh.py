"""Refresh (``read_many``), data sources and import, against the emulator."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from albform.engine.diff import diff_attributes
from albform.engine.provider import ReadRequest
from albform.provider.resources.provider import AviProvider
from albform.provider.resources.refs import to_canonical_if_path


def ref_to(ident: str) -> str:
    """The ref a state holds for the object whose id (its url) is ``ident``."""
    return to_canonical_if_path(ident)


@pytest.fixture
def pools(provider: AviProvider) -> Any:
    made = [provider.create("avi_pool", provider.canonicalize("avi_pool", {
        "name": f"refresh-{i}", "description": "managed",
        "servers": [{"ip": {"addr": f"10.3.0.{i + 1}", "type": "V4"}}]})).attributes
        for i in range(210)]
    yield made
    for attrs in made:
        provider.delete("avi_pool", attrs)


def test_bulk_refresh_reports_exactly_the_out_of_band_changes(provider: AviProvider,
                                                              raw: Any, pools: Any) -> None:
    edited, deleted = pools[10], pools[205]
    body = raw.get_object("pool", edited["uuid"])
    raw.replace_object("pool", edited["uuid"], {**body, "description": "edited by hand",
                                                "lb_algorithm": "LB_ALGORITHM_ROUND_ROBIN"})
    raw.delete_object("pool", deleted["uuid"])

    requests = [ReadRequest("avi_pool", a, key=a["uuid"]) for a in pools]
    result = provider.read_many(requests)
    assert result.api_calls == 2  # 210 objects: two uuid.in collection GETs of up to 200
    assert set(result.results) == {a["uuid"] for a in pools}
    assert result.results[deleted["uuid"]].attributes is None
    schema = provider.schema("avi_pool")
    drift = {}
    for attrs in pools:
        now = result.results[attrs["uuid"]].attributes
        if now is None:
            continue
        changes = diff_attributes(schema, now, attrs)
        if changes:
            drift[attrs["uuid"]] = {c.path for c in changes}
    assert drift == {edited["uuid"]: {("description",), ("lb_algorithm",)}}
    # And the same object read alone agrees with the bulk answer.
    alone = provider.read(ReadRequest("avi_pool", edited)).attributes
    assert alone == result.results[edited["uuid"]].attributes


def test_read_many_mixes_types_and_tenants(provider: AviProvider) -> None:
    tenant = provider.create("avi_tenant", {"name": "bulk-t"}).attributes
    try:
        in_tenant = provider.create("avi_pool", provider.canonicalize("avi_pool", {
            "name": "same-name", "tenant_ref": "/api/tenant/?name=bulk-t"})).attributes
        in_admin = provider.create("avi_pool", {"name": "same-name"}).attributes
        sg = provider.create("avi_stringgroup", {"name": "bulk-sg", "type": "SG_TYPE_STRING"})
        reqs = [ReadRequest("avi_pool", in_tenant, key=1), ReadRequest("avi_pool", in_admin,
                                                                        key=2),
                ReadRequest("avi_stringgroup", sg.attributes, key=3)]
        result = provider.read_many(reqs)
        assert result.api_calls == 3  # one per (type, tenant)
        assert result.results[1].attributes["tenant_ref"] == ref_to(tenant["id"])
        assert result.results[2].attributes["tenant_ref"] == "/api/tenant/admin"
        assert result.results[3].attributes["name"] == "bulk-sg"
    finally:
        for t, a in (("avi_pool", in_tenant), ("avi_pool", in_admin),
                     ("avi_stringgroup", sg.attributes), ("avi_tenant", tenant)):
            provider.delete(t, a)


def test_data_sources(provider: AviProvider) -> None:
    cloud = provider.read_data_source("avi_cloud", {"name": "Default-Cloud"})
    assert cloud.attributes is not None and cloud.attributes["vtype"] == "CLOUD_NONE"
    seg = provider.read_data_source("avi_serviceenginegroup", {
        "name": "Default-Group", "cloud_ref": cloud.attributes["id"]})
    assert seg.attributes is not None
    assert seg.attributes["cloud_ref"] == ref_to(cloud.attributes["id"])
    by_uuid = provider.read_data_source("avi_cloud", {"uuid": cloud.attributes["uuid"]})
    assert by_uuid.attributes == cloud.attributes
    tenant = provider.read_data_source("avi_tenant", {"name": "admin"})
    assert tenant.attributes is not None and tenant.attributes["id"].endswith("/api/tenant/admin")
    missing = provider.read_data_source("avi_pool", {"name": "no-such-pool"})
    assert missing.attributes is None
    assert [d.summary for d in missing.diagnostics] == ["Object not found"]
    assert "no-such-pool" in missing.diagnostics[0].detail
    no_key = provider.read_data_source("avi_pool", {})
    assert no_key.diagnostics.has_errors()
    system = provider.read_data_source("avi_systemconfiguration", {})
    assert not system.diagnostics and system.attributes is not None


def test_import_by_uuid_url_and_name(provider: AviProvider) -> None:
    made = provider.create("avi_healthmonitor", provider.canonicalize("avi_healthmonitor", {
        "name": "import-me", "type": "HEALTH_MONITOR_TCP"})).attributes
    try:
        uuid = made["uuid"]
        for ident in (uuid, f"https://10.1.1.1/api/healthmonitor/{uuid}#import-me",
                      f"/api/healthmonitor/{uuid}", "import-me"):
            got = provider.import_resource("avi_healthmonitor", ident)
            assert not got.diagnostics, ident
            assert got.attributes == provider.read(ReadRequest("avi_healthmonitor",
                                                               made)).attributes
        wrong = provider.import_resource("avi_healthmonitor", "nothing-like-this")
        assert wrong.attributes is None
        assert wrong.diagnostics[0].summary == "Cannot import non-existent remote object"
        other_type = provider.import_resource("avi_pool", f"/api/healthmonitor/{uuid}")
        assert other_type.attributes is None
    finally:
        provider.delete("avi_healthmonitor", made)


def test_name_ref_to_object_planned_in_the_same_run(provider: AviProvider) -> None:
    config = {"name": "later-vs", "pool_ref": "/api/pool?name=not-yet",
              "vsvip_ref": "/api/vsvip?name=not-yet-vip", "services": [{"port": "80"}]}
    planned = provider.canonicalize("avi_virtualservice", config)
    assert planned["pool_ref"] == "/api/pool?name=not-yet"  # kept; resolved at apply
    pool = provider.create("avi_pool", {"name": "not-yet"}).attributes
    vip = provider.create("avi_vsvip", provider.canonicalize("avi_vsvip", {
        "name": "not-yet-vip", "vip": [{"ip_address": {"addr": "10.92.0.1", "type": "V4"}}]},
    )).attributes
    vs = provider.create("avi_virtualservice", planned).attributes
    try:
        assert vs["pool_ref"] == ref_to(pool["id"])
        again = provider.canonicalize("avi_virtualservice", config)
        assert diff_attributes(provider.schema("avi_virtualservice"), again, vs) == ()
    finally:
        for t, a in (("avi_virtualservice", vs), ("avi_vsvip", vip), ("avi_pool", pool)):
            provider.delete(t, a)


def test_concurrent_refreshes_count_their_own_calls(provider: AviProvider) -> None:
    made = {t: [provider.create(f"avi_{t}", {"name": f"count-{t}-{i}", **extra}).attributes
                for i in range(20)]
            for t, extra in (("pool", {}), ("stringgroup", {"type": "SG_TYPE_STRING"}))}
    try:
        def refresh(t: str) -> int:
            reqs = [ReadRequest(f"avi_{t}", a, key=i) for i, a in enumerate(made[t])]
            results = [provider.read_many(reqs) for _ in range(5)]
            assert all(len(r.results) == 20 for r in results)
            return max(r.api_calls for r in results)

        with ThreadPoolExecutor(2) as pool:
            counts = list(pool.map(refresh, ["pool", "stringgroup"]))
        assert counts == [1, 1]
    finally:
        for t, states in made.items():
            for a in states:
                provider.delete(f"avi_{t}", a)


def test_objects_in_a_tenant_planned_in_the_same_run(provider: AviProvider) -> None:
    config = {"name": "in-new-tenant", "tenant_ref": "/api/tenant/?name=later-t",
              "health_monitor_refs": ["/api/healthmonitor?name=System-TCP"]}
    planned = provider.canonicalize("avi_pool", config)  # neither exists for this tenant yet
    assert planned["tenant_ref"] == "/api/tenant?name=later-t"
    tenant = provider.create("avi_tenant", {"name": "later-t"}).attributes
    pool = provider.create("avi_pool", planned).attributes
    try:
        assert pool["tenant_ref"] == ref_to(tenant["id"])
        again = provider.canonicalize("avi_pool", config)
        assert diff_attributes(provider.schema("avi_pool"), again, pool) == ()
    finally:
        provider.delete("avi_pool", pool)
        provider.delete("avi_tenant", tenant)


def test_import_finds_objects_of_other_tenants_and_reports_ambiguity(
        provider: AviProvider) -> None:
    tenants = [provider.create("avi_tenant", {"name": f"imp-{i}"}).attributes for i in (1, 2)]
    pools: list[dict[str, Any]] = []
    try:
        for t in tenants:
            pools.append(provider.create("avi_pool", provider.canonicalize("avi_pool", {
                "name": "twin", "tenant_ref": t["id"]})).attributes)
        by_url = provider.import_resource("avi_pool", f"https://c/api/pool/{pools[0]['uuid']}")
        assert by_url.attributes is not None
        assert by_url.attributes["tenant_ref"] == ref_to(tenants[0]["id"])
        # Imported by another spelling of its url, it gets the controller's url as its id.
        assert by_url.attributes["id"] == \
            f"{provider.api.session.base_url}/api/pool/{pools[0]['uuid']}"
        ambiguous = provider.import_resource("avi_pool", "twin")
        assert ambiguous.attributes is None
        assert "2 objects of type pool are named 'twin'" in ambiguous.diagnostics[0].detail
        pools.append(provider.create("avi_pool", {"name": "twin"}).attributes)
        # The login tenant's object wins a name lookup.
        mine = provider.import_resource("avi_pool", "twin").attributes
        assert mine is not None and mine["uuid"] == pools[-1]["uuid"]
    finally:
        for p in pools:
            provider.delete("avi_pool", p)
        for t in tenants:
            provider.delete("avi_tenant", t)
