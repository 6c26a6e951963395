"""Apply throughput through the real CLI: albform vs Terraform, linearity, latency scaling.

    .venv/bin/python benchmarks/apply_throughput.py [--sizes 5000 20000] [--tf-size 5000]
        [--latency-size 2000] [--latency-ms 20] [--levels 1 10 32] [--noop-size 5000]
        [--cores shared|apart|both]

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
               ``--cores``: measured twice by default, once with both processes free to run
               on every CPU, once with the emulator on a CPU of its own and albform on the
               others — as a controller on another machine would be. On a 2-core machine the
               two processes, left to the scheduler, keep meeting on one core, and albform's
               33 threads hand the interpreter lock from core to core: its CPU in the p32 walk
               was 1.25 s instead of 0.87 s, and the walk 4-17 % longer in our runs
               (benchmarks/README.md, goal 2, eighth round). Each level is measured in both
               layouts back to back, so that drift over the run favours neither.

Absolute times on the shared 2-core machines are noisy: compare the ratios, which are
measured in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))  # emulator_throughput, for its standalone emulator
from emulator_throughput import pinned_to, serve  # noqa: E402

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
          ok: Sequence[int] = (0,), cpus: set[int] | None = None) -> tuple[float, float, str]:
    """Run a command: (wall s, CPU s of it and its children, stdout)."""
    wall, cpu, out, _ = measured(argv, cwd, env, ok, cpus)
    return wall, cpu, out


def measured(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
             ok: Sequence[int] = (0,), cpus: set[int] | None = None,
             ) -> tuple[float, float, str, float]:
    """Run a command (on ``cpus`` only, when given): (wall s, CPU s of it and its children,
    stdout, peak RSS MB of it or of a child of it — the embedded emulator). Python byte-code
    is cached as an installed albform's is (pip compiles it), whatever
    ``PYTHONDONTWRITEBYTECODE`` says here."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env={**environ, **(env or {})},
                                stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                preexec_fn=pinned_to(cpus))
        _, status, usage = os.wait4(proc.pid, 0)  # this command's own rusage, children in
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} in {cwd} exited {proc.returncode}:\n"
                         f"{stdout[-2000:]}\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, stdout, usage.ru_maxrss / 1024


def workdir(root: Path, name: str, config: str, filename: str = "main.tf") -> Path:
    path = root / name
    path.mkdir(parents=True)
    (path / filename).write_text(config)
    return path


def applied(root: Path, name: str, config: str) -> Path | None:
    """A working directory of ``--root`` applied by an earlier run with this configuration
    (its state file present), to be planned again; None if there is none."""
    path = root / name
    if (path / "terraform.tfstate").is_file() and (path / "main.tf").is_file() \
            and (path / "main.tf").read_text() == config:
        return path
    return None


def albform_apply(root: Path, n: int, *, env: dict[str, str] | None = None,
                  parallelism: int = 10, name: str = "", json_ui: bool = False,
                  cpus: set[int] | None = None) -> tuple[Path, float, float, float | None]:
    """Apply ``n`` objects (on ``cpus`` only, when given): (working directory, wall s, CPU s,
    apply walk s with ``json_ui`` — see the module docstring — else None)."""
    wd = workdir(root, name or f"albform-{n}", albform_config(n))
    wall, cpu, out = timed([albform_exe(), "apply", "-auto-approve", "-no-color",
                            f"-parallelism={parallelism}", *(["-json"] if json_ui else [])],
                           wd, env, cpus=cpus)
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


def albform_noop_plan(wd: Path, env: dict[str, str] | None = None,
                      ) -> tuple[float, float, float]:
    """One no-op ``albform plan -detailed-exitcode``: (wall s, CPU s, peak RSS MB)."""
    wall, cpu, out, rss = measured([albform_exe(), "plan", "-no-color", "-detailed-exitcode"],
                                   wd, env)
    if "No changes" not in out:
        raise SystemExit(f"the re-plan in {wd} is not empty:\n{out[-1000:]}")
    return wall, cpu, rss


# -- figures -----------------------------------------------------------------------------------

