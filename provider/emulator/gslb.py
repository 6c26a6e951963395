"""GSLB on the leader: the site configuration (``gslb``), GslbService integrity, federated
objects, and the GslbService runtime (per-member up/down).

The controller this emulates is the GSLB leader: its ``gslb`` object lists the sites
(``sites[].cluster_uuid``, the controller cluster of each site; the leader's own cluster is
``OWN_CLUSTER_UUID``). A GslbService write is refused (400, field error on ``groups``) when

1. no ``gslb`` object exists (this controller is not a GSLB leader);
2. a pool member names a ``cluster_uuid`` that is not one of the sites;
3. a member has a ``vs_uuid`` without a ``cluster_uuid``, or the VS does not exist on that
   site: on the leader's own site, in this store; on another site, in what the leader learned
   from it (``site_inventory``);
4. an object it refers to (health monitors, the site persistence profile, the PKI profile) is
   not federated (``is_federated``): only federated objects are replicated to the sites.

A real leader learns each site's virtual services by polling the site; the emulator is one
controller, so a remote site's inventory is handed to it (``PUT /emulator/gslb/sites/<cluster
uuid>`` with ``{"virtualservices": [{"uuid", "name", "oper_state"}]}``, or
:func:`set_site_inventory`). The runtime reports a member UP when its VS is UP on its site
(VIP-only members: UP unless a test forced their IP down with ``member_states``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from albform.provider.emulator import catalog, refs
from albform.provider.emulator.context import CLUSTER_UUID as OWN_CLUSTER_UUID
from albform.provider.emulator.errors import error
from albform.provider.emulator.store import Store

Json = dict[str, Any]
_META = "gslb-site-inventory:"
_FORCED = "gslb-member-states"


def leader(store: Store) -> Json | None:
    found = store.query("gslb", limit=1)[1]
    return found[0].body if found else None


def set_site_inventory(store: Store, cluster_uuid: str, vses: list[Json]) -> None:
    """What the leader knows of a remote site's virtual services (uuid, name, oper_state)."""
    clean = [{"uuid": str(v["uuid"]), "name": str(v.get("name") or ""),
              "oper_state": str(v.get("oper_state") or "OPER_UP")} for v in vses]
    store.set_meta(_META + cluster_uuid, json.dumps(clean))


def site_inventory(store: Store, cluster_uuid: str) -> dict[str, Json]:
    """VS uuid -> {uuid, name, oper_state} on that site (the leader's own: from the store)."""
    if cluster_uuid == OWN_CLUSTER_UUID:
        return {o.uuid: {"uuid": o.uuid, "name": o.name, "oper_state": "OPER_UP"}
                for o in store.query("virtualservice", limit=None)[1]}
    raw = store.get_meta(_META + cluster_uuid)
    return {v["uuid"]: v for v in json.loads(raw)} if raw else {}


def set_member_state(store: Store, ip: str, state: str | None) -> None:
    """Force a member's health by its IP (tests of drift/runtime); None clears it."""
    forced = json.loads(store.get_meta(_FORCED) or "{}")
    if state is None:
        forced.pop(ip, None)
    else:
        forced[ip] = state
    store.set_meta(_FORCED, json.dumps(forced))


def _refuse(message: str) -> Exception:
    return error(400, json.dumps({"groups": message}))


def check_service(store: Store, body: Json) -> None:
    """Rules 1-4 of the module docstring; refs in ``body`` are canonical already."""
    config = leader(store)
    if config is None:
        raise error(400, "GSLB is not configured: this controller is not a GSLB leader "
                         "(create the gslb object with its sites first)")
    sites = {s.get("cluster_uuid"): s for s in config.get("sites") or []}
    for group in body.get("groups") or []:
        for member in group.get("members") or []:
            cluster, vs = member.get("cluster_uuid"), member.get("vs_uuid")
            if cluster is None:
                if vs:
                    raise _refuse(f"Member with vs_uuid {vs} needs the cluster_uuid of its "
                                  "site")
                continue
            site = sites.get(cluster)
            if site is None:
                raise _refuse(f"Member cluster_uuid {cluster} is not a GSLB site (sites: "
                              f"{', '.join(sorted(map(str, sites))) or 'none'})")
            if vs and vs not in site_inventory(store, cluster):
                raise _refuse(f"Virtual service {vs} does not exist on site "
                              f"{site.get('name')} ({cluster})")
    for ref in _federated_refs(body):
        target = store.get(refs.split_canonical(ref)[1])
        if target is not None and not target.body.get("is_federated"):
            raise error(400, json.dumps({target.type: f"{catalog.model_name(target.type)} "
                                         f"{target.name} is not federated; a GslbService can "
                                         "only refer to federated objects"}))


def _federated_refs(body: Json) -> list[str]:
    """The refs of a GslbService that must name federated objects (all but its tenant)."""
    return [value for _, key, value in refs.walk(body) if key != "tenant_ref"]


def runtime(store: Store, uuid: str, name: str, body: Mapping[str, Any]) -> list[Json]:
    """``GET /api/gslbservice/<uuid>/runtime/``: per group, per member, the oper state."""
    forced = json.loads(store.get_meta(_FORCED) or "{}")
    groups, up_count, total = [], 0, 0
    for group in body.get("groups") or []:
        members = []
        for member in group.get("members") or []:
            ip = (member.get("ip") or {}).get("addr", "")
            state = _member_state(store, member, forced.get(ip))
            up_count += state == "OPER_UP"
            total += 1
            members.append({"cluster_uuid": member.get("cluster_uuid"),
                            "vs_uuid": member.get("vs_uuid"), "ip": member.get("ip"),
                            "oper_status": {"state": state}})
        groups.append({"name": group.get("name"), "members": members})
    state = "OPER_UP" if up_count else "OPER_DOWN"
    if not body.get("enabled", True):
        state = "OPER_DISABLED"
    return [{"info": {"uuid": uuid, "name": name, "oper_status": {"state": state},
                      "num_members": total, "num_members_up": up_count},
             "groups": groups}]


def _member_state(store: Store, member: Mapping[str, Any], forced: str | None) -> str:
    if forced:
        return forced
    if not member.get("enabled", True):
        return "OPER_DISABLED"
    cluster, vs = member.get("cluster_uuid"), member.get("vs_uuid")
    if not cluster or not vs:
        return "OPER_UP"
    found = site_inventory(store, str(cluster)).get(str(vs))
    return str(found["oper_state"]) if found else "OPER_DOWN"
