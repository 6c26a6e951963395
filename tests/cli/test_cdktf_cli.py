"""``TERRAFORM_BINARY_NAME=albform cdktf deploy | diff | output | destroy`` with the real cdktf
CLI: every terraform invocation it makes (``version -json``, ``init``, ``providers lock``,
``plan -input=false -generate-config-out=... -out plan``, ``apply -auto-approve`` in a pty,
``destroy``, ``output -json``) answered by albform.

The shipped example on the embedded emulator (a fresh copy deploys, then ``cdktf diff`` is
empty; output; destroy), and a two-stack app on a standalone ``albform emulator`` (deploy
all, diff, output, destroy all, objects gone from the controller).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
Cdktf = Any  # the ``cdktf`` fixture (tests/cli/conftest.py)

pytestmark = pytest.mark.slow


def _text(proc: subprocess.CompletedProcess[str]) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", proc.stdout + proc.stderr)


def test_example_deploys_then_diff_is_empty(cdktf: Cdktf, tmp_path: Path) -> None:
    pytest.importorskip("cdktf", reason="the example's app runs on cdktf (extra [cdktf])")
    examples = tmp_path / "examples"
    for name in ("cdktf-lb-demo", "lb-demo"):  # the app reads ../lb-demo
        shutil.copytree(REPO / "examples" / name, examples / name,
                        ignore=shutil.ignore_patterns("cdktf.out", ".albform", "*.tfstate*"))
    app = examples / "cdktf-lb-demo"

    deployed = cdktf("deploy", "--auto-approve", cwd=app)
    out = _text(deployed)
    assert deployed.returncode == 0, out
    assert "Apply complete! Resources: 2 imported, 9 added, 2 changed, 0 destroyed." in out
    stack = app / "cdktf.out" / "stacks" / "lb-demo"
    state = json.loads((stack / "terraform.lb-demo.tfstate").read_text())
    assert any(r["type"] == "avi_virtualservice" for r in state["resources"])
    # cdktf read `output -json` after the apply and printed the stack's outputs.
    network_uuid = state["outputs"]["vip_network"]["value"]
    assert f"vip_network = {network_uuid}" in out

    diff = cdktf("diff", cwd=app)
    text = _text(diff)
    assert diff.returncode == 0, text
    assert "No changes. Your infrastructure matches the configuration." in text
    assert (stack / "plan").is_file()  # `plan -out plan`, as Terraform would leave it

    output = cdktf("output", cwd=app)
    assert output.returncode == 0, _text(output)
    assert f"vip_network = {network_uuid}" in _text(output)

    destroyed = cdktf("destroy", "--auto-approve", cwd=app)
    assert destroyed.returncode == 0, _text(destroyed)
    assert "Destroy complete!" in _text(destroyed)
    state = json.loads((stack / "terraform.lb-demo.tfstate").read_text())
    assert state["resources"] == []


MULTI_STACK_APP = '''
    from albform.modules.cdktf import App, AviPool, AviProvider, LocalBackend, Output, Stack

    app = App()
    for team in ("red", "blue"):
        stack = Stack(app, team)
        AviProvider(stack, "avi", version="~> 30.2")
        LocalBackend(stack, path=f"terraform.{team}.tfstate")
        pool = AviPool(stack, "web", name=f"{team}-web", servers=[
            {"ip": {"addr": "10.0.0.%d" % (1 if team == "red" else 2), "type": "V4"},
             "port": 80}])
        Output(stack, "pool_uuid", value=pool.uuid)
    app.synth()
'''


@pytest.fixture
def standalone_emulator(tmp_path: Path) -> Iterator[dict[str, str]]:
    """``albform emulator --http`` in a subprocess; yields the AVI_* settings to reach it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "albform", "emulator", "--http", "--password", "s3cret-pw",
         "--db", str(tmp_path / "standalone.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"ready at (\S+)", line)
        assert match, line + (proc.stderr.read() if proc.stderr else "")
        yield {"AVI_CONTROLLER": match.group(1), "AVI_USERNAME": "admin",
               "AVI_PASSWORD": "s3cret-pw"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _pool_names(avi: dict[str, str]) -> set[str]:
    session = requests.Session()
    url = avi["AVI_CONTROLLER"]
    login = session.post(f"{url}/login", json={"username": avi["AVI_USERNAME"],
                                               "password": avi["AVI_PASSWORD"]}, timeout=30)
    assert login.status_code == 200, login.text
    pools = session.get(f"{url}/api/pool", timeout=30).json()["results"]
    return {p["name"] for p in pools}


def test_multi_stack_app_on_a_standalone_emulator(cdktf: Cdktf, tmp_path: Path,
                                                  standalone_emulator: dict[str, str]) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text(textwrap.dedent(MULTI_STACK_APP))
    (app / "cdktf.json").write_text(json.dumps({"language": "python", "app": "python main.py"}))
    cdktf.env.update(standalone_emulator)

    deployed = cdktf("deploy", "red", "blue", "--auto-approve", cwd=app)
    assert deployed.returncode == 0, _text(deployed)
    assert _text(deployed).count("Apply complete! Resources: 1 added") == 2
    assert {"red-web", "blue-web"} <= _pool_names(standalone_emulator)
    for team in ("red", "blue"):
        state = json.loads((app / "cdktf.out" / "stacks" / team /
                            f"terraform.{team}.tfstate").read_text())
        assert [r["name"] for r in state["resources"]] == ["web"]

    diff = cdktf("diff", "blue", cwd=app)
    assert diff.returncode == 0, _text(diff)
    assert "No changes." in _text(diff)

    output = cdktf("output", "red", "--outputs-file", str(tmp_path / "out.json"), cwd=app)
    assert output.returncode == 0, _text(output)
    outputs = json.loads((tmp_path / "out.json").read_text())
    assert outputs["red"]["pool_uuid"].startswith("pool-")

    destroyed = cdktf("destroy", "red", "blue", "--auto-approve", cwd=app)
    assert destroyed.returncode == 0, _text(destroyed)
    assert _text(destroyed).count("Destroy complete! Resources: 1 destroyed.") == 2
    assert not {"red-web", "blue-web"} & _pool_names(standalone_emulator)


def test_version_answers_as_cdktf_reads_it(albform: Any) -> None:
    """cdktf reads ``version -json``'s ``terraform_version`` and the first x.y.z of
    ``version`` (its construct validations need Terraform >= 1.5 for import blocks)."""
    doc = json.loads(albform("version", "-json").out)
    assert doc["terraform_version"] == "1.11.4"
    assert set(doc) >= {"terraform_version", "platform", "provider_selections",
                        "terraform_outdated", "albform_version"}
    for flag in ("version", "-v", "-version", "--version"):
        shown = albform(flag)
        assert shown.code == 0
        assert re.search(r"\d+\.\d+\.\d+", shown.out).group(0) == "1.11.4"  # type: ignore[union-attr]
