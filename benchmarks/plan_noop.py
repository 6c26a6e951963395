"""Planning benchmark: re-plan N managed objects with nothing (or 1%) changed.

    .venv/bin/python benchmarks/plan_noop.py [--size 50000] [--repeat 3]

Half the objects are pools (two servers each, a keyed list), half virtual services whose
``pool_ref`` is a ``Deferred`` reference to their pool. The FakeProvider (zero latency) holds
the objects; the state is built from what it returned. Figures, best of ``--repeat``:

* refresh      — ``read_many`` alone over every object (the floor for a refreshing plan);
* no-op plan   — ``build_plan`` including that refresh (target: < 5 s at 50,000);
* 1% changed   — the same with every 100th pool's description changed;
* no-refresh   — ``build_plan`` with ``refresh=False``.

Baseline measured in the same run: ``DeepDiff`` on every (desired, actual) pair, as a planner
without the equality-first rule would do, timed on a 1,000-pair sample and scaled to N.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from deepdiff import DeepDiff

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.planning import build_plan
from albform.engine.provider import ReadRequest
from albform.engine.testing.plans import deployed_directly
from albform.engine.values import UNKNOWN, Deferred


def pool_ref(pool: ResourceAddress) -> Deferred:
    def evaluate(resolve: Callable[[ResourceAddress], Any]) -> Any:
        uuid = resolve(pool).get("uuid")
        return UNKNOWN if uuid is UNKNOWN else f"/api/fake_pool/{uuid}"

    return Deferred(frozenset({pool}), evaluate, f"{pool}.uuid")


def build(n: int, changed_every: int = 0) -> Configuration:
    resources: list[ResourceConfig] = []
    for i in range(n // 2):
        pool = ResourceAddress("fake_pool", f"p{i}")
        ip = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        desc = "changed" if changed_every and i % changed_every == 0 else f"pool {i}"
        resources.append(ResourceConfig(pool, {
            "name": f"p{i}", "description": desc,
            "servers": [{"ip": ip, "port": 80}, {"ip": ip.replace("10.", "11.", 1)}]}))
        resources.append(ResourceConfig(ResourceAddress("fake_vs", f"v{i}"), {
            "name": f"v{i}", "pool_ref": pool_ref(pool), "port": "443"}))
    return Configuration(resources=tuple(resources))


CPU: dict[str, float] = {}


def best(repeat: int, fn: Callable[[], Any], label: str = "") -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (and, in ``CPU[label]``, the best CPU time: the
    machine is shared, so wall time includes waiting for a core)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[label] = min(cpu)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.size - args.size % 2
    config = build(n)
    t0 = time.perf_counter()
    provider, state = deployed_directly(config)
    print(f"objects: {n:,} (setup {time.perf_counter() - t0:.1f} s)")

    requests = [ReadRequest(r.address.type, r.attributes, key=r.address)
                for r in state.resources]
    refresh, _ = best(args.repeat, lambda: provider.read_many(requests), "refresh")
    noop, (plan, diags) = best(args.repeat, lambda: build_plan(config, state, provider),
                               "noop")
    assert not diags.has_errors(), diags
    assert all(c.action is Action.NOOP for c in plan.changes), "no-op plan has changes"
    changed_config = build(n, changed_every=100)
    changed, (plan2, _) = best(args.repeat, lambda: build_plan(
        changed_config, state, provider, PlanOptions(max_delete_fraction=None)), "changed")
    updates = sum(c.action is Action.UPDATE for c in plan2.changes)
    no_refresh, _ = best(args.repeat, lambda: build_plan(
        config, state, provider, PlanOptions(refresh=False)), "no_refresh")

    sample = [(rc, state.get(rc.address)) for rc in config.resources[:1000:2]]
    pairs = [({k: v for k, v in rc.attributes.items()}, rs.attributes)
             for rc, rs in sample if rs is not None]
    start = time.process_time()
    for desired, actual in pairs:
        DeepDiff(actual, desired, view="tree")
    per_pair = (time.process_time() - start) / len(pairs)
    baseline = per_pair * n  # CPU seconds, like the ratios below

    print("                              wall      cpu")
    print(f"refresh (read_many only)     {refresh:7.2f} s {CPU['refresh']:6.2f} s")
    print(f"no-op plan incl. refresh     {noop:7.2f} s {CPU['noop']:6.2f} s   "
          f"({CPU['noop'] / n * 1e6:.1f} µs cpu/object; target < 5 s at 50,000)")
    print(f"1% changed plan              {changed:7.2f} s {CPU['changed']:6.2f} s   "
          f"({updates} updates)")
    print(f"no-op plan, refresh=False    {no_refresh:7.2f} s {CPU['no_refresh']:6.2f} s")
    print(f"baseline: DeepDiff every pair          {baseline:6.2f} s   "
          f"({per_pair * 1e6:.0f} µs cpu/pair, sampled on {len(pairs)} pairs)")
    print(f"ratio no-op plan / baseline (cpu)  {CPU['noop'] / baseline:7.3f}x")


if __name__ == "__main__":
    main()
