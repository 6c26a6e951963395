"""albform.provider.schema: the Avi object schema table generated from the vendor's Swagger.

``load_table()`` gives the raw facts (types, fields, refs, defaults, version gates);
``resource_schema``/``data_source_schema`` give the engine's view of ``avi_*`` types. Front
ends (HCL, Kubernetes) may import this package; it imports only the engine.
"""

from __future__ import annotations

from albform.provider.schema.defaults import defaults_for, definition_defaults, fill_defaults
from albform.provider.schema.engine_view import (
    api_type_of,
    data_source_schema,
    resource_schema,
    resource_types,
    terraform_type,
)
from albform.provider.schema.table import (
    Field,
    FieldType,
    ObjectDef,
    ObjectType,
    SchemaTable,
    UnknownObjectType,
    load_table,
)
from albform.provider.schema.versions import field_available, parse_version, version_gate

__all__ = [
    "Field",
    "FieldType",
    "ObjectDef",
    "ObjectType",
    "SchemaTable",
    "UnknownObjectType",
    "api_type_of",
    "data_source_schema",
    "definition_defaults",
    "defaults_for",
    "field_available",
    "fill_defaults",
    "load_table",
    "parse_version",
    "resource_schema",
    "resource_types",
    "terraform_type",
    "version_gate",
]
