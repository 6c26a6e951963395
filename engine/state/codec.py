"""Terraform state v4 JSON: ``encode_state(State) -> bytes`` and ``decode_state(bytes) -> State``.

The bytes are what Terraform 1.11 writes: Go struct key order, two-space indent, a final
newline, object keys inside attribute and output values sorted (cty marshals objects that way;
``jsonwriter`` notes the one exception), and ``<``, ``>``, ``&``, U+2028, U+2029 escaped as
Go's encoder does. ``encode_state`` is a pure function: one state always gives the same bytes.

Sensitive values never reach the bytes. For every attribute the resource schema marks
sensitive, the *value* is dropped from ``attributes`` and its concrete path (list indexes
expanded) is listed in ``sensitive_attributes``. A reader that finds a listed path with no
value knows the value was withheld, not unset. What albform sent there is remembered as a
``SecretDigest`` in the instance's ``private`` blob (``state.private``), put back at its path
on decode, so that a rotated secret is seen as a change (``engine.secrets``). Root outputs
declared ``sensitive`` are written with a null value (Terraform keeps them in clear; albform
keeps no secret in state, and recomputes outputs from the configuration on apply).

``decode_state`` raises ``StateFormatError`` with the reason and the JSON location for every
file it cannot represent faithfully (invalid JSON, another format version, legacy
``attributes_flat``). Unknown top-level and instance keys are preserved.

A schema with a ``state_form`` (the provider's own Terraform typing) has its instances'
attributes converted at this boundary: ``to_state`` when writing, ``from_state`` when
reading (``decode_state(data, schemas)``), sensitive paths mapped alike; the model always
holds the engine's values.

Deposed objects (``"deposed": "<8 hex>"``, left by an interrupted create_before_destroy
replacement) are instances of their resource like the current one: Terraform writes each
instance key's current object first, then its deposed objects by key. ``State.deposed`` holds
them on the model side.

``dependencies`` holds what Terraform's reader accepts there: resource addresses without
instance keys (``avi_pool.ako``, ``module.m.avi_vsvip.v``). albform orders deletes per
instance, so when the model's dependencies name instances they are also written, exactly,
under ``albform_dependencies`` (Terraform ignores unknown instance keys and drops them when it
rewrites the file). A file without them gets each listed resource expanded to its instances in
the state, except the object's own resource: Terraform cannot express an instance depending on
a sibling, and expanding onto siblings would make them wait on each other's deletes.

An imported object's restore point (``ResourceState.adopted_from``) is written under
``albform_adopted_from``, sensitive values withheld like the attributes'; Terraform ignores the
key as well.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from albform.engine.addrs import AddressError, InstanceKey, ModuleStep, ResourceAddress
from albform.engine.schema import ResourceSchema, StateForm
from albform.engine.secrets import digest_clear_values
from albform.engine.state.jsonwriter import Canonical, Raw, dumps_indented, render_at
from albform.engine.state.model import (
    STATE_VERSION,
    OutputState,
    ResourceState,
    State,
    deposed_sort_key,
)
from albform.engine.state.private import (
    decode_private,
    encode_private,
    place_digests,
    split_digests,
)

# Keys decode_state maps onto model fields; anything else is kept in ``extra``.
_TOP_KEYS = ("version", "terraform_version", "serial", "lineage", "outputs", "resources",
             "check_results")
_INSTANCE_KEYS = ("index_key", "status", "deposed", "schema_version", "attributes",
                  "attributes_flat", "sensitive_attributes", "dependencies",
                  "create_before_destroy", "albform_dependencies", "albform_adopted_from")

SensitivePath = tuple[str | int, ...]
_NO_SCHEMAS: Mapping[str, ResourceSchema] = MappingProxyType({})  # one object: see EncodeCache


class StateFormatError(ValueError):
    """The bytes are not a state this version can read; the message says why and where."""


# -- encoding -----------------------------------------------------------------------------------

class EncodeCache:
    """Rendered instances kept from one ``encode_state`` to the next, so that rewriting a
    state costs the instances changed since the last write, not the whole state (a backend
    keeps one; an apply rewrites its growing state several times). An instance is reused when
    its ``ResourceState`` is the very object encoded last time (they are immutable), with the
    same schemas mapping and the same need for ``albform_dependencies`` (which depends on the
    other instances in the state). Each encode keeps only the instances of the state it
    encoded. Thread-safe: encodes sharing a cache take turns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.schemas: Mapping[str, ResourceSchema] | None = None
        self.entries: dict[int, tuple[ResourceState, bool, Raw]] = {}
        self.hits = 0  # instances reused by the last encode (for tests)


