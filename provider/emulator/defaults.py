"""Server-filled values: scalar defaults, derived values and the default refs of each type.

This module is the single place the emulator asks "what does the controller fill in when the
client leaves X out". The tables below hold what real controllers were recorded returning
(cassettes, docs/avi-api.md §3.3 / §5.4); the generated provider schema table's
non-zero Swagger defaults are merged underneath (recorded values win), so switching to the
table is one function (:func:`schema_defaults`).

Defaults apply to keys that are absent; the client's values are never overwritten.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from albform.provider.emulator.schema_lookup import object_def
from albform.provider.schema.defaults import copied, defaults_for
from albform.provider.schema.defaults import fill_defaults as table_fill

Json = dict[str, Any]

# Top-level scalar defaults per type (recorded on 20.1.x POST responses).
TOP: dict[str, Json] = {
    "pool": {
        "enabled": True, "default_server_port": 80, "graceful_disable_timeout": 1,
        "connection_ramp_duration": 10, "max_concurrent_connections_per_server": 0,
        "lb_algorithm": "LB_ALGORITHM_LEAST_CONNECTIONS",
        "lb_algorithm_hash": "LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS",
        "inline_health_monitor": True, "use_service_port": False, "capacity_estimation": False,
        "capacity_estimation_ttfb_thresh": 0, "fewest_tasks_feedback_delay": 10,
        "request_queue_enabled": False, "request_queue_depth": 128, "host_check_enabled": False,
        "sni_enabled": True, "rewrite_host_header_to_sni": False,
        "rewrite_host_header_to_server_name": False, "lb_algorithm_core_nonaffinity": 2,
        "lookup_server_by_name": False, "server_timeout": 0, "delete_server_on_dns_refresh": True,
        "enable_http2": False, "ignore_server_port": False, "routing_pool": False,
    },
    "vsvip": {"east_west_placement": False},
    "virtualservice": {
        "enabled": True, "enable_autogw": True, "weight": 1, "delay_fairness": False,
        "max_cps_per_client": 0, "limit_doser": False, "type": "VS_TYPE_NORMAL",
        "cloud_type": "CLOUD_NONE", "use_bridge_ip_as_vip": False, "flow_dist": "LOAD_AWARE",
        "ign_pool_net_reach": False, "ssl_sess_cache_avg_size": 1024,
        "remove_listening_port_on_vs_down": False, "close_client_conn_on_config_update": False,
        "bulk_sync_kvcache": False, "advertise_down_vs": False, "east_west_placement": False,
        "scaleout_ecmp": False, "active_standby_se_tag": "ACTIVE_STANDBY_SE_1",
        "flow_label_type": "NO_LABEL", "use_vip_as_snat": False, "traffic_enabled": True,
        "allow_invalid_client_cert": False,
    },
    "tenant": {
        "local": True,
        "config_settings": {
            "tenant_vrf": False, "se_in_provider_context": True,
            "tenant_access_to_provider_se": True,
        },
    },
    "sslkeyandcertificate": {
        "type": "SSL_CERTIFICATE_TYPE_VIRTUALSERVICE", "status": "SSL_CERTIFICATE_FINISHED",
        "format": "SSL_PEM", "certificate_base64": False, "key_base64": False,
        "enable_ocsp_stapling": False,
    },
    "cloud": {
        "vtype": "CLOUD_NONE", "apic_mode": False, "dhcp_enabled": True, "mtu": 1500,
        "prefer_static_routes": False, "enable_vip_static_routes": False,
        "license_type": "LIC_CORES", "state_based_dns_registration": True,
        "ip6_autocfg_enabled": False, "dns_resolution_on_se": False,
        "enable_vip_on_all_interfaces": False, "license_tier": "ENTERPRISE",
        "autoscale_polling_interval": 60,
    },
    "vrfcontext": {"system_default": False},
    "serviceenginegroup": {"ha_mode": "HA_MODE_SHARED", "max_se": 10, "min_scaleout_per_vs": 1},
    "network": {
        "dhcp_enabled": True, "ip6_autocfg_enabled": True, "exclude_discovered_subnets": False,
        "synced_from_se": False, "vcenter_dvs": True,
    },
    "poolgroup": {"implicit_priority_labels": False, "min_servers": 0},
    "healthmonitor": {
        "send_interval": 10, "receive_timeout": 4, "successful_checks": 2, "failed_checks": 2,
        "is_federated": False,
    },
    "ipamdnsproviderprofile": {"allocate_ip_in_vrf": False},
    "httppolicyset": {"is_internal_policy": False},
    "stringgroup": {"type": "SG_TYPE_STRING", "longest_match": True},
}

# Defaults of list elements, keyed by (type, list field).
ELEMENTS: dict[tuple[str, str], Json] = {
    ("pool", "servers"): {
        "enabled": True, "ratio": 1, "verify_network": False, "resolve_server_by_dns": False,
        "static": False, "rewrite_host_header": False,
    },
    ("vsvip", "vip"): {
        "enabled": True, "auto_allocate_ip": False, "auto_allocate_floating_ip": False,
        "avi_allocated_vip": False, "avi_allocated_fip": False,
        "auto_allocate_ip_type": "V4_ONLY", "prefix_length": 32,
    },
    ("vsvip", "dns_info"): {
        "type": "DNS_RECORD_A", "algorithm": "DNS_RECORD_RESPONSE_CONSISTENT_HASH",
        "num_records_in_response": 1,
    },
    ("virtualservice", "services"): {"enable_ssl": False, "enable_http2": False},
    ("poolgroup", "members"): {"ratio": 1},
}

# Refs filled with a built-in object's name when absent: (type, field) -> (target, name).
# ``@cloud`` targets are looked up inside the object's cloud (VRF ``global``, SE group).
DEFAULT_REFS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "pool": (
        ("vrf_ref", "vrfcontext@cloud", "global"),
        ("analytics_profile_ref", "analyticsprofile", "System-Analytics-Profile"),
    ),
    "vsvip": (("vrf_context_ref", "vrfcontext@cloud", "global"),),
    "virtualservice": (
        ("application_profile_ref", "applicationprofile", "System-HTTP"),
        ("se_group_ref", "serviceenginegroup@cloud", "Default-Group"),
        ("vrf_context_ref", "vrfcontext@cloud", "global"),
        ("analytics_profile_ref", "analyticsprofile", "System-Analytics-Profile"),
        ("network_profile_ref", "networkprofile", "System-TCP-Proxy"),
    ),
    "network": (("vrf_context_ref", "vrfcontext@cloud", "global"),),
}

# The SSL profile a VS gets once one of its services has enable_ssl (recorded on 20.1.1).
DEFAULT_SSL_PROFILE = "System-Standard-PFS"

# Fields the controller never returns (kept in the store, dropped on every read).
SENSITIVE: dict[str, frozenset[str]] = {
    "sslkeyandcertificate": frozenset({"key", "key_passphrase"}),
    "user": frozenset({"password", "old_password"}),
    "cloud": frozenset({"password"}),
    "backupconfiguration": frozenset({"backup_passphrase"}),
}

# Keys clients may send that the server owns (accepted and overwritten/ignored, docs/avi-api.md
# §5.4).
READ_ONLY = frozenset({"url", "_last_modified", "vs_refs", "marked_for_delete", "redis_db",
                       "redis_port", "tls_ticket_key", "vip_runtime",
                       "self_se_election", "configpb_attributes"})
# Server-owned on some types only: ``version`` is a VS's write counter, but a user field
# elsewhere (wafcrs.version is required).
READ_ONLY_BY_TYPE: dict[str, frozenset[str]] = {"virtualservice": frozenset({"version"})}


@functools.cache
def schema_defaults(obj_type: str) -> Json:
    """Top-level defaults from the generated schema table (empty for unknown types)."""
    try:
        return dict(defaults_for(obj_type))
    except KeyError:
        return {}


def schema_fill(obj_type: str, body: Json) -> Json:
    """``body`` with the schema table's defaults filled at every depth (a copy)."""
    try:
        return dict(table_fill(obj_type, body))
    except KeyError:
        return body


