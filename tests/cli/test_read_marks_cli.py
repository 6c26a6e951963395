"""Read marks through the real CLI and the embedded emulator: ``apply`` records one per object
(in the state's ``private`` blobs, shown nowhere), a no-op ``plan`` stays a no-op, a change made
on the controller behind albform's back is still seen, ``state mv``/``pull``/``push`` keep
the marks, and a state without marks gains them by ``apply -refresh-only``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.private import MARK_KEY

CONFIG = """
resource "avi_healthmonitor" "hm" {
  name = "marks-hm"
  type = "HEALTH_MONITOR_TCP"
}
""" + "".join(f"""
resource "avi_pool" "p{i}" {{
  name                = "marks-pool-{i}"
  default_server_port = 80
  health_monitor_refs = [avi_healthmonitor.hm.id]
}}
""" for i in range(3))


def _marks(work: Path) -> dict[str, str | None]:
    state = decode_state((work / "terraform.tfstate").read_bytes())
    return {str(r.address): r.mark for r in state.resources}


def _applied(albform: Any, tmp_path: Path) -> tuple[Path, str]:
    """CONFIG applied in its own directory: the directory and its ``-chdir`` argument."""
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(CONFIG)
    chdir = "-chdir=" + str(work)
    assert albform(chdir, "apply", "-auto-approve").code == 0
    return work, chdir


def test_marks_are_kept_hidden_and_drift_is_still_seen(albform: Any, tmp_path: Path,
                                                       out_of_band_client: Any) -> None:
    work, chdir = _applied(albform, tmp_path)
    marks = _marks(work)
    assert len(marks) == 4 and all(marks.values()), marks

    noop = albform(chdir, "plan", "-detailed-exitcode", "-no-color")
    assert noop.code == 0, noop.out + noop.err
    shown = [albform(chdir, "show", "-no-color"), albform(chdir, "show", "-json"),
             albform(chdir, "state", "show", "avi_pool.p0"), noop]
    for out in shown:
        assert out.code == 0
        assert MARK_KEY not in out.out and all(m not in out.out for m in marks.values() if m)

    # Behind albform's back: a configured value changed on one pool, another pool deleted.
    with out_of_band_client(tmp_path / "emulator.db") as client:
        edited = client.get_by_name("pool", "marks-pool-1")
        assert edited is not None
        client.replace_object("pool", edited["uuid"], {**edited, "default_server_port": 81})
        gone = client.get_by_name("pool", "marks-pool-2")
        assert gone is not None
        client.delete_object("pool", gone["uuid"])

    drifted = albform(chdir, "plan", "-detailed-exitcode", "-no-color")
    assert drifted.code == 2, drifted.out + drifted.err
    assert "# avi_pool.p1 will be updated in-place" in drifted.out
    assert "~ default_server_port" in drifted.out and "81 -> 80" in drifted.out
    assert "# avi_pool.p2 will be created" in drifted.out
    assert "Plan: 1 to add, 1 to change, 0 to destroy." in drifted.out

    assert albform(chdir, "apply", "-auto-approve").code == 0
    after = _marks(work)
    assert after["avi_pool.p0"] == marks["avi_pool.p0"]  # untouched: same version
    assert after["avi_pool.p1"] != marks["avi_pool.p1"] and after["avi_pool.p1"]
    assert after["avi_pool.p2"] != marks["avi_pool.p2"] and after["avi_pool.p2"]

    # State commands keep them.
    assert albform(chdir, "state", "mv", "avi_pool.p0", "avi_pool.moved").code == 0
    moved = _marks(work)
    assert moved["avi_pool.moved"] == after["avi_pool.p0"]
    pulled = albform(chdir, "state", "pull")
    assert pulled.code == 0
    doc = json.loads(pulled.out)
    doc["serial"] += 1
    (tmp_path / "pushed.tfstate").write_text(json.dumps(doc))
    assert albform(chdir, "state", "push", str(tmp_path / "pushed.tfstate")).code == 0
    assert _marks(work) == moved

    # A hand edit pushed back: that object's mark goes (its attributes were not read), so
    # the next refresh reads it: the edit shows as changed outside albform and nothing is
    # planned for it, as Terraform's refresh would have it.
    (p1,) = [r for r in doc["resources"] if r["name"] == "p1"]
    attrs = p1["instances"][0]["attributes"]
    attrs["default_server_port"] = "8080" if isinstance(attrs["default_server_port"], str) \
        else 8080
    doc["serial"] += 1
    (tmp_path / "edited.tfstate").write_text(json.dumps(doc))
    assert albform(chdir, "state", "push", str(tmp_path / "edited.tfstate")).code == 0
    edited_marks = _marks(work)
    assert edited_marks["avi_pool.p1"] is None
    assert {a: m for a, m in edited_marks.items() if a != "avi_pool.p1"} == \
        {a: m for a, m in moved.items() if a != "avi_pool.p1"}
    replan = albform(chdir, "plan", "-no-color")  # p0 is still at avi_pool.moved
    assert replan.code == 0, replan.out + replan.err
    assert "avi_pool.p1: Refreshing state..." in replan.out
    assert "# avi_pool.p1 has changed" in replan.out and "8080 -> 80" in replan.out
    assert "# avi_pool.p1 will be" not in replan.out, replan.out


def test_a_state_without_marks_gains_them_by_a_refresh_only_apply(albform: Any,
                                                                   tmp_path: Path) -> None:
    work, chdir = _applied(albform, tmp_path)
    path = work / "terraform.tfstate"
    state = decode_state(path.read_bytes())  # as an albform without marks wrote it
    path.write_bytes(encode_state(state.with_resources(
        replace(r, mark=None) for r in state.resources)))
    for args in (("plan", "-detailed-exitcode"), ("plan", "-refresh-only",
                                                   "-detailed-exitcode")):
        planned = albform(chdir, *args, "-no-color")
        assert planned.code == 0, planned.out + planned.err  # marks are no change to show
    assert not any(_marks(work).values())
    refreshed = albform(chdir, "apply", "-refresh-only", "-auto-approve", "-no-color")
    assert refreshed.code == 0, refreshed.out + refreshed.err
    assert "found no differences" in refreshed.out and "Apply complete" not in refreshed.out
    assert all(_marks(work).values())
    assert decode_state(path.read_bytes()).serial == state.serial + 1