def encode_state(state: State, schemas: Mapping[str, ResourceSchema] | None = None, *,
                 cache: EncodeCache | None = None) -> bytes:
    """Terraform v4 JSON for ``state``; sensitive values (per ``schemas``) are withheld.
    ``cache`` only saves work: the bytes are the same with or without it."""
    if cache is None:
        return _encode_state(state, schemas or _NO_SCHEMAS, None)
    with cache.lock:
        return _encode_state(state, schemas or _NO_SCHEMAS, cache)


def _encode_state(state: State, schemas: Mapping[str, ResourceSchema],
                  cache: EncodeCache | None) -> bytes:
    doc: dict[str, Any] = {
        "version": state.version,
        "terraform_version": state.terraform_version,
        "serial": state.serial,
        "lineage": state.lineage,
        "outputs": {name: _encode_output(out)
                    for name, out in sorted(state.outputs.items())},
        "resources": _encode_resources((*state.resources, *state.deposed), schemas, cache),
        "check_results": state.extra.get("check_results"),
    }
    for key, value in state.extra.items():
        if key not in doc:
            doc[key] = value
    try:
        text = dumps_indented(doc)
    except (TypeError, ValueError) as exc:
        # A value that is not JSON (UNKNOWN, a set, NaN) reaching state is a bug upstream.
        raise ValueError(f"state holds a value that is not JSON: {exc}") from exc
    return (text + "\n").encode("utf-8")


def _encode_output(out: OutputState) -> dict[str, Any]:
    if out.sensitive:  # withheld: see the module docstring
        return {"value": None, "type": Canonical(out.type), "sensitive": True}
    return {"value": Canonical(out.value), "type": Canonical(out.type)}


def _group_key(r: ResourceState) -> tuple[str, str, str, str, str]:
    return (r.address.module_path, r.address.mode, r.address.type, r.address.name, r.provider)


# Nesting level of an instance object in the document: top object (0) > "resources" list (1)
# > resource object (2) > "instances" list (3) > instance (4). The writer checks it on reuse.
_INSTANCE_LEVEL = 4


def _encode_resources(resources: Iterable[ResourceState],
                      schemas: Mapping[str, ResourceSchema],
                      cache: EncodeCache | None) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str, str, str], list[ResourceState]] = {}
    for r in resources:
        groups.setdefault(_group_key(r), []).append(r)
    instances = _instances_by_resource(r for g in groups.values() for r in g
                                       if r.deposed is None)
    reuse: dict[int, tuple[ResourceState, bool, Raw]] = {}
    if cache is not None:
        if cache.schemas is not schemas:
            cache.schemas, cache.entries = schemas, {}
        reuse, cache.entries, cache.hits = cache.entries, {}, 0
    secret_paths_of: dict[int, list[tuple[str, ...]]] = {}  # per schema, once per encode
    out: list[dict[str, Any]] = []
    # Terraform's sortResourcesV4: module string, then mode ("data" < "managed"), type, name.
    for key in sorted(groups):
        module, mode, type_, name, provider = key
        entry: dict[str, Any] = {}
        if module:
            entry["module"] = module
        entry.update(mode=mode, type=type_, name=name, provider=provider)
        schema = _schema_for(schemas, mode, type_)
        secret_paths: list[tuple[str, ...]] = []
        if schema is not None:
            if id(schema) not in secret_paths_of:
                secret_paths_of[id(schema)] = schema.sensitive_paths()
            secret_paths = secret_paths_of[id(schema)]
        members = sorted(groups[key], key=deposed_sort_key)
        form = schema.state_form if schema is not None else None
        encoded: list[Any] = []
        for r in members:
            exact = _exact_dependencies(r, instances)
            if cache is None:
                encoded.append(_encode_instance(r, secret_paths, exact, form))
                continue
            kept = reuse.get(id(r))
            if kept is not None and kept[0] is r and kept[1] == exact:
                cache.hits += 1
                text = kept[2]
            else:
                text = render_at(_encode_instance(r, secret_paths, exact, form),
                                 _INSTANCE_LEVEL)
            cache.entries[id(r)] = (r, exact, text)
            encoded.append(text)
        entry["instances"] = encoded
        out.append(entry)
    return out


