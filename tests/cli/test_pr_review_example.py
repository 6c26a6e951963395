"""``examples/pr-review/``: the GitHub Actions workflow's and the Atlantis workflow's command
lines, run as written (bash/sh, the example directory, albform on PATH) against the embedded
emulator. ``gh`` is a recording stand-in (GitHub is not reachable from tests); everything else
is real. The workflow's install step is the one line not run: albform is already installed."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from pr_tools import atlantis_summary, tfcmt_parse_plan

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "pr-review"
GH_STUB = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$GH_LOG"
for arg in "$@"; do
  case "$arg" in body=@*) cat "${arg#body=@}" > "$GH_BODIES/$(ls "$GH_BODIES" | wc -l)";; esac
done
case "$*" in *--paginate*) cat "$GH_EXISTING" 2>/dev/null || true;; esac
"""


def _workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the example, and an environment with albform and the gh stand-in on PATH."""
    work = tmp_path / "pr-review"
    shutil.copytree(EXAMPLE, work)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("albform", f'#!/bin/sh\nexec "{sys.executable}" -m albform "$@"\n'),
                       ("gh", GH_STUB)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(stat.S_IRWXU)
    (tmp_path / "bodies").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVI_", "ALBFORM_"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", GH_LOG=str(tmp_path / "gh.log"),
               GH_BODIES=str(tmp_path / "bodies"), GH_EXISTING=str(tmp_path / "existing"))
    return work, env


def _expand(value: Any, context: dict[str, str]) -> str:
    """GitHub's ${{ expr }} from ``context`` (vars/secrets not given: empty, as GitHub does)."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: context.get(m.group(1), ""), str(value))


def _run_workflow(work: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    workflow = yaml.safe_load((EXAMPLE / "github-workflow.yml").read_text())
    (job,) = workflow["jobs"].values()
    context = {"github.token": "test-token", "github.repository": "acme/alb",
               "github.event.pull_request.number": "7"}
    job_env = {k: _expand(v, context) for k, v in job.get("env", {}).items()}
    cwd = REPO / job["defaults"]["run"]["working-directory"]
    assert cwd == EXAMPLE
    done = []
    for step in job["steps"]:
        if "run" not in step or step.get("name") == "Install albform":
            continue
        step_env = {k: _expand(v, context) for k, v in step.get("env", {}).items()}
        # GitHub runs `run:` with `bash -e {0}` (plus -o pipefail for the bash shell).
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=work,
                              env={**env, **job_env, **step_env}, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, (step["run"], proc.stdout, proc.stderr)
        done.append(proc)
    return done


def test_github_workflow_posts_then_updates_one_comment(tmp_path: Path) -> None:
    work, env = _workspace(tmp_path)
    _run_workflow(work, env)
    comment = (work / "comment.md").read_text()
    assert comment.startswith("<!-- albform-plan: +2 ~0 -0 ±0 deleted=0 guard=ok errored=no")
    assert "## Plan: 2 to add, 0 to change, 0 to destroy" in comment
    log = (tmp_path / "gh.log").read_text().splitlines()
    assert log[0].startswith("api --paginate repos/acme/alb/issues/7/comments --jq")
    assert log[1].startswith("api -X POST repos/acme/alb/issues/7/comments -F body=@")
    assert (tmp_path / "bodies" / "0").read_text() == comment

    # The next push: the earlier comment (id 4242) is updated, not a new one added.
    (tmp_path / "existing").write_text("4242\n")
    (tmp_path / "gh.log").unlink()
    main_tf = work / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('"web servers"', '"web servers (v2)"'))
    _run_workflow(work, env)
    log = (tmp_path / "gh.log").read_text().splitlines()
    assert [line.split(" -F ")[0] for line in log[1:]] == [
        "api -X PATCH repos/acme/alb/issues/comments/4242"]
    assert (tmp_path / "bodies" / "1").read_text() == (work / "comment.md").read_text()


def test_atlantis_custom_workflow_plans_and_applies(tmp_path: Path) -> None:
    work, env = _workspace(tmp_path)
    config = yaml.safe_load((EXAMPLE / "atlantis.yaml").read_text())
    (project,) = config["projects"]
    assert REPO / project["dir"] == EXAMPLE
    workflow = config["workflows"][project["workflow"]]
    # Atlantis's variables for custom run steps.
    step_env = {**env, "PLANFILE": str(tmp_path / "default.tfplan"), "WORKSPACE": "default",
                "DIR": str(work), "PROJECT_NAME": project["name"]}
    outputs = {}
    for stage in ("plan", "apply"):
        text = ""
        for step in workflow[stage]["steps"]:
            if "env" in step:
                step_env[step["env"]["name"]] = step["env"]["value"]
                continue
            proc = subprocess.run(["sh", "-c", step["run"]], cwd=work, env=step_env,
                                  capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, (step["run"], proc.stdout, proc.stderr)
            text += proc.stdout
        outputs[stage] = text
    assert atlantis_summary(outputs["plan"]) == "Plan: 2 to add, 0 to change, 0 to destroy."
    parsed = tfcmt_parse_plan(outputs["plan"])
    assert parsed.created == ["avi_healthmonitor.web", "avi_pool.web"]
    assert parsed.changed_result.startswith("\n  # avi_healthmonitor.web will be created")
    assert "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." in outputs["apply"]
