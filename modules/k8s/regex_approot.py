"""HostRule ``useRegex`` and ``applicationRootPath`` (AKO ``BuildRegexAppRootForHostRule``,
internal/nodes/crd_translator.go), applied to a host's own path rules.

* ``applicationRootPath``: the ``/`` rule is rewritten to the root path, and for every VS port
  a redirect rule sends exactly ``/`` to the root (HTTPS on SSL ports, else HTTP; 302). The
  same redirects are added when the root path itself is routed and the VS also routes ``/``.
* ``useRegex``: each path rule matches a StringGroup ``<created_by>-<sha1(host+path)>``
  (REGEX_MATCH, case-insensitive) holding the path; in the SNI model the VS's pools and pool
  groups then get ``C--<sha1(name)>`` names (``GetEncodedSniPGPoolNameforRegex``).

Not applied to shared VSes, nor to insecure dedicated SNI VSes, nor with ``httpPolicy.overwrite``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from albform.modules.k8s.context import Context
from albform.modules.k8s.hashing import sha1_hex
from albform.modules.k8s.hostrule import HostRule
from albform.modules.k8s.l7_common import HostRoutes, PathRule, creation_order, policy_sets
from albform.modules.k8s.markers import cluster_markers
from albform.modules.k8s.objects import AviObject


def applies(rule: HostRule | None, *, evh: bool, dedicated: bool, secure: bool) -> bool:
    if rule is None or rule.overwrite or not (rule.use_regex or rule.app_root):
        return False
    return evh or not dedicated or secure


def string_group_name(created_by: str, host: str, path: str) -> str:
    """``GetEncodedStringGroupName``."""
    return f"{created_by}-{sha1_hex(host + path)}"


def host_objects_and_sets(ctx: Context, hr: HostRoutes, tenant: str, hosts: Sequence[str],
                          rule: HostRule, ports: Sequence[Mapping[str, Any]], *, encode: bool,
                          ) -> tuple[list[AviObject], list[AviObject], list[tuple[str, str]]]:
    """(pools/PGs in creation order + StringGroups, policy sets, http_policies refs) of a host
    whose HostRule asks for useRegex and/or applicationRootPath."""
    objects = creation_order(hr.objects)
    vs_paths = [r.path for rules, _ in hr.rules.values() for r in rules]
    groups: dict[str, str] = {}  # name -> path

    def rewrite(rules: list[PathRule]) -> tuple[list[PathRule], list[dict[str, Any]]]:
        out, redirects = _rewrite(rule, hr.host, rules, vs_paths, ports, ctx.created_by)
        if encode:
            out = [replace(r, pool_group=_enc(ctx, r.pool_group) if r.pool_group else "",
                           pool=_enc(ctx, r.pool) if r.pool else "") for r in out]
        groups.update((r.string_group, r.path) for r in out if r.string_group)
        return out, redirects

    sets, refs = policy_sets(ctx, hr, tenant, hosts, rewrite)
    if encode:
        objects = [_encoded(ctx, o) for o in objects]
    objects += [_string_group(ctx, name, path, tenant) for name, path in groups.items()]
    return objects, sets, refs


def _rewrite(rule: HostRule, host: str, rules: Sequence[PathRule], vs_paths: Sequence[str],
             ports: Sequence[Mapping[str, Any]], created_by: str,
             ) -> tuple[list[PathRule], list[dict[str, Any]]]:
    out: list[PathRule] = []
    redirects: list[dict[str, Any]] = []
    for r in rules:
        path = r.path
        if rule.app_root and path:
            if path == "/":
                redirects.extend(_root_redirects(rule.app_root, ports))
                path = rule.app_root
            elif path == rule.app_root and "/" in vs_paths:
                redirects.extend(_root_redirects(rule.app_root, ports))
        group = string_group_name(created_by, host, path) if rule.use_regex and path else ""
        out.append(replace(r, path=path, string_group=group))
    return out, redirects


def _root_redirects(root: str, ports: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"enable": True,
             "match": {"path": {"match_criteria": "EQUALS", "match_case": "SENSITIVE",
                                "match_str": ["/"]},
                       "vs_port": {"match_criteria": "IS_IN", "ports": [p["port"]]}},
             "redirect_action": {
                 "status_code": "HTTP_REDIRECT_STATUS_CODE_302",
                 "protocol": "HTTPS" if p.get("enable_ssl") else "HTTP",
                 "port": p["port"],
                 "path": {"tokens": [{"str_value": root[1:], "type": "URI_TOKEN_TYPE_STRING"}],
                          "type": "URI_PARAM_TYPE_TOKENIZED"}}}
            for p in ports]


def _string_group(ctx: Context, name: str, path: str, tenant: str) -> AviObject:
    """``AviStringGroupBuild``: clustername and created_by markers, no created_by field."""
    return AviObject("stringgroup", name, tenant, {
        "name": name,
        "tenant_ref": ctx.tenant_ref(tenant),
        "kv": [{"key": path}],
        "type": "SG_TYPE_STRING",
        "longest_match": True,
        "markers": [*cluster_markers(ctx.cluster),
                    {"key": "created_by", "values": [ctx.created_by]}],
    })


def _enc(ctx: Context, name: str) -> str:
    """``GetEncodedSniPGPoolNameforRegex`` (names already encoded are kept)."""
    return name if ctx.names.is_encoded(name) else ctx.names.prefix + sha1_hex(name)


def _encoded(ctx: Context, obj: AviObject) -> AviObject:
    """SNI + useRegex: every pool and pool group of the VS renamed, members following."""
    if obj.api_type not in ("pool", "poolgroup"):
        return obj
    name = _enc(ctx, obj.name)
    body = {**obj.body, "name": name}
    if obj.api_type == "poolgroup" and obj.body.get("members"):
        body["members"] = [{**m, "pool_ref": "/api/pool?name=" + _enc(
            ctx, str(m["pool_ref"]).split("=", 1)[1])} for m in obj.body["members"]]
    return replace(obj, name=name, body=body)
