"""tfcmt and Atlantis, through ports of their published parsing rules (``pr_tools``), read
every section of real ``albform plan`` output: the summary, the per-resource lists, the change
details, the "changed outside" drift note, imports and moves — with
``ALBFORM_PLAN_WORDING=terraform`` (or ``opentofu``), the documented switch for CI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator import start_emulator

sys.path.insert(0, str(Path(__file__).parent))
from pr_tools import atlantis_no_changes, atlantis_summary, tfcmt_parse_plan

V1 = """
resource "avi_healthmonitor" "hm" {
  name = "pr-hm"
  type = "HEALTH_MONITOR_HTTP"
}
resource "avi_pool" "web" {
  name        = "pr-web"
  description = "v1"
}
resource "avi_pool" "old" {
  name = "pr-old"
}
resource "avi_pool" "legacy" {
  name = "pr-legacy"
}
"""

# The pull request: update web, drop old, rename legacy (moved), adopt a pool made by hand
# (import); the plan also replaces hm on request (-replace).
V2 = """
resource "avi_healthmonitor" "hm" {
  name = "pr-hm"
  type = "HEALTH_MONITOR_HTTP"
}
resource "avi_pool" "web" {
  name        = "pr-web"
  description = "v2"
}
resource "avi_pool" "renamed" {
  name = "pr-legacy"
}
moved {
  from = avi_pool.legacy
  to   = avi_pool.renamed
}
import {
  to = avi_pool.adopted
  id = "pr-adopted"
}
resource "avi_pool" "adopted" {
  name        = "pr-adopted"
  description = "made by hand"
}
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