def figure_applies(root: Path, sizes: Sequence[int],
                   ) -> dict[int, tuple[Path, float | None, float | None]]:
    print("\nalbform apply on the embedded emulator (parallelism 10):")
    print(f"{'objects':>8} {'wall s':>8} {'CPU s':>8} {'ms/object':>10} {'vs first':>9}")
    runs: dict[int, tuple[Path, float | None, float | None]] = {}
    first = 0.0
    for n in sizes:
        reused = applied(root, f"albform-{n}", albform_config(n))
        if reused is not None:
            runs[n] = (reused, None, None)
            print(f"{n:>8,}   applied by an earlier run in {reused}: not measured", flush=True)
            continue
        wd, wall, cpu, _ = albform_apply(root, n)
        runs[n] = (wd, wall, cpu)
        per = wall / n * 1000
        first = first or per
        print(f"{n:>8,} {wall:>8.1f} {cpu:>8.1f} {per:>10.2f} {per / first:>8.2f}x",
              flush=True)
    return runs


def figure_noop_plans(root: Path, sizes: Sequence[int],
                      runs: dict[int, tuple[Path, float | None, float | None]],
                      ) -> dict[int, tuple[float, float, float]]:
    """Two no-op plans per size: the first after the apply (it decodes the state and
    remembers it, ``engine/state/decoded_memo.py``), then the same plan again — a drift check
    run on an unchanged state."""
    print("\nalbform no-op plan (refresh over HTTP), first and second run:")
    print(f"{'objects':>8} {'wall s':>8} {'CPU s':>8} {'RSS MB':>8} | "
          f"{'wall s':>8} {'CPU s':>8} {'RSS MB':>8}")
    plans = {}
    for n in sizes:
        if n in runs:
            wd = runs[n][0]
        else:
            wd = applied(root, f"albform-{n}", albform_config(n)) or \
                albform_apply(root, n)[0]
        first = albform_noop_plan(wd)
        again = albform_noop_plan(wd)
        plans[n] = first
        print(f"{n:>8,} {first[0]:>8.1f} {first[1]:>8.1f} {first[2]:>8.0f} | "
              f"{again[0]:>8.1f} {again[1]:>8.1f} {again[2]:>8.0f}", flush=True)
    return plans


def figure_terraform(root: Path, n: int, albform_apply_s: float | None,
                     albform_plan: tuple[float, float, float] | None) -> None:
    if shutil.which("terraform") is None:
        print("\nterraform not on PATH: no comparison")
        return
    print(f"\nterraform 1.11 on the same graph of terraform_data, {n:,} objects:")
    wd = applied(root, f"terraform-{n}", terraform_config(n))
    if wd is None:
        wd = workdir(root, f"terraform-{n}", terraform_config(n))
        timed(["terraform", "init", "-input=false", "-no-color"], wd, TF_ENV)
        wall, cpu, _ = timed(["terraform", "apply", "-auto-approve", "-input=false",
                              "-no-color", "-parallelism=10"], wd, TF_ENV)
        faster = f" -> albform is {wall / albform_apply_s:.1f}x faster" \
            if albform_apply_s else ""
        print(f"  apply      {wall:8.1f} s wall {cpu:8.1f} s CPU   albform "
              f"{albform_apply_s or float('nan'):.1f} s{faster}")
    else:
        print(f"  apply      applied by an earlier run in {wd}: not measured")
    pwall, pcpu, out = timed(["terraform", "plan", "-input=false", "-no-color",
                              "-detailed-exitcode"], wd, TF_ENV)
    if "No changes" not in out:
        raise SystemExit("terraform's re-plan is not empty")
    if albform_plan is None:
        print(f"  no-op plan {pwall:8.1f} s wall {pcpu:8.1f} s CPU   (albform's: --noop-size "
              f"{n})")
    else:
        print(f"  no-op plan {pwall:8.1f} s wall {pcpu:8.1f} s CPU   albform's first "
              f"{albform_plan[0]:.1f} s wall {albform_plan[1]:.1f} s CPU -> albform takes "
              f"{albform_plan[0] / pwall:.2f}x terraform's wall time, "
              f"{albform_plan[1] / pcpu:.2f}x its CPU")


