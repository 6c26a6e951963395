"""AMKO's own objects as validated values: ``GSLBConfig`` (amko.vmware.com/v1alpha1),
``GlobalDeploymentPolicy`` (v1alpha2) and ``GSLBHostRule`` (v1alpha1).

``read_amko(objects) -> (AmkoInputs | None, Diagnostics)``. Acceptance follows AMKO's
``gslb/ingestion``: one GSLBConfig and one GDP, both in ``avi-system``; a GDP is checked as
``GDPSanityChecks`` does and a GSLBHostRule as ``ValidateGSLBHostRule`` does, with AMKO's
reasons. AMKO marks a failing object Rejected and carries on without it; here it is an error,
because planning without the object would silently move traffic (DECISIONS.md).
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.gslb.members import is_ip, str_map
from albform.modules.k8s.ingest import KubeObject

AVI_SYSTEM = "avi-system"
AMKO_UUID_ANNOTATION = "amko.vmware.com/amko-uuid"
KINDS = ("GSLBConfig", "GlobalDeploymentPolicy", "GSLBHostRule")

RR, TOPOLOGY = "GSLB_ALGORITHM_ROUND_ROBIN", "GSLB_ALGORITHM_TOPOLOGY"
CONSISTENT_HASH, GEO = "GSLB_ALGORITHM_CONSISTENT_HASH", "GSLB_ALGORITHM_GEO"
DOWN_FALLBACK_IP = "GSLB_SERVICE_DOWN_RESPONSE_FALLBACK_IP"
DOWN_RESPONSES = ("GSLB_SERVICE_DOWN_RESPONSE_NONE", "GSLB_SERVICE_DOWN_RESPONSE_ALL_RECORDS",
                  DOWN_FALLBACK_IP, "GSLB_SERVICE_DOWN_RESPONSE_EMPTY")


class Rejected(Exception):
    """AMKO's reason for rejecting an object (its status message)."""


@dataclass(frozen=True, slots=True)
class TrafficSplit:
    cluster: str
    weight: int
    priority: int


@dataclass(frozen=True, slots=True)
class PoolAlgorithm:
    lb_algorithm: str = RR
    hash_mask: int | None = None
    fallback_algorithm: str | None = None
    fallback_hash_mask: int | None = None


@dataclass(frozen=True, slots=True)
class DownResponse:
    type: str
    fallback_ip: str = ""


@dataclass(frozen=True, slots=True)
class SitePersistence:
    enabled: bool
    profile_ref: str = ""
    pki_profile_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ThirdPartyMember:
    site: str
    vip: str
    public_ip: str = ""


@dataclass(frozen=True, slots=True)
class GslbConfig:
    name: str
    member_clusters: tuple[str, ...]
    tenant: str = "admin"
    use_custom_fqdn: bool = False
    amko_uuid: str = ""
    source: SourceRange | None = None


@dataclass(frozen=True, slots=True)
class GsProperties:
    """What a GDP sets for every GslbService and a GSLBHostRule overrides for one FQDN
    (``None``/empty = not set, inherit)."""

    traffic_split: tuple[TrafficSplit, ...] = ()
    hm_refs: tuple[str, ...] = ()
    ttl: int | None = None
    pool_algorithm: PoolAlgorithm | None = None
    down_response: DownResponse | None = None
    control_plane_hm_only: bool | None = None


@dataclass(frozen=True, slots=True)
class DeploymentPolicy:
    name: str
    app_label: tuple[str, str] | None = None
    namespace_label: tuple[str, str] | None = None
    # cluster -> syncVipOnly, in the order given
    match_clusters: Mapping[str, bool] = field(default_factory=dict)
    properties: GsProperties = GsProperties()
    site_persistence_ref: str | None = None
    pki_profile_ref: str | None = None
    source: SourceRange | None = None


