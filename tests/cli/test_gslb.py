"""``albform gslb render|plan`` through the real CLI: members as files, the AMKO objects, the
render entries, usage errors and diagnostics naming the object, and a plan against the
embedded emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).resolve().parents[1] / "modules" / "gslb" / "cases"
Runner = Any


def _write_case(tmp_path: Path, name: str) -> list[str]:
    """The case's members and AMKO objects as files; the ``--member``/``--amko`` arguments."""
    spec = yaml.safe_load((CASES / name / "input.yaml").read_text())
    common = yaml.safe_load((CASES / "_common.yaml").read_text())
    args = []
    for cluster, objects in spec["members"].items():
        (tmp_path / cluster).mkdir()
        (tmp_path / cluster / "objects.yaml").write_text(yaml.safe_dump_all(objects))
        args += ["--member", f"{cluster}={cluster}"]
    amko = (spec.get("amko") or common["amko"]) + (spec.get("extra_amko") or [])
    (tmp_path / "amko.yaml").write_text(yaml.safe_dump_all(amko))
    return [*args, "--amko", "amko.yaml"]


def test_render_prints_one_entry_per_object(albform: Runner, tmp_path: Path) -> None:
    args = _write_case(tmp_path, "ingress_two_clusters")
    result = albform("gslb", "render", *args)
    assert result.code == 0, result.err
    entries = json.loads(result.out)
    assert [(e["type"], e["name"], e["tenant"]) for e in entries] == [
        ("healthmonitor", "amko--5067abca5bb0daf682db636bd701a01c0cf7b43d", "admin"),
        ("gslbservice", "foo.avi.com", "admin")]
    as_yaml = albform("gslb", "render", *args, "-o", "yaml")
    assert yaml.safe_load(as_yaml.out) == entries


def test_render_reports_amko_reasons_and_exits_1(albform: Runner, tmp_path: Path) -> None:
    args = _write_case(tmp_path, "bad_gdp_unknown_cluster")
    result = albform("gslb", "render", *args)
    assert result.code == 1
    assert "GlobalDeploymentPolicy rejected" in result.err
    assert "cluster context cluster3 not present in GSLBConfig" in result.err
    assert "amko.yaml:" in result.err  # file:line of the GDP


def test_member_syntax_is_a_usage_error(albform: Runner, tmp_path: Path) -> None:
    result = albform("gslb", "render", "--member", "just-a-path", "--amko", str(tmp_path))
    assert result.code != 0
    assert "NAME=PATH or NAME=context:CTX" in result.err


def test_plan_against_the_embedded_emulator(albform: Runner, tmp_path: Path) -> None:
    args = _write_case(tmp_path, "ingress_two_clusters")
    result = albform("gslb", "plan", *args, "-no-color", "-detailed-exitcode")
    assert result.code == 2, result.err
    assert '# avi_gslbservice.amko["foo.avi.com"] will be created' in result.out
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in result.out


def test_an_unreachable_member_fails_the_plan(albform: Runner, tmp_path: Path) -> None:
    args = _write_case(tmp_path, "ingress_two_clusters")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n")
    args[args.index("cluster2=cluster2")] = "cluster2=context:gone"
    result = albform("gslb", "plan", *args, "-no-color", env={"KUBECONFIG": str(kubeconfig)})
    assert result.code == 1
    assert "Member cluster cluster2 unreachable" in result.err
    assert "will be" not in result.out  # nothing planned, in particular no deletion


def test_inputs_are_required_except_for_saved_plans_and_destroy(albform: Runner,
                                                                tmp_path: Path) -> None:
    missing = albform("gslb", "plan", "--member", "east=east")
    assert missing.code == 1 and "--amko PATH" in missing.err
    saved_with_inputs = albform("gslb", "apply", "tfplan", "--member", "east=east")
    assert saved_with_inputs.code == 1
    assert "a saved plan records its inputs: drop --member" in saved_with_inputs.err
