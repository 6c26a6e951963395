"""The JSON bodies AMKO sends to the GSLB leader: ``GslbService`` (``AviGSBuild``) and its
health monitors (``AviGsHmBuild``) in AMKO ``gslb/rest/dq_nodes.go``.

``GsPlan`` is one GslbService's resolved model (AMKO's ``AviGSObjectGraph`` after
``setGSLBPropertiesForGS``); the builders here only lay it out. Members sharing an IP are sent
once (``GetUniqueMemberObjs``); one group per priority, highest priority first.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from albform.modules.gslb import naming
from albform.modules.gslb.amko import (
    CONSISTENT_HASH,
    DOWN_FALLBACK_IP,
    GEO,
    RR,
    TOPOLOGY,
    DownResponse,
    PoolAlgorithm,
)

HTTP_TYPE, HTTPS_TYPE = "HEALTH_MONITOR_HTTP", "HEALTH_MONITOR_HTTPS"
TCP_TYPE, UDP_TYPE = "HEALTH_MONITOR_TCP", "HEALTH_MONITOR_UDP"


@dataclass(frozen=True, slots=True)
class GsMember:
    """One pool member: a VS on a site (``cluster_uuid``/``vs_uuid``) or a VIP only."""

    ip: str
    ratio: int
    priority: int
    cluster_uuid: str = ""  # "" = sync the VIP only (syncVipOnly, third-party members)
    vs_uuid: str = ""
    public_ip: str = ""


@dataclass(frozen=True, slots=True)
class HealthMonitor:
    name: str
    type: str
    port: int
    description: str
    path: str = ""  # HTTP(S) monitors only


@dataclass(frozen=True, slots=True)
class GsPlan:
    name: str
    tenant: str
    domain_names: tuple[str, ...]
    members: tuple[GsMember, ...]
    description: str
    created_by: str
    monitors: tuple[HealthMonitor, ...]  # AMKO-created monitors this GS uses
    hm_refs: tuple[str, ...]  # user monitors (GDP/GSLBHostRule healthMonitorRefs)
    control_plane_hm_only: bool
    ttl: int | None
    site_persistence_ref: str | None
    pki_profile_ref: str | None
    pool_algorithm: PoolAlgorithm
    down_response: DownResponse | None


def tenant_ref(tenant: str) -> str:
    return f"/api/tenant/?name={tenant}"


def _ip(addr: str) -> dict[str, str]:
    return {"addr": addr, "type": "V4" if ipaddress.ip_address(addr).version == 4 else "V6"}


def _member(m: GsMember) -> dict[str, Any]:
    body: dict[str, Any] = {"enabled": True, "ratio": m.ratio, "ip": _ip(m.ip)}
    if m.cluster_uuid:
        body["cluster_uuid"] = m.cluster_uuid
        body["vs_uuid"] = m.vs_uuid
    if m.public_ip:
        body["public_ip"] = {"ip": _ip(m.public_ip)}
    return body


def _algorithm(pa: PoolAlgorithm) -> dict[str, Any]:
    """AMKO's ``getGSPoolAlgorithmSettings``."""
    if pa.lb_algorithm in (RR, TOPOLOGY):
        return {"algorithm": pa.lb_algorithm}
    if pa.lb_algorithm == CONSISTENT_HASH:
        return {"algorithm": pa.lb_algorithm, "consistent_hash_mask": pa.hash_mask}
    assert pa.lb_algorithm == GEO
    out: dict[str, Any] = {"algorithm": GEO, "fallback_algorithm": pa.fallback_algorithm}
    if pa.fallback_hash_mask is not None:
        out["consistent_hash_mask"] = pa.fallback_hash_mask
    return out


def _groups(gs: GsPlan) -> list[dict[str, Any]]:
    """``buildGslbSvcGroups``: one group per priority. AMKO walks a Go map (random order);
    albform orders groups by priority, highest first (DECISIONS.md)."""
    unique: dict[str, GsMember] = {}
    for m in gs.members:
        unique.setdefault(m.ip, m)
    groups = []
    for priority in sorted({m.priority for m in unique.values()}, reverse=True):
        groups.append({
            **_algorithm(gs.pool_algorithm),
            "enabled": True,
            "members": [_member(m) for m in unique.values() if m.priority == priority],
            "name": naming.group_name(priority),
            "priority": priority,
            "min_health_monitors_up": 1 if gs.control_plane_hm_only else 2,
        })
    if gs.hm_refs and groups:
        groups[0]["min_health_monitors_up"] = len(gs.hm_refs) + 1
    return groups


def gslbservice_body(gs: GsPlan) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": gs.name,
        "tenant_ref": tenant_ref(gs.tenant),
        "controller_health_status_enabled": True,
        "created_by": gs.created_by,
        "description": gs.description,
        "domain_names": list(gs.domain_names),
        "enabled": True,
        "groups": _groups(gs),
        "health_monitor_scope": "GSLB_SERVICE_HEALTH_MONITOR_ALL_MEMBERS",
        "is_federated": True,
        "min_members": 0,
        "pool_algorithm": "GSLB_SERVICE_ALGORITHM_PRIORITY",
        "resolve_cname": False,
        "use_edns_client_subnet": True,
        "wildcard_match": False,
    }
    if gs.ttl is not None:
        body["ttl"] = gs.ttl
    body["site_persistence_enabled"] = gs.site_persistence_ref is not None
    if gs.site_persistence_ref is not None:
        body["application_persistence_profile_ref"] = (
            f"/api/applicationpersistenceprofile?name={gs.site_persistence_ref}")
        if gs.pki_profile_ref is not None:
            body["pki_profile_ref"] = f"/api/pkiprofile?name={gs.pki_profile_ref}"
    refs = gs.hm_refs or tuple(hm.name for hm in gs.monitors)
    if refs:
        body["health_monitor_refs"] = [f"/api/healthmonitor?name={r}" for r in refs]
    if gs.down_response is not None:
        down: dict[str, Any] = {"type": gs.down_response.type}
        if gs.down_response.type == DOWN_FALLBACK_IP:
            down["fallback_ip"] = _ip(gs.down_response.fallback_ip)
        body["down_response"] = down
    return body


def healthmonitor_body(hm: HealthMonitor, tenant: str, created_by: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": hm.name,
        "tenant_ref": tenant_ref(tenant),
        "type": hm.type,
        "is_federated": True,
        "allow_duplicate_monitors": True,
        "description": hm.description,
        "send_interval": 10,
        "receive_timeout": 4,
        "successful_checks": 3,
        "failed_checks": 3,
        "monitor_port": hm.port,
        "markers": [{"key": naming.CREATED_BY_LABEL, "values": [created_by]}],
    }
    if hm.type in (HTTP_TYPE, HTTPS_TYPE):
        http = {"http_request": f"HEAD {hm.path} HTTP/1.0",
                "http_response_code": ["HTTP_2XX", "HTTP_3XX"]}
        body["http_monitor" if hm.type == HTTP_TYPE else "https_monitor"] = http
    elif hm.type == UDP_TYPE:
        body["udp_monitor"] = {"udp_request": "created_by: amko, request string not required"}
    else:
        body["tcp_monitor"] = {"tcp_half_open": False}
    return body