def runner(workdir: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVI_", "ALBFORM_"))}
    env["ALBFORM_EMULATOR_DB"] = str(workdir / "emulator.db")

    def run(*args: str, wording: str | None = None) -> subprocess.CompletedProcess[str]:
        extra = {"ALBFORM_PLAN_WORDING": wording} if wording else {}
        proc = subprocess.run([sys.executable, "-m", "albform", *args], cwd=workdir,
                              env={**env, **extra}, capture_output=True, text=True,
                              timeout=120)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    return run


def edit_by_hand(db: Path) -> None:
    """Someone edits pr-web's description in the UI and creates pr-adopted by hand."""
    with start_emulator(db_path=db, password="by-hand") as emu:
        config = ClientConfig.from_provider_args(
            {"avi_controller": emu.url, "avi_username": "admin", "avi_password": "by-hand"}, {})
        with AviClient.connect(config) as client:
            pool = client.get_by_name("pool", "pr-web")
            assert pool is not None
            client.replace_object("pool", pool["uuid"], {**pool, "description": "edited by hand"})
            client.create_object("pool", {"name": "pr-adopted", "description": "made by hand"})


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A workspace whose next plan has drift, an update, a destroy, a requested replace, a
    move and an import; returns a runner of ``plan`` with a given wording."""
    workdir = tmp_path_factory.mktemp("pr")
    run = runner(workdir)
    (workdir / "main.tf").write_text(V1)
    applied = run("apply", "-auto-approve", "-no-color")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    edit_by_hand(workdir / "emulator.db")
    (workdir / "main.tf").write_text(V2)

    def plan(wording: str | None = None, *args: str) -> subprocess.CompletedProcess[str]:
        return run("plan", "-no-color", "-replace=avi_healthmonitor.hm", *args,
                   wording=wording)

    return plan


SUMMARY = "Plan: 1 to import, 1 to add, 1 to change, 2 to destroy."


@pytest.mark.parametrize("wording", ["terraform", "opentofu"])
def test_tfcmt_reads_every_section(pull_request: Run, wording: str) -> None:
    proc = pull_request(wording)
    assert proc.returncode == 0, proc.stderr
    # tfcmt parses the combined output of `tfcmt plan -- albform plan -no-color`.
    parsed = tfcmt_parse_plan(proc.stdout + proc.stderr)
    assert not parsed.parse_error and not parsed.has_error
    assert parsed.result == SUMMARY
    assert parsed.has_destroy and not parsed.has_no_changes
    assert parsed.created == []
    assert parsed.updated == ["avi_pool.web"]
    assert parsed.deleted == ["avi_pool.old"]
    assert parsed.replaced == ["avi_healthmonitor.hm"]
    assert parsed.imported == ["avi_pool.adopted"]
    assert parsed.moved == [("avi_pool.legacy", "avi_pool.renamed")]
    # The drift note: the changed object with its values, up to tfcmt's end line.
    outside = parsed.outside_terraform
    assert "  # avi_pool.web has changed" in outside
    assert '~ description' in outside and '"v1" -> "edited by hand"' in outside
    assert outside.splitlines()[-1].startswith("Unless you have made equivalent changes")
    # The change details: every resource block, ending at the summary before the rule.
    details = parsed.changed_result
    for header in ("# avi_healthmonitor.hm will be replaced, as requested",
                   "# avi_pool.adopted will be imported",
                   "# avi_pool.old will be destroyed",
                   "# avi_pool.legacy has moved to avi_pool.renamed",
                   "# avi_pool.web will be updated in-place"):
        assert f"  {header}\n" in details
    assert '"edited by hand" -> "v2"' in details
    assert details.rstrip().endswith(SUMMARY)
    assert "has changed" not in details  # drift stays in its own section


def test_atlantis_summary_carries_the_drift_note_and_the_import_count(pull_request: Run,
                                                                      ) -> None:
    proc = pull_request("terraform")
    assert atlantis_summary(proc.stdout) == \
        f"\n**Note: Objects have changed outside of Terraform**\n{SUMMARY}"
    assert not atlantis_no_changes(proc.stdout)


def test_default_wording_names_albform_and_says_how_to_switch(pull_request: Run) -> None:
    """The default names the tool that ran; the per-resource lists and the summary (product-
    neutral) still parse, the sections keyed on Terraform's name do not — hence the switch,
    documented in the README."""
    proc = pull_request()
    assert "albform will perform the following actions:" in proc.stdout
    assert "Note: Objects have changed outside of albform" in proc.stdout
    parsed = tfcmt_parse_plan(proc.stdout)
    assert parsed.result == SUMMARY and parsed.updated == ["avi_pool.web"]
    assert parsed.changed_result == "" and parsed.outside_terraform == ""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "ALBFORM_PLAN_WORDING=terraform" in readme


def test_unknown_wording_is_a_usage_error(tmp_path: Path) -> None:
    proc = runner(tmp_path)("plan", wording="pulumi")
    assert proc.returncode == 1
    assert "ALBFORM_PLAN_WORDING='pulumi' is not one of albform, terraform, opentofu" \
        in proc.stderr


def test_no_changes_and_outputs_only_plans_are_read_as_such(tmp_path: Path) -> None:
    run = runner(tmp_path)
    (tmp_path / "main.tf").write_text('resource "avi_pool" "p" {\n  name = "pr-p"\n}\n')
    assert run("apply", "-auto-approve", "-no-color").returncode == 0
    same = run("plan", "-no-color", wording="terraform")
    parsed = tfcmt_parse_plan(same.stdout)
    assert parsed.has_no_changes and parsed.result.startswith("No changes.")
    assert atlantis_no_changes(same.stdout)
    assert atlantis_summary(same.stdout) == \
        "No changes. Your infrastructure matches the configuration."
    (tmp_path / "main.tf").write_text('resource "avi_pool" "p" {\n  name = "pr-p"\n}\n'
                                      'output "pool" {\n  value = avi_pool.p.name\n}\n')
    outputs = tfcmt_parse_plan(run("plan", "-no-color", wording="terraform").stdout)
    assert outputs.result == "Only Outputs will be changed."
    assert not outputs.has_destroy and not outputs.has_no_changes
    assert outputs.changed_result.startswith("Changes to Outputs:\n  + pool = \"pr-p\"")


def test_show_markdown_is_the_pr_comment_of_the_saved_plan(pull_request: Run,
                                                            tmp_path: Path) -> None:
    saved = tmp_path / "tfplan"
    proc = pull_request(None, f"-out={saved}")
    assert proc.returncode == 0, proc.stderr
    shown = runner(tmp_path)("show", "-markdown", str(saved))
    assert shown.returncode == 0, shown.stderr
    comment = shown.stdout
    lines = comment.splitlines()
    assert lines[0] == "<!-- albform-plan: +0 ~1 -1 ±1 deleted=2 guard=ok errored=no -->"
    assert lines[1] == "## " + SUMMARY.rstrip(".")  # the summary first
    assert comment.index("### :warning: Destroyed or replaced") < comment.index("### Updated")
    assert "- `-` `avi_pool.old` (not in configuration)" in comment
    assert "- `-/+` `avi_healthmonitor.hm` (replace requested)" in comment
    assert '| `description` | `"edited by hand"` | `"v2"` |' in comment  # the update's values
    assert "- `avi_pool.adopted`: imported from `pr-adopted`" in comment
    assert "- `avi_pool.renamed`: moved from `avi_pool.legacy`" in comment
    drift = comment[comment.index("### Changed outside albform (drift)"):]
    assert '| `description` | `"v1"` | `"edited by hand"` |' in drift
    assert f"apply with `albform apply {saved}`" in lines[-1]
