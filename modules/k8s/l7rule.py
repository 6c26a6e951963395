"""L7Rule (``ako.vmware.com/v1alpha2``), reached through a HostRule's ``l7Rule`` in EVH mode
(AKO ``ValidateL7RuleObj``; ``BuildL7Rule`` and ``populateCommonFields`` in
internal/nodes/crd_translator.go).

The rule's generated VS fields are copied onto the VS (``copier``; a child VS drops the
parent-only ``hostNameXlate``, ``securityPolicyRef`` and ``performanceLimits``); its profile,
WAF, error page, analytics and policy-set fields fill in only what the HostRule itself left
unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.crd_status import AviRef, CrdStatuses, as_dict, as_list, creation_order
from albform.modules.k8s.hostrule import analytics_policy
from albform.modules.k8s.ingest import KubeObject

KIND = "L7Rule"
AVI_REF = "AviRef"  # lib.AVI_REF: KindNameNamespace naming an Avi object
# Generated fields copied as they are (spec key -> VS body key).
_PLAIN = (("allowInvalidClientCert", "allow_invalid_client_cert"),
          ("closeClientConnOnConfigUpdate", "close_client_conn_on_config_update"),
          ("hostNameXlate", "host_name_xlate"),
          ("ignPoolNetReach", "ign_pool_net_reach"),
          ("minPoolsUp", "min_pools_up"),
          ("removeListeningPortOnVsDown", "remove_listening_port_on_vs_down"),
          ("sslSessCacheAvgSize", "ssl_sess_cache_avg_size"))
# Generated refs (AviVsNodeGeneratedFields.ConvertToRef): spec key -> (body key, ref type).
_REFS = (("botPolicyRef", "bot_policy_ref", "botpolicy"),
         ("securityPolicyRef", "security_policy_ref", "securitypolicy"),
         ("trafficCloneProfileRef", "traffic_clone_profile_ref", "trafficcloneprofile"))
_PARENT_ONLY = ("host_name_xlate", "security_policy_ref", "performance_limits")
# KindNameNamespace fields: spec key -> (body key, ref type).
_COMMON = (("analyticsProfile", "analytics_profile_ref", "analyticsprofile"),
           ("errorPageProfile", "error_page_profile_ref", "errorpageprofile"),
           ("applicationProfile", "application_profile_ref", "applicationprofile"),
           ("wafPolicy", "waf_policy_ref", "wafpolicy"))


@dataclass(frozen=True, slots=True)
class L7Rule:
    obj: KubeObject

    @property
    def spec(self) -> Mapping[str, Any]:
        return self.obj.spec


class L7Rules:
    def __init__(self, index: ClusterIndex, statuses: CrdStatuses) -> None:
        self.accepted: dict[tuple[str, str], L7Rule] = {}
        for obj in creation_order(index.crds.get(KIND, [])):
            if statuses.check_refs(KIND, obj, references(obj)):
                statuses.accept(KIND, obj)
                self.accepted[(obj.namespace, obj.name)] = L7Rule(obj)

    def get(self, namespace: str, name: str) -> L7Rule | None:
        return self.accepted.get((namespace, name))


def references(obj: KubeObject) -> list[AviRef]:
    """What ``ValidateL7RuleObj`` checks on the controller (refModelMap's types)."""
    spec = obj.spec
    refs = [AviRef("spec.botPolicyRef", "botdetectionpolicy", _text(spec, "botPolicyRef")),
            AviRef("spec.securityPolicyRef", "securitypolicy", _text(spec, "securityPolicyRef")),
            AviRef("spec.trafficCloneProfileRef", "trafficcloneprofile",
                   _text(spec, "trafficCloneProfileRef"))]
    for key, api_type in (("analyticsProfile", "analyticsprofile"), ("wafPolicy", "wafpolicy"),
                          ("icapProfile", "icapprofile"),
                          ("errorPageProfile", "errorpageprofile"),
                          ("applicationProfile", "applicationprofile")):
        ref = as_dict(spec.get(key))
        if ref.get("kind") == AVI_REF:
            refs.append(AviRef(f"spec.{key}.name", api_type, str(ref.get("name") or "")))
    refs += [AviRef("spec.httpPolicy.policySets", "httppolicyset", str(n))
             for n in as_list(as_dict(spec.get("httpPolicy")).get("policySets"))]
    return refs


def _text(spec: Mapping[str, Any], key: str) -> str:
    value = spec.get(key)
    return value if isinstance(value, str) else ""


def apply(rule: L7Rule, body: dict[str, Any], *, child: bool,
          hostrule_set: Mapping[str, bool]) -> None:
    """Set the L7Rule's fields on a VS body. ``hostrule_set``: which common fields the
    HostRule already set (body key -> bool), which the L7Rule then leaves alone."""
    spec = rule.spec
    for key, field in _PLAIN:
        if spec.get(key) is not None:
            body[field] = spec[key]
    for key, field, api_type in _REFS:
        if isinstance(spec.get(key), str):
            body[field] = f"/api/{api_type}?name={spec[key]}"
    limits = as_dict(spec.get("performanceLimits"))
    if "performanceLimits" in spec:
        body["performance_limits"] = {k: limits[v] for k, v in (
            ("max_concurrent_connections", "maxConcurrentConnections"),
            ("max_throughput", "maxThroughput")) if v in limits}
    if child:
        for field in _PARENT_ONLY:
            body.pop(field, None)
    for key, field, api_type in _COMMON:
        name = as_dict(spec.get(key)).get("name")
        if isinstance(name, str) and not hostrule_set.get(field):
            body[field] = f"/api/{api_type}?name={name}"
    if "analyticsPolicy" in spec and not hostrule_set.get("analytics_policy"):
        # populateCommonFields builds it exactly as BuildL7HostRule does.
        body["analytics_policy"] = analytics_policy(as_dict(spec.get("analyticsPolicy")))
    # icapProfile: AKO's check is on a non-nil empty list, so an L7Rule's ICAP profile is
    # never applied (populateCommonFields); kept that way.
    http = as_dict(spec.get("httpPolicy"))
    sets = list(dict.fromkeys(str(n) for n in as_list(http.get("policySets"))))
    if "httpPolicy" in spec and not hostrule_set.get("http_policy_sets"):
        own = [] if http.get("overwrite") is True else list(body.get("http_policies") or [])
        base = len(own) + 11 + 5
        body["http_policies"] = own + [{"index": base + i, "http_policy_set_ref":
                                        f"/api/httppolicyset?name={n}"}
                                       for i, n in enumerate(sets)]
