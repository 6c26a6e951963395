"""The human renderer against real ``terraform plan`` output (``terraform_data``, offline).

Terraform plans a change set; its own plan JSON (before, after, after_unknown, actions,
reasons) is turned into our ``Plan`` and rendered with ``product="Terraform"``. The text from
the legend through "Changes to Outputs:" must equal Terraform's byte for byte: phrases,
symbols, padding, nesting, hidden-attribute counts and the summary line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, OutputChange, Plan, ResourceChange
from albform.engine.config import Configuration
from albform.engine.render import render_plan_human
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.model import State
from albform.engine.values import UNKNOWN

pytestmark = pytest.mark.terraform

TERRAFORM = shutil.which("terraform")
SCHEMA = ResourceSchema("terraform_data", {
    "id": AttributeSchema("id", computed=True),
    "input": AttributeSchema("input", type="any"),
    "output": AttributeSchema("output", type="any", computed=True),
    "triggers_replace": AttributeSchema("triggers_replace", type="any"),
}, id_attribute="id")

FIRST = """
resource "terraform_data" "pool" { input = "web" }
resource "terraform_data" "gone" { input = "x" }
resource "terraform_data" "rep" {
  input            = "a"
  triggers_replace = "1"
}
resource "terraform_data" "cbd" {
  input            = "a"
  triggers_replace = "1"
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "obj" {
  input = {
    a = 1, longkeyname = "x", l = [1, 2, 3, 4, 5, 6],
    n = { deep = 1, deeplongname = 2 },
    servers = [{ ip = "1.1.1.1", port = 80 }, { ip = "1.1.1.2", port = 81 }]
  }
}
output "vs" { value = terraform_data.pool.output }
"""

# The changes SECOND makes to FIRST, which THIRD_MOVED keeps.
CHANGED = """
resource "terraform_data" "rep" {
  input            = "a"
  triggers_replace = "2"
}
resource "terraform_data" "cbd" {
  input            = "a"
  triggers_replace = "2"
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "obj" {
  input = {
    a = 2, longkeyname = "x", l = [1, 2, 3, 4, 5, 7],
    n = { deep = 3, deeplongname = 2 },
    servers = [{ ip = "1.1.1.1", port = 8080 }, { ip = "1.1.1.2", port = 81 }]
  }
}
resource "terraform_data" "new" {
  input = { a = 1, b = "x", e = {}, l = ["p", "q"] }
}
"""

SECOND = """
resource "terraform_data" "pool" { input = "web2" }
""" + CHANGED + """
output "vs" { value = terraform_data.pool.output }
output "n"  { value = "lit" }
output "m"  { value = { k = [true, null] } }
"""

THIRD_MOVED = """
resource "terraform_data" "pool2" { input = "web2" }
moved {
  from = terraform_data.pool
  to   = terraform_data.pool2
}
""" + CHANGED + """
import {
  to = terraform_data.imp
  id = "imported-id-1"
}
resource "terraform_data" "imp" {}
output "vs" { value = terraform_data.pool2.output }
output "n"  { value = "lit" }
output "m"  { value = { k = [true, null] } }
"""


def _tf(workdir: Path, *args: str) -> str:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "",
           "CHECKPOINT_DISABLE": "1"}
    done = subprocess.run([TERRAFORM or "terraform", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 2), done.stderr
    return done.stdout


def _init_apply(workdir: Path, config: str) -> None:
    (workdir / "main.tf").write_text(config)
    _tf(workdir, "init", "-no-color", "-input=false")
    _apply(workdir, config)


def _apply(workdir: Path, config: str) -> None:
    (workdir / "main.tf").write_text(config)
    _tf(workdir, "apply", "-auto-approve", "-no-color", "-input=false")


def _plan(workdir: Path, config: str, *extra: str) -> tuple[str, dict[str, Any]]:
    """Terraform's plan text for ``config``, and the saved plan's JSON."""
    (workdir / "main.tf").write_text(config)
    human = _tf(workdir, "plan", "-no-color", "-input=false", "-out=tfplan", *extra)
    return human, json.loads(_tf(workdir, "show", "-json", "tfplan"))


def _with_unknown(value: Any, unknown: Any) -> Any:
    if unknown is True:
        return UNKNOWN
    if isinstance(unknown, dict):
        out = dict(value or {})
        for k, u in unknown.items():
            out[k] = _with_unknown(out.get(k), u)
        return out
    if isinstance(unknown, list) and isinstance(value, list):
        return [_with_unknown(v, u) for v, u in zip(value, unknown, strict=False)]
    return value


_ACTIONS = {tuple(a.json_actions()): a for a in Action}


def _plan_from_terraform(doc: dict[str, Any]) -> Plan:
    changes = []
    for rc in doc["resource_changes"]:
        ch = rc["change"]
        after = _with_unknown(ch["after"], ch["after_unknown"]) \
            if ch["after"] is not None else None
        changes.append(ResourceChange(
            ResourceAddress.parse(rc["address"]), _ACTIONS[tuple(ch["actions"])],
            ch["before"], after,
            # terraform_data's dynamic triggers_replace prints no "# forces replacement"
            # although it is in replace_paths; typed provider attributes do print it.
            replace_paths=(),
            reason=rc.get("action_reason"),
            previous_address=ResourceAddress.parse(rc["previous_address"])
            if "previous_address" in rc else None,
            importing_id=ch.get("importing", {}).get("id"),
            deposed=rc.get("deposed")))
    outputs = []
    for name, oc in doc.get("output_changes", {}).items():
        after = UNKNOWN if oc.get("after_unknown") is True else oc["after"]
        outputs.append(OutputChange(name, _ACTIONS[tuple(oc["actions"])], oc["before"], after))
    return Plan(tuple(changes), State(), State(), Configuration(),
                output_changes=tuple(outputs))


def _section(text: str) -> str:
    """From the legend (or the actions line) up to the rule before the -out note."""
    start = text.find("Terraform used the selected providers")
    if start < 0:
        start = text.find("Terraform will perform the following actions:")
    end = text.find("─" * 20)
    return text[start:end].rstrip("\n") + "\n"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A fresh directory where FIRST has been applied (each test starts from there)."""
    if TERRAFORM is None:
        pytest.skip("terraform is not on PATH")
    _init_apply(tmp_path, FIRST)
    return tmp_path


def _compare(workdir: Path, config: str, *extra: str) -> None:
    human, doc = _plan(workdir, config, *extra)
    ours = render_plan_human(_plan_from_terraform(doc), {"terraform_data": SCHEMA},
                             product="Terraform")
    expected = _section(human)
    assert "Plan:" in expected
    assert _section(ours + "─" * 20) == expected


def test_update_replace_delete_create_and_outputs_match_terraform(workdir: Path) -> None:
    _compare(workdir, SECOND)


DEPOSED = """
variable "v" { default = "one" }
resource "terraform_data" "cbd" {
  triggers_replace = var.v
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "b" {
  triggers_replace = terraform_data.cbd.id
  provisioner "local-exec" {
    command = "test ! -e ${path.module}/fail"
  }
}
"""


def test_deposed_object_texts_match_terraform(tmp_path: Path) -> None:
    """A real deposed object: b's create-time provisioner fails while cbd is replaced
    create-before-destroy, so Terraform never destroys cbd's old object."""
    if TERRAFORM is None:
        pytest.skip("terraform is not on PATH")
    _init_apply(tmp_path, DEPOSED)
    (tmp_path / "fail").touch()
    failed = subprocess.run(
        [TERRAFORM, "apply", "-auto-approve", "-no-color", "-input=false", "-var", "v=two"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"})
    assert failed.returncode == 1 and "local-exec provisioner error" in failed.stderr
    _compare(tmp_path, DEPOSED, "-var", "v=two")
    doc = json.loads(_tf(tmp_path, "show", "-json", "tfplan"))
    assert [rc.get("deposed") is not None for rc in doc["resource_changes"]] == [
        False, False, True]


def test_moved_imported_and_replace_by_request_match_terraform(workdir: Path) -> None:
    _apply(workdir, SECOND)
    _compare(workdir, THIRD_MOVED, "-replace=terraform_data.rep")


def _in_order(ours: list[str], theirs: list[str]) -> bool:
    """Keys both documents have appear in the same order."""
    return [k for k in ours if k in theirs] == [k for k in theirs if k in ours]


def test_plan_json_key_layout_matches_terraform(workdir: Path) -> None:
    from albform.engine.render import render_plan_json

    _, theirs = _plan(workdir, SECOND)
    plan = _plan_from_terraform(theirs)
    ours = render_plan_json(plan, {"terraform_data": SCHEMA})
    assert ours["format_version"] == theirs["format_version"] == "1.2"
    assert _in_order(list(ours), list(theirs))
    assert set(ours) - set(theirs) <= {"resource_drift", "relevant_attributes"}
    by_theirs = {r["address"]: r for r in theirs["resource_changes"]}
    for rc in ours["resource_changes"]:
        tf = by_theirs[rc["address"]]
        assert _in_order(list(rc), list(tf)) and set(rc) <= set(tf) | {"provider_name"}
        assert list(rc["change"])[:6] == list(tf["change"])[:6]
        assert rc["change"]["actions"] == tf["change"]["actions"]
        assert rc.get("action_reason") == tf.get("action_reason")
        # Unknown values are left out of "after" and marked in "after_unknown", as Terraform.
        assert rc["change"]["after_unknown"] == tf["change"]["after_unknown"]
        assert rc["change"]["after"] == tf["change"]["after"]
    assert set(ours["output_changes"]) == set(theirs["output_changes"])
    for name, oc in ours["output_changes"].items():
        assert oc["actions"] == theirs["output_changes"][name]["actions"]
        assert oc["after_unknown"] == theirs["output_changes"][name]["after_unknown"]


def _body(text: str) -> str:
    """Everything after the refresh progress lines, up to the rule (if any)."""
    lines = [ln for ln in text.splitlines() if ": Refreshing state..." not in ln]
    body = "\n".join(lines).strip("\n")
    return body.split("─" * 20)[0].rstrip("\n") + "\n"


def test_no_changes_and_outputs_only_texts_match_terraform(workdir: Path) -> None:
    _apply(workdir, SECOND)
    for config in (SECOND, SECOND + '\noutput "extra" { value = "x" }\n'):
        human, doc = _plan(workdir, config)
        ours = render_plan_human(_plan_from_terraform(doc), {"terraform_data": SCHEMA},
                                 product="Terraform")
        assert _body(ours) == _body(human)


MULTILINE_FIRST = """
resource "terraform_data" "cert" { input = "-----BEGIN-----\\nAAA\\nBBB\\n-----END-----\\n" }
resource "terraform_data" "obj" {
  input = { script = "a\\nb\\nc", same = "x\\ny", gone = "p\\nq\\n", was = "w" }
}
resource "terraform_data" "bye" { input = "one\\ntwo" }
"""

MULTILINE_SECOND = """
resource "terraform_data" "cert" { input = "-----BEGIN-----\\nAAA\\nCCC\\nDDD\\n-----END-----\\n" }
resource "terraform_data" "obj" {
  input = { script = "a\\nc", same = "x\\ny", added = "new\\nlines" }
}
resource "terraform_data" "hello" { input = "first\\n\\nthird" }
"""


def test_multiline_strings_render_as_heredocs_like_terraform(tmp_path: Path) -> None:
    """A PEM certificate, a DataScript: ``<<-EOT`` blocks, changed lines marked one by one,
    as Terraform shows them — never one escaped line. (A key removed from an object value has
    no ``-> null``, as Terraform prints it.)"""
    if TERRAFORM is None:
        pytest.skip("terraform is not on PATH")
    _init_apply(tmp_path, MULTILINE_FIRST)
    _compare(tmp_path, MULTILINE_SECOND)
