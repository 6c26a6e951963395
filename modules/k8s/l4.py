"""Services of type LoadBalancer -> VirtualService, VsVip, one Pool per port and an
L4PolicySet (docs/ako-translation.md §4.1, AKO ``ConstructAviL4VsNode`` /
``ConstructAviL4PolPoolNodes``), plus
shared-VIP groups (2.4.2). Objects are emitted in AKO's creation order."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.context import Context, service_metadata
from albform.modules.k8s.infrasetting import ANNOTATION as INFRA_ANNOTATION
from albform.modules.k8s.infrasetting import Infra
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.istio import pool_fields as istio_pool_fields
from albform.modules.k8s.l4rule import ANNOTATION as L4RULE_ANNOTATION
from albform.modules.k8s.l4rule import L4Rule
from albform.modules.k8s.l4rule import applies as l4rule_applies
from albform.modules.k8s.l4rule import pool_fields as l4rule_pool_fields
from albform.modules.k8s.l4rule import vs_fields as l4rule_vs_fields
from albform.modules.k8s.l7_common import add_vrf_and_rhi, vs_base
from albform.modules.k8s.markers import all_markers
from albform.modules.k8s.objects import AviObject
from albform.modules.k8s.pools import build_pool
from albform.modules.k8s.servers import servers_for
from albform.modules.k8s.vsvip import build_vsvip

AVI_LB_CLASS = "ako.vmware.com/avi-lb"
SHARED_VIP = "ako.vmware.com/enable-shared-vip"
EXTERNAL_DNS = "external-dns.alpha.kubernetes.io/hostname"
LB_IP = "ako.vmware.com/load-balancer-ip"
APP_PROFILE = "ako.vmware.com/application-profile"
TRAFFIC_DISABLED = "ako.vmware.com/disable-traffic"
SKIP_NODEPORT = "skipnodeport.ako.vmware.com/enabled"
_RFC1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_PROTOCOL = {"TCP": "PROTOCOL_TCP", "UDP": "PROTOCOL_UDP", "SCTP": "PROTOCOL_SCTP"}


def is_l4_service(ctx: Context, svc: KubeObject) -> bool:
    """``isServiceLBType`` + ``ValidateSvcforClass`` + namespace scope."""
    if svc.spec.get("type") != "LoadBalancer" or ctx.settings.layer7_only:
        return False
    lb_class = svc.spec.get("loadBalancerClass")
    if lb_class:
        if lb_class != AVI_LB_CLASS:
            return False
    elif not ctx.settings.default_lb_controller:
        return False
    return ctx.namespace_accepted(svc.namespace)


def build_l4(ctx: Context) -> tuple[list[AviObject], Diagnostics]:
    diags = Diagnostics()
    out: list[AviObject] = []
    shared: dict[tuple[str, str], list[KubeObject]] = defaultdict(list)
    for (_ns, _name), svc in sorted(ctx.index.services.items()):
        if not is_l4_service(ctx, svc):
            continue
        if ctx.settings.service_type == "NodePortLocal" and _protocols(svc) & {"SCTP"}:
            diags.warning("Service not translated", f"Service {svc.namespace}/{svc.name} has "
                          "an SCTP port, which NodePortLocal does not support.",
                          subject=svc.source)
            continue
        key = svc.annotations.get(SHARED_VIP)
        if key:
            shared[(svc.namespace, key)].append(svc)
            continue
        out.extend(_service_model(ctx, svc))
    for (ns, key), members in sorted(shared.items()):
        out.extend(_shared_vip_model(ctx, ns, key, members, diags))
    return out, diags


def _protocols(svc: KubeObject) -> set[str]:
    return {str(p.get("protocol") or "TCP") for p in svc.spec.get("ports") or []}


def network_profile(ctx: Context, protocols: set[str]) -> tuple[str, bool]:
    """(profile, mixed): ``getNetworkProfile`` and the REST layer's mixed-profile rewrite."""
    tcp = "System-TCP-Proxy" if ctx.facts.enterprise else "System-TCP-Fast-Path"
    if protocols == {"TCP"}:
        return tcp, False
    if protocols == {"UDP"}:
        return "System-UDP-Fast-Path", False
    if protocols == {"SCTP"}:
        return "System-SCTP-Proxy", False
    return (tcp if "TCP" in protocols else "System-UDP-Fast-Path"), True


