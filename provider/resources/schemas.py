"""The schemas ``AviProvider.schema`` hands the engine: the generated ones, made diff-safe.

``provider/schema/engine_view.py`` maps the Swagger table to ``ResourceSchema``. On top of it
this module

* adds ``id`` (computed: the object's url, as the official provider sets it) and keeps
  ``uuid`` optional + computed;
* drops ``keyed_by`` where keying would mis-pair members: keys the controller assigns when
  the config leaves them out (``VsVip.vip[].vip_id``). Those lists are compared by position;
* builds the partial resources ``avi_vrfcontext_static_route`` (the table's ``StaticRoute``
  fields plus locating attributes) and ``avi_server`` (``Server`` fields plus ``pool_ref``,
  ``ip``, ``type``), and adds the official provider's ``avi_pool.ignore_servers``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.provider.resources.normalize import normalize_object
from albform.provider.resources.registry import SERVER_TYPE, STATIC_ROUTE_TYPE, TypeRegistry
from albform.provider.schema.defaults import fill_defaults
from albform.provider.schema.engine_view import api_type_of, data_source_schema, resource_schema
from albform.provider.schema.official_view import OfficialStateForm, official_block
from albform.provider.schema.table import UnknownObjectType

# Key fields the controller fills when the configuration omits them.
SERVER_ASSIGNED_KEYS = frozenset({"vip_id"})

SchemaBuilder = Callable[[str], ResourceSchema]


def _safe_keys(attrs: Mapping[str, AttributeSchema]) -> dict[str, AttributeSchema]:
    out: dict[str, AttributeSchema] = {}
    for name, attr in attrs.items():
        fields = attr.fields
        if fields is not None:
            fields = MappingProxyType(_safe_keys(fields))
        keyed = attr.keyed_by
        if any(k in SERVER_ASSIGNED_KEYS for k in keyed):
            keyed = ()
        if fields is not attr.fields or keyed != attr.keyed_by:
            attr = replace(attr, fields=fields, keyed_by=keyed)
        out[name] = attr
    return out


IGNORE_SERVERS = AttributeSchema(
    "ignore_servers", type="boolean", server_default=True, default=False,
    description="Members are managed by avi_server resources (official provider argument)")


def adjust(schema: ResourceSchema) -> ResourceSchema:
    attrs = _safe_keys(schema.attributes)
    if schema.type_name == "avi_pool":
        attrs["ignore_servers"] = IGNORE_SERVERS
    attrs["id"] = AttributeSchema("id", computed=True,
                                  description="The object's url, as the official provider "
                                              "sets it: https://<controller>/api/<type>/<uuid>")
    if "uuid" in attrs:
        attrs["uuid"] = replace(attrs["uuid"], required=False, computed=True,
                                server_default=True)
    return with_state_form(replace(schema, attributes=MappingProxyType(attrs)))


def with_state_form(schema: ResourceSchema) -> ResourceSchema:
    """``schema`` typed in state as the official provider types it, when that provider has
    the type (``official_view``); albform's own types (static routes) keep their values."""
    block = official_block(schema.type_name)
    if block is None:
        return schema
    attrs = schema.attributes
    adopt = None
    if schema.type_name != SERVER_TYPE:
        adopt = functools.partial(adopt_official_values, api_type_of(schema.type_name))
    return replace(schema, state_form=OfficialStateForm(block, attrs, adopt=adopt))




