"""What every builder needs: settings, facts, the name rules, the cluster index, and the
derived decisions AKO makes once at boot (VRF, IP families, scope, tenants, references).
Built once per ``translate`` call; read-only afterwards."""

from __future__ import annotations

import functools
import ipaddress
import json
from typing import Any
from urllib.parse import quote

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.crd_status import CrdStatuses
from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.hostrule import HostRules
from albform.modules.k8s.httprule import HttpRules
from albform.modules.k8s.infrasetting import InfraSettings
from albform.modules.k8s.l4rule import L4Rules
from albform.modules.k8s.l7rule import L7Rules
from albform.modules.k8s.naming import Namer
from albform.modules.k8s.settings import AkoSettings
from albform.modules.k8s.ssorule import SsoRules

TENANT_ANNOTATION = "ako.vmware.com/tenant-name"


class Context:
    def __init__(self, index: ClusterIndex, settings: AkoSettings,
                 facts: ControllerFacts, diags: Diagnostics | None = None) -> None:
        self.index, self.settings, self.facts = index, settings, facts
        # Where builders report what they skip (AKO logs it; we warn).
        self.diags = diags if diags is not None else Diagnostics()
        self.names = Namer(settings)
        self.cluster = settings.cluster_name
        self.created_by = settings.created_by
        self.cloud_ref = f"/api/cloud?name={settings.cloud_name}"
        family = settings.ip_family or (
            "V4_V6" if facts.cloud_type in ("CLOUD_VCENTER", "CLOUD_NONE", "CLOUD_NSXT")
            else "V4")
        self.v4 = family in ("V4", "V4_V6")
        self.v6 = family in ("V6", "V4_V6")
        self.subdomains = tuple(sorted(facts.dns_subdomains))
        self.vrf = self._vrf()
        self._tenant_refs: dict[str, str] = {}
        self._warned: set[str] = set()
        # CRDs are validated once, up front, as AKO's CRD controller does before any model.
        self.crd_statuses = CrdStatuses(facts, self.diags)
        # L7Rules first: a HostRule names one (AKO's order across kinds is the informers').
        self.l7rules = L7Rules(index, self.crd_statuses)
        self.hostrules = HostRules(index, self.crd_statuses, self.tenant_for, self.diags,
                                   evh=settings.enable_evh)
        self.httprules = HttpRules(index, self.crd_statuses, self.tenant_for)
        self.infra = InfraSettings(index, self.crd_statuses, facts.cloud_type, self.diags)
        self.l4rules = L4Rules(index, self.crd_statuses, facts.cloud_type, self.diags)
        self.ssorules = SsoRules(index, self.crd_statuses, self.tenant_for)

    def warn_once(self, key: str, summary: str, detail: str, subject: Any = None) -> None:
        """A warning about an input AKO skips, said once however often a builder meets it
        (a Service port is looked at for every pool that uses it)."""
        if key not in self._warned:
            self._warned.add(key)
            self.diags.warning(summary, detail, subject=subject)

    # -- VRF (5.1) -------------------------------------------------------------------------
    def _vrf(self) -> str:
        """The VRF objects reference and static routes go to; "" with an NSX-T T1 LR."""
        if self.settings.nsxt_t1lr:
            return ""
        if self.facts.is_public_cloud:
            return "global"
        if self.settings.vrf_name and self.facts.cloud_type in ("CLOUD_VCENTER", "CLOUD_NONE"):
            return self.settings.vrf_name
        if self.settings.service_type == "NodePort" and self.settings.vrf_name:
            return self.settings.vrf_name
        return self.facts.vrf_name or "global"

    # -- scope (2.5, 2.6) --------------------------------------------------------------------
    def namespace_accepted(self, ns: str) -> bool:
        if ns in self.settings.blocked_namespaces:
            return False
        if self.settings.ns_selector_enabled:
            labels = self.index.namespace_labels(ns)
            return labels.get(self.settings.ns_sync_label_key) == self.settings.ns_sync_label_value
        return True

    def tenant_for(self, ns: str) -> str:
        value = self.index.namespace_annotations(ns).get(TENANT_ANNOTATION)
        return value if value else self.settings.tenant_name

    def tenant_ref(self, tenant: str) -> str:
        # Asked for every object; a handful of tenants.
        ref = self._tenant_refs.get(tenant)
        if ref is None:
            ref = self._tenant_refs[tenant] = f"/api/tenant/?name={quote(tenant, safe='')}"
        return ref

    # -- default subdomain for auto FQDN (4.1.3) -------------------------------------------------
    def auto_fqdn_subdomain(self) -> str | None:
        if self.settings.auto_fqdn == "disabled" or not self.subdomains:
            return None
        chosen = self.subdomains[0]
        if self.settings.default_domain and self.settings.default_domain in self.subdomains:
            chosen = self.settings.default_domain
        return chosen[1:] if chosen.startswith(".") else chosen

    def host_allowed(self, host: str) -> bool:
        """``IsValidHostName``: with DNS sub-domains a host must end with one of them."""
        return not self.subdomains or any(host.endswith(d) for d in self.subdomains)