@dataclass(frozen=True, slots=True)
class GslbHostRule:
    name: str
    namespace: str
    fqdn: str
    properties: GsProperties = GsProperties()
    site_persistence: SitePersistence | None = None
    third_party_members: tuple[ThirdPartyMember, ...] = ()
    public_ip: Mapping[str, str] = field(default_factory=dict)
    source: SourceRange | None = None


@dataclass(frozen=True, slots=True)
class AmkoInputs:
    config: GslbConfig
    policy: DeploymentPolicy | None
    host_rules: Mapping[str, GslbHostRule]  # by FQDN


def read_amko(objects: Sequence[KubeObject | Mapping[str, Any]],
              ) -> tuple[AmkoInputs | None, Diagnostics]:
    diags = Diagnostics()
    by_kind: dict[str, list[KubeObject]] = {k: [] for k in KINDS}
    for raw in objects:
        if not isinstance(raw, KubeObject | dict):
            diags.error("Invalid Kubernetes object", f"Expected an AMKO object (a mapping with "
                        f"apiVersion and kind), got {type(raw).__name__}.")
            continue
        obj = raw if isinstance(raw, KubeObject) else KubeObject(raw)
        if obj.kind in by_kind:
            by_kind[obj.kind].append(obj)
        else:
            diags.warning("Object kind not read", f"{obj.kind} {obj.namespace}/{obj.name} is "
                          "not an AMKO object (GSLBConfig, GlobalDeploymentPolicy, "
                          "GSLBHostRule); it is ignored.", subject=obj.source)
    config = _config(by_kind["GSLBConfig"], diags)
    if config is None:
        return None, diags
    policy = _policy(by_kind["GlobalDeploymentPolicy"], config, diags)
    rules = _host_rules(by_kind["GSLBHostRule"], config, diags)
    if diags.has_errors():
        return None, diags
    return AmkoInputs(config, policy, rules), diags


def _in_avi_system(objs: list[KubeObject], what: str, reason: str,
                   diags: Diagnostics) -> list[KubeObject]:
    kept = []
    for obj in sorted(objs, key=lambda o: (o.namespace, o.name)):
        if obj.namespace != AVI_SYSTEM:
            diags.warning(f"{what} ignored", f"{what} {obj.namespace}/{obj.name}: {reason}",
                          subject=obj.source)
        else:
            kept.append(obj)
    return kept


def _config(objs: list[KubeObject], diags: Diagnostics) -> GslbConfig | None:
    objs = _in_avi_system(objs, "GSLBConfig", "invalid gslb config, namespace can only be "
                          "avi-system.", diags)
    if not objs:
        diags.error("No GSLBConfig", "AMKO needs one GSLBConfig in avi-system naming the "
                    "leader and the member clusters.")
        return None
    if len(objs) > 1:
        diags.error("Invalid GSLBConfig", f"more than one GSLBConfig objects in {AVI_SYSTEM} "
                    "exist, please add only one.", subject=objs[1].source)
        return None
    obj = objs[0]
    spec = _Spec(obj)
    members = []
    clusters = spec.data.get("memberClusters") or []
    for i, m in enumerate(clusters if isinstance(clusters, list) else []):
        context = m.get("clusterContext") if isinstance(m, dict) else None
        if not isinstance(context, str) or not context:
            diags.error("Invalid GSLBConfig", f"memberClusters[{i}] has no clusterContext.",
                        subject=obj.source)
        else:
            members.append(context)
    leader = spec.mapping("gslbLeader")
    tenant = leader.get("tenant") or "admin"
    amko_uuid = str_map(obj.metadata.get("annotations")).get(AMKO_UUID_ANNOTATION, "")
    try:
        amko_uuid = str(uuidlib.UUID(amko_uuid)) if amko_uuid else ""
    except ValueError:
        diags.error("Invalid GSLBConfig", f"error in parsing annotation for UUID {amko_uuid}.",
                    subject=obj.source)
    if not amko_uuid:
        # AMKO generates a random one and writes it back; derive a stable one instead.
        amko_uuid = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"albform:amko/{obj.name}"))
        diags.warning("GSLBConfig has no AMKO id", f"GSLBConfig {obj.name} has no "
                      f"{AMKO_UUID_ANNOTATION} annotation; AMKO would generate one and write it "
                      f"back. albform uses {amko_uuid}: set the annotation to the id your AMKO "
                      "uses so created_by matches.", subject=obj.source)
    return GslbConfig(obj.name, tuple(members), str(tenant),
                      bool(spec.get("useCustomGlobalFqdn", False)), amko_uuid, obj.source)


