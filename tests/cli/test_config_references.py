"""``show -json PLANFILE``'s ``configuration`` against real ``terraform show -json``.

One configuration template is written twice: for Terraform with ``terraform_data`` (``input``
/ ``triggers_replace``, id attribute ``id``) and for albform with ``avi_pool`` (``name`` /
``description``, id attribute ``uuid``). Both are planned and shown; after renaming
Terraform's type and attribute names, every resource's expressions (constants and
``references`` in Terraform's order and forms: var, local, each, count, resources with
keys, data sources, module outputs, splats, for expressions), ``count``/``for_each`` expressions,
``depends_on``, module calls, outputs (with their ``depends_on``) and variables must be
equal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

Runner = Any  # the ``albform`` fixture (tests/cli/conftest.py)

ROOT = '''
variable "name" {
  default     = "web"
  description = "the name"
}
variable "ports" {
  type    = list(number)
  default = [80, 443]
}
variable "obj" {
  default = { a = { b = "1" } }
}
variable "secret" {
  default   = "s3cr3t"
  sensitive = true
}
locals {
  prefix = "${var.name}-x"
  tags   = { a = "b" }
}
resource "TYPE" "hm" {
  A1 = "hm-${local.prefix}"
}
resource "TYPE" "pool" {
  count = 2
  A1 = join("-", ["${local.prefix}-${count.index}", TYPE.hm.ID, var.ports[count.index],
  upper(local.tags["a"]), "${var.obj.a.b}-${var.name}${var.name}"])
  A2    = "plain"
}
resource "TYPE" "vs" {
  for_each   = toset(["a", "b"])
  A1         = "${each.key}-${each.value}-${TYPE.pool[0].ID}-${module.m.out}"
  A2         = join(",", [for p in TYPE.pool : "${p.ID}${local.prefix}" if p != null])
  depends_on = [TYPE.hm, module.mc]
}
resource "TYPE" "splat" {
  for_each = var.ports == [] ? {} : { one = 1 }
  A1       = join(",", TYPE.pool[*].ID)
  A2       = var.obj[TYPE.hm.ID].b
}
DATA_BLOCK
resource "TYPE" "uses_data" {
  A1 = "${data.DTYPE.d.DATTR}"
}
resource "TYPE" "constant" {
  A1 = upper("x")
  A2 = 1 + 2
}
module "m" {
  source = "./m"
  name   = local.prefix
  other  = TYPE.hm.ID
}
module "mc" {
  source = "./m"
  count  = 2
  name   = "c${count.index}"
  other  = "x"
}
output "o1" {
  value = module.m.out
}
output "o2" {
  value = module.mc[0].out
}
output "o3" {
  value       = "${TYPE.vs["a"].ID}/${path.module}/${terraform.workspace}"
  description = "several"
}
output "o4" {
  value = 3
}
output "o5" {
  value     = var.secret
  sensitive = true
}
output "o6" {
  value      = "x"
  depends_on = [TYPE.hm, module.m]
}
'''
MODULE = '''
variable "name" {}
variable "other" {}
resource "TYPE" "inner" {
  A1 = "${var.name}/${var.other}"
}
output "out" {
  value = TYPE.inner.ID
}
'''
# The data sources differ in their arguments (Terraform's built-in one reads a state file).
TERRAFORM = {"TYPE": "terraform_data", "A1": "input", "A2": "triggers_replace", "ID": "id",
             "DTYPE": "terraform_remote_state", "DATTR": "outputs",
             "DATA_BLOCK": 'data "terraform_remote_state" "d" {\n  backend = "local"\n'
                           '  config  = { path = "remote.tfstate" }\n}'}
ALBFORM = {"TYPE": "avi_pool", "A1": "name", "A2": "description", "ID": "uuid",
           "DTYPE": "avi_cloud", "DATTR": "uuid",
           "DATA_BLOCK": 'data "avi_cloud" "d" {\n  name = "Default-Cloud"\n}'}
EMPTY_STATE = {"version": 4, "terraform_version": "1.11.4", "serial": 1,
               "lineage": "00000000-0000-4000-8000-000000000001", "outputs": {},
               "resources": []}


def _write(work: Path, names: dict[str, str]) -> Path:
    (work / "m").mkdir(parents=True)
    for path, text in ((work / "main.tf", ROOT), (work / "m" / "main.tf", MODULE)):
        path.write_text(re.sub(r"\b(TYPE|A1|A2|ID|DTYPE|DATTR|DATA_BLOCK)\b",
                               lambda m: names[m.group(1)], text))
    return work


def _renamed(value: Any) -> Any:
    """Terraform's document in albform's names (keys and reference strings alike)."""
    text = json.dumps(value)
    for tf, ours in (("terraform_data", "avi_pool"), ("triggers_replace", "description"),
                     ('"input"', '"name"'), (".id", ".uuid"),
                     ("terraform_remote_state", "avi_cloud"), (".outputs", ".uuid")):
        text = text.replace(tf, ours)
    return json.loads(text)


def _without_providers(module: dict[str, Any]) -> dict[str, Any]:
    """Without provider keys, and with the data sources' own arguments dropped (they are
    not the same arguments); their references are compared where they are used."""
    for resource in module.get("resources", []):
        resource.pop("provider_config_key")
        if resource["mode"] == "data":
            resource.pop("expressions")
    for call in module.get("module_calls", {}).values():
        _without_providers(call["module"])
    return module


@pytest.mark.terraform
def test_configuration_matches_terraform_show_json(albform: Runner, tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    tf_dir = _write(tmp_path / "tf", TERRAFORM)
    (tf_dir / "remote.tfstate").write_text(json.dumps(EMPTY_STATE))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    for args in (["init", "-input=false"], ["plan", "-input=false", "-out=tfplan"]):
        subprocess.run([terraform, *args], cwd=tf_dir, env=env, check=True,
                       capture_output=True)
    expected = json.loads(subprocess.run([terraform, "show", "-json", "tfplan"], cwd=tf_dir,
                                         env=env, check=True, capture_output=True,
                                         text=True).stdout)["configuration"]["root_module"]

    work = _write(tmp_path / "ours", ALBFORM)
    assert albform("plan", "-out=tfplan", cwd=work).code == 0
    shown = albform("show", "-json", "tfplan", cwd=work)
    assert shown.code == 0, shown.err
    ours = json.loads(shown.out)["configuration"]["root_module"]

    expected = _without_providers(_renamed(expected))
    # Deliberate difference: a sensitive variable's default is never written.
    assert expected["variables"]["secret"].pop("default") == "s3cr3t"
    assert _without_providers(ours) == expected
    uses = next(r for r in ours["resources"] if r["name"] == "uses_data")
    assert uses["expressions"]["name"]["references"] == ["data.avi_cloud.d.uuid",
                                                         "data.avi_cloud.d"]
    assert "s3cr3t" not in shown.out