def _schema_for(schemas: Mapping[str, ResourceSchema], mode: str,
                type_: str) -> ResourceSchema | None:
    if mode == "data":
        return schemas.get(f"data.{type_}") or schemas.get(type_)
    return schemas.get(type_)


def _exact_dependencies(r: ResourceState,
                        instances: Mapping[ResourceAddress, list[ResourceAddress]]) -> bool:
    """Whether ``albform_dependencies`` must be written: a reader expanding Terraform's
    resource-level list would not get ``r.dependencies`` back (module docstring)."""
    if not r.dependencies:
        return False
    resources = list(dict.fromkeys(_resource_of(d) for d in r.dependencies))
    return _expand(r.address, resources, instances) != r.dependencies


def _encode_instance(r: ResourceState, secret_paths: list[tuple[str, ...]],
                     exact_dependencies: bool, form: StateForm | None = None
                     ) -> dict[str, Any]:
    attributes, digests = split_digests(r.attributes)
    sensitive: list[SensitivePath] = list(r.sensitive_attributes)
    sensitive.extend(p for p, _ in digests if p not in sensitive)
    if secret_paths:
        attributes, withheld = withhold_sensitive(attributes, secret_paths)
        sensitive.extend(p for p in withheld if p not in sensitive)
    extra = r.extra
    if digests:
        extra = {**extra, "private": encode_private(extra.get("private"), digests)}
    if form is not None:
        attributes = form.to_state(attributes)
        sensitive = [form.state_path(p) for p in sensitive]
    entry: dict[str, Any] = {}
    if r.address.key is not None:
        entry["index_key"] = r.address.key
    if r.status:
        entry["status"] = r.status
    if r.deposed is not None:
        entry["deposed"] = r.deposed
    entry["schema_version"] = r.schema_version
    entry["attributes"] = Canonical(attributes)
    entry["sensitive_attributes"] = [_encode_path(p) for p in sensitive]
    # Unknown keys (``private``, 1.12's ``identity``) go where Terraform's struct puts
    # ``private``: after the sensitive paths, before the dependencies.
    for key, value in extra.items():
        entry[key] = value
    if r.dependencies:
        resources = list(dict.fromkeys(_resource_of(d) for d in r.dependencies))
        entry["dependencies"] = [str(d) for d in resources]
        # The exact list too, unless a reader expanding Terraform's would get it back.
        if exact_dependencies:
            entry["albform_dependencies"] = [str(d) for d in r.dependencies]
    if r.create_before_destroy:
        entry["create_before_destroy"] = True
    if r.adopted_from is not None:
        # Secrets are withheld here as from the attributes (so they are not restored).
        adopted = withhold_sensitive(r.adopted_from, secret_paths)[0] if secret_paths \
            else r.adopted_from
        entry["albform_adopted_from"] = Canonical(adopted)
    return entry


def _resource_of(address: ResourceAddress) -> ResourceAddress:
    """Terraform's form of a dependency: the resource, no module or instance keys."""
    if address.key is None and all(s.key is None for s in address.module):
        return address  # already that form (the usual case): no new object per call
    return ResourceAddress(address.type, address.name, None,
                           tuple(ModuleStep(s.name) for s in address.module), address.mode)


