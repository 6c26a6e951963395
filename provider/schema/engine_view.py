"""The engine's view of Avi objects: ``avi_<type>`` names and ``ResourceSchema`` values.

Mapping rules (terraform-provider-avi conventions, docs/avi-api.md §4.2, §6):

* type names: ``avi_`` + api type, ``-``/``/`` written as ``_`` (``avi_virtualservice``);
* ``computed`` = read-only or internal-use fields (never sent, never diffed);
* ``server_default`` = every other optional field: the controller either has a default for
  it (``default`` carries the value) or fills it itself (refs to Default-Cloud, System-HTTP…),
  so leaving it out of the config means "don't care", as the provider's Optional+Computed;
* ``required`` = Swagger ``required`` minus fields the controller assigns, plus every
  argument the official provider requires (``official_parity``: its Go schema requires
  ``Vip.vip_id`` and ``GslbService.domain_names``), so what it rejects is rejected here;
* ``refers_to`` = the api type of the referenced definition;
* ``keyed_by`` = ``KEYED_BY`` (lists whose members the controller identifies by the values at
  these dotted paths; pool servers by ip.addr + port, like the official ``avi_server`` id);
* ``force_new`` = ``tenant_ref``/``cloud_ref`` at the top level, ``uuid`` (identity) and
  ``FORCE_NEW`` (HealthMonitor ``type`` is immutable once created);
* ``id_attribute`` is ``uuid``.
Data sources (``data.avi_<type>``) are all-computed except the lookup keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from types import MappingProxyType
from typing import Any

from albform.engine.schema import AttributeSchema, ResourceSchema, ValueType
from albform.provider.schema.official_view import nested_block, official_block
from albform.provider.schema.table import Field, ObjectDef, UnknownObjectType, load_table

TF_PREFIX = "avi_"
DATA_PREFIX = "data."

# (definition, list field) -> key path of its elements (docs/avi-api.md §6 "keyed sets").
KEYED_BY: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType({
    ("Pool", "servers"): ("ip.addr", "port"),
    ("PoolGroup", "members"): ("pool_ref",),
    ("VirtualService", "services"): ("port",),
    ("VirtualService", "http_policies"): ("index",),
    ("VirtualService", "l4_policies"): ("index",),
    ("VirtualService", "vs_datascripts"): ("index",),
    ("VsVip", "vip"): ("vip_id",),
    ("VrfContext", "static_routes"): ("route_id",),
    ("HTTPRequestPolicy", "rules"): ("index",),
    ("HTTPResponsePolicy", "rules"): ("index",),
    ("HTTPSecurityPolicy", "rules"): ("index",),
    ("L4ConnectionPolicy", "rules"): ("index",),
})
KEYED_BY_NAME: Mapping[str, tuple[str, ...]] = MappingProxyType({"markers": ("key",)})

FORCE_NEW: Mapping[str, frozenset[str]] = MappingProxyType({
    "HealthMonitor": frozenset({"type"}),
})
TOP_LEVEL_FORCE_NEW = frozenset({"tenant_ref", "cloud_ref", "uuid"})

# Swagger says required, but the controller assigns a value when omitted (docs/avi-api.md §3.2).
SERVER_ASSIGNED_REQUIRED: Mapping[str, frozenset[str]] = MappingProxyType({
    "Vip": frozenset({"vip_id"}),
})

DATA_SOURCE_KEYS = frozenset({"name", "uuid", "cloud_ref", "tenant_ref"})


def terraform_type(api_type: str) -> str:
    """``virtualservice`` -> ``avi_virtualservice``; raises ``UnknownObjectType``."""
    if not load_table().has_type(api_type):
        raise UnknownObjectType(f"unknown Avi object type {api_type!r}")
    return TF_PREFIX + api_type.replace("-", "_").replace("/", "_")


def api_type_of(tf_type: str) -> str:
    """``avi_pool`` or ``data.avi_pool`` -> ``pool``; raises ``UnknownObjectType``."""
    found = _tf_index().get(tf_type.removeprefix(DATA_PREFIX))
    if found is None:
        raise UnknownObjectType(f"unknown resource type {tf_type!r}")
    return found


def resource_types() -> list[str]:
    """Every ``avi_*`` type name, sorted."""
    return sorted(_tf_index())


@cache
def _tf_index() -> Mapping[str, str]:
    return MappingProxyType({terraform_type(t): t for t in load_table().types()})


@cache
def resource_schema(tf_type: str) -> ResourceSchema:
    """The engine schema of ``avi_<type>``."""
    api_type = api_type_of(tf_type)
    obj = load_table().object(api_type)
    attrs = dict(_attributes(obj.definition))
    official = official_block(terraform_type(api_type))
    if official is not None:
        attrs = dict(official_parity(attrs, official["attributes"]))
    for name in TOP_LEVEL_FORCE_NEW & attrs.keys():
        attrs[name] = replace(attrs[name], force_new=True)
    return ResourceSchema(type_name=terraform_type(api_type),
                          attributes=MappingProxyType(attrs), id_attribute="uuid",
                          description=f"Avi {obj.definition} at {obj.path}")


@cache
def data_source_schema(tf_type: str) -> ResourceSchema:
    """The engine schema of ``data.avi_<type>``: look up by name/uuid (+cloud/tenant)."""
    api_type = api_type_of(tf_type)
    obj = load_table().object(api_type)
    attrs = {name: _as_data(attr, lookup=name in DATA_SOURCE_KEYS)
             for name, attr in _attributes(obj.definition).items()}
    return ResourceSchema(type_name=DATA_PREFIX + terraform_type(api_type),
                          attributes=MappingProxyType(attrs), id_attribute="uuid",
                          description=f"Existing Avi {obj.definition} looked up by name or uuid")


@cache
def _attributes(definition: str) -> Mapping[str, AttributeSchema]:
    # Cached per definition so nested schemas are shared like the table's definitions.
    odef = load_table().definition(definition)
    return MappingProxyType({name: _attribute(odef, f) for name, f in odef.fields.items()})


def _attribute(owner: ObjectDef, f: Field) -> AttributeSchema:
    required = f.required and f.name not in SERVER_ASSIGNED_REQUIRED.get(owner.name, ())
    computed = f.computed
    refers_to = None
    if f.ref_target is not None:
        refers_to = load_table().api_type_for(f.ref_target) or f.ref_target.lower()
    element: ValueType | None = f.element_type if f.type in ("list", "map") else None
    keyed_by = KEYED_BY.get((owner.name, f.name)) or (
        KEYED_BY_NAME.get(f.name, ()) if f.type == "list" else ())
    return AttributeSchema(
        name=f.name, type=f.type, required=required and not computed, computed=computed,
        server_default=not required and not computed, default=f.default,
        sensitive=f.sensitive, force_new=f.name in FORCE_NEW.get(owner.name, ()),
        refers_to=refers_to, keyed_by=keyed_by, element_type=element,
        fields=_attributes(f.definition) if f.nested is not None and f.definition else None,
        enum=f.enum, description=f.description,
    )


def official_parity(attrs: Mapping[str, AttributeSchema],
                     official: Mapping[str, Any]) -> Mapping[str, AttributeSchema]:
    """An argument the official provider requires is required here too, at every nesting
    level, so a configuration it rejects for a missing argument is rejected at load time
    with file:line. (The few Swagger fields its 30.2.1 schema lacks stay configurable.)"""
    out: dict[str, AttributeSchema] = {}
    changed = False
    for name, attr in attrs.items():
        facts = official.get(name)
        new = attr
        if facts is not None:
            if facts.get("required") and not attr.required:
                new = replace(new, required=True, computed=False, server_default=False)
            elem = facts.get("elem")
            if attr.fields is not None and isinstance(elem, str) and elem[:1].isupper():
                fields = official_parity(attr.fields, nested_block(elem)["attributes"])
                if fields is not attr.fields:
                    new = replace(new, fields=fields)
        changed = changed or new is not attr
        out[name] = new
    return MappingProxyType(out) if changed else attrs


def _as_data(attr: AttributeSchema, *, lookup: bool) -> AttributeSchema:
    nested = None
    if attr.fields is not None:
        nested = MappingProxyType({n: _as_data(a, lookup=False) for n, a in attr.fields.items()})
    return replace(attr, required=False, computed=True, server_default=lookup,
                    force_new=False, fields=nested)
