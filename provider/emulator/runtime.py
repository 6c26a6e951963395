"""Virtual service runtime: server-managed VS fields, oper status and the inventory view.

A real controller adds bookkeeping to a VS after placement (``redis_db``, ``tls_ticket_key``,
``version``...) that GETs show but the POST/PUT answer does not; :func:`server_fields` keeps
them on the stored body and :data:`READ_ONLY_ON_GET` lists what write answers hide. Status
follows docs/avi-api.md §5.7: ``OPER_UP`` when enabled, traffic-enabled, with a VIP and a service;
``OPER_DISABLED`` when disabled; otherwise ``OPER_DOWN``. Tests can force a state per VS
(:meth:`RuntimeOverrides.set`).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import uuid as uuidlib
from typing import Any

from albform.provider.emulator import refs
from albform.provider.emulator.store import Store, StoredObject

Json = dict[str, Any]

READ_ONLY_ON_GET: dict[str, frozenset[str]] = {
    "virtualservice": frozenset({"marked_for_delete", "redis_db", "redis_port",
                                 "self_se_election", "tls_ticket_key", "version", "vip_runtime"}),
    "vsvip": frozenset({"vs_refs"}),
}


def server_fields(uuid: str, current: Json | None) -> Json:
    """The VS bookkeeping fields for a write: kept from ``current``, version bumped."""
    if current is not None and current.get("tls_ticket_key"):
        keys = current["tls_ticket_key"]
        version = str(int(current.get("version", "1")) + 1)
    else:
        keys = [_ticket_key() for _ in range(3)]
        version = "2"  # recorded right after creation (create + placement)
    digest = hashlib.sha256(uuid.encode()).digest()
    return {
        "marked_for_delete": False,
        "redis_db": 1 + digest[0] % 16,
        "redis_port": 5001 + digest[1] % 64,
        "self_se_election": True,
        "tls_ticket_key": keys,
        "version": version,
    }


def _ticket_key() -> Json:
    return {
        "name": str(uuidlib.uuid4()),
        "aes_key": base64.b64encode(uuidlib.uuid4().bytes).decode(),
        "hmac_key": base64.b64encode(uuidlib.uuid4().bytes).decode(),
    }


def vip_runtime(store: Store, vs: StoredObject) -> list[Json]:
    vsvip_ref = vs.body.get("vsvip_ref")
    vsvip = store.get(refs.split_canonical(vsvip_ref)[1]) if isinstance(vsvip_ref, str) else None
    vip_ids = [str(v.get("vip_id", "0")) for v in (vsvip.body.get("vip") or [])] if vsvip else []
    return [
        {"vip_id": vip_id, "num_additional_se": 0,
         "requested_resource": {"num_se": 1, "num_standby_se": 0}}
        for vip_id in vip_ids
    ]


class RuntimeOverrides:
    """Oper states forced by tests (``OPER_DOWN``, ``OPER_RESOURCES``...), by VS uuid."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._lock = threading.Lock()

    def set(self, vs_uuid: str, state: str | None) -> None:
        with self._lock:
            if state is None:
                self._states.pop(vs_uuid, None)
            else:
                self._states[vs_uuid] = state

    def get(self, vs_uuid: str) -> str | None:
        with self._lock:
            return self._states.get(vs_uuid)


def oper_state(
    store: Store, vs: StoredObject, overrides: RuntimeOverrides
) -> tuple[str, list[str]]:
    forced = overrides.get(vs.uuid)
    if forced:
        return forced, [f"State forced to {forced}"]
    body = vs.body
    if not body.get("enabled", True):
        return "OPER_DISABLED", ["Virtual Service is disabled"]
    if not body.get("traffic_enabled", True):
        return "OPER_DISABLED", ["Traffic is disabled"]
    if body.get("type") != "VS_TYPE_VH_CHILD":
        if not vip_runtime(store, vs):
            return "OPER_DOWN", ["Virtual Service has no VIP"]
        if not body.get("services"):
            return "OPER_DOWN", ["Virtual Service has no service port"]
    return "OPER_UP", []


def runtime_summary(store: Store, vs: StoredObject, overrides: RuntimeOverrides) -> Json:
    """The ``/api/virtualservice/<uuid>/runtime/`` answer (a VsRuntimeSummary-like dict)."""
    state, reasons = oper_state(store, vs, overrides)
    now = time.time()
    up = state == "OPER_UP"
    vsvip_ref = vs.body.get("vsvip_ref")
    vsvip = store.get(refs.split_canonical(vsvip_ref)[1]) if isinstance(vsvip_ref, str) else None
    vip_summary = []
    for vip in (vsvip.body.get("vip") or []) if vsvip else []:
        vip_summary.append({
            "vip_id": str(vip.get("vip_id", "0")),
            "ip_address": vip.get("ip_address"),
            "oper_status": {"state": state},
            "num_se_assigned": 1 if up else 0,
            "num_se_requested": 1,
            "service_engine": [{"name": "Avi-se-emulated", "primary": True, "standby": False,
                                "connected": True, "oper_status": {"state": "OPER_UP"}}]
            if up else [],
        })
    return {
        "uuid": vs.uuid,
        "name": vs.name,
        "oper_status": {
            "state": state,
            "reason": reasons,
            "reason_code": 0 if up else 1,
            "reason_code_string": "SYSERR_SUCCESS" if up else "SYSERR_VS_DOWN",
            "last_changed_time": {"secs": int(now), "usecs": int((now % 1) * 1e6)},
        },
        "percent_ses_up": 100 if up else 0,
        "vip_summary": vip_summary,
    }
