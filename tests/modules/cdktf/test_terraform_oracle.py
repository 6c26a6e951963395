"""Real Terraform (1.11, offline) reads what the constructs synthesize: the ``//`` metadata
keys, backend, variables, meta-arguments, import blocks and outputs. Only provider-free
``terraform_data`` resources can be used offline (the Avi provider cannot be installed here),
so the Avi-specific parts are covered by albform's reader and the interop tests instead."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from albform.modules.cdktf import App, Lifecycle, LocalBackend, Output, Resource, Stack, Variable

pytestmark = pytest.mark.terraform


def _terraform() -> str:
    found = shutil.which("terraform")
    if found is None:
        pytest.skip("terraform is not on PATH")
    return found


def test_terraform_validates_plans_and_applies_the_synthesized_stack(tmp_path: Path) -> None:
    terraform = _terraform()
    app = App(outdir=tmp_path / "cdktf.out")
    stack = Stack(app, "oracle")
    LocalBackend(stack, path="terraform.tfstate")
    greeting = Variable(stack, "greeting", type="string", default="hello")
    first = Resource(stack, "first", type="terraform_data",
                     attributes={"input": f"{greeting.value} world"},
                     lifecycle=Lifecycle(create_before_destroy=True))
    many = Resource(stack, "many", type="terraform_data", count=2,
                    attributes={"input": "${count.index}"}, depends_on=[first])
    Resource(stack, "each", type="terraform_data", for_each={"a": "1", "b": "2"},
             attributes={"input": "${each.value}"})
    Output(stack, "first_output", value=first.get("output"))
    Output(stack, "count", value=f"${{length({many.fqn})}}")
    stack_dir = app.synth() / "stacks" / "oracle"

    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
           "TF_PLUGIN_CACHE_DIR": ""}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([terraform, f"-chdir={stack_dir}", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    init = run("init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run("validate", "-no-color")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    apply = run("apply", "-auto-approve", "-input=false", "-no-color")
    assert apply.returncode == 0, apply.stdout + apply.stderr
    assert "Resources: 5 added" in apply.stdout
    outputs = json.loads(run("output", "-json").stdout)
    assert outputs["first_output"]["value"] == "hello world"
    assert outputs["count"]["value"] == 2
    again = run("plan", "-detailed-exitcode", "-input=false", "-no-color")
    assert again.returncode == 0, again.stdout + again.stderr