def core_layouts(choice: str) -> list[tuple[str, set[int] | None, set[int] | None]]:
    """The ``--cores`` layouts to measure: (label, albform's CPUs, the emulator's CPUs)."""
    cpus = sorted(os.sched_getaffinity(0))
    layouts: list[tuple[str, set[int] | None, set[int] | None]] = []
    if choice in ("shared", "both"):
        layouts.append(("shared", None, None))
    if choice in ("apart", "both"):
        if len(cpus) >= 2:
            layouts.append(("apart", set(cpus[:-1]), {cpus[-1]}))
        else:
            print(f"  (apart: not measured, this process may run on CPU {cpus[0]} only)")
    return layouts


def figure_latency(root: Path, n: int, latency_ms: float, levels: Sequence[int],
                   cores: str) -> None:
    print(f"\n{n:,} objects against a standalone emulator with {latency_ms:g} ms per request "
          "(speed-up vs the first level of the same layout: whole command / apply walk):")
    layouts = core_layouts(cores)
    for tag, ours, emulator in layouts:
        print(f"  {tag}: " + ("albform and the emulator free to run on every CPU" if ours is None
                              else f"albform on CPU {','.join(map(str, sorted(ours)))}, the "
                                   f"emulator on CPU {','.join(map(str, sorted(emulator or ())))}"))
    first: dict[str, tuple[float, float]] = {}
    for level in levels:
        for tag, ours, emulator in layouts:
            proc, url = serve(None, password=PASSWORD,
                              faults=json.dumps({"latency_ms": latency_ms}), cpus=emulator)
            try:
                env = {"AVI_CONTROLLER": url, "AVI_USERNAME": "admin",
                       "AVI_PASSWORD": PASSWORD}
                _, wall, cpu, walk = albform_apply(root, n, env=env, parallelism=level,
                                                   name=f"latency-{n}-{tag}-p{level}",
                                                   json_ui=True, cpus=ours)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            assert walk is not None
            base_wall, base_walk = first.setdefault(tag, (wall, walk))
            print(f"  {tag:>6} -parallelism {level:>3}: {wall:8.1f} s wall (walk {walk:6.1f} s) "
                  f"{cpu:7.1f} s CPU  speed-up x{base_wall / wall:.1f} / walk "
                  f"x{base_walk / walk:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000, 20000])
    parser.add_argument("--tf-size", type=int, default=5000, help="0: no terraform")
    parser.add_argument("--noop-size", type=int, nargs="*", default=[5000],
                        help="sizes of the no-op plans (none: no no-op plan)")
    parser.add_argument("--latency-size", type=int, default=2000, help="0: no latency runs")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 32])
    parser.add_argument("--cores", choices=["shared", "apart", "both"], default="both",
                        help="latency runs with albform and the emulator free to use every "
                             "CPU (shared), each on CPUs of its own (apart), or both")
    parser.add_argument("--root", type=Path, default=None,
                        help="keep the working directories here (default: a temporary "
                             "directory); one an earlier run applied is planned again, "
                             "its apply not measured")
    args = parser.parse_args()
    noop_sizes = [n for n in args.noop_size if n]
    for n in (*args.sizes, args.tf_size, *noop_sizes, args.latency_size):
        if n % CHAIN:
            parser.error(f"sizes are multiples of {CHAIN} (chains of ten): {n}")
    print(f"apply throughput, cpus={os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    with contextlib.ExitStack() as stack:
        if args.root is None:
            root = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="apply-throughput-")))
        else:
            root = args.root.resolve()
            root.mkdir(parents=True, exist_ok=True)
        runs = figure_applies(root, args.sizes)
        # The no-op plan Terraform's is compared with runs right before it (same load).
        compared = [n for n in noop_sizes if n == args.tf_size]
        plans = figure_noop_plans(root, compared, runs) if compared else {}
        if args.tf_size:
            if args.tf_size in runs:
                ours = runs[args.tf_size][1]
            elif applied(root, f"albform-{args.tf_size}", albform_config(args.tf_size)):
                ours = None
            else:
                ours = albform_apply(root, args.tf_size, name="for-terraform")[1]
            figure_terraform(root, args.tf_size, ours, plans.get(args.tf_size))
        others = [n for n in noop_sizes if n != args.tf_size]
        if others:
            figure_noop_plans(root, others, runs)
        if args.latency_size:
            figure_latency(root, args.latency_size, args.latency_ms, args.levels,
                           args.cores)
        print(f"\nload at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
