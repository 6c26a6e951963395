"""Reliability harness (issue 15): kill albform mid-apply, again and again, and check that the
next apply always converges with the controller holding exactly the state's objects.

A standalone ``albform emulator --http --db`` runs on 127.0.0.1. The configuration has
``--objects`` objects (chains health monitor -> pool -> VsVip -> virtual service). The first
trial creates it all; every later trial retires a rotating quarter of the chains and creates a
new generation of them (new addresses and names: deletes and creates in one apply of the
whole configuration). Each trial runs ``albform apply`` at parallelism 1 or 10 (alternating),
sends SIGKILL (3 trials in 4) or SIGTERM once a random share of the changes completed (or at a
random moment of its first minute, whichever comes first), then
re-applies once, runs ``plan -detailed-exitcode`` (must exit 0) and compares the state with
the controller. Trials cycle through fault modes set on the emulator for the killed apply:

* ``none``;
* ``faults``: 10 % of API calls answer 500/503/429 (``Retry-After: 1``), 2 % expire the session,
  2 % of writes are performed and answered only after the client's 2 s timeout (the re-apply
  runs under the same faults);
* ``burst``: 40 % errors during the killed apply, cleared before the re-apply.

Printed: trials (per parallelism, signal and mode), corrupt states, orphans (on the controller,
not in state), duplicates (two state entries for one object, or two objects of one name),
non-converged (re-apply failed or the plan still had changes) — all must be 0 — and the
journal's cost: the same full create of ``--objects`` objects timed from the first "Creating"
to "Apply complete" with and without the journal (``ALBFORM_BENCHMARK_WITHOUT_JOURNAL``,
an internal switch for this harness only), alternating, in the same run; ratio of medians.

Run: ``.venv/bin/python benchmarks/crash_harness.py`` (100 trials of 800 objects, about an
hour on a quiet 2-core machine) or ``--trials 6 --objects 200`` while developing.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from albform.engine.state.codec import StateFormatError, decode_state
from albform.provider.client import AviClient, ClientConfig

PASSWORD = "crash-harness-pw"
TYPES = {"avi_healthmonitor": "healthmonitor", "avi_pool": "pool", "avi_vsvip": "vsvip",
         "avi_virtualservice": "virtualservice"}
MODES = {
    "none": {},
    "faults": {"error_rate": 0.10, "error_statuses": [500, 503, 429], "retry_after": 1,
               "session_expiry_rate": 0.02, "slow_write_rate": 0.02, "slow_write_seconds": 3},
    "burst": {"error_rate": 0.40, "error_statuses": [500, 503, 429], "retry_after": 1},
}
DONE_WORDS = ("Creation complete", "Destruction complete", "Modifications complete")


# -- the configuration ------------------------------------------------------------------------

def chain(slot: int, gen: int, prefix: str) -> str:
    a, n = f"s{slot}g{gen}", f"{prefix}-s{slot}-g{gen}"
    return f"""
