"""HTTPRule (``ako.vmware.com/v1beta1``): per-path pool settings (AKO ``ValidateHTTPRuleObj``
and ``BuildPoolHTTPRule``, internal/nodes/crd_translator.go).

A rule applies to the pools of Ingresses in its own namespace serving exactly ``spec.fqdn``;
a path target matches every pool whose path starts with it (AKO matches a regex over the pool
name: ``^C--<ns>-<host><P(target)>.*-<ing>`` and its insecure twin). ``pool_settings`` gives
the pool body keys and, for a ``destinationCA``, the PKIProfile AKO creates for the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.crd_status import AviRef, CrdStatuses, creation_order
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.naming import path_label

KIND = "HTTPRule"
PKI_AND_DEST_CA = ("PKIProfile and DestinationCA fields are set in the HTTPRule. Only one of "
                   "the field should be set.")  # lib.HttpRulePkiAndDestCASetErr
DEFAULT_POOL_SSL_PROFILE = "System-Standard"
CONSISTENT_HASH = "LB_ALGORITHM_CONSISTENT_HASH"
CUSTOM_HEADER = "LB_ALGORITHM_CONSISTENT_HASH_CUSTOM_HEADER"


@dataclass(frozen=True, slots=True)
class PathSettings:
    target: str
    spec: Mapping[str, Any]

    def sub(self, key: str) -> Mapping[str, Any]:
        value = self.spec.get(key)
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class HttpRule:
    obj: KubeObject
    fqdn: str
    paths: tuple[PathSettings, ...]

    @property
    def key(self) -> str:
        return f"{self.obj.namespace}/{self.obj.name}"


@dataclass(frozen=True, slots=True)
class Applied:
    """What one HTTPRule path does to one pool: body keys, the PKIProfile (name, CA PEM) to
    create, and the ``service_metadata.crd_status``."""

    rule: HttpRule
    target: str  # as AKO records it ("" for "/" on a pool without a path)
    body: Mapping[str, Any]
    pki_ca: str = ""
    crd_status: tuple[str, str, str] = field(default=("", "", ""))


class HttpRules:
    def __init__(self, index: ClusterIndex, statuses: CrdStatuses,
                 tenant_of: Callable[[str], str]) -> None:
        self._tenant_of = tenant_of
        self.by_fqdn: dict[str, list[HttpRule]] = {}
        for obj in creation_order(index.crds.get(KIND, [])):
            rule = _validate(obj, statuses)
            if rule is not None:
                statuses.accept(KIND, obj)
                self.by_fqdn.setdefault(rule.fqdn, []).append(rule)

    def __bool__(self) -> bool:
        return bool(self.by_fqdn)

    def for_pool(self, host: str, namespace: str, tenant: str, pool_path: str
                 ) -> Applied | None:
        """The HTTPRule path that configures the pool of ``pool_path`` on ``host`` for an
        Ingress in ``namespace``. When several targets match, AKO's winner depends on Go map
        order; we take the longest target (the most specific), then the last rule created
        (AKO's fqdn -> path map keeps the last writer)."""
        best: tuple[int, HttpRule, PathSettings, str] | None = None
        for rule in self.by_fqdn.get(host, ()):
            if rule.obj.namespace != namespace or self._tenant_of(namespace) != tenant:
                continue
            for p in rule.paths:
                tls_type = str(p.sub("tls").get("type") or "")
                if tls_type not in ("", "reencrypt"):
                    continue
                target = "" if pool_path == "" and p.target == "/" else p.target
                if not path_label(pool_path).startswith(path_label(target)):
                    continue
                if best is None or len(target) >= best[0]:
                    best = (len(target), rule, p, target)
        if best is None:
            return None
        _, rule, p, target = best
        return _applied(rule, p, target)


def _parse(obj: KubeObject) -> HttpRule:
    paths = []
    raw_paths = obj.spec.get("paths")
    for raw in raw_paths if isinstance(raw_paths, list) else []:
        if isinstance(raw, dict):
            paths.append(PathSettings(str(raw.get("target") or ""), raw))
    return HttpRule(obj, str(obj.spec.get("fqdn") or ""), tuple(paths))


def _validate(obj: KubeObject, statuses: CrdStatuses) -> HttpRule | None:
    """``ValidateHTTPRuleObj``."""
    rule = _parse(obj)
    for p in rule.paths:
        tls = p.sub("tls")
        if tls.get("pkiProfile") and tls.get("destinationCA"):
            statuses.reject(KIND, obj, PKI_AND_DEST_CA)
            return None
    if not statuses.check_refs(KIND, obj, _refs(rule)):
        return None
    return rule


def _refs(rule: HttpRule) -> list[AviRef]:
    refs: list[AviRef] = []
    for i, p in enumerate(rule.paths):
        where = f"spec.paths[{i}]."
        tls = p.sub("tls")
        refs.append(AviRef(where + "tls.sslProfile", "sslprofile",
                           str(tls.get("sslProfile") or "")))
        refs.append(AviRef(where + "applicationPersistence", "applicationpersistenceprofile",
                           str(p.spec.get("applicationPersistence") or "")))
        refs.append(AviRef(where + "tls.pkiProfile", "pkiprofile",
                           str(tls.get("pkiProfile") or "")))
        hms = p.spec.get("healthMonitors")
        refs += [AviRef(where + "healthMonitors", "healthmonitor", str(hm))
                 for hm in (hms if isinstance(hms, list) else [])]
    return refs


def references(obj: KubeObject) -> list[AviRef]:
    """The Avi objects an HTTPRule names (what the controller is asked about)."""
    return _refs(_parse(obj))


def _applied(rule: HttpRule, p: PathSettings, target: str) -> Applied:
    body: dict[str, Any] = {}
    pki_ca = ""
    tls = p.sub("tls")
    if tls.get("type"):
        body["sni_enabled"] = True
        profile = str(tls.get("sslProfile") or DEFAULT_POOL_SSL_PROFILE)
        body["ssl_profile_ref"] = f"/api/sslprofile?name={profile}"
        pki_ca = str(tls.get("destinationCA") or "")
        if tls.get("pkiProfile"):
            body["pki_profile_ref"] = f"/api/pkiprofile?name={tls['pkiProfile']}"
    if p.spec.get("applicationPersistence"):
        body["application_persistence_profile_ref"] = \
            f"/api/applicationpersistenceprofile?name={p.spec['applicationPersistence']}"
    hms = p.spec.get("healthMonitors")
    if isinstance(hms, list) and hms:
        body["health_monitor_refs"] = list(dict.fromkeys(
            f"/api/healthmonitor?name={hm}" for hm in hms))
    if isinstance(p.spec.get("enableHttp2"), bool):
        body["enable_http2"] = p.spec["enableHttp2"]
    lb = p.sub("loadBalancerPolicy")
    if lb.get("algorithm"):
        body["lb_algorithm"] = str(lb["algorithm"])
        if lb["algorithm"] == CONSISTENT_HASH:
            body["lb_algorithm_hash"] = str(lb.get("hash") or "")
            if lb.get("hash") == CUSTOM_HEADER and lb.get("hostHeader"):
                body["lb_algorithm_consistent_hash_hdr"] = str(lb["hostHeader"])
    return Applied(rule, target, body, pki_ca,
                   ("HTTPRule", f"{rule.key}/{target}", "ACTIVE"))
