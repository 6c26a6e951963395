#!/usr/bin/env python3
"""Generate the provider's Avi schema table from the vendor's per-object Swagger 2.0 files.

Usage: ``python tools/gen_schema.py [SWAGGER_DIR] [OUT_FILE]`` (defaults:
``../shared/avi/swagger`` beside the checkout, ``provider/schema/avi_schema.json.gz``).

The output is deterministic: the same Swagger files always give the same bytes (sorted keys,
compact separators, gzip with mtime 0 and no file name). Only facts are extracted; the Swagger
files themselves are not shipped. Rules, in order of application:

* **Object types** are the collection paths (``/pool``, ``/licensing/status``) whose GET
  answers ``<Def>ApiResponse``, and singletons whose GET answers and PUT takes ``<Def>``
  (action endpoints such as ``/vimgrvcenterruntime/spawn`` are not object types). The api
  type is the path without its slashes (``pool``). Several files repeat other types' paths; when two
  definitions claim one path, the one whose lower-cased name equals the path wins (the other
  is listed under ``unrouted``). Paths without an ``{uuid}`` instance path, and the names in
  ``SINGLETONS``, are PUT-only singletons.
* **Definitions** with the same name in several files: the file with the newest
  ``info.version`` wins, then the file named after the definition, then file order.
* **Field types**: ``$ref`` -> object, ``array`` -> list (element scalar type or object),
  ``additionalProperties`` -> map; scalars keep the Swagger type; ``format`` is kept.
* **Prose** (descriptions) is parsed for: ``It is a reference to an object of type X.``
  (ref target; else inferred from a ``*_ref``/``*_refs`` name), ``Enum options - A, B.``,
  ``Field introduced in V[, V].``, ``Field deprecated in V.``, ``Allowed values are A-B.``,
  ``Unit is U.``/``Units(U)``, ``Maximum/Minimum of N items``.
* **Read-only**: Swagger ``readOnly``, prose "read-only field", "(ReadOnly)", "Runtime summary",
  plus ``SPEC_READ_ONLY`` (runtime keys docs/avi-api.md §3.3/§6 lists). **Internal**: prose
  "(internal-use)", "used internally by Avi, not editable", "Internally set by".
* **Sensitive**: string fields whose name matches ``SENSITIVE_NAME`` (minus
  ``NOT_SENSITIVE``; booleans/counts such as ``passwordless`` never are), plus
  ``SENSITIVE_FIELDS`` (e.g. ``SSLKeyAndCertificate.key``).
* **Defaults**: Swagger ``default``; where it has none, ``SPEC_DEFAULTS`` adds the false/0
  (and other) defaults docs/avi-api.md §3.3/§5.4/Appendix A records; Swagger wins on conflict.
* **Extra fields** the controller returns that the Swagger lacks (``SPEC_EXTRA_FIELDS``,
  e.g. ``VsVip.vs_refs``), always read-only.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SWAGGER_DIR = ROOT.parent / "shared" / "avi" / "swagger"
DEFAULT_OUT = ROOT / "provider" / "schema" / "avi_schema.json.gz"

SINGLETONS = frozenset({"systemconfiguration", "cluster", "seproperties", "controllerproperties"})

# Runtime/server-managed keys that Swagger does not flag readOnly (docs/avi-api.md §3.3, §6).
SPEC_READ_ONLY: dict[str, frozenset[str]] = {
    "VirtualService": frozenset({"cloud_config_cksum", "vsvip_cloud_config_cksum",
                                 "configpb_attributes"}),
    "VsVip": frozenset({"vsvip_cloud_config_cksum", "configpb_attributes"}),
    "Pool": frozenset({"cloud_config_cksum", "configpb_attributes"}),
    "Server": frozenset({"discovered_networks"}),
    "Vip": frozenset({"avi_allocated_vip", "avi_allocated_fip", "discovered_networks"}),
    "SSLKeyAndCertificate": frozenset({"status", "key_params", "configpb_attributes"}),
    "SSLCertificate": frozenset({
        "version", "serial_number", "self_signed", "issuer", "subject", "signature_algorithm",
        "not_before", "not_after", "fingerprint", "expiry_status", "days_until_expire",
        "public_key", "signature", "text", "chain_verified", "subject_alt_names"}),
}

# Keys real controllers return that the Swagger definitions do not declare (docs/avi-api.md §1.4,
# §3.3, Appendix A). Always read-only.
SPEC_EXTRA_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "VsVip": {"vs_refs": {"type": "list", "elem": "string", "ref": "VirtualService",
                          "desc": "Virtual services using this VsVip (server-maintained)."}},
    "Pool": {"server_count": {"type": "integer",
                              "desc": "Number of servers (collection results only)."}},
    "VirtualService": {
        "vip_runtime": {"type": "list", "elem": "object",
                        "desc": "Per-VIP placement runtime (server-maintained)."},
        "redis_db": {"type": "integer", "desc": "Internal."},
        "redis_port": {"type": "integer", "desc": "Internal."},
        "self_se_election": {"type": "boolean", "desc": "Internal."},
        "tls_ticket_key": {"type": "list", "elem": "object",
                           "desc": "Server-generated TLS ticket keys."},
        "version": {"type": "string", "desc": "Internal object version."},
        "marked_for_delete": {"type": "boolean", "desc": "Internal."},
    },
}

# Defaults the controller fills that the Swagger omits (false/0 and a few others), as recorded
# in docs/avi-api.md §3.3 / §5.4 / Appendix A.
SPEC_DEFAULTS: dict[str, dict[str, Any]] = {
    "VirtualService": {
        "advertise_down_vs": False, "allow_invalid_client_cert": False,
        "bulk_sync_kvcache": False, "close_client_conn_on_config_update": False,
        "delay_fairness": False, "east_west_placement": False, "enable_session": False,
        "ign_pool_net_reach": False, "limit_doser": False, "max_cps_per_client": 0,
        "remove_listening_port_on_vs_down": False, "revoke_vip_route": False,
        "scaleout_ecmp": False, "use_bridge_ip_as_vip": False, "use_vip_as_snat": False,
        "flow_label_type": "NO_LABEL", "type": "VS_TYPE_NORMAL",
    },
    "Service": {"enable_ssl": False, "enable_http2": False, "horizon_internal_ports": False,
                "is_active_ftp_data_port": False},
    "Pool": {
        "capacity_estimation": False, "capacity_estimation_ttfb_thresh": 0,
        "max_concurrent_connections_per_server": 0, "use_service_port": False,
        "request_queue_enabled": False, "host_check_enabled": False,
        "rewrite_host_header_to_sni": False, "rewrite_host_header_to_server_name": False,
        "lookup_server_by_name": False, "server_timeout": 0, "enable_http2": False,
        "ignore_server_port": False, "routing_pool": False, "use_service_ssl_mode": False,
        "lb_algo_rr_per_se": False,
    },
    "Server": {"enabled": True, "ratio": 1, "resolve_server_by_dns": False,
               "rewrite_host_header": False, "static": False, "verify_network": False},
    "PoolGroup": {"min_servers": 0, "implicit_priority_labels": False,
                  "deactivate_primary_pool_on_down": False},
    "PoolGroupMember": {"ratio": 1},
    "VsVip": {"east_west_placement": False},
    "Vip": {"auto_allocate_ip": False, "auto_allocate_floating_ip": False,
            "avi_allocated_vip": False, "avi_allocated_fip": False, "enabled": True,
            "prefix_length": 32, "auto_allocate_ip_type": "V4_ONLY"},
    "HTTPPolicySet": {"is_internal_policy": False},
    "L4PolicySet": {"is_internal_policy": False},
    "VrfContext": {"system_default": False, "lldp_enable": True},
    "HealthMonitor": {"is_federated": False},
    "HealthMonitorHttp": {"exact_http_request": False},
    "SSLKeyAndCertificate": {"certificate_base64": False, "key_base64": False,
                             "enable_ocsp_stapling": False, "import_key_to_hsm": False,
                             "is_federated": False},
    "ApplicationProfile": {"preserve_client_ip": False, "preserve_dest_ip_port": False},
    "NetworkProfile": {"connection_mirror": False},
    "Cloud": {"dhcp_enabled": False, "prefer_static_routes": False,
              "enable_vip_static_routes": False},
    "Tenant": {"local": True},
    "TenantConfiguration": {"tenant_vrf": False, "se_in_provider_context": True,
                            "tenant_access_to_provider_se": True},
    "IpamDnsProviderProfile": {"allocate_ip_in_vrf": False},
    "Network": {"dhcp_enabled": True, "ip6_autocfg_enabled": True,
                "exclude_discovered_subnets": False, "synced_from_se": False,
                "vcenter_dvs": True},
}

SENSITIVE_NAME = re.compile(
    r"password|passwd|passphrase|pass_phrase|secret|priv_key|private_key|(^|_)token$"
    r"|access_key$|keyfile_data|key_content|community$|hmac_key|aes_key|encryption_key"
    r"|master_key|enckey_base64|serial_key|(^|_)psk$")
NOT_SENSITIVE = frozenset({"last_password_update", "secret_id", "token_expiration_date"})
SENSITIVE_FIELDS: dict[str, frozenset[str]] = {
    "SSLKeyAndCertificate": frozenset({"key"}),
}

# Name stems of *_ref fields whose prose names no type (and a few abbreviations).
REF_NAME_ALIASES = {
    "vs": "VirtualService", "vsvip": "VsVip", "vrf": "VrfContext", "vrf_context": "VrfContext",
    "se_group": "ServiceEngineGroup", "segroup": "ServiceEngineGroup",
    "hm": "HealthMonitor", "deployment_policy": "PoolGroupDeploymentPolicy",
    "vs_per_se": "VirtualService", "virtualservices": "VirtualService",
}

RE_REF = re.compile(r"It is a reference to an object of type ([A-Za-z0-9_]+)\.")
RE_ENUM = re.compile(r"Enum options - ([^.]*)\.")
RE_INTRO = re.compile(r"Field introduced in ((?:\d+(?:\.\d+)+)(?:\s*,\s*\d+(?:\.\d+)+)*)")
RE_DEPR = re.compile(r"Field deprecated in ((?:\d+(?:\.\d+)+)(?:\s*,\s*\d+(?:\.\d+)+)*)")
RE_RANGE = re.compile(
    r"Allowed values are (-?\d+(?:\.\d+)?)\s*-\s*\+?(-?\d+(?:\.\d+)?)(?=[.,\s]|$)")
RE_UNIT = re.compile(r"Unit is ([A-Z_]+)|Units\(([A-Z_]+)\)")
RE_MAX_ITEMS = re.compile(r"Maximum of (\d+) items")
RE_MIN_ITEMS = re.compile(r"Minimum of (\d+) items")
RE_READ_ONLY = re.compile(r"\bread-only field\b|\(ReadOnly\)|^Runtime summary\b")
RE_INTERNAL = re.compile(
    r"^\s*\(internal-use\)|used internally by Avi, not editable|Internally set by")
# Where the free-text part of a description ends and the machine-like tail begins.
RE_DESC_TAIL = re.compile(
    r"\s*(?:It is a reference to an object of type|Enum options -|Field introduced in|"
    r"Field deprecated in|Allowed in |Allowed values are|Special values are|Unit is |Units\(|"
    r"Maximum of \d+ items|Minimum of \d+ items|Special default for)")


def version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def load_swagger(swagger_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every Swagger document by file stem, and the files skipped with the reason."""
    docs: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for path in sorted(swagger_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "swagger" not in doc or "definitions" not in doc:
            skipped[path.name] = "not a Swagger document"
            continue
        docs[path.stem] = doc
    return docs, skipped


def merge_definitions(docs: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    candidates: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for order, (stem, doc) in enumerate(docs.items()):
        version = version_key(doc.get("info", {}).get("version", "0"))
        for name, definition in doc["definitions"].items():
            rank = (tuple(-p for p in version), 0 if stem == name else 1, order)
            candidates.setdefault(name, []).append((rank, definition))
    return {name: min(c, key=lambda c: c[0])[1] for name, c in sorted(candidates.items())}


def _schema_ref(schema: Mapping[str, Any] | None) -> str | None:
    ref = (schema or {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def find_types(docs: Mapping[str, dict[str, Any]], definitions: Mapping[str, Any],
               ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """api type -> {definition, path, singleton, source}; plus unrouted definitions."""
    claims: dict[str, dict[str, tuple[str, bool]]] = {}
    for stem, doc in docs.items():
        paths = doc.get("paths", {})
        for path, ops in paths.items():
            if "{" in path:
                continue
            api_type = path.strip("/")
            if not api_type:
                continue
            definition = None
            get_rsp = _schema_ref(
                ops.get("get", {}).get("responses", {}).get("200", {}).get("schema"))
            put_params = ops.get("put", {}).get("parameters", [])
            put_body = {_schema_ref(p.get("schema")) for p in put_params}
            if get_rsp and get_rsp.endswith("ApiResponse") and get_rsp[:-11] in definitions:
                definition = get_rsp[: -len("ApiResponse")]
            elif get_rsp in definitions and get_rsp in put_body:
                definition = get_rsp  # a singleton: GET and PUT the object itself
            if definition is None:
                continue
            has_instance = any(p.rstrip("/").startswith(path.rstrip("/") + "/{uuid}")
                               for p in paths)
            claims.setdefault(api_type, {})[definition] = (stem, not has_instance)
    types: dict[str, dict[str, Any]] = {}
    unrouted: dict[str, str] = {}
    for api_type, by_def in sorted(claims.items()):
        flat = api_type.replace("-", "").replace("/", "")
        ordered = sorted(by_def, key=lambda d: (d.lower() != flat, by_def[d][0] != d, d))
        winner = ordered[0]
        source, no_instance = by_def[winner]
        types[api_type] = {
            "definition": winner, "path": f"/api/{api_type}", "source": f"{source}.json",
            "singleton": no_instance or api_type in SINGLETONS,
        }
        for loser in ordered[1:]:
            unrouted[loser] = f"path /api/{api_type} belongs to {winner}"
    routed = {t["definition"] for t in types.values()}
    for loser in list(unrouted):
        if loser in routed:
            del unrouted[loser]
    return types, unrouted


def _numbers(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def infer_ref(field: str, by_lower: Mapping[str, str]) -> str | None:
    stem = re.sub(r"_refs?$", "", field)
    if stem in REF_NAME_ALIASES:
        return REF_NAME_ALIASES[stem]
    return by_lower.get(stem.replace("_", ""))


def convert_field(owner: str, name: str, prop: Mapping[str, Any],
                  definitions: Mapping[str, Any], by_lower: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    desc = prop.get("description", "") or ""
    ref = _schema_ref(prop)
    if ref is not None:
        out.update(type="object", **{"def": ref})
    elif "additionalProperties" in prop:
        out["type"] = "map"
        inner = prop["additionalProperties"]
        inner_ref = _schema_ref(inner)
        if inner_ref:
            out.update(elem="object", **{"def": inner_ref})
        else:
            out["elem"] = inner.get("type", "string")
    elif prop.get("type") == "array":
        out["type"] = "list"
        items = prop.get("items", {})
        item_ref = _schema_ref(items)
        if item_ref:
            out.update(elem="object", **{"def": item_ref})
        else:
            out["elem"] = items.get("type", "string")
    else:
        out["type"] = prop.get("type", "string")
    if "format" in prop:
        out["format"] = prop["format"]
    if "default" in prop:
        out["default"] = prop["default"]
    if m := RE_REF.search(desc):
        out["ref"] = m.group(1)
    elif name.endswith(("_ref", "_refs")) and (target := infer_ref(name, by_lower)):
        out["ref"] = target
        out["ref_inferred"] = True
    if m := RE_ENUM.search(desc):
        out["enum"] = [v.strip() for v in m.group(1).split(",") if v.strip()]
    if m := RE_INTRO.search(desc):
        out["since"] = sorted({v.strip() for v in m.group(1).split(",")}, key=version_key)
    if m := RE_DEPR.search(desc):
        out["deprecated"] = sorted({v.strip() for v in m.group(1).split(",")}, key=version_key)[0]
    if m := RE_RANGE.search(desc):
        out["min"], out["max"] = _numbers(m.group(1)), _numbers(m.group(2))
    if m := RE_UNIT.search(desc):
        out["unit"] = m.group(1) or m.group(2)
    if m := RE_MAX_ITEMS.search(desc):
        out["max_items"] = int(m.group(1))
    if m := RE_MIN_ITEMS.search(desc):
        out["min_items"] = int(m.group(1))
    if prop.get("readOnly") or RE_READ_ONLY.search(desc) or name in SPEC_READ_ONLY.get(owner, ()):
        out["ro"] = True
    if RE_INTERNAL.search(desc):
        out["internal"] = True
    secret_name = SENSITIVE_NAME.search(name) and name not in NOT_SENSITIVE
    if (secret_name and out["type"] == "string") or name in SENSITIVE_FIELDS.get(owner, ()):
        out["sensitive"] = True
    free = RE_DESC_TAIL.split(desc, maxsplit=1)[0].strip()
    if free:
        out["desc"] = free
    return out


def reachable(roots: Iterable[str], definitions: Mapping[str, Any]) -> list[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen or name not in definitions:
            continue
        seen.add(name)
        for prop in definitions[name].get("properties", {}).values():
            for schema in (prop, prop.get("items"), prop.get("additionalProperties")):
                if isinstance(schema, dict) and (ref := _schema_ref(schema)):
                    stack.append(ref)
    return sorted(seen)


def build_table(swagger_dir: Path) -> dict[str, Any]:
    docs, skipped = load_swagger(swagger_dir)
    definitions = merge_definitions(docs)
    types, unrouted = find_types(docs, definitions)
    used_sources = {t["source"] for t in types.values()}
    for stem in docs:
        if stem not in definitions and f"{stem}.json" not in used_sources:
            skipped[f"{stem}.json"] = "no object definition (analytics/query API)"
    by_lower = {t["definition"].lower(): t["definition"] for t in types.values()}
    roots = [t["definition"] for t in types.values()] + sorted(unrouted)
    table_defs: dict[str, Any] = {}
    for name in reachable(roots, definitions):
        definition = definitions[name]
        required = set(definition.get("required", []))
        fields = {}
        for field_name, prop in sorted(definition.get("properties", {}).items()):
            field = convert_field(name, field_name, prop, definitions, by_lower)
            if field_name in required:
                field["required"] = True
            spec_default = SPEC_DEFAULTS.get(name, {}).get(field_name)
            if spec_default is not None and "default" not in field:
                field["default"] = spec_default
                field["default_from_spec"] = True
            fields[field_name] = field
        for field_name, extra in SPEC_EXTRA_FIELDS.get(name, {}).items():
            if field_name not in fields:
                fields[field_name] = {**extra, "ro": True, "extra": True}
        table_defs[name] = {"fields": fields}
    check_spec_tables(table_defs)
    versions = sorted({d.get("info", {}).get("version", "") for d in docs.values()} - {""},
                      key=version_key)
    return {
        "format": FORMAT_VERSION,
        "generator": "tools/gen_schema.py",
        "swagger_version": versions[-1],
        "types": types,
        "definitions": table_defs,
        "unrouted": unrouted,
        "skipped_files": dict(sorted(skipped.items())),
        "source_files": sorted(f"{stem}.json" for stem in docs),
    }


def check_spec_tables(table_defs: Mapping[str, Any]) -> None:
    """The hand-written tables must name real fields, or they silently rot."""
    problems = []
    for table in (SPEC_DEFAULTS, SPEC_READ_ONLY):
        for owner, names in table.items():
            for name in names:
                if name not in table_defs.get(owner, {}).get("fields", {}):
                    problems.append(f"{owner}.{name}")
    if problems:
        raise SystemExit(f"gen_schema: spec tables name unknown fields: {sorted(problems)}")


def encode(table: Mapping[str, Any]) -> bytes:
    raw = json.dumps(table, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw.encode("utf-8"))
    return buf.getvalue()


def main(argv: list[str]) -> int:
    swagger_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_SWAGGER_DIR
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    if not swagger_dir.is_dir():
        print(f"gen_schema: no Swagger directory at {swagger_dir}", file=sys.stderr)
        return 1
    table = build_table(swagger_dir)
    data = encode(table)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"gen_schema: {len(table['types'])} types, {len(table['definitions'])} definitions, "
          f"{len(data)} bytes -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
