"""``import ADDR ID``, ``state rm | mv | push | replace-provider``, ``output -raw``, ``graph``
and ``providers``: Terraform's command lines and messages, edits under the lock with the
serial bumped and the lineage kept, and the state readable by the real ``terraform``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

Runner = Any  # the ``albform`` fixture (tests/cli/conftest.py)

CONFIG = '''
resource "avi_healthmonitor" "hm" {
  name = "sc-hm"
  type = "HEALTH_MONITOR_TCP"
}
resource "avi_pool" "web" {
  name                = "sc-web"
  health_monitor_refs = [avi_healthmonitor.hm.id]
}
module "m" {
  source = "./m"
}
output "name" {
  value = avi_pool.web.name
}
output "servers" {
  value = avi_pool.web.servers
}
output "port" {
  value = 80
}
'''


def _work(tmp_path: Path) -> Path:
    work = tmp_path / "w"
    (work / "m").mkdir(parents=True)
    (work / "main.tf").write_text(CONFIG)
    (work / "m" / "main.tf").write_text('resource "avi_pool" "c" {\n  name = "sc-c"\n}\n')
    return work


def _state(work: Path) -> dict[str, Any]:
    return json.loads((work / "terraform.tfstate").read_text())


def test_rm_import_mv_push_keep_one_history(albform: Runner, tmp_path: Path) -> None:
    work = _work(tmp_path)
    assert albform("apply", "-auto-approve", cwd=work).code == 0
    first = _state(work)

    dry = albform("state", "rm", "-dry-run", "avi_pool.web", cwd=work)
    assert dry.out == "Would remove avi_pool.web\n" and _state(work) == first
    removed = albform("state", "rm", "avi_pool.web", "module.m", cwd=work)
    assert removed.out == ("Removed avi_pool.web\nRemoved module.m.avi_pool.c\n"
                           "Successfully removed 2 resource instance(s).\n")
    after_rm = _state(work)
    assert (after_rm["lineage"], after_rm["serial"]) == (first["lineage"], first["serial"] + 1)
    assert albform("state", "rm", "avi_pool.nope", cwd=work).code == 1

    # import by name: back under management, and the next plan is empty for it.
    imported = albform("import", "avi_pool.web", "sc-web", cwd=work)
    assert imported.code == 0, imported.err
    assert 'avi_pool.web: Importing from ID "sc-web"...' in imported.out
    assert "Import successful!" in imported.out
    again = albform("import", "avi_pool.web", "sc-web", cwd=work)
    assert again.code == 1 and "Resource already managed by albform" in again.err
    missing = albform("import", "avi_pool.ghost", "sc-web", cwd=work)
    assert missing.code == 1 and 'resource "avi_pool" "ghost" {' in missing.err
    gone = albform("import", "module.m.avi_pool.c", "no-such-pool", cwd=work)
    assert gone.code == 1 and "Cannot import non-existent remote object" in gone.err
    assert albform("import", "module.m.avi_pool.c", "sc-c", cwd=work).code == 0
    planned = albform("plan", "-detailed-exitcode", "-no-color", cwd=work)
    assert planned.code == 0, planned.out + planned.err

    moved = albform("state", "mv", "avi_pool.web", "avi_pool.site", cwd=work)
    assert moved.out == ('Move "avi_pool.web" to "avi_pool.site"\n'
                         "Successfully moved 1 object(s).\n")
    clash = albform("state", "mv", "avi_pool.site", "module.m.avi_pool.c", cwd=work)
    assert clash.code == 1 and "there is already a resource instance" in clash.err
    kinds = albform("state", "mv", "avi_pool.site", "avi_vsvip.x", cwd=work)
    assert kinds.code == 1 and "resource types don't match" in kinds.err
    assert albform("state", "mv", "avi_pool.site", "avi_pool.web", cwd=work).code == 0

    # push: an older snapshot of the same history is refused, a newer one accepted.
    current = _state(work)
    old = tmp_path / "old.tfstate"
    old.write_text(json.dumps(first))
    refused = albform("state", "push", str(old), cwd=work)
    assert refused.code == 1 and "cannot import state with serial" in refused.err
    newer = dict(current, serial=current["serial"] + 5)
    (tmp_path / "newer.tfstate").write_text(json.dumps(newer))
    assert albform("state", "push", str(tmp_path / "newer.tfstate"), cwd=work).code == 0
    assert _state(work)["serial"] == current["serial"] + 5
    forced = albform("state", "push", "-force", str(old), cwd=work)
    assert forced.code == 0, forced.err
    # Forced: the pushed serial, one more since the content differs (as Terraform's local
    # backend; tests/cli/test_state_push_backup.py compares with terraform itself).
    assert (_state(work)["lineage"], _state(work)["serial"]) == \
        (first["lineage"], first["serial"] + 1)

    terraform = shutil.which("terraform")
    if terraform is not None:
        listed = subprocess.run([terraform, "state", "list", "-state=terraform.tfstate"],
                                cwd=work, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"})
        assert listed.stdout.split() == ["avi_healthmonitor.hm", "avi_pool.web",
                                         "module.m.avi_pool.c"], listed.stderr


def test_replace_provider_output_raw_graph_providers(albform: Runner, tmp_path: Path) -> None:
    work = _work(tmp_path)
    assert albform("apply", "-auto-approve", cwd=work).code == 0

    assert albform("output", "-raw", "name", cwd=work).out == "sc-web"  # no newline
    assert albform("output", "-raw", "port", cwd=work).out == "80"
    servers = albform("output", "-raw", "servers", cwd=work)
    assert servers.code == 1 and "Unsupported value for raw output" in servers.err
    assert albform("output", "-raw", cwd=work).code == 1

    providers = albform("providers", cwd=work)
    assert "Providers required by configuration:" in providers.out
    assert "provider[registry.terraform.io/vmware/avi]" in providers.out

    declined = albform("state", "replace-provider", "vmware/avi", "example.com/acme/avi",
                       cwd=work, input="no\n")
    assert declined.code == 1 and "Changing 3 resources:" in declined.out
    replaced = albform("state", "replace-provider", "-auto-approve", "vmware/avi",
                       "example.com/acme/avi", cwd=work)
    assert replaced.code == 0
    assert "Successfully replaced provider for 3 resources." in replaced.out
    assert {r["provider"] for r in _state(work)["resources"]} == {
        'provider["example.com/acme/avi"]'}

    graph = albform("graph", cwd=work)
    assert graph.code == 0
    assert '"avi_pool.web" -> "avi_healthmonitor.hm";' in graph.out
    assert 'subgraph "cluster_module.m" {' in graph.out
    planned = albform("graph", "-type=plan", cwd=work)
    assert '"[root] output.name (expand)" -> "[root] avi_pool.web (expand)"' in planned.out
    dot = shutil.which("dot")  # graphviz, when installed, checks the DOT syntax
    for text in (graph.out, planned.out) if dot is not None else ():
        rendered = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True,
                                  text=True, timeout=60)
        assert rendered.returncode == 0, rendered.stderr


def test_rm_and_mv_of_a_malformed_address_say_invalid_address(albform: Runner,
                                                                tmp_path: Path) -> None:
    # terraform 1.11 answers a parse error with exit 1 before looking at the state.
    for args in (("state", "rm", "avi_pool.ako["), ("state", "mv", "avi_pool.ako[", "avi_pool.b"),
                 ("state", "mv", "avi_pool.a", "avi_pool.b[")):
        result = albform(*args, cwd=tmp_path)
        assert result.code == 1 and "Invalid address" in result.err, result.err
        assert "No matching objects" not in result.err and "does not match" not in result.err