def ip_type(addr: str) -> str | None:
    """"V4", "V6" or None; the common dotted-quad case avoids ``ipaddress`` (hot path)."""
    parts = addr.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts):
        return "V4"
    try:
        return "V4" if ipaddress.ip_address(addr).version == 4 else "V6"
    except ValueError:
        return None


def service_families(svc_spec: Any) -> tuple[bool, bool]:
    """(v4, v6) families of a Service as AKO reads ``spec.ipFamilies``."""
    families = svc_spec.get("ipFamilies") or []
    if len(families) == 2:
        return True, True
    if families and families[0] == "IPv6":
        return False, True
    return True, False


_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
               "\u2029": "\\u2029"}


def go_json(value: Any) -> str:
    """``json.Marshal`` output: compact, HTML-escaped like Go's encoder."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escape in _GO_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    return text


def service_metadata(*, namespace_ingress_name: list[str] | None = None,
                     ingress_name: str = "", namespace: str = "",
                     hostnames: list[str] | None = None,
                     namespace_svc_name: list[str] | None = None,
                     pool_ratio: int = 0,
                     crd_status: tuple[str, str, str] | None = None,
                     passthrough_parent_ref: str = "", passthrough_child_ref: str = "",
                     insecure_edge_allow: bool = False) -> str:
    """``lib.ServiceMetadataObj`` serialised: every key, in Go field order, nil -> null.
    ``crd_status`` is (type, value, status) of the CRD applied to the object;
    ``insecure_edge_allow``: a Route pool served on port 80 with insecureEdgeTerminationPolicy
    Allow."""
    if namespace_ingress_name is None and hostnames is None and namespace_svc_name is None \
            and not (ingress_name or namespace or pool_ratio or crd_status
                     or passthrough_parent_ref or passthrough_child_ref):
        return _empty_metadata()  # every pool carries it: tens of thousands at scale
    return _metadata(namespace_ingress_name, ingress_name, namespace, hostnames,
                     namespace_svc_name, pool_ratio, crd_status or ("", "", ""),
                     (passthrough_parent_ref, passthrough_child_ref), insecure_edge_allow)


@functools.cache
def _empty_metadata() -> str:
    return _metadata(None, "", "", None, None, 0, ("", "", ""), ("", ""), False)


def _metadata(namespace_ingress_name: list[str] | None, ingress_name: str, namespace: str,
              hostnames: list[str] | None, namespace_svc_name: list[str] | None,
              pool_ratio: int, crd_status: tuple[str, str, str],
              passthrough: tuple[str, str], insecure_edge_allow: bool) -> str:
    return go_json({
        "namespace_ingress_name": namespace_ingress_name,
        "ingress_name": ingress_name,
        "namespace": namespace,
        "hostnames": hostnames,
        "namespace_svc_name": namespace_svc_name,
        "crd_status": {"type": crd_status[0], "value": crd_status[1],
                       "status": crd_status[2]},
        "pool_ratio": pool_ratio,
        "passthrough_parent_ref": passthrough[0],
        "passthrough_child_ref": passthrough[1],
        "gateway": "",
        "httproute": "",
        "httproute_rule_name": "",
        "insecureedgetermallow": insecure_edge_allow,
        "is_mci_ingress": False,
        "fqdn_reuse_policy": "",
        "host_namespace_ingress_name": None,
    })
