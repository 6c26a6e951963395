"""The ``configuration`` section of a plan whose resources come from instances only (the
cluster translator, the ``albform/ako`` module): a keyed block is described as Terraform
describes the written module's ``for_each`` over data, checked against real Terraform."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.render.json_config import render_configuration
from albform.engine.schema import AttributeSchema, ResourceSchema

TERRAFORM = shutil.which("terraform")

POOL = ResourceSchema("avi_pool", {
    "name": AttributeSchema("name"),
    "lb_algorithm": AttributeSchema("lb_algorithm"),
    "servers": AttributeSchema("servers", type="list", fields={
        "ip": AttributeSchema("ip")}),
}, id_attribute="uuid")


def _pool(key: str | None, name: str, **more: Any) -> ResourceConfig:
    return ResourceConfig(ResourceAddress("avi_pool", "ako", key), {"name": name, **more})


def _resources(config: Configuration) -> list[dict[str, Any]]:
    doc = render_configuration(config, {"avi_pool": POOL})
    return list(doc["root_module"]["resources"])


def test_keyed_block_claims_no_single_instance_constant() -> None:
    [pool] = _resources(Configuration(resources=(
        _pool("a", "pool-a", lb_algorithm="LB_ALGORITHM_ROUND_ROBIN",
              servers=[{"ip": "10.0.0.1"}]),
        _pool("b", "pool-b"))))
    assert pool["address"] == "avi_pool.ako"
    assert pool["for_each_expression"] == {"references": [
        "local.albform.resources.avi_pool.ako", "local.albform.resources.avi_pool",
        "local.albform.resources", "local.albform"]}
    # Every argument any instance sets, read from each.value; nested blocks (dynamic in
    # the written module) left out, as Terraform leaves them out.
    assert pool["expressions"] == {
        "lb_algorithm": {"references": ["each.value.lb_algorithm", "each.value"]},
        "name": {"references": ["each.value.name", "each.value"]}}
    assert "pool-a" not in json.dumps(pool)


def test_unkeyed_block_keeps_its_constants() -> None:
    [pool] = _resources(Configuration(resources=(_pool(None, "web"),)))
    assert pool["expressions"] == {"name": {"constant_value": "web"}}
    assert "for_each_expression" not in pool


def test_one_entry_per_block_of_each_module_call() -> None:
    inside = (ModuleStep("cluster"),)
    config = Configuration(resources=tuple(
        ResourceConfig(ResourceAddress("avi_pool", name, key, module=inside), {"name": key})
        for name in ("ako", "ako_tier1") for key in ("a", "b")))
    root = render_configuration(config, {"avi_pool": POOL})["root_module"]
    module = root["module_calls"]["cluster"]["module"]
    assert [r["address"] for r in module["resources"]] == ["avi_pool.ako",
                                                            "avi_pool.ako_tier1"]


# -- against real Terraform --------------------------------------------------------------

MODULE = """
locals {
  albform = jsondecode(file("${path.module}/objects.json"))
}
resource "terraform_data" "ako" {
  for_each         = local.albform.resources.terraform_data.ako
  input            = each.value.input
  triggers_replace = each.value.triggers_replace
}
"""
OBJECTS = {"a": {"input": "x", "triggers_replace": "1"},
           "b": {"input": "y", "triggers_replace": "1"}}


def _terraform_configuration(workdir: Path) -> dict[str, Any]:
    (workdir / "mod").mkdir()
    (workdir / "mod" / "main.tf").write_text(MODULE)
    (workdir / "mod" / "objects.json").write_text(json.dumps(
        {"resources": {"terraform_data": {"ako": OBJECTS}}}))
    (workdir / "main.tf").write_text('module "cluster" {\n  source = "./mod"\n}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"}
    for args in (["init", "-input=false"], ["plan", "-input=false", "-out=tfplan"]):
        subprocess.run([TERRAFORM or "terraform", *args], cwd=workdir, env=env, check=True,
                       capture_output=True, timeout=120)
    shown = subprocess.run([TERRAFORM or "terraform", "show", "-json", "tfplan"],
                           cwd=workdir, env=env, check=True, capture_output=True,
                           timeout=120, text=True)
    return dict(json.loads(shown.stdout)["configuration"])


@pytest.mark.terraform
def test_for_each_block_is_described_as_terraform_describes_the_module(
        tmp_path: Path) -> None:
    if TERRAFORM is None:
        pytest.skip("terraform is not on PATH")
    theirs = _terraform_configuration(tmp_path)
    inside = (ModuleStep("cluster"),)
    config = Configuration(resources=tuple(
        ResourceConfig(ResourceAddress("terraform_data", "ako", k, module=inside), v)
        for k, v in OBJECTS.items()))
    ours = render_configuration(config, {})
    [want] = theirs["root_module"]["module_calls"]["cluster"]["module"]["resources"]
    [got] = ours["root_module"]["module_calls"]["cluster"]["module"]["resources"]
    # The provider is albform's (avi) where Terraform's is built in; all else is equal.
    assert {k: v for k, v in got.items() if k != "provider_config_key"} == \
        {k: v for k, v in want.items() if k != "provider_config_key"}
    assert list(got) == list(want)
