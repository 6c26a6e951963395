"""Entry point: ``translate(members, amko) -> (Translation, Diagnostics)``.

``members`` maps each member cluster's name (its ``clusterContext`` in the GSLBConfig) to its
Kubernetes objects; ``amko`` holds the GSLBConfig, GlobalDeploymentPolicy and GSLBHostRules.
Pure and deterministic: the result lists, per GslbService (by tenant, then name), the health
monitors AMKO creates for it and then the GslbService, addressed ``avi_<type>.amko["<name>"]``.
The translation is declarative (what AMKO converges to): a member whose object leaves the
GDP's selection is absent, and a GslbService with no member left is absent (deleted).

Rules applied here, from AMKO ``gslb/nodes`` (``setGSLBPropertiesForGS``,
``BuildGSMemberObjFromMeta``, ``buildHmPathList``, ``checkAndUpdateNonPathHealthMonitor``):

1. Weight and priority of a cluster's members: the GSLBHostRule's ``trafficSplit`` entry for
   the cluster, else the GDP's entry, else weight 1 and priority 10. Third-party members take
   the GSLBHostRule's entry for their site, else 1 and 1.
2. A GSLBHostRule value (ttl, pool algorithm, down response, health monitor refs,
   controlPlaneHmOnly, site persistence) overrides the GDP's for its FQDN.
3. Health monitors: none with ``controlPlaneHmOnly`` or with health monitor refs; one TCP/UDP
   monitor on the lowest port when a member is a LoadBalancer Service or a passthrough Route;
   else one HTTP monitor per distinct path (HTTPS on 443 when any member is TLS).
4. Site persistence applies only to a GslbService with a TLS member.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from albform.engine.collector import collector_paused
from albform.engine.diagnostics import Diagnostics
from albform.modules.gslb import naming
from albform.modules.gslb.amko import (
    AmkoInputs,
    GslbHostRule,
    GsProperties,
    PoolAlgorithm,
    read_amko,
)
from albform.modules.gslb.bodies import (
    HTTP_TYPE,
    HTTPS_TYPE,
    TCP_TYPE,
    UDP_TYPE,
    GsMember,
    GsPlan,
    HealthMonitor,
    gslbservice_body,
    healthmonitor_body,
)
from albform.modules.gslb.members import ClusterView, MemberObject, read_cluster
from albform.modules.gslb.selection import Selected, select_members
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.objects import AviObject, Translation

RESOURCE_NAME = "amko"
DEFAULT_WEIGHT, DEFAULT_PRIORITY, THIRD_PARTY_PRIORITY = 1, 10, 1
HTTP_PORT, HTTPS_PORT = 80, 443

Objects = Iterable[KubeObject | Mapping[str, Any]]


def translate(members: Mapping[str, Objects], amko: Objects) -> tuple[Translation, Diagnostics]:
    with collector_paused():  # see engine/collector.py
        return _translate(members, amko)


def _translate(members: Mapping[str, Objects], amko: Objects) -> tuple[Translation, Diagnostics]:
    inputs, diags = read_amko(list(amko) if isinstance(amko, Iterable) else [])
    if inputs is None:
        return Translation((), "admin", resource_name=RESOURCE_NAME), diags
    config, policy = inputs.config, inputs.policy
    empty = Translation((), config.tenant, resource_name=RESOURCE_NAME)
    for name in sorted(set(members) - set(config.member_clusters)):
        diags.warning("Member cluster not in GSLBConfig", f"Cluster {name} is not one of the "
                      f"GSLBConfig's memberClusters ({', '.join(config.member_clusters)}); "
                      "AMKO does not read it.")
    if policy is None:
        return empty, diags
    missing = [c for c in policy.match_clusters if c not in members]
    for name in missing:
        # Planning without a selected cluster would delete its members everywhere.
        diags.error("Member cluster not given", f"GDP {policy.name} selects cluster {name}, "
                    "but no input was given for it (--member NAME=PATH or NAME=context:CTX); "
                    "its GSLB members cannot be planned.", subject=policy.source)
    if missing:
        return empty, diags
    views = {c: read_cluster(c, members[c], config.tenant) for c in config.member_clusters
             if c in members}
    for view in views.values():
        for obj in view.unsupported:
            diags.warning("Object kind not translated", f"{obj.kind} {obj.namespace}/"
                          f"{obj.name} in cluster {view.name} is ignored: albform's GSLB "
                          "translator does not implement it yet.", subject=obj.source)
    selected = select_members(views, policy, config, diags)
    plans = _plan_services(selected, views, inputs, diags)
    out: list[AviObject] = []
    seen_hms: set[tuple[str, str]] = set()
    for gs in plans:
        for hm in gs.monitors:
            if (gs.tenant, hm.name) not in seen_hms:  # the passthrough monitor is shared
                seen_hms.add((gs.tenant, hm.name))
                out.append(AviObject("healthmonitor", hm.name, gs.tenant,
                                     healthmonitor_body(hm, gs.tenant, gs.created_by)))
        out.append(AviObject("gslbservice", gs.name, gs.tenant, gslbservice_body(gs)))
    return Translation(tuple(out), config.tenant, resource_name=RESOURCE_NAME), diags


def _plan_services(selected: list[Selected], views: Mapping[str, ClusterView],
                   inputs: AmkoInputs, diags: Diagnostics) -> list[GsPlan]:
    order = {c: i for i, c in enumerate(inputs.config.member_clusters)}
    by_gs: dict[tuple[str, str], list[Selected]] = defaultdict(list)
    for s in sorted(selected, key=lambda s: (order[s.member.cluster], s.member.obj_type,
                                             s.member.namespace, s.member.name)):
        by_gs[(s.member.tenant, s.gs_name)].append(s)
    aliases = _aliases(views, inputs, diags)
    plans = [_plan(tenant, name, group, aliases.get(name, ()), inputs, diags)
             for (tenant, name), group in sorted(by_gs.items())]
    served = {name for _, name in by_gs}
    for fqdn, rule in sorted(inputs.host_rules.items()):
        if fqdn not in served:
            diags.warning("GSLBHostRule matches no GslbService", f"GSLBHostRule {rule.namespace}/"
                          f"{rule.name} is for {fqdn}, which no selected member serves; it "
                          "changes nothing.", subject=rule.source)
    return plans


def _aliases(views: Mapping[str, ClusterView], inputs: AmkoInputs,
             diags: Diagnostics) -> dict[str, tuple[str, ...]]:
    """AMKO's ``gsToDomainName`` map: HostRule aliases by GslbService name (in custom-FQDN
    mode only with ``gslb.includeAliases``). An alias already given to any GslbService is
    ignored, as ``AddUpdateGSToDomainNameMapping`` does."""
    owner: dict[str, str] = {}
    out: dict[str, list[str]] = defaultdict(list)
    for view in views.values():
        for rule in sorted(view.host_rules, key=lambda r: (r.namespace, r.name)):
            custom = inputs.config.use_custom_fqdn
            if custom and not rule.include_aliases:
                continue
            gs = rule.global_fqdn if custom else rule.local_fqdn
            for alias in rule.aliases:
                if alias in owner:
                    if owner[alias] != gs:
                        diags.warning("HostRule alias ignored", f"HostRule {view.name}/"
                                      f"{rule.namespace}/{rule.name}: alias {alias} is already "
                                      f"a domain name of GslbService {owner[alias]}.")
                    continue
                owner[alias] = gs
                out[gs].append(alias)
    return {k: tuple(v) for k, v in out.items()}


def _plan(tenant: str, name: str, group: list[Selected], aliases: tuple[str, ...],
          inputs: AmkoInputs, diags: Diagnostics) -> GsPlan:
    rule = inputs.host_rules.get(name)
    gdp = inputs.policy.properties if inputs.policy else GsProperties()
    ghr = rule.properties if rule else GsProperties()
    k8s = [s.member for s in group]
    members = [_k8s_member(s, ghr, gdp, rule) for s in group]
    members += [GsMember(t.vip, *_split(ghr, t.site, DEFAULT_WEIGHT, THIRD_PARTY_PRIORITY),
                         public_ip=t.public_ip)
                for t in (rule.third_party_members if rule else ())]
    _report_shared_ips(name, group, diags)
    cp_only = ghr.control_plane_hm_only if ghr.control_plane_hm_only is not None else (
        bool(gdp.control_plane_hm_only))
    hm_refs: tuple[str, ...] = () if cp_only else (ghr.hm_refs or gdp.hm_refs)
    monitors = () if cp_only or hm_refs else _monitors(name, k8s, inputs.config.amko_uuid)
    persistence, pki = _persistence(rule, inputs) if any(m.tls for m in k8s) else (None, None)
    return GsPlan(
        name=name, tenant=tenant, domain_names=(name, *aliases), members=tuple(members),
        description=",".join(m.key for m in k8s),
        created_by=naming.created_by(inputs.config.amko_uuid), monitors=monitors,
        hm_refs=hm_refs, control_plane_hm_only=cp_only,
        ttl=ghr.ttl if ghr.ttl is not None else gdp.ttl,
        site_persistence_ref=persistence, pki_profile_ref=pki,
        pool_algorithm=ghr.pool_algorithm or gdp.pool_algorithm or PoolAlgorithm(),
        down_response=ghr.down_response or gdp.down_response)


def _split(props: GsProperties, cluster: str, weight: int, priority: int) -> tuple[int, int]:
    for t in props.traffic_split:
        if t.cluster == cluster:
            return t.weight, t.priority
    return weight, priority


def _k8s_member(s: Selected, ghr: GsProperties, gdp: GsProperties,
                rule: GslbHostRule | None) -> GsMember:
    m = s.member
    weight, priority = _split(gdp, m.cluster, DEFAULT_WEIGHT, DEFAULT_PRIORITY)
    weight, priority = _split(ghr, m.cluster, weight, priority)
    public_ip = rule.public_ip.get(m.cluster, "") if rule else ""
    if s.sync_vip_only:
        return GsMember(m.ip, weight, priority, public_ip=public_ip)
    return GsMember(m.ip, weight, priority, m.controller_uuid, m.vs_uuid, public_ip)


def _report_shared_ips(name: str, group: list[Selected], diags: Diagnostics) -> None:
    """``GetUniqueMemberObjs`` keeps the first member per IP; say which ones it drops."""
    first: dict[str, MemberObject] = {}
    for s in group:
        kept = first.setdefault(s.member.ip, s.member)
        if kept is not s.member:
            diags.warning("GSLB member shares a VIP", f"GslbService {name}: {s.member.key} has "
                          f"the same VIP {s.member.ip} as {kept.key}; AMKO sends the VIP once.",
                          subject=s.member.source)


def _monitors(gs_name: str, members: list[MemberObject],
              amko_uuid: str) -> tuple[HealthMonitor, ...]:
    non_path = [m for m in members if m.non_path]
    if non_path:
        lowest = min(non_path, key=lambda m: m.port)
        hm_type = UDP_TYPE if lowest.protocol == "UDP" else TCP_TYPE
        if all(m.passthrough for m in non_path):
            return (HealthMonitor(naming.passthrough_hm(amko_uuid), hm_type, lowest.port,
                                  naming.CREATED_BY_AMKO),)
        return (HealthMonitor(naming.non_path_hm(gs_name), hm_type, lowest.port,
                              naming.non_path_hm_description(gs_name)),)
    secure = any(m.tls for m in members)
    paths = list(dict.fromkeys(p for m in members for p in m.paths))
    return tuple(HealthMonitor(naming.path_hm(gs_name, p, secure),
                               HTTPS_TYPE if secure else HTTP_TYPE,
                               HTTPS_PORT if secure else HTTP_PORT,
                               naming.path_hm_description(gs_name, p, secure), p)
                 for p in paths)


def _persistence(rule: GslbHostRule | None,
                 inputs: AmkoInputs) -> tuple[str | None, str | None]:
    """AMKO's ``getSitePersistence`` / ``getPKIProfile``."""
    gdp = inputs.policy
    gdp_ref = gdp.site_persistence_ref if gdp else None
    gdp_pki = gdp.pki_profile_ref if gdp else None
    if rule is not None and rule.site_persistence is not None:
        sp = rule.site_persistence
        if not sp.enabled:
            return None, None
        return sp.profile_ref, sp.pki_profile_ref or gdp_pki
    return gdp_ref, gdp_pki
