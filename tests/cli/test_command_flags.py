"""Flags that mean something for each command, shell completion, and the lock-info box naming
albform's version (issue 14 item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from albform import __version__
from albform.engine.state.backends.local import LocalBackend
from albform.engine.state.lock import LockInfo


@pytest.mark.parametrize(("command", "meaningless"), [
    (("destroy",), ("-refresh-only", "-replace")),
    (("cluster", "destroy"), ("-refresh-only", "-replace", "--adopt")),
    (("cluster", "drift"), ("--adopt",)),
    (("output",), ("-lock", "-lock-timeout")),
    (("state", "list"), ("-lock",)),
    (("state", "show"), ("-lock",)),
    (("force-unlock",), ("-lock",)),
])
def test_help_lists_only_flags_that_mean_something(albform: Any, command: tuple[str, ...],
                                                   meaningless: tuple[str, ...]) -> None:
    shown = albform(*command, "--help")
    assert shown.code == 0
    flags = {word.rstrip(",") for line in shown.out.splitlines()
             for word in line.split() if word.startswith("-")}
    assert not flags & set(meaningless)
    refused = albform(*command, meaningless[0])
    assert refused.code == 1 and "No such option" in refused.err


def test_plan_and_apply_keep_their_flags(albform: Any) -> None:
    for command in (("plan",), ("apply",), ("cluster", "plan"), ("cluster", "apply")):
        shown = albform(*command, "--help").out
        assert "-refresh-only" in shown and "-replace" in shown and "-lock" in shown
    assert "--adopt" in albform("cluster", "apply", "--help").out


def test_completion_scripts_install_and_complete(albform: Any, tmp_path: Path) -> None:
    for shell in ("bash", "zsh", "fish"):
        script = albform("completion", shell)
        assert script.code == 0 and "_ALBFORM_COMPLETE" in script.out
    (tmp_path / "albform.bash").write_text(albform("completion", "bash").out)
    registered = subprocess.run(["bash", "-c", f"source {tmp_path / 'albform.bash'} && "
                                 "complete -p albform"], capture_output=True, text=True)
    assert registered.returncode == 0, registered.stderr
    assert "_albform_completion" in registered.stdout and "albform" in registered.stdout
    # What the script asks albform when the user types `albform cluster a<TAB>`.
    env = {**os.environ, "_ALBFORM_COMPLETE": "bash_complete",
           "COMP_WORDS": "albform cluster a", "COMP_CWORD": "2"}
    answer = subprocess.run([sys.executable, "-m", "albform"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert answer.stdout.split() == ["plain,apply"]


def test_the_lock_info_box_names_albforms_version(albform: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "avi_pool" "p" {\n  name = "lock-p"\n}\n')
    holder = LocalBackend(tmp_path / "terraform.tfstate")
    lock_id = holder.lock(LockInfo.new("OperationTypeApply"))
    try:
        blocked = albform("plan", "-no-color")
    finally:
        holder.unlock(lock_id)
    assert blocked.code == 1
    assert "Error: Error acquiring the state lock" in blocked.err
    assert f"  Version:   albform {__version__}\n" in blocked.err
