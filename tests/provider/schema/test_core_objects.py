"""Spot checks of the core objects against docs/avi-api.md §3.3 (facts recorded from real
controllers and the Swagger), independent of how the generator works."""

from __future__ import annotations

import time

from albform.provider.schema import load_table


def _field(api_type: str, path: str):
    found = load_table().object(api_type).object_def.field_at(path)
    assert found is not None, f"{api_type}.{path}"
    return found


def test_table_loads():
    load_table.cache_clear()
    start = time.perf_counter()
    table = load_table()
    table.object("virtualservice")
    elapsed = time.perf_counter() - start
    print(f"table load + VirtualService build: {elapsed:.3f}s")
    assert len(table.types()) > 150


def test_virtualservice_key_fields():
    assert _field("virtualservice", "name").required
    assert set(_field("virtualservice", "type").enum) >= {
        "VS_TYPE_NORMAL", "VS_TYPE_VH_PARENT", "VS_TYPE_VH_CHILD"}
    assert _field("virtualservice", "vh_parent_vs_ref").ref_target == "VirtualService"
    services = _field("virtualservice", "services")
    assert services.is_list and services.definition == "Service"
    assert _field("virtualservice", "services.port").required
    assert _field("virtualservice", "services.enable_ssl").default is False
    for ref, target in {"vsvip_ref": "VsVip", "pool_ref": "Pool", "pool_group_ref": "PoolGroup",
                        "application_profile_ref": "ApplicationProfile",
                        "network_profile_ref": "NetworkProfile",
                        "se_group_ref": "ServiceEngineGroup", "cloud_ref": "Cloud",
                        "vrf_context_ref": "VrfContext", "tenant_ref": "Tenant"}.items():
        assert _field("virtualservice", ref).ref_target == target, ref
    certs = _field("virtualservice", "ssl_key_and_certificate_refs")
    assert certs.is_list and certs.ref_target == "SSLKeyAndCertificate"
    assert _field("virtualservice", "http_policies.http_policy_set_ref").required
    assert _field("virtualservice", "enabled").default is True
    assert _field("virtualservice", "traffic_enabled").default is True
    assert _field("virtualservice", "weight").default == 1
    assert _field("virtualservice", "flow_dist").default == "LOAD_AWARE"
    assert _field("virtualservice", "scaleout_ecmp").default is False  # a zero default
    assert _field("virtualservice", "url").read_only
    assert _field("virtualservice", "_last_modified").read_only
    assert _field("virtualservice", "vip_runtime").read_only  # returned, not in Swagger


def test_pool_key_fields():
    assert _field("pool", "name").required
    assert _field("pool", "default_server_port").default == 80
    assert _field("pool", "lb_algorithm").default == "LB_ALGORITHM_LEAST_CONNECTIONS"
    assert "LB_ALGORITHM_ROUND_ROBIN" in _field("pool", "lb_algorithm").enum
    hms = _field("pool", "health_monitor_refs")
    assert hms.is_list and hms.ref_target == "HealthMonitor" and hms.max_items == 50
    assert _field("pool", "servers").definition == "Server"
    assert _field("pool", "servers.ip").required
    assert _field("pool", "servers.ip.addr").required
    assert set(_field("pool", "servers.ip.type").enum) == {"V4", "V6", "DNS"}
    assert _field("pool", "servers.port").minimum == 1
    assert _field("pool", "servers.port").maximum == 65535
    assert _field("pool", "servers.ratio").default == 1
    assert _field("pool", "servers.enabled").default is True
    assert _field("pool", "servers.discovered_networks").computed
    assert _field("pool", "capacity_estimation").default is False
    assert _field("pool", "connection_ramp_duration").unit == "MIN"
    assert _field("pool", "gslb_sp_enabled").read_only


def test_vsvip_and_poolgroup_key_fields():
    assert _field("vsvip", "vip").definition == "Vip"
    assert _field("vsvip", "vip.vip_id").required  # Swagger says so; the engine view relaxes
    assert _field("vsvip", "vip.auto_allocate_ip").default is False
    assert _field("vsvip", "vip.auto_allocate_ip_type").default == "V4_ONLY"
    assert _field("vsvip", "vip.ipam_network_subnet.network_ref").ref_target == "Network"
    assert _field("vsvip", "vrf_context_ref").ref_target == "VrfContext"
    assert _field("vsvip", "vs_refs").read_only
    assert _field("vsvip", "dns_info.fqdn").type == "string"
    assert _field("poolgroup", "members.pool_ref").required
    assert _field("poolgroup", "members.pool_ref").ref_target == "Pool"


def test_sensitive_fields():
    assert _field("sslkeyandcertificate", "key").sensitive
    assert _field("sslkeyandcertificate", "key_passphrase").sensitive
    assert not _field("sslkeyandcertificate", "certificate.certificate").sensitive
    assert _field("healthmonitor", "authentication.password").sensitive
    assert _field("cloudconnectoruser", "private_key").sensitive
    assert _field("backupconfiguration", "backup_passphrase").sensitive
    assert not _field("user", "name").sensitive
    assert not load_table().definition("KeyValue").fields["key"].sensitive


def test_introduced_in_versions():
    assert _field("pool", "append_port").introduced_in == "21.1.1"
    assert _field("virtualservice", "services.enable_http2").introduced_in == "20.1.1"
    assert _field("pool", "name").introduced_in is None


def test_only_secret_strings_are_sensitive():
    table = load_table()
    assert table.definition("SnmpTrapServer").fields["community"].sensitive
    for definition, name in (("User", "passwordless"), ("BgpProfile", "send_community"),
                             ("PortalConfiguration", "minimum_password_length"),
                             ("IpCommunity", "community")):
        assert not table.definition(definition).fields[name].sensitive, (definition, name)
    for definition in table.definitions():
        for field in table.definition(definition).fields.values():
            if field.sensitive:
                assert field.type == "string", (definition, field.name)
