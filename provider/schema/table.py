"""The generated Avi schema table: object types, their definitions and fields.

``load_table()`` reads ``avi_schema.json.gz`` (written by ``tools/gen_schema.py`` from the
vendor's Swagger files) once per process and returns a ``SchemaTable``. Definitions are
turned into ``ObjectDef`` values lazily and shared by definition name (``IpAddr`` is one
object however many fields use it). Everything here is an immutable value; the table is safe
to share between threads.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, cast

FieldType = Literal["string", "integer", "number", "boolean", "object", "list", "map"]
TABLE_RESOURCE = "avi_schema.json.gz"
IDENTITY_FIELDS = ("uuid", "name", "tenant_ref", "url")


class UnknownObjectType(KeyError):
    """An api type (``pool``) or definition name the table does not know."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown object type"


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One field of an Avi definition, with everything the Swagger prose says about it."""

    name: str
    type: FieldType
    element_type: FieldType | None = None  # lists and maps
    definition: str | None = None  # nested definition name (objects, lists/maps of objects)
    nested: ObjectDef | None = None
    required: bool = False
    has_default: bool = False
    default: Any = None
    default_from_spec: bool = False  # from docs/avi-api.md's recorded defaults, not the Swagger
    enum: tuple[str, ...] = ()
    read_only: bool = False  # server-maintained (readOnly, runtime keys)
    internal: bool = False  # "(internal-use)": set by the controller, not by users
    sensitive: bool = False
    ref_target: str | None = None  # Swagger definition name of the referenced type
    ref_inferred: bool = False  # target taken from the field name, not the prose
    introduced_in: str | None = None
    introduced_in_all: tuple[str, ...] = ()  # backports: "18.1.5, 18.2.1"
    deprecated_in: str | None = None
    unit: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_items: int | None = None
    max_items: int | None = None
    format: str | None = None
    description: str = ""
    extra: bool = False  # returned by controllers but absent from the Swagger

    @property
    def is_list(self) -> bool:
        return self.type == "list"

    @property
    def is_reference(self) -> bool:
        return self.ref_target is not None or self.name.endswith(("_ref", "_refs"))

    @property
    def computed(self) -> bool:
        """Set only by the controller: never sent, never diffed."""
        return self.read_only or self.internal


@dataclass(frozen=True, slots=True)
class ObjectDef:
    """A Swagger definition (``Pool``, ``Server``, ``IpAddr``) as a mapping of fields."""

    name: str
    fields: Mapping[str, Field] = field(default_factory=dict)

    def field_at(self, path: str | tuple[str, ...]) -> Field | None:
        """The field at a dotted path (``servers.ip.addr``), or None."""
        parts = path.split(".") if isinstance(path, str) else path
        current: ObjectDef | None = self
        found: Field | None = None
        for part in parts:
            if current is None or part not in current.fields:
                return None
            found = current.fields[part]
            current = found.nested
        return found


@dataclass(frozen=True, slots=True)
class ObjectType:
    """A REST object type: ``pool`` at ``/api/pool``, defined by ``Pool``."""

    name: str
    definition: str
    path: str
    object_def: ObjectDef
    singleton: bool = False
    source: str = ""

    @property
    def fields(self) -> Mapping[str, Field]:
        return self.object_def.fields

    @property
    def identity_fields(self) -> tuple[str, ...]:
        return tuple(f for f in IDENTITY_FIELDS if f in self.object_def.fields)


class SchemaTable:
    """Lookup over the generated table. Build with ``load_table()``."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw_defs: Mapping[str, Any] = raw["definitions"]
        self._raw_types: Mapping[str, Any] = raw["types"]
        self.swagger_version: str = raw["swagger_version"]
        self.source_files: tuple[str, ...] = tuple(raw["source_files"])
        self.unrouted: Mapping[str, str] = MappingProxyType(dict(raw["unrouted"]))
        self.skipped_files: Mapping[str, str] = MappingProxyType(dict(raw["skipped_files"]))
        self._defs: dict[str, ObjectDef] = {}
        self._types: dict[str, ObjectType] = {}
        self._by_definition = {t["definition"]: name for name, t in self._raw_types.items()}
        self._lock = threading.Lock()

    def types(self) -> list[str]:
        """Every api type name, sorted (``analyticsprofile``, ..., ``vsvip``)."""
        return sorted(self._raw_types)

    def has_type(self, api_type: str) -> bool:
        return api_type in self._raw_types

    def definitions(self) -> list[str]:
        return sorted(self._raw_defs)

    def object(self, api_type: str) -> ObjectType:
        if api_type not in self._raw_types:
            raise UnknownObjectType(f"unknown Avi object type {api_type!r}")
        with self._lock:
            cached = self._types.get(api_type)
            if cached is None:
                raw = self._raw_types[api_type]
                cached = ObjectType(name=api_type, definition=raw["definition"], path=raw["path"],
                                    object_def=self._build(raw["definition"]),
                                    singleton=raw["singleton"], source=raw["source"])
                self._types[api_type] = cached
            return cached

    def definition(self, name: str) -> ObjectDef:
        if name not in self._raw_defs:
            raise UnknownObjectType(f"unknown Avi definition {name!r}")
        with self._lock:
            return self._build(name)

    def api_type_for(self, definition: str) -> str | None:
        """The api type whose object is ``definition`` (``Pool`` -> ``pool``), if routed."""
        return self._by_definition.get(definition)

    def _build(self, name: str) -> ObjectDef:
        # Caller holds the lock. The Swagger has no recursive definitions (checked by tests),
        # so plain recursion terminates.
        cached = self._defs.get(name)
        if cached is not None:
            return cached
        fields = {fname: self._field(fname, raw)
                  for fname, raw in self._raw_defs[name]["fields"].items()}
        built = ObjectDef(name=name, fields=MappingProxyType(fields))
        self._defs[name] = built
        return built

    def _field(self, name: str, raw: Mapping[str, Any]) -> Field:
        nested_name: str | None = raw.get("def")
        nested = self._build(nested_name) if nested_name and nested_name in self._raw_defs \
            else None
        since = tuple(raw.get("since", ()))
        return Field(
            name=name, type=cast(FieldType, raw["type"]),
            element_type=cast("FieldType | None", raw.get("elem")),
            definition=nested_name, nested=nested, required=bool(raw.get("required")),
            has_default="default" in raw, default=raw.get("default"),
            default_from_spec=bool(raw.get("default_from_spec")),
            enum=tuple(raw.get("enum", ())), read_only=bool(raw.get("ro")),
            internal=bool(raw.get("internal")), sensitive=bool(raw.get("sensitive")),
            ref_target=raw.get("ref"), ref_inferred=bool(raw.get("ref_inferred")),
            introduced_in=since[0] if since else None, introduced_in_all=since,
            deprecated_in=raw.get("deprecated"), unit=raw.get("unit"),
            minimum=raw.get("min"), maximum=raw.get("max"), min_items=raw.get("min_items"),
            max_items=raw.get("max_items"), format=raw.get("format"),
            description=raw.get("desc", ""), extra=bool(raw.get("extra")),
        )


def read_raw_table(data: bytes) -> dict[str, Any]:
    """Decode the gzipped JSON table (also used by tests on a freshly generated file)."""
    raw = json.loads(gzip.decompress(data))
    if not isinstance(raw, dict) or raw.get("format") != 1:
        raise ValueError("not an albform schema table (format 1)")
    return raw


@cache
def load_table() -> SchemaTable:
    """The packaged schema table, parsed once per process."""
    data = resources.files("albform.provider.schema").joinpath(TABLE_RESOURCE).read_bytes()
    return SchemaTable(read_raw_table(data))
