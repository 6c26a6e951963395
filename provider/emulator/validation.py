"""Cheap, high-value validation (docs/avi-api.md §5.5): from the schema table, required top-level
fields (after server defaults are filled) and enum membership of top-level values; and cross-field
rules (VS pool xor pool group, VH child needs a VH parent, unique policy indexes and static
route ids, network static ranges inside their subnet).

Field errors are answered the way the controller answers field checks: 400 with a
JSON-encoded ``{field: message}`` dict as the ``error`` string.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from typing import Any

from albform.provider.emulator.errors import error
from albform.provider.emulator.schema_lookup import object_def

# Filled by the server whatever the schema says (uuid on create, singletons have no name).
_SERVER_FILLED = frozenset({"uuid", "url", "tenant_ref"})


def check(obj_type: str, body: dict[str, Any]) -> None:
    odef = object_def(obj_type)
    if odef is None:
        return
    problems: dict[str, str] = {}
    for name, field in odef.fields.items():
        if field.required and name not in _SERVER_FILLED and body.get(name) in (None, ""):
            problems[name] = "This field is required."
    for name, value in body.items():
        enum_field = odef.fields.get(name)
        if enum_field is None or not enum_field.enum:
            continue
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if isinstance(v, str) and v not in enum_field.enum]
        if bad:
            choices = ", ".join(enum_field.enum)
            problems[name] = f"Invalid choice {bad[0]!r}; expected one of {choices}"
    if problems:
        raise error(400, json.dumps(problems))


def check_semantics(obj_type: str, body: dict[str, Any],
                    lookup: Callable[[str], dict[str, Any] | None]) -> None:
    """Cross-field rules worth emulating (docs/avi-api.md §5.5). ``lookup`` maps a canonical ref to
    the referenced object's stored body (refs are resolved before this runs)."""
    if obj_type == "virtualservice":
        if body.get("pool_ref") and body.get("pool_group_ref"):
            raise error(400, json.dumps({"pool_ref": "pool_ref and pool_group_ref are mutually "
                                                     "exclusive"}))
        if body.get("type") == "VS_TYPE_VH_CHILD":
            parent_ref = body.get("vh_parent_vs_ref")
            if not parent_ref:
                raise error(400, json.dumps({"vh_parent_vs_ref": "A child virtual service "
                                             "needs vh_parent_vs_ref"}))
            parent = lookup(parent_ref)
            if parent is None or parent.get("type") != "VS_TYPE_VH_PARENT":
                raise error(400, json.dumps({"vh_parent_vs_ref": "The parent virtual service "
                                             "must be of type VS_TYPE_VH_PARENT"}))
        _unique(body.get("http_policies"), "index", "http_policies")
        _unique(body.get("vs_datascripts"), "index", "vs_datascripts")
    elif obj_type == "httppolicyset":
        for section in ("http_request_policy", "http_response_policy",
                        "http_security_policy"):
            rules = (body.get(section) or {}).get("rules")
            _unique(rules, "index", f"{section}.rules")
    elif obj_type == "vrfcontext":
        _unique(body.get("static_routes"), "route_id", "static_routes")
    elif obj_type == "network":
        _check_ranges(body)


def _unique(items: Any, key: str, where: str) -> None:
    if not isinstance(items, list):
        return
    seen: set[Any] = set()
    for item in items:
        value = item.get(key) if isinstance(item, dict) else None
        if value is None:
            continue
        if value in seen:
            raise error(400, json.dumps({where: f"Duplicate {key} {value}"}))
        seen.add(value)


def _check_ranges(body: dict[str, Any]) -> None:
    for subnet in body.get("configured_subnets") or []:
        prefix = subnet.get("prefix") or {}
        try:
            net = ipaddress.ip_network(
                f"{(prefix.get('ip_addr') or {}).get('addr')}/{prefix.get('mask')}",
                strict=False)
        except ValueError:
            raise error(400, json.dumps({"configured_subnets": "Invalid subnet prefix"})) from None
        ranges = [r.get("range") or {} for r in subnet.get("static_ip_ranges") or []]
        ranges += list(subnet.get("static_ranges") or [])
        for entry in ranges:
            try:
                begin = ipaddress.ip_address((entry.get("begin") or {}).get("addr", ""))
                end = ipaddress.ip_address((entry.get("end") or {}).get("addr", ""))
            except ValueError:
                raise error(400, json.dumps({"static_ip_ranges": "Invalid address"})) from None
            if begin not in net or end not in net or int(begin) > int(end):
                raise error(400, json.dumps({"static_ip_ranges": f"Range {begin}-{end} is not "
                                             f"inside {net} or is reversed"}))
