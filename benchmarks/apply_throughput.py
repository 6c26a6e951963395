"""Apply throughput through the real CLI: albform vs Terraform, linearity, latency scaling.

    .venv/bin/python benchmarks/apply_throughput.py [--sizes 5000 20000] [--tf-size 5000]
        [--latency-size 2000] [--latency-ms 20] [--levels 1 10 32] [--noop-size 5000]

Issue 16. The graph is chains of 10: one health monitor, then nine pools, each pool referring
to the monitor and (from the second on) to the previous pool's uuid — so the walk's
parallelism is bounded by the number of chains, as in a real configuration.

* apply      — ``albform apply -auto-approve`` (default parallelism 10) of each ``--sizes`` in a
               fresh working directory on the embedded emulator: wall and CPU seconds (the
               child's rusage), ms per object, and per-object time relative to the first size
               (linearity: 1.0 is linear);
* terraform  — ``terraform apply`` of the same graph of ``terraform_data`` (same chains, same
               references, parallelism 10) at ``--tf-size``, then its no-op ``terraform plan``;
               ratios against albform's apply and no-op plan of the same size, same run;
* no-op plan — ``albform plan`` (with refresh) over the ``--noop-size`` state just applied;
* latency    — a standalone ``albform emulator --http`` with ``--latency-ms`` added to every
               request; the apply of ``--latency-size`` objects at each of ``--levels``
               ``-parallelism``, a fresh emulator each; speed-up relative to the first level,
               for the whole command and for its apply walk alone (``-json`` progress: from
               the first ``apply_start`` to the ``change_summary`` after the final state
               write). The command also reads and plans the configuration, a cost that does
               not shrink with ``-parallelism``: it bounds the whole command's speed-up.

Absolute times on the shared 2-core machines are noisy: compare the ratios, which are
measured in one run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))  # emulator_throughput, for its standalone emulator
from emulator_throughput import serve  # noqa: E402

CHAIN = 10  # one health monitor, nine pools
PASSWORD = "bench-password"
TF_ENV = {"TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}


# -- configurations ----------------------------------------------------------------------------

def albform_config(n: int) -> str:
    """``n`` objects (a multiple of 10) in chains of ten, as HCL."""
    out = []
    for c in range(n // CHAIN):
        out.append(f'resource "avi_healthmonitor" "hm{c}" {{\n  name = "hm-{c}"\n'
                   f'  type = "HEALTH_MONITOR_TCP"\n}}\n')
        for k in range(1, CHAIN):
            after = f'\n  description = "after ${{avi_pool.p{c}_{k - 1}.uuid}}"' if k > 1 else ""
            out.append(f'resource "avi_pool" "p{c}_{k}" {{\n  name = "pool-{c}-{k}"\n'
                       f'  health_monitor_refs = [avi_healthmonitor.hm{c}.id]{after}\n}}\n')
    return "".join(out)


def terraform_config(n: int) -> str:
    """The same graph of ``terraform_data``: same chains, same references."""
    out = []
    for c in range(n // CHAIN):
        out.append(f'resource "terraform_data" "hm{c}" {{\n  input = {{ name = "hm-{c}", '
                   f'type = "HEALTH_MONITOR_TCP" }}\n}}\n')
        for k in range(1, CHAIN):
            after = f', description = "after ${{terraform_data.p{c}_{k - 1}.id}}"' \
                if k > 1 else ""
            out.append(f'resource "terraform_data" "p{c}_{k}" {{\n  input = {{ name = '
                       f'"pool-{c}-{k}", health_monitor_refs = [terraform_data.hm{c}.id]'
                       f'{after} }}\n}}\n')
    return "".join(out)


# -- running commands --------------------------------------------------------------------------

def albform_exe() -> str:
    found = shutil.which("albform", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("the albform console script is not installed next to this python")
    return found


def timed(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
          ok: Sequence[int] = (0,)) -> tuple[float, float, str]:
    """Run a command: (wall s, CPU s of it and its children, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(argv), cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} in {cwd} exited {done.returncode}:\n"
                         f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def workdir(root: Path, name: str, config: str, filename: str = "main.tf") -> Path:
    path = root / name
    path.mkdir(parents=True)
    (path / filename).write_text(config)
    return path


def albform_apply(root: Path, n: int, *, env: dict[str, str] | None = None,
                  parallelism: int = 10, name: str = "", json_ui: bool = False,
                  ) -> tuple[Path, float, float, float | None]:
    """Apply ``n`` objects: (working directory, wall s, CPU s, apply walk s with ``json_ui``
    — see the module docstring — else None)."""
    wd = workdir(root, name or f"albform-{n}", albform_config(n))
    wall, cpu, out = timed([albform_exe(), "apply", "-auto-approve", "-no-color",
                            f"-parallelism={parallelism}", *(["-json"] if json_ui else [])],
                           wd, env)
    if f"Resources: {n} added" not in out:
        raise SystemExit(f"albform apply of {n} did not add {n}:\n{out[-1000:]}")
    return wd, wall, cpu, walk_seconds(out) if json_ui else None


def walk_seconds(json_lines: str) -> float:
    """From the first ``apply_start`` to the ``change_summary`` of a ``-json`` apply."""
    start = end = None
    for line in json_lines.splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event.get("type") == "apply_start" and start is None:
            start = event["@timestamp"]
        elif event.get("type") == "change_summary":
            end = event["@timestamp"]
    if start is None or end is None:
        raise SystemExit("the -json apply printed no apply_start or change_summary")
    return (_instant(end) - _instant(start)).total_seconds()


