"""The blast-radius guard for GSLB members: a plan that removes more than the allowed share of
the GslbService members the state holds is refused, like one deleting too many objects.

Removing a cluster's members is an *update* of each GslbService, which the engine's guard
(deleted objects) does not count: an empty or partial member input (a directory without the
cluster's objects, a cluster read while its AKO was down) would move global traffic to the
other sites without one delete. ``check_member_removals(plan, options)`` counts members by
(site cluster uuid, VS uuid, VIP) in every managed GslbService before and after the plan,
with the same threshold, floor and override as the engine (``--max-delete-fraction``,
``--allow-mass-delete``); destroy plans are exempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.changes import Action, Plan, PlanOptions
from albform.engine.diagnostics import Diagnostics

GSLB_TYPE = "avi_gslbservice"
FLOOR = 2  # as the engine's guard: a couple of removals are never refused


def members_of(attributes: Mapping[str, Any] | None) -> set[tuple[str, str, str]]:
    """(cluster uuid, VS uuid, VIP) of every member (configuration or state form: nested
    blocks may be objects or one-element lists)."""
    out = set()
    for group in _items((attributes or {}).get("groups")):
        for member in _items(group.get("members")):
            ip = _first(member.get("ip")).get("addr", "")
            out.add((str(member.get("cluster_uuid") or ""), str(member.get("vs_uuid") or ""),
                     str(ip)))
    return out


def check_member_removals(plan: Plan, options: PlanOptions) -> Diagnostics:
    diags = Diagnostics()
    fraction = options.max_delete_fraction
    if fraction is None or options.force or options.destroy or plan.prior_state is None:
        return diags
    total = sum(len(members_of(r.attributes)) for r in plan.prior_state.resources
                if r.address.type == GSLB_TYPE)
    removed: list[str] = []
    for change in plan.changes:
        if change.address.type != GSLB_TYPE or change.action is Action.NOOP:
            continue
        after = set() if change.action is Action.DELETE else members_of(change.after)
        removed += [f"{change.address} {ip}" for _, _, ip in
                    sorted(members_of(change.before) - after)]
    if len(removed) <= FLOOR or total == 0 or len(removed) <= fraction * total:
        return diags
    shown = ", ".join(removed[:5]) + (f" and {len(removed) - 5} more" if len(removed) > 5
                                      else "")
    diags.error(
        "Plan removes too many GSLB members",
        f"This plan would remove {len(removed)} of the {total} GslbService members "
        f"({len(removed) / total:.0%}), more than the allowed {fraction:.0%}: {shown}. This "
        "often means a member cluster's input was incomplete (an empty directory, a cluster "
        "read while its AKO was down). Check the plan; if it is intended, re-run with "
        "--allow-mass-delete or raise --max-delete-fraction.")
    return diags


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _first(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, Mapping) else {}
