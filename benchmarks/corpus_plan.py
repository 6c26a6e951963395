"""Benchmark: the provider's HCL corpus through the whole stack, stage by stage.

Every configuration of ``../shared/tf-corpus`` that gets through (the integration test lists
the ones that cannot) is loaded, planned, applied, planned again and destroyed against one
in-process emulator on loopback, as ``tests/integration/test_corpus_plan.py`` does (without
its per-file setup and import overlays, so those few files are left out). Prints the wall
time of each stage summed over the corpus, with ratios against a
baseline measured in the same run: one plain ``GET`` per managed object through the same
client (the irreducible round trip a stage could not beat with one call per object).

    .venv/bin/python benchmarks/corpus_plan.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from albform.engine.apply import apply_plan
from albform.engine.changes import Action, PlanOptions
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import configuration_files, load_configuration
from albform.modules.hcl.testing import copy_case, corpus_cases, write_dummy_values
from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator.server import start_emulator
from albform.provider.resources.provider import AviProvider
from albform.provider.schema.table import load_table

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "tf-corpus"
PASSWORD = "bench-password"
STAGES = ("load", "plan", "apply", "replan", "destroy")


def run_case(source: Path, provider: AviProvider, scratch: Path,
             seconds: dict[str, float]) -> int | None:
    """The five stages of one configuration; the number of managed objects, or None when a
    stage fails (such files are the integration test's expectations, not timed)."""
    workdir = scratch / "config"
    copy_case(source, workdir)
    cache = ParseCache(None)
    var_files = [write_dummy_values(configuration_files(workdir), cache,
                                    workdir.parent / "dummy.tfvars")]
    timings: dict[str, float] = {}
    start = time.perf_counter()
    config, diags = load_configuration(workdir, var_files=var_files, env={}, cache=cache)
    timings["load"] = time.perf_counter() - start
    if diags.has_errors():
        return None
    start = time.perf_counter()
    plan, diags = build_plan(config, State(), provider)
    timings["plan"] = time.perf_counter() - start
    if diags.has_errors():
        return None
    start = time.perf_counter()
    outcome = apply_plan(plan, provider, lambda _: None)
    timings["apply"] = time.perf_counter() - start
    state = outcome.state
    ok = not outcome.diagnostics.has_errors()
    if ok:
        start = time.perf_counter()
        again, diags = build_plan(config, state, provider)
        timings["replan"] = time.perf_counter() - start
        ok = not diags.has_errors() and all(c.action is Action.NOOP for c in again.changes)
    start = time.perf_counter()
    plan, _ = build_plan(config, state, provider,
                         PlanOptions(destroy=True, max_delete_fraction=None))
    done = apply_plan(plan, provider, lambda _: None)
    timings["destroy"] = time.perf_counter() - start
    if not ok or done.diagnostics.has_errors():
        return None
    for stage, value in timings.items():
        seconds[stage] += value
    return len(state.resources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="passes over the corpus")
    parser.add_argument("--limit", type=int, default=None,
                        help="the first N configurations only (a quick run)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is absent")
    table = load_table()
    seconds: dict[str, float] = defaultdict(float)
    configs = objects = 0
    with start_emulator(password=PASSWORD) as emu:
        config = ClientConfig(controller=emu.url, password=PASSWORD, api_version="30.2.1")
        with AviClient.connect(config) as client:
            for objtype, body in (
                    ("wafcrs", {"name": "CRS-2021-2", "version": "CRS-2021-2",
                                "release_date": "2021-06-01", "description": "bench",
                                "integrity": "0" * 64, "groups": []}),
                    ("wafapplicationsignatureprovider",
                     {"name": "System-WafApplicationSignatures-Trustwave"})):
                client.create_object(objtype, body)
            provider = AviProvider(client, table)
            for _ in range(args.rounds):
                for source in list(corpus_cases(CORPUS))[:args.limit]:
                    with tempfile.TemporaryDirectory() as scratch:
                        count = run_case(source, provider, Path(scratch), seconds)
                    if count is not None:
                        configs += 1
                        objects += count
            start = time.perf_counter()
            for _ in range(objects):
                client.get_object("tenant", "admin")
            baseline = time.perf_counter() - start
    print(f"corpus: {configs} configurations through every stage, {objects} managed objects "
          f"({args.rounds} round(s))")
    print(f"baseline: {objects} single GETs {baseline:.2f} s "
          f"({baseline / max(objects, 1) * 1000:.2f} ms per object)")
    for stage in STAGES:
        ratio = seconds[stage] / baseline if baseline else float("nan")
        print(f"{stage:8} {seconds[stage]:7.2f} s  {ratio:6.1f}x baseline  "
              f"{seconds[stage] / max(configs, 1) * 1000:7.1f} ms per configuration")


if __name__ == "__main__":
    main()
