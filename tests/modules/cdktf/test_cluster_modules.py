"""``AkoCluster``/``AmkoGslb`` synthesize a local module (``modules/<kind>-<id>/``) that real
Terraform accepts and albform plans as its built-in modules did:

* the synthesized files are the same bytes on every synth;
* for every translator case (``tests/modules/k8s/cases``) and the shipped examples, the
  module's resource blocks, dynamic blocks and data are what the official provider's schema
  (``official_schema.json.gz``) accepts, and albform reading the module gets back exactly
  the objects (in the provider's configuration form) at the same addresses, in the same order
  across types;
* objects referring to others of their type (SNI/EVH children) sit in a later tier's block
  that depends on their parents' block, and albform reads that dependency;
* real ``terraform init`` (1.11, offline: the provider comes from a filesystem mirror)
  accepts the synthesized stack, where it rejects albform's ``source = "albform/ako"``.
  ``terraform validate`` would need the provider's plugin, which cannot be installed here, so
  the module's skeleton (``for_each``, ``depends_on``, ``moved``, outputs) is checked by real
  Terraform with its built-in ``terraform_data`` standing in for each Avi resource block: a
  state with the built-in module's addresses is moved into the tiers with no other change,
  and a first apply creates parents before their children.
"""

from __future__ import annotations

import json
import os
import re
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
        assert set(named) == set(objects[tf_type])
        for name, body in named.items():
            assert body["for_each"] == f"${{local.albform.resources.{tf_type}.{name}}}"
            assert _schema_problems(tf_type, block["attributes"], body, tf_type) == []
            for key, value in objects[tf_type][name].items():
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


def _moves(module_dir: Path) -> dict[str, str]:
    """The module's ``moved`` blocks, from -> to (addresses relative to the module)."""
    main = json.loads((module_dir / "main.tf.json").read_text())
    return {m["from"]: m["to"] for m in main.get("moved", [])}


def _read_back(root: Path, configuration: Configuration) -> None:
    """albform reads the module: the same addresses (or, for an object referring to one of
    its own type, the address its ``moved`` block names), each object's attributes exactly
    its configuration form (but for ``[]`` where it sets no list block), and every
    dependency kept, on other types and on objects of its own type alike."""
    config, diags = load_configuration(root)
    assert not diags.has_errors(), [str(d) for d in diags]
    read = {str(r.address).removeprefix("module.k."): r for r in config.resources}
    moves = _moves(root / "modules" / "ako-k")
    here = {str(r.address): moves.get(str(r.address), str(r.address))
            for r in configuration.resources}
    # (A translation may make one object twice, a shared certificate: one instance.)
    assert sorted(read) == sorted(set(here.values()))
    for resource in configuration.resources:
        address = here[str(resource.address)]
        expected, left_out = config_form(resource.address.type, resource.attributes)
        assert left_out == []
        assert _unset_lists_dropped(read[address].attributes, expected) == expected, address
        deps = {str(d) for d in read[address].dependencies()}
        assert {f"module.k.{here.get(str(d), str(d))}" for d in resource.depends_on} <= deps, \
            address


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


def test_module_files_holding_private_keys_are_readable_by_their_owner_only(
        tmp_path: Path) -> None:
    """``objects.json`` carries a TLS Secret's private key (Terraform needs it in the
    configuration): written 0600, like albform's state files, never world-readable."""
    spec = yaml.safe_load((CASES / "sni_secure_host" / "input.yaml").read_text())
    (tmp_path / "k8s.yaml").write_text(yaml.safe_dump_all(spec["objects"]))
    (tmp_path / "cm.yaml").write_text(yaml.safe_dump({"kind": "ConfigMap", "data": {
        k: v if isinstance(v, str) else json.dumps(v) for k, v in spec["config"].items()}}))
    app = App(outdir=tmp_path / "out")
    AkoCluster(Stack(app, "s"), "k", manifests=[tmp_path / "k8s.yaml"],
               ako_config=tmp_path / "cm.yaml")
    app.synth()
    module = tmp_path / "out" / "stacks" / "s" / "modules" / "ako-k"
    assert "PRIVATE KEY" in (module / "objects.json").read_text()
    assert {p.name: p.stat().st_mode & 0o777 for p in module.iterdir()} == {
        "main.tf.json": 0o600, "objects.json": 0o600}


