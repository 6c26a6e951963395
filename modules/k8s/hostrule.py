"""HostRule (``ako.vmware.com/v1beta1``): validation as AKO's ``ValidateHostRuleObj``, fqdn
matching as ``GetFQDNToHostruleMappingWithType`` and the VS fields ``BuildL7HostRule`` sets.

Builders ask ``HostRules.for_host(host, tenant)`` for the rule that applies to a VS (an
application host, or a shared parent's FQDN / name) and call ``apply_to_vs`` on the body they
are about to emit. Structural effects (a HostRule certificate making a host secure, aliases and
the GSLB fqdn in VIP FQDNs and redirects, listeners, the VIP address, ``overwrite``) are read by
the builders from the ``HostRule`` value.
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
    creation_order,
    is_ip,
)
from albform.modules.k8s.ingest import KubeObject

KIND = "HostRule"
SHARD_SUBSTRING = "Shared-"  # lib.ShardVSSubstring
THROTTLE = {"HIGH": 10, "MEDIUM": 30, "LOW": 50, "DISABLED": 0}  # lib.GetThrottle


@dataclass(frozen=True, slots=True)
class Listener:
    port: int
    enable_ssl: bool


@dataclass(frozen=True, slots=True)
class HostRule:
    """An Accepted HostRule's ``spec.virtualhost``, typed."""

    obj: KubeObject
    fqdn: str
    fqdn_type: str  # Exact | Wildcard | Contains
    cert: tuple[str, str]  # (type "ref"|"secret"|"", name)
    alt_cert: tuple[str, str]
    ssl_profile: str
    waf_policy: str
    app_profile: str
    icap_profiles: tuple[str, ...]
    analytics_profile: str
    error_page_profile: str
    datascripts: tuple[str, ...]
    policy_sets: tuple[str, ...]
    overwrite: bool
    enabled: bool | None
    analytics_policy: Mapping[str, Any] | None
    listeners: tuple[Listener, ...] | None
    load_balancer_ip: str
    network_security_policy: str
    aliases: tuple[str, ...]
    gslb_fqdn: str
    use_regex: bool
    app_root: str
    l7_rule: str

    @property
    def key(self) -> str:
        return f"{self.obj.namespace}/{self.obj.name}"

    @property
    def provides_cert(self) -> bool:
        """``sslKeyCertHostRulePresent``: the rule names a certificate for the host."""
        return bool(self.cert[1] or self.alt_cert[1])

    @property
    def cert_refs(self) -> list[str]:
        """Avi certificates named by reference (``type: ref``), in AKO's order."""
        return [f"/api/sslkeyandcertificate?name={name}"
                for kind, name in (self.cert, self.alt_cert) if kind == "ref" and name]

    @property
    def extra_fqdns(self) -> list[str]:
        """The GSLB fqdn then the aliases: added to VH domains, VIP FQDNs and redirects."""
        return ([self.gslb_fqdn] if self.gslb_fqdn else []) + list(self.aliases)


class HostRules:
    """The Accepted HostRules, validated once per translation in creation order."""

    def __init__(self, index: ClusterIndex, statuses: CrdStatuses,
                 tenant_of: Callable[[str], str], diags: Diagnostics, *,
                 evh: bool = False) -> None:
        self._tenant_of = tenant_of
        self._diags = diags
        self._warned: set[tuple[str, str]] = set()
        self.rules: list[HostRule] = []
        by_fqdn: dict[str, HostRule] = {}
        aliases_of: dict[str, tuple[str, ...]] = {}
        for obj in creation_order(index.crds.get(KIND, [])):
            rule = _validate(obj, index, statuses, by_fqdn, aliases_of)
            if rule is None:
                continue
            statuses.accept(KIND, obj)
            if rule.l7_rule and not evh:
                diags.warning("HostRule field ignored", f"HostRule {rule.key}: l7Rule applies "
                              "only with enableEVH; AKO ignores it here.", subject=obj.source)
            by_fqdn[rule.fqdn] = rule
            aliases_of[rule.fqdn] = rule.aliases
            self.rules.append(rule)
        self._exact = {r.fqdn: r for r in self.rules if r.fqdn_type == "Exact"}
        # Non-exact rules: AKO walks a Go map and takes the first match (random order). We
        # take the longest pattern first, then creation order (DECISIONS.md).
        self._patterns = sorted((r for r in self.rules if r.fqdn_type != "Exact"),
                                key=lambda r: -len(r.fqdn))

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, host: str) -> HostRule | None:
        """``GetFQDNToHostruleMappingWithType``: Exact, else Wildcard (``*`` + suffix), else
        Contains (substring)."""
        rule = self._exact.get(host)
        if rule is not None:
            return rule
        for rule in self._patterns:
            if rule.fqdn_type == "Wildcard":
                if rule.fqdn.startswith("*") and host.endswith(rule.fqdn.split("*")[1]):
                    return rule
            elif rule.fqdn in host:
                return rule
        return None

    def for_host(self, host: str, tenant: str) -> HostRule | None:
        """The rule for a VS serving ``host`` in ``tenant``; a rule whose namespace maps to
        another tenant is not applied (``BuildL7HostRule``), with a warning once."""
        if not self.rules:
            return None
        rule = self.match(host)
        if rule is None:
            return None
        if self._tenant_of(rule.obj.namespace) != tenant:
            if (rule.key, host) not in self._warned:
                self._warned.add((rule.key, host))
                self._diags.warning(
                    "HostRule not applied",
                    f"HostRule {rule.key} matches host {host!r}, but its namespace maps to "
                    f"tenant {self._tenant_of(rule.obj.namespace)!r} and the virtual service "
                    f"is in {tenant!r}; AKO does not apply it.", subject=rule.obj.source)
            return None
        return rule


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _secret(value: Any) -> tuple[str, str]:
    value = as_dict(value)
    return str(value.get("type") or ""), str(value.get("name") or "")


