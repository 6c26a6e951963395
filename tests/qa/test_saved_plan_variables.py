"""``-var`` values (often a controller password) never reach a saved plan file; ``apply
PLANFILE`` takes them again from ``-var`` or ``TF_VAR_*`` and refuses a different value."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

SECRET = "Qa-Pl4n-secret!"
CONFIG = '''variable "pw" {
  type      = string
  sensitive = true
}
resource "avi_pool" "p" {
  name        = "qa-vars"
  description = length(var.pw) > 3 ? "long" : "short"
}
'''


def _plan(albform: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    planned = albform("plan", f"-var=pw={SECRET}", "-out=p.tfplan", "-no-color")
    assert planned.code == 0, planned.err
    with zipfile.ZipFile(tmp_path / "p.tfplan") as z:
        for name in z.namelist():
            assert SECRET.encode() not in z.read(name), name


def test_variable_values_are_not_in_the_plan_file(albform: Any, tmp_path: Path) -> None:
    _plan(albform, tmp_path)
    missing = albform("apply", "p.tfplan", "-no-color")
    assert missing.code == 1
    assert "TF_VAR_pw" in missing.err and SECRET not in missing.err
    wrong = albform("apply", "p.tfplan", "-no-color", env={"TF_VAR_pw": "other"})
    assert wrong.code == 1
    assert "differs" in wrong.err
    applied = albform("apply", "p.tfplan", "-no-color", env={"TF_VAR_pw": SECRET})
    assert applied.code == 0, applied.err
    assert "1 added" in applied.out


def test_apply_planfile_takes_var_flags(albform: Any, tmp_path: Path) -> None:
    _plan(albform, tmp_path)
    applied = albform("apply", f"-var=pw={SECRET}", "p.tfplan", "-no-color")
    assert applied.code == 0, applied.err
