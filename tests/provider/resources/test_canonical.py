"""``canonicalize``: configured values in the form ``read`` returns (schema-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from albform.engine.addrs import ResourceAddress
from albform.engine.provider import ProviderError
from albform.engine.values import UNKNOWN, Deferred
from albform.provider.client import AviClient, ClientConfig
from albform.provider.resources.provider import AviProvider
from albform.provider.schema.table import load_table

POOL_ADDR = ResourceAddress("avi_pool", "web")


def deferred() -> Deferred:
    return Deferred(frozenset({POOL_ADDR}), lambda resolve: resolve(POOL_ADDR)["id"],
                    "avi_pool.web.id")


def test_placeholders_pass_through_untouched(provider: AviProvider) -> None:
    later = deferred()
    got = provider.canonicalize("avi_virtualservice", {
        "name": "vs", "pool_ref": UNKNOWN, "vsvip_ref": later,
        "services": [{"port": "80"}, UNKNOWN],
        "http_policies": [{"index": "1", "http_policy_set_ref": UNKNOWN}],
        "ssl_key_and_certificate_refs": [later, "/api/sslkeyandcertificate?name=nope"],
    })
    assert got["pool_ref"] is UNKNOWN and got["vsvip_ref"] is later
    assert got["services"] == [{"port": 80}, UNKNOWN]
    assert got["http_policies"] == [{"index": 1, "http_policy_set_ref": UNKNOWN}]
    assert got["ssl_key_and_certificate_refs"] == [later,
                                                   "/api/sslkeyandcertificate?name=nope"]


def test_scalars_follow_the_schema_types(provider: AviProvider) -> None:
    got = provider.canonicalize("avi_vsvip", {
        "name": "v", "east_west_placement": "false",
        "vip": [{"vip_id": 0, "prefix_length": "32", "enabled": "TRUE",
                 "ip_address": [{"addr": "10.0.0.1", "type": "V4"}]}],
        "not_a_field": "kept as given"})
    assert got == {"name": "v", "east_west_placement": False, "not_a_field": "kept as given",
                   "vip": [{"vip_id": "0", "prefix_length": 32, "enabled": True,
                            "ip_address": {"addr": "10.0.0.1", "type": "V4"}}]}
    # Values that do not convert are left for the controller to reject with its message.
    assert provider.canonicalize("avi_pool", {"name": "p", "default_server_port": "eighty"}
                                 )["default_server_port"] == "eighty"


def test_every_ref_spelling_of_one_object_is_the_same(provider: AviProvider) -> None:
    hm = provider.read_data_source("avi_healthmonitor", {"name": "System-TCP"}).attributes
    assert hm is not None
    uuid = hm["uuid"]
    spellings = [f"https://10.0.0.1/api/healthmonitor/{uuid}#System-TCP",
                 f"/api/healthmonitor/{uuid}", uuid, "/api/healthmonitor?name=System-TCP",
                 "/api/healthmonitor/?name=System-TCP&tenant=admin", "System-TCP"]
    got = provider.canonicalize("avi_pool", {"name": "p", "health_monitor_refs": spellings})
    assert got["health_monitor_refs"] == [f"/api/healthmonitor/{uuid}"] * len(spellings)


def test_lookups_are_cached_per_run(provider: AviProvider) -> None:
    config = {"name": "p", "application_persistence_profile_ref":
              "/api/applicationpersistenceprofile?name=System-Persistence-Client-IP"}
    provider.canonicalize("avi_pool", config)
    before = provider.api.api_calls
    for _ in range(50):
        provider.canonicalize("avi_pool", config)
    assert provider.api.api_calls == before


def test_fields_newer_than_the_api_version_fail_at_plan_time(emulator: Any) -> None:
    config = {"name": "vs", "services": [{"port": "443", "enable_ssl": "true",
                                          "enable_http2": "true"}]}
    old = ClientConfig(controller=emulator.url, password="test-password", api_version="18.2.8")
    with AviClient.connect(old) as client:
        provider = AviProvider(client, load_table())
        with pytest.raises(ProviderError) as info:
            provider.canonicalize("avi_virtualservice", config)
        assert "18.2.8" in str(info.value)
        assert "services.0.enable_http2 (introduced in 20.1.1)" in info.value.detail
        # Fields the old version has are fine.
        provider.canonicalize("avi_virtualservice", {"name": "vs", "services": [{"port": 80}]})
    new = old.with_changes(api_version="30.2.1")
    with AviClient.connect(new) as client:
        assert AviProvider(client, load_table()).canonicalize(
            "avi_virtualservice", config)["services"][0]["enable_http2"] is True
