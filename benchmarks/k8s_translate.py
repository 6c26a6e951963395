"""Kubernetes -> ALB at cluster scale: translation, configuration and the no-op re-plan.

    .venv/bin/python benchmarks/k8s_translate.py [--nodes 2000] [--services 10000]
        [--ingresses 5000] [--apply]

Issue 5: a synthetic cluster of 2,000 Nodes (pod CIDRs), 10,000 LoadBalancer Services (each
with an EndpointSlice of three pods) and 5,000 Ingresses (70% insecure with two paths, 30% TLS
with one path, over 50 namespaces) gives about 57,000 ALB objects.

A setup process writes the cluster as one JSON file, translates it, seeds the engine's
in-memory ``FakeProvider`` directly from the configuration (one ``create`` per object, no
plan or apply) and writes the provider's objects and the matching state file. Then every
figure runs in a fresh process of its own, so that its peak RSS (``ru_maxrss``) is its own:

* read       — ``json.loads`` of the cluster file: the cost of merely reading the input once,
               the baseline for translate and configure;
* translate  — ``translate(objects, settings, facts)``;
* configure  — ``Translation.to_configuration()``;
* CLI re-plan — issue 16: the real thing. The cluster is written as a ``kubectl get -o json``
               List (its TLS Secrets carry one real self-signed key pair: the emulator parses
               certificates), a controller configuration gives the emulator the VIP and node
               networks and IPAM, ``albform cluster apply`` creates every object in the
               embedded emulator (timed, for information), then ``albform cluster plan
               -detailed-exitcode`` runs in its own process, twice: the first after the apply
               decodes the state and saves its memo (``engine/state/decoded_memo.py``), the
               second is every later re-plan (a drift job's). Wall and CPU seconds (the plan
               process and its emulator child), peak RSS; each must exit 0 (no changes).
               Target: < 10 s and < 2 GB. ``--no-cli`` skips it;
* re-plan    — what a user's no-op re-plan costs: read the cluster file and the state file,
               translate, configure, ``build_plan`` with refresh against the provider holding
               every object; it must find 0 changes (target: < 10 s in all). Measured twice:
               as the stages run today, and with the whole path under one
               ``collector_paused()`` (what a caller such as the CLI can do: see
               ``engine/collector.py``);
* engine     — baseline for the re-plan: ``benchmarks/plan_noop.py``'s engine-only no-op plan
               (pools and virtual services with ``Deferred`` refs) of the same number of objects;
* apply      — with ``--apply``: the create plan applied to an empty ``FakeProvider``;
* CRDs       — issue 9: the same cluster where 10 % of the Services carry an L4Rule and an
               AviInfraSetting and 10 % of the Ingresses an AviInfraSetting (by class), a
               HostRule and an HTTPRule; one process translates both clusters alternately
               (best of three each) and prints the CPU ratio (target <= 1.3x).

Times are wall and CPU seconds of one run (the machine is shared: CPU time excludes waiting
for a core). The provider's objects live in the measuring process, so the re-plan's RSS
includes a copy of the "controller".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))  # not needed when installed
sys.path.insert(0, str(BENCH_DIR))  # plan_noop (engine baseline), apply_throughput (CLI runs)

SETTINGS = {
    "clusterName": "bench", "vipNetworkList": '[{"networkName":"vip","cidr":"10.250.0.0/16"}]',
    "nodeNetworkList": '[{"networkName":"nodes","cidrs":["172.16.0.0/16"]}]',
    "shardVSSize": "LARGE"}


# -- pieces every process uses -----------------------------------------------------------------

class Clock:
    """Wall and CPU seconds of named stages, in the order they ran."""

    def __init__(self) -> None:
        self.stages: dict[str, tuple[float, float]] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.stages[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_cluster(workdir: Path, name: str = "cluster.json") -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((workdir / name).read_text())
    return data


def translate_cluster(objects: list[dict[str, Any]]) -> Any:
    from albform.modules.k8s.facts import ControllerFacts
    from albform.modules.k8s.settings import settings_from_values
    from albform.modules.k8s.testing import SYNTHETIC_AVI_OBJECTS
    from albform.modules.k8s.translate import translate

    settings, diags = settings_from_values(SETTINGS, {}, "bench")
    assert settings is not None, [str(d) for d in diags]
    # The controller inventory the CRDs are checked against (the same for both clusters).
    facts = ControllerFacts(avi_objects=SYNTHETIC_AVI_OBJECTS)
    translation, diags = translate(objects, settings, facts)
    assert not diags.has_errors(), [str(d) for d in diags][:3]
    return translation


def fake_ready(config: Any) -> Any:
    """The fake controller names every object; a static route is named by its route_id."""
    from dataclasses import replace

    return replace(config, resources=tuple(
        replace(rc, attributes={**rc.attributes, "name": rc.attributes["route_id"]})
        if "route_id" in rc.attributes else rc for rc in config.resources))


def permissive_schemas(config: Any) -> dict[str, Any]:
    from albform.engine.testing.plans import permissive_schemas as schemas

    return schemas(config)


def provider_from(workdir: Path) -> Any:
    from albform.engine.testing import FakeProvider

    doc = json.loads((workdir / "provider.json").read_text())
    schemas = {t: _schema_from_keys(t, keys) for t, keys in doc["schemas"].items()}
    provider = FakeProvider(schemas)
    provider.import_objects(doc["objects"])
    return provider


def _schema_from_keys(type_name: str, keys: list[str]) -> Any:
    from albform.engine.schema import AttributeSchema, ResourceSchema

    return ResourceSchema(type_name, {**{k: AttributeSchema(k, type="any") for k in keys},
                                      "uuid": AttributeSchema("uuid", computed=True)},
                          id_attribute="uuid")


# -- the processes -------------------------------------------------------------------------------

def setup(workdir: Path, nodes: int, services: int, ingresses: int) -> dict[str, Any]:
    """Write cluster.json, then seed a provider from its configuration: provider.json holds
    its objects (and the schemas' keys), state.json the state a previous apply would leave."""
    from albform.engine.state.codec import encode_state
    from albform.engine.state.model import ResourceState, State
    from albform.engine.testing import FakeProvider
    from albform.modules.k8s.testing import synthetic_cluster

    (workdir / "cluster.json").write_text(json.dumps(
        synthetic_cluster(nodes, services, ingresses)))
    (workdir / "cluster-crds.json").write_text(json.dumps(
        synthetic_cluster(nodes, services, ingresses, crds=True)))
    objects = read_cluster(workdir)
    config = fake_ready(translate_cluster(objects).to_configuration())
    schemas = permissive_schemas(config)
    provider = FakeProvider(schemas)
    created = []
    for rc in config.resources:
        attrs = provider.canonicalize(rc.type, rc.attributes)
        result = provider.create(rc.type, attrs)
        created.append(ResourceState(rc.address, result.attributes,
                                     dependencies=rc.depends_on))
    state = State().with_resources(created)
    (workdir / "state.json").write_bytes(encode_state(state))
    (workdir / "provider.json").write_text(json.dumps({
        "schemas": {t: sorted(k for k in s.attributes if k != "uuid")
                    for t, s in schemas.items()},
        "objects": provider.export_objects()}))
    counts: dict[str, int] = {}
    for rc in config.resources:
        counts[rc.type] = counts.get(rc.type, 0) + 1
    return {"kube_objects": len(objects), "alb_objects": len(config.resources),
            "counts": counts}


def figure_read(workdir: Path) -> dict[str, Any]:
    clock = Clock()
    clock.run("read", lambda: read_cluster(workdir))
    return {"stages": clock.stages}


def figure_translate(workdir: Path) -> dict[str, Any]:
    objects = read_cluster(workdir)
    clock = Clock()
    clock.run("translate", lambda: translate_cluster(objects))
    return {"stages": clock.stages}


def figure_crds(workdir: Path) -> dict[str, Any]:
    """Translation CPU time with 10 % of the objects carrying CRDs over the same cluster
    without, measured alternately in this one process (best of three each)."""
    plain = read_cluster(workdir)
    with_crds = read_cluster(workdir, "cluster-crds.json")
    best: dict[str, tuple[float, float]] = {}
    counts: dict[str, int] = {}
    for _ in range(3):
        for name, objects in (("plain", plain), ("crds", with_crds)):
            clock = Clock()
            translation = clock.run(name, lambda objects=objects: translate_cluster(objects))
            counts[name] = len(translation.objects)
            statuses = [s.status for s in translation.crd_status]
            counts[f"{name}_crds"] = len(statuses)
            counts[f"{name}_rejected"] = statuses.count("Rejected")
            del translation
            wall, cpu = clock.stages[name]
            if name not in best or cpu < best[name][1]:
                best[name] = (wall, cpu)
    return {"stages": best, "counts": counts}


def figure_configure(workdir: Path) -> dict[str, Any]:
    translation = translate_cluster(read_cluster(workdir))
    clock = Clock()
    clock.run("configure", translation.to_configuration)
    return {"stages": clock.stages}


def figure_replan(workdir: Path, *, paused: bool = False) -> dict[str, Any]:
    """The user's no-op re-plan, as the CLI runs it; with ``paused`` the whole path runs
    under one ``collector_paused()`` (translate, configure and plan pause the collector
    themselves, but each re-enables it after, and the next stage pays for scanning what
    the last one built)."""
    from albform.engine.collector import collector_paused

    with collector_paused() if paused else contextlib.nullcontext():
        return _replan(workdir)


def _replan(workdir: Path) -> dict[str, Any]:
    from albform.engine.changes import Action, PlanOptions
    from albform.engine.planning import build_plan
    from albform.engine.state.codec import decode_state

    provider = provider_from(workdir)  # the controller: not part of the user's process cost
    provider.reset_calls()
    clock = Clock()
    objects = clock.run("read cluster", lambda: read_cluster(workdir))
    state = clock.run("read state", lambda: decode_state((workdir / "state.json").read_bytes()))
    translation = clock.run("translate", lambda: translate_cluster(objects))
    config = clock.run("configure", lambda: fake_ready(translation.to_configuration()))
    plan, diags = clock.run("plan", lambda: build_plan(config, state, provider,
                                                       PlanOptions(max_delete_fraction=None)))
    assert not diags.has_errors(), [str(d) for d in diags][:3]
    pending = [c for c in plan.changes if c.action is not Action.NOOP]
    return {"stages": clock.stages, "changes": len(pending), "resources": len(plan.changes),
            "provider_calls": dict(provider.calls)}


def figure_engine(workdir: Path, n: int) -> dict[str, Any]:
    from plan_noop import build

    from albform.engine.changes import Action
    from albform.engine.planning import build_plan
    from albform.engine.testing.plans import deployed_directly

    config = build(n - n % 2)
    provider, state = deployed_directly(config)
    clock = Clock()
    plan, diags = clock.run("engine plan", lambda: build_plan(config, state, provider))
    assert not diags.has_errors()
    assert all(c.action is Action.NOOP for c in plan.changes)
    return {"stages": clock.stages}


def figure_apply(workdir: Path) -> dict[str, Any]:
    from albform.engine.apply import apply_plan
    from albform.engine.changes import PlanOptions
    from albform.engine.planning import build_plan
    from albform.engine.state.model import State
    from albform.engine.testing import FakeProvider

    config = fake_ready(translate_cluster(read_cluster(workdir)).to_configuration())
    provider = FakeProvider(permissive_schemas(config))
    plan, diags = build_plan(config, State(), provider, PlanOptions(max_delete_fraction=None))
    assert not diags.has_errors()
    clock = Clock()
    outcome = clock.run("apply", lambda: apply_plan(plan, provider, lambda state: None))
    assert not outcome.diagnostics, [str(d) for d in outcome.diagnostics][:3]
    return {"stages": clock.stages}


# -- the real CLI on the embedded emulator -------------------------------------------------------
# (run as apply_throughput.py runs it: its albform_exe and timed)

CONTROLLER_SETUP = {
    "import": [{"to": "avi_cloud.default", "id": "Default-Cloud"}],
    "resource": {
        "avi_network": {
            "vip": {"name": "vip", "cloud_ref": "/api/cloud?name=Default-Cloud",
                    "dhcp_enabled": False, "configured_subnets": [{
                        "prefix": {"ip_addr": {"addr": "10.250.0.0", "type": "V4"}, "mask": 16},
                        "static_ip_ranges": [{"type": "STATIC_IPS_FOR_VIP", "range": {
                            "begin": {"addr": "10.250.0.10", "type": "V4"},
                            "end": {"addr": "10.250.255.250", "type": "V4"}}}]}]},
            "nodes": {"name": "nodes", "cloud_ref": "/api/cloud?name=Default-Cloud",
                      "dhcp_enabled": False, "configured_subnets": [{
                          "prefix": {"ip_addr": {"addr": "172.16.0.0", "type": "V4"},
                                     "mask": 16}}]}},
        "avi_ipamdnsproviderprofile": {"ipam": {
            "name": "bench-ipam", "type": "IPAMDNS_TYPE_INTERNAL",
            "internal_profile": {"usable_networks": [{"nw_ref": "${avi_network.vip.id}"}]}}},
        "avi_cloud": {"default": {"name": "Default-Cloud", "vtype": "CLOUD_NONE",
                                  "ipam_provider_ref": "${avi_ipamdnsproviderprofile.ipam.id}"}},
    },
}
FACTS = "cloudType: CLOUD_NONE\nlicenseTier: ENTERPRISE\ndnsSubdomains: []\nvrfName: global\n"


def cli_dir(workdir: Path) -> Path:
    return workdir / "cli"


def cluster_args(workdir: Path) -> list[str]:
    wd = cli_dir(workdir)
    return ["--manifests", str(wd / "cluster.json"), "--ako-config", str(wd / "ako.yaml"),
            "--controller-facts", str(wd / "facts.yaml"), f"-state={wd / 'cluster.tfstate'}",
            "-no-color"]


def cli_env(workdir: Path) -> dict[str, str]:
    """The embedded emulator, whatever controller the environment names."""
    return {"AVI_CONTROLLER": "", "ALBFORM_EMULATOR_DB": str(cli_dir(workdir) / "emulator.db")}


def setup_cli(workdir: Path) -> dict[str, Any]:
    """The cluster as manifests, the controller set up and the cluster applied through the
    CLI into the embedded emulator (see the module docstring)."""
    import yaml
    from apply_throughput import albform_exe, timed

    from albform.provider.emulator.certs import self_signed

    wd = cli_dir(workdir)
    (wd / "controller").mkdir(parents=True)
    pair = self_signed("bench.example")
    tls = {"tls.crt": pair.cert_pem.decode(), "tls.key": pair.key_pem.decode()}
    items = [{**o, "stringData": tls} if o["kind"] == "Secret" else o
             for o in read_cluster(workdir)]
    (wd / "cluster.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List",
                                                 "items": items}, indent=1))
    (wd / "ako.yaml").write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "avi-k8s-config", "namespace": "avi-system"}, "data": SETTINGS}))
    (wd / "facts.yaml").write_text(FACTS)
    (wd / "controller" / "main.tf.json").write_text(json.dumps(CONTROLLER_SETUP))
    env = cli_env(workdir)
    timed([albform_exe(), f"-chdir={wd / 'controller'}", "apply", "-auto-approve",
           "-no-color", f"-state={wd / 'controller.tfstate'}"], wd, env)
    wall, cpu, out = timed([albform_exe(), "cluster", "apply", "-auto-approve",
                            *cluster_args(workdir)], wd, env)
    if "Apply complete!" not in out:
        raise SystemExit(f"cluster apply did not complete:\n{out[-2000:]}")
    return {"apply_wall": wall, "apply_cpu": cpu}


