"""The dependency graph of the configured resources, as planning walks it.

``config_graph(resources)`` is built once per plan: by ``planning_ahead``'s helper thread while
the refresh runs (it orders its own work by it), else by the planner (``planning._plan_config``,
which takes the helper's when there is one). Building it is pure: what it finds wrong (a
reference to an undeclared resource, a cycle) is returned as diagnostics, which the planner
reports where it always did, after the refresh's.

Vertices are positions in ``resources`` (ints hash far faster than addresses, which matters at
50,000 resources). An edge goes from a resource to each resource its ``Deferred`` values refer
to and each one it ``depends_on``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import ResourceConfig
from albform.engine.diagnostics import Diagnostics
from albform.engine.graph import CycleError, Graph
from albform.engine.values import PLAIN_TYPES, Deferred


@dataclass(frozen=True)
class ConfigGraph:
    """``resources``' dependency graph; ``order`` is a topological order of it (dependencies
    first), None when it has a cycle (``diags`` says which). ``referring``: the positions
    of the resources holding a ``Deferred``, which are evaluated before they are planned."""

    resources: Sequence[ResourceConfig]
    graph: Graph[int]
    order: list[int] | None
    referring: frozenset[int]
    diags: Diagnostics = field(default_factory=Diagnostics)

    def by_level(self) -> list[int]:
        """The positions in ``order``, those without dependencies first, then those whose
        dependencies all come before, and so on (stable within a level); empty when there is
        no order."""
        if self.order is None:
            return []
        level: dict[int, int] = {}
        dependencies = self.graph.dependencies
        for i in self.order:  # dependencies first: each one's level is known already
            level[i] = 1 + max((level[j] for j in dependencies(i)), default=-1)
        return sorted(self.order, key=level.__getitem__)


def config_graph(resources: Sequence[ResourceConfig]) -> ConfigGraph:
    """The dependency graph of ``resources`` (see the module docstring)."""
    diags = Diagnostics()
    index = {r.address: i for i, r in enumerate(resources)}
    graph: Graph[int] = Graph(range(len(resources)))
    referring: set[int] = set()
    for i, r in enumerate(resources):
        refs: set[ResourceAddress] = set()
        if _find_deferred(r.attributes, refs):
            referring.add(i)
        refs.update(r.depends_on)
        refs.discard(r.address)
        for dep in refs:
            j = index.get(dep)
            if j is not None:
                graph.connect(i, j)
            else:
                diags.error("Reference to undeclared resource",
                            f"{r.address} refers to {dep}, which is not declared in the "
                            "configuration.", subject=r.source, address=r.address)
    try:
        order: list[int] | None = graph.topological_order()
    except CycleError as exc:
        order = None
        for cycle in exc.cycles:
            diags.error("Dependency cycle", "Cycle: " + " → ".join(
                str(resources[i].address) for i in cycle))
    return ConfigGraph(resources, graph, order, frozenset(referring), diags)


def _find_deferred(value: Any, refs: set[ResourceAddress]) -> bool:
    """Collect the references of every ``Deferred`` in ``value``; True if there is one
    (a Deferred may refer to nothing, and still needs evaluating)."""
    if isinstance(value, Deferred):
        refs.update(value.references)
        return True
    return _deferred_in(value.values() if isinstance(value, dict | Mapping) else value, refs)


def _deferred_in(values: Iterable[Any], refs: set[ResourceAddress]) -> bool:
    # Every configured value is walked once per plan (60,000 bodies at cluster scale): exact
    # type tests first, so that most values cost no call and no ABC instance check. Descends
    # into what ``resolve_deferred`` descends into: dicts and lists.
    found = False
    for v in values:
        kind = type(v)
        if kind is dict:
            found = _deferred_in(v.values(), refs) or found
        elif kind is list:
            found = _deferred_in(v, refs) or found
        elif kind in PLAIN_TYPES:
            continue
        elif isinstance(v, Deferred):
            refs.update(v.references)
            found = True
        elif isinstance(v, dict):
            found = _deferred_in(v.values(), refs) or found
        elif isinstance(v, list):
            found = _deferred_in(v, refs) or found
    return found
