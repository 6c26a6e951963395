"""Argument schemas for checking resource blocks, read from the provider's schema table
(``albform.provider.schema``, the one provider package front ends may import).

Beyond the generated table, the official provider accepts a few arguments of its own
(``avi_pool.ignore_servers``, docs/avi-api.md §4.2, and the pool-member resource ``avi_server``) and
albform's provider adds the partial resource ``avi_vrfcontext_static_route``; those are accepted
here without a field check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType

from albform.engine.schema import AttributeSchema
from albform.provider.schema import (
    UnknownObjectType,
    data_source_schema,
    resource_schema,
    resource_types,
)

Fields = Mapping[str, AttributeSchema]

PROVIDER_EXTRAS: Mapping[str, Mapping[str, AttributeSchema]] = MappingProxyType({
    "avi_pool": MappingProxyType({"ignore_servers": AttributeSchema("ignore_servers",
                                                                    type="boolean")}),
})
UNCHECKED_TYPES = frozenset({"avi_vrfcontext_static_route", "avi_server"})


class UnknownType(LookupError):
    """The type is not an avi_* type the provider knows."""


def known_types() -> list[str]:
    return [*resource_types(), *sorted(UNCHECKED_TYPES)]


@cache
def fields_for(mode: str, type_name: str) -> Fields | None:
    """The argument schema of a resource or data source type; None when not checked.
    Raises ``UnknownType`` for a type the provider does not have."""
    if type_name in UNCHECKED_TYPES:
        return None
    try:
        schema = data_source_schema(type_name) if mode == "data" else \
            resource_schema(type_name)
    except UnknownObjectType:
        raise UnknownType(type_name) from None
    attrs = dict(schema.attributes)
    attrs.update(PROVIDER_EXTRAS.get(type_name, {}))
    return MappingProxyType(attrs)


def schema_lookup() -> Callable[[str, str], Fields | None]:
    return fields_for
