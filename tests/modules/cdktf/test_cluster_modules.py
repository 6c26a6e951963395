"""``AkoCluster``/``AmkoGslb`` synthesize a local module (``modules/<kind>-<id>/``) that real
Terraform accepts and albform plans as its built-in modules did:

* the synthesized files are the same bytes on every synth;
* for every translator case (``tests/modules/k8s/cases``) and the shipped examples, the
  module's resource blocks, dynamic blocks and data are what the official provider's schema
  (``official_schema.json.gz``) accepts, and albform reading the module gets back exactly
  the objects (in the provider's configuration form) at the same addresses, in the same order
  across types;
* real ``terraform init`` (1.11, offline: the provider comes from a filesystem mirror)
  accepts the synthesized stack, where it rejects albform's ``source = "albform/ako"``.
  ``terraform validate`` would need the provider's plugin, which cannot be installed here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from albform.engine.config import Configuration
from albform.modules.cdktf import AkoCluster, App, ClusterSynthError, Stack
from albform.modules.cdktf.cluster_module import dumps, expand
from albform.modules.cdktf.clusters import AKO
from albform.modules.hcl.load import load_configuration
from albform.modules.k8s.settings import settings_from_values
from albform.modules.k8s.translate import translate
from albform.provider.schema.official_view import (
    check_body,
    config_form,
    load_official,
    nested_block,
    official_block,
)

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "cdktf-lb-demo" / "main.py"
CASES = REPO / "tests" / "modules" / "k8s" / "cases"
# albform's own partial resource (docs: static routes); the official provider has no such type.
ALBFORM_ONLY = {"avi_vrfcontext_static_route"}


def _case_configuration(case: Path) -> Configuration | None:
    sys.path.insert(0, str(CASES.parent))
    try:
        from test_cases import _facts  # the translator cases' own reading of their facts
    finally:
        sys.path.pop(0)
    spec = yaml.safe_load((case / "input.yaml").read_text())
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in spec["config"].items()}
    settings, _ = settings_from_values(config, {}, "input.yaml")
    if settings is None:
        return None
    translation, _ = translate(spec.get("objects") or [], settings,
                               _facts(spec.get("facts") or {}))
    return None if translation is None else translation.to_configuration()


def _is_block(facts: Mapping[str, Any] | None) -> bool:
    return (facts is not None and facts["type"] in ("list", "set")
            and facts.get("elem") in load_official()["blocks"])


def _schema_problems(tf_type: str, attrs: Mapping[str, Any], body: Mapping[str, Any],
                     where: str) -> list[str]:
    """What the official schema rejects in a resource body of ``main.tf.json``: arguments it
    lacks, blocks written as arguments, dynamic blocks of types it lacks, required arguments
    missing, at every depth of the dynamic blocks' content."""
    problems: list[str] = []
    dynamic = body.get("dynamic", {})
    for key in body:
        if key in ("for_each", "depends_on", "dynamic", "//"):
            continue
        facts = attrs.get(key)
        if facts is None or _is_block(facts):
            problems.append(f"{where}.{key}: not an argument of {tf_type}")
    for label, block in dynamic.items():
        facts = attrs.get(label)
        if not _is_block(facts):
            problems.append(f"{where}.dynamic.{label}: not a block type of {tf_type}")
            continue
        assert set(block) == {"for_each", "content"}
        problems += _schema_problems(tf_type, nested_block(facts["elem"])["attributes"],
                                     block["content"], f"{where}.{label}")
    for name, facts in attrs.items():
        if facts.get("required") and name not in body and name not in dynamic:
            problems.append(f"{where}: required argument {name} missing")
    return problems


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _check_module(module_dir: Path) -> None:
    """``main.tf.json`` and every object of ``objects.json`` against the official schema."""
    main = json.loads((module_dir / "main.tf.json").read_text())
    objects = json.loads((module_dir / "objects.json").read_text())["resources"]
    assert main["terraform"]["required_providers"]["avi"]["source"] == "vmware/avi"
    for tf_type, named in main.get("resource", {}).items():
        block = official_block(tf_type)
        if block is None:
            assert tf_type in ALBFORM_ONLY, tf_type
            continue
        for body in named.values():
            assert body["for_each"] == f"${{local.albform.resources.{tf_type}}}"
            assert _schema_problems(tf_type, block["attributes"], body, tf_type) == []
        for key, value in objects[tf_type].items():
            assert check_body(tf_type, _without_nulls(value)) == [], (tf_type, key)


def _write_module(root: Path, configuration: Configuration) -> Path:
    result = expand(configuration, outputs=AKO.outputs, description="test")
    module_dir = root / "modules" / "ako-k"
    module_dir.mkdir(parents=True)
    for name, doc in result.files.items():
        (module_dir / name).write_text(dumps(doc))
    (root / "main.tf.json").write_text(json.dumps(
        {"module": {"k": {"source": "./modules/ako-k"}},
         "output": {"names": {"value": "${module.k.names}"}}}))
    return module_dir