def figure_cli_replan(workdir: Path) -> dict[str, Any]:
    """``albform cluster plan`` after the apply, twice (module docstring): each must find
    nothing to change (exit 0)."""
    from apply_throughput import albform_exe, measured

    stages: dict[str, tuple[float, float]] = {}
    rss: dict[str, float] = {}
    for name in ("cli plan", "cli plan again"):
        wall, cpu, out, rss[name] = measured(
            [albform_exe(), "cluster", "plan", "-detailed-exitcode", *cluster_args(workdir)],
            cli_dir(workdir), cli_env(workdir))
        if "No changes" not in out:
            raise SystemExit(f"the CLI re-plan is not empty:\n{out[-2000:]}")
        stages[name] = (wall, cpu)
    return {"stages": stages, "plan_rss_mb": rss}


def child(name: str, workdir: Path, args: argparse.Namespace) -> None:
    figures: dict[str, Callable[[], dict[str, Any]]] = {
        "setup": lambda: setup(workdir, args.nodes, args.services, args.ingresses),
        "read": lambda: figure_read(workdir),
        "translate": lambda: figure_translate(workdir),
        "configure": lambda: figure_configure(workdir),
        "replan": lambda: figure_replan(workdir),
        "replan-paused": lambda: figure_replan(workdir, paused=True),
        "engine": lambda: figure_engine(workdir, args.size),
        "apply": lambda: figure_apply(workdir),
        "crds": lambda: figure_crds(workdir),
        "cli-setup": lambda: setup_cli(workdir),
        "cli-replan": lambda: figure_cli_replan(workdir),
    }
    out = figures[name]()
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def run_child(name: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", name, "--dir", str(workdir),
            "--nodes", str(args.nodes), "--services", str(args.services),
            "--ingresses", str(args.ingresses), "--size", str(args.size)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--ingresses", type=int, default=5000)
    parser.add_argument("--apply", action="store_true", help="also time a full apply")
    parser.add_argument("--no-cli", action="store_true",
                        help="skip the CLI apply and re-plan on the embedded emulator")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.dir), args)
        return

    with tempfile.TemporaryDirectory(prefix="k8s-bench-") as tmp:
        workdir = Path(tmp)
        info = run_child("setup", workdir, args)
        args.size = info["alb_objects"]
        names = ["read", "translate", "configure", "replan", "replan-paused", "engine", "crds"]
        names += ["apply"] if args.apply else []
        names += [] if args.no_cli else ["cli-setup", "cli-replan"]
        results = {name: run_child(name, workdir, args) for name in names}
    report(args, info, results)