def top_defaults(obj_type: str) -> Json:
    merged = dict(schema_defaults(obj_type))
    merged.update(TOP.get(obj_type, {}))
    return merged


def _fill(target: Json, defaults: Mapping[str, Any]) -> None:
    for key, value in defaults.items():
        if key not in target:
            target[key] = copied(value)
        elif isinstance(value, dict) and isinstance(target[key], dict):
            _fill(target[key], value)


def fill_defaults(obj_type: str, body: Json) -> None:
    """Fill scalar defaults and derived values in place (refs are handled by the store)."""
    _fill(body, top_defaults(obj_type))
    filled = schema_fill(obj_type, body)
    body.clear()
    body.update(filled)
    for (owner, field), element_defaults in ELEMENTS.items():
        if owner != obj_type or not isinstance(body.get(field), list):
            continue
        for element in body[field]:
            if isinstance(element, dict):
                _fill(element, element_defaults)
    _derive(obj_type, body)


def _derive(obj_type: str, body: Json) -> None:
    if obj_type == "pool":
        for server in body.get("servers") or []:
            ip = server.get("ip") if isinstance(server, dict) else None
            if isinstance(ip, dict) and "hostname" not in server and "addr" in ip:
                server["hostname"] = ip["addr"]
    elif obj_type == "virtualservice":
        for service in body.get("services") or []:
            if isinstance(service, dict) and not service.get("port_range_end"):
                service["port_range_end"] = service.get("port", 0)
    elif obj_type == "vsvip":
        used = {str(v.get("vip_id")) for v in body.get("vip") or [] if isinstance(v, dict)}
        next_id = 0
        for vip in body.get("vip") or []:
            if isinstance(vip, dict) and "vip_id" not in vip:
                while str(next_id) in used:
                    next_id += 1
                vip["vip_id"] = str(next_id)
                used.add(str(next_id))


