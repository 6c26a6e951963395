"""Terraform's machine output: ``plan/apply/destroy -json`` as the streamed UI (one JSON object
per line with Terraform's keys, a failure adds diagnostic lines and nothing else), ``show``
of a state (text and ``-json``, keys as ``terraform show -json`` prints them) and of a saved
plan (format 1.2 with ``variables``, ``configuration.module_calls``, references and sensitive
outputs known-and-sensitive)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

Runner = Any  # the ``albform`` fixture (tests/cli/conftest.py)

CONFIG = '''
variable "prefix" {
  default = "mo"
}
variable "token" {
  default   = "not-for-plans"
  sensitive = true
}
resource "avi_healthmonitor" "hm" {
  name = "${var.prefix}-hm"
  type = "HEALTH_MONITOR_TCP"
}
resource "avi_pool" "web" {
  name                = "${var.prefix}-web"
  health_monitor_refs = [avi_healthmonitor.hm.id]
}
module "team" {
  source = "./team"
}
output "pool" {
  value = avi_pool.web.name
}
output "secret" {
  value     = var.token
  sensitive = true
}
'''
TEAM = 'resource "avi_pool" "team" {\n  name = "mo-team"\n}\n'
UI_KEYS = {"@level", "@message", "@module", "@timestamp", "type"}


def _work(tmp_path: Path) -> Path:
    work = tmp_path / "w"
    (work / "team").mkdir(parents=True)
    (work / "main.tf").write_text(CONFIG)
    (work / "team" / "main.tf").write_text(TEAM)
    return work


def _lines(out: str) -> list[dict[str, Any]]:
    docs = [json.loads(line) for line in out.splitlines()]  # every line is one document
    for doc in docs:
        assert set(doc) >= UI_KEYS, doc
        assert doc["@module"] == "terraform.ui"
    return docs


def test_plan_and_apply_json_stream_terraforms_ui(albform: Runner, tmp_path: Path) -> None:
    work = _work(tmp_path)
    planned = albform("plan", "-json", cwd=work)
    assert planned.code == 0, planned.err
    docs = _lines(planned.out)
    assert docs[0]["type"] == "version" and docs[0]["terraform"] == "1.11.4"
    assert docs[0]["ui"] == "1.2"
    changes = {d["change"]["resource"]["addr"]: d for d in docs
               if d["type"] == "planned_change"}
    assert set(changes) == {"avi_healthmonitor.hm", "avi_pool.web",
                            "module.team.avi_pool.team"}
    team = changes["module.team.avi_pool.team"]
    assert team["@message"] == "module.team.avi_pool.team: Plan to create"
    assert team["change"]["action"] == "create"
    assert team["change"]["resource"] == {
        "addr": "module.team.avi_pool.team", "module": "module.team",
        "resource": "avi_pool.team", "implied_provider": "avi", "resource_type": "avi_pool",
        "resource_name": "team", "resource_key": None}
    assert changes["avi_pool.web"]["change"]["resource"] == {
        "addr": "avi_pool.web", "module": "", "resource": "avi_pool.web",
        "implied_provider": "avi", "resource_type": "avi_pool", "resource_name": "web",
        "resource_key": None}
    summary = next(d for d in docs if d["type"] == "change_summary")
    assert summary["changes"] == {"add": 3, "change": 0, "import": 0, "remove": 0,
                                  "operation": "plan"}
    assert summary["@message"] == "Plan: 3 to add, 0 to change, 0 to destroy."
    outputs = next(d for d in docs if d["type"] == "outputs")["outputs"]
    assert outputs == {"pool": {"sensitive": False, "action": "create"},
                       "secret": {"sensitive": True, "action": "create"}}

    unapproved = albform("apply", "-json", cwd=work)
    assert unapproved.code == 1
    assert [d["type"] for d in _lines(unapproved.out)] == ["version", "diagnostic"]

    applied = albform("apply", "-json", "-auto-approve", cwd=work)
    assert applied.code == 0, applied.err
    docs = _lines(applied.out)
    kinds = [d["type"] for d in docs]
    assert kinds.count("apply_start") == 3 and kinds.count("apply_complete") == 3
    done = [d for d in docs if d["type"] == "change_summary"][-1]
    assert done["changes"]["operation"] == "apply"
    assert done["@message"] == "Apply complete! Resources: 3 added, 0 changed, 0 destroyed."
    final = [d for d in docs if d["type"] == "outputs"][-1]["outputs"]
    assert final["pool"] == {"sensitive": False, "type": "string", "value": "mo-web"}
    assert final["secret"] == {"sensitive": True, "type": "string"}
    assert "not-for-plans" not in applied.out

    destroyed = albform("destroy", "-json", "-auto-approve", cwd=work)
    assert destroyed.code == 0, destroyed.err
    last = [d for d in _lines(destroyed.out) if d["type"] == "change_summary"][-1]
    assert last["changes"]["operation"] == "destroy"
    assert last["@message"] == "Destroy complete! Resources: 3 destroyed."


def test_a_failed_json_plan_prints_only_ui_lines(albform: Runner, tmp_path: Path) -> None:
    work = _work(tmp_path)
    (work / "bad.tf").write_text('resource "avi_pool" "bad" {\n  name = nope\n}\n')
    failed = albform("plan", "-json", cwd=work)
    assert failed.code == 1
    docs = _lines(failed.out)
    assert [d["type"] for d in docs] == ["version", "diagnostic"]
    assert docs[1]["@level"] == "error" and docs[1]["@message"].startswith("Error: ")
    assert docs[1]["diagnostic"]["range"]["filename"].endswith("bad.tf")


def test_show_json_of_a_saved_plan(albform: Runner, tmp_path: Path) -> None:
    work = _work(tmp_path)
    assert albform("plan", "-out=tfplan", "-var", "prefix=px", cwd=work).code == 0
    # The plan file keeps no -var values: show takes them from TF_VAR_ as apply does.
    shown = albform("show", "-json", "tfplan", cwd=work, env={"TF_VAR_prefix": "px"})
    assert shown.code == 0, shown.err
    doc = json.loads(shown.out)
    assert doc["format_version"] == "1.2"
    assert doc["variables"] == {"prefix": {"value": "px"}, "token": {"value": None}}
    root = doc["configuration"]["root_module"]
    # A sensitive variable's default is never written (Terraform writes it).
    assert root["variables"] == {"prefix": {"default": "mo"}, "token": {"sensitive": True}}
    pool = next(r for r in root["resources"] if r["address"] == "avi_pool.web")
    assert pool["expressions"]["health_monitor_refs"]["references"][-1] == \
        "avi_healthmonitor.hm"
    team = root["module_calls"]["team"]
    assert team["source"] == "./team"
    assert [r["address"] for r in team["module"]["resources"]] == ["avi_pool.team"]
    assert root["outputs"]["secret"] == {"sensitive": True,
                                         "expression": {"references": ["var.token"]}}
    secret = doc["output_changes"]["secret"]  # known and sensitive, never written
    assert (secret["after"], secret["after_unknown"], secret["after_sensitive"]) == \
        (None, False, True)
    assert "not-for-plans" not in shown.out

    without = albform("show", "-json", "tfplan", cwd=work)
    assert without.code == 0
    assert "configuration" in json.loads(without.out)
    assert "Plan shown without its configuration" in without.err and "TF_VAR_prefix" in \
        without.err


@pytest.mark.terraform
def test_show_of_the_state_has_terraforms_shape(albform: Runner, tmp_path: Path) -> None:
    work = _work(tmp_path)
    assert albform("show", cwd=work).out == "No state.\n"
    assert json.loads(albform("show", "-json", cwd=work).out) == {"format_version": "1.0"}
    assert albform("apply", "-auto-approve", cwd=work).code == 0
    text = albform("show", "-no-color", cwd=work).out
    assert "# avi_pool.web:" in text and 'resource "avi_pool" "web" {' in text
    assert 'pool = "mo-web"' in text and "secret = (sensitive value)" in text
    ours = json.loads(albform("show", "-json", cwd=work).out)

    # terraform show -json of a state it wrote (terraform_data: no provider to download).
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    theirs_dir = tmp_path / "tf"
    theirs_dir.mkdir()
    (theirs_dir / "main.tf").write_text(
        'resource "terraform_data" "d" {\n  input = "x"\n}\n'
        'module "team" {\n  source = "./team"\n}\n'
        'output "o" {\n  value = "v"\n}\n')
    (theirs_dir / "team").mkdir()
    (theirs_dir / "team" / "main.tf").write_text('resource "terraform_data" "t" {}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"}
    for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        done = subprocess.run([terraform, *args], cwd=theirs_dir, env=env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
    theirs = json.loads(subprocess.run([terraform, "show", "-json"], cwd=theirs_dir, env=env,
                                       capture_output=True, text=True, timeout=180).stdout)
    assert set(ours) == set(theirs)
    assert set(ours["values"]) == set(theirs["values"])
    assert set(ours["values"]["outputs"]["pool"]) == set(theirs["values"]["outputs"]["o"])
    assert set(ours["values"]["root_module"]) == set(theirs["values"]["root_module"])
    ours_res = ours["values"]["root_module"]["resources"][0]
    theirs_res = theirs["values"]["root_module"]["resources"][0]
    assert set(ours_res) == set(theirs_res)
    ours_child = ours["values"]["root_module"]["child_modules"][0]
    theirs_child = theirs["values"]["root_module"]["child_modules"][0]
    assert set(ours_child) == set(theirs_child)
    assert ours_child["address"] == "module.team"


CHECKOV_POLICY = '''metadata:
  id: "CKV2_ALBFORM_1"
  name: "Every pool has a health monitor"
  category: "GENERAL_SECURITY"
definition:
  cond_type: "attribute"
  resource_types:
    - "avi_pool"
  attribute: "health_monitor_refs"
  operator: "exists"
'''


def test_checkov_reads_the_plan_json_whole(albform: Runner, tmp_path: Path,
                                           checkov_binary: Path) -> None:
    """A policy tool reads ``show -json PLANFILE``: every resource (the module's too) parsed,
    a custom policy passing where the pool has a monitor and failing where it has none."""
    work = _work(tmp_path)
    assert albform("plan", "-out=tfplan", cwd=work).code == 0
    shown = albform("show", "-json", "tfplan", cwd=work)
    assert shown.code == 0, shown.err
    (work / "tfplan.json").write_text(shown.out)
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "pool_health_monitor.yaml").write_text(CHECKOV_POLICY)
    # --skip-download: checkov fetches nothing (loopback-only tests).
    ran = subprocess.run([str(checkov_binary), "-f", str(work / "tfplan.json"),
                          "--framework", "terraform_plan", "-o", "json", "--skip-download",
                          "--external-checks-dir", str(policies)],
                         capture_output=True, text=True, timeout=600)
    report = json.loads(ran.stdout)
    assert report["summary"]["parsing_errors"] == 0, ran.stderr
    assert report["summary"]["resource_count"] == 3
    verdicts = {(c["resource"], c["check_id"]): outcome
                for outcome in ("passed", "failed")
                for c in report["results"][f"{outcome}_checks"]}
    assert verdicts == {("avi_pool.web", "CKV2_ALBFORM_1"): "passed",
                        ("module.team.avi_pool.team", "CKV2_ALBFORM_1"): "failed"}
