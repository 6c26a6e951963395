"""``albform state show`` prints Terraform's layout (issue 14 item 4): aligned attributes, lists
and maps over lines, nested objects as blocks after the attributes — valid HCL, which
python-hcl2 reads back to the state's values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]


def _unquoted(value: Any) -> Any:
    """python-hcl2 8.x keeps string quotes and marks blocks (docs/terraform-compat.md §8)."""
    if isinstance(value, str) and value.startswith('"') and value.endswith('"'):
        return json.loads(value)
    if isinstance(value, list):
        return [_unquoted(v) for v in value]
    if isinstance(value, dict):
        return {_unquoted(k): _unquoted(v) for k, v in value.items() if k != "__is_block__"}
    return value


def test_state_show_prints_nested_blocks_as_terraform(albform: Any, tmp_path: Path) -> None:
    work = tmp_path / "cfg"
    shutil.copytree(REPO / "examples" / "pr-review", work)
    assert albform("-chdir=" + str(work), "apply", "-auto-approve").code == 0
    shown = albform("-chdir=" + str(work), "state", "show", "avi_pool.web")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert lines[:2] == ["# avi_pool.web:", 'resource "avi_pool" "web" {']
    assert "    health_monitor_refs                   = [" in lines
    servers = lines.index("    servers {")
    assert lines[servers - 1] == "" and lines[servers + 1].startswith("        ") and \
        " = " in lines[servers + 1]  # the block's own attributes, one level deeper
    assert lines[lines.index("        ip {") + 1] == '            addr = "10.0.0.11"'
    parsed = _unquoted(hcl2.loads("\n".join(lines[1:])))
    pool = parsed["resource"][0]["avi_pool"]["web"]
    state = json.loads((work / "terraform.tfstate").read_text())
    (instance,) = next(r for r in state["resources"] if r["name"] == "web"
                       and r["type"] == "avi_pool")["instances"]
    attributes = instance["attributes"]
    assert pool["name"] == attributes["name"] == "pr-review-web"
    assert pool["health_monitor_refs"] == attributes["health_monitor_refs"]
    server = attributes["servers"][0]
    assert pool["servers"][0]["port"] == server["port"]  # as the state holds it
    assert str(server["port"]) == "8080"
    ip = server["ip"] if isinstance(server["ip"], list) else [server["ip"]]
    assert pool["servers"][0]["ip"] == ip  # a nested block, one per element
