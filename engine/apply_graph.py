"""The execution graph of an apply: one ``Step`` per provider operation, ordered by
Terraform's rules (``build_apply_graph``; ``apply_plan`` walks it).

* create/update/read of X run after the create/update/read of everything X's configuration
  depends on (``ResourceConfig.dependencies()``);
* deletes run in reverse dependency order of the *prior state*: the delete of Y waits for the
  delete, the deposed-delete and the update of every X whose state depended on Y (an update
  that drops the reference must land before the referenced object can go);
* delete-then-create (the default replacement): the create waits for the delete;
  create-then-delete (``create_before_destroy``): the old object is deposed, and deleted only
  after the new one exists and after the dependents' updates;
* a deposed object left over from an earlier, interrupted replacement (a change with
  ``deposed`` set) is deleted like any object of the prior state: after the updates and
  deletes of the objects that depended on its address, before the deletes of what it
  depended on;
* Avi names are unique per type, so a create waits for the delete of a prior object of the
  same type and name (a resource moved in configuration but not renamed on the controller),
  unless that would make a cycle.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, ResourceChange
from albform.engine.config import ResourceConfig
from albform.engine.graph import Graph
from albform.engine.provider import Provider, object_id
from albform.engine.state.model import ResourceState

DeposedId = tuple[ResourceAddress, str]

StepKind = Literal["create", "update", "read", "delete", "delete_deposed", "import"]

_KIND_ORDER = {"import": 0, "delete": 1, "read": 2, "create": 3, "update": 4,
               "delete_deposed": 5}
_HOOK_ACTION = {"create": Action.CREATE, "update": Action.UPDATE, "read": Action.READ,
                "delete": Action.DELETE, "delete_deposed": Action.DELETE,
                "import": Action.READ}


@dataclass(frozen=True, slots=True, eq=False)
class Step:
    """One provider operation on one resource instance."""

    address: ResourceAddress
    kind: StepKind
    # The deposed key of a leftover deposed object's delete; ``None`` for the delete of the
    # object this apply deposes itself (its key is made when the replacement starts).
    deposed: str | None = None
    # Steps are hashed at every graph operation; an address hashes a 5-tuple each time.
    _hash: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.address, self.kind, self.deposed)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Step) and self._hash == other._hash \
            and self.kind == other.kind and self.address == other.address \
            and self.deposed == other.deposed

    @property
    def action(self) -> Action:
        """The action reported to hooks (a replacement reports its two halves)."""
        return _HOOK_ACTION[self.kind]

    def sort_key(self) -> tuple[object, ...]:
        return (self.address.sort_key(), _KIND_ORDER[self.kind], self.deposed or "")

    def __str__(self) -> str:
        if self.deposed is not None:
            return f"{self.address} (deposed object {self.deposed})"
        return f"{self.address} ({self.kind})"


def steps_of(change: ResourceChange) -> list[Step]:
    """The steps one change needs, in the order they must run."""
    a = change.address
    if change.deposed is not None:
        return [Step(a, "delete_deposed", change.deposed)]
    out: list[Step] = []
    if change.importing_id is not None:
        out.append(Step(a, "import"))
    action = change.action
    if action is Action.CREATE:
        out.append(Step(a, "create"))
    elif action is Action.UPDATE:
        out.append(Step(a, "update"))
    elif action is Action.READ:
        out.append(Step(a, "read"))
    elif action is Action.DELETE:
        out.append(Step(a, "delete"))
    elif action is Action.DELETE_THEN_CREATE:
        out += [Step(a, "delete"), Step(a, "create")]
    elif action is Action.CREATE_THEN_DELETE:
        out += [Step(a, "create"), Step(a, "delete_deposed")]
    return out


def build_apply_graph(changes: Iterable[ResourceChange],
                      configs: Mapping[ResourceAddress, ResourceConfig],
                      prior: Mapping[ResourceAddress, ResourceState],
                      prior_deposed: Mapping[DeposedId, ResourceState],
                      provider: Provider) -> Graph[Step]:
    """The step graph for ``changes`` (deposed-object deletes included; ``prior_deposed``
    gives their state). ``provider`` says which object a ref names (``ref_id``; no I/O).
    It may have cycles (mixed create_before_destroy); ``walk`` raises
    ``graph.CycleError`` for them before running anything."""
    ordered = sorted(changes, key=lambda c: (c.address.sort_key(), c.deposed or ""))
    graph: Graph[Step] = Graph()
    by_address: dict[ResourceAddress, dict[StepKind, Step]] = {}
    leftovers: dict[ResourceAddress, list[Step]] = {}
    for change in ordered:
        if change.deposed is not None:
            step = Step(change.address, "delete_deposed", change.deposed)
            graph.add(step)
            leftovers.setdefault(change.address, []).append(step)
            continue
        steps = steps_of(change)
        by_address[change.address] = {s.kind: s for s in steps}
        for s in steps:
            graph.add(s)
        for earlier, later in itertools.pairwise(steps):
            graph.connect(later, earlier)
    instances = _instances_by_resource(by_address)

    def lookup(dep: ResourceAddress) -> list[dict[StepKind, Step]]:
        if dep in by_address:
            return [by_address[dep]]
        # A reference to a whole resource (splat, depends_on) waits for all its instances.
        return [by_address[a] for a in instances.get(dep, ())] if dep.key is None else []

    for address, own in by_address.items():
        config = configs.get(address)
        writes = [own[k] for k in ("create", "update", "read") if k in own]
        if config is None or not writes:
            continue
        for dep in config.dependencies():
            for dep_steps in lookup(dep):
                target = dep_steps.get("update") or dep_steps.get("create") \
                    or dep_steps.get("read") or dep_steps.get("import")
                if target is not None:
                    for w in writes:
                        graph.connect(w, target)

    _connect_deletes(graph, by_address, prior, leftovers)
    _connect_leftovers(graph, by_address, leftovers, prior_deposed)
    _connect_dropped_refs(graph, ordered, by_address, prior, leftovers, prior_deposed,
                          provider)
    _connect_name_reuse(graph, by_address, configs, prior)
    return graph


def _instances_by_resource(by_address: Mapping[ResourceAddress, object],
                           ) -> dict[ResourceAddress, list[ResourceAddress]]:
    out: dict[ResourceAddress, list[ResourceAddress]] = {}
    for a in by_address:
        if a.key is not None:
            out.setdefault(a.resource(), []).append(a)
    return out


def _connect_deletes(graph: Graph[Step],
                     by_address: Mapping[ResourceAddress, Mapping[StepKind, Step]],
                     prior: Mapping[ResourceAddress, ResourceState],
                     leftovers: Mapping[ResourceAddress, list[Step]]) -> None:
    for address, state in prior.items():
        mine = by_address.get(address)
        if mine is None:
            continue
        # What must finish before something this object depended on may be deleted.
        before = [mine[k] for k in ("delete", "delete_deposed", "update") if k in mine]
        if not before:
            continue
        for dep in state.dependencies:
            dep_steps = by_address.get(dep, {})
            deletes = [dep_steps[k] for k in ("delete", "delete_deposed") if k in dep_steps]
            for d in (*deletes, *leftovers.get(dep, ())):
                for b in before:
                    if b.address != dep:
                        graph.connect(d, b)


def _connect_leftovers(graph: Graph[Step],
                       by_address: Mapping[ResourceAddress, Mapping[StepKind, Step]],
                       leftovers: Mapping[ResourceAddress, list[Step]],
                       prior_deposed: Mapping[DeposedId, ResourceState]) -> None:
    """A leftover deposed object goes before the deletes of what *it* depended on."""
    for steps in leftovers.values():
        for step in steps:
            state = prior_deposed.get((step.address, step.deposed or ""))
            if state is None:
                continue
            for dep in state.dependencies:
                if dep == step.address:
                    continue
                dep_steps = by_address.get(dep, {})
                for k in ("delete", "delete_deposed"):
                    if k in dep_steps:
                        graph.connect(dep_steps[k], step)
                for other in leftovers.get(dep, ()):
                    graph.connect(other, step)


def _connect_dropped_refs(graph: Graph[Step], changes: Iterable[ResourceChange],
                          by_address: Mapping[ResourceAddress, Mapping[StepKind, Step]],
                          prior: Mapping[ResourceAddress, ResourceState],
                          leftovers: Mapping[ResourceAddress, list[Step]],
                          prior_deposed: Mapping[DeposedId, ResourceState],
                          provider: Provider) -> None:
    """An update that drops a reference to an object this apply deletes runs before that
    delete, even when no stored dependency says so (a ref added on the controller by hand or
    through an import): the controller refuses to delete an object still referred to."""
    doomed: dict[str, list[Step]] = {}

    def note(state: ResourceState | None, step: Step) -> None:
        ident = object_id(provider, step.address.type, state.attributes) \
            if state is not None else None
        if ident is not None:
            doomed.setdefault(ident, []).append(step)

    for address, steps in by_address.items():
        for kind in ("delete", "delete_deposed"):
            if kind in steps:
                note(prior.get(address), steps[kind])
    for steps_left in leftovers.values():
        for step in steps_left:
            note(prior_deposed.get((step.address, step.deposed or "")), step)
    if not doomed:
        return
    for change in changes:
        update = by_address.get(change.address, {}).get("update")
        if update is None:
            continue
        for attribute in change.attribute_changes:
            kept = set(_strings(attribute.after))
            for dropped in set(_strings(attribute.before)) - kept:
                ident = provider.ref_id(dropped)
                for delete in doomed.get(ident, ()) if ident is not None else ():
                    # Skip an edge that would close a cycle; the walk reports real ones.
                    if delete.address != update.address and not _reaches(graph, update, delete):
                        graph.connect(delete, update)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _connect_name_reuse(graph: Graph[Step],
                        by_address: Mapping[ResourceAddress, Mapping[StepKind, Step]],
                        configs: Mapping[ResourceAddress, ResourceConfig],
                        prior: Mapping[ResourceAddress, ResourceState]) -> None:
    deleting: dict[tuple[str, object], Step] = {}
    for address, steps in by_address.items():
        state = prior.get(address)
        if "delete" in steps and state is not None:
            name = state.attributes.get("name")
            if isinstance(name, str):
                deleting[(address.type, name)] = steps["delete"]
    if not deleting:
        return
    for address, steps in by_address.items():
        config = configs.get(address)
        if "create" not in steps or config is None:
            continue
        name = config.attributes.get("name")
        if not isinstance(name, str):
            continue
        delete = deleting.get((address.type, name))
        # Skip the edge when the delete already (transitively) waits for this create: an
        # object that still refers to the old one is updated to the new one; ordering them
        # would be a cycle, and the controller will say what it thinks of the clash.
        if delete is not None and delete.address != address \
                and not _reaches(graph, delete, steps["create"]):
            graph.connect(steps["create"], delete)


def _reaches(graph: Graph[Step], start: Step, goal: Step) -> bool:
    """Whether ``start`` transitively depends on ``goal``."""
    seen = {start}
    stack = [start]
    while stack:
        for d in graph.dependencies(stack.pop()):
            if d == goal:
                return True
            if d not in seen:
                seen.add(d)
                stack.append(d)
    return False