def strip_defaults(obj_type: str, body: Json) -> Json:
    """``skip_default=true``: drop top-level fields equal to their schema default. Only the
    schema's: a controller drops a field at its declared default, not one at a value it
    filled itself (``TOP``: a cloud's ``dhcp_enabled``, a certificate's ``type``), and a
    client that puts the schema's defaults back (the official provider, albform adopting its
    state) must get the object as it is."""
    defaults = schema_defaults(obj_type)
    return {k: v for k, v in body.items() if k not in defaults or defaults[k] != v}


# Keys kept even when the schema table does not list them (server bookkeeping we rely on).
_ALWAYS_ACCEPTED = frozenset({"name", "uuid", "tenant_ref", "cloud_ref", "created_by",
                              "description", "markers", "system_default"})


@functools.cache
def _known_fields(obj_type: str) -> frozenset[str] | None:
    odef = object_def(obj_type)
    return None if odef is None else frozenset(odef.fields)


def accepts(obj_type: str, key: str) -> bool:
    """Whether a top-level key sent by a client is kept; unknown keys are silently dropped
    (recorded: ``application_profile_name`` on a VS POST was ignored without error)."""
    if key in _ALWAYS_ACCEPTED:
        return True
    known = _known_fields(obj_type)
    if known is not None:
        return key in known or key in TOP.get(obj_type, {})
    return not (key.endswith("_name") and key != "vh_domain_name")


_TRUE = {"true": True, "True": True, "1": True, "false": False, "False": False, "0": False}


def coerce(obj_type: str, body: Json) -> None:
    """Turn string scalars into the schema's types in place (``"local": "true"`` → ``True``,
    ``"port": "80"`` → ``80``), as the controller's protobuf decoding does."""
    odef = object_def(obj_type)
    if odef is not None:
        _coerce(odef, body)


def _coerce(odef: Any, body: Any) -> None:
    if not isinstance(body, dict):
        return
    for key, value in list(body.items()):
        field = odef.fields.get(key)
        if field is None:
            continue
        if field.nested is not None:
            for item in value if isinstance(value, list) else [value]:
                _coerce(field.nested, item)
            continue
        kind = field.element_type if field.type == "list" else field.type
        if isinstance(value, list):
            body[key] = [_scalar(kind, v) for v in value]
        else:
            body[key] = _scalar(kind, value)


def _scalar(kind: str | None, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if kind == "boolean" and value in _TRUE:
        return _TRUE[value]
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    return value