def _services(ports: list[Mapping[str, Any]], mixed: bool) -> list[dict[str, Any]]:
    out = []
    for p in ports:
        entry: dict[str, Any] = {"port": int(p["port"]), "enable_ssl": False,
                                 "port_range_end": int(p["port"]), "enable_http2": False}
        proto = str(p.get("protocol") or "TCP")
        if mixed and proto == "UDP":
            entry["override_network_profile_ref"] = "/api/networkprofile/?name=System-UDP-Fast-Path"
        elif mixed and proto == "SCTP":
            entry["override_network_profile_ref"] = "/api/networkprofile/?name=System-SCTP-Proxy"
        out.append(entry)
    return out


def auto_fqdn(ctx: Context, ns: str, svc: str) -> str:
    """``getAutoFQDNForService`` (4.1.3)."""
    sub = ctx.auto_fqdn_subdomain()
    if sub is None:
        return ""
    svc, ns = _rfc1035(svc, "s"), _rfc1035(ns, "n")
    if ctx.settings.auto_fqdn == "default":
        return f"{svc}.{ns}.{sub}"
    svc, ns = shorten_labels(svc, ns)
    return f"{svc}-{ns}.{sub}"


def _rfc1035(label: str, prefix: str) -> str:
    if len(label) <= 63 and _RFC1035.match(label):
        return label
    fixed = prefix + label
    return fixed if len(fixed) <= 63 and _RFC1035.match(fixed) else label


def shorten_labels(name: str, ns: str) -> tuple[str, str]:
    """``CheckAndShortenLabelToFollowRFC1035``: fit ``name-ns`` into one 63-char label."""
    if len(name) + len(ns) + 1 <= 63:
        return name, ns
    space = 63 - len(ns) - 1
    if space <= 0:
        ns_space = 63 - len(name) - 1
        ns = ns[:48] if ns_space <= 0 else ns[:ns_space]
        ns = ns.rstrip("-")
        space = 63 - len(ns) - 1
    return name[:space], ns


def _service_fqdns(ctx: Context, svc: KubeObject) -> list[str]:
    if ctx.settings.auto_fqdn == "disabled":
        return []
    if EXTERNAL_DNS in svc.annotations:
        return [str(svc.annotations[EXTERNAL_DNS])]
    fqdn = auto_fqdn(ctx, svc.namespace, svc.name)
    return [fqdn] if fqdn else []


def _static_ip(svc: KubeObject) -> str:
    return str(svc.spec.get("loadBalancerIP") or svc.annotations.get(LB_IP) or "")


def _vs_body(ctx: Context, name: str, tenant: str, ports: list[Mapping[str, Any]],
             app_profile: str, markers: list[dict[str, Any]], metadata: str,
             traffic_enabled: bool | None, infra: Infra | None,
             rule: L4Rule | None = None, *, default_pool: str = "",
             shared_vip: bool = False) -> dict[str, Any]:
    """The L4 VS; ``rule``: an L4Rule already checked to apply. With SSL listeners the VS
    selects ``default_pool`` directly and has no L4 policy set (ConstructAviL4PolPoolNodes)."""
    profile, mixed = network_profile(ctx, {str(p.get("protocol") or "TCP") for p in ports})
    body = vs_base(ctx, name, tenant, app_profile=app_profile, metadata=metadata, infra=infra)
    if traffic_enabled is not None:
        body["traffic_enabled"] = traffic_enabled
    add_vrf_and_rhi(ctx, body, infra=infra)
    body["vsvip_ref"] = f"/api/vsvip/?name={name}"
    body["services"] = _services(list(ports), mixed)
    body["network_profile_ref"] = f"/api/networkprofile/?name={profile}"
    body["markers"] = markers
    if rule is not None and rule.ssl:
        body["pool_ref"] = f"/api/pool/?name={default_pool}"
    else:
        body["remove_listening_port_on_vs_down"] = True
        body["l4_policies"] = [{"l4_policy_set_ref": f"/api/l4policyset/?name={name}",
                                "index": 0}]
    if rule is not None:
        body.update(l4rule_vs_fields(rule, shared_vip=shared_vip, on_warning=lambda text:
                                     ctx.diags.warning("L4Rule field ignored",
                                                       f"L4Rule {rule.key}: {text}",
                                                       subject=rule.obj.source)))
    return body


