"""The CDKTF lb-demo app, synthesized by the pure-Python constructs, planned and applied by
the real ``albform`` CLI against the embedded controller emulator; a second plan is empty.

A state written before ``AkoCluster`` synthesized its own module (when the stack called
albform's built-in ``source = "albform/ako"``) plans no change against the synthesized one:
same addresses, same objects — but for SNI children, which the synthesized module keeps in a
block of their own (``ako_tier1``, after their parents') and carries over with ``moved``
blocks: the plan moves them and changes nothing.

With a TLS Ingress (an SNI child under the shared parent virtual service), the first apply
succeeds and creates the parent before the child, at any parallelism."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import albform.modules.cdktf as pure
from albform.modules.cdktf import ClusterModuleWarning
from albform.modules.hcl.load import load_configuration

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "cdktf-lb-demo" / "main.py"
DEMO_MANIFESTS = REPO / "examples" / "lb-demo" / "manifests"
HOST = "secure.lb-demo.example"
# AKO's names for the shared L7 parent and the host's SNI child (docs/ako-translation.md 4.4/4.5).
VS = "module.kubeadm.avi_virtualservice"
PARENT = f'{VS}.ako["kubeadm-cluster--Shared-L7-0"]'
CHILD_BUILTIN = f'{VS}.ako["kubeadm-cluster--{HOST}"]'
CHILD = f'{VS}.ako_tier1["kubeadm-cluster--{HOST}"]'


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _emulator_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD", "CDKTF_OUTDIR")}
    env["ALBFORM_EMULATOR_DB"] = str(tmp_path / "emulator.db")
    return env


def _synth(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example synthesized under ``tmp_path``; the environment for the emulator."""
    env = _emulator_env(tmp_path)
    synth = _run([sys.executable, str(EXAMPLE)], tmp_path, env)
    assert synth.returncode == 0, synth.stderr
    return tmp_path / "cdktf.out" / "stacks" / "lb-demo", env


def _example() -> ModuleType:
    """The example's ``main.py``, under a name no other module has."""
    spec = importlib.util.spec_from_file_location("cdktf_lb_demo_main", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example


def _self_signed(host: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode())


def _tls_manifests(root: Path) -> Path:
    """The demo's manifests plus a TLS Ingress for ``HOST`` (with its Secret) in front of
    the demo Service: AKO makes it an SNI child of the shared L7 parent."""
    manifests = root / "manifests"
    shutil.copytree(DEMO_MANIFESTS, manifests)
    cert, key = _self_signed(HOST)
    (manifests / "tls.yaml").write_text(json.dumps({"apiVersion": "v1", "kind": "List",
                                                    "items": [
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "avi-lb"}, "spec": {"controller": "ako.vmware.com/avi-lb"}},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
         "metadata": {"name": "lb-demo-tls", "namespace": "default"},
         "stringData": {"tls.crt": cert, "tls.key": key}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
         "metadata": {"name": "lb-demo", "namespace": "default"},
         "spec": {"ingressClassName": "avi-lb",
                  "tls": [{"hosts": [HOST], "secretName": "lb-demo-tls"}],
                  "rules": [{"host": HOST, "http": {"paths": [
                      {"path": "/", "pathType": "Prefix", "backend": {
                          "service": {"name": "lb-demo", "port": {"number": 80}}}}]}}]}}]}))
    return manifests


