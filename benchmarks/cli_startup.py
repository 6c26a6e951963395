"""CLI start-up benchmark: wall and CPU time of short ``albform`` invocations.

    .venv/bin/python benchmarks/cli_startup.py [--repeat 15]

Each figure is the median over ``--repeat`` fresh interpreters (``python -m albform …``, as the
console script runs it):

* ``--help``, ``--version``   — the lazy group lists commands from its table, imports none;
* ``version``                 — imports the one small command module it runs;
* ``plan --help``             — imports the one command module it shows;
* baseline                    — ``--help`` after importing every command module first, which is
                                what start-up cost before commands were lazy (issue 13, item 12).

Ratios are baseline / figure (wall and CPU), measured in the same run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

from albform.cli.commands.cluster import CLUSTER_COMMANDS
from albform.cli.main import COMMANDS

EAGER = "; ".join(
    f"import {entry.target.partition(':')[0]}"
    for entry in [*COMMANDS.values(), *CLUSTER_COMMANDS.values()])


def _time(argv: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds (child user + system) of ``argv``."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - before)
    return statistics.median(walls), statistics.median(cpus)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    py = sys.executable
    cases = {
        "albform --help": [py, "-m", "albform", "--help"],
        "albform --version": [py, "-m", "albform", "--version"],
        "albform version": [py, "-m", "albform", "version"],
        "albform plan --help": [py, "-m", "albform", "plan", "--help"],
        "baseline: every command imported, then --help": [
            py, "-c", f"{EAGER}; from albform.cli.main import main; main(['--help'])"],
        "python -c pass (interpreter floor)": [py, "-c", "pass"],
    }
    results = {name: _time(argv, repeat) for name, argv in cases.items()}
    base_wall, base_cpu = results["baseline: every command imported, then --help"]
    print(f"median of {repeat} runs: wall s, CPU s, then baseline/this for wall and CPU")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<48} {wall:6.3f} {cpu:6.3f}   x{base_wall / wall:4.1f} "
              f"x{base_cpu / cpu:4.1f}")


if __name__ == "__main__":
    main()
