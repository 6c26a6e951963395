"""L4Rule (``ako.vmware.com/v1alpha2``): validation as AKO's ``ValidateL4RuleObj``, attachment
through the Service annotation ``ako.vmware.com/l4rule: [<ns>/]<name>`` (``getL4Rule``) and
the VS and pool fields ``buildWithL4Rule`` / ``buildPoolWithL4Rule`` copy from it.

AKO copies the spec onto its graph nodes field by field (``copier``) and turns names into
``/api/<type>?name=<name>`` references (``ConvertToRef``); ``vs_fields`` and ``pool_fields``
give the same keys for the REST bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.crd_status import (
    AviRef,
    CrdStatuses,
    as_dict,
    as_list,
    creation_order,
    is_ip,
)
from albform.modules.k8s.ingest import KubeObject

KIND = "L4Rule"
ANNOTATION = "ako.vmware.com/l4rule"  # lib.L4RuleAnnotation
L4_APP_PROFILE = "System-L4-Application"  # utils.DEFAULT_L4_APP_PROFILE
L4_SSL_APP_PROFILE = "System-SSL-Application"  # utils.DEFAULT_L4_SSL_APP_PROFILE
TCP_PROXY = "System-TCP-Proxy"  # utils.DEFAULT_TCP_NW_PROFILE
CONSISTENT_HASH = "LB_ALGORITHM_CONSISTENT_HASH"
CUSTOM_HEADER = "LB_ALGORITHM_CONSISTENT_HASH_CUSTOM_HEADER"




def _opt_str(spec: Mapping[str, Any], key: str) -> str:
    value = spec.get(key)
    return str(value) if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class L4Rule:
    obj: KubeObject
    spec: Mapping[str, Any]

    @property
    def key(self) -> str:
        return f"{self.obj.namespace}/{self.obj.name}"

    @property
    def listeners(self) -> list[Mapping[str, Any]]:
        return [li for li in as_list(self.spec.get("listenerProperties")) if isinstance(li, dict)]

    @property
    def ssl(self) -> bool:
        return any(li.get("enableSsl") is True for li in self.listeners)

    @property
    def backends(self) -> list[Mapping[str, Any]]:
        return [b for b in as_list(self.spec.get("backendProperties")) if isinstance(b, dict)]

    @property
    def load_balancer_ip(self) -> str:
        return _opt_str(self.spec, "loadBalancerIP")


class L4Rules:
    def __init__(self, index: ClusterIndex, statuses: CrdStatuses, cloud_type: str,
                 diags: Diagnostics) -> None:
        self._diags = diags
        self.present: set[tuple[str, str]] = set()
        self.accepted: dict[tuple[str, str], L4Rule] = {}
        for obj in creation_order(index.crds.get(KIND, [])):
            self.present.add((obj.namespace, obj.name))
            rule = _validate(obj, statuses, cloud_type)
            if rule is not None:
                statuses.accept(KIND, obj)
                self.accepted[(obj.namespace, obj.name)] = rule
                _warn_untranslated(rule, diags)
        self._active = bool(self.present) or any(
            ANNOTATION in s.annotations for s in index.services.values())

    def __bool__(self) -> bool:
        return self._active

    def for_service(self, svc: KubeObject) -> L4Rule | None:
        """``getL4Rule``: the annotated rule if Accepted and its listeners fit the Service;
        otherwise AKO logs why and builds the VS without it (a warning here)."""
        value = str(svc.annotations.get(ANNOTATION) or "")
        if not value:
            return None
        ns, _, name = value.rpartition("/")
        ns = ns or svc.namespace
        rule = self.accepted.get((ns, name))
        what = f"Service {svc.namespace}/{svc.name}"
        if rule is None:
            problem = (f'l4rule.ako.vmware.com "{name}" not found'
                       if (ns, name) not in self.present else
                       f"referred L4Rule {name} is invalid")
        else:
            problem = _listener_problem(rule, svc, value)
        if problem:
            self._diags.warning("L4Rule not applied", f"{what}: {problem}; AKO builds the "
                                "virtual service without the L4Rule.", subject=svc.source)
            return None
        return rule


def _listener_problem(rule: L4Rule, svc: KubeObject, annotation: str) -> str:
    ports = [p for p in as_list(svc.spec.get("ports")) if isinstance(p, dict)]
    listeners = rule.listeners
    if not listeners:
        return ""
    if len(listeners) != len(ports):
        return (f"Number of port definitions in {annotation} l4rule listener spec does not "
                f"match with the port definitons in {svc.name} service")
    wanted = set()
    for li in listeners:
        if li.get("enableSsl") is True and len(ports) > 1:
            return (f"Port {li.get('port')} requires enabling SSL for L4 but there are "
                    f"multiple ports defined in {svc.name} service definition")
        wanted.add((li.get("port"), str(li.get("protocol") or "")))
    for p in ports:
        if (p.get("port"), str(p.get("protocol") or "TCP")) not in wanted:
            return (f"Port {p.get('port')} defined in {svc.name} service definition is not "
                    f"present in {annotation} l4rule listener spec")
    return ""


def _warn_untranslated(rule: L4Rule, diags: Diagnostics) -> None:
    if any(as_list(b.get("healthMonitorCrdRefs")) for b in rule.backends):
        diags.warning("L4Rule field not translated", f"L4Rule {rule.key}: "
                      "backendProperties[].healthMonitorCrdRefs (ako-crd-operator HealthMonitor "
                      "objects) is not translated; the pools keep their other health monitors.",
                      subject=rule.obj.source)


L4_SSL_TYPE = "APPLICATION_PROFILE_TYPE_SSL"


def _is_l4_ssl_profile(name: str, known_type: str) -> bool:
    """``checkForL4SSLAppProfile``: the profile's type from the controller facts; without it
    only the built-in System-SSL-Application counts as SSL (DECISIONS.md)."""
    if known_type:
        return known_type == L4_SSL_TYPE
    return name == L4_SSL_APP_PROFILE


def _validate(obj: KubeObject, statuses: CrdStatuses, cloud_type: str) -> L4Rule | None:
    """``ValidateL4RuleObj``, check for check and message for message."""
    rule = L4Rule(obj, obj.spec)
    spec = rule.spec
    error = ""
    if rule.load_balancer_ip and not is_ip(rule.load_balancer_ip):
        error = f"loadBalancerIP {rule.load_balancer_ip} is not valid"
    app = _opt_str(spec, "applicationProfileRef")
    refs = [AviRef("spec.analyticsProfileRef", "analyticsprofile",
                   _opt_str(spec, "analyticsProfileRef"))]
    if not error and app:
        refs.append(AviRef("spec.applicationProfileRef", "applicationprofile", app))
        if _is_l4_ssl_profile(app, statuses.facts.object_type("applicationprofile", app)):
            if not rule.ssl:
                error = (f"SSL is not enabled in l4rule listener Spec but App Profile {app} is "
                         "of type SSL")
            refs.append(AviRef("spec.sslProfileRef", "sslprofile",
                               _opt_str(spec, "sslProfileRef")))
            refs += [AviRef("spec.sslKeyAndCertificateRefs", "sslkeyandcertificate", str(n))
                     for n in as_list(spec.get("sslKeyAndCertificateRefs"))]
        else:
            if app != L4_APP_PROFILE and rule.ssl:
                error = (f"SSL is enabled in l4rule listener Spec but App Profile {app} is not "
                         "of type SSL")
            elif spec.get("sslProfileRef") is not None:
                error = f"App Profile {app} is not of type SSL but SslProfileRef is set"
            elif as_list(spec.get("sslKeyAndCertificateRefs")):
                error = (f"App Profile {app} is not of type SSL but SslKeyAndCertificateRefs "
                         "are set")
    refs += [AviRef("spec.networkProfileRef", "networkprofile",
                    _opt_str(spec, "networkProfileRef")),
             AviRef("spec.networkSecurityPolicyRef", "networksecuritypolicy",
                    _opt_str(spec, "networkSecurityPolicyRef")),
             AviRef("spec.securityPolicyRef", "securitypolicy",
                    _opt_str(spec, "securityPolicyRef"))]
    refs += [AviRef("spec.vsDatascriptRefs", "vsdatascriptset", str(n))
             for n in as_list(spec.get("vsDatascriptRefs"))]
    for i, b in enumerate(rule.backends):
        where = f"spec.backendProperties[{i}]."
        refs += [AviRef(where + "applicationPersistenceProfileRef",
                        "applicationpersistenceprofile",
                        _opt_str(b, "applicationPersistenceProfileRef")),
                 AviRef(where + "pkiProfileRef", "pkiprofile", _opt_str(b, "pkiProfileRef")),
                 AviRef(where + "sslKeyAndCertificateRef", "sslkeyandcertificate",
                        _opt_str(b, "sslKeyAndCertificateRef")),
                 AviRef(where + "sslProfileRef", "sslprofile", _opt_str(b, "sslProfileRef"))]
        refs += [AviRef(where + "healthMonitorRefs", "healthmonitor", str(n))
                 for n in as_list(b.get("healthMonitorRefs"))]
        if not error:
            error = _lb_algorithm_error(b)
    if error:
        statuses.reject(KIND, obj, error, consequence="Services annotated with it are built "
                        "without it.")
        return None
    if not statuses.check_refs(KIND, obj, refs):
        return None
    if spec.get("revokeVipRoute") is True and cloud_type != "CLOUD_NSXT":
        statuses.reject(KIND, obj, "RevokeVipRoute is only supported in NSX-T Cloud")
        return None
    return rule


def _lb_algorithm_error(b: Mapping[str, Any]) -> str:
    """``validateLBAlgorithm``."""
    algorithm = b.get("lbAlgorithm")
    if algorithm is None:
        return ""
    if algorithm == CONSISTENT_HASH:
        if b.get("lbAlgorithmHash") is None:
            return f'lbAlgorithmHash must be specified when lbAlgorithm is "{CONSISTENT_HASH}"'
        if b["lbAlgorithmHash"] == CUSTOM_HEADER and b.get("lbAlgorithmConsistentHashHdr") is None:
            return ("lbAlgorithmConsistentHashHdr must be specified when lbAlgorithmHash is "
                    f'"{CUSTOM_HEADER}"')
        return ""
    if b.get("lbAlgorithmHash") is not None:
        return f'lbAlgorithmHash must not be specified when lbAlgorithm is "{algorithm}"'
    if b.get("lbAlgorithmConsistentHashHdr") is not None:
        return ("lbAlgorithmConsistentHashHdr must not be specified when lbAlgorithm is "
                f'"{algorithm}"')
    return ""



def references(obj: KubeObject) -> list[AviRef]:
    """The Avi objects an L4Rule names (what the controller is asked about)."""
    spec = obj.spec
    names = [("analyticsprofile", _opt_str(spec, "analyticsProfileRef")),
             ("applicationprofile", _opt_str(spec, "applicationProfileRef")),
             ("sslprofile", _opt_str(spec, "sslProfileRef")),
             ("networkprofile", _opt_str(spec, "networkProfileRef")),
             ("networksecuritypolicy", _opt_str(spec, "networkSecurityPolicyRef")),
             ("securitypolicy", _opt_str(spec, "securityPolicyRef"))]
    names += [("sslkeyandcertificate", str(n))
              for n in as_list(spec.get("sslKeyAndCertificateRefs"))]
    names += [("vsdatascriptset", str(n)) for n in as_list(spec.get("vsDatascriptRefs"))]
    for b in as_list(spec.get("backendProperties")):
        b = as_dict(b)
        names += [("applicationpersistenceprofile",
                   _opt_str(b, "applicationPersistenceProfileRef")),
                  ("pkiprofile", _opt_str(b, "pkiProfileRef")),
                  ("sslkeyandcertificate", _opt_str(b, "sslKeyAndCertificateRef")),
                  ("sslprofile", _opt_str(b, "sslProfileRef"))]
        names += [("healthmonitor", str(n)) for n in as_list(b.get("healthMonitorRefs"))]
    return [AviRef("", t, n) for t, n in names]


# -- what a rule sets --------------------------------------------------------------------------

_VS_REFS: tuple[tuple[str, str, str], ...] = (
    ("analyticsProfileRef", "analytics_profile_ref", "analyticsprofile"),
    ("networkProfileRef", "network_profile_ref", "networkprofile"),
    ("networkSecurityPolicyRef", "network_security_policy_ref", "networksecuritypolicy"),
    ("securityPolicyRef", "security_policy_ref", "securitypolicy"),
    ("sslProfileRef", "ssl_profile_ref", "sslprofile"),
)


def applies(rule: L4Rule, network_profile: str, diags: Diagnostics, svc: KubeObject) -> bool:
    """``buildWithL4Rule``: SSL listeners need the TCP proxy network profile, else AKO skips
    the whole rule (it checks the profile AKO chose from the ports, before the copy)."""
    if rule.ssl and network_profile != TCP_PROXY:
        diags.warning("L4Rule not applied", f"Service {svc.namespace}/{svc.name}: L4Rule "
                      f"{rule.key} cannot be applied to the service as network profile is not "
                      f"equal to {TCP_PROXY}.", subject=svc.source)
        return False
    return True


def vs_fields(rule: L4Rule, *, shared_vip: bool, on_warning: Callable[[str], None],
              ) -> dict[str, Any]:
    """The VS body keys the rule sets (copier + ``ConvertToRef`` + ``AviVsBuild``)."""
    spec = rule.spec
    out: dict[str, Any] = {}
    app = _opt_str(spec, "applicationProfileRef")
    if app:
        if rule.ssl and app == L4_APP_PROFILE:
            app = L4_SSL_APP_PROFILE
        out["application_profile_ref"] = f"/api/applicationprofile?name={app}"
    for key, field, api_type in _VS_REFS:
        if value := _opt_str(spec, key):
            out[field] = f"/api/{api_type}?name={value}"
    certs = list(dict.fromkeys(str(n) for n in as_list(spec.get("sslKeyAndCertificateRefs"))))
    if certs:
        out["ssl_key_and_certificate_refs"] = [f"/api/sslkeyandcertificate?name={n}"
                                               for n in certs]
    scripts = list(dict.fromkeys(str(n) for n in as_list(spec.get("vsDatascriptRefs"))))
    if scripts:
        out["vs_datascripts"] = [{"index": i, "vs_datascript_set_ref":
                                  f"/api/vsdatascriptset?name={n}"} for i, n in enumerate(scripts)]
    limits = as_dict(spec.get("performanceLimits"))
    if limits:
        out["performance_limits"] = {k: limits[v] for k, v in (
            ("max_concurrent_connections", "maxConcurrentConnections"),
            ("max_throughput", "maxThroughput")) if v in limits}
    logs = as_dict(as_dict(spec.get("analyticsPolicy")).get("fullClientLogs"))
    if "analyticsPolicy" in spec:
        out["analytics_policy"] = {"full_client_logs": {k: logs[k] for k in (
            "duration", "enabled", "throttle") if k in logs}} if logs else {}
    if rule.listeners:
        # copier replaces the services wholesale: port and enable_ssl only.
        out["services"] = [{"port": li.get("port"), "enable_ssl": bool(li.get("enableSsl"))}
                           for li in rule.listeners]
    if isinstance(spec.get("revokeVipRoute"), bool):
        if shared_vip and spec["revokeVipRoute"]:
            on_warning("RevokeVipRoute cannot be used with Shared VIP. VIP Route won't be "
                       "revoked.")
        else:
            out["revoke_vip_route"] = spec["revokeVipRoute"]
    return out


def pool_fields(rule: L4Rule, port: int, protocol: str) -> dict[str, Any] | None:
    """``buildPoolWithL4Rule``: the backendProperties entry for (port, protocol), as pool
    body keys; None when no entry matches."""
    for b in rule.backends:
        if b.get("port") == port and b.get("protocol") == protocol:
            return _backend_fields(b)
    return None


def _backend_fields(b: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, field, api_type in (
            ("applicationPersistenceProfileRef", "application_persistence_profile_ref",
             "applicationpersistenceprofile"),
            ("pkiProfileRef", "pki_profile_ref", "pkiprofile"),
            ("sslKeyAndCertificateRef", "ssl_key_and_certificate_ref", "sslkeyandcertificate"),
            ("sslProfileRef", "ssl_profile_ref", "sslprofile")):
        if value := _opt_str(b, key):
            out[field] = f"/api/{api_type}?name={value}"
    hms = list(dict.fromkeys(str(n) for n in as_list(b.get("healthMonitorRefs"))))
    if hms:
        out["health_monitor_refs"] = [f"/api/healthmonitor?name={n}" for n in hms]
    if b.get("lbAlgorithm") is not None:
        out["lb_algorithm"] = str(b["lbAlgorithm"])
    if b.get("lbAlgorithmHash") is not None:
        out["lb_algorithm_hash"] = str(b["lbAlgorithmHash"])
        if b["lbAlgorithmHash"] == CUSTOM_HEADER and b.get("lbAlgorithmConsistentHashHdr"):
            out["lb_algorithm_consistent_hash_hdr"] = str(b["lbAlgorithmConsistentHashHdr"])
    analytics = as_dict(b.get("analyticsPolicy"))
    if "enableRealtimeMetrics" in analytics:
        out["analytics_policy"] = {"enable_realtime_metrics": analytics["enableRealtimeMetrics"]}
    for key, field in (("enabled", "enabled"), ("minServersUp", "min_servers_up")):
        if b.get(key) is not None:
            out[field] = b[key]
    return out
