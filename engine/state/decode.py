"""Decoding Terraform v4 JSON into a ``State``: ``decode_state`` and ``StateFormatError``.

The format's rules are listed in ``engine/state/codec.py``, which re-exports this module's
public names; callers import from there. Decoding is the start-up cost of every plan of a large
state: work that depends on a schema (sensitive paths) or on a dependency's text (its parsed
address) is done once per decode, not once per instance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from albform.engine.addrs import AddressError, InstanceKey, ResourceAddress
from albform.engine.schema import ResourceSchema, StateForm
from albform.engine.secrets import digest_clear_values
from albform.engine.state.dependencies import expand, instances_by_resource, resource_of
from albform.engine.state.encode import SensitivePath, schema_for
from albform.engine.state.model import STATE_VERSION, OutputState, ResourceState, State
from albform.engine.state.private import decode_private, place_digests

# Keys decode_state maps onto model fields; anything else is kept in ``extra``.
_TOP_KEYS = ("version", "terraform_version", "serial", "lineage", "outputs", "resources",
             "check_results")
_INSTANCE_KEYS = ("index_key", "status", "deposed", "schema_version", "attributes",
                  "attributes_flat", "sensitive_attributes", "dependencies",
                  "create_before_destroy", "albform_dependencies", "albform_adopted_from")


class StateFormatError(ValueError):
    """The bytes are not a state this version can read; the message says why and where."""


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
    memo = _Memo(schemas or {})
    for i, entry in enumerate(resources_doc):
        decoded = _decode_resource(entry, f"resources[{i}]", memo)
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


class _Memo:
    """What one decode works out once and uses for many instances: each schema's sensitive
    paths (a walk over the whole schema) and each dependency's parsed address (a chain of
    ten objects names its predecessor in every instance)."""

    __slots__ = ("addresses", "paths", "schemas")

    def __init__(self, schemas: Mapping[str, ResourceSchema]) -> None:
        self.schemas = schemas
        self.paths: dict[int, list[tuple[str, ...]]] = {}
        self.addresses: dict[str, ResourceAddress] = {}

    def secret_paths(self, schema: ResourceSchema) -> list[tuple[str, ...]]:
        paths = self.paths.get(id(schema))
        if paths is None:
            paths = self.paths[id(schema)] = schema.sensitive_paths()
        return paths

    def dependency(self, text: Any, where: str, key: str) -> ResourceAddress:
        """The address ``text`` of instance ``where``'s ``key`` list."""
        found = self.addresses.get(text) if isinstance(text, str) else None
        if found is None:
            found = self.addresses[text] = _parse_address(_expect(text, str, f"{where}.{key}"),
                                                          where)
        return found


def _decode_resource(doc: Any, where: str, memo: _Memo) -> list[ResourceState]:
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
    schema = schema_for(memo.schemas, mode, doc["type"]) if memo.schemas else None
    form = schema.state_form if schema is not None else None
    secret_paths = memo.secret_paths(schema) if schema is not None else []
    return [_decode_instance(inst, base, doc["provider"], f"{where}.instances[{j}]", memo,
                             form, secret_paths)
            for j, inst in enumerate(instances)]


def _parse_address(text: str, where: str) -> ResourceAddress:
    try:
        return ResourceAddress.parse(text)
    except AddressError as exc:
        raise StateFormatError(f"{where}: {exc}") from exc


def _decode_instance(doc: Any, base: ResourceAddress, provider: str,
                     where: str, memo: _Memo, form: StateForm | None = None,
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
    digests, mark, private = decode_private(extra.get("private"))
    if digests:
        attributes = place_digests(attributes, digests)
    if digests or mark is not None:
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
        dependencies=tuple(memo.dependency(d, where, deps_key) for d in deps),
        sensitive_attributes=sensitive,
        schema_version=schema_version,
        status=status,
        create_before_destroy=bool(doc.get("create_before_destroy", False)),
        deposed=deposed,
        adopted_from=_expect(doc["albform_adopted_from"], dict, f"{where}.albform_adopted_from")
        if doc.get("albform_adopted_from") is not None else None,
        mark=mark,
        extra=extra,
    )


def _instance_dependencies(resources: list[ResourceState],
                           exact: list[bool]) -> list[ResourceState]:
    """Terraform's resource-level dependencies expanded to instances; ``exact`` marks the
    instances whose list came from ``albform_dependencies`` and is kept as read."""
    instances = instances_by_resource(r for r in resources if r.deposed is None)
    return [r if is_exact or not r.dependencies
            else replace(r, dependencies=expand(
                r.address, (resource_of(d) for d in r.dependencies), instances))
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
