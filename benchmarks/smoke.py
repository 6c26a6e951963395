"""Run every benchmark in ``benchmarks/`` once with tiny sizes, so none can silently break.

    .venv/bin/python benchmarks/smoke.py [--only NAME ...] [--list]

A benchmark is a script here that prints figures; the test suite runs this file
(``tests/test_benchmarks_smoke.py``), so a benchmark that no longer runs as shipped (an import
moved, an API changed) fails the suite instead of failing on the next person who measures.
Each script runs in a subprocess of its own, exactly as a user would start it, with the
arguments in ``TINY`` — sizes small enough that the whole smoke takes seconds, not the
figures. A script that is not in ``TINY`` is a failure naming it: a new benchmark must say how
it runs small. Scripts run ``--jobs`` at a time (default 4): at tiny sizes most of their time is
interpreter start-up and waiting on subprocesses. The figures printed at these sizes mean
nothing and are not shown unless a script fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

# Each benchmark's arguments for a run that exercises every code path at a tiny size.
# Terraform comparisons are left out where a flag allows (the suite's time is not the place).
TINY: dict[str, list[str]] = {
    "apply_throughput.py": ["--sizes", "20", "--tf-size", "20", "--noop-size", "20",
                            "--latency-size", "20", "--latency-ms", "1", "--levels", "2"],
    "canonicalize.py": ["--nodes", "2", "--services", "3", "--ingresses", "3", "--repeat", "1"],
    "cdktf_synth.py": ["--resources", "5"],
    "cli_startup.py": ["--repeat", "1"],
    "client_paging.py": ["--objects", "20"],
    "corpus_plan.py": ["--rounds", "1", "--limit", "2"],
    "crash_harness.py": ["--trials", "1", "--objects", "4", "--cost-pairs", "1"],
    "emulator_throughput.py": ["--sizes", "50", "--seconds", "0.2", "--clients", "1"],
    "engine_plan_apply.py": ["--sizes", "50", "--shapes", "chain", "--tf-sizes", ""],
    "fuzz_inputs.py": ["--examples", "3"],
    "gslb_translate.py": ["--members", "2", "--fqdns", "5"],
    "hcl_load.py": ["--resources", "20", "--files", "2", "--no-terraform"],
    "k8s_translate.py": ["--nodes", "3", "--services", "5", "--ingresses", "5"],
    "plan_noop.py": ["--size", "50", "--repeat", "1"],
    "pool_plan_lines.py": ["--services", "1"],
    "provider_refresh.py": ["--objects", "20", "--creates", "5", "--sample", "5",
                            "--latency-ms", "0"],
    "state_codec.py": ["--instances", "50"],
}

# Per-script ceiling: a hang is a failure, not a stuck test run.
TIMEOUT_S = 120.0


def benchmarks() -> list[str]:
    """Every benchmark script here (this file and private helpers excluded)."""
    return sorted(p.name for p in BENCH_DIR.glob("*.py")
                  if p.name != "smoke.py" and not p.name.startswith("_"))


def run_one(name: str) -> tuple[bool, float, str]:
    """Run one benchmark at its tiny size: (passed, wall seconds, output when it failed)."""
    if name not in TINY:
        return False, 0.0, (f"{name} has no tiny arguments: add it to TINY in "
                            f"benchmarks/smoke.py")
    env = dict(os.environ, ALBFORM_BENCH_SMOKE="1")
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(BENCH_DIR / name), *TINY[name]],
                              capture_output=True, text=True, timeout=TIMEOUT_S, env=env,
                              cwd=BENCH_DIR.parent, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        return False, time.perf_counter() - start, f"timed out after {exc.timeout:.0f} s"
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return False, wall, (f"exit {done.returncode}\n--- stdout\n{done.stdout[-3000:]}"
                             f"\n--- stderr\n{done.stderr[-3000:]}")
    return True, wall, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these scripts only")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--jobs", type=int, default=4,
                        help="scripts run at once (most of a tiny run is start-up and waiting)")
    args = parser.parse_args(argv)
    names = benchmarks()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"no such benchmark: {', '.join(unknown)}")
        names = [n for n in names if n in args.only]
    failed = []
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(run_one, names))
    for name, (passed, wall, output) in zip(names, results, strict=True):
        print(f"{'ok  ' if passed else 'FAIL'} {name:<24} {wall:6.1f} s", flush=True)
        if not passed:
            failed.append(name)
            print(output, flush=True)
    print(f"{len(names) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
