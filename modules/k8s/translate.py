"""Entry point: ``translate(objects, settings, facts) -> (Translation, Diagnostics)``.

Pure and deterministic: no I/O, inputs are sorted before use, so the same input gives a
byte-identical output. Order of the result: L4 models (by namespace/name), L7 models (by tenant
and parent VS), then static routes (by node name), each in AKO's creation order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from albform.engine.collector import collector_paused
from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.context import Context
from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.ingress import IngressHosts, admitted, parse_ingress
from albform.modules.k8s.l4 import build_l4
from albform.modules.k8s.l7_evh import build_evh
from albform.modules.k8s.l7_sni import build_sni
from albform.modules.k8s.objects import AviObject, Translation
from albform.modules.k8s.routes import build_routes
from albform.modules.k8s.settings import AkoSettings


def translate(objects: Iterable[KubeObject | Mapping[str, Any]], settings: AkoSettings,
              facts: ControllerFacts | None = None) -> tuple[Translation, Diagnostics]:
    # Tens of thousands of acyclic bodies: see engine/collector.py for why the pause pays.
    with collector_paused():
        return _translate(objects, settings, facts or ControllerFacts())


def _translate(objects: Iterable[KubeObject | Mapping[str, Any]], settings: AkoSettings,
               facts: ControllerFacts) -> tuple[Translation, Diagnostics]:
    index = ClusterIndex(objects)
    diags = Diagnostics(index.diagnostics)
    ctx = Context(index, settings, facts, diags)
    if settings.delete_config:
        # deleteConfig: AKO removes every object it owns and syncs nothing (spec 8.3).
        return Translation((), settings.tenant_name), diags
    if len(settings.vip_networks) > 1 and facts.cloud_type != "CLOUD_AWS":
        diags.warning("Extra VIP networks ignored", "vipNetworkList has several entries; "
                      "only AWS clouds use more than the first.")
    out: list[AviObject] = []
    l4, more = build_l4(ctx)
    out.extend(l4)
    diags.extend(more)
    out.extend(_build_l7(ctx, diags))
    routes, route_nodes, more = build_routes(ctx)
    out.extend(routes)
    diags.extend(more)
    out = _drop_long_names(out, diags)
    return Translation(tuple(out), settings.tenant_name, route_nodes,
                       crd_status=tuple(ctx.crd_statuses.items)), diags


def _build_l7(ctx: Context, diags: Diagnostics) -> list[AviObject]:
    parsed: list[IngressHosts] = []
    for ing in sorted(ctx.index.ingresses, key=lambda i: (i.namespace, i.name)):
        if not admitted(ctx, ing):
            continue
        hosts = parse_ingress(ctx, ing, diags)
        if hosts.paths:
            parsed.append(hosts)
    if not parsed:
        return []
    if ctx.settings.enable_evh:
        if ctx.settings.shard_vs_size == 0 and not ctx.settings.vip_per_namespace:
            diags.warning("Ingresses not translated", "Dedicated EVH virtual services "
                          "(enableEVH with shardVSSize DEDICATED) are not implemented yet.")
            return []
        return build_evh(ctx, parsed)
    return build_sni(ctx, parsed)


def _drop_long_names(objects: list[AviObject], diags: Diagnostics) -> list[AviObject]:
    """AKO never truncates: an object whose name exceeds 255 characters is not created."""
    kept = []
    for obj in objects:
        if len(obj.name) > 255:
            diags.warning("Object name too long", f"The {obj.api_type} name {obj.name[:60]}... "
                          "exceeds 255 characters; AKO does not create it.")
            continue
        kept.append(obj)
    return kept
