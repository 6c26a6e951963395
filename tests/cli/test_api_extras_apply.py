"""An Avi API field the official provider lacks, configured under ALBFORM_API_EXTRAS: applied,
then planned again with no change and no drift, although the provider's state form has no
place for it (the plan compares the configuration with everything read; drift compares what
a state holds)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONFIG = """
resource "avi_pool" "p" {
  name = "extras-pool"
}

resource "avi_poolgroup" "pg" {
  name         = "extras-pg"
  enable_http2 = true
  members {
    pool_ref = avi_pool.p.id
  }
}
"""


def test_an_opted_in_api_field_plans_empty_after_apply(albform: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    refused = albform("plan", "-no-color")
    assert refused.code == 1 and "ALBFORM_API_EXTRAS=true" in refused.err
    env = {"ALBFORM_API_EXTRAS": "true"}
    applied = albform("apply", "-auto-approve", "-no-color", env=env)
    assert applied.code == 0, applied.out + applied.err
    state = json.loads((tmp_path / "terraform.tfstate").read_text())
    (pg,) = [r for r in state["resources"] if r["type"] == "avi_poolgroup"]
    assert "enable_http2" not in pg["instances"][0]["attributes"]
    replan = albform("plan", "-detailed-exitcode", "-no-color", env=env)
    assert replan.code == 0, replan.out + replan.err
    assert "No changes." in replan.out and "has changed" not in replan.out, replan.out
