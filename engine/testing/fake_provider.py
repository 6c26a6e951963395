"""``FakeProvider``: an in-memory, thread-safe implementation of the engine's ``Provider``.

It behaves like a small Avi controller so engine tests and benchmarks can run without one:
names are unique per type (409 on a duplicate), the server assigns ``uuid`` (deterministic,
``<type>-<counter>``) and fills server defaults, refs are urls ``/api/<type>/<uuid>`` (or
another ``ref_form`` a subclass chooses: the engine reads refs only through ``ref_id``) that
must point at existing objects, an object still referred to cannot be deleted (409), and a
``force_new`` attribute cannot be updated in place (400). Values still ``UNKNOWN`` or
``Deferred`` reaching create/update are an engine bug and raise ``AssertionError``.

Test controls: ``fail(...)`` injects ``ProviderError`` faults by operation/type/name,
``latency`` delays every call, ``calls``/``call_log``/``max_concurrency`` record what the
engine did, ``edit_out_of_band``/``delete_out_of_band`` simulate drift,
``export_objects``/``import_objects`` carry the controller's content to another process.
Reads return copies, as a real client parsing JSON would.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import (
    ApplyResult,
    ProviderError,
    ReadManyResult,
    ReadRequest,
    ReadResult,
)
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.testing.fake_schemas import DEFAULT_DATA_SCHEMAS, DEFAULT_SCHEMAS
from albform.engine.values import UNKNOWN, Deferred

Operation = Literal["create", "update", "delete", "read"]


@dataclass(frozen=True, slots=True)
class Fault:
    """An injected failure: ``operation`` on objects matching ``type_name``/``name`` (None
    matches any) raises a ``ProviderError`` ``times`` times (None: always). With
    ``partial=True`` a create stores the object, then fails with ``partial_state``."""

    operation: Operation
    type_name: str | None = None
    name: str | None = None
    times: int | None = None
    retriable: bool = False
    status: int = 500
    detail: str = "injected failure"
    partial: bool = False

    def matches(self, operation: str, type_name: str, name: object) -> bool:
        return (self.operation == operation
                and self.type_name in (None, type_name)
                and self.name in (None, name))


@dataclass(frozen=True, slots=True)
class Call:
    operation: str
    type_name: str
    name: object


def ref_url(type_name: str, uuid: str) -> str:
    return f"/api/{type_name}/{uuid}"


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _copy(value: Any) -> Any:
    # JSON-like deep copy; much faster than copy.deepcopy for the benchmarks' 60,000 objects
    # (every read copies). Scalars, most of the leaves, are kept without a call.
    if isinstance(value, dict):
        return {k: v if type(v) in _ATOMS else _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _ATOMS else _copy(v) for v in value]
    return value


def _check_known(path: str, value: Any) -> None:
    if value is UNKNOWN or isinstance(value, Deferred):
        raise AssertionError(f"engine bug: {path} is still {value!r} when applied")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_known(f"{path}.{k}", v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_known(f"{path}[{i}]", v)


class FakeProvider:
    """An in-memory provider; see the module docstring. All public methods are thread-safe."""

    def __init__(self, schemas: Mapping[str, ResourceSchema] | None = None,
                 data_schemas: Mapping[str, ResourceSchema] | None = None, *,
                 latency: float = 0.0) -> None:
        self._schemas = dict(DEFAULT_SCHEMAS if schemas is None else schemas)
        self._data_schemas = dict(DEFAULT_DATA_SCHEMAS if data_schemas is None else data_schemas)
        self.latency = latency
        self._lock = threading.Lock()
        self._objects: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in self._schemas}
        self._names: dict[tuple[str, str], str] = {}
        self._referrers: dict[str, set[tuple[str, str]]] = {}
        self._data: dict[str, list[dict[str, Any]]] = {t: [] for t in self._data_schemas}
        self._faults: list[list[Any]] = []  # [Fault, remaining]
        self._counter = 0
        self.key_uuids = False
        self._calls: Counter[str] = Counter()
        self._log: list[Call] = []
        self._in_flight = 0
        self._max_in_flight = 0
        if "fake_cloud" in self._data:
            self.add_data_object("fake_cloud", {"name": "Default-Cloud",
                                                "uuid": "cloud-default", "vtype": "CLOUD_NONE"})

    # -- Provider protocol ---------------------------------------------------------------
    def resource_types(self) -> Collection[str]:
        return tuple(self._schemas)

    def schema(self, type_name: str) -> ResourceSchema | None:
        return self._schemas.get(type_name) or self._data_schemas.get(type_name)

    # How refs are written; a subclass may choose another form (see the module docstring).
    ref_form = "/api/{type}/{uuid}"

    def ref(self, type_name: str, uuid: str) -> str:
        return self.ref_form.format(type=type_name, uuid=uuid)

    def ref_id(self, value: object) -> str | None:
        """The uuid a ref in ``ref_form`` names; ``None`` for anything else."""
        if not isinstance(value, str):
            return None
        for type_name in self._schemas:
            prefix = self.ref(type_name, "")
            if value.startswith(prefix) and len(value) > len(prefix):
                return value[len(prefix):]
        return None

    def canonicalize(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """Drop unset (``None``) top-level values; turn bare uuids and ``/api/T?name=N``
        lookups in ref attributes into refs in ``ref_form``. Placeholders pass through.

        Other values are shared with ``attributes``, not copied: configured values are
        never mutated (the planner copies what it changes; create/update copy what they
        store), and copying every configured value made up a third of a no-op re-plan."""
        schema = self._schema(type_name)
        out: dict[str, Any] = {}
        with self._lock:
            for key, value in attributes.items():
                if value is None:
                    continue
                attr = schema.attributes.get(key)
                if attr is not None and attr.refers_to:
                    value = self._canonical_ref(attr.refers_to, value)
                out[key] = value
        return out

    def read(self, request: ReadRequest) -> ReadResult:
        with self._call("read", request.type_name, request.attributes.get("name")):
            return ReadResult(self._lookup(request.type_name, request.attributes))

    def read_many(self, requests: Sequence[ReadRequest]) -> ReadManyResult:
        """One simulated collection GET per type among ``requests``."""
        results: dict[object, ReadResult] = {}
        by_type: dict[str, list[ReadRequest]] = {}
        for r in requests:
            by_type.setdefault(r.type_name, []).append(r)
        for type_name in sorted(by_type):
            with self._call("read_many", type_name, None):
                for r in by_type[type_name]:
                    if self._faults:
                        self._raise_fault("read", type_name, r.attributes.get("name"))
                    results[r.key] = ReadResult(self._lookup(type_name, r.attributes))
        return ReadManyResult(results, api_calls=len(by_type))

    def read_data_source(self, type_name: str, query: Mapping[str, Any]) -> ReadResult:
        with self._call("read_data_source", type_name, query.get("name")):
            if type_name not in self._data:
                raise ProviderError(f"unknown data source type {type_name}", status=400)
            found = [o for o in self._data[type_name]
                     if all(o.get(k) == v for k, v in query.items() if v is not None)]
        diags = Diagnostics()
        if len(found) != 1:
            what = "No object" if not found else f"{len(found)} objects"
            diags.error("Data source lookup failed",
                        f"{what} of type {type_name} matched {dict(query)!r}; "
                        "exactly one must match.")
            return ReadResult(None, diags)
        return ReadResult(_copy(found[0]), diags)

    def identity(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        return {"uuid": attributes["uuid"]} if attributes.get("uuid") else {}

    def keyed_creates(self, type_name: str) -> bool:
        """With ``key_uuids`` the uuid comes from the key alone (engine KeyedCreates)."""
        return self.key_uuids

    def prepare_create(self, type_name: str, planned: Mapping[str, Any],
                       key: str) -> dict[str, Any]:
        """Reserve the next counter uuid (the same uuids as a create without it), unless
        ``key_uuids`` is set: then the uuid is derived from ``key`` as Avi's is."""
        with self._lock:
            if self.key_uuids:
                uuid = f"{type_name}-{zlib.crc32(key.encode()):08x}{len(key):04x}"
            else:
                self._counter += 1
                uuid = f"{type_name}-{self._counter:08x}"
        return {**planned, "uuid": uuid}

    def create(self, type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        name = planned.get("name")
        with self._call("create", type_name, name):
            schema = self._schema(type_name)
            _check_known(type_name, planned)
            chosen = planned.get("uuid")
            if isinstance(chosen, str) and chosen in self._objects[type_name]:
                # Our own object from an earlier attempt: adopted, brought to ``planned``.
                self._update(schema, type_name, self._objects[type_name][chosen], planned)
                return ApplyResult(_copy(self._objects[type_name][chosen]))
            obj = self._validated(schema, planned)
            if (type_name, obj["name"]) in self._names:
                raise ProviderError(
                    f"{type_name} {obj['name']!r} already exists", status=409,
                    detail=f"Object {type_name} with name {obj['name']} already exists")
            fault = self._take_fault("create", type_name, name)
            if isinstance(chosen, str) and chosen:
                uuid = chosen
            else:
                self._counter += 1
                uuid = f"{type_name}-{self._counter:08x}"
            obj["uuid"] = uuid
            if "vip" in schema.attributes and schema.attributes["vip"].computed:
                obj["vip"] = f"10.{self._counter // 65536 % 256}." \
                             f"{self._counter // 256 % 256}.{self._counter % 256}"
            if fault is not None and not fault.partial:
                raise self._error(fault, type_name, name)
            self._store(type_name, obj)
            if fault is not None:
                raise ProviderError(f"{type_name} {name!r} created but not configured",
                                    retriable=fault.retriable, status=fault.status,
                                    detail=fault.detail, partial_state=_copy(obj))
            return ApplyResult(_copy(obj))

    def update(self, type_name: str, prior: Mapping[str, Any],
               planned: Mapping[str, Any]) -> ApplyResult:
        name = planned.get("name")
        with self._call("update", type_name, name):
            schema = self._schema(type_name)
            _check_known(type_name, planned)
            current = self._lookup(type_name, prior)
            if current is None:
                raise ProviderError(f"{type_name} {prior.get('name')!r} not found", status=404,
                                    detail="Object not found")
            return ApplyResult(_copy(self._update(schema, type_name, current, planned)))

    def _update(self, schema: ResourceSchema, type_name: str, current: Mapping[str, Any],
                planned: Mapping[str, Any]) -> dict[str, Any]:
        obj = self._validated(schema, planned)
        for attr in schema.attributes.values():
            if attr.force_new and obj.get(attr.name) != current.get(attr.name):
                raise ProviderError(f"cannot change {attr.name} of {type_name} in place",
                                    status=400, detail=f"{attr.name} is immutable")
        owner = self._names.get((type_name, obj["name"]))
        if owner is not None and owner != current["uuid"]:
            raise ProviderError(f"{type_name} {obj['name']!r} already exists", status=409)
        self._raise_fault("update", type_name, planned.get("name"))
        for attr in schema.attributes.values():
            if attr.computed_only:
                obj[attr.name] = current.get(attr.name)
        self._unstore(type_name, current["uuid"])
        self._store(type_name, obj)
        return obj

    def delete(self, type_name: str, prior: Mapping[str, Any], *,
               original: Mapping[str, Any] | None = None) -> None:
        # The fake has no built-in objects: everything is deletable, ``original`` unused.
        with self._call("delete", type_name, prior.get("name")):
            self._schema(type_name)
            current = self._lookup(type_name, prior)
            if current is None:
                return  # already gone is success
            users = self._referrers.get(self.ref(type_name, current["uuid"]))
            if users:
                names = sorted(f"{t}:{self._objects[t][u]['name']}" for t, u in users)
                raise ProviderError(f"cannot delete {type_name} {current['name']!r}",
                                    status=409,
                                    detail=f"Cannot delete, object is referred by: {names}")
            self._raise_fault("delete", type_name, prior.get("name"))
            self._unstore(type_name, current["uuid"])

    def import_resource(self, type_name: str, identifier: str) -> ReadResult:
        with self._call("import", type_name, identifier):
            objects = self._objects.get(type_name, {})
            uuid = identifier.rsplit("/", 1)[-1]
            if uuid not in objects:
                uuid = self._names.get((type_name, identifier), "")
            found = objects.get(uuid)
            return ReadResult(_copy(found) if found is not None else None)

    # -- test controls ---------------------------------------------------------------------
    def fail(self, operation: Operation, *, type_name: str | None = None,
             name: str | None = None, times: int | None = None, retriable: bool = False,
             status: int = 500, detail: str = "injected failure",
             partial: bool = False) -> Fault:
        fault = Fault(operation, type_name, name, times, retriable, status, detail, partial)
        with self._lock:
            self._faults.append([fault, times])
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def calls(self) -> Counter[str]:
        """Calls per operation (``create``, ``read``, ``read_many``...)."""
        with self._lock:
            return Counter(self._calls)

    @property
    def call_log(self) -> list[Call]:
        with self._lock:
            return list(self._log)

    @property
    def max_concurrency(self) -> int:
        """The most calls that were ever in progress at once."""
        with self._lock:
            return self._max_in_flight

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()
            self._log.clear()
            self._max_in_flight = self._in_flight

    def objects(self, type_name: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            types = [type_name] if type_name else list(self._objects)
            return [_copy(o) for t in types for o in self._objects.get(t, {}).values()]

    def get(self, type_name: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            uuid = self._names.get((type_name, name))
            return None if uuid is None else _copy(self._objects[type_name][uuid])

    def edit_out_of_band(self, type_name: str, name: str, **changes: Any) -> None:
        """Change an object behind the engine's back (drift); ``None`` removes a field."""
        with self._lock:
            uuid = self._names[(type_name, name)]
            obj = _copy(self._objects[type_name][uuid])
            for key, value in changes.items():
                if value is None:
                    obj.pop(key, None)
                else:
                    obj[key] = value
            self._unstore(type_name, uuid)
            self._store(type_name, obj)

    def delete_out_of_band(self, type_name: str, name: str) -> None:
        with self._lock:
            self._unstore(type_name, self._names[(type_name, name)])

    def export_objects(self) -> dict[str, Any]:
        """Every managed object and the uuid counter, as JSON-able data (``import_objects``
        restores it in another process, e.g. for benchmarks)."""
        with self._lock:
            return {"counter": self._counter,
                    "objects": {t: [_copy(o) for o in objs.values()]
                                for t, objs in self._objects.items()}}

    def import_objects(self, data: Mapping[str, Any]) -> None:
        with self._lock:
            self._counter = max(self._counter, int(data["counter"]))
            for type_name, objects in data["objects"].items():
                self._schema(type_name)
                for obj in objects:
                    self._store(type_name, _copy(obj))

    def add_data_object(self, type_name: str, attributes: Mapping[str, Any]) -> None:
        with self._lock:
            self._data.setdefault(type_name, []).append(_copy(dict(attributes)))

    # -- internals (callers hold the lock unless noted) -----------------------------------
    @contextmanager
    def _call(self, operation: str, type_name: str, name: object) -> Iterator[None]:
        """Count the call, track concurrency, sleep the latency unlocked, then hold the lock
        for the body."""
        with self._lock:
            self._calls[operation] += 1
            self._log.append(Call(operation, type_name, name))
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            with self._lock:
                if operation == "read":
                    self._raise_fault("read", type_name, name)
                yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def _schema(self, type_name: str) -> ResourceSchema:
        schema = self._schemas.get(type_name)
        if schema is None:
            raise ProviderError(f"unknown resource type {type_name}", status=400)
        return schema

    def _take_fault(self, operation: str, type_name: str, name: object) -> Fault | None:
        for entry in self._faults:
            fault, remaining = entry
            if fault.matches(operation, type_name, name) and remaining != 0:
                if remaining is not None:
                    entry[1] = remaining - 1
                return fault  # type: ignore[no-any-return]
        return None

    def _raise_fault(self, operation: str, type_name: str, name: object) -> None:
        fault = self._take_fault(operation, type_name, name)
        if fault is not None:
            raise self._error(fault, type_name, name)

    @staticmethod
    def _error(fault: Fault, type_name: str, name: object) -> ProviderError:
        return ProviderError(f"{fault.operation} of {type_name} {name!r} failed",
                             retriable=fault.retriable, status=fault.status,
                             detail=fault.detail)

    def _lookup(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any] | None:
        found = self._objects.get(type_name, {}).get(str(attributes.get("uuid")))
        return None if found is None else _copy(found)

    def _canonical_ref(self, target: str, value: Any) -> Any:
        if isinstance(value, list):
            return [self._canonical_ref(target, v) for v in value]
        if not isinstance(value, str):
            return value
        lookup = f"/api/{target}?name="
        if value.startswith(lookup):
            uuid = self._names.get((target, value[len(lookup):]))
            return value if uuid is None else self.ref(target, uuid)
        if self.ref_id(value) is not None:
            return value
        return self.ref(target, value)

    def _validated(self, schema: ResourceSchema, planned: Mapping[str, Any]) -> dict[str, Any]:
        obj = {k: _copy(v) for k, v in planned.items() if v is not None}
        for key in obj:
            if key not in schema.attributes:
                raise ProviderError(f"unknown field {key} for {schema.type_name}", status=400,
                                    detail=f"Unknown field: {key}")
        _fill_defaults(schema.attributes, obj, schema.type_name)
        for attr in schema.attributes.values():
            if attr.computed_only:
                obj.pop(attr.name, None)
            if attr.refers_to and attr.name in obj:
                refs = obj[attr.name] if isinstance(obj[attr.name], list) else [obj[attr.name]]
                for ref in refs:
                    self._check_ref(attr, ref)
        return obj

    def _check_ref(self, attr: AttributeSchema, ref: object) -> None:
        target = self.ref(str(attr.refers_to), "")
        if not (isinstance(ref, str) and ref.startswith(target)
                and ref[len(target):] in self._objects.get(str(attr.refers_to), {})):
            raise ProviderError(f"{attr.name} refers to a missing object", status=400,
                                detail=f"Cannot find object {ref!r} for {attr.name}")

    def _store(self, type_name: str, obj: dict[str, Any]) -> None:
        self._objects[type_name][obj["uuid"]] = obj
        self._names[(type_name, obj["name"])] = obj["uuid"]
        for ref in self._refs_of(type_name, obj):
            self._referrers.setdefault(ref, set()).add((type_name, obj["uuid"]))

    def _unstore(self, type_name: str, uuid: str) -> None:
        obj = self._objects[type_name].pop(uuid)
        self._names.pop((type_name, obj["name"]), None)
        for ref in self._refs_of(type_name, obj):
            users = self._referrers.get(ref)
            if users is not None:
                users.discard((type_name, uuid))
                if not users:
                    del self._referrers[ref]

    def _refs_of(self, type_name: str, obj: Mapping[str, Any]) -> list[str]:
        out: list[str] = []
        for attr in self._schemas[type_name].attributes.values():
            value = obj.get(attr.name)
            if attr.refers_to and value is not None:
                out.extend(v for v in (value if isinstance(value, list) else [value])
                           if isinstance(v, str))
        return out


def _fill_defaults(attributes: Mapping[str, AttributeSchema], obj: dict[str, Any],
                   where: str) -> None:
    for attr in attributes.values():
        if attr.name not in obj:
            if attr.required:
                raise ProviderError(f"{where}: {attr.name} is required", status=400,
                                    detail=f"Field {attr.name} is required")
            if attr.server_default and attr.default is not None:
                obj[attr.name] = attr.default
        elif attr.fields is not None:
            items = obj[attr.name] if isinstance(obj[attr.name], list) else [obj[attr.name]]
            for item in items:
                if isinstance(item, dict):
                    _fill_defaults(attr.fields, item, f"{where}.{attr.name}")
