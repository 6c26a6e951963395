"""One "has changes" rule (``Plan.has_changes``) for rendering, ``-detailed-exitcode`` and
apply (issue 13, defect 2): a plan whose only changes are ``moved`` blocks, or imports, has
changes (exit 2), and applying it saves them to the state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MONITOR = """
resource "avi_healthmonitor" "{name}" {{
  name = "hm-moved"
  type = "HEALTH_MONITOR_TCP"
}}
"""


def _write(work: Path, text: str) -> Path:
    work.mkdir(exist_ok=True)
    (work / "main.tf").write_text(text)
    return work


def test_moved_only_plan_exits_2_and_its_apply_saves_the_move(albform: Any,
                                                              tmp_path: Path) -> None:
    work = _write(tmp_path / "cfg", MONITOR.format(name="a"))
    first = albform("-chdir=" + str(work), "apply", "-auto-approve")
    assert first.code == 0, first.err
    _write(work, MONITOR.format(name="b")
           + "moved {\n  from = avi_healthmonitor.a\n  to   = avi_healthmonitor.b\n}\n")
    plan = albform("-chdir=" + str(work), "plan", "-detailed-exitcode")
    assert plan.code == 2, plan.out + plan.err
    assert "# avi_healthmonitor.a has moved to avi_healthmonitor.b" in plan.out
    applied = albform("-chdir=" + str(work), "apply", "-auto-approve")
    assert applied.code == 0, applied.err
    listed = albform("-chdir=" + str(work), "state", "list")
    assert listed.out.split() == ["avi_healthmonitor.b"]
    again = albform("-chdir=" + str(work), "plan", "-detailed-exitcode")
    assert again.code == 0, again.out + again.err


def test_import_only_plan_exits_2_and_is_applied(albform: Any, tmp_path: Path) -> None:
    work = _write(tmp_path / "cfg", 'resource "avi_tenant" "admin" {\n  name = "admin"\n}\n'
                  'import {\n  to = avi_tenant.admin\n  id = "admin"\n}\n')
    plan = albform("-chdir=" + str(work), "plan", "-detailed-exitcode")
    assert plan.code == 2, plan.out + plan.err
    assert "# avi_tenant.admin will be imported" in plan.out
    assert "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy." in plan.out
    applied = albform("-chdir=" + str(work), "apply", "-auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed." \
        in applied.out
    listed = albform("-chdir=" + str(work), "state", "list")
    assert listed.out.split() == ["avi_tenant.admin"]
