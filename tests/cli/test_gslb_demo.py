"""examples/gslb-demo end to end through the real CLI against an emulated GSLB leader: the
leader's sites from HCL, the sites' virtual services handed over, then one GslbService with two
members (70/30); a second plan is empty; 80/20 plans exactly one update; dropping west from
matchClusters removes exactly west's member; drift sees nothing, then west's VS down (the
leader's runtime); a saved plan applies; destroy from the state alone cleans up."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from albform.provider.emulator import RunningEmulator, start_emulator

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "gslb-demo"
PASSWORD = "gslb-demo-password"
GS = 'avi_gslbservice.amko["lb-demo.avi.example.com"]'
Runner = Any


@pytest.fixture
def leader() -> Iterator[RunningEmulator]:
    with start_emulator(password=PASSWORD, tls=False) as emu:
        yield emu


def _members(plan: dict[str, Any]) -> list[tuple[str, int]]:
    (change,) = [c for c in plan["resource_changes"] if c["address"] == GS]
    after = change["change"]["after"]
    return [(m["ip"][0]["addr"] if isinstance(m["ip"], list) else m["ip"]["addr"], m["ratio"])
            for g in after["groups"] for m in g["members"]]


def _actions(plan: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rc in plan["resource_changes"]:
        if rc["change"]["actions"] == ["no-op"]:
            continue
        out.setdefault("-".join(rc["change"]["actions"]), []).append(rc["address"])
    return out


def test_gslb_demo(albform: Runner, leader: RunningEmulator, plan_document: Any,
                   tmp_path: Path) -> None:
    env = {"AVI_CONTROLLER": leader.url, "AVI_USERNAME": "admin", "AVI_PASSWORD": PASSWORD}
    setup = albform("-chdir=" + str(DEMO / "leader"), "apply", "-auto-approve", "-no-color",
                    f"-state={tmp_path / 'leader.tfstate'}", env=env)
    assert setup.code == 0, setup.err

    _example_module("hand_over_sites").hand_over(leader.url, PASSWORD,
                                                 sorted((DEMO / "sites").glob("*.json")))

    members = ["--member", f"east={DEMO / 'east'}", "--member", f"west={DEMO / 'west'}",
               f"-state={tmp_path / 'gslb.tfstate'}", "-no-color"]
    config = str(DEMO / "amko" / "gslbconfig.yaml")

    def gslb(verb: str, gdp: Path, *args: str) -> Any:
        return albform("gslb", verb, *members, "--amko", config, "--amko", str(gdp), *args,
                       env=env)

    streamed = gslb("plan", DEMO / "amko" / "gdp.yaml", "-json").ui_lines()
    assert [line["type"] for line in streamed] == [
        "version", "planned_change", "planned_change", "change_summary"]

    def planned(gdp: Path) -> Any:
        planfile = tmp_path / f"{gdp.stem}.tfplan"
        return plan_document(gslb("plan", gdp, f"-out={planfile}"), planfile, env=env)

    plan = planned(DEMO / "amko" / "gdp.yaml")
    assert sorted(_actions(plan)) == ["create"] and len(_actions(plan)["create"]) == 2
    assert _members(plan) == [("172.19.0.100", 7), ("172.29.0.100", 3)]

    saved = gslb("plan", DEMO / "amko" / "gdp.yaml", f"-out={tmp_path / 'tfplan'}")
    assert saved.code == 0, saved.err
    applied = albform("gslb", "apply", str(tmp_path / "tfplan"), "-auto-approve",
                      f"-state={tmp_path / 'gslb.tfstate'}", env=env)
    assert applied.code == 0, applied.err
    again = gslb("plan", DEMO / "amko" / "gdp.yaml", "-detailed-exitcode")
    assert again.code == 0, again.out + again.err

    split = planned(DEMO / "variants" / "gdp-80-20.yaml")
    assert _actions(split) == {"update": [GS]}, split
    assert _members(split) == [("172.19.0.100", 8), ("172.29.0.100", 2)]

    east_only = planned(DEMO / "variants" / "gdp-east-only.yaml")
    assert _actions(east_only) == {"update": [GS]}, east_only
    assert _members(east_only) == [("172.19.0.100", 7)]

    drift = gslb("drift", DEMO / "amko" / "gdp.yaml")
    assert drift.code == 0, drift.out + drift.err

    # west's VS goes down on its site: configuration in sync, but the drift job says so.
    west_down = tmp_path / "west.json"
    doc = json.loads((DEMO / "sites" / "west.json").read_text())
    doc["virtualservices"][0]["oper_state"] = "OPER_DOWN"
    west_down.write_text(json.dumps(doc))
    _example_module("hand_over_sites").hand_over(leader.url, PASSWORD, [west_down])
    unhealthy = gslb("drift", DEMO / "amko" / "gdp.yaml", "-json")
    assert unhealthy.code == 2, unhealthy.out + unhealthy.err
    report = unhealthy.json()
    assert report["summary"]["changed"] == report["summary"]["missing"] == 0
    assert report["health"] == [
        f"{GS}: member 172.29.0.100 on site cluster-7c2e94a0-west (VS "
        "virtualservice-9a4b21c7-west) in group amko-gs-group-0 is OPER_DOWN"]

    runtime = json.loads(_get(leader, "/api/gslbservice?name=lb-demo.avi.example.com"))
    assert runtime["count"] == 1
    # The state says what to delete: no member clusters needed.
    destroyed = albform("gslb", "destroy", "-auto-approve", f"-state={tmp_path / 'gslb.tfstate'}",
                        env=env)
    assert destroyed.code == 0, destroyed.err
    assert "2 destroyed" in destroyed.out


def _example_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, DEMO / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _get(leader: RunningEmulator, path: str) -> str:
    import requests

    session = requests.Session()
    session.post(f"{leader.url}/login", json={"username": "admin", "password": PASSWORD},
                 timeout=10).raise_for_status()
    return session.get(f"{leader.url}{path}", timeout=10).text


@pytest.mark.slow
def test_run_script_passes(tmp_path: Path) -> None:
    """examples/gslb-demo/run is the walkthrough the README points at: it must pass whole
    (its own standalone emulator on a free loopback port)."""
    import os
    import socket
    import subprocess
    import sys

    albform_bin = Path(sys.executable).parent / "albform"
    if not albform_bin.exists():
        pytest.skip("no albform console script in the environment")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVI_")}
    proc = subprocess.run([str(DEMO / "run")], capture_output=True, text=True, timeout=300,
                          env={**env, "ALBFORM": str(albform_bin), "PYTHON": sys.executable,
                               "GSLB_DEMO_DIR": str(tmp_path), "GSLB_DEMO_PORT": str(port)})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.count("Plan: 0 to add, 1 to change, 0 to destroy.") == 2
    assert "No changes." in proc.stdout
