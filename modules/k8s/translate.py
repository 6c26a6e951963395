"""Entry point: ``translate(objects, settings, facts) -> (Translation, Diagnostics)``.

Pure and deterministic: no I/O, inputs are sorted before use, so the same input gives a
byte-identical output. Order of the result: Istio's PKI profile and certificate
(``istioEnabled``), L4 models (by namespace/name), L7 models (by tenant and parent VS), then
static routes (by node name), each in AKO's creation order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from albform.engine.collector import collector_paused
from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.cluster import ClusterIndex
from albform.modules.k8s.context import Context
from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.infrasetting import Attached
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.ingress import IngressHosts, admitted, class_name, parse_ingress
from albform.modules.k8s.istio import build_istio
from albform.modules.k8s.l4 import build_l4
from albform.modules.k8s.l7_evh import build_evh
from albform.modules.k8s.l7_passthrough import build_passthrough
from albform.modules.k8s.l7_sni import build_dedicated, build_sni, shard_size
from albform.modules.k8s.objects import AviObject, Translation
from albform.modules.k8s.route import admitted_routes, parse_route
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
        # deleteConfig: AKO removes every object it owns and syncs nothing (docs/ako-translation.md
        # §8.3).
        return Translation((), settings.tenant_name), diags
    if len(settings.vip_networks) > 1 and facts.cloud_type != "CLOUD_AWS":
        diags.warning("Extra VIP networks ignored", "vipNetworkList has several entries; "
                      "only AWS clouds use more than the first.")
    # AKO creates Istio's objects at boot, before any model.
    out: list[AviObject] = build_istio(ctx)
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
    """Ingresses, then Routes, become ``IngressHosts`` (AKO's ``IngressConfig``), which the
    SNI/EVH/dedicated and passthrough builders turn into objects."""
    ingresses = [i for i in sorted(ctx.index.ingresses, key=lambda i: (i.namespace, i.name))
                 if admitted(ctx, i)]
    parsed = _parse_all(ctx, diags, ingresses,
                        lambda ing: ctx.infra.for_ingress(ing, class_name(ctx, ing)),
                        lambda ing: parse_ingress(ctx, ing, diags))
    parsed += _parse_all(ctx, diags, admitted_routes(ctx, diags), ctx.infra.for_route,
                         lambda route: parse_route(ctx, route, diags))
    if not parsed:
        return []
    passthrough = [p for p in parsed if p.passthrough]
    # A passthrough Route with insecureEdgeTerminationPolicy Allow is also served insecurely
    # on the shared L7 VS (ParseHostPathForRoute fills both collections).
    parsed = [p for p in parsed if not p.passthrough] + \
        [replace(p, passthrough=False) for p in passthrough if p.insecure_allow]
    out = (_evh(ctx, parsed) if ctx.settings.enable_evh else build_sni(ctx, parsed)) \
        if parsed else []
    return out + build_passthrough(ctx, passthrough) if passthrough else out


def _parse_all(ctx: Context, diags: Diagnostics, objects: Iterable[KubeObject],
               infra_for: Callable[[KubeObject], tuple[Attached | None, str]],
               parse: Callable[[KubeObject], IngressHosts | None]) -> list[IngressHosts]:
    """Each Ingress or Route with its AviInfraSetting (one it names but cannot use stops AKO
    processing it: warned), parsed; those left with no host to build are dropped (already
    warned by the parser)."""
    parsed: list[IngressHosts] = []
    for obj in objects:
        attached = None
        if ctx.infra:
            attached, problem = infra_for(obj)
            if problem:
                diags.warning(f"{obj.kind} not translated", f"{obj.kind} {obj.namespace}/"
                              f"{obj.name}: {problem}; AKO does not process the {obj.kind}.",
                              subject=obj.source)
                continue
        hosts = parse(obj)
        if hosts is not None and (hosts.paths or hosts.secret_missing):
            hosts.infra = attached
            parsed.append(hosts)
    return parsed


def _evh(ctx: Context, parsed: list[IngressHosts]) -> list[AviObject]:
    """EVH: shared parents, and dedicated VSes for Ingresses whose shard size is DEDICATED
    (globally or by AviInfraSetting; vipPerNamespace parents are never dedicated)."""
    if ctx.settings.vip_per_namespace:
        return build_evh(ctx, parsed)
    dedicated = [ing for ing in parsed if shard_size(ctx, ing) == 0]
    shared = [ing for ing in parsed if shard_size(ctx, ing) != 0]
    return build_evh(ctx, shared) + (build_dedicated(ctx, dedicated) if dedicated else [])


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
