"""TLS passthrough Ingresses (``passthrough.ako.vmware.com/enabled: "true"``; AKO
``BuildVSForPassthrough``, ``BuildGraphForPassthrough``, ``ConstructL4DataScript`` in
internal/nodes/avi_model_tls_passthrough.go, spec 2.4.7 and 4.9).

Hosts hash onto ``passthroughShardSize`` shared VSes ``C--[akoNS-]Shared-Passthrough-[I-]n``
listening on 443 without SSL; an L4 DataScript reads the TLS SNI and selects the host's
PoolGroup ``C--[I-]<host>`` (one pool ``C--[I-]<host>-<svc>`` per backend Service). Hosts that
redirect HTTP (every passthrough Ingress; a passthrough Route with insecureEdgeTerminationPolicy
Redirect) get an ``<vs>-insecure`` VS on port 80 that shares the VIP and carries a 302 redirect
policy for them; without such a host there is no ``-insecure`` VS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from albform.modules.k8s.context import Context, service_metadata
from albform.modules.k8s.hashing import shard_bucket
from albform.modules.k8s.infrasetting import Attached
from albform.modules.k8s.ingress import Backend, IngressHosts, segment
from albform.modules.k8s.l7_common import (
    add_vrf_and_rhi,
    clustername_only,
    http_policies,
    pool_group,
    redirect_policy_set,
    vs_base,
)
from albform.modules.k8s.markers import all_markers
from albform.modules.k8s.objects import AviObject
from albform.modules.k8s.pools import build_pool
from albform.modules.k8s.servers import servers_for
from albform.modules.k8s.vsvip import build_vsvip

INSECURE_SUFFIX = "-insecure"  # lib.PassthroughInsecure
# lib.PassthroughDatascript: CLUSTER and AVIINFRA are replaced (ConstructL4DataScript,
# BuildGraphForPassthrough).
PASSTHROUGH_DS = (
    'local avi_tls = require "Default-TLS"\n\tbuffered = avi.l4.collect(20)\n'
    "\tpayload = avi.l4.read()\n\tlen = avi_tls.get_req_buffer_size(payload)\n"
    "\tif ( buffered < len ) then\n\t  avi.l4.collect(len)\n\tend\n"
    "\tif ( avi_tls.sanity_check(payload) ) then\n\t   local h = avi_tls.parse_record(payload)\n"
    "\t   local sname = avi_tls.get_sni(h)\n\t   if sname == nil then\n"
    "\t\t  avi.vs.log('SNI not present')\n\t\t  avi.vs.close_conn()\n\t   else\n"
    '\t\t  avi.vs.log("SNI=".. sname)\n\t\t  pg_name = "CLUSTER--AVIINFRA"..sname\n'
    "\t\t  avi.poolgroup.select(pg_name)\n\t   end\n\telse\n\t   avi.vs.close_conn()\n\tend\n"
    "\tavi.l4.ds_done()\n\tavi_tls = nil")


@dataclass
class PassthroughVS:
    name: str
    tenant: str
    infra: Attached | None
    hosts: dict[str, None] = field(default_factory=dict)  # ordered set
    pools: dict[str, AviObject] = field(default_factory=dict)  # name -> pool
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # PG -> members
    pg_hosts: dict[str, str] = field(default_factory=dict)  # PG -> host
    redirect_hosts: dict[str, None] = field(default_factory=dict)  # ordered set


def build_passthrough(ctx: Context, parsed: list[IngressHosts]) -> list[AviObject]:
    vses: dict[tuple[str, str], PassthroughVS] = {}
    for ing in parsed:
        tenant = ctx.tenant_for(ing.namespace)
        seg = segment(ing)
        size = ctx.settings.passthrough_shard_size
        if ing.infra is not None and ing.infra.infra.shard_size:
            size = ing.infra.infra.shard_size
        for host, backends in ing.paths.items():
            name = ctx.names.passthrough_vs(shard_bucket(host, size), seg)
            vs = vses.get((tenant, name))
            if vs is None:
                vs = vses[(tenant, name)] = PassthroughVS(name, tenant, ing.infra)
            vs.hosts.setdefault(host)
            if ing.redirect:
                vs.redirect_hosts.setdefault(host)
            _add_host(ctx, vs, ing, host, backends, seg)
    out: list[AviObject] = []
    for key in sorted(vses):
        out.extend(_emit(ctx, vses[key]))
    return out


def _add_host(ctx: Context, vs: PassthroughVS, ing: IngressHosts, host: str,
              backends: list[Backend], seg: str) -> None:
    """``BuildGraphForPassthrough``: one pool per backend Service of the host, all in the
    host's PoolGroup (the last Ingress processed for a host defines its members)."""
    pg = ctx.names.passthrough_pg(host, seg)
    vs.pg_hosts[pg] = host
    members = vs.members[pg] = []
    setting = ing.infra.infra if ing.infra is not None else None
    for b in backends:
        name = ctx.names.passthrough_pool(host, b.service, seg)
        if any(m["pool_ref"].endswith(f"={name}") for m in members):
            continue
        svc = ctx.index.services.get((ing.namespace, b.service))
        servers: list[dict[str, Any]] = []
        if svc is not None:
            _, servers = servers_for(ctx, svc, b.port, ingress=True)
        vs.pools[name] = build_pool(
            ctx, name, vs.tenant, servers=servers,
            markers=all_markers(ctx.cluster, host=[host], infra=seg, service=b.service),
            metadata=service_metadata(ingress_name=ing.name, namespace=ing.namespace,
                                      hostnames=[host], pool_ratio=b.weight),
            infra=setting)
        members.append({"pool_ref": f"/api/pool?name={name}", "ratio": b.weight})


