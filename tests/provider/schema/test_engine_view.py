"""The engine's view: avi_* names, computed/server_default/force_new/keyed_by/refers_to."""

from __future__ import annotations

import pytest

from albform.engine.schema import ResourceSchema
from albform.provider.schema import (
    UnknownObjectType,
    api_type_of,
    data_source_schema,
    load_table,
    resource_schema,
    resource_types,
    terraform_type,
)


def test_type_names_round_trip_for_every_type():
    table = load_table()
    names = resource_types()
    assert len(names) == len(table.types())
    for api_type in table.types():
        tf = terraform_type(api_type)
        assert tf.startswith("avi_") and "-" not in tf and "/" not in tf
        assert api_type_of(tf) == api_type
        assert api_type_of("data." + tf) == api_type
    assert terraform_type("virtualservice") == "avi_virtualservice"


def test_unknown_types_raise():
    with pytest.raises(UnknownObjectType):
        api_type_of("avi_nosuchthing")
    with pytest.raises(UnknownObjectType):
        terraform_type("nosuchthing")
    with pytest.raises(KeyError):
        resource_schema("aws_instance")


def test_every_resource_schema_builds():
    for tf in resource_types():
        schema = resource_schema(tf)
        assert isinstance(schema, ResourceSchema)
        assert schema.type_name == tf and schema.id_attribute == "uuid"


def test_pool_schema_semantics():
    pool = resource_schema("avi_pool")
    attrs = pool.attributes
    assert attrs["name"].required and not attrs["name"].server_default
    assert attrs["url"].computed and not attrs["url"].optional
    assert attrs["_last_modified"].computed
    assert attrs["cloud_ref"].force_new and attrs["cloud_ref"].refers_to == "cloud"
    assert attrs["tenant_ref"].force_new and attrs["tenant_ref"].refers_to == "tenant"
    assert not attrs["lb_algorithm"].force_new
    assert attrs["lb_algorithm"].server_default and attrs["lb_algorithm"].optional
    assert attrs["lb_algorithm"].default == "LB_ALGORITHM_LEAST_CONNECTIONS"
    assert attrs["vrf_ref"].server_default  # the controller fills it
    assert attrs["servers"].keyed_by == ("ip.addr", "port")
    assert attrs["servers"].element_type == "object"
    assert attrs["health_monitor_refs"].refers_to == "healthmonitor"
    assert attrs["health_monitor_refs"].element_type == "string"
    addr = pool.attribute(("servers", 0, "ip", "addr"))
    assert addr is not None and addr.required
    hostname = pool.attribute(("servers", 0, "discovered_networks"))
    assert hostname is not None and hostname.computed


def test_sensitive_paths_and_force_new_type():
    cert = resource_schema("avi_sslkeyandcertificate")
    assert ("key",) in cert.sensitive_paths()
    assert ("key_passphrase",) in cert.sensitive_paths()
    assert resource_schema("avi_healthmonitor").attributes["type"].force_new


def test_vip_id_is_required_because_the_official_provider_requires_it():
    # The controller would assign one, but the official provider's schema requires vip_id,
    # and a configuration it rejects must not load here (official_parity).
    vsvip = resource_schema("avi_vsvip")
    vip_id = vsvip.attribute(("vip", 0, "vip_id"))
    assert vip_id is not None and vip_id.required and not vip_id.server_default
    assert vsvip.attributes["vip"].keyed_by == ("vip_id",)
    assert vsvip.attributes["vs_refs"].computed
    assert vsvip.attributes["markers"].keyed_by == ("key",)


def test_data_source_schema_looks_up_by_name_and_computes_the_rest():
    cloud = data_source_schema("avi_cloud")
    assert cloud.type_name == "data.avi_cloud"
    assert cloud.attributes["name"].optional and cloud.attributes["uuid"].optional
    assert not cloud.attributes["vtype"].required
    assert cloud.attributes["vtype"].computed and not cloud.attributes["vtype"].optional
    nested = data_source_schema("data.avi_pool").attribute(("servers", 0, "ip", "addr"))
    assert nested is not None and nested.computed and not nested.required


def test_hand_written_rules_name_real_fields():
    from albform.provider.schema.engine_view import (
        FORCE_NEW,
        KEYED_BY,
        SERVER_ASSIGNED_REQUIRED,
    )

    table = load_table()
    for (definition, list_field), keys in KEYED_BY.items():
        field = table.definition(definition).fields[list_field]
        assert field.type == "list" and field.nested is not None, (definition, list_field)
        for key in keys:
            assert field.nested.field_at(key) is not None, (definition, list_field, key)
    for definition, names in {**FORCE_NEW, **SERVER_ASSIGNED_REQUIRED}.items():
        for name in names:
            assert name in table.definition(definition).fields, (definition, name)