def _l4rule(ctx: Context, svc: KubeObject, ports: list[Mapping[str, Any]]) -> L4Rule | None:
    """The Service's L4Rule if it applies (``getL4Rule`` + ``buildWithL4Rule``'s check)."""
    rule = ctx.l4rules.for_service(svc) if ctx.l4rules else None
    if rule is None:
        return None
    profile, _ = network_profile(ctx, {str(p.get("protocol") or "TCP") for p in ports})
    return rule if l4rule_applies(rule, profile, ctx.diags, svc) else None


def _policy_set(ctx: Context, name: str, tenant: str, rules: list[tuple[str, int, str]],
                markers: list[dict[str, Any]]) -> AviObject:
    body = {
        "name": name,
        "created_by": ctx.created_by,
        "tenant_ref": ctx.tenant_ref(tenant),
        "markers": markers,
        "l4_connection_policy": {"rules": [
            {"name": ref, "index": i,
             "action": {"select_pool": {"action_type": "L4_RULE_ACTION_SELECT_POOL",
                                        "pool_ref": ref}},
             "match": {"port": {"match_criteria": "IS_IN", "ports": [port]},
                       "protocol": {"match_criteria": "IS_IN",
                                    "protocol": _PROTOCOL.get(proto, "PROTOCOL_TCP")}}}
            for i, (ref, port, proto) in enumerate(rules)]},
    }
    return AviObject("l4policyset", name, tenant, body)


def _pools_for(ctx: Context, svc: KubeObject, tenant: str, name_of: Any,
               marker_extra: dict[str, str], infra: Infra | None, rule: L4Rule | None = None,
               ) -> tuple[list[AviObject], list[tuple[str, int, str]]]:
    pools: list[AviObject] = []
    rules: list[tuple[str, int, str]] = []
    force_endpoints = SKIP_NODEPORT in svc.annotations
    for port in svc.spec.get("ports") or []:
        proto = str(port.get("protocol") or "TCP")
        number = int(port["port"])
        pool_name = name_of(proto, number)
        if force_endpoints and ctx.settings.service_type == "NodePort":
            from albform.modules.k8s.servers import _clusterip

            _, servers = _clusterip(ctx, svc, port)
        else:
            _, servers = servers_for(ctx, svc, port, ingress=False)
        markers = all_markers(ctx.cluster, namespace=svc.namespace, service=svc.name,
                              port=str(number), protocol=proto if marker_extra else "",
                              **marker_extra)
        # buildPoolWithL4Rule, then UpdatePoolNodeForIstio over it.
        extra = {**((l4rule_pool_fields(rule, number, proto) or {}) if rule is not None
                    else {}), **istio_pool_fields(ctx)}
        pools.append(build_pool(ctx, pool_name, tenant, servers=servers, markers=markers,
                                metadata=service_metadata(), protocol=proto, infra=infra,
                                extra=extra or None))
        rules.append((f"/api/pool?name={pool_name}", number, proto))
    return pools, rules