def _emit(ctx: Context, vs: PassthroughVS) -> list[AviObject]:
    infra = vs.infra.infra if vs.infra is not None else None
    seg = vs.infra.segment if vs.infra is not None else ""
    child = vs.name + INSECURE_SUFFIX if vs.redirect_hosts else ""
    out: list[AviObject] = [build_vsvip(ctx, vs.name, vs.tenant, list(vs.hosts), infra=infra)]
    out.extend(vs.pools.values())
    for pg, members in vs.members.items():
        out.append(pool_group(ctx, pg, vs.tenant, members,
                              all_markers(ctx.cluster, host=[vs.pg_hosts[pg]], infra=seg),
                              implicit=False))
    script = PASSTHROUGH_DS.replace("CLUSTER", ctx.cluster, 1).replace(
        "AVIINFRA", f"{seg}-" if seg else "", 1)
    out.append(AviObject("vsdatascriptset", vs.name, vs.tenant, {
        "name": vs.name,
        "tenant_ref": ctx.tenant_ref(vs.tenant),
        "created_by": ctx.created_by,
        "datascript": [{"evt": "VS_DATASCRIPT_EVT_L4_REQUEST", "script": script}],
        "pool_group_refs": [f"/api/poolgroup/?name={pg}" for pg in vs.members],
        "protocol_parser_refs": ["/api/protocolparser/?name=Default-TLS"],
        "markers": clustername_only(ctx),
    }))
    body = vs_base(ctx, vs.name, vs.tenant, app_profile="System-L4-Application",
                   metadata=_metadata(child_ref=child), infra=infra)
    add_vrf_and_rhi(ctx, body, infra=infra)
    body.update({
        "vsvip_ref": f"/api/vsvip/?name={vs.name}",
        "services": [{"port": 443, "enable_ssl": False, "port_range_end": 443,
                      "enable_http2": False}],
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "vs_datascripts": [{"index": 0,
                            "vs_datascript_set_ref": f"/api/vsdatascriptset/?name={vs.name}"}],
        "remove_listening_port_on_vs_down": True,
        "markers": clustername_only(ctx),
    })
    out.append(AviObject("virtualservice", vs.name, vs.tenant, body))
    if not child:
        return out
    # The insecure child: port 80 on the same VIP, redirecting those hosts to HTTPS.
    out.append(redirect_policy_set(ctx, child, vs.tenant, list(vs.redirect_hosts),
                                   clustername_only(ctx)))
    child_body = vs_base(ctx, child, vs.tenant, app_profile="System-HTTP",
                         metadata=_metadata(parent_ref=vs.name), infra=infra)
    add_vrf_and_rhi(ctx, child_body, infra=infra)
    child_body.update({
        "vsvip_ref": f"/api/vsvip/?name={vs.name}",
        "services": [{"port": 80, "enable_ssl": False, "port_range_end": 80,
                      "enable_http2": False}],
        "network_profile_ref": "/api/networkprofile/?name=System-TCP-Proxy",
        "http_policies": http_policies([child], []),
        "markers": clustername_only(ctx),
    })
    out.append(AviObject("virtualservice", child, vs.tenant, child_body))
    return out


def _metadata(*, child_ref: str = "", parent_ref: str = "") -> str:
    """The parent names its insecure child and the child its parent
    (``PassthroughChildRef``/``PassthroughParentRef``)."""
    return service_metadata(passthrough_child_ref=child_ref, passthrough_parent_ref=parent_ref)
