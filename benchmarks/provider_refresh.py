"""Provider refresh and create throughput against the emulator with injected latency.

1. Refresh: N managed objects (3/4 pools, 1/4 health monitors) are bulk-loaded into the
   emulator in-process, then refreshed through ``AviProvider.read_many`` over HTTP with
   ``--latency-ms`` added to every request. Baseline, same run: one ``read`` per object (the
   official provider's way) on a sample, extrapolated per object.
2. Creates: ``--creates`` pools created through ``AviProvider.create`` from a thread pool at
   parallelism 1, 10 and 32 (what the engine's apply walk does), same latency, on a fresh
   emulator. Each create is a POST plus a read-back GET. The emulator serves from this very
   process (one GIL, one SQLite connection), so beyond ~10 workers its own CPU is the limit.

Run: ``.venv/bin/python benchmarks/provider_refresh.py`` (full size: 20,000 objects, 2,000
creates, 20 ms); ``--objects 2000 --creates 200`` for a quick look.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

from albform.engine.provider import ReadRequest
from albform.provider.client import AviClient, AviSession, ClientConfig
from albform.provider.emulator.context import RequestContext
from albform.provider.emulator.faults import FaultConfig
from albform.provider.emulator.server import RunningEmulator, start_emulator
from albform.provider.resources.provider import AviProvider
from albform.provider.schema.table import load_table

PASSWORD = "bench-password"


def load_objects(emu: RunningEmulator, n: int) -> list[ReadRequest]:
    """Create ``n`` objects in-process (no HTTP) and return the refresh requests for them."""
    ctx = RequestContext(emu.url, "admin", "30.2.1")
    requests = []
    for i in range(n):
        if i % 4 == 3:
            objtype, body = "healthmonitor", {"name": f"hm-{i}", "type": "HEALTH_MONITOR_TCP"}
        else:
            objtype, body = "pool", {"name": f"pool-{i}", "servers": [
                {"ip": {"addr": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                        "type": "V4"}, "port": 8080}]}
        obj = emu.controller.create(ctx, objtype, body)
        attrs = {"id": f"/api/{objtype}/{obj.uuid}", "uuid": obj.uuid,
                 "tenant_ref": "/api/tenant/admin"}
        requests.append(ReadRequest(f"avi_{objtype}", attrs, key=obj.uuid))
    return requests


def provider_for(emu: RunningEmulator) -> AviProvider:
    config = ClientConfig(controller=emu.url, password=PASSWORD, api_version="30.2.1")
    return AviProvider(AviClient(AviSession(config)), load_table())


def bench_refresh(emu: RunningEmulator, n: int, sample: int) -> None:
    t0 = time.perf_counter()
    requests = load_objects(emu, n)
    print(f"loaded {n} objects in-process in {time.perf_counter() - t0:.1f}s")
    provider = provider_for(emu)
    provider.read(requests[0])  # log in outside the measurement
    t0 = time.perf_counter()
    result = provider.read_many(requests)
    bulk = time.perf_counter() - t0
    missing = sum(1 for r in result.results.values() if r.attributes is None)
    assert missing == 0 and len(result.results) == n, "every object must be found"
    calls_before = provider.api.api_calls
    t0 = time.perf_counter()
    for req in requests[:sample]:
        provider.read(req)
    per_object = (time.perf_counter() - t0) / sample
    one_by_one_calls = (provider.api.api_calls - calls_before) / sample
    print(f"refresh of {n} objects (read_many): {result.api_calls} API calls "
          f"({result.api_calls / n * 100:.2f} per 100 objects), {bulk:.2f}s wall")
    print(f"baseline one GET per object (sample {sample}): {one_by_one_calls:.1f} calls and "
          f"{per_object * 1000:.1f} ms per object -> {per_object * n:.0f}s extrapolated; "
          f"read_many is {per_object * n / bulk:.0f}x faster, "
          f"{one_by_one_calls * n / max(result.api_calls, 1):.0f}x fewer calls")


def bench_creates(emu: RunningEmulator, n: int) -> None:
    provider = provider_for(emu)
    provider.read_data_source("avi_tenant", {"name": "admin"})  # log in first
    timings = {}
    for parallelism in (1, 10, 32):
        names = [f"create-p{parallelism}-{i}" for i in range(n)]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(parallelism) as pool:
            made = list(pool.map(lambda name: provider.create("avi_pool", {"name": name}),
                                 names))
        timings[parallelism] = time.perf_counter() - t0
        assert len({m.attributes["uuid"] for m in made}) == n
        print(f"{n} creates at parallelism {parallelism:>2}: {timings[parallelism]:.2f}s "
              f"({n / timings[parallelism]:.0f}/s)")
    print(f"speed-up vs parallelism 1: x{timings[1] / timings[10]:.1f} at 10, "
          f"x{timings[1] / timings[32]:.1f} at 32")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument("--creates", type=int, default=2_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--only", choices=("refresh", "creates"))
    args = parser.parse_args()
    print(f"{args.latency_ms:.0f} ms injected per request")
    # One emulator per part: creates run against a fresh controller, so the figures show the
    # provider's parallelism, not the cost of the refresh part's 20,000 stored objects.
    if args.only in (None, "refresh"):
        with latent_emulator(args.latency_ms) as emu:
            bench_refresh(emu, args.objects, min(args.sample, args.objects))
    if args.only in (None, "creates"):
        with latent_emulator(args.latency_ms) as emu:
            bench_creates(emu, args.creates)


def latent_emulator(latency_ms: float) -> RunningEmulator:
    emu = start_emulator(password=PASSWORD)
    emu.set_faults(FaultConfig(latency_ms=latency_ms))
    return emu


if __name__ == "__main__":
    main()
