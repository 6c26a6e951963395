"""Benchmark: refreshing N pools one GET at a time vs. paged collection reads.

Runs the client against the in-process emulator on loopback (no outside network) and prints
API calls and wall time for each strategy, with ratios against the one-GET-per-object
baseline measured in the same run. Also times loading the schema table.

    .venv/bin/python benchmarks/client_paging.py [--objects 1000]
"""

from __future__ import annotations

import argparse
import time

from albform.provider.client import AviClient, AviSession, ClientConfig, CollectionQuery
from albform.provider.emulator import start_emulator
from albform.provider.schema import load_table, resource_schema, resource_types


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bench_schema() -> None:
    load_table.cache_clear()
    _, load_s = _timed(load_table)
    _, build_s = _timed(lambda: [resource_schema(t) for t in resource_types()])
    print(f"schema table: load {load_s * 1000:.0f} ms; engine schemas for "
          f"{len(resource_types())} types {build_s * 1000:.0f} ms")


def bench_paging(n: int) -> None:
    with start_emulator(password="bench-pw") as emu:
        config = ClientConfig(controller=emu.url, password="bench-pw")
        with AviClient(AviSession(config)) as client:
            uuids = [client.create_object("pool", {"name": f"bench-{i}", "servers": [
                {"ip": {"addr": f"10.1.{i // 250}.{i % 250 + 1}", "type": "V4"}}]})["uuid"]
                for i in range(n)]

            def one_by_one() -> int:
                with client.session.counting() as tally:
                    for uuid in uuids:
                        assert client.get_object("pool", uuid) is not None
                return tally.calls

            base_calls, base_s = _timed(one_by_one)
            by_uuid, uuid_s = _timed(lambda: client.list_collection(
                "pool", CollectionQuery(uuids=uuids)))
            everything, all_s = _timed(lambda: client.list_collection(
                "pool", CollectionQuery(page_size=200)))
            assert len(by_uuid.objects) == n and len(everything.objects) == n
    print(f"{n} pools, one GET each (baseline): {base_calls} calls, {base_s:.2f} s")
    for label, result, seconds in (("uuid.in chunks of 100", by_uuid, uuid_s),
                                   ("all pages of 200", everything, all_s)):
        print(f"{n} pools, {label}: {result.api_calls} calls, {seconds:.2f} s "
              f"-> {base_calls / result.api_calls:.0f}x fewer calls, "
              f"{base_s / seconds:.1f}x faster than baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=1000)
    args = parser.parse_args()
    bench_schema()
    bench_paging(args.objects)


if __name__ == "__main__":
    main()
