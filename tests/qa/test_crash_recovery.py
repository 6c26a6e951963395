"""A real ``albform apply`` killed mid-create (SIGKILL), terminated (SIGTERM, once and twice)
against a real ``albform emulator --db`` process: the next apply converges, ``plan
-detailed-exitcode`` exits 0, and the controller holds exactly the state's objects — no orphan,
no duplicate. The intents the killed apply journaled are what makes this hold."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from albform.provider.client import AviClient, ClientConfig

PASSWORD = "Qa-crash-pw!"
CHAINS = 20  # health monitor -> pool -> vsvip -> virtual service: 80 objects
TYPES = {"avi_healthmonitor": "healthmonitor", "avi_pool": "pool", "avi_vsvip": "vsvip",
         "avi_virtualservice": "virtualservice"}


@pytest.fixture(scope="module")
def controller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("controller") / "emulator.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "albform", "emulator", "--http", "--db", str(db),
         "--password", PASSWORD, "--faults", json.dumps({"latency_ms": 40})],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "ready at " in line, line
    yield line.split("ready at ")[1].split()[0]
    proc.terminate()
    proc.wait(timeout=30)


def chains(prefix: str) -> str:
    out = []
    for i in range(CHAINS):
        out.append(f"""
resource "avi_healthmonitor" "hm{i}" {{
  name = "{prefix}-hm-{i}"
  type = "HEALTH_MONITOR_HTTP"
}}
resource "avi_pool" "p{i}" {{
  name                = "{prefix}-pool-{i}"
  health_monitor_refs = [avi_healthmonitor.hm{i}.id]
}}
resource "avi_vsvip" "vip{i}" {{
  name = "{prefix}-vip-{i}"
  vip {{
    vip_id = "0"
    ip_address {{
      addr = "10.77.{i // 200}.{i % 200 + 1}"
      type = "V4"
    }}
  }}
}}
resource "avi_virtualservice" "vs{i}" {{
  name      = "{prefix}-vs-{i}"
  pool_ref  = avi_pool.p{i}.id
  vsvip_ref = avi_vsvip.vip{i}.id
  services {{
    port = 80
  }}
}}
""")
    return "".join(out)


class Workdir:
    def __init__(self, path: Path, url: str, prefix: str) -> None:
        self.path, self.url, self.prefix = path, url, prefix
        path.mkdir()
        (path / "main.tf").write_text(chains(prefix))
        self.env = {**os.environ, "AVI_CONTROLLER": url, "AVI_USERNAME": "admin",
                    "AVI_PASSWORD": PASSWORD}

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "albform", *args, "-no-color"],
                                cwd=self.path, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def run(self, *args: str) -> tuple[int, str]:
        proc = self.start(*args)
        out, _ = proc.communicate(timeout=300)
        assert "Traceback" not in out, out
        return proc.returncode, out

    def converges(self) -> None:
        """Re-apply succeeds, a plan finds nothing to do, and no object is orphaned."""
        code, out = self.run("apply", "-auto-approve")
        assert code == 0, out
        code, out = self.run("plan", "-detailed-exitcode")
        assert code == 0, out
        state = json.loads((self.path / "terraform.tfstate").read_text())
        in_state = sorted(i["attributes"]["uuid"] for r in state["resources"]
                          for i in r["instances"])
        assert sorted(self.on_controller()) == in_state  # no orphan, no duplicate
        assert len(in_state) == 4 * CHAINS
        assert not (self.path / ".terraform.tfstate.journal").exists()

    def on_controller(self) -> list[str]:
        config = ClientConfig(controller=self.url, password=PASSWORD, api_version="30.2.1")
        with AviClient.connect(config) as client:
            return [o["uuid"] for t in TYPES.values() for o in client.list_objects(t)
                    if str(o.get("name", "")).startswith(f"{self.prefix}-")]


def stop_after_creations(proc: subprocess.Popen[str], count: int, *signals: int) -> str:
    """Read progress until ``count`` creations completed, then send ``signals`` (each after
    albform acknowledged the previous one) and return everything albform printed."""
    assert proc.stdout is not None
    seen: list[str] = []
    done = 0
    for line in proc.stdout:
        seen.append(line)
        done += "Creation complete" in line
        if done >= count:
            break
    for n, sig in enumerate(signals):
        proc.send_signal(sig)
        if n + 1 < len(signals):
            for line in proc.stdout:
                seen.append(line)
                if "Gracefully shutting down" in line:
                    break
    rest, _ = proc.communicate(timeout=120)
    return "".join(seen) + rest


@pytest.mark.parametrize("parallelism", [1, 10])
def test_kill_9_mid_create_then_reapply_converges_without_orphans(
        tmp_path: Path, controller: str, parallelism: int) -> None:
    work = Workdir(tmp_path / "w", controller, f"k9p{parallelism}")
    proc = work.start("apply", "-auto-approve", f"-parallelism={parallelism}")
    out = stop_after_creations(proc, 12, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL, out
    journal = work.path / ".terraform.tfstate.journal"
    assert journal.exists()  # the intents of the writes the killed apply made
    created = len(work.on_controller())
    state_file = work.path / "terraform.tfstate"
    recorded = 0
    if state_file.exists():
        recorded = sum(len(r["instances"])
                       for r in json.loads(state_file.read_text())["resources"])
    assert created >= 12 and recorded <= created

    assert (work.path / ".terraform.tfstate.lock.info").exists()  # the killed run's record
    code, out = work.run("plan")
    assert code == 0, out
    assert "was left by a run that never released it" in out  # explained, then replaced
    if created > recorded:  # orphans to be: the plan shows them adopted
        assert "was created by the interrupted apply: adopted into the state" in out, out
    work.converges()


def test_sigterm_stops_gracefully_and_the_next_apply_converges(tmp_path: Path,
                                                               controller: str) -> None:
    work = Workdir(tmp_path / "w", controller, "term1")
    proc = work.start("apply", "-auto-approve", "-parallelism=10")
    out = stop_after_creations(proc, 8, signal.SIGTERM)
    assert proc.returncode == 1, out
    assert "Termination signal (SIGTERM) received." in out
    assert "Apply interrupted" in out and "Apply complete!" not in out
    assert "Traceback" not in out
    # In-flight writes finished and were saved: nothing is left to reconcile.
    state = json.loads((work.path / "terraform.tfstate").read_text())
    recorded = sum(len(r["instances"]) for r in state["resources"])
    assert recorded == len(work.on_controller()) < 4 * CHAINS
    assert not (work.path / ".terraform.tfstate.journal").exists()
    work.converges()


def test_second_sigterm_aborts_with_the_journal_intact(tmp_path: Path,
                                                       controller: str) -> None:
    work = Workdir(tmp_path / "w", controller, "term2")
    proc = work.start("apply", "-auto-approve", "-parallelism=10")
    out = stop_after_creations(proc, 8, signal.SIGTERM, signal.SIGTERM)
    assert proc.returncode == 1, out
    assert "Two interrupts received. Exiting immediately." in out
    assert "Traceback" not in out
    work.converges()
