"""Workspaces and ``init``: named states stored where Terraform stores them (checked with the
real ``terraform`` reading what albform wrote), ``TF_WORKSPACE`` honoured, a missing workspace
an error rather than a fresh state, http refusing with Terraform's message, and
``init -migrate-state`` moving every workspace between backends with lineage kept."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

Runner = Any  # the ``albform`` fixture (tests/cli/conftest.py)

POOL = 'resource "avi_pool" "p" {\n  name = "${terraform.workspace}-web"\n}\n'


def _terraform(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1"}
    env.pop("TF_WORKSPACE", None)
    return subprocess.run([terraform, *args], cwd=workdir, capture_output=True, text=True,
                          timeout=180, env=env)


def _pool_names(state_file: Path) -> list[str]:
    state = json.loads(state_file.read_text())
    return [i["attributes"]["name"] for r in state["resources"] for i in r["instances"]]


@pytest.mark.terraform
def test_local_workspaces_in_terraforms_layout(albform: Runner, tmp_path: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    (work / "main.tf").write_text(POOL)
    made = albform("workspace", "new", "dev", cwd=work)
    assert made.code == 0, made.err
    assert 'Created and switched to workspace "dev"!' in made.out
    assert (work / ".terraform" / "environment").read_text() == "dev"
    applied = albform("apply", "-auto-approve", "-no-color", cwd=work)
    assert applied.code == 0, applied.err
    dev_state = work / "terraform.tfstate.d" / "dev" / "terraform.tfstate"
    assert _pool_names(dev_state) == ["dev-web"]  # terraform.workspace is the selected one
    assert not (work / "terraform.tfstate").exists()

    # Terraform sees the same workspaces and reads the workspace's state.
    listed = _terraform(work, "workspace", "list")
    assert listed.stdout.split("\n")[:2] == ["  default", "* dev"], listed.stderr
    shown = _terraform(work, "state", "list", f"-state={dev_state}")
    assert shown.stdout.split() == ["avi_pool.p"], shown.stderr
    assert albform("workspace", "list", cwd=work).out == "  default\n* dev\n\n"
    assert albform("workspace", "show", cwd=work).out == "dev\n"

    # TF_WORKSPACE wins over the selection; a workspace nobody created is an error.
    other = albform("plan", "-no-color", cwd=work, env={"TF_WORKSPACE": "default"})
    assert other.code == 0 and "Plan: 1 to add" in other.out
    missing = albform("plan", "-no-color", cwd=work, env={"TF_WORKSPACE": "prod"})
    assert missing.code == 1
    assert 'Workspace "prod" doesn\'t exist.' in missing.err
    assert not (work / "terraform.tfstate.d" / "prod").exists()
    refused = albform("workspace", "select", "default", cwd=work, env={"TF_WORKSPACE": "dev"})
    assert refused.code == 1 and "TF_WORKSPACE" in refused.err

    active = albform("workspace", "delete", "dev", cwd=work)
    assert active.code == 1 and 'Workspace "dev" is your active workspace.' in active.err
    assert albform("workspace", "select", "default", cwd=work).out == \
        'Switched to workspace "default".\n'
    tracked = albform("workspace", "delete", "dev", cwd=work)
    assert tracked.code == 1 and "Workspace is not empty" in tracked.err
    assert "  - avi_pool.p" in tracked.err
    forced = albform("workspace", "delete", "-force", "dev", cwd=work)
    assert forced.code == 0 and 'WARNING: "dev" was non-empty.' in forced.out
    assert not (work / "terraform.tfstate.d" / "dev").exists()
    assert _terraform(work, "workspace", "list").stdout.split() == ["*", "default"]

    bad = albform("workspace", "new", "a/b", cwd=work)
    assert bad.code == 1 and "no path separators" in bad.err
    assert albform("workspace", "select", "nope", cwd=work).code == 1
    assert albform("workspace", "select", "-or-create", "qa", cwd=work).code == 0
    assert (work / "terraform.tfstate.d" / "qa").is_dir()


def _pg_block(pg_server: Any, schema: str) -> str:
    return ('terraform {\n  backend "pg" {\n'
            f'    conn_str    = "{pg_server.url()}"\n    schema_name = "{schema}"\n  }}\n}}\n')


@pytest.mark.terraform
def test_pg_workspaces_are_rows_terraform_lists(albform: Runner, tmp_path: Path,
                                                pg_server: Any, pg_schema: str) -> None:
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "main.tf").write_text(_pg_block(pg_server, pg_schema) + POOL)
    assert albform("workspace", "new", "staging", cwd=ours).code == 0
    applied = albform("apply", "-auto-approve", "-no-color", cwd=ours)
    assert applied.code == 0, applied.err
    lineage = json.loads(albform("state", "pull", cwd=ours).out)["lineage"]

    # Terraform, on the same schema (a configuration naming no provider: init stays offline).
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "main.tf").write_text(_pg_block(pg_server, pg_schema))
    init = _terraform(theirs, "init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    listed = _terraform(theirs, "workspace", "list", "-no-color")
    assert listed.stdout.split() == ["*", "default", "staging"], listed.stderr
    assert _terraform(theirs, "workspace", "select", "staging").returncode == 0
    pulled = json.loads(_terraform(theirs, "state", "pull").stdout)
    assert pulled["lineage"] == lineage
    assert [r["type"] for r in pulled["resources"]] == ["avi_pool"]
    # ... and a workspace terraform creates is one albform sees.
    assert _terraform(theirs, "workspace", "new", "from-tf").returncode == 0
    assert "  from-tf" in albform("workspace", "list", cwd=ours).out.split("\n")

    assert albform("workspace", "select", "default", cwd=ours).code == 0
    assert albform("workspace", "delete", "-force", "staging", cwd=ours).code == 0
    assert "staging" not in _terraform(theirs, "workspace", "list").stdout


def test_http_backend_has_only_the_default_workspace(albform: Runner, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'terraform {\n  backend "http" {\n    address = "http://127.0.0.1:9/state"\n  }\n}\n'
        + POOL)
    made = albform("workspace", "new", "dev", cwd=tmp_path)
    assert made.code == 1 and "workspaces not supported" in made.err
    planned = albform("plan", cwd=tmp_path, env={"TF_WORKSPACE": "dev"})
    assert planned.code == 1 and "doesn't exist" in planned.err


def test_init_records_the_backend_and_migrates_state_keeping_lineage(
        albform: Runner, tmp_path: Path, pg_server: Any, pg_schema: str) -> None:
    work = tmp_path / "w"
    work.mkdir()
    (work / "main.tf").write_text(POOL)
    first = albform("init", "-no-color", cwd=work)
    assert first.code == 0, first.err
    assert "albform has been successfully initialized!" in first.out
    assert albform("apply", "-auto-approve", cwd=work).code == 0
    assert albform("workspace", "new", "dev", cwd=work).code == 0
    assert albform("apply", "-auto-approve", cwd=work).code == 0
    assert albform("workspace", "select", "default", cwd=work).code == 0
    before = {name: json.loads(albform("state", "pull", cwd=work,
                                       env={"TF_WORKSPACE": name}).out)
              for name in ("default", "dev")}

    # The backend moves to pg: refused until the user says what to do with the state.
    (work / "main.tf").write_text(_pg_block(pg_server, pg_schema) + POOL)
    stale = albform("plan", cwd=work)
    assert stale.code == 1 and "Backend initialization required" in stale.err
    unasked = albform("init", "-input=false", cwd=work)
    assert unasked.code == 1 and "Backend configuration changed" in unasked.err
    moved = albform("init", "-migrate-state", "-force-copy", "-no-color", cwd=work)
    assert moved.code == 0, moved.err
    record = json.loads((work / ".terraform" / "terraform.tfstate").read_text())
    assert record["backend"]["type"] == "pg"
    assert record["backend"]["config"]["conn_str"] is None  # never a credential on disk
    for name, old in before.items():
        new = json.loads(albform("state", "pull", cwd=work, env={"TF_WORKSPACE": name}).out)
        assert (new["lineage"], new["serial"]) == (old["lineage"], old["serial"])
        assert new["resources"] == old["resources"]
    again = albform("plan", "-detailed-exitcode", "-no-color", cwd=work,
                    env={"TF_WORKSPACE": "dev"})
    assert again.code == 0, again.out + again.err


def test_init_migrates_to_http_with_settings_from_a_backend_config_file(
        albform: Runner, tmp_path: Path) -> None:
    """``-backend-config=FILE`` (Terraform's .tfvars-format settings file) and a move from the
    local backend into ``http``: lineage and serial kept, the password never on disk."""
    from albform.engine.state.backends.http_server import StateServer

    work = tmp_path / "w"
    work.mkdir()
    (work / "main.tf").write_text(POOL)
    assert albform("init", "-no-color", cwd=work).code == 0
    assert albform("apply", "-auto-approve", cwd=work).code == 0
    before = json.loads(albform("state", "pull", cwd=work).out)

    with StateServer(username="tf", password="pw-from-env") as server:
        address = f"{server.url}/state/avi"
        (work / "backend.hcl").write_text(
            f'address        = "{address}"\nlock_address   = "{address}"\n'
            f'unlock_address = "{address}"\nusername       = "tf"\n')
        (work / "main.tf").write_text('terraform {\n  backend "http" {}\n}\n' + POOL)
        env = {"TF_HTTP_PASSWORD": "pw-from-env"}
        moved = albform("init", "-backend-config=backend.hcl", "-migrate-state",
                        "-force-copy", "-no-color", cwd=work, env=env)
        assert moved.code == 0, moved.out + moved.err
        record = (work / ".terraform" / "terraform.tfstate").read_text()
        assert "pw-from-env" not in record and json.loads(record)["backend"]["type"] == "http"
        after = json.loads(albform("state", "pull", cwd=work, env=env).out)
        assert (after["lineage"], after["serial"]) == (before["lineage"], before["serial"])
        assert after["resources"] == before["resources"]
        again = albform("plan", "-detailed-exitcode", "-no-color", cwd=work, env=env)
        assert again.code == 0, again.out + again.err

    broken = albform("init", "-backend-config=missing.hcl", "-no-color", cwd=work)
    assert broken.code != 0 and "missing.hcl" in broken.err
