"""Dependency tiers of one type's objects in a cluster module (``cluster_module.expand``).

Terraform orders resource *blocks*, never the instances of one ``for_each`` block among
themselves. An object referring to another of its own type (an SNI or EVH child virtual
service naming its parent) therefore cannot share its parent's block: the objects of a type
are split by their same-type references into tiers — tier 0 refers to no object of its type,
tier ``n`` to at least one of tier ``n - 1`` and none deeper — and tier ``n`` gets its own
block, which ``depends_on`` the block of tier ``n - 1``.

Tier 0 keeps the front end's resource name (``ako``), so the addresses most objects have under
albform's built-in HCL module (``albform/ako``, which orders instances itself) do not change;
tier ``n`` is named ``<name>_tier<n>`` (``ako_tier1``), and a ``moved`` block carries each of
its instances over from ``<name>["<key>"]``, for Terraform and albform alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from graphlib import CycleError, TopologicalSorter


class TierCycleError(ValueError):
    """Objects of one type refer to each other in a cycle: no order can create them."""


def tier_name(name: str, tier: int) -> str:
    """The resource (block) name of ``tier``: ``name`` itself for tier 0."""
    return name if tier == 0 else f"{name}_tier{tier}"


def object_tiers(refers: Mapping[str, Set[str]]) -> dict[str, int]:
    """The tier of every key of ``refers`` (key -> the keys of its type it refers to): one
    more than the deepest tier it refers to, 0 when it refers to none. A reference to a key
    ``refers`` lacks (an object outside the module) constrains nothing. Raises
    ``TierCycleError`` naming the keys of a cycle."""
    graph = {k: sorted(d for d in refers[k] if d in refers) for k in sorted(refers)}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise TierCycleError("objects refer to each other in a cycle: "
                             + " -> ".join(reversed(err.args[1]))) from None
    tiers: dict[str, int] = {}
    for key in order:  # what a key refers to comes before it
        tiers[key] = 1 + max((tiers[d] for d in graph[key]), default=-1)
    return tiers
