"""Avi ``markers`` exactly as AKO's ``GetAllMarkers`` writes them: ``clustername`` first, then
the non-empty fields of ``AviObjectMarkers`` in their fixed Go field order (docs/ako-translation.md
§4.0)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Go field order of utils.AviObjectMarkers; list-valued fields are marked True.
_FIELDS: tuple[tuple[str, bool], ...] = (
    ("Namespace", False),
    ("Host", True),
    ("InfrasettingName", False),
    ("ServiceName", False),
    ("Path", True),
    ("Port", False),
    ("Protocol", False),
    ("IngressName", True),
    ("GatewayName", False),
)


def cluster_markers(cluster: str) -> list[dict[str, Any]]:
    """``GetMarkers()``: only the clustername marker."""
    return [{"key": "clustername", "values": [cluster]}]


def all_markers(
    cluster: str,
    *,
    namespace: str = "",
    host: Sequence[str] = (),
    infra: str = "",
    service: str = "",
    path: Sequence[str] = (),
    port: str = "",
    protocol: str = "",
    ingress: Sequence[str] = (),
    gateway: str = "",
) -> list[dict[str, Any]]:
    """``GetAllMarkers(m)``: strings skipped when "", lists when empty (``[""]`` is kept)."""
    given: dict[str, str | Sequence[str]] = {
        "Namespace": namespace, "Host": host, "InfrasettingName": infra,
        "ServiceName": service, "Path": path, "Port": port, "Protocol": protocol,
        "IngressName": ingress, "GatewayName": gateway,
    }
    out = cluster_markers(cluster)
    for key, is_list in _FIELDS:
        value = given[key]
        if is_list:
            if len(value):
                out.append({"key": key, "values": list(value)})
        elif value:
            out.append({"key": key, "values": [value]})
    return out