def _port(value: Any) -> int:
    """A listener port; -1 when it is not a whole number (``_spec_error`` rejects it: the
    CRD's schema makes it an integer)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        return -1
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else -1



def _parse(obj: KubeObject) -> HostRule:
    vh = as_dict(obj.spec.get("virtualhost"))
    tls = as_dict(vh.get("tls"))
    cert = as_dict(tls.get("sslKeyCertificate"))
    policy = as_dict(vh.get("httpPolicy"))
    tcp = vh.get("tcpSettings") if isinstance(vh.get("tcpSettings"), dict) else None
    listeners = None
    if tcp is not None and isinstance(tcp.get("listeners"), list):
        listeners = tuple(Listener(_port(li.get("port")), bool(li.get("enableSSL")))
                          for li in tcp["listeners"] if isinstance(li, dict))
    gslb = as_dict(vh.get("gslb"))
    enabled = vh.get("enableVirtualHost")
    analytics = vh.get("analyticsPolicy")
    return HostRule(
        obj=obj,
        fqdn=str(vh.get("fqdn") or ""),
        fqdn_type=str(vh.get("fqdnType") or "Exact"),
        cert=_secret(cert),
        alt_cert=_secret(cert.get("alternateCertificate")),
        ssl_profile=str(tls.get("sslProfile") or ""),
        waf_policy=str(vh.get("wafPolicy") or ""),
        app_profile=str(vh.get("applicationProfile") or ""),
        icap_profiles=_strs(vh.get("icapProfile")),
        analytics_profile=str(vh.get("analyticsProfile") or ""),
        error_page_profile=str(vh.get("errorPageProfile") or ""),
        datascripts=tuple(dict.fromkeys(_strs(vh.get("datascripts")))),
        policy_sets=tuple(dict.fromkeys(_strs(policy.get("policySets")))),
        overwrite=bool(policy.get("overwrite")),
        enabled=enabled if isinstance(enabled, bool) else None,
        analytics_policy=analytics if isinstance(analytics, dict) else None,
        listeners=listeners,
        load_balancer_ip=str((tcp or {}).get("loadBalancerIP") or ""),
        network_security_policy=str(vh.get("networkSecurityPolicy") or ""),
        aliases=_strs(vh.get("aliases")),
        gslb_fqdn=str(gslb.get("fqdn") or ""),
        use_regex=bool(vh.get("useRegex")),
        app_root=str(vh.get("applicationRootPath") or ""),
        l7_rule=str(vh.get("l7Rule") or ""),
    )


def _validate(obj: KubeObject, index: ClusterIndex, statuses: CrdStatuses,
              by_fqdn: Mapping[str, HostRule], aliases_of: Mapping[str, tuple[str, ...]],
              ) -> HostRule | None:
    """``ValidateHostRuleObj``, check for check and message for message."""
    rule = _parse(obj)
    error = _spec_error(rule, by_fqdn, aliases_of)
    if error is None:
        for kind, name in (rule.cert, rule.alt_cert):
            if kind == "secret" and (obj.namespace, name) not in index.secrets:
                error = f'secret "{name}" not found'
                break
    if error is None and len(rule.icap_profiles) > 1:
        error = "Can only have 1 ICAP profile associated with VS"
    if error is not None:
        statuses.reject(KIND, obj, error, consequence="Its virtual service is built without "
                        "it.")
        return None
    if not statuses.check_refs(KIND, obj, _refs(rule)):
        return None
    if rule.l7_rule and (obj.namespace, rule.l7_rule) not in {
            (o.namespace, o.name) for o in index.crds.get("L7Rule", [])}:
        statuses.reject(KIND, obj, f'l7rule.ako.vmware.com "{rule.l7_rule}" not found')
        return None
    if SHARD_SUBSTRING in rule.fqdn and rule.use_regex:
        statuses.reject(KIND, obj, f"hostrule useRegex with fqdn {rule.fqdn} cannot be "
                        "applied to shared virtualservices")
        return None
    if SHARD_SUBSTRING in rule.fqdn and rule.app_root:
        statuses.reject(KIND, obj, f"hostrule applicationRootPath with fqdn {rule.fqdn} "
                        "cannot be applied to shared virtualservices")
        return None
    return rule


def _spec_error(rule: HostRule, by_fqdn: Mapping[str, HostRule],
                aliases_of: Mapping[str, tuple[str, ...]]) -> str | None:
    holder = by_fqdn.get(rule.fqdn)
    if holder is not None:
        return f"duplicate fqdn {rule.fqdn} found in {holder.key}"
    if rule.load_balancer_ip and not is_ip(rule.load_balancer_ip):
        return f"loadBalancerIP {rule.load_balancer_ip} is not a valid IP"
    if rule.gslb_fqdn and rule.gslb_fqdn == rule.fqdn:
        return "GSLB FQDN and local FQDN are same"
    if rule.listeners and any(li.port < 0 for li in rule.listeners):
        return "tcpSettings.listeners: a port must be a whole number"
    if rule.listeners and not any(li.enable_ssl for li in rule.listeners):
        return "Hosting parent virtualservice must have SSL enabled"
    if rule.aliases:
        if rule.fqdn_type != "Exact":
            return "Aliases is supported only when FQDN type is set as Exact"
        if rule.fqdn in rule.aliases:
            return "Duplicate entry found. Aliases field has same entry as the FQDN field"
        if len(set(rule.aliases)) != len(rule.aliases):
            return "Aliases must be unique"
        if rule.gslb_fqdn and rule.gslb_fqdn in rule.aliases:
            return "Aliases must not contain GSLB FQDN"
        for fqdn, aliases in aliases_of.items():
            for alias in rule.aliases:
                if fqdn != rule.fqdn and alias in aliases:
                    return f"{alias} is already in use by hostrule {fqdn}"
    return None



def _refs(rule: HostRule) -> list[AviRef]:
    """The references ``ValidateHostRuleObj`` checks on the controller, field by field."""
    vh = "spec.virtualhost."
    refs = [AviRef(vh + "wafPolicy", "wafpolicy", rule.waf_policy),
            AviRef(vh + "applicationProfile", "applicationprofile", rule.app_profile),
            AviRef(vh + "tls.sslProfile", "sslprofile", rule.ssl_profile),
            AviRef(vh + "analyticsProfile", "analyticsprofile", rule.analytics_profile),
            AviRef(vh + "errorPageProfile", "errorpageprofile", rule.error_page_profile)]
    if rule.cert[0] == "ref":
        refs.append(AviRef(vh + "tls.sslKeyCertificate.name", "sslkeyandcertificate",
                           rule.cert[1]))
    if rule.alt_cert[0] == "ref":
        refs.append(AviRef(vh + "tls.sslKeyCertificate.alternateCertificate.name",
                           "sslkeyandcertificate", rule.alt_cert[1]))
    refs += [AviRef(vh + "icapProfile", "icapprofile", n) for n in rule.icap_profiles]
    refs += [AviRef(vh + "httpPolicy.policySets", "httppolicyset", n)
             for n in rule.policy_sets]
    refs += [AviRef(vh + "datascripts", "vsdatascriptset", n) for n in rule.datascripts]
    refs.append(AviRef(vh + "networkSecurityPolicy", "networksecuritypolicy",
                       rule.network_security_policy))
    return refs


def references(obj: KubeObject) -> list[AviRef]:
    """The Avi objects a HostRule names (what the controller is asked about)."""
    return _refs(_parse(obj))


def analytics_policy(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The VS ``analytics_policy``: duration 0 (infinite) unless given; throttle names map
    to AKO's numbers (unknown -> 0); unset pointers are omitted."""
    logs: dict[str, Any] = {"duration": 0}
    full = spec.get("fullClientLogs")
    if isinstance(full, dict):
        if isinstance(full.get("enabled"), bool):
            logs["enabled"] = full["enabled"]
        logs["throttle"] = THROTTLE.get(str(full.get("throttle") or ""), 0)
        if isinstance(full.get("duration"), int):
            logs["duration"] = full["duration"]
    out: dict[str, Any] = {"full_client_logs": logs}
    if isinstance(spec.get("logAllHeaders"), bool):
        out["all_headers"] = spec["logAllHeaders"]
    return out


