"""Encoding a ``State`` as Terraform v4 JSON: ``encode_state`` and its ``EncodeCache``.

The format's rules (layout, withheld secrets, state forms, deposed objects, dependencies) are
listed in ``engine/state/codec.py``, which re-exports this module's public names; callers import
from there.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from albform.engine.addrs import ResourceAddress
from albform.engine.schema import ResourceSchema, StateForm
from albform.engine.state.dependencies import expand, instances_by_resource, resource_of
from albform.engine.state.jsonwriter import Canonical, Raw, dump_bytes, render_at
from albform.engine.state.model import OutputState, ResourceState, State, deposed_sort_key
from albform.engine.state.private import encode_private, split_digests

SensitivePath = tuple[str | int, ...]
_NO_SCHEMAS: Mapping[str, ResourceSchema] = MappingProxyType({})  # one object: see EncodeCache


class EncodeCache:
    """What one ``encode_state`` rendered, kept for the next, so that rewriting a state costs
    the instances changed since the last write, not the whole state (a backend keeps one; an
    apply rewrites its growing state several times). Kept from the last encode only: each
    instance's finished bytes, reused when its ``ResourceState`` is the very object encoded
    last time (they are immutable), with the same schemas mapping and the same need for
    ``albform_dependencies``. That need depends on the instances of the resources the
    instance depends on, so it is decided again only for an instance depending on a resource
    that gained or lost instances since the last encode (``instances``). What is left per
    write is a pass over the instances (grouping, order, identity checks) and one join of
    bytes. An instance can also be rendered ahead of the encode that writes it
    (``prepare_instance``). Thread-safe: encodes sharing a cache take turns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.schemas: Mapping[str, ResourceSchema] | None = None
        self.entries: dict[int, _KeptInstance] = {}
        self.instances: dict[ResourceAddress, list[ResourceAddress]] = {}
        self.render: _InstanceRenderer | None = None  # for prepare_instance, per schemas
        self.hits = 0  # instances reused by the last encode (for tests)


class _KeptInstance(NamedTuple):
    state: ResourceState
    exact: bool  # whether ``albform_dependencies`` is written (``_exact_dependencies``)
    raw: Raw
    needs: frozenset[ResourceAddress]  # the resources of its dependencies


def encode_state(state: State, schemas: Mapping[str, ResourceSchema] | None = None, *,
                 cache: EncodeCache | None = None) -> bytes:
    """Terraform v4 JSON for ``state``; sensitive values (per ``schemas``) are withheld.
    ``cache`` only saves work: the bytes are the same with or without it."""
    if cache is None:
        return _encode_state(state, schemas or _NO_SCHEMAS, None)
    with cache.lock:
        return _encode_state(state, schemas or _NO_SCHEMAS, cache)


def prepare_instance(r: ResourceState, schemas: Mapping[str, ResourceSchema] | None,
                     cache: EncodeCache) -> None:
    """Render ``r`` into ``cache`` now, on the caller's thread, so that the next
    ``encode_state`` with these ``schemas`` reuses it instead of rendering it (an apply's
    workers call this as each object is done: the final state write, which nothing overlaps,
    then renders nothing). The need for ``albform_dependencies`` is decided against the
    instances of the last encode, as for any kept instance, so the next encode decides it
    again exactly when it would for one. Only saves work: it does nothing before a first
    encode, when an encode ran meanwhile, or when one is under way (it never waits for one)."""
    schemas = schemas or _NO_SCHEMAS
    instances, render = cache.instances, cache.render
    if cache.schemas is not schemas or render is None or id(r) in cache.entries:
        return
    kept = _kept(r, _exact_dependencies(r, instances), render)
    if cache.lock.acquire(blocking=False):
        try:
            if cache.instances is instances and cache.schemas is schemas:
                cache.entries[id(r)] = kept
        finally:
            cache.lock.release()


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
        return dump_bytes(doc, end="\n")
    except (TypeError, ValueError) as exc:
        # A value that is not JSON (UNKNOWN, a set, NaN) reaching state is a bug upstream.
        raise ValueError(f"state holds a value that is not JSON: {exc}") from exc


def _encode_output(out: OutputState) -> dict[str, Any]:
    if out.sensitive:  # withheld: see the module docstring
        return {"value": None, "type": Canonical(out.type), "sensitive": True}
    return {"value": Canonical(out.value), "type": Canonical(out.type)}


_GroupKey = tuple[str, str, str, str, str]


def _group_key(r: ResourceState) -> _GroupKey:
    return (r.address.module_path, r.address.mode, r.address.type, r.address.name, r.provider)


# Nesting level of an instance object in the document: top object (0) > "resources" list (1)
# > resource object (2) > "instances" list (3) > instance (4). The writer checks it on reuse.
_INSTANCE_LEVEL = 4