def _instant(stamp: str) -> datetime.datetime:
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")


def albform_noop_plan(wd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    wall, cpu, out = timed([albform_exe(), "plan", "-no-color", "-detailed-exitcode"], wd, env)
    if "No changes" not in out:
        raise SystemExit(f"the re-plan in {wd} is not empty:\n{out[-1000:]}")
    return wall, cpu


# -- figures -----------------------------------------------------------------------------------

def figure_applies(root: Path, sizes: Sequence[int]) -> dict[int, tuple[Path, float, float]]:
    print("\nalbform apply on the embedded emulator (parallelism 10):")
    print(f"{'objects':>8} {'wall s':>8} {'CPU s':>8} {'ms/object':>10} {'vs first':>9}")
    runs = {}
    first = 0.0
    for n in sizes:
        wd, wall, cpu, _ = albform_apply(root, n)
        runs[n] = (wd, wall, cpu)
        per = wall / n * 1000
        first = first or per
        print(f"{n:>8,} {wall:>8.1f} {cpu:>8.1f} {per:>10.2f} {per / first:>8.2f}x",
              flush=True)
    return runs


def figure_terraform(root: Path, n: int, albform_apply_s: float,
                     albform_plan_s: float | None) -> None:
    if shutil.which("terraform") is None:
        print("\nterraform not on PATH: no comparison")
        return
    wd = workdir(root, f"terraform-{n}", terraform_config(n))
    timed(["terraform", "init", "-input=false", "-no-color"], wd, TF_ENV)
    wall, cpu, _ = timed(["terraform", "apply", "-auto-approve", "-input=false", "-no-color",
                          "-parallelism=10"], wd, TF_ENV)
    pwall, pcpu, out = timed(["terraform", "plan", "-input=false", "-no-color",
                              "-detailed-exitcode"], wd, TF_ENV)
    if "No changes" not in out:
        raise SystemExit("terraform's re-plan is not empty")
    print(f"\nterraform 1.11 on the same graph of terraform_data, {n:,} objects:")
    print(f"  apply      {wall:8.1f} s wall {cpu:8.1f} s CPU   albform {albform_apply_s:.1f} s"
          f" -> albform is {wall / albform_apply_s:.1f}x faster")
    if albform_plan_s is None:
        print(f"  no-op plan {pwall:8.1f} s wall {pcpu:8.1f} s CPU   (albform's: --noop-size "
              f"{n})")
    else:
        print(f"  no-op plan {pwall:8.1f} s wall {pcpu:8.1f} s CPU   albform {albform_plan_s:.1f} s"
              f" -> albform takes {albform_plan_s / pwall:.2f}x terraform's time")


def figure_latency(root: Path, n: int, latency_ms: float, levels: Sequence[int]) -> None:
    print(f"\n{n:,} objects against a standalone emulator with {latency_ms:g} ms per request "
          "(speed-up vs the first level: whole command / apply walk):")
    first = first_walk = 0.0
    for level in levels:
        proc, url = serve(None, password=PASSWORD,
                          faults=json.dumps({"latency_ms": latency_ms}))
        try:
            env = {"AVI_CONTROLLER": url, "AVI_USERNAME": "admin", "AVI_PASSWORD": PASSWORD}
            _, wall, cpu, walk = albform_apply(root, n, env=env, parallelism=level,
                                               name=f"latency-{n}-p{level}", json_ui=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        assert walk is not None
        first, first_walk = first or wall, first_walk or walk
        print(f"  -parallelism {level:>3}: {wall:8.1f} s wall (walk {walk:6.1f} s) {cpu:7.1f} s "
              f"CPU  speed-up x{first / wall:.1f} / walk x{first_walk / walk:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--tf-size", type=int, default=5000, help="0: no terraform")
    parser.add_argument("--noop-size", type=int, default=5000, help="0: no no-op plan")
    parser.add_argument("--latency-size", type=int, default=2000, help="0: no latency runs")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 32])
    args = parser.parse_args()
    for n in (*args.sizes, args.tf_size, args.noop_size, args.latency_size):
        if n % CHAIN:
            parser.error(f"sizes are multiples of {CHAIN} (chains of ten): {n}")
    print(f"apply throughput, cpus={os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="apply-throughput-") as tmp:
        root = Path(tmp)
        runs = figure_applies(root, args.sizes)
        plan_s: float | None = None
        if args.noop_size:
            wd = runs[args.noop_size][0] if args.noop_size in runs else \
                albform_apply(root, args.noop_size, name="noop")[0]
            plan_s, plan_cpu = albform_noop_plan(wd)
            print(f"\nalbform no-op plan of {args.noop_size:,}: {plan_s:.1f} s wall "
                  f"{plan_cpu:.1f} s CPU")
        if args.tf_size:
            ours = runs[args.tf_size][1] if args.tf_size in runs else \
                albform_apply(root, args.tf_size, name="for-terraform")[1]
            figure_terraform(root, args.tf_size, ours,
                             plan_s if args.noop_size == args.tf_size else None)
        if args.latency_size:
            figure_latency(root, args.latency_size, args.latency_ms, args.levels)


if __name__ == "__main__":
    main()
