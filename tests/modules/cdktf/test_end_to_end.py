"""The CDKTF lb-demo app, synthesized by the pure-Python constructs, planned and applied by
the real ``albform`` CLI against the embedded controller emulator; a second plan is empty.

A state written before ``AkoCluster`` synthesized its own module (when the stack called
albform's built-in ``source = "albform/ako"``) plans no change against the synthesized one:
same addresses, same objects."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "cdktf-lb-demo" / "main.py"


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _synth(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example synthesized under ``tmp_path``; the environment for the emulator."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD", "CDKTF_OUTDIR")}
    env["ALBFORM_EMULATOR_DB"] = str(tmp_path / "emulator.db")
    synth = _run([sys.executable, str(EXAMPLE)], tmp_path, env)
    assert synth.returncode == 0, synth.stderr
    return tmp_path / "cdktf.out" / "stacks" / "lb-demo", env


def test_cdktf_app_plans_applies_and_converges(tmp_path: Path) -> None:
    stack_dir, env = _synth(tmp_path)
    assert (stack_dir / "cdk.tf.json").is_file()
    albform = [sys.executable, "-m", "albform", f"-chdir={stack_dir}"]

    plan = _run([*albform, "plan", "-out=tfplan"], tmp_path, env)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    shown = _run([*albform, "show", "-json", "tfplan"], tmp_path, env)
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    # The module's resources are configured under its call, addressed relative to it.
    call = doc["configuration"]["root_module"]["module_calls"]["kubeadm"]
    assert call["source"] == "./modules/ako-kubeadm"
    assert {r["type"] for r in call["module"]["resources"]} >= {"avi_virtualservice"}
    actions = {rc["address"]: rc["change"]["actions"] for rc in doc["resource_changes"]}
    assert actions["avi_network.vlan2900"] == ["create"]
    assert "create" in actions["avi_ipamdnsproviderprofile.ipam"]
    assert any(a.startswith("module.kubeadm.avi_virtualservice.ako[") for a in actions)

    applied = _run([*albform, "apply", "-auto-approve", "-no-color"], tmp_path, env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "2 imported" in applied.stdout

    # The backend the app chose: a state file in the stack directory, with the VIP the
    # module's VsVip got from the IPAM range the same stack configured.
    state = json.loads((stack_dir / "terraform.lb-demo.tfstate").read_text())
    vsvips = [inst["attributes"] for res in state["resources"] if res["type"] == "avi_vsvip"
              for inst in res["instances"]]
    assert len(vsvips) == 1
    # Typed as the official provider types it: nested objects are one-element blocks.
    vip = ipaddress.ip_address(vsvips[0]["vip"][0]["ip_address"][0]["addr"])
    assert ipaddress.ip_address("172.19.0.100") <= vip <= ipaddress.ip_address("172.19.0.150")

    again = _run([*albform, "plan", "-detailed-exitcode", "-no-color"], tmp_path, env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout


def _builtin_call(stack_dir: Path) -> str:
    """The stack as the constructs synthesized it before: the module call of albform's
    built-in ``albform/ako`` with the cluster's inputs."""
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    demo = REPO / "examples" / "lb-demo"
    doc["module"]["kubeadm"] = {
        "source": "albform/ako", "manifests": [str(demo / "manifests")],
        "ako_config": str(demo / "avi-k8s-config.yaml"),
        "controller_facts": str(demo / "controller-facts.yaml"),
        "depends_on": doc["module"]["kubeadm"]["depends_on"]}
    return json.dumps(doc)


def test_a_state_from_the_builtin_module_plans_no_change(tmp_path: Path) -> None:
    stack_dir, env = _synth(tmp_path)
    synthesized = (stack_dir / "cdk.tf.json").read_text()
    albform = [sys.executable, "-m", "albform", f"-chdir={stack_dir}"]

    (stack_dir / "cdk.tf.json").write_text(_builtin_call(stack_dir))
    applied = _run([*albform, "apply", "-auto-approve", "-no-color"], tmp_path, env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    state = json.loads((stack_dir / "terraform.lb-demo.tfstate").read_text())
    before = {(r.get("module"), r["type"], r["name"]) for r in state["resources"]}
    assert ("module.kubeadm", "avi_virtualservice", "ako") in before

    (stack_dir / "cdk.tf.json").write_text(synthesized)
    plan = _run([*albform, "plan", "-detailed-exitcode", "-no-color"], tmp_path, env)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes." in plan.stdout