def adopt_official_values(api_type: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """Values the official provider wrote, in the forms albform's own read gives them.

    That provider keeps refs as the controller answers them (absolute urls) and reads with
    ``skip_default=true`` (fields at their default are null in its state); albform's read
    keeps canonical ``/api/<type>/<uuid>`` refs and every field. Its ``id`` (the object's url)
    is albform's id too (``object_ids``) and is kept as written. A state albform wrote (its
    refs canonical) is returned as it is: only adopted states pay for this."""
    if not _has_url_refs(attributes):
        return attributes
    try:
        filled = fill_defaults(api_type, attributes)
    except UnknownObjectType:
        filled = dict(attributes)
    normalized = normalize_object(api_type, filled)
    ident = attributes.get("id")
    if isinstance(ident, str) and ident:
        normalized["id"] = ident
    return normalized


def _has_url_refs(attributes: Mapping[str, Any]) -> bool:
    """Whether a top-level ref is an absolute url: the official provider's state (nearly
    every object has a ``tenant_ref``), never albform's."""
    # Asked of every instance of a state being read: the key test comes first, and no list
    # is built for a key that is not a ref.
    for key, value in attributes.items():
        if not key.endswith(_REF_SUFFIXES):
            continue
        if isinstance(value, str):
            if value.startswith(_URL_PREFIXES):
                return True
        elif isinstance(value, list) and key.endswith("_refs") and any(
                isinstance(v, str) and v.startswith(_URL_PREFIXES) for v in value):
            return True
    return False


_REF_SUFFIXES = ("_ref", "_refs")
_URL_PREFIXES = ("http://", "https://")


def static_route_schema(vrfcontext: ResourceSchema) -> ResourceSchema:
    routes = vrfcontext.attributes.get("static_routes")
    route_fields = dict(routes.fields) if routes is not None and routes.fields else {}
    attrs: dict[str, AttributeSchema] = dict(_safe_keys(route_fields))
    if "route_id" in attrs:
        attrs["route_id"] = replace(attrs["route_id"], required=False, computed=True,
                                    server_default=True)
    attrs.update({
        "vrf_name": AttributeSchema("vrf_name", force_new=True,
                                    description="Name of the VrfContext holding the route"),
        "cloud_ref": AttributeSchema("cloud_ref", force_new=True, refers_to="cloud",
                                     server_default=True),
        "tenant_ref": AttributeSchema("tenant_ref", force_new=True, refers_to="tenant",
                                      server_default=True),
        "vrf_context_ref": AttributeSchema("vrf_context_ref", force_new=True,
                                           refers_to="vrfcontext", server_default=True,
                                           computed=True),
        "id": AttributeSchema("id", computed=True),
    })
    return ResourceSchema(
        type_name=STATIC_ROUTE_TYPE, attributes=MappingProxyType(attrs), id_attribute="id",
        description="One static route merged into a shared VrfContext (foreign routes kept)")


def server_schema(pool: ResourceSchema) -> ResourceSchema:
    """``avi_server``: one pool member; ``ip``/``port`` are its identity (force a new one)."""
    servers = pool.attributes.get("servers")
    fields = dict(servers.fields) if servers is not None and servers.fields else {}
    attrs: dict[str, AttributeSchema] = dict(_safe_keys(fields))
    attrs.pop("ip", None)
    if "port" in attrs:
        attrs["port"] = replace(attrs["port"], force_new=True)
    attrs.update({
        "pool_ref": AttributeSchema("pool_ref", required=True, force_new=True,
                                    refers_to="pool"),
        "ip": AttributeSchema("ip", required=True, force_new=True,
                              description="Server address (IpAddr.addr)"),
        "type": AttributeSchema("type", server_default=True, default="V4", force_new=True,
                                enum=("V4", "V6", "DNS")),
        "tenant_ref": AttributeSchema("tenant_ref", refers_to="tenant", server_default=True),
        "id": AttributeSchema("id", computed=True),
    })
    return with_state_form(ResourceSchema(
        type_name=SERVER_TYPE, attributes=MappingProxyType(attrs), id_attribute="id",
        description="One server of a pool"))


class SchemaCatalog:
    """The provider's schemas by type name (``avi_pool``, ``data.avi_pool``): the generated
    table's, adjusted for albform (``adjust``), and the partial types'. Needs no controller, so
    commands that only read plans or states (``show``) mask secrets exactly as plan/apply do.
    Thread-safe: a racing first lookup computes the same value twice."""

    def __init__(self, registry: TypeRegistry) -> None:
        self.registry = registry
        self._schemas: dict[str, ResourceSchema] = {}

    def get(self, type_name: str) -> ResourceSchema | None:
        """Partial types have no data source; unknown types have no schema."""
        name = type_name.removeprefix("data.")
        if not self.registry.knows(name):
            return None
        if type_name.startswith("data."):
            return None if self.registry.is_partial(name) else data_source_schema(name)
        cached = self._schemas.get(name)
        if cached is None:
            if name == STATIC_ROUTE_TYPE:
                cached = static_route_schema(resource_schema("avi_vrfcontext"))
            elif name == SERVER_TYPE:
                cached = server_schema(resource_schema("avi_pool"))
            else:
                cached = adjust(resource_schema(name))
            self._schemas[name] = cached
        return cached
