"""Which Avi objects the cluster's CRDs name, so that a caller holding a controller can say
which of them exist (``ControllerFacts.avi_objects``) before translating."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from albform.modules.k8s import hostrule, httprule, infrasetting, l4rule, l7rule, ssorule
from albform.modules.k8s.crd_status import AviRef
from albform.modules.k8s.ingest import KubeObject

_BY_KIND: dict[str, Callable[[KubeObject], list[AviRef]]] = {
    hostrule.KIND: hostrule.references,
    httprule.KIND: httprule.references,
    infrasetting.KIND: infrasetting.references,
    l4rule.KIND: l4rule.references,
    l7rule.KIND: l7rule.references,
    ssorule.KIND: ssorule.references,
}


def avi_references(objects: Iterable[KubeObject | Mapping[str, Any]]
                   ) -> list[tuple[str, str]]:
    """(api type, name) of every Avi object a CRD names, sorted, without repeats."""
    found: set[tuple[str, str]] = set()
    for raw in objects:
        obj = raw if isinstance(raw, KubeObject) else KubeObject(raw)
        refs = _BY_KIND.get(obj.kind)
        if refs is not None:
            found.update((r.api_type, r.name) for r in refs(obj) if r.name)
    return sorted(found)
