"""Engine benchmark: plan and apply at scale against the in-memory FakeProvider.

    .venv/bin/python benchmarks/engine_plan_apply.py [--sizes 10000,50000]
        [--shapes chain,fanout] [--tf-sizes 1000,5000] [--parallelism 10]

For every shape and size, three measurements, each in a fresh subprocess (so peak RSS,
``ru_maxrss``, belongs to that measurement alone), with state in a real local backend file:

* create   — plan from an empty state, then apply (every object created, state persisted);
* noop     — read the state, plan again: no changes expected;
* change   — read the state, change one resource's configuration, plan, apply.

Shapes: ``chain`` (pool i's description refers to pool i-1's uuid: 50,000 levels deep) and
``fanout`` (one health monitor referred to by every pool). The FakeProvider has zero latency,
so the figures are the engine's own cost (graph, diff, state codec, persistence). Peak RSS
includes the fake controller's objects, which live in the same process.

When ``terraform`` is on PATH, the same chain is planned by ``terraform plan`` with
``terraform_data`` resources (create plan from empty state, and a no-op plan over a state
file written for it), and by albform at the same sizes, and the per-resource ratio is printed.
Terraform's plan of a deep chain grows faster than linearly: at 5,000 it took about 8 minutes
and 2-3 GB here, so pass ``--tf-sizes 1000`` for a quick run (``--tf-sizes ''`` skips it).
Wall times on a shared machine vary with its load; the CPU-seconds column does not.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()


# -- configuration shapes -------------------------------------------------------------------------

def build_config(shape: str, n: int, changed: int | None = None) -> Any:
    from albform.engine.config import Configuration, ResourceConfig
    from albform.engine.testing.plans import addr, ref

    resources: list[ResourceConfig] = []
    if shape == "chain":
        for i in range(n):
            attrs: dict[str, Any] = {"name": f"pool-{i}",
                                     "servers": [{"ip": f"10.{i // 65536 % 256}."
                                                  f"{i // 256 % 256}.{i % 256}"}]}
            if i:
                attrs["description"] = ref(f"fake_pool.p{i - 1}")
            if i == changed:
                attrs["lb_algorithm"] = "LB_ALGORITHM_ROUND_ROBIN"
            resources.append(ResourceConfig(addr(f"fake_pool.p{i}"), attrs))
    elif shape == "fanout":
        resources.append(ResourceConfig(addr("fake_healthmonitor.root"),
                                        {"name": "root", "type": "HTTP"}))
        for i in range(1, n):
            attrs = {"name": f"pool-{i}", "health_monitor_refs": [ref("fake_healthmonitor.root")]}
            if i == changed:
                attrs["lb_algorithm"] = "LB_ALGORITHM_ROUND_ROBIN"
            resources.append(ResourceConfig(addr(f"fake_pool.p{i}"), attrs))
    else:
        raise SystemExit(f"unknown shape {shape!r}")
    return Configuration(resources=tuple(resources))


# -- one measurement (runs in its own process) -----------------------------------------------------

def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


class CountingBackend:
    """Counts reads and writes of a real local backend."""

    def __init__(self, path: Path) -> None:
        from albform.engine.state.backends.local import LocalBackend

        self.inner = LocalBackend(path)
        self.reads = 0
        self.writes = 0

    def read(self) -> Any:
        self.reads += 1
        return self.inner.read()

    def write(self, state: Any) -> None:
        self.writes += 1
        self.inner.write(state)


def measure(kind: str, shape: str, n: int, workdir: Path, parallelism: int,
            freeze: bool = False) -> dict[str, Any]:
    from albform.engine.apply import apply_plan
    from albform.engine.changes import Action, PlanOptions
    from albform.engine.planning import build_plan
    from albform.engine.state.model import State
    from albform.engine.testing import FakeProvider

    provider = FakeProvider()
    dump = workdir / "provider.json"
    if kind != "create":
        provider.import_objects(json.loads(dump.read_text()))
    changed = n // 2 if kind == "change" else None
    config = build_config(shape, n, changed)
    backend = CountingBackend(workdir / "terraform.tfstate")
    options = PlanOptions(max_delete_fraction=None)
    baseline = current_rss_mb()
    provider.reset_calls()
    if freeze:  # what a CLI can do once config and provider are loaded
        gc.freeze()

    started = time.perf_counter()
    cpu_started = time.process_time()
    prior = backend.read() if kind != "create" else State()
    assert prior is not None
    plan, diags = build_plan(config, prior, provider, options, parallelism=parallelism)
    planned = time.perf_counter()
    assert not diags.has_errors(), [str(d) for d in diags][:3]
    pending = [c for c in plan.changes if c.action is not Action.NOOP]
    applied = 0
    if kind != "noop":
        outcome = apply_plan(plan, provider, backend.write, parallelism=parallelism)
        assert not outcome.diagnostics, [str(d) for d in outcome.diagnostics][:3]
        applied = outcome.applied
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_started

    if kind == "create":
        dump.write_text(json.dumps(provider.export_objects()))
    calls = provider.calls
    return {
        "kind": kind, "shape": shape, "n": n,
        "plan_s": planned - started, "apply_s": finished - planned, "total_s": finished - started,
        "cpu_s": cpu,
        "changes": len(pending), "applied": applied,
        "state_reads": backend.reads, "state_writes": backend.writes,
        "provider_calls": sum(calls.values()), "calls": dict(calls),
        "rss_start_mb": baseline, "peak_rss_mb": peak_rss_mb(),
    }


# -- terraform oracle ------------------------------------------------------------------------------

def terraform_measure(kind: str, n: int, workdir: Path) -> dict[str, Any]:
    """``terraform plan`` of an n-long terraform_data chain: from empty state ("create") or
    over a matching state file ("noop"). Runs terraform as a child of this process."""
    workdir.mkdir(parents=True, exist_ok=True)
    lines = ['resource "terraform_data" "r0" {\n  input = "root"\n}\n']
    lines += [f'resource "terraform_data" "r{i}" {{\n  input = terraform_data.r{i - 1}.id\n}}\n'
              for i in range(1, n)]
    (workdir / "main.tf").write_text("".join(lines))
    state = workdir / "terraform.tfstate"
    if kind == "noop":
        state.write_text(json.dumps(terraform_state(n)))
    elif state.exists():
        state.unlink()
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1"}
    subprocess.run(["terraform", "init", "-input=false", "-no-color"], cwd=workdir, env=env,
                   check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(["terraform", "plan", "-input=false", "-no-color", "-lock=false",
                           "-detailed-exitcode"], cwd=workdir, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    expected = 0 if kind == "noop" else 2
    if done.returncode != expected:
        raise SystemExit(f"terraform plan ({kind}, {n}) exited {done.returncode}:\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return {"kind": f"tf-{kind}", "shape": "chain", "n": n, "total_s": elapsed,
            "plan_s": elapsed, "peak_rss_mb": peak_rss_mb(resource.RUSAGE_CHILDREN)}


def terraform_state(n: int) -> dict[str, Any]:
    ids = [str(uuid.UUID(int=i + 1)) for i in range(n)]
    resources = []
    for i in range(n):
        value = "root" if i == 0 else ids[i - 1]
        dynamic = {"value": value, "type": "string"}
        resources.append({
            "mode": "managed", "type": "terraform_data", "name": f"r{i}",
            "provider": 'provider["terraform.io/builtin/terraform"]',
            "instances": [{
                "schema_version": 0,
                "attributes": {"id": ids[i], "input": dynamic, "output": dynamic,
                               "triggers_replace": None},
                "sensitive_attributes": [],
                **({"dependencies": [f"terraform_data.r{i - 1}"]} if i else {}),
            }],
        })
    return {"version": 4, "terraform_version": "1.11.4", "serial": 1,
            "lineage": str(uuid.uuid4()), "outputs": {}, "resources": resources,
            "check_results": None}


# -- driver ----------------------------------------------------------------------------------------

def run_child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(HERE), "--measure", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"measurement {args} failed:\n{done.stdout}{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def ours(shape: str, n: int, root: Path, parallelism: int,
         freeze: bool = False) -> list[dict[str, Any]]:
    workdir = root / f"{shape}-{n}"
    workdir.mkdir()
    return [run_child([kind, shape, str(n), str(workdir), str(parallelism), str(int(freeze))])
            for kind in ("create", "noop", "change")]


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (f"{'shape':<7} {'n':>6} {'measurement':<11} {'plan s':>8} {'apply s':>8} "
            f"{'total s':>8} {'cpu s':>7} {'per-res µs':>10} {'peak MB':>8} {'start MB':>8} "
            f"{'changes':>7} {'calls':>6} {'st.r/w':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        per = r["total_s"] / r["n"] * 1e6
        rw = f"{r['state_reads']}/{r['state_writes']}" if "state_reads" in r else "-"
        print(f"{r['shape']:<7} {r['n']:>6} {r['kind']:<11} {r['plan_s']:>8.2f} "
              f"{r.get('apply_s', 0.0):>8.2f} {r['total_s']:>8.2f} "
              f"{r.get('cpu_s', float('nan')):>7.2f} {per:>10.1f} "
              f"{r['peak_rss_mb']:>8.0f} {r.get('rss_start_mb', 0.0):>8.0f} "
              f"{r.get('changes', '-')!s:>7} {r.get('provider_calls', '-')!s:>6} {rw:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--shapes", default="chain,fanout")
    parser.add_argument("--tf-sizes", default="1000,5000")
    parser.add_argument("--parallelism", type=int, default=10)
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after loading, before measuring")
    parser.add_argument("--measure", nargs=6,
                        metavar=("KIND", "SHAPE", "N", "DIR", "PAR", "FREEZE"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--terraform", nargs=3, metavar=("KIND", "N", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, shape, n, workdir, par, freeze = args.measure
        print(json.dumps(measure(kind, shape, int(n), Path(workdir), int(par),
                                 freeze == "1")))
        return
    if args.terraform:
        kind, n, workdir = args.terraform
        print(json.dumps(terraform_measure(kind, int(n), Path(workdir))))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    shapes = [s for s in args.shapes.split(",") if s]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="albform-bench-") as tmp:
        root = Path(tmp)
        for shape in shapes:
            for n in sizes:
                rows += ours(shape, n, root, args.parallelism, args.gc_freeze)
        print_table(rows)
        tf_sizes = [int(s) for s in args.tf_sizes.split(",") if s]
        if not tf_sizes:
            return
        if shutil.which("terraform") is None:
            print("\nterraform not on PATH: no comparison (install it to get one)")
            return
        print("\nSame chain, albform against terraform plan (terraform_data, offline):")
        compare: list[dict[str, Any]] = []
        (root / "vs-tf").mkdir()
        for n in tf_sizes:
            mine = {r["kind"]: r for r in ours("chain", n, root / "vs-tf", args.parallelism,
                                               args.gc_freeze)}
            compare += [mine["create"], mine["noop"]]
            for kind in ("create", "noop"):
                tf = run_terraform([kind, str(n), str(root / f"tf-{kind}-{n}")])
                compare.append(tf)
                our = mine[kind]["plan_s"]  # plan only: terraform plan does not apply
                print(f"  n={n:>6} {kind:<6} terraform plan {tf['total_s']:7.2f} s "
                      f"({tf['total_s'] / n * 1e6:7.1f} µs/res, {tf['peak_rss_mb']:.0f} MB)"
                      f"  albform plan {our:7.2f} s ({our / n * 1e6:7.1f} µs/res)"
                      f"  per-resource ratio terraform/albform = {tf['total_s'] / our:5.1f}x")
        print()
        print_table(compare)


def run_terraform(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(HERE), "--terraform", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"terraform measurement {args} failed:\n{done.stdout}{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
