"""Unmanaged objects: on the controller, carrying the ownership markers of the objects a state
manages, but not in that state (driftctl's "unmanaged" class).

The markers are read from the state itself, so only objects that belong to the same owner are
reported: AKO's ``created_by`` (``ako-<cluster>``, which albform's cluster mode sets the same
way) and the ``clustername`` marker. A state with no markers (plain HCL) has no owner to match,
so nothing is reported as unmanaged (``None``: not looked for). Objects of the types the state
manages are listed (one paged collection read per type); partial types are parts of their
parent and are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.drift import UnmanagedObject
from albform.engine.state.model import State
from albform.provider.resources.provider import AviProvider
from albform.provider.resources.registry import PARTIAL_TYPES

AKO_OWNER_PREFIX = "ako-"
CLUSTER_MARKER = "clustername"


def _clusters(attributes: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for marker in attributes.get("markers") or ():
        if isinstance(marker, Mapping) and marker.get("key") == CLUSTER_MARKER:
            found.update(str(v) for v in marker.get("values") or ())
    return found


def _owner(obj: Mapping[str, Any], owners: set[str], clusters: set[str]) -> str | None:
    created_by = obj.get("created_by")
    if isinstance(created_by, str) and created_by in owners:
        return f"created_by {created_by}"
    shared = _clusters(obj) & clusters
    return f"marker {CLUSTER_MARKER}={sorted(shared)[0]}" if shared else None


def find_unmanaged(provider: AviProvider, state: State) -> list[UnmanagedObject] | None:
    """Objects with this state's markers that the state does not hold, by type then name;
    None when the state carries no markers."""
    current = [r for r in state.resources if r.deposed is None and not r.address.is_data]
    owners = {str(r.attributes["created_by"]) for r in current
              if str(r.attributes.get("created_by") or "").startswith(AKO_OWNER_PREFIX)}
    clusters = set().union(*(_clusters(r.attributes) for r in current))
    if not owners and not clusters:
        return None
    known = {str(r.attributes.get("uuid")) for r in state.resources}
    found: list[UnmanagedObject] = []
    for tf_type in sorted({r.address.type for r in current} - set(PARTIAL_TYPES)):
        api_type = provider.registry.api_type(tf_type)
        for obj in provider.api.list_objects(api_type, {}):
            owner = _owner(obj, owners, clusters)
            if owner is not None and str(obj.get("uuid")) not in known:
                found.append(UnmanagedObject(tf_type, str(obj.get("name", "")),
                                             str(obj.get("uuid", "")), owner))
    return sorted(found, key=lambda u: (u.type, u.name))