resource "avi_healthmonitor" "hm_{a}" {{
  name = "{n}-hm"
  type = "HEALTH_MONITOR_HTTP"
}}
resource "avi_pool" "p_{a}" {{
  name                = "{n}-pool"
  health_monitor_refs = [avi_healthmonitor.hm_{a}.id]
}}
resource "avi_vsvip" "vip_{a}" {{
  name = "{n}-vip"
  vip {{
    vip_id = "0"
    ip_address {{
      addr = "10.{60 + gen % 2}.{slot // 250}.{slot % 250 + 1}"
      type = "V4"
    }}
  }}
}}
resource "avi_virtualservice" "vs_{a}" {{
  name      = "{n}-vs"
  pool_ref  = avi_pool.p_{a}.id
  vsvip_ref = avi_vsvip.vip_{a}.id
  services {{
    port = 80
  }}
}}
"""


@dataclass
class Fleet:
    """The configuration over trials: one generation number per chain slot."""

    slots: int
    prefix: str
    gens: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.gens = [0] * self.slots

    def rotate(self, trial: int) -> int:
        """Retire a quarter of the chains (the next window): returns the changes planned."""
        window = max(1, self.slots // 4)
        start = (trial * window) % self.slots
        for s in range(start, min(start + window, self.slots)):
            self.gens[s] += 1
        return 8 * min(window, self.slots - start)  # 4 deletes + 4 creates per chain

    def text(self) -> str:
        return "".join(chain(s, g, self.prefix) for s, g in enumerate(self.gens))


# -- processes ----------------------------------------------------------------------------------

class Emulator:
    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "albform", "emulator", "--http", "--db", str(db),
             "--password", PASSWORD], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "ready at " not in line:
            raise SystemExit(f"emulator did not start: {line!r}")
        self.url = line.split("ready at ")[1].split()[0]

    def faults(self, settings: dict[str, object]) -> None:
        requests.put(f"{self.url}/emulator/faults", json={"seed": random.randrange(1 << 30),
                                                          **settings}, timeout=10)

    def objects(self, prefix: str) -> list[tuple[str, str, str]]:
        """(type, name, uuid) of every harness object on the controller."""
        config = ClientConfig(controller=self.url, password=PASSWORD, api_version="30.2.1")
        with AviClient.connect(config) as client:
            return [(t, str(o.get("name")), str(o["uuid"])) for t in TYPES.values()
                    for o in client.list_objects(t)
                    if str(o.get("name", "")).startswith(f"{prefix}-")]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Workdir:
    def __init__(self, path: Path, url: str) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "AVI_CONTROLLER": url, "AVI_USERNAME": "admin",
                    "AVI_PASSWORD": PASSWORD, "AVI_API_TIMEOUT": "2"}

    def write(self, text: str) -> None:
        (self.path / "main.tf").write_text(text)

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "albform", *args, "-no-color"],
                                cwd=self.path, env={**self.env, **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def run(self, *args: str) -> tuple[int, str]:
        proc = self.start(*args)
        out, _ = proc.communicate(timeout=1800)
        return proc.returncode, out

    def state_uuids(self) -> tuple[list[str] | None, str]:
        """The uuids the state records, or None with the reason when it is corrupt."""
        path = self.path / "terraform.tfstate"
        if not path.exists():
            return [], ""
        try:
            state = decode_state(path.read_bytes())
        except (StateFormatError, ValueError) as exc:
            return None, str(exc)
        return [str(r.attributes.get("uuid")) for r in (*state.resources, *state.deposed)], ""


def interrupt(proc: subprocess.Popen[str], after: int, sig: int,
              within: float | None = None) -> tuple[str, bool]:
    """Send ``sig`` once ``after`` changes completed, or ``within`` seconds passed (an
    apply slowed down by faults); returns the output and whether the signal was sent before
    the apply ended by itself."""
    assert proc.stdout is not None
    seen: list[str] = []
    sent = threading.Event()

    def on_time() -> None:
        if proc.poll() is None and not sent.is_set():
            sent.set()
            proc.send_signal(sig)

    timer = threading.Timer(within, on_time) if within is not None else None
    if timer is not None:
        timer.start()
    done = 0
    for line in proc.stdout:
        seen.append(line)
        done += any(w in line for w in DONE_WORDS)
        if done >= after:
            on_time()
            break
    rest, _ = proc.communicate(timeout=1800)
    if timer is not None:
        timer.cancel()
    return "".join(seen) + rest, sent.is_set()


# -- trials -------------------------------------------------------------------------------------

@dataclass
class Tally:
    trials: Counter[str] = field(default_factory=Counter)
    corrupt: int = 0
    orphans: int = 0
    duplicates: int = 0
    non_converged: int = 0
    not_interrupted: int = 0
    adopted: int = 0
    problems: list[str] = field(default_factory=list)


def run_trial(n: int, fleet: Fleet, work: Workdir, emu: Emulator, tally: Tally,
              rng: random.Random) -> None:
    parallelism = (1, 10)[n % 2]
    sig = signal.SIGTERM if rng.random() < 0.25 else signal.SIGKILL
    mode = list(MODES)[(n // 2) % len(MODES)]
    changes = 4 * fleet.slots if n == 0 else fleet.rotate(n)
    work.write(fleet.text())
    emu.faults(MODES[mode])
    proc = work.start("apply", "-auto-approve", f"-parallelism={parallelism}")
    # At a random share of the changes, or a random moment of the first minute when faults
    # slow the apply down (the burst at parallelism 1 would take many minutes).
    _, sent = interrupt(proc, rng.randint(1, max(1, changes - 1)), sig,
                        within=rng.uniform(3, 60))
    key = f"p{parallelism} {signal.Signals(sig).name} {mode}"
    tally.trials[key] += 1
    tally.not_interrupted += not sent
    uuids, why = work.state_uuids()
    if uuids is None:
        tally.corrupt += 1
        tally.problems.append(f"trial {n}: state corrupt after the kill: {why}")
    if mode != "faults":
        emu.faults({})
    code, out = work.run("apply", "-auto-approve", "-parallelism=10")
    tally.adopted += out.count("adopted into the state")
    emu.faults({})
    plan_code, plan_out = work.run("plan", "-detailed-exitcode")
    if code != 0 or plan_code != 0:
        tally.non_converged += 1
        tail = (out if code else plan_out).strip().splitlines()[-6:]
        tally.problems.append(f"trial {n} ({key}): apply exit {code}, plan exit {plan_code}: "
                              + " | ".join(tail))
    check_controller(n, work, emu, fleet.prefix, tally)


def check_controller(n: int, work: Workdir, emu: Emulator, prefix: str, tally: Tally) -> None:
    uuids, why = work.state_uuids()
    if uuids is None:
        tally.corrupt += 1
        tally.problems.append(f"trial {n}: state corrupt after the re-apply: {why}")
        return
    objects = emu.objects(prefix)
    on_controller = {u for _, _, u in objects}
    orphans = on_controller - set(uuids)
    duplicates = (len(uuids) - len(set(uuids))) + (
        len(objects) - len({(t, name) for t, name, _ in objects}))
    tally.orphans += len(orphans)
    tally.duplicates += duplicates
    if orphans or duplicates:
        tally.problems.append(f"trial {n}: {len(orphans)} orphan(s) {sorted(orphans)[:3]}, "
                              f"{duplicates} duplicate(s)")


# -- the journal's cost -------------------------------------------------------------------------

def timed_apply(work: Workdir, *, journal: bool) -> float:
    """Seconds from the first "Creating..." to "Apply complete!" of a full create."""
    env = {} if journal else {"ALBFORM_BENCHMARK_WITHOUT_JOURNAL": "1"}
    proc = work.start("apply", "-auto-approve", "-parallelism=10", env=env)
    assert proc.stdout is not None
    first = end = None
    for line in proc.stdout:
        now = time.perf_counter()
        if first is None and "Creating..." in line:
            first = now
        if "Apply complete!" in line:
            end = now
    proc.wait()
    if proc.returncode != 0 or first is None or end is None:
        raise SystemExit(f"the timed apply failed (exit {proc.returncode})")
    return end - first


def journal_cost(root: Path, emu: Emulator, slots: int, pairs: int) -> tuple[float, float]:
    with_j: list[float] = []
    without: list[float] = []
    for i in range(pairs):
        for journal in (True, False) if i % 2 == 0 else (False, True):
            work = Workdir(root / f"cost-{i}-{journal}", emu.url)
            work.write("".join(chain(s, 0, f"cost{i}{'j' if journal else 'n'}")
                               for s in range(slots)).replace("10.60.", "10.62."))
            (with_j if journal else without).append(timed_apply(work, journal=journal))
    return statistics.median(with_j), statistics.median(without)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--objects", type=int, default=800, help="multiple of 4")
    parser.add_argument("--cost-pairs", type=int, default=2,
                        help="full creates with and without the journal, alternating")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="start no trial after this long (the figures say so)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    random.seed(args.seed)
    root = Path(tempfile.mkdtemp(prefix="albform-crash-"))
    emu = Emulator(root / "emulator.db")
    slots = max(1, args.objects // 4)
    fleet = Fleet(slots, "crash")
    work = Workdir(root / "trials", emu.url)
    tally = Tally()
    started = time.perf_counter()
    deadline = None if args.max_minutes is None else started + 60 * args.max_minutes
    try:
        # The journal's cost first: on a fresh, small controller, before the trials load it.
        with_j, without = journal_cost(root, emu, slots, args.cost_pairs)
        print(f"journal cost measured ({time.perf_counter() - started:.0f} s)", flush=True)
        for n in range(args.trials):
            if deadline is not None and time.perf_counter() > deadline:
                break
            run_trial(n, fleet, work, emu, tally, rng)
            print(f"trial {n + 1}/{args.trials}: {sum(tally.trials.values())} run, "
                  f"orphans {tally.orphans}, non-converged {tally.non_converged} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        emu.stop()
    run = sum(tally.trials.values())
    print(f"\n{run} trials of {4 * slots} objects"
          + (f" (stopped by --max-minutes {args.max_minutes:g}; asked {args.trials})"
             if run < args.trials else "")
          + f", {time.perf_counter() - started:.0f} s"
          f" (work directory {root}{'' if args.keep else ', removed'})")
    for key, count in sorted(tally.trials.items()):
        print(f"  {key:<22} {count}")
    print(f"signal sent before the apply ended: {run - tally.not_interrupted} of {run}; "
          f"objects adopted by re-applies: {tally.adopted}")
    print(f"corrupt states:  {tally.corrupt}")
    print(f"orphans:         {tally.orphans}")
    print(f"duplicates:      {tally.duplicates}")
    print(f"non-converged:   {tally.non_converged}")
    print(f"journal cost: full create of {4 * slots} objects at parallelism 10, median of "
          f"{args.cost_pairs}: {with_j:.2f} s with / {without:.2f} s without = "
          f"{with_j / without:.3f}x")
    for problem in tally.problems[:20]:
        print("  !", problem)
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    failed = tally.corrupt + tally.orphans + tally.duplicates + tally.non_converged
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