def _instances_by_resource(resources: Iterable[ResourceState]
                           ) -> dict[ResourceAddress, list[ResourceAddress]]:
    out: dict[ResourceAddress, list[ResourceAddress]] = {}
    for r in resources:
        out.setdefault(_resource_of(r.address), []).append(r.address)
    for members in out.values():
        if len(members) > 1:
            members.sort(key=ResourceAddress.sort_key)
    return out


def _expand(own: ResourceAddress, deps: Iterable[ResourceAddress],
            instances: Mapping[ResourceAddress, list[ResourceAddress]]
            ) -> tuple[ResourceAddress, ...]:
    """Resource-level dependencies as instances in the state (see the module docstring):
    the object's own resource is left out, a resource not in the state is kept as named."""
    mine = _resource_of(own)
    out: dict[ResourceAddress, None] = {}
    for d in deps:
        if d != mine:
            out.update(dict.fromkeys(instances.get(d, [d])))
    return tuple(out)


def withhold_sensitive(attributes: Mapping[str, Any], paths: Iterable[tuple[str, ...]]
                       ) -> tuple[Mapping[str, Any], list[SensitivePath]]:
    """``attributes`` without the values at ``paths`` (schema paths: names only, lists
    expanded), and the concrete paths of the values removed (null values are kept). The
    input is never modified: a copy is made only when there is something to remove."""
    found: list[SensitivePath] = []

    def walk(node: Any, rest: tuple[str, ...], at: SensitivePath) -> None:
        if isinstance(node, list | tuple):
            for index, item in enumerate(node):
                walk(item, rest, (*at, index))
            return
        if not isinstance(node, Mapping) or rest[0] not in node:
            return
        if len(rest) == 1:
            if node[rest[0]] is not None:
                found.append((*at, rest[0]))
            return
        walk(node[rest[0]], rest[1:], (*at, rest[0]))

    for path in paths:
        if path:
            walk(attributes, tuple(path), ())
    if not found:
        return attributes, found
    masked: Any = copy.deepcopy(dict(attributes))
    for concrete in found:
        parent = masked
        for step in concrete[:-1]:
            parent = parent[step]
        del parent[concrete[-1]]
    return masked, found


def _encode_path(path: SensitivePath) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for step in path:
        if isinstance(step, int):
            steps.append({"type": "index", "value": {"value": step, "type": "number"}})
        else:
            steps.append({"type": "get_attr", "value": step})
    return steps


# -- decoding -----------------------------------------------------------------------------------

