"""Terraform habits a platform engineer brings: ``-input=false`` in CI, no "Apply complete!"
after a failed apply (wrappers read it as success), no ``-out`` note when nothing changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Runner = Any  # the ``albform`` fixture (tests/qa/conftest.py)


def write_config(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(text)
    return directory


POOL = 'resource "avi_pool" "{name}" {{\n  name = "{value}"\n}}\n'


def test_input_false_is_accepted(albform: Runner, tmp_path: Path) -> None:
    work = write_config(tmp_path / "w", POOL.format(name="p", value="qa-p"))
    planned = albform("plan", "-input=false", "-no-color", cwd=work)
    assert planned.code == 0, planned.err
    assert "Plan: 1 to add" in planned.out
    applied = albform("apply", "-input=false", "-auto-approve", "-no-color", cwd=work)
    assert applied.code == 0, applied.err


def test_failed_apply_names_the_address_and_keeps_what_was_created(albform: Runner,
                                                                  tmp_path: Path) -> None:
    # Another team created "taken" out of band on the same controller.
    other = write_config(tmp_path / "other", POOL.format(name="x", value="taken"))
    assert albform("apply", "-auto-approve", cwd=other).code == 0
    work = write_config(tmp_path / "w", POOL.format(name="ok", value="mine")
                        + POOL.format(name="clash", value="taken"))
    applied = albform("apply", "-auto-approve", "-no-color", cwd=work)
    assert applied.code == 1
    text = applied.out + applied.err
    assert "with avi_pool.clash" in text and "already exists" in text
    assert "Apply complete!" not in text
    state = json.loads((work / "terraform.tfstate").read_text())
    assert [r["name"] for r in state["resources"]] == ["ok"]
    listed = albform("state", "list", cwd=work)
    assert listed.out.split() == ["avi_pool.ok"]


def test_no_changes_plan_has_no_out_note(albform: Runner, tmp_path: Path) -> None:
    work = write_config(tmp_path / "w", POOL.format(name="p", value="qa-same"))
    assert albform("apply", "-auto-approve", cwd=work).code == 0
    again = albform("plan", "-no-color", cwd=work)
    assert again.code == 0
    assert "No changes." in again.out
    assert "-out option" not in again.out
