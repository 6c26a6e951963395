"""CRD status as AKO sets it (``status.status`` Accepted/Rejected plus ``status.error``), and
the one place CRD problems become diagnostics.

AKO validates every HostRule, HTTPRule, AviInfraSetting and L4Rule when it sees it
(internal/k8s/validator.go ``Validate*Obj``) and applies only Accepted ones. ``CrdStatuses``
records the outcome per object, in the order the objects were validated, for ``cluster
render``; a rejection is a warning naming the object and AKO's reason, except a reference to
an Avi object the controller lacks, which is an error (the plan would silently lose the WAF
policy, certificate, profile... the user asked for).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.ingest import KubeObject

ACCEPTED = "Accepted"
REJECTED = "Rejected"


@dataclass(frozen=True, slots=True)
class CrdStatus:
    kind: str
    namespace: str  # "" for cluster-scoped kinds (AviInfraSetting)
    name: str
    status: str  # ACCEPTED | REJECTED
    error: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name,
                "status": self.status, "error": self.error}


@dataclass(frozen=True, slots=True)
class AviRef:
    """A CRD field naming an Avi object: the field path as the user wrote it, the Avi API
    type AKO looks it up as (``refModelMap`` in crdcontroller.go) and the name."""

    field: str
    api_type: str
    name: str


def as_dict(value: Any) -> dict[str, Any]:
    """A CRD spec field that should be an object: a mistyped one reads as empty."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A CRD spec field that should be a list: a mistyped one reads as empty."""
    return value if isinstance(value, list) else []


def is_ip(value: str) -> bool:
    """AKO's ``net.ParseIP`` / ``IPRegex`` checks of a CRD's loadBalancerIP."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def creation_order(objs: list[KubeObject]) -> list[KubeObject]:
    """AKO validates CRDs as its informer delivers them: creation order. Manifests without a
    ``creationTimestamp`` keep file order (stable sort)."""
    return sorted(objs, key=lambda o: str(o.metadata.get("creationTimestamp") or ""))


def object_label(kind: str, obj: KubeObject, *, cluster_scoped: bool = False) -> str:
    return f"{kind} {obj.name}" if cluster_scoped else f"{kind} {obj.namespace}/{obj.name}"


class CrdStatuses:
    """Collects statuses and the diagnostics that go with them."""

    def __init__(self, facts: ControllerFacts, diags: Diagnostics) -> None:
        self.facts = facts
        self.diags = diags
        self.items: list[CrdStatus] = []

    def accept(self, kind: str, obj: KubeObject, *, cluster_scoped: bool = False) -> None:
        self.items.append(CrdStatus(kind, "" if cluster_scoped else obj.namespace, obj.name,
                                    ACCEPTED))

    def reject(self, kind: str, obj: KubeObject, error: str, *,
               cluster_scoped: bool = False, consequence: str = "") -> None:
        """A rejection AKO would report in ``status.error``: a warning, the CRD is ignored."""
        self.items.append(CrdStatus(kind, "" if cluster_scoped else obj.namespace, obj.name,
                                    REJECTED, error))
        what = object_label(kind, obj, cluster_scoped=cluster_scoped)
        self.diags.warning(f"{kind} rejected",
                           f"{what} is Rejected as AKO would reject it: {error}."
                           + (f" {consequence}" if consequence else ""), subject=obj.source)

    def missing_ref(self, refs: Sequence[AviRef]) -> str:
        """AKO's error for the first named Avi object the controller lacks, or ""."""
        for ref in refs:
            if ref.name and not self.facts.has_object(ref.api_type, ref.name):
                return f'{ref.api_type} "{ref.name}" not found on controller'
        return ""

    def check_refs(self, kind: str, obj: KubeObject, refs: Sequence[AviRef], *,
                   cluster_scoped: bool = False) -> bool:
        """``checkRefsOnController``: True when every named Avi object exists. The first
        missing one rejects the CRD with AKO's message and is an error naming the field."""
        for ref in refs:
            if ref.name and not self.facts.has_object(ref.api_type, ref.name):
                error = f'{ref.api_type} "{ref.name}" not found on controller'
                self.items.append(CrdStatus(kind, "" if cluster_scoped else obj.namespace,
                                            obj.name, REJECTED, error))
                what = object_label(kind, obj, cluster_scoped=cluster_scoped)
                self.diags.error(
                    "CRD references a missing Avi object",
                    f"{what}: {ref.field} names the {ref.api_type} {ref.name!r}, which the "
                    f"controller does not have. AKO marks the {kind} Rejected ({error}) and "
                    "applies none of it; create the object or fix the name.",
                    subject=obj.source)
                return False
        return True
