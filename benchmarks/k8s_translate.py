"""Kubernetes -> ALB translation at scale.

    .venv/bin/python benchmarks/k8s_translate.py [--nodes 2000] [--services 10000]
        [--ingresses 5000] [--replan]

Builds a synthetic cluster (Nodes with pod CIDRs, LoadBalancer Services with EndpointSlices of
three pods, Ingresses: 70% insecure with two paths, 30% TLS with one path over 50 namespaces)
and measures, in this process:

* baseline  — one JSON round trip of the input objects (json.dumps + json.loads): the cost of
              merely reading the cluster once, to which the translation is compared;
* translate — ``translate(objects, settings, facts)`` (index, L4, L7, static routes);
* configure — ``Translation.to_configuration()`` (addresses, dependencies from refs);
* peak RSS  — ``ru_maxrss`` of the process (input + output), target < 2 GB.

With ``--replan`` (needs engine/planning.py), the configuration is applied to the engine's
in-memory FakeProvider with permissive schemas, and a second plan must show no changes: its
time is the no-op re-plan figure.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # not needed when installed


def synthetic_cluster(nodes: int, services: int, ingresses: int) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = [
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "avi-lb", "annotations": {
             "ingressclass.kubernetes.io/is-default-class": "true"}},
         "spec": {"controller": "ako.vmware.com/avi-lb"}}]
    for i in range(nodes):
        objects.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i:05d}"},
                        "spec": {"podCIDR": f"10.{64 + i // 256}.{i % 256}.0/24"},
                        "status": {"addresses": [{"type": "InternalIP",
                                                  "address": f"172.16.{i // 256}.{i % 256}"}]}})
    for i in range(services):
        ns, name = f"ns-{i % 50}", f"svc-{i}"
        objects.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": name, "namespace": ns},
                        "spec": {"type": "LoadBalancer",
                                 "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})
        objects.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                        "metadata": {"name": f"{name}-x1", "namespace": ns,
                                     "labels": {"kubernetes.io/service-name": name}},
                        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
                        "endpoints": [{"addresses": [f"10.{i // 65536}.{i // 256 % 256}.{k}"],
                                       "conditions": {"ready": True},
                                       "nodeName": f"node-{(i + k) % max(nodes, 1):05d}"}
                                      for k in range(3)]})
    for i in range(ingresses):
        ns, svc = f"ns-{i % 50}", f"svc-{i % max(services, 1)}"
        backend = {"service": {"name": svc, "port": {"number": 80}}}
        host = f"app-{i}.example.com"
        spec: dict[str, Any]
        if i % 10 < 7:
            spec = {"rules": [{"host": host, "http": {"paths": [
                {"path": "/api", "pathType": "Prefix", "backend": backend},
                {"path": "/web", "pathType": "Prefix", "backend": backend}]}}]}
        else:
            spec = {"tls": [{"hosts": [host], "secretName": f"tls-{i}"}],
                    "rules": [{"host": host, "http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": backend}]}}]}
            objects.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                            "metadata": {"name": f"tls-{i}", "namespace": ns},
                            "stringData": {"tls.crt": "CERT", "tls.key": "KEY"}})
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                        "metadata": {"name": f"ing-{i}", "namespace": ns}, "spec": spec})
    return objects


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def replan(config: Any) -> dict[str, Any]:
    """Apply ``config`` to the FakeProvider, then time a second (no-op) plan."""
    from dataclasses import replace

    from albform.engine.apply import apply_plan
    from albform.engine.changes import Action, PlanOptions
    from albform.engine.planning import build_plan
    from albform.engine.schema import AttributeSchema, ResourceSchema
    from albform.engine.state.model import State
    from albform.engine.testing import FakeProvider

    # The fake controller names every object; a static route is named by its route_id.
    config = replace(config, resources=tuple(
        replace(rc, attributes={**rc.attributes, "name": rc.attributes["route_id"]})
        if "route_id" in rc.attributes else rc for rc in config.resources))
    keys: dict[str, set[str]] = {}
    for rc in config.resources:
        keys.setdefault(rc.type, set()).update(rc.attributes)
    schemas = {t: ResourceSchema(t, {**{k: AttributeSchema(k, type="any") for k in sorted(ks)},
                                     "uuid": AttributeSchema("uuid", computed=True)},
                                 id_attribute="uuid") for t, ks in keys.items()}
    provider = FakeProvider(schemas)
    options = PlanOptions(max_delete_fraction=None)
    plan, diags = build_plan(config, State(), provider, options)
    assert not diags.has_errors(), [str(d) for d in diags][:3]
    started = time.perf_counter()
    outcome = apply_plan(plan, provider, lambda state: None)
    applied = time.perf_counter() - started
    assert not outcome.diagnostics, [str(d) for d in outcome.diagnostics][:3]
    started = time.perf_counter()
    again, diags = build_plan(config, outcome.state, provider, options)
    noop = time.perf_counter() - started
    pending = [c for c in again.changes if c.action is not Action.NOOP]
    return {"apply_s": applied, "noop_plan_s": noop, "noop_changes": len(pending),
            "diagnostics": len(diags)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--ingresses", type=int, default=5000)
    parser.add_argument("--replan", action="store_true")
    args = parser.parse_args()

    from albform.modules.k8s.facts import ControllerFacts
    from albform.modules.k8s.settings import settings_from_values
    from albform.modules.k8s.translate import translate

    settings, diags = settings_from_values({
        "clusterName": "bench", "vipNetworkList": '[{"networkName":"vip","cidr":"10.250.0.0/16"}]',
        "nodeNetworkList": '[{"networkName":"nodes","cidrs":["172.16.0.0/16"]}]',
        "shardVSSize": "LARGE"}, {}, "bench")
    assert settings is not None, diags
    objects = synthetic_cluster(args.nodes, args.services, args.ingresses)
    input_rss = peak_rss_mb()

    started = time.perf_counter()
    json.loads(json.dumps(objects))
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    translation, diags = translate(objects, settings, ControllerFacts())
    translated = time.perf_counter() - started
    assert not diags.has_errors()

    started = time.perf_counter()
    config = translation.to_configuration()
    configured = time.perf_counter() - started

    counts: dict[str, int] = {}
    for obj in translation.objects:
        counts[obj.api_type] = counts.get(obj.api_type, 0) + 1
    n = len(translation.objects)
    print(f"cluster: {args.nodes} nodes, {args.services} LB services, {args.ingresses} ingresses"
          f" ({len(objects)} Kubernetes objects)")
    print(f"ALB objects: {n}  " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    print(f"baseline   JSON round trip of the input: {baseline:8.3f} s")
    print(f"translate  {translated:8.3f} s  ({n / translated:,.0f} objects/s, "
          f"{translated / baseline:.1f}x baseline)")
    print(f"configure  {configured:8.3f} s  ({configured / baseline:.1f}x baseline)")
    print(f"peak RSS   {peak_rss_mb():8.1f} MB  (input alone {input_rss:.1f} MB; target < 2048)")
    if args.replan:
        figures = replan(config)
        print(f"apply to FakeProvider {figures['apply_s']:.2f} s; no-op re-plan "
              f"{figures['noop_plan_s']:.2f} s with {figures['noop_changes']} changes "
              f"({figures['noop_plan_s'] / translated:.1f}x translate)")
        print(f"peak RSS after re-plan {peak_rss_mb():8.1f} MB")


if __name__ == "__main__":
    main()
