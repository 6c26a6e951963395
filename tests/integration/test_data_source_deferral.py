"""A data source that depends on an object with a change pending is read during apply, as
Terraform does (``read_because_dependency_pending``): the provider's own data-source
acceptance configurations look up by name the object they create in the same plan.
Checked end to end against the emulator, and the rule itself against the real terraform
binary with its built-in provider when it is on PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from albform.engine.apply import apply_plan
from albform.engine.changes import Action
from albform.engine.config import Configuration
from albform.engine.planning import build_plan
from albform.engine.render.json_plan import render_plan_json
from albform.engine.state.model import State
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration
from albform.provider.emulator.server import RunningEmulator
from albform.provider.factory import open_provider
from albform.provider.resources.provider import AviProvider

TENANT_AND_LOOKUP = """
resource "avi_tenant" "t" {
  name = "deferral-tenant"
}
data "avi_tenant" "by_reference" {
  name = avi_tenant.t.name
}
data "avi_tenant" "by_depends_on" {
  name       = "deferral-tenant"
  depends_on = [avi_tenant.t]
}
data "avi_tenant" "independent" {
  name = "admin"
}
resource "avi_tenant" "copy" {
  name        = "deferral-copy"
  description = data.avi_tenant.by_reference.uuid
}
"""


@pytest.fixture(scope="module")
def provider(emulator: RunningEmulator, emulator_password: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[AviProvider]:
    args = {"avi_controller": emulator.url, "avi_password": emulator_password}
    with open_provider(args, workdir=tmp_path_factory.mktemp("provider"), env={}) as p:
        yield p


def load(text: str, tmp_path: Path) -> Configuration:
    (tmp_path / "main.tf").write_text(text)
    config, diags = load_configuration(tmp_path, env={}, cache=ParseCache(None))
    assert not diags.has_errors(), [str(d) for d in diags]
    return config


def test_reads_wait_for_pending_objects_then_converge(provider: AviProvider,
                                                      tmp_path: Path) -> None:
    config = load(TENANT_AND_LOOKUP, tmp_path)
    plan, diags = build_plan(config, State(), provider)
    assert not diags.has_errors(), [str(d) for d in diags]
    by = {str(c.address): c for c in plan.changes}
    for name in ("by_reference", "by_depends_on"):
        change = by[f"data.avi_tenant.{name}"]
        assert change.action is Action.READ
        assert change.reason == "read_because_dependency_pending"
    # Nothing it depends on changes: read now, as before.
    assert by["data.avi_tenant.independent"].action is Action.NOOP
    assert by["data.avi_tenant.independent"].after["uuid"] == "admin"
    # The plan JSON says so the way terraform's does (compared in the oracle test below).
    schemas = {t: s for t in {c.address.type for c in plan.changes}
               if (s := provider.schema(t)) is not None}
    data_entries = {c["address"]: (c["change"]["actions"], c.get("action_reason"))
                    for c in render_plan_json(plan, schemas)["resource_changes"]
                    if c["mode"] == "data"}
    pending = (["read"], "read_because_dependency_pending")
    assert data_entries == {"data.avi_tenant.by_reference": pending,
                            "data.avi_tenant.by_depends_on": pending}
    # Values of a deferred read are unknown until apply.
    assert by["avi_tenant.copy"].action is Action.CREATE
    assert "description" in {".".join(map(str, p)) for p in by["avi_tenant.copy"].after_unknown}

    outcome = apply_plan(plan, provider, lambda _: None)
    assert not outcome.diagnostics.has_errors(), [str(d) for d in outcome.diagnostics]
    created = {str(r.address): r.attributes for r in outcome.state.resources}
    assert created["avi_tenant.copy"]["description"] == created["avi_tenant.t"]["uuid"]

    again, diags = build_plan(config, outcome.state, provider)
    assert not diags.has_errors(), [str(d) for d in diags]
    assert all(c.action is Action.NOOP for c in again.changes), \
        [(str(c.address), c.action) for c in again.changes if c.action is not Action.NOOP]
    read = {str(c.address): c.after for c in again.changes}
    assert read["data.avi_tenant.by_depends_on"]["uuid"] == created["avi_tenant.t"]["uuid"]


TERRAFORM_CONFIG = """
resource "terraform_data" "a" {
  input = "state.json"
}
data "terraform_remote_state" "by_reference" {
  backend = "local"
  config  = { path = terraform_data.a.input }
}
data "terraform_remote_state" "by_depends_on" {
  backend    = "local"
  config     = { path = "state.json" }
  depends_on = [terraform_data.a]
}
data "terraform_remote_state" "independent" {
  backend = "local"
  config  = { path = "state.json" }
}
"""


def test_terraform_defers_the_same_reads(tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("the terraform binary (oracle) is not on PATH")
    (tmp_path / "main.tf").write_text(TERRAFORM_CONFIG)
    (tmp_path / "state.json").write_text(json.dumps(
        {"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "x",
         "outputs": {}, "resources": []}))
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
           "TF_CLI_CONFIG_FILE": os.devnull}
    run = {"cwd": tmp_path, "env": env, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run([terraform, "init", "-input=false", "-backend=false"], check=True, **run)
    subprocess.run([terraform, "plan", "-input=false", "-out=plan.bin"], check=True, **run)
    shown = subprocess.run([terraform, "show", "-json", "plan.bin"], check=True, **run)
    reads = {c["address"]: (c["change"]["actions"], c.get("action_reason"))
             for c in json.loads(shown.stdout)["resource_changes"]
             if c["mode"] == "data"}
    pending = (["read"], "read_because_dependency_pending")
    assert reads == {"data.terraform_remote_state.by_reference": pending,
                     "data.terraform_remote_state.by_depends_on": pending}