def apply_to_vs(rule: HostRule, body: dict[str, Any], *, parent_like: bool,
                diags: Diagnostics, tls_here: bool = True) -> None:
    """The VS fields ``BuildL7HostRule`` sets (REST: ``AviVsBuild``/``AviVsSniBuild``).

    ``parent_like``: a shared parent or dedicated VS (listeners and the network security
    policy apply only there). ``tls_here``: whether ``ref`` certificates and the SSL profile
    go on this VS (an EVH child's go to its parent: ``manipulateEvhNodeForSSL``). The caller
    has already dropped AKO's own policy sets when ``overwrite`` is set; HostRule policy sets
    are indexed after them (11 + count + 5 + i).
    """
    if tls_here and rule.cert_refs:
        body["ssl_key_and_certificate_refs"] = rule.cert_refs
    if tls_here and rule.ssl_profile:
        body["ssl_profile_ref"] = f"/api/sslprofile?name={rule.ssl_profile}"
    if rule.waf_policy:
        body["waf_policy_ref"] = f"/api/wafpolicy?name={rule.waf_policy}"
    if rule.app_profile:
        body["application_profile_ref"] = f"/api/applicationprofile?name={rule.app_profile}"
    if rule.icap_profiles:
        body["icap_request_profile_refs"] = [f"/api/icapprofile?name={rule.icap_profiles[0]}"]
    if rule.analytics_profile:
        body["analytics_profile_ref"] = f"/api/analyticsprofile?name={rule.analytics_profile}"
    if rule.error_page_profile:
        body["error_page_profile_ref"] = f"/api/errorpageprofile?name={rule.error_page_profile}"
    if rule.datascripts:
        body["vs_datascripts"] = [{"index": i, "vs_datascript_set_ref":
                                   f"/api/vsdatascriptset?name={name}"}
                                  for i, name in enumerate(rule.datascripts)]
    if rule.policy_sets:
        own = list(body.get("http_policies") or [])
        base = len(own) + 11 + 5
        body["http_policies"] = own + [{"index": base + i, "http_policy_set_ref":
                                        f"/api/httppolicyset?name={name}"}
                                       for i, name in enumerate(rule.policy_sets)]
    if rule.enabled is not None:
        body["enabled"] = rule.enabled
    if rule.analytics_policy is not None:
        body["analytics_policy"] = analytics_policy(rule.analytics_policy)
    if parent_like and rule.listeners:
        body["services"] = [{"port": li.port, "enable_ssl": li.enable_ssl,
                             "port_range_end": li.port, "enable_http2": False}
                            for li in rule.listeners]
    if rule.network_security_policy:
        if parent_like:
            body["network_security_policy_ref"] = \
                f"/api/networksecuritypolicy?name={rule.network_security_policy}"
        else:
            diags.warning("HostRule field ignored", f"HostRule {rule.key}: "
                          "networkSecurityPolicy cannot be associated with a host attached to "
                          "a child virtual service; AKO ignores it.", subject=rule.obj.source)


def common_fields_set(rule: HostRule) -> dict[str, bool]:
    """Which VS fields the HostRule sets that an L7Rule would otherwise fill in
    (``populateCommonFields`` only fills what is still unset)."""
    return {"waf_policy_ref": bool(rule.waf_policy),
            "application_profile_ref": bool(rule.app_profile),
            "analytics_profile_ref": bool(rule.analytics_profile),
            "error_page_profile_ref": bool(rule.error_page_profile),
            "analytics_policy": rule.analytics_policy is not None,
            "http_policy_sets": bool(rule.policy_sets)}


def crd_status(rule: HostRule | None) -> tuple[str, str, str] | None:
    """``service_metadata.crd_status`` of a VS carrying ``rule``."""
    return ("HostRule", rule.key, "ACTIVE") if rule is not None else None