def _policy(objs: list[KubeObject], config: GslbConfig,
            diags: Diagnostics) -> DeploymentPolicy | None:
    objs = _in_avi_system(objs, "GlobalDeploymentPolicy", "GDPs for all namespaces other than "
                          "avi-system are rejected.", diags)
    if not objs:
        diags.warning("No GlobalDeploymentPolicy", "Without a GDP in avi-system AMKO selects "
                      "no application: no GslbService is planned.")
        return None
    for extra in objs[1:]:
        diags.error("GlobalDeploymentPolicy rejected", f"{extra.name}: a GDP object already "
                    f"exists, can't add another ({objs[0].name} is accepted).",
                    subject=extra.source)
    obj = objs[0]
    try:
        return _parse_policy(obj, config)
    except Rejected as exc:
        diags.error("GlobalDeploymentPolicy rejected", f"{obj.name}: {exc}.",
                    subject=obj.source)
        return None


def _parse_policy(obj: KubeObject, config: GslbConfig) -> DeploymentPolicy:
    spec = _Spec(obj)
    rules = spec.mapping("matchRules")
    app = _selector(rules.get("appSelector"), "appSelector")
    nsl = _selector(rules.get("namespaceSelector"), "namespaceSelector")
    clusters: dict[str, bool] = {}
    for c in spec.entries("matchClusters"):
        name = str(c.get("cluster") or "")
        if name not in config.member_clusters:
            raise Rejected(f"cluster context {name} not present in GSLBConfig")
        clusters[name] = bool(c.get("syncVipOnly", False))
    props = _properties(spec, config)
    sp = spec.get("sitePersistenceRef")
    pki = spec.get("pkiProfileRef")
    if sp is not None and not sp:
        raise Rejected("empty string as site persistence reference not supported")
    if pki is not None and not pki:
        raise Rejected("empty string as pki profile reference not supported")
    return DeploymentPolicy(obj.name, app, nsl, clusters, props,
                            str(sp) if sp else None, str(pki) if pki else None, obj.source)


def _selector(value: Any, what: str) -> tuple[str, str] | None:
    label = value.get("label") if isinstance(value, dict) else None
    if not label:
        return None
    if not isinstance(label, dict):
        raise Rejected(f"{what}.label must be a map of one label key to its value")
    for k, v in label.items():
        if not k:
            raise Rejected(f"label value is missing for key {k} for {what}")
        if not v:
            raise Rejected(f"label key is missing for value {v} for {what}")
    if len(label) != 1:
        # AddToFilter only takes a selector with exactly one label.
        raise Rejected(f"{what} has {len(label)} labels; AMKO uses a selector only when it "
                       "has exactly one label")
    k, v = next(iter(label.items()))
    return str(k), str(v)