def report(args: argparse.Namespace, info: dict[str, Any],
           results: dict[str, dict[str, Any]]) -> None:
    def stage(figure: str, name: str) -> tuple[float, float]:
        wall, cpu = results[figure]["stages"][name]
        return float(wall), float(cpu)

    n = info["alb_objects"]
    print(f"cluster: {args.nodes} nodes, {args.services} LB services, {args.ingresses} "
          f"ingresses ({info['kube_objects']} Kubernetes objects)")
    print(f"ALB objects: {n}  " + ", ".join(f"{k}={v}" for k, v in
                                            sorted(info["counts"].items())))
    read_wall, read_cpu = stage("read", "read")
    engine_wall, engine_cpu = stage("engine", "engine plan")
    print(f"{'figure':<34}{'wall s':>8}{'cpu s':>8}{'peak RSS MB':>13}   ratio (cpu)")

    def line(label: str, wall: float, cpu: float, rss: float | None, ratio: str) -> None:
        rss_text = f"{rss:13.0f}" if rss is not None else " " * 13
        print(f"{label:<34}{wall:8.2f}{cpu:8.2f}{rss_text}   {ratio}")

    line("read (json.loads of the cluster)", read_wall, read_cpu,
         results["read"]["peak_rss_mb"], "baseline A")
    for name in ("translate", "configure"):
        wall, cpu = stage(name, name)
        line(name, wall, cpu, results[name]["peak_rss_mb"], f"{cpu / read_cpu:6.1f}x A")
    line(f"engine-only no-op plan of {n}", engine_wall, engine_cpu,
         results["engine"]["peak_rss_mb"], "baseline B")
    for figure, label in (("replan", "no-op re-plan, whole path"),
                          ("replan-paused", "same, collector paused throughout")):
        replan = results[figure]
        total_wall = sum(w for w, _ in replan["stages"].values())
        total_cpu = sum(c for _, c in replan["stages"].values())
        line(label, total_wall, total_cpu, replan["peak_rss_mb"],
             f"{total_cpu / engine_cpu:6.1f}x B  (target < 10 s)")
        for name, (wall, cpu) in replan["stages"].items():
            line(f"  {name}", wall, cpu, None, f"{cpu / engine_cpu:6.2f}x B")
        print(f"  changes found: {replan['changes']} of {replan['resources']}; provider "
              "calls: " + ", ".join(f"{k}={v}" for k, v in
                                     sorted(replan["provider_calls"].items())))
    if "cli-replan" in results:
        setup_info, replan = results["cli-setup"], results["cli-replan"]
        line(f"CLI: cluster apply of {n} (emulator)", setup_info["apply_wall"],
             setup_info["apply_cpu"], None, "setup, for information")
        for name, label in (("cli plan", "CLI: no-op cluster plan (emulator)"),
                            ("cli plan again", "CLI: the same plan again")):
            wall, cpu = stage("cli-replan", name)
            line(label, wall, cpu, replan["plan_rss_mb"][name],
                 f"{cpu / engine_cpu:6.1f}x B  (target < 10 s, < 2048 MB)")
    if "apply" in results:
        wall, cpu = stage("apply", "apply")
        line(f"apply {n} creates (FakeProvider)", wall, cpu, results["apply"]["peak_rss_mb"],
             f"{cpu / engine_cpu:6.1f}x B")
    crds = results["crds"]
    plain_wall, plain_cpu = crds["stages"]["plain"]
    crd_wall, crd_cpu = crds["stages"]["crds"]
    counts = crds["counts"]
    line("translate, no CRDs (best of 3)", plain_wall, plain_cpu, None, "baseline C")
    line("translate, 10% CRDs (best of 3)", crd_wall, crd_cpu, crds["peak_rss_mb"],
         f"{crd_cpu / plain_cpu:6.2f}x C  (target <= 1.3x)")
    print(f"  ALB objects {counts['plain']} -> {counts['crds']}; CRDs validated: "
          f"{counts['crds_crds']} ({counts['crds_rejected']} rejected)")
    print("peak RSS target: < 2048 MB per process")


if __name__ == "__main__":
    main()
