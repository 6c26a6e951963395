"""Fuzz the CLI with mutated user input: HCL (the provider's corpus and the examples) and
cluster inputs (the translator's cases and lb-demo). Every command runs in process; a
traceback, an exit code outside 0/1/2 or a state file changed by a failing command is a
finding. Prints the examples run, the findings (grouped by their last line) and the rate.

    .venv/bin/python benchmarks/fuzz_inputs.py [--examples 2000] [--seed 1]
                                               [--kind hcl|cluster|both]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "qa"))

import fuzzing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=("hcl", "cluster", "both"), default="both")
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    hcl, clusters = fuzzing.hcl_seeds(), fuzzing.cluster_seeds()
    kinds = ["hcl", "cluster"] if args.kind == "both" else [args.kind]
    findings: list[str] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="albform-fuzz-") as tmp, \
            fuzzing.fuzz_environment(Path(tmp)) as work:
        for i in range(args.examples):
            kind = kinds[i % len(kinds)]
            case_rnd = random.Random(rnd.getrandbits(64))
            if kind == "hcl":
                seed = case_rnd.choice(hcl)
                outcomes = fuzzing.run_hcl_case(work, seed, case_rnd)
                label = f"hcl {seed.name}"
            else:
                cluster = case_rnd.choice(clusters)
                outcomes = fuzzing.run_cluster_case(work, cluster, case_rnd)
                label = f"cluster {cluster.name}"
            found = fuzzing.report(outcomes, label)
            findings.extend(found)
            for f in found:
                print(f"[{i}] {f}", file=sys.stderr)
    elapsed = time.perf_counter() - start
    groups = Counter(f.strip().splitlines()[-1] for f in findings)
    print(f"examples: {args.examples} ({', '.join(kinds)}), seed {args.seed}")
    print(f"findings: {len(findings)}")
    for line, count in groups.most_common():
        print(f"  {count:5d}  {line[:150]}")
    print(f"time: {elapsed:.1f} s ({args.examples / elapsed:.1f} examples/s)")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