def _encode_resources(resources: Iterable[ResourceState],
                      schemas: Mapping[str, ResourceSchema],
                      cache: EncodeCache | None) -> list[Any]:
    groups: dict[_GroupKey, list[ResourceState]] = {}
    for r in resources:
        groups.setdefault(_group_key(r), []).append(r)
    instances = instances_by_resource(r for g in groups.values() for r in g
                                       if r.deposed is None)
    out: list[Any] = []
    if cache is None:
        render = _InstanceRenderer(schemas)
        for key in sorted(groups):
            out.append(_resource_entry(key, [
                render(r, _exact_dependencies(r, instances)) for r in _members(groups[key])]))
        return out
    if cache.schemas is not schemas or cache.render is None:
        cache.schemas, cache.entries, cache.instances = schemas, {}, {}
        cache.render = _InstanceRenderer(schemas)
    render = cache.render
    changed = _changed_resources(cache.instances, instances)
    reuse, cache.entries, cache.hits, cache.instances = cache.entries, {}, 0, instances
    # Terraform's sortResourcesV4: module string, then mode ("data" < "managed"), type, name.
    for key in sorted(groups):
        raws: list[Raw] = []
        for r in _members(groups[key]):
            kept = reuse.get(id(r))
            if kept is None or kept.state is not r:
                kept = _kept(r, _exact_dependencies(r, instances), render)
            elif changed.isdisjoint(kept.needs):
                cache.hits += 1
            else:  # decided again once (it may still hold)
                exact = _exact_dependencies(r, instances)
                if exact == kept.exact:
                    cache.hits += 1
                else:
                    kept = _kept(r, exact, render)
            cache.entries[id(r)] = kept
            raws.append(kept.raw)
        out.append(_resource_entry(key, raws))
    return out


def _kept(r: ResourceState, exact: bool, render: _InstanceRenderer) -> _KeptInstance:
    """``r`` rendered for reuse, with what decides whether it may be reused."""
    return _KeptInstance(r, exact, render_at(render(r, exact), _INSTANCE_LEVEL), _needs(r))


def _members(group: list[ResourceState]) -> list[ResourceState]:
    """A resource's objects in the file's order: instances by key, each one's deposed after."""
    return group if len(group) == 1 else sorted(group, key=deposed_sort_key)


def _resource_entry(key: _GroupKey, instances: list[Any]) -> dict[str, Any]:
    module, mode, type_, name, provider = key
    entry: dict[str, Any] = {"module": module} if module else {}
    entry.update(mode=mode, type=type_, name=name, provider=provider, instances=instances)
    return entry


class _InstanceRenderer:
    """``_encode_instance`` with each type's schema facts looked up once per encode, and
    only for types that have an instance to encode (a cached write looks up none)."""

    def __init__(self, schemas: Mapping[str, ResourceSchema]) -> None:
        self._schemas = schemas
        self._facts: dict[tuple[str, str], tuple[list[tuple[str, ...]], StateForm | None]] = {}

    def __call__(self, r: ResourceState, exact: bool) -> dict[str, Any]:
        mode, type_ = r.address.mode, r.address.type
        facts = self._facts.get((mode, type_))
        if facts is None:
            schema = schema_for(self._schemas, mode, type_)
            facts = ([], None) if schema is None else \
                (schema.sensitive_paths(), schema.state_form)
            self._facts[(mode, type_)] = facts
        return _encode_instance(r, facts[0], exact, facts[1])


def _changed_resources(before: Mapping[ResourceAddress, list[ResourceAddress]],
                       now: Mapping[ResourceAddress, list[ResourceAddress]]
                       ) -> set[ResourceAddress]:
    """The resources whose instances differ between two encodes (gained, lost, new, gone).
    The lists hold the very address objects of unchanged instances, so comparing them is
    mostly identity checks."""
    changed = {resource for resource, members in now.items()
               if before.get(resource) != members}
    changed.update(resource for resource in before if resource not in now)
    return changed


def _needs(r: ResourceState) -> frozenset[ResourceAddress]:
    """The resources whose instances decide ``_exact_dependencies(r, ...)``."""
    return frozenset(resource_of(d) for d in r.dependencies)


def schema_for(schemas: Mapping[str, ResourceSchema], mode: str,
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
    resources = list(dict.fromkeys(resource_of(d) for d in r.dependencies))
    # Counted first: a cluster's virtual services each depend on a resource of 10,000 pool
    # instances and name one of them; expanding it for each of them made every state write
    # quadratic. Resources' instance lists are disjoint, so the expansion's length is the sum.
    mine = resource_of(r.address)
    length = sum(len(instances.get(d, (d,))) for d in resources if d != mine)
    if length != len(r.dependencies):
        return True
    return expand(r.address, resources, instances) != r.dependencies


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
    if digests or r.mark is not None:
        extra = {**extra, "private": encode_private(extra.get("private"), digests, r.mark)}
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
        resources = list(dict.fromkeys(resource_of(d) for d in r.dependencies))
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
