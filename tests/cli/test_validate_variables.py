"""``validate`` checks a configuration for every possible input, as ``terraform validate``
does: a variable without a default and without a value is unknown there, not an error
(``plan`` and ``apply`` still demand it). Real ``terraform validate`` is the oracle."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

VARIABLES = """
variable "name" {}
variable "n" { type = number }
variable "flag" {
  type = bool
  validation {
    condition     = var.flag != null
    error_message = "flag must be set."
  }
}
locals {
  label = "${upper(var.name)}-${var.n + 1}"
}
output "label" { value = var.flag ? local.label : "off" }
"""

BROKEN = VARIABLES + 'output "bad" { value = local.nope }\n'

RESOURCES = VARIABLES + """
variable "pools" { type = set(string) }
resource "avi_healthmonitor" "hm" {
  count = var.n
  name  = "${local.label}-${count.index}"
  type  = var.flag ? "HEALTH_MONITOR_HTTP" : "HEALTH_MONITOR_TCP"
}
resource "avi_pool" "p" {
  for_each = var.pools
  name     = "pool-${each.key}"
}
"""


def _terraform_validate(work: Path) -> int:
    terraform = shutil.which("terraform")
    assert terraform is not None
    return subprocess.run([terraform, "validate", "-no-color"], cwd=work,
                          capture_output=True, text=True, timeout=120).returncode


@pytest.mark.terraform
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
@pytest.mark.parametrize("text,valid", [(VARIABLES, True), (BROKEN, False)],
                         ids=["unset-variables", "unset-variables-and-a-real-error"])
def test_validate_agrees_with_terraform_on_unset_variables(albform: Any, tmp_path: Path,
                                                           text: str, valid: bool) -> None:
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(text)
    assert _terraform_validate(work) == (0 if valid else 1)
    result = albform("-chdir=" + str(work), "validate", "-no-color")
    assert result.code == (0 if valid else 1), result.out + result.err
    assert "No value for required variable" not in result.out + result.err


def test_validate_checks_counted_resources_of_unknown_size(albform: Any,
                                                           tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(RESOURCES)
    result = albform("validate", "-no-color")
    assert result.code == 0, result.out + result.err
    assert "Success! The configuration is valid." in result.out
    # A real mistake in a counted block of unknown size is still found.
    (tmp_path / "main.tf").write_text(RESOURCES.replace('name  = "${local.label}',
                                                        'nmae  = "${local.label}'))
    result = albform("validate", "-no-color")
    assert result.code == 1 and "Unsupported argument" in result.err, result.out + result.err


def test_plan_still_demands_variables_without_default(albform: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(VARIABLES)
    result = albform("plan", "-no-color")
    assert result.code == 1
    assert "No value for required variable" in result.err
    assert albform("validate", "-var", "n=not-a-number").code == 1
