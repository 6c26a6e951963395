"""Argument schemas for checking resource blocks, read from the provider's schema table
(``albform.provider.schema``, the one provider package front ends may import).

A configuration is checked as the official ``vmware/avi`` provider (30.2.1) checks it: only its
resource types and data sources, and of the Avi API's fields only those its schema has, at
every nesting level (``official_view``). A few Avi API fields (``avi_poolgroup.enable_http2``,
``avi_pkiprofile.crls``…) and object types (``avi_jwtprofile``…) are missing from it; albform
can manage them, as an opt-in extension: ``ALBFORM_API_EXTRAS=true`` (the configuration is
then albform-only). Beyond the generated table, the official provider accepts a few arguments
of its own (``avi_pool.ignore_servers``, docs/avi-api.md §4.2, and the pool-member resource
``avi_server``) and albform's provider adds the partial resource
``avi_vrfcontext_static_route``; those are accepted here without a field check.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping
from dataclasses import replace
from functools import cache
from types import MappingProxyType
from typing import Any

from albform.engine.schema import AttributeSchema
from albform.provider.schema import (
    UnknownObjectType,
    data_source_schema,
    resource_schema,
    resource_types,
)
from albform.provider.schema.official_view import PROVIDER_SOURCE, nested_block, official_block

Fields = Mapping[str, AttributeSchema]

PROVIDER_EXTRAS: Mapping[str, Mapping[str, AttributeSchema]] = MappingProxyType({
    "avi_pool": MappingProxyType({"ignore_servers": AttributeSchema("ignore_servers",
                                                                    type="boolean")}),
})
UNCHECKED_TYPES = frozenset({"avi_vrfcontext_static_route", "avi_server"})


# The opt-in for the Avi API's fields and types the official provider lacks (module doc).
API_EXTRAS_ENV = "ALBFORM_API_EXTRAS"
EXTRAS_HINT = (f" It is an Avi API {{what}} that the official {PROVIDER_SOURCE} provider "
               f"lacks; set {API_EXTRAS_ENV}=true to manage it with albform (the "
               "configuration is then albform-only).")


class UnknownType(LookupError):
    """The type is not an avi_* type the provider knows."""


class ApiOnlyType(UnknownType):
    """An Avi API object type the official provider has no resource (or data source) for;
    albform manages it under ``ALBFORM_API_EXTRAS``."""


def api_extras_enabled(env: Mapping[str, str]) -> bool:
    return env.get(API_EXTRAS_ENV, "").strip().lower() in ("1", "true", "yes")


class OfficialFields(Mapping[str, AttributeSchema]):
    """The fields the official provider's schema has, remembering the Avi API's others
    (``extras``) so that refusing one can say how to opt in."""

    __slots__ = ("_fields", "extras")

    def __init__(self, fields: Mapping[str, AttributeSchema], extras: frozenset[str]) -> None:
        self._fields = fields
        self.extras = extras

    def __getitem__(self, key: str) -> AttributeSchema:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    # Asked for every argument of every resource of a configuration: answered by the
    # underlying mapping, not by the Mapping mixins' item-by-item __getitem__ calls.
    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def items(self) -> ItemsView[str, AttributeSchema]:
        return self._fields.items()


def _official_only(fields: Mapping[str, AttributeSchema],
                   official: Mapping[str, Any]) -> OfficialFields:
    kept: dict[str, AttributeSchema] = {}
    for name, attr in fields.items():
        facts = official.get(name)
        if facts is None:
            continue
        elem = facts.get("elem")
        if attr.fields is not None and isinstance(elem, str) and elem[:1].isupper():
            attr = replace(attr, fields=_official_only(attr.fields,
                                                       nested_block(elem)["attributes"]))
        kept[name] = attr
    settable = (n for n, a in fields.items() if n not in kept and (a.optional or a.required))
    return OfficialFields(MappingProxyType(kept), frozenset(settable))


def known_types() -> list[str]:
    return [*resource_types(), *sorted(UNCHECKED_TYPES)]


@cache
def fields_for(mode: str, type_name: str, extras: bool = True) -> Fields | None:
    """The argument schema of a resource or data source type; None when not checked.
    Raises ``UnknownType`` for a type the provider does not have. Without ``extras`` only
    what the official provider has (module doc); ``ApiOnlyType`` for the types it lacks."""
    if type_name in UNCHECKED_TYPES:
        return None
    try:
        schema = data_source_schema(type_name) if mode == "data" else \
            resource_schema(type_name)
    except UnknownObjectType:
        raise UnknownType(type_name) from None
    attrs = dict(schema.attributes)
    attrs.update(PROVIDER_EXTRAS.get(type_name, {}))
    if extras:
        return MappingProxyType(attrs)
    block = official_block(type_name, data=mode == "data")
    if block is None:
        raise ApiOnlyType(type_name)
    return _official_only(attrs, block["attributes"])


def schema_lookup(env: Mapping[str, str]) -> Callable[[str, str], Fields | None]:
    """The lookup a configuration is checked with: the official provider's view, or the
    whole Avi API when ``ALBFORM_API_EXTRAS`` opts in."""
    extras = api_extras_enabled(env)
    return lambda mode, type_name: fields_for(mode, type_name, extras)
