"""What a GslbService's runtime says about its members, as drift-report findings.

The leader answers ``GET /api/gslbservice/<uuid>/runtime/`` with, per group, each member's
``oper_status.state``; a member that is not ``OPER_UP`` (a site's VS down, a VIP failing its
health monitors) is a finding naming the GslbService, the member's VIP and its site. The
configuration may be in sync while traffic is not: the drift job reports both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UP = "OPER_UP"


def member_findings(address: str, runtime: Any) -> list[str]:
    """Findings for one GslbService (``address``) from its runtime answer (a list with one
    entry, or the entry itself); an answer without members gives none."""
    entries = runtime if isinstance(runtime, list) else [runtime]
    out = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        for group in entry.get("groups") or []:
            for member in group.get("members") or []:
                state = str((member.get("oper_status") or {}).get("state") or "unknown")
                if state == UP:
                    continue
                ip = (member.get("ip") or {}).get("addr", "?")
                site = member.get("cluster_uuid")
                where = f" on site {site} (VS {member.get('vs_uuid')})" if site else ""
                out.append(f"{address}: member {ip}{where} in group {group.get('name')} is "
                           f"{state}")
    return out
