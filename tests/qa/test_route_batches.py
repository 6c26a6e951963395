"""Static routes as a cluster's nodes make them, applied by the real ``albform apply`` against
a real ``albform emulator --db`` process: parallel route creates are written to the shared
``global`` VRF in batches (``provider/resources/parent_edit.py``), and that must change
nothing a user sees. One apply leaves every route in the VRF exactly once beside a foreign
one, and an apply killed (SIGKILL) in the middle of its batches converges on the next apply:
no route lost, none duplicated, the foreign route untouched, and the plan after it empty.

The emulator process and work directory come from ``benchmarks/crash_harness.py``."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from albform.provider.client import AviClient, ClientConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import crash_harness as harness

ROUTES = 60
FOREIGN = {"route_id": "manual-1", "next_hop": {"addr": "192.168.1.2", "type": "V4"},
           "prefix": {"ip_addr": {"addr": "10.2.0.0", "type": "V4"}, "mask": 16}}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    emu = harness.Emulator(tmp_path_factory.mktemp("controller") / "emulator.db")
    emu.faults({"latency_ms": 30})  # slow enough that the kill lands between batches
    yield emu
    emu.stop()


def vrf_routes(emu: Any, replace: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The global VRF's routes (after putting ``replace`` there, when given)."""
    config = ClientConfig(controller=emu.url, password=harness.PASSWORD, api_version="30.2.1")
    with AviClient.connect(config) as client:
        vrf = client.list_objects("vrfcontext", {"name": "global"})[0]
        if replace is not None:
            vrf = client.replace_object("vrfcontext", vrf["uuid"],
                                        {**vrf, "static_routes": replace})
        return list(vrf.get("static_routes") or [])


def routes_config(cluster: str) -> str:
    """One ``avi_vrfcontext_static_route`` per node, as the Kubernetes translator writes
    them (modules/k8s/DECISIONS.md)."""
    return json.dumps({"resource": {"avi_vrfcontext_static_route": {
        f"node{i}": {
            "vrf_name": "global", "cloud_ref": "/api/cloud?name=Default-Cloud",
            "route_id": f"{cluster}-node{i}-0",
            "prefix": [{"ip_addr": [{"addr": f"10.244.{i}.0", "type": "V4"}], "mask": 24}],
            "next_hop": [{"addr": f"172.16.0.{i + 1}", "type": "V4"}],
            "labels": [{"key": "clustername", "value": cluster}]}
        for i in range(ROUTES)}}})


def workdir(tmp_path: Path, emu: Any, cluster: str) -> Any:
    work = harness.Workdir(tmp_path / "w", emu.url)
    (work.path / "main.tf.json").write_text(routes_config(cluster))
    vrf_routes(emu, replace=[FOREIGN])
    return work


def assert_routes_once(emu: Any, cluster: str) -> None:
    routes = vrf_routes(emu)
    ours = [r for r in routes if r.get("labels") == [{"key": "clustername", "value": cluster}]]
    prefixes = sorted(r["prefix"]["ip_addr"]["addr"] for r in ours)
    assert prefixes == sorted(f"10.244.{i}.0" for i in range(ROUTES))  # each exactly once
    hops = {r["prefix"]["ip_addr"]["addr"]: r["next_hop"]["addr"] for r in ours}
    assert all(hops[f"10.244.{i}.0"] == f"172.16.0.{i + 1}" for i in range(ROUTES))
    assert [r for r in routes if r["route_id"] == "manual-1"] == [FOREIGN]
    assert len(routes) == ROUTES + 1


def test_one_parallel_apply_writes_every_route_once(tmp_path: Path, emulator: Any) -> None:
    work = workdir(tmp_path, emulator, "once")
    code, out = work.run("apply", "-auto-approve", "-parallelism=10")
    assert code == 0 and f"{ROUTES} added" in out, out
    assert_routes_once(emulator, "once")
    code, out = work.run("plan", "-detailed-exitcode")
    assert code == 0, out
    code, out = work.run("destroy", "-auto-approve")
    assert code == 0, out
    assert vrf_routes(emulator) == [FOREIGN]


def test_an_apply_killed_between_batches_converges(tmp_path: Path, emulator: Any) -> None:
    work = workdir(tmp_path, emulator, "killed")
    proc = work.start("apply", "-auto-approve", "-parallelism=10")
    out, sent = harness.interrupt(proc, 15, signal.SIGKILL)
    assert sent and proc.returncode == -signal.SIGKILL, out
    assert (work.path / ".terraform.tfstate.journal").exists()  # the killed apply's intents
    written = len(vrf_routes(emulator)) - 1
    assert 15 <= written < ROUTES

    code, out = work.run("apply", "-auto-approve")
    assert code == 0 and "Traceback" not in out, out
    assert_routes_once(emulator, "killed")
    code, out = work.run("plan", "-detailed-exitcode")
    assert code == 0, out
    uuids, why = work.state_uuids()
    assert uuids is not None, why
    assert not (work.path / ".terraform.tfstate.journal").exists()
    code, out = work.run("destroy", "-auto-approve")
    assert code == 0, out
    assert vrf_routes(emulator) == [FOREIGN]