def _stand_in(main: Mapping[str, Any], *, tiered: bool) -> dict[str, Any]:
    """The module ``main`` with ``terraform_data.<type>__<block>`` standing in for each
    resource block (same ``for_each``, ``depends_on``, ``moved`` and outputs). Not
    ``tiered``: one block per type over all its objects, as the built-in module addresses
    them, and no ``moved`` blocks."""
    blocks = {f"{t}.{b}": f"terraform_data.{t}__{b if tiered else 'ako'}"
              for t, named in main["resource"].items() for b in named}

    def rename(doc: Any) -> Any:
        text = re.sub(r"(?<![\w.])avi_\w+\.\w+",
                      lambda m: blocks.get(m.group(0), m.group(0)), json.dumps(doc))
        return json.loads(text)

    resources: dict[str, Any] = {}
    for tf_type, named in main["resource"].items():
        if not tiered:
            maps = ", ".join(b["for_each"][2:-1] for b in named.values())
            resources[f"{tf_type}__ako"] = {"for_each": f"${{merge({maps})}}",
                                            "input": "${each.key}"}
            continue
        for name, body in named.items():
            resources[f"{tf_type}__{name}"] = {
                "for_each": body["for_each"], "input": "${each.key}",
                **({"depends_on": rename(body["depends_on"])} if "depends_on" in body else {})}
    doc = {"locals": main["locals"], "resource": {"terraform_data": resources},
           "output": rename(main["output"])}
    if tiered:
        doc["moved"] = rename(main["moved"])
    return doc


@pytest.mark.terraform
@pytest.mark.parametrize("case", ["sni_secure_host", "infra_evh_naming",
                                  "route_reencrypt_naming"])