def _unset_lists_dropped(read: Any, expected: Any) -> Any:
    """``read`` without the empty lists standing for blocks ``expected`` does not set: no
    block of a list reads as ``[]``, equal to an unset list in the diff (rule 2)."""
    if isinstance(read, dict) and isinstance(expected, dict):
        return {k: _unset_lists_dropped(v, expected.get(k)) for k, v in read.items()
                if k in expected or v != []}
    if isinstance(read, list) and isinstance(expected, list) and len(read) == len(expected):
        return [_unset_lists_dropped(r, e) for r, e in zip(read, expected, strict=True)]
    return read


def _read_back(root: Path, configuration: Configuration) -> None:
    """albform reads the module: the same addresses, each object's attributes exactly its
    configuration form (but for ``[]`` where it sets no list block), and every dependency
    on another type kept."""
    config, diags = load_configuration(root)
    assert not diags.has_errors(), [str(d) for d in diags]
    read = {str(r.address).removeprefix("module.k."): r for r in config.resources}
    # (A translation may make one object twice, a shared certificate: one instance.)
    assert sorted(read) == sorted({str(r.address) for r in configuration.resources})
    for resource in configuration.resources:
        address = str(resource.address)
        expected, left_out = config_form(resource.address.type, resource.attributes)
        assert left_out == []
        assert _unset_lists_dropped(read[address].attributes, expected) == expected, address
        deps = {str(d) for d in read[address].depends_on}
        assert {f"module.k.{d}" for d in resource.depends_on
                if d.type != resource.address.type} <= deps, address


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_every_translator_case_synthesizes_a_module_the_schema_and_albform_accept(
        case: str, tmp_path: Path) -> None:
    configuration = _case_configuration(CASES / case)
    if configuration is None or not configuration.resources:
        pytest.skip("the case translates to no objects (it tests diagnostics)")
    module_dir = _write_module(tmp_path, configuration)
    _check_module(module_dir)
    _read_back(tmp_path, configuration)


def _synth_example(outdir: Path) -> Path:
    proc = subprocess.run([sys.executable, str(EXAMPLE), "--outdir", str(outdir)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # The one warning: static routes are albform's own type.
    assert "ClusterModuleWarning" in proc.stderr and "avi_vrfcontext_static_route" in \
        proc.stderr
    return outdir / "stacks" / "lb-demo"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_the_example_synthesizes_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = _files(_synth_example(tmp_path / "a"))
    assert {"cdk.tf.json", "modules/ako-kubeadm/main.tf.json",
            "modules/ako-kubeadm/objects.json"} <= set(first)
    assert _files(_synth_example(tmp_path / "b")) == first
    assert _files(_synth_example(tmp_path / "a")) == first  # over the previous synth
    _check_module(tmp_path / "a" / "stacks" / "lb-demo" / "modules" / "ako-kubeadm")


def test_bad_inputs_stop_the_synth_with_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "avi-k8s-config.yaml"
    config.write_text("kind: ConfigMap\ndata:\n  clusterName: [not, a, string]\n")
    app = App(outdir=tmp_path / "out")
    AkoCluster(Stack(app, "s"), "k", manifests=[tmp_path], ako_config=config)
    with pytest.raises(ClusterSynthError, match=r"s/k: the AKO inputs have errors:\n.*"
                       r"avi-k8s-config\.yaml:\d+"):
        app.synth()
    assert not (tmp_path / "out" / "stacks" / "s" / "modules").exists()


@pytest.mark.terraform
def test_terraform_init_accepts_the_synthesized_stack(tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    stack_dir = _synth_example(tmp_path / "out")
    # Offline: the provider "installs" from a filesystem mirror holding a stand-in binary
    # (init never runs it); nothing is fetched.
    mirror = tmp_path / "mirror" / "registry.terraform.io" / "vmware" / "avi" / "30.2.1" / \
        "linux_amd64"
    mirror.mkdir(parents=True)
    stub = mirror / "terraform-provider-avi_v30.2.1"
    stub.write_text("#!/bin/sh\nexit 1\n")
    stub.chmod(0o755)
    rc = tmp_path / "terraformrc"
    rc.write_text('provider_installation {\n  filesystem_mirror {\n'
                  f'    path = "{tmp_path / "mirror"}"\n'
                  '    include = ["registry.terraform.io/vmware/avi"]\n  }\n}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1", "TF_PLUGIN_CACHE_DIR": ""}

    def init(where: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([terraform, f"-chdir={where}", "init", "-backend=false",
                               "-input=false", "-no-color"], env=env, capture_output=True,
                              text=True, timeout=120)

    done = init(stack_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Terraform has been successfully initialized" in done.stdout
    # The oracle can fail: the call of albform's built-in module is refused.
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    doc["module"]["kubeadm"]["source"] = "albform/ako"
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    (builtin / "cdk.tf.json").write_text(json.dumps(doc))
    refused = init(builtin)
    assert refused.returncode != 0
    assert "Invalid module source address" in refused.stderr