def decode_state(data: bytes | str,
                 schemas: Mapping[str, ResourceSchema] | None = None) -> State:
    """Parse Terraform v4 state JSON; raise ``StateFormatError`` saying why it cannot.
    Instances of a type whose schema (in ``schemas``) has a ``state_form`` are converted
    back to the engine's values."""
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise StateFormatError(f"state is not UTF-8 text: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise StateFormatError(
            f"state is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(doc, dict):
        raise StateFormatError("state is not a JSON object")
    _check_version(doc)
    serial = doc.get("serial", 0)
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        raise StateFormatError(f"serial must be a non-negative integer, got {serial!r}")
    lineage = _expect(doc.get("lineage", ""), str, "lineage")
    version_text = _expect(doc.get("terraform_version", ""), str, "terraform_version")
    outputs_doc = _expect(doc.get("outputs") or {}, dict, "outputs")
    resources_doc = _expect(doc.get("resources") or [], list, "resources")
    extra = {k: v for k, v in doc.items() if k not in _TOP_KEYS}
    if doc.get("check_results") is not None:
        extra["check_results"] = doc["check_results"]
    resources: list[ResourceState] = []
    exact: list[bool] = []  # dependencies read from albform_dependencies, per instance
    for i, entry in enumerate(resources_doc):
        decoded = _decode_resource(entry, f"resources[{i}]", schemas or {})
        resources.extend(decoded)
        exact.extend("albform_dependencies" in inst for inst in entry.get("instances") or [])
    if any(r.dependencies and not e for r, e in zip(resources, exact, strict=True)):
        resources = _instance_dependencies(resources, exact)
    current = [r for r in resources if r.deposed is None]
    _check_unique(current)
    state = State(
        serial=serial,
        lineage=lineage,
        outputs={name: _decode_output(out, f"outputs.{name}") for name, out in
                 outputs_doc.items()},
        terraform_version=version_text,
        version=STATE_VERSION,
        extra=extra,
    )
    return state.with_resources(current).with_deposed(
        r for r in resources if r.deposed is not None)


def _check_unique(current: list[ResourceState]) -> None:
    seen: set[ResourceAddress] = set()
    for r in current:
        if r.address in seen:
            raise StateFormatError(f"{r.address} has more than one current object")
        seen.add(r.address)


def _check_version(doc: Mapping[str, Any]) -> None:
    version = doc.get("version")
    if version == STATE_VERSION:
        return
    if not isinstance(version, int) or isinstance(version, bool):
        raise StateFormatError(f"state has no valid \"version\" field (found {version!r})")
    by = doc.get("terraform_version") or "an unknown version"
    if 0 <= version < STATE_VERSION:
        raise StateFormatError(
            f"Unsupported state file format: the state file uses format version {version}, "
            f"written by Terraform {by}; albform reads version 4 only. Upgrade it first by "
            "running any Terraform >= 0.12 command that writes state (e.g. terraform refresh)."
        )
    raise StateFormatError(
        f"Unsupported state file format: The state file uses format version {version}, "
        f"which is not supported by albform. This state file was created by Terraform {by}."
    )


def _expect(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise StateFormatError(f"{where}: expected a JSON {kind.__name__}, got {value!r:.60}")
    return value


def _decode_output(doc: Any, where: str) -> OutputState:
    _expect(doc, dict, where)
    if "value" not in doc:
        raise StateFormatError(f"{where}: missing \"value\"")
    return OutputState(value=doc["value"], type=doc.get("type", "string"),
                       sensitive=bool(doc.get("sensitive", False)))


def _decode_resource(doc: Any, where: str,
                     schemas: Mapping[str, ResourceSchema]) -> list[ResourceState]:
    _expect(doc, dict, where)
    for field_name in ("mode", "type", "name", "provider"):
        _expect(doc.get(field_name), str, f"{where}.{field_name}")
    mode = doc["mode"]
    if mode not in ("managed", "data"):
        raise StateFormatError(f"{where}.mode: expected \"managed\" or \"data\", got {mode!r}")
    module = _expect(doc.get("module", ""), str, f"{where}.module")
    prefix = f"{module}." if module else ""
    data = "data." if mode == "data" else ""
    base = _parse_address(f"{prefix}{data}{doc['type']}.{doc['name']}", where)
    instances = _expect(doc.get("instances", []), list, f"{where}.instances")
    schema = _schema_for(schemas, mode, doc["type"]) if schemas else None
    form = schema.state_form if schema is not None else None
    secret_paths = schema.sensitive_paths() if schema is not None else []
    return [_decode_instance(inst, base, doc["provider"], f"{where}.instances[{j}]", form,
                             secret_paths)
            for j, inst in enumerate(instances)]


def _parse_address(text: str, where: str) -> ResourceAddress:
    try:
        return ResourceAddress.parse(text)
    except AddressError as exc:
        raise StateFormatError(f"{where}: {exc}") from exc


def _decode_instance(doc: Any, base: ResourceAddress, provider: str,
                     where: str, form: StateForm | None = None,
                     secret_paths: list[tuple[str, ...]] | None = None) -> ResourceState:
    _expect(doc, dict, where)
    deposed = doc.get("deposed") or None
    if deposed is not None and not isinstance(deposed, str):
        raise StateFormatError(f"{where}.deposed: expected a string key, got {deposed!r:.40}")
    if "attributes_flat" in doc and "attributes" not in doc:
        raise StateFormatError(f"{where}: legacy \"attributes_flat\" is not supported")
    status = doc.get("status") or None
    if status not in (None, "tainted"):
        raise StateFormatError(f"{where}.status: unknown status {status!r}")
    schema_version = doc.get("schema_version", 0)
    if not isinstance(schema_version, int) or isinstance(schema_version, bool):
        raise StateFormatError(f"{where}.schema_version: expected an integer")
    deps_key = "albform_dependencies" if "albform_dependencies" in doc else "dependencies"
    deps = _expect(doc.get(deps_key) or [], list, f"{where}.{deps_key}")
    attributes = _expect(doc.get("attributes") or {}, dict, f"{where}.attributes")
    sensitive = tuple(_decode_path(p, f"{where}.sensitive_attributes")
                      for p in _expect(doc.get("sensitive_attributes") or [], list,
                                       f"{where}.sensitive_attributes"))
    if form is not None:
        # Into the engine's values first: digests and sensitive paths are engine paths.
        attributes = form.from_state(attributes)
        sensitive = tuple(form.internal_path(p) for p in sensitive)
    if secret_paths:
        # A secret Terraform kept in clear becomes a digest the moment albform reads it.
        attributes = digest_clear_values(attributes, secret_paths)
    extra = {k: v for k, v in doc.items() if k not in _INSTANCE_KEYS}
    digests, private = decode_private(extra.get("private"))
    if digests:
        attributes = place_digests(attributes, digests)
        if private is None:
            del extra["private"]
        else:
            extra["private"] = private
    return ResourceState(
        # Built directly: dataclasses.replace costs a tenth of decoding on large states.
        address=ResourceAddress(base.type, base.name, _decode_key(doc.get("index_key"), where),
                                base.module, base.mode),
        attributes=attributes,
        provider=provider,
        dependencies=tuple(_parse_address(_expect(d, str, f"{where}.{deps_key}"), where)
                           for d in deps),
        sensitive_attributes=sensitive,
        schema_version=schema_version,
        status=status,
        create_before_destroy=bool(doc.get("create_before_destroy", False)),
        deposed=deposed,
        adopted_from=_expect(doc["albform_adopted_from"], dict, f"{where}.albform_adopted_from")
        if doc.get("albform_adopted_from") is not None else None,
        extra=extra,
    )


def _instance_dependencies(resources: list[ResourceState],
                           exact: list[bool]) -> list[ResourceState]:
    """Terraform's resource-level dependencies expanded to instances; ``exact`` marks the
    instances whose list came from ``albform_dependencies`` and is kept as read."""
    instances = _instances_by_resource(r for r in resources if r.deposed is None)
    return [r if is_exact or not r.dependencies
            else replace(r, dependencies=_expand(
                r.address, (_resource_of(d) for d in r.dependencies), instances))
            for r, is_exact in zip(resources, exact, strict=True)]


def _decode_key(key: Any, where: str) -> InstanceKey:
    if key is None or isinstance(key, str):
        return key
    if isinstance(key, bool):
        raise StateFormatError(f"{where}.index_key: expected a number or string")
    if isinstance(key, int):
        return key
    if isinstance(key, float) and key.is_integer():
        return int(key)  # Go decodes JSON numbers as float64; Terraform turns them into ints
    raise StateFormatError(f"{where}.index_key: expected a whole number or string, got {key!r}")


def _decode_path(doc: Any, where: str) -> SensitivePath:
    steps: list[str | int] = []
    for step in _expect(doc, list, where):
        _expect(step, dict, where)
        kind, value = step.get("type"), step.get("value")
        if kind == "get_attr" and isinstance(value, str):
            steps.append(value)
        elif kind == "index" and isinstance(value, dict) and isinstance(
                value.get("value"), int | str) and not isinstance(value.get("value"), bool):
            # Map keys (string indexes) fold into attribute steps: the model keeps names only.
            steps.append(value["value"])
        else:
            raise StateFormatError(f"{where}: unknown path step {step!r:.80}")
    return tuple(steps)
