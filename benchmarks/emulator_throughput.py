"""Emulator throughput: requests/s for GET by uuid, collection pages of 200, POST and PUT from 4
concurrent client processes on loopback, with 10,000 and 100,000 stored objects.

Setup bulk-loads pools straight into a SQLite store (the same canonical bodies the API writes),
then serves that file with ``albform emulator --http`` in its own process, so server and
clients do not share an interpreter. Each client process keeps one logged-in keep-alive
session. The baseline, measured in the same run, is the unauthenticated
``/api/cluster/status`` (HTTP stack only, no store work); ratios are against it. Also printed:
the single-client latency of a 200-object page (target < 50 ms at 100,000 objects).

Run: ``.venv/bin/python benchmarks/emulator_throughput.py`` (full sizes) or with
``--sizes 2000 --seconds 1`` while developing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from collections.abc import Callable
from pathlib import Path

import requests

from albform.provider.emulator import refs
from albform.provider.emulator.context import RequestContext
from albform.provider.emulator.server import build_state
from albform.provider.emulator.store import StoredObject

PASSWORD = "bench"
CLIENTS = 4
OPS = ("baseline", "get", "page200", "post", "put")


def bulk_load(db: Path, count: int) -> list[str]:
    """``count`` pools built from one API-created template; returns their uuids."""
    state = build_state(password=PASSWORD, db_path=db, faults=None)
    controller = state.controller
    template = controller.create(RequestContext(base=""), "pool", {
        "name": "template", "servers": [{"ip": {"addr": "10.0.0.1", "type": "V4"}, "port": 80}]})
    edges = [refs.split_canonical(v)[1] for _, _, v in refs.walk(template.body)]
    objs, ref_rows, uuids = [], [], []
    for i in range(count):
        uuid = f"pool-{uuidlib.uuid4()}"
        body = dict(template.body, uuid=uuid, name=f"bulk-{i}")
        objs.append(StoredObject(type="pool", uuid=uuid, tenant="admin", name=f"bulk-{i}",
                                 cloud=template.cloud, body=body))
        ref_rows += [(uuid, dst) for dst in edges]
        uuids.append(uuid)
    controller.store.bulk_put(objs, ref_rows)
    controller.store.close()
    return uuids


def serve(db: Path | None, *, password: str = PASSWORD, faults: str | None = None,
          cpus: set[int] | None = None) -> tuple[subprocess.Popen[str], str]:
    """A standalone ``albform emulator --http`` (on ``db``, else in memory): (process, url).
    ``cpus``: the CPUs the emulator's threads may run on (all when None)."""
    albform = shutil.which("albform", path=str(Path(sys.executable).parent))
    if albform is None:
        raise SystemExit("the albform console script is not installed next to this python")
    argv = [albform, "emulator", "--http", "--password", password]
    argv += ["--db", str(db)] if db is not None else []
    argv += ["--faults", faults] if faults is not None else []
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                            preexec_fn=pinned_to(cpus))
    assert proc.stdout is not None
    found = re.search(r"ready at (http://[\d.:]+)", proc.stdout.readline())
    if found is None:
        proc.kill()
        raise SystemExit("the emulator did not start")
    return proc, found.group(1)


def pinned_to(cpus: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that restricts the child, and so every thread it starts, to ``cpus``
    (None: no restriction). It runs Python between fork and exec, which is safe here because
    the benchmarks that start processes start no threads of their own."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def _client(args: tuple[str, str, list[str], int, float, int]) -> tuple[int, list[float]]:
    """One client process: a keep-alive ``http.client`` connection (cheap on the client side,
    so the measurement is the server's), logged in once."""
    url, op, uuids, total, seconds, seed = args
    rng = random.Random(seed)
    login = requests.post(url + "/login", data={"username": "admin", "password": PASSWORD},
                          timeout=30)
    cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.items())
    headers = {"Cookie": cookie, "X-CSRFToken": login.cookies.get("csrftoken", ""),
               "Referer": url, "X-Avi-Version": "20.1.1", "Content-Type": "application/json"}
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    pages = max(1, total // 200)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    done = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        body = None
        if op == "baseline":
            method, path = "GET", "/api/cluster/status"
        elif op == "get":
            method, path = "GET", f"/api/pool/{rng.choice(uuids)}"
        elif op == "page200":
            method, path = "GET", f"/api/pool?page_size=200&page={rng.randint(1, pages)}"
        elif op == "post":
            method, path = "POST", "/api/pool"
            body = json.dumps({"name": f"new-{seed}-{done}", "servers": [
                {"ip": {"addr": "10.1.0.1", "type": "V4"}, "port": 80}]})
        else:
            method, path = "PUT", f"/api/pool/{rng.choice(uuids)}"
            body = json.dumps({"name": f"put-{seed}-{done}", "default_server_port": 8080})
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        payload = answer.read()
        if answer.status >= 300:
            raise SystemExit(f"{op}: {answer.status} {payload[:200]!r}")
        latencies.append(time.perf_counter() - started)
        done += 1
    conn.close()
    return done, latencies


def measure(url: str, op: str, uuids: list[str], total: int, seconds: float,
            clients: int) -> tuple[float, float, float]:
    """(requests/s, median ms, p95 ms) with ``clients`` processes."""
    # Each client gets its own slice of uuids for PUT so renames never collide.
    jobs = [(url, op, uuids[i::clients], total, seconds, i + 1000 * len(op)) for i in
            range(clients)]
    started = time.perf_counter()
    if clients == 1:  # one client needs no pool of processes (the server is one already)
        results = [_client(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            results = pool.map(_client, jobs)
    elapsed = time.perf_counter() - started
    done = sum(n for n, _ in results)
    lat = sorted(x for _, lats in results for x in lats)
    # Throughput over the measuring window only (process start-up excluded).
    rate = done / seconds if seconds else done / elapsed
    p95 = lat[int(len(lat) * 0.95) - 1] if lat else 0.0
    return rate, statistics.median(lat) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=4.0, help="per operation")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    args = parser.parse_args()
    print(f"emulator throughput: {args.clients} client processes, {args.seconds:g} s per "
          f"operation, cpus={os.cpu_count()}")
    header = (f"{'objects':>8} {'operation':<10} {'req/s':>8} {'x base':>7} {'p50 ms':>8} "
              f"{'p95 ms':>8}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="emu-bench-") as tmp:
            db = Path(tmp) / "bench.db"
            started = time.perf_counter()
            uuids = bulk_load(db, size)
            load_s = time.perf_counter() - started
            proc, url = serve(db)
            try:
                print(f"\n{size:,} pools bulk-loaded in {load_s:.1f} s")
                print(header)
                base = 0.0
                for op in OPS:
                    rate, p50, p95 = measure(url, op, uuids, size, args.seconds, args.clients)
                    base = base or rate
                    print(f"{size:>8,} {op:<10} {rate:>8.0f} {rate / base:>7.2f} "
                          f"{p50:>8.1f} {p95:>8.1f}")
                rate, p50, p95 = measure(url, "page200", uuids, size, args.seconds, 1)
                print(f"single client, page of 200 of {size:,}: p50 {p50:.1f} ms, "
                      f"p95 {p95:.1f} ms (target < 50 ms)")
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
