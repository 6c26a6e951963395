"""Terraform's resource-level ``dependencies`` and albform's instance-level ones.

Terraform's reader accepts resource addresses without instance keys there; albform orders
deletes per instance. The state codec (``engine/state/codec.py``, rules in its docstring) writes
the resource-level list and, when expanding it would not give the instance list back, the exact
one under ``albform_dependencies``; a file without them gets each resource expanded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.state.model import ResourceState


def resource_of(address: ResourceAddress) -> ResourceAddress:
    """Terraform's form of a dependency: the resource, no module or instance keys."""
    if address.key is None and (not address.module
                                or all(s.key is None for s in address.module)):
        return address  # already that form (the usual case): no new object per call
    return ResourceAddress(address.type, address.name, None,
                           tuple(ModuleStep(s.name) for s in address.module), address.mode)


def instances_by_resource(resources: Iterable[ResourceState]
                           ) -> dict[ResourceAddress, list[ResourceAddress]]:
    out: dict[ResourceAddress, list[ResourceAddress]] = {}
    for r in resources:
        out.setdefault(resource_of(r.address), []).append(r.address)
    for members in out.values():
        if len(members) > 1:
            members.sort(key=ResourceAddress.sort_key)
    return out


def expand(own: ResourceAddress, deps: Iterable[ResourceAddress],
            instances: Mapping[ResourceAddress, list[ResourceAddress]]
            ) -> tuple[ResourceAddress, ...]:
    """Resource-level dependencies as instances in the state (see the module docstring):
    the object's own resource is left out, a resource not in the state is kept as named."""
    mine = resource_of(own)
    out: dict[ResourceAddress, None] = {}
    for d in deps:
        if d != mine:
            out.update(dict.fromkeys(instances.get(d, [d])))
    return tuple(out)
