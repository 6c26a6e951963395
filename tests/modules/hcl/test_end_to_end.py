"""The reader through the real CLI against the embedded controller emulator: a configuration
using the shipped http-app module, a data source, count and an output applies, and a second
plan finds no changes (the reader's shapes round-trip through provider and state)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MAIN = """
variable "backends" {
  default = ["10.0.0.1", "10.0.0.2"]
}
data "avi_cloud" "default" {
  name = "Default-Cloud"
}
module "shop" {
  source    = "albform/http-app"
  name      = "shop"
  vip       = "10.10.10.100"
  servers   = var.backends
  port      = 8080
  cloud_ref = data.avi_cloud.default.id
}
resource "avi_healthmonitor" "hm" {
  count = 2
  name  = "hm-${count.index}"
  type  = "HEALTH_MONITOR_HTTP"
}
output "pool" {
  value = module.shop.pool_id
}
"""


def _albform(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVI_", "TF_VAR_"))}
    return subprocess.run([sys.executable, "-m", "albform", *args, "-no-color"], cwd=workdir,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_apply_then_plan_has_no_changes(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN)
    applied = _albform(tmp_path, "apply", "-auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    assert "Apply complete! Resources: 5 added" in applied.stdout
    planned = _albform(tmp_path, "plan", "-detailed-exitcode")
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    assert "No changes." in planned.stdout
