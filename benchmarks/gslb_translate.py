"""Multi-cluster GSLB at scale: render and the no-op re-plan, against the single-cluster
translation of the same objects measured in the same run.

    .venv/bin/python benchmarks/gslb_translate.py [--members 10] [--fqdns 2000]

Issue 10: ``--members`` clusters each serve every one of ``--fqdns`` FQDNs (half Ingress
hosts, 30% of them TLS, half LoadBalancer Services), all synced by AKO (status and
annotations) and selected by one GlobalDeploymentPolicy: 2,000 GslbServices of 10 members each
(20,000 members) plus AMKO's health monitors.

Baseline: the same 20,000 Kubernetes objects translated as one cluster by the AKO translator
(``modules/k8s``), i.e. what a single-cluster ``cluster render`` / ``cluster plan`` of those
objects costs. Every figure runs in a fresh process so its peak RSS (``ru_maxrss``) is its own:

* render  — read the input JSON, translate, ``to_json()`` (what ``render`` prints);
* re-plan — read, translate, ``to_configuration()``, ``build_plan`` with refresh against an
            in-memory ``FakeProvider`` already holding every object (seeded directly in the
            same process before the clock starts; it must find 0 changes).

Times are CPU seconds (the machine is shared; wall seconds in brackets); ratios are GSLB over
the single-cluster baseline.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))  # not needed when installed

AKO_SETTINGS = {
    "clusterName": "bench", "vipNetworkList": '[{"networkName":"vip","cidr":"10.250.0.0/16"}]',
    "shardVSSize": "LARGE", "autoFQDN": "disable"}


def _cluster(k: int, fqdns: int) -> list[dict[str, Any]]:
    """Cluster ``k``: FQDN i is an Ingress host (even i) or a LoadBalancer Service (odd i)."""
    out: list[dict[str, Any]] = []
    for ns in range(10):
        out.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"c{k}-ns{ns}"}})
    for i in range(fqdns):
        host, ns = f"app{i}.gslb.example.com", f"c{k}-ns{i % 10}"
        ip = f"10.{k}.{i // 250}.{i % 250}"
        meta = {"name": f"app{i}", "namespace": ns, "labels": {"app": "gslb"}, "annotations": {
            "ako.vmware.com/controller-cluster-uuid": f"cluster-{k}",
            "ako.vmware.com/host-fqdn-vs-uuid-map": json.dumps({host: f"vs-{k}-{i}"})}}
        status = {"loadBalancer": {"ingress": [{"ip": ip, "hostname": host}]}}
        if i % 2 == 0:
            spec: dict[str, Any] = {"rules": [{"host": host, "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {
                    "name": f"svc{i}", "port": {"number": 80}}}}]}}]}
            if i % 10 < 3:
                spec["tls"] = [{"hosts": [host], "secretName": "tls"}]
            out.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                        "metadata": meta, "spec": spec, "status": status})
        else:
            out.append({"apiVersion": "v1", "kind": "Service", "metadata": meta,
                        "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]},
                        "status": status})
    return out


def _amko(members: int) -> list[dict[str, Any]]:
    names = [f"cluster{k}" for k in range(members)]
    return [
        {"apiVersion": "amko.vmware.com/v1alpha1", "kind": "GSLBConfig",
         "metadata": {"name": "gc", "namespace": "avi-system", "annotations": {
             "amko.vmware.com/amko-uuid": "00000000-0000-4000-8000-000000000010"}},
         "spec": {"memberClusters": [{"clusterContext": n} for n in names]}},
        {"apiVersion": "amko.vmware.com/v1alpha2", "kind": "GlobalDeploymentPolicy",
         "metadata": {"name": "gdp", "namespace": "avi-system"},
         "spec": {"matchRules": {"appSelector": {"label": {"app": "gslb"}}},
                  "matchClusters": [{"cluster": n} for n in names],
                  "trafficSplit": [{"cluster": n, "weight": 1 + k % 20, "priority": 10}
                                   for k, n in enumerate(names)]}},
    ]


def _translate(kind: str, doc: dict[str, Any]) -> Any:
    if kind == "gslb":
        from albform.modules.gslb.translate import translate

        translation, diags = translate(doc["members"], doc["amko"])
    else:
        from albform.modules.k8s.facts import ControllerFacts
        from albform.modules.k8s.settings import settings_from_values
        from albform.modules.k8s.translate import translate as translate_k8s

        settings, _ = settings_from_values(AKO_SETTINGS, {}, "bench")
        assert settings is not None
        objects = [o for objs in doc["members"].values() for o in objs]
        translation, diags = translate_k8s(objects, settings, ControllerFacts())
    assert not diags.has_errors(), [str(d) for d in diags][:3]
    return translation


def figure(kind: str, what: str, data: Path) -> dict[str, Any]:
    """One figure in this process: ``kind`` gslb|k8s, ``what`` render|replan."""
    from albform.engine.changes import Action, PlanOptions
    from albform.engine.collector import collector_paused
    from albform.engine.planning import build_plan
    from albform.engine.testing import FakeProvider
    from albform.engine.testing.plans import deployed_directly, permissive_schemas

    provider = state = None
    if what == "replan":  # the controller and the prior state: not part of the user's cost
        seed = _translate(kind, json.loads(data.read_text())).to_configuration()
        provider, state = deployed_directly(seed, FakeProvider(permissive_schemas(seed)))
        del seed
    start, start_cpu = time.perf_counter(), time.process_time()
    with collector_paused():
        translation = _translate(kind, json.loads(data.read_text()))
        if what == "render":
            count = len(translation.to_json())
        else:
            config = translation.to_configuration()
            plan, diags = build_plan(config, state, provider,
                                     PlanOptions(max_delete_fraction=None))
            assert not diags.has_errors(), [str(d) for d in diags][:3]
            assert all(c.action is Action.NOOP for c in plan.changes), "re-plan not a no-op"
            count = len(plan.changes)
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - start_cpu,
            "objects": count,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--fqdns", type=int, default=2000)
    parser.add_argument("--figure", nargs=3, metavar=("KIND", "WHAT", "DATA"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.figure:
        print(json.dumps(figure(args.figure[0], args.figure[1], Path(args.figure[2]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "input.json"
        data.write_text(json.dumps({
            "members": {f"cluster{k}": _cluster(k, args.fqdns) for k in range(args.members)},
            "amko": _amko(args.members)}))
        print(f"{args.members} member clusters x {args.fqdns:,} FQDNs = "
              f"{args.members * args.fqdns:,} GSLB members")
        results: dict[tuple[str, str], dict[str, Any]] = {}
        for kind in ("k8s", "gslb"):
            for what in ("render", "replan"):
                done = subprocess.run([sys.executable, __file__, "--figure", kind, what,
                                       str(data)], capture_output=True, text=True, check=True)
                results[(kind, what)] = json.loads(done.stdout.strip().splitlines()[-1])
    label = {"k8s": "single-cluster (AKO translator)", "gslb": "GSLB (AMKO translator)"}
    print(f"{'':34}{'objects':>9}{'cpu s':>9}{'(wall s)':>10}{'peak RSS':>11}")
    for (kind, what), r in results.items():
        print(f"{label[kind] + ' ' + what:34}{r['objects']:>9,}{r['cpu']:>9.2f}"
              f"{'(' + format(r['wall'], '.2f') + ')':>10}{r['rss_mb']:>8.0f} MB")
    for what in ("render", "replan"):
        g, k = results[("gslb", what)], results[("k8s", what)]
        print(f"ratio GSLB / single-cluster, {what:7}: cpu {g['cpu'] / k['cpu']:.2f}x, "
              f"peak RSS {g['rss_mb'] / k['rss_mb']:.2f}x")


if __name__ == "__main__":
    main()