def _properties(spec: _Spec, config: GslbConfig | None) -> GsProperties:
    """The shared GDP/GSLBHostRule fields. ``config`` (GDP only) checks the trafficSplit
    clusters: a GSLBHostRule's entries may also name third-party sites."""
    split = []
    for t in spec.entries("trafficSplit"):
        cluster, weight = str(t.get("cluster") or ""), _int(t.get("weight", 0), "weight")
        priority = _int(t.get("priority", 0), "priority")
        if config is not None and cluster not in config.member_clusters:
            raise Rejected(f"cluster {cluster} in traffic policy not present in GSLBConfig")
        if weight < 1 or weight > 20:
            raise Rejected(f"traffic weight {weight} must be between 1 and 20")
        if priority < 0 or priority > 100:
            raise Rejected(f"priority {priority} must be between 1 and 100")
        split.append(TrafficSplit(cluster, weight, priority))
    refs = tuple(str(r) for r in spec.sequence("healthMonitorRefs"))
    template = spec.get("healthMonitorTemplate")
    if template is not None and refs:
        raise Rejected("health monitor reference and template cannot be specified together")
    if template is not None:
        raise Rejected("healthMonitorTemplate needs the template's settings from the leader; "
                       "albform does not support it yet (use healthMonitorRefs)")
    ttl = spec.get("ttl")
    cp = spec.get("controlPlaneHmOnly")
    return GsProperties(tuple(split), refs,
                        _int(ttl, "ttl") if ttl is not None else None,
                        _pool_algorithm(spec.get("poolAlgorithmSettings")),
                        _down_response(spec.get("downResponse")),
                        bool(cp) if cp is not None else None)


def _pool_algorithm(value: Any) -> PoolAlgorithm | None:
    """AMKO's ``isGslbPoolAlgorithmValid`` / ``isFallbackAlgorithmValid``."""
    if not isinstance(value, dict):
        return None
    algo, mask, geo = value.get("lbAlgorithm"), value.get("hashMask"), value.get("geoFallback")
    mask = _int(mask, "hashMask") if mask is not None else None
    if algo in (RR, TOPOLOGY):
        if geo is not None:
            raise Rejected(f"invalid pool algorithm: geoFallback not allowed for {algo}")
        if mask is not None:
            raise Rejected(f"invalid pool algorithm: hashMask not allowed for {algo}")
        return PoolAlgorithm(algo)
    if algo == CONSISTENT_HASH:
        if geo is not None:
            raise Rejected("invalid pool algorithm: geoFallback is not allowed with "
                           "ConsistentHash")
        if mask is None:
            raise Rejected("invalid pool algorithm: hashMask is required for ConsistentHash")
        return PoolAlgorithm(algo, mask)
    if algo == GEO:
        if not isinstance(geo, dict):
            raise Rejected("invalid pool algorithm: geoFallback has to be set for Geo, "
                           "available choices: RoundRobin, ConsistentHash")
        fallback, fmask = geo.get("lbAlgorithm"), geo.get("hashMask")
        if fallback == RR and fmask is not None:
            raise Rejected(f"invalid pool algorithm: hashMask is not allowed with {fallback} "
                           "as geoFallback algorithm")
        if fallback == CONSISTENT_HASH and fmask is None:
            raise Rejected(f"invalid pool algorithm: hashMask is required for {fallback} as "
                           "the geoFallback algorithm")
        if fallback not in (RR, CONSISTENT_HASH):
            raise Rejected(f"invalid pool algorithm: unsupported algorithm {fallback} for "
                           "geoFallback")
        return PoolAlgorithm(algo, None, str(fallback),
                             _int(fmask, "hashMask") if fmask is not None else None)
    raise Rejected(f"invalid pool algorithm: unsupported lbAlgorithm {algo}")


def _down_response(value: Any) -> DownResponse | None:
    """AMKO's ``isGSLBDownResponseValid``."""
    if not isinstance(value, dict):
        return None
    kind, ip = str(value.get("type") or ""), str(value.get("fallbackIP") or "")
    if kind not in DOWN_RESPONSES:
        raise Rejected(f"invalid down response configuration: unknown type {kind!r}")
    if kind == DOWN_FALLBACK_IP:
        if not ip:
            raise Rejected(f"invalid down response configuration: Fallback IP is required "
                           f"for {kind}")
        if not is_ip(ip):
            raise Rejected(f"invalid down response configuration: Fallback IP {ip} is not "
                           "valid")
    elif ip:
        raise Rejected(f"invalid down response configuration: Fallback IP is not allowed "
                       f"for {kind}")
    return DownResponse(kind, ip)


