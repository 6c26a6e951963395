"""CRUD of the core object types through the Provider protocol, against the emulator over
real HTTP: create → read → the canonicalised configuration diffs empty against what was read
(an apply followed by a plan shows no changes); update; delete in reverse order."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from albform.engine.diff import diff_attributes
from albform.engine.provider import Provider, ReadRequest
from albform.provider.resources.provider import AviProvider
from albform.provider.resources.write_answers import WriteAnswers
from albform.provider.schema.table import load_table

sys.path.insert(0, str(Path(__file__).parent))
from cases import core_cases


def no_changes(provider: AviProvider, type_name: str, config: dict[str, Any],
               actual: Any) -> None:
    desired = provider.canonicalize(type_name, config)
    changes = diff_attributes(provider.schema(type_name), desired, actual)
    assert changes == (), f"{type_name}: phantom changes {changes}"


def test_provider_satisfies_the_protocol(provider: AviProvider) -> None:
    assert isinstance(provider, Provider)
    types = set(provider.resource_types())
    assert {"avi_pool", "avi_virtualservice", "avi_vrfcontext_static_route"} <= types
    assert provider.schema("avi_nosuchthing") is None
    schema = provider.schema("avi_pool")
    assert schema is not None and schema.attributes["id"].computed
    data = provider.schema("data.avi_pool")
    assert data is not None and data.attributes["lb_algorithm"].computed
    assert provider.schema("data.avi_server") is None


def test_core_types_round_trip_without_phantom_changes(provider: AviProvider) -> None:
    cases = core_cases("crud")
    created: list[tuple[str, dict[str, Any]]] = []
    try:
        for type_name, config in cases:
            planned = provider.canonicalize(type_name, config)
            result = provider.create(type_name, planned)
            attrs = dict(result.attributes)
            created.append((type_name, attrs))
            # The provider's id: the object's url as the controller answers it.
            assert attrs["id"] == f"{provider.api.session.base_url}/api/" \
                f"{type_name[4:]}/{attrs['uuid']}"
            assert attrs["name"] == config["name"]
            no_changes(provider, type_name, config, attrs)
            read = provider.read(ReadRequest(type_name, attrs))
            assert read.attributes is not None
            no_changes(provider, type_name, config, read.attributes)
            assert "_last_modified" not in read.attributes and "url" not in read.attributes
    finally:
        for type_name, attrs in reversed(created):
            provider.delete(type_name, attrs)
    for type_name, attrs in created:
        assert provider.read(ReadRequest(type_name, attrs)).attributes is None


def test_update_changes_only_what_the_configuration_says(provider: AviProvider) -> None:
    config = {"name": "upd-pool", "servers": [{"ip": {"addr": "10.2.0.1", "type": "V4"}}],
              "description": "v1"}
    created = provider.create("avi_pool", provider.canonicalize("avi_pool", config)).attributes
    try:
        assert created["lb_algorithm"] == "LB_ALGORITHM_LEAST_CONNECTIONS"  # server default
        changed = {**config, "description": "v2", "servers": [
            {"ip": {"addr": "10.2.0.9", "type": "V4"}, "port": "81"},
            {"ip": {"addr": "10.2.0.1", "type": "V4"}}]}
        desired = provider.canonicalize("avi_pool", changed)
        changes = diff_attributes(provider.schema("avi_pool"), desired, created)
        assert {c.path[0] for c in changes} == {"description", "servers"}
        updated = provider.update("avi_pool", created, {**created, **desired}).attributes
        assert updated["uuid"] == created["uuid"]
        no_changes(provider, "avi_pool", changed, updated)
        read = provider.read(ReadRequest("avi_pool", updated)).attributes
        assert read is not None
        no_changes(provider, "avi_pool", changed, read)
        assert [s["ip"]["addr"] for s in read["servers"]] == ["10.2.0.1", "10.2.0.9"]
    finally:
        provider.delete("avi_pool", created)


def test_referenced_object_delete_fails_clearly_and_keeps_it(provider: AviProvider) -> None:
    pool = provider.create("avi_pool", {"name": "ref-pool"}).attributes
    vip = provider.create("avi_vsvip", provider.canonicalize("avi_vsvip", {
        "name": "ref-vip", "vip": [{"ip_address": {"addr": "10.91.0.1", "type": "V4"}}]},
    )).attributes
    vs = provider.create("avi_virtualservice", provider.canonicalize("avi_virtualservice", {
        "name": "ref-vs", "pool_ref": pool["id"], "vsvip_ref": vip["id"],
        "services": [{"port": 80}]})).attributes
    try:
        with pytest.raises(Exception) as info:
            provider.delete("avi_pool", pool)
        assert getattr(info.value, "status", None) == 403
        assert "ref-vs" in (getattr(info.value, "detail", "") + str(info.value))
        assert provider.read(ReadRequest("avi_pool", pool)).attributes is not None
    finally:
        for t, a in (("avi_virtualservice", vs), ("avi_vsvip", vip), ("avi_pool", pool)):
            provider.delete(t, a)


def test_system_defaults_are_never_deleted(provider: AviProvider) -> None:
    cloud = provider.read_data_source("avi_cloud", {"name": "Default-Cloud"})
    assert not cloud.diagnostics and cloud.attributes is not None
    provider.delete("avi_cloud", cloud.attributes)
    hm = provider.read_data_source("avi_healthmonitor", {"name": "System-HTTP"}).attributes
    assert hm is not None
    provider.delete("avi_healthmonitor", hm)
    assert provider.read(ReadRequest("avi_cloud", cloud.attributes)).attributes is not None
    assert provider.read(ReadRequest("avi_healthmonitor", hm)).attributes is not None


def test_deleting_an_imported_built_in_restores_its_original_values(
        provider: AviProvider) -> None:
    group = provider.import_resource("avi_serviceenginegroup", "Default-Group").attributes
    assert group is not None and "description" not in group
    original = {"name": "Default-Group", "ha_mode": group["ha_mode"],
                "min_scaleout_per_vs": group["min_scaleout_per_vs"], "description": None}
    changed = provider.update("avi_serviceenginegroup", group, {
        **group, "ha_mode": "HA_MODE_SHARED_PAIR", "min_scaleout_per_vs": 2,
        "description": "set by albform"}).attributes
    assert changed["ha_mode"] == "HA_MODE_SHARED_PAIR"

    provider.delete("avi_serviceenginegroup", changed, original=original)
    restored = provider.read(ReadRequest("avi_serviceenginegroup", group)).attributes
    assert restored is not None  # a built-in is never deleted
    assert restored["ha_mode"] == group["ha_mode"]
    assert restored["min_scaleout_per_vs"] == group["min_scaleout_per_vs"]
    assert "description" not in restored  # it had none: the one albform set is removed


def test_deleting_twice_is_success(provider: AviProvider) -> None:
    sg = provider.create("avi_stringgroup", {"name": "twice", "type": "SG_TYPE_STRING"})
    provider.delete("avi_stringgroup", sg.attributes)
    provider.delete("avi_stringgroup", sg.attributes)
    assert provider.read(ReadRequest("avi_stringgroup", sg.attributes)).attributes is None


def test_server_populated_fields_of_the_known_perpetual_diffs(provider: AviProvider,
                                                              raw: Any) -> None:
    """docs/users-and-peers.md §2: discovered_networks on pool servers (#571) and computed fields
    inside HTTP policy rules (#680) must not plan changes when the controller fills them."""
    net = provider.create("avi_network", {"name": "pd-net"}).attributes
    pool_cfg = {"name": "pd-pool", "servers": [{"ip": {"addr": "10.8.0.1", "type": "V4"}}]}
    pool = provider.create("avi_pool", provider.canonicalize("avi_pool", pool_cfg)).attributes
    hps_cfg = {"name": "pd-hps", "http_request_policy": [{"rules": [{
        "name": "r", "index": "1",
        "match": [{"path": [{"match_criteria": "BEGINS_WITH", "match_str": ["/a"]}]}],
        "switching_action": [{"action": "HTTP_SWITCHING_SELECT_POOL",
                              "pool_ref": "/api/pool?name=pd-pool"}]}]}]}
    hps = provider.create("avi_httppolicyset",
                          provider.canonicalize("avi_httppolicyset", hps_cfg)).attributes
    try:
        body = raw.get_object("pool", pool["uuid"])
        body["servers"][0]["discovered_networks"] = [{"network_ref": net["id"], "subnet": [
            {"ip_addr": {"addr": "10.8.0.0", "type": "V4"}, "mask": 24}]}]
        raw.replace_object("pool", pool["uuid"], body)
        body = raw.get_object("httppolicyset", hps["uuid"])
        rule = body["http_request_policy"]["rules"][0]
        rule.update(log=False, all_headers=False)
        rule["switching_action"]["status_code"] = "HTTP_LOCAL_RESPONSE_STATUS_CODE_200"
        raw.replace_object("httppolicyset", hps["uuid"], body)
        for type_name, config, state in (("avi_pool", pool_cfg, pool),
                                         ("avi_httppolicyset", hps_cfg, hps)):
            read = provider.read(ReadRequest(type_name, state)).attributes
            assert read != state, "the controller-side fields are really there"
            no_changes(provider, type_name, config, read)
    finally:
        provider.delete("avi_httppolicyset", hps)
        provider.delete("avi_pool", pool)
        provider.delete("avi_network", net)


def test_deleting_an_adopted_singleton_restores_its_original_values(
        provider: AviProvider) -> None:
    system = provider.read_data_source("avi_systemconfiguration", {}).attributes
    assert system is not None and system["welcome_workflow_complete"] is False
    changed = provider.update("avi_systemconfiguration", system,
                              {"welcome_workflow_complete": True}).attributes
    assert changed["welcome_workflow_complete"] is True
    provider.delete("avi_systemconfiguration", changed,
                    original={"welcome_workflow_complete": False})
    again = provider.read_data_source("avi_systemconfiguration", {}).attributes
    assert again is not None and again["welcome_workflow_complete"] is False


def test_a_create_reads_back_only_when_the_answer_lacks_what_a_read_shows(
        provider: AviProvider) -> None:
    # The state a create records must be the next refresh's read, with or without read-back.
    answers = WriteAnswers(load_table())
    created: list[tuple[str, dict[str, Any]]] = []
    try:
        for type_name, config in core_cases("crud"):
            before = provider.api.api_calls
            planned = provider.canonicalize(type_name, config)
            attrs = dict(provider.create(type_name, planned).attributes)
            calls = provider.api.api_calls - before
            created.append((type_name, attrs))
            complete = answers.complete(type_name[4:], planned)
            assert calls == (1 if complete else 2), (type_name, calls)
            read = provider.read(ReadRequest(type_name, attrs)).attributes
            assert read is not None
            if complete:
                assert attrs == dict(read), type_name
    finally:
        for type_name, attrs in reversed(created):
            provider.delete(type_name, attrs)
    assert not answers.complete("virtualservice", {}) \
        and not answers.complete("sslkeyandcertificate", {})
    assert answers.complete("pool", {"name": "p"})


def test_a_create_setting_a_secret_is_read_back_one_without_is_not(
        provider: AviProvider) -> None:
    # The answer leaves a secret out where a read shows it: only then is it read back.
    answers = WriteAnswers(load_table())
    plain = {"name": "hm-plain", "type": "HEALTH_MONITOR_HTTP"}
    secret = {"name": "hm-secret", "type": "HEALTH_MONITOR_HTTP",
              "authentication": {"username": "probe", "password": "s3cret"}}
    assert answers.complete("healthmonitor", plain)
    assert not answers.complete("healthmonitor", secret)
    assert not answers.complete("healthmonitor", {"radius_monitor": {"password": "x"}})
    # An SNMP user object brings passphrases with defaults: read back even when unset.
    assert not answers.complete("snmptrapprofile",
                                {"name": "t", "trap_servers": [{"user": {"auth_type": "x"}}]})
    for config, calls_wanted in ((plain, 1), (secret, 2)):
        before = provider.api.api_calls
        attrs = dict(provider.create("avi_healthmonitor", provider.canonicalize(
            "avi_healthmonitor", config)).attributes)
        try:
            assert provider.api.api_calls - before == calls_wanted
            read = provider.read(ReadRequest("avi_healthmonitor", attrs)).attributes
            assert read is not None
            if config is plain:  # the state recorded is the next refresh's read
                assert attrs == dict(read)
        finally:
            provider.delete("avi_healthmonitor", attrs)
