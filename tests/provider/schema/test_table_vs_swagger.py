"""The generated table agrees with the Swagger files it was made from (read here directly)."""

from __future__ import annotations

import re
from typing import Any

from albform.provider.schema import load_table

REF = re.compile(r"It is a reference to an object of type (\w+)\.")
ENUM = re.compile(r"Enum options - ([^.]*)\.")
INTRO = re.compile(r"Field introduced in ([\d.,\s]*\d)")


def test_every_swagger_file_is_used_or_skipped_with_a_reason(swagger_dir, swagger_docs):
    table = load_table()
    for path in sorted(swagger_dir.glob("*.json")):
        if path.stem in swagger_docs:
            assert path.name in table.source_files, path.name
        else:
            assert table.skipped_files.get(path.name), path.name


def test_every_object_definition_file_has_its_definition(swagger_docs):
    table = load_table()
    known = set(table.definitions())
    for stem, doc in swagger_docs.items():
        if stem in doc["definitions"]:
            assert stem in known, stem


def test_every_collection_path_is_an_object_type(swagger_docs):
    table = load_table()
    seen = 0
    for doc in swagger_docs.values():
        for path, ops in doc["paths"].items():
            schema = ops.get("get", {}).get("responses", {}).get("200", {}).get("schema", {})
            ref = schema.get("$ref", "")
            if "{" in path or not ref.endswith("ApiResponse"):
                continue
            api_type = path.strip("/")
            assert table.has_type(api_type), api_type
            seen += 1
    assert seen > 150


def test_object_types_point_at_their_own_definition():
    table = load_table()
    for name in ("pool", "virtualservice", "vsvip", "poolgroup", "healthmonitor", "cloud",
                 "systemconfiguration", "statediffoperation", "upgradestatusinfo"):
        obj = table.object(name)
        assert obj.definition.lower() == name
        assert obj.path == f"/api/{name}"
    assert table.object("license").definition == "ControllerLicense"
    assert table.object("systemconfiguration").singleton
    assert not table.object("pool").singleton


def _each_field(main_definitions: dict[str, dict[str, Any]]):
    table = load_table()
    for def_name, definition in main_definitions.items():
        if def_name not in table.definitions():
            continue
        odef = table.definition(def_name)
        for name, prop in definition.get("properties", {}).items():
            yield def_name, name, prop, odef.fields[name], definition


def test_ref_targets_match_the_description_prose(all_definitions):
    checked = 0
    for def_name, name, prop, field, _ in _each_field(all_definitions):
        m = REF.search(prop.get("description", ""))
        if m:
            assert field.ref_target == m.group(1), f"{def_name}.{name}"
            assert not field.ref_inferred
            checked += 1
        elif name.endswith(("_ref", "_refs")):
            assert field.is_reference
    assert checked > 500


def test_required_defaults_enums_and_read_only_match(all_definitions):
    for def_name, name, prop, field, definition in _each_field(all_definitions):
        where = f"{def_name}.{name}"
        assert field.required == (name in definition.get("required", [])), where
        if "default" in prop:
            assert field.has_default and field.default == prop["default"], where
            assert not field.default_from_spec, where
        if prop.get("readOnly"):
            assert field.read_only, where
        m = ENUM.search(prop.get("description", ""))
        if m:
            assert list(field.enum) == [v.strip() for v in m.group(1).split(",")], where
        m = INTRO.search(prop.get("description", ""))
        if m:
            versions = [v.strip() for v in m.group(1).split(",")]
            assert field.introduced_in in versions, where


def test_field_types_follow_the_swagger(all_definitions):
    for def_name, name, prop, field, _ in _each_field(all_definitions):
        where = f"{def_name}.{name}"
        if "$ref" in prop:
            assert field.type == "object" and field.definition == prop["$ref"].rsplit("/", 1)[1]
            assert field.nested is not None and field.nested.name == field.definition, where
        elif prop.get("type") == "array":
            assert field.type == "list", where
            items = prop["items"]
            if "$ref" in items:
                assert field.element_type == "object", where
                assert field.definition == items["$ref"].rsplit("/", 1)[1], where
            else:
                assert field.element_type == items["type"], where
        elif "type" in prop:
            assert field.type == prop["type"], where


def test_nested_definitions_are_shared_not_copied():
    table = load_table()
    vs = table.object("virtualservice")
    pool = table.object("pool")
    ip_in_vsvip = table.object("vsvip").object_def.field_at("vip.ip_address")
    ip_in_pool = pool.object_def.field_at("servers.ip")
    assert ip_in_vsvip is not None and ip_in_pool is not None
    assert ip_in_vsvip.nested is ip_in_pool.nested
    assert vs.fields["services"].nested is table.definition("Service")


def test_definitions_are_not_recursive():
    table = load_table()

    def walk(name: str, stack: tuple[str, ...]) -> None:
        assert name not in stack, " -> ".join((*stack, name))
        for field in table.definition(name).fields.values():
            if field.nested is not None:
                walk(field.nested.name, (*stack, name))

    for api_type in ("virtualservice", "serviceenginegroup", "cloud", "systemconfiguration"):
        walk(table.object(api_type).definition, ())