def _synth_tls(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example app with the TLS Ingress, synthesized in-process by the pure constructs;
    the environment for the emulator. No warning speaks of ordering any more."""
    outdir = tmp_path / "cdktf.out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ClusterModuleWarning)
        _example().build(pure, outdir, manifests=_tls_manifests(tmp_path)).synth()
    messages = [str(w.message) for w in caught]
    assert messages and all(issubclass(w.category, ClusterModuleWarning) for w in caught)
    assert all("avi_vrfcontext_static_route" in m for m in messages), messages
    return outdir / "stacks" / "lb-demo", _emulator_env(tmp_path)


def _events(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def _position(events: list[dict[str, object]], kind: str, address: str) -> int:
    found = [i for i, e in enumerate(events) if e["type"] == kind
             and e["hook"]["resource"]["addr"] == address]  # type: ignore[index]
    assert len(found) == 1, (kind, address, found)
    return found[0]


@pytest.mark.parametrize("parallelism", [1, 10])
def test_sni_children_are_created_after_their_parent_on_the_first_apply(
        tmp_path: Path, parallelism: int) -> None:
    stack_dir, env = _synth_tls(tmp_path)
    # The dependency albform orders by: the child's block depends on its parent's.
    config, diags = load_configuration(stack_dir)
    assert not diags.has_errors(), [str(d) for d in diags]
    child = next(r for r in config.resources if str(r.address) == CHILD)
    assert PARENT in {str(a) for a in child.dependencies()}

    albform = [sys.executable, "-m", "albform", f"-chdir={stack_dir}"]
    applied = _run([*albform, "apply", "-auto-approve", "-json",
                    f"-parallelism={parallelism}"], tmp_path, env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    events = _events(applied.stdout)
    assert not [e for e in events if e["type"] == "apply_errored"]
    assert _position(events, "apply_complete", PARENT) < \
        _position(events, "apply_start", CHILD)

    again = _run([*albform, "plan", "-detailed-exitcode", "-no-color"], tmp_path, env)
    assert again.returncode == 0, again.stdout + again.stderr


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


def _builtin_call(stack_dir: Path, manifests: Path = DEMO_MANIFESTS) -> str:
    """The stack as the constructs synthesized it before: the module call of albform's
    built-in ``albform/ako`` with the cluster's inputs."""
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    demo = REPO / "examples" / "lb-demo"
    doc["module"]["kubeadm"] = {
        "source": "albform/ako", "manifests": [str(manifests)],
        "ako_config": str(demo / "avi-k8s-config.yaml"),
        "controller_facts": str(demo / "controller-facts.yaml"),
        "depends_on": doc["module"]["kubeadm"]["depends_on"]}
    return json.dumps(doc)


def _apply_with_builtin_module(stack_dir: Path, tmp_path: Path, env: dict[str, str],
                               manifests: Path = DEMO_MANIFESTS) -> set[tuple[str, str, str]]:
    """Apply the stack as it was with the built-in module; the state's resources."""
    albform = [sys.executable, "-m", "albform", f"-chdir={stack_dir}"]
    (stack_dir / "cdk.tf.json").write_text(_builtin_call(stack_dir, manifests))
    applied = _run([*albform, "apply", "-auto-approve", "-no-color"], tmp_path, env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    state = json.loads((stack_dir / "terraform.lb-demo.tfstate").read_text())
    return {(r.get("module"), r["type"], r["name"]) for r in state["resources"]}


def test_a_state_from_the_builtin_module_plans_no_change(tmp_path: Path) -> None:
    stack_dir, env = _synth(tmp_path)
    synthesized = (stack_dir / "cdk.tf.json").read_text()
    albform = [sys.executable, "-m", "albform", f"-chdir={stack_dir}"]

    before = _apply_with_builtin_module(stack_dir, tmp_path, env)
    assert ("module.kubeadm", "avi_virtualservice", "ako") in before

    (stack_dir / "cdk.tf.json").write_text(synthesized)
    plan = _run([*albform, "plan", "-detailed-exitcode", "-no-color"], tmp_path, env)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes." in plan.stdout


def test_a_state_from_the_builtin_module_moves_sni_children_and_changes_nothing(
        tmp_path: Path) -> None:
    stack_dir, env = _synth_tls(tmp_path)
    synthesized = (stack_dir / "cdk.tf.json").read_text()
    albform = [sys.executable, "-m", "albform", f"-chdir={stack_dir}"]
    before = _apply_with_builtin_module(stack_dir, tmp_path, env, tmp_path / "manifests")
    assert ("module.kubeadm", "avi_virtualservice", "ako_tier1") not in before

    (stack_dir / "cdk.tf.json").write_text(synthesized)
    plan = _run([*albform, "plan", "-out=tfplan", "-detailed-exitcode", "-no-color"],
                tmp_path, env)
    assert plan.returncode == 2, plan.stdout + plan.stderr  # moves are changes to the state
    assert f"# {CHILD_BUILTIN} has moved to {CHILD}" in plan.stdout
    assert "Plan: 0 to add, 0 to change, 0 to destroy." in plan.stdout
    shown = json.loads(_run([*albform, "show", "-json", "tfplan"], tmp_path, env).stdout)
    changed = {rc["address"]: (rc["change"]["actions"], rc.get("previous_address"))
               for rc in shown["resource_changes"]
               if rc["change"]["actions"] != ["no-op"] or "previous_address" in rc}
    assert changed == {CHILD: (["no-op"], CHILD_BUILTIN)}

    applied = _run([*albform, "apply", "-no-color", "tfplan"], tmp_path, env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = _run([*albform, "plan", "-detailed-exitcode", "-no-color"], tmp_path, env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout
