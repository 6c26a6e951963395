"""State codec and local backend figures on a large state.

    .venv/bin/python benchmarks/state_codec.py [--instances 50000]

Prints wall time and peak traced memory for encode_state, decode_state and LocalBackend
writes and reads, each against a naive baseline measured in the same run: ``json.dumps``
(same indent, plus a plain file write for the backend rows) and ``json.loads``.
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.state.backends.local import LocalBackend
from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.model import ResourceState, State


def pool_attributes(i: int) -> dict[str, Any]:
    """Roughly what an avi_pool holds: ~25 fields, a few nested lists of objects."""
    return {
        "name": f"pool-{i}", "uuid": f"pool-{i:08x}-0000-4000-8000-000000000000",
        "tenant_ref": "/api/tenant/admin", "cloud_ref": "/api/cloud/cloud-1",
        "lb_algorithm": "LB_ALGORITHM_LEAST_CONNECTIONS", "default_server_port": 8080,
        "enabled": True, "inline_health_monitor": True, "use_service_port": False,
        "graceful_disable_timeout": 1, "connection_ramp_duration": 10,
        "health_monitor_refs": ["/api/healthmonitor/hm-http"],
        "markers": [{"key": "clustername", "values": ["prod"]}],
        "servers": [{"ip": {"addr": f"10.{i % 250}.{j}.1", "type": "V4"}, "port": 30000 + j,
                     "enabled": True, "ratio": 1, "hostname": f"node-{j}"} for j in range(3)],
        "description": f"created for service ns-{i % 40}/svc-{i}",
        "fewest_tasks_feedback_delay": 10, "max_concurrent_connections_per_server": 0,
        "capacity_estimation": False, "request_queue_enabled": False,
        "routing_pool": False, "sni_enabled": True, "host_check_enabled": False,
        "ignore_servers": False, "append_port": "NON_DEFAULT_80_443",
    }


def build_state(n: int) -> State:
    resources = []
    for i in range(n):
        module = (ModuleStep("cluster", f"c{i % 4}"),) if i % 2 else ()
        address = ResourceAddress("avi_pool", f"p{i // 100}", key=i % 100, module=module)
        resources.append(ResourceState(address, pool_attributes(i)))
    return State(serial=1, lineage="bench").with_resources(resources)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_mib(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=50_000)
    n = parser.parse_args().instances
    state = build_state(n)
    data = encode_state(state)
    doc = json.loads(data)
    rows = []

    t_enc, _ = timed(lambda: encode_state(state))
    t_base_enc, _ = timed(lambda: json.dumps(doc, indent=2, ensure_ascii=False))
    rows.append(("encode_state", t_enc, t_base_enc, peak_mib(lambda: encode_state(state))))
    t_dec, decoded = timed(lambda: decode_state(data))
    assert decoded == state
    t_base_dec, _ = timed(lambda: json.loads(data))
    rows.append(("decode_state", t_dec, t_base_dec, peak_mib(lambda: decode_state(data))))

    with tempfile.TemporaryDirectory() as tmp:
        backend = LocalBackend(Path(tmp))
        plain = Path(tmp, "plain.json")
        t_base_write, _ = timed(
            lambda: plain.write_text(json.dumps(doc, indent=2, ensure_ascii=False)))
        t_first, _ = timed(lambda: backend.write(state))
        # The usual apply pattern: the next snapshot over the one this client just wrote.
        t_next, _ = timed(lambda: backend.write(replace(state, serial=2)))
        t_read, _ = timed(backend.read)
        t_base_read, _ = timed(lambda: json.loads(plain.read_bytes()))
    rows.append(("local first write", t_first, t_base_write, float("nan")))
    rows.append(("local next write", t_next, t_base_write, float("nan")))
    rows.append(("local read", t_read, t_base_read, float("nan")))

    print(f"state: {n} instances, {len(data) / 2**20:.1f} MiB of JSON")
    print(f"{'operation':<20}{'seconds':>9}{'baseline s':>12}{'ratio':>8}{'peak MiB':>10}")
    for name, t, base, peak in rows:
        print(f"{name:<20}{t:>9.2f}{base:>12.2f}{t / base:>8.2f}{peak:>10.0f}")
    print("baselines: json.dumps(indent=2) / json.loads of the same document; for local "
          "writes json.dumps(indent=2) + a plain file write (no checks, fsync or backup), "
          "for local read "
          "json.loads of the file")


if __name__ == "__main__":
    main()
