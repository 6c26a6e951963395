"""A saved plan records a digest of every input its configuration was read from — the HCL
files, and what the ``albform/ako`` module read (manifests, the AKO ConfigMap) — and
``apply PLANFILE`` refuses, naming the changed input and sending nothing, once one changed.
Cluster plans use the same record."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _examples(tmp_path: Path) -> Path:
    for name in ("nsx-alb-setup", "lb-demo"):
        shutil.copytree(REPO / "examples" / name, tmp_path / "ex" / name)
    return tmp_path / "ex"


def _scale(lb_demo: Path) -> Path:
    """Replace the Deployment's endpoints with the scaled-out ones; the changed file."""
    changed = []
    for scaled in sorted((lb_demo / "manifests-scaled").iterdir()):
        target = lb_demo / "manifests" / scaled.name
        if not target.exists() or target.read_bytes() != scaled.read_bytes():
            shutil.copy(scaled, target)
            changed.append(target)
    assert len(changed) == 1, changed
    return changed[0]


def test_hcl_plan_refuses_once_a_module_input_changed(albform: Any, tmp_path: Path) -> None:
    ex = _examples(tmp_path)
    chdir, state = f"-chdir={ex / 'nsx-alb-setup'}", f"-state={tmp_path / 'tf.tfstate'}"
    planned = albform(chdir, "plan", f"-out={tmp_path / 'tfplan'}", state)
    assert planned.code == 0, planned.err
    changed = _scale(ex / "lb-demo")

    refused = albform(chdir, "apply", str(tmp_path / "tfplan"), state, "-no-color")
    assert refused.code == 1
    assert "Saved plan does not match the configuration" in refused.err
    assert str(changed.resolve()) in refused.err
    assert not (tmp_path / "tf.tfstate").exists()  # nothing was applied

    again = albform(chdir, "plan", f"-out={tmp_path / 'tfplan'}", state)
    assert again.code == 0, again.err
    applied = albform(chdir, "apply", str(tmp_path / "tfplan"), state)
    assert applied.code == 0, applied.out + applied.err


def test_hcl_plan_refuses_once_a_tf_file_changed(albform: Any, tmp_path: Path) -> None:
    ex = _examples(tmp_path)
    main_tf = ex / "nsx-alb-setup" / "main.tf"
    chdir, state = f"-chdir={main_tf.parent}", f"-state={tmp_path / 'tf.tfstate'}"
    assert albform(chdir, "plan", f"-out={tmp_path / 'tfplan'}", state).code == 0
    main_tf.write_text(main_tf.read_text().replace('"172.19.0.150"', '"172.19.0.160"'))
    refused = albform(chdir, "apply", str(tmp_path / "tfplan"), state)
    assert refused.code == 1 and str(main_tf.resolve()) in refused.err


def test_cluster_plan_refuses_through_the_same_record(albform: Any, tmp_path: Path) -> None:
    lb_demo = _examples(tmp_path) / "lb-demo"
    inputs = ["--manifests", str(lb_demo / "manifests"), "--ako-config",
              str(lb_demo / "avi-k8s-config.yaml"), "--controller-facts",
              str(lb_demo / "controller-facts.yaml"), f"-state={tmp_path / 'k.tfstate'}"]
    assert albform("cluster", "plan", f"-out={tmp_path / 'kplan'}", *inputs).code == 0
    changed = _scale(lb_demo)
    refused = albform("apply", str(tmp_path / "kplan"), f"-state={tmp_path / 'k.tfstate'}")
    assert refused.code == 1
    assert "Saved plan does not match the configuration" in refused.err
    assert str(changed.resolve()) in refused.err


def test_a_file_read_by_a_function_is_an_input(albform: Any, tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "description.tpl").write_text("pool for ${name}")
    (config / "main.tf").write_text(
        'resource "avi_pool" "web" {\n'
        '  name        = "web"\n'
        '  description = templatefile("description.tpl", { name = "web" })\n'
        '}\n')
    chdir, state = f"-chdir={config}", f"-state={tmp_path / 'tf.tfstate'}"
    assert albform(chdir, "plan", f"-out={tmp_path / 'tfplan'}", state).code == 0
    (config / "description.tpl").write_text("pool serving ${name}")
    refused = albform(chdir, "apply", str(tmp_path / "tfplan"), state)
    assert refused.code == 1
    assert str((config / "description.tpl").resolve()) in refused.err