def test_terraform_moves_a_builtin_module_state_into_tiers_and_orders_them(
        case: str, tmp_path: Path) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    configuration = _case_configuration(CASES / case)
    assert configuration is not None
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
           "TF_PLUGIN_CACHE_DIR": ""}

    def run(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([terraform, f"-chdir={where}", *args, "-no-color"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 2), done.stdout + done.stderr
        return done

    def stand_in(root: Path, *, tiered: bool) -> dict[str, Any]:
        module_dir = root / "modules" / "ako-k"
        if not module_dir.exists():
            _write_module(root, configuration)
            (root / "main.tf.json").write_text(json.dumps(
                {"module": {"k": {"source": "./modules/ako-k"}},
                 "output": {"vs_keys": {"value": "${keys(module.k.virtualservices)}"}}}))
        main = json.loads((module_dir / "main.tf.json").read_text())
        (module_dir / "stand_in.tf.json").write_text(json.dumps(_stand_in(main,
                                                                          tiered=tiered)))
        (module_dir / "main.tf.json").rename(module_dir / "main.json")  # not read
        return main

    # A state with the built-in module's addresses, moved into the tiers: nothing else.
    main = stand_in(tmp_path, tiered=False)
    moved = {f"module.k.{m['from']}": f"module.k.{m['to']}" for m in main["moved"]}
    assert moved and all(".ako_tier" in to for to in moved.values())
    run(tmp_path, "init", "-input=false")
    run(tmp_path, "apply", "-auto-approve", "-input=false")
    (tmp_path / "modules" / "ako-k" / "main.json").rename(
        tmp_path / "modules" / "ako-k" / "main.tf.json")
    stand_in(tmp_path, tiered=True)
    plan = run(tmp_path, "plan", "-out=tfplan", "-detailed-exitcode", "-input=false")
    assert plan.returncode == 2, plan.stdout  # moves change the state
    changes = json.loads(run(tmp_path, "show", "-json", "tfplan").stdout)["resource_changes"]
    assert {c["change"]["actions"][0] for c in changes} == {"no-op"}
    assert {re.sub(r"terraform_data\.(\w+?)__(\w+)", r"\1.\2", c["previous_address"]):
            re.sub(r"terraform_data\.(\w+?)__(\w+)", r"\1.\2", c["address"])
            for c in changes if "previous_address" in c} == moved
    run(tmp_path, "apply", "-input=false", "tfplan")
    assert run(tmp_path, "plan", "-detailed-exitcode", "-input=false").returncode == 0
    vs_keys = json.loads(run(tmp_path, "output", "-json", "vs_keys").stdout)
    assert sorted(vs_keys) == sorted({str(r.address.key) for r in configuration.resources
                                      if r.address.type == "avi_virtualservice"})

    # From an empty state: each child is created after every object it refers to.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    stand_in(fresh, tiered=True)
    run(fresh, "init", "-input=false")
    events = [json.loads(line) for line in run(fresh, "apply", "-auto-approve", "-json",
                                               "-input=false").stdout.splitlines()]
    done = {e["hook"]["resource"]["addr"]: i for i, e in enumerate(events)
            if e["type"] == "apply_complete"}
    started = {e["hook"]["resource"]["addr"]: i for i, e in enumerate(events)
               if e["type"] == "apply_start"}

    def stand_in_address(address: str) -> str:
        return "module.k." + re.sub(r"^(\w+)\.(\w+)", r"terraform_data.\1__\2",
                                    moved.get(f"module.k.{address}", f"module.k.{address}")
                                    .removeprefix("module.k."))

    pairs = [(stand_in_address(str(r.address)), stand_in_address(str(d)))
             for r in configuration.resources for d in r.depends_on
             if d.type == r.address.type]
    assert pairs
    for child, parent in pairs:
        assert done[parent] < started[child], (child, parent)


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
    # A module with tiers and moved blocks (SNI children) is accepted too.
    tiered = tmp_path / "tiered"
    configuration = _case_configuration(CASES / "sni_secure_host")
    assert configuration is not None
    assert "moved" in json.loads((_write_module(tiered, configuration) / "main.tf.json")
                                 .read_text())
    done = init(tiered)
    assert done.returncode == 0, done.stdout + done.stderr
    # The oracle can fail: the call of albform's built-in module is refused.
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    doc["module"]["kubeadm"]["source"] = "albform/ako"
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    (builtin / "cdk.tf.json").write_text(json.dumps(doc))
    refused = init(builtin)
    assert refused.returncode != 0
    assert "Invalid module source address" in refused.stderr


APP = '''\
import os
import sys
from pathlib import Path

import albform.modules.cdktf as lib

DEMO, OUT = Path(sys.argv[1]), Path(sys.argv[2])
app = lib.App(outdir=str(OUT))
stack = lib.Stack(app, "s")
here = OUT.resolve() / "stacks" / "s"
lib.AkoCluster(stack, "k", manifests=[os.path.relpath(DEMO / "manifests", here)],
               ako_config=os.path.relpath(DEMO / "avi-k8s-config.yaml", here),
               controller_facts=os.path.relpath(DEMO / "controller-facts.yaml", here))
app.synth()
'''


def test_cluster_module_warnings_point_at_the_app_line(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy
    import warnings

    from albform.modules.cdktf import ClusterModuleWarning

    app = tmp_path / "app.py"
    app.write_text(APP)
    demo = Path(__file__).resolve().parents[3] / "examples" / "lb-demo"
    monkeypatch.setattr(sys, "argv", [str(app), str(demo), str(tmp_path / "out")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ClusterModuleWarning)
        runpy.run_path(str(app), run_name="__main__")
    found = [w for w in caught if issubclass(w.category, ClusterModuleWarning)]
    assert found
    synth_line = APP.splitlines().index("app.synth()") + 1
    assert {(w.filename, w.lineno) for w in found} == {(str(app), synth_line)}