def _host_rules(objs: list[KubeObject], config: GslbConfig,
                diags: Diagnostics) -> dict[str, GslbHostRule]:
    rules: dict[str, GslbHostRule] = {}
    for obj in sorted(objs, key=lambda o: (o.namespace, o.name)):
        try:
            rule = _parse_host_rule(obj, config)
        except Rejected as exc:
            diags.error("GSLBHostRule rejected", f"{obj.namespace}/{obj.name}: {exc}.",
                        subject=obj.source)
            continue
        if rule.fqdn in rules:
            first = rules[rule.fqdn]
            diags.error("GSLBHostRule rejected", f"{obj.namespace}/{obj.name}: there's an "
                        f"existing GSLBHostRule for the same FQDN ({first.namespace}/"
                        f"{first.name}).", subject=obj.source)
            continue
        rules[rule.fqdn] = rule
    return rules


def _parse_host_rule(obj: KubeObject, config: GslbConfig) -> GslbHostRule:
    spec = _Spec(obj)
    fqdn = str(spec.get("fqdn") or "")
    if not fqdn:
        raise Rejected(f"GSFqdn missing for {obj.name} GSLBHostRule")
    sp = spec.get("sitePersistence")
    persistence = None
    if isinstance(sp, dict):
        persistence = SitePersistence(bool(sp.get("enabled", False)),
                                      str(sp.get("profileRef") or ""), sp.get("pkiProfileRef"))
        if persistence.enabled and not persistence.profile_ref:
            raise Rejected(f"SitePersistence Profile  error for {obj.name} GSLBHostRule")
    members = []
    for m in spec.entries("thirdPartyMembers"):
        site, vip = str(m.get("site") or ""), str(m.get("vip") or "")
        public_ip = str(m.get("publicIP") or "")
        if not is_ip(vip):
            raise Rejected(f"Invalid VIP for thirdPartyMember site {site},{obj.name} "
                           "GSLBHostRule (expecting IP address)")
        if public_ip and not is_ip(public_ip):
            raise Rejected(f"Invalid publicIP for thirdPartyMember site {site},{obj.name} "
                           "GSLBHostRule (expecting IP address)")
        members.append(ThirdPartyMember(site, vip, public_ip))
    public = {}
    for p in spec.entries("publicIP"):
        cluster, ip = str(p.get("cluster") or ""), str(p.get("ip") or "")
        if cluster not in config.member_clusters:
            raise Rejected(f"cluster {cluster} in Public IP  not present in GSLBConfig")
        if not is_ip(ip):
            raise Rejected(f"Invalid IP for site {cluster},{obj.name} GSLBHostRule (expecting "
                           "IP address)")
        public[cluster] = ip
    try:
        props = _properties(spec, None)
    except Rejected as exc:
        raise Rejected(f"{exc} for {obj.name} GSLBHostRule") from None
    return GslbHostRule(obj.name, obj.namespace, fqdn, props, persistence, tuple(members),
                        public, obj.source)


class _Spec:
    """``spec`` of an AMKO object with typed getters; a mistyped field is a Rejected."""

    def __init__(self, obj: KubeObject) -> None:
        self.data = obj.spec

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def sequence(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise Rejected(f"spec.{key} must be a list")
        return value

    def entries(self, key: str) -> list[Mapping[str, Any]]:
        """``spec.<key>``, a list of objects."""
        items = self.sequence(key)
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise Rejected(f"spec.{key}[{i}] must be an object")
        return items

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self.data.get(key)
        return value if isinstance(value, dict) else {}


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejected(f"{what} must be an integer, got {value!r}")
    return value