def _service_model(ctx: Context, svc: KubeObject) -> list[AviObject]:
    ns, tenant = svc.namespace, ctx.tenant_for(svc.namespace)
    name = ctx.names.l4_vs(ns, svc.name)
    fqdns = _service_fqdns(ctx, svc)
    infra = ctx.infra.for_service(svc) if ctx.infra else None
    ports = svc.spec.get("ports") or []
    rule = _l4rule(ctx, svc, ports)
    # Static IP precedence: spec.loadBalancerIP, the annotation, then the L4Rule.
    static_ip = _static_ip(svc) or (rule.load_balancer_ip if rule is not None else "")
    vsvip = build_vsvip(ctx, name, tenant, fqdns, static_ip=static_ip, infra=infra)
    pools, rules = _pools_for(ctx, svc, tenant,
                              lambda proto, port: ctx.names.l4_pool(ns, svc.name, proto, port), {},
                              infra, rule)
    protocols = ",".join(sorted(_protocols(svc)))
    l4ps = _policy_set(ctx, name, tenant, rules, all_markers(
        ctx.cluster, namespace=ns, service=svc.name, protocol=protocols))
    traffic = str(svc.annotations.get(TRAFFIC_DISABLED, "")).lower() != "true"
    metadata = service_metadata(namespace_svc_name=[f"{ns}/{svc.name}"],
                                hostnames=fqdns or None)
    vs = AviObject("virtualservice", name, tenant, _vs_body(
        ctx, name, tenant, ports,
        str(svc.annotations.get(APP_PROFILE) or "System-L4-Application"),
        all_markers(ctx.cluster, namespace=ns, service=svc.name), metadata, traffic, infra,
        rule, default_pool=pools[-1].name if pools else ""))
    if rule is not None and rule.ssl:
        return [vsvip, *pools, vs]
    return [vsvip, *pools, l4ps, vs]


def _shared_vip_model(ctx: Context, ns: str, key: str, members: list[KubeObject],
                      diags: Diagnostics) -> list[AviObject]:
    ips = {_static_ip(s) for s in members}
    if len(ips) > 1:
        diags.warning("Shared VIP not translated", f"Services sharing VIP key {key!r} in {ns} "
                      "ask for different load balancer IPs; AKO builds no VS.",
                      subject=members[0].source)
        return []
    settings = {str(s.annotations.get(INFRA_ANNOTATION) or "") for s in members}
    if len(settings) > 1:
        diags.warning("Shared VIP not translated", f"Services sharing VIP key {key!r} in {ns} "
                      "name different AviInfraSettings; AKO builds no VS.",
                      subject=members[0].source)
        return []
    if len({str(s.annotations.get(L4RULE_ANNOTATION) or "") for s in members}) > 1:
        diags.warning("Shared VIP not translated", f"Services sharing VIP key {key!r} in {ns} "
                      "name different L4Rules; AKO builds no VS.", subject=members[0].source)
        return []
    infra = ctx.infra.for_service(members[0]) if ctx.infra else None
    rule = _l4rule(ctx, members[0], members[0].spec.get("ports") or [])
    if rule is not None and rule.ssl:
        rule = None  # an SSL listener needs a single-port Service, never a shared VIP group
    tenant = ctx.settings.tenant_name  # the namespace tenant is not honoured (2.4.2)
    name = ctx.names.l4_vs(ns, key)
    fqdns: list[str] = []
    if ctx.subdomains:
        for svc in members:
            if EXTERNAL_DNS in svc.annotations:
                fqdns.append(str(svc.annotations[EXTERNAL_DNS]))
            elif fqdn := auto_fqdn(ctx, svc.namespace, svc.name):
                fqdns.append(fqdn)
    static_ip = _static_ip(members[0]) or (rule.load_balancer_ip if rule is not None else "")
    vsvip = build_vsvip(ctx, name, tenant, fqdns, static_ip=static_ip, infra=infra)
    pools: list[AviObject] = []
    rules: list[tuple[str, int, str]] = []
    ports: list[Mapping[str, Any]] = []
    for svc in members:
        got, got_rules = _pools_for(
            ctx, svc, tenant,
            lambda proto, port, s=svc: ctx.names.shared_vip_pool(ns, s.name, key, proto, port),
            {"gateway": key}, infra, rule)
        pools.extend(got)
        rules.extend(got_rules)
        ports.extend(svc.spec.get("ports") or [])
    l4ps = _policy_set(ctx, name, tenant, rules,
                       all_markers(ctx.cluster, namespace=ns, gateway=key))
    metadata = service_metadata(hostnames=fqdns or None)
    vs = AviObject("virtualservice", name, tenant, _vs_body(
        ctx, name, tenant, ports, "System-L4-Application",
        all_markers(ctx.cluster, namespace=ns, gateway=key), metadata, None, infra, rule,
        shared_vip=True))
    return [vsvip, *pools, l4ps, vs]
