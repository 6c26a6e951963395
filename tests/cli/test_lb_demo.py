"""The seed walkthrough (examples/lb-demo) end to end through the real CLI, against the
embedded emulator and local state. Expected values are read from the example's manifests,
not restated here."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
Runner = Any
Result = Any


def changes_by_action(plan_json: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rc in plan_json["resource_changes"]:
        out.setdefault("-".join(rc["change"]["actions"]), []).append(rc["address"])
    return out

DEMO = REPO / "examples" / "lb-demo"


def _docs(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for doc in yaml.safe_load_all(path.read_text()):
        if doc and doc.get("kind") == "List":
            out.extend(doc["items"])
        elif doc:
            out.append(doc)
    return out


def _pod_ips(manifests: Path) -> set[str]:
    ips: set[str] = set()
    for doc in _docs(manifests / "lb-demo.yaml"):
        if doc["kind"] == "EndpointSlice":
            for ep in doc["endpoints"]:
                if ep.get("conditions", {}).get("ready", True):
                    ips.update(ep["addresses"])
    return ips


def _nodes(manifests: Path) -> dict[str, str]:
    """pod CIDR -> node InternalIP"""
    out = {}
    for node in _docs(manifests / "nodes.yaml"):
        ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        out[node["spec"]["podCIDR"]] = ip
    return out


def _state(path: Path) -> dict[str, dict[str, Any]]:
    """Attributes by address, as the state file holds them: typed as the official vmware/avi
    provider types them (nested objects are one-element block lists, flags are strings)."""
    doc = json.loads(path.read_text())
    out = {}
    for res in doc["resources"]:
        for inst in res["instances"]:
            key = inst.get("index_key")
            addr = f'{res["type"]}.{res["name"]}' + (f'["{key}"]' if key is not None else "")
            out[addr] = inst["attributes"]
    return out


@pytest.fixture
def cluster(albform: Runner, tmp_path: Path) -> Any:
    """Runs ``albform cluster <verb>`` with the demo's AKO config and a state in tmp_path."""
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    "-no-color", f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err

    def run(verb: str, *args: str, manifests: Path | str = DEMO / "manifests") -> Result:
        return albform("cluster", verb, "--manifests", str(manifests),
                       "--ako-config", str(DEMO / "avi-k8s-config.yaml"),
                       "--controller-facts", str(DEMO / "controller-facts.yaml"),
                       f"-state={tmp_path / 'cluster.tfstate'}", "-no-color", *args)

    return run


def test_walkthrough_creates_ako_objects_then_converges(cluster: Any, plan_document: Any,
                                                       tmp_path: Path) -> None:
    streamed = cluster("plan", "-json").ui_lines()  # Terraform's UI, one document per line
    kinds = [line["type"] for line in streamed]
    assert kinds[0] == "version" and kinds.count("planned_change") == 7
    assert streamed[-1]["@message"] == "Plan: 7 to add, 0 to change, 0 to destroy."
    planfile = tmp_path / "tfplan"
    actions = changes_by_action(plan_document(cluster("plan", f"-out={planfile}"), planfile))
    assert set(actions) == {"create"}
    created = actions["create"]
    assert 'avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]' in created
    assert 'avi_vsvip.ako["kubeadm-cluster--default-lb-demo"]' in created
    assert sum(a.startswith("avi_vrfcontext_static_route.") for a in created) == 3
    assert sum(a.startswith("avi_pool.") for a in created) == 1

    applied = cluster("apply", "-auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in applied.out

    state = _state(tmp_path / "cluster.tfstate")
    vsvip = state['avi_vsvip.ako["kubeadm-cluster--default-lb-demo"]']
    vip = ipaddress.ip_address(vsvip["vip"][0]["ip_address"][0]["addr"])
    assert ipaddress.ip_address("172.19.0.100") <= vip <= ipaddress.ip_address("172.19.0.150")
    pools = [v for k, v in state.items() if k.startswith("avi_pool.")]
    assert {s["ip"][0]["addr"] for s in pools[0]["servers"]} == _pod_ips(DEMO / "manifests")
    routes = [v for k, v in state.items() if k.startswith("avi_vrfcontext_static_route.")]
    got = {f'{r["prefix"]["ip_addr"]["addr"]}/{r["prefix"]["mask"]}': r["next_hop"]["addr"]
           for r in routes}
    assert got == _nodes(DEMO / "manifests")

    again = cluster("plan", "-detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out


def test_scaling_plans_exactly_one_pool_update(cluster: Any, plan_document: Any,
                                               tmp_path: Path) -> None:
    assert cluster("apply", "-auto-approve").code == 0
    planfile = tmp_path / "tfplan"
    scaled = cluster("plan", f"-out={planfile}", manifests=DEMO / "manifests-scaled")
    actions = changes_by_action(plan_document(scaled, planfile))
    assert len(actions.get("update", [])) == 1
    assert actions["update"][0].startswith("avi_pool.")
    assert set(actions) <= {"update", "no-op"}
    assert cluster("apply", "-auto-approve", manifests=DEMO / "manifests-scaled").code == 0
    pools = [v for k, v in _state(tmp_path / "cluster.tfstate").items()
             if k.startswith("avi_pool.")]
    assert {s["ip"][0]["addr"] for s in pools[0]["servers"]} == _pod_ips(DEMO / "manifests-scaled")


def test_deleting_the_service_deletes_in_reverse_dependency_order(
        cluster: Any, plan_document: Any, tmp_path: Path) -> None:
    assert cluster("apply", "-auto-approve").code == 0
    nodes_only = DEMO / "manifests" / "nodes.yaml"
    guarded = cluster("plan", manifests=nodes_only)
    assert guarded.code == 1
    assert "Plan deletes too many objects" in guarded.err
    # With -json the failure is UI lines too: the refresh, then one line per diagnostic.
    refused = cluster("plan", "-json", manifests=nodes_only)
    assert refused.code == 1
    kinds = [line["type"] for line in refused.ui_lines()]
    assert kinds[0] == "version" and kinds[-1] == "diagnostic"
    assert set(kinds[1:-1]) == {"refresh_start", "refresh_complete"}
    assert refused.ui_lines()[-1]["@message"] == "Error: Plan deletes too many objects"

    planfile = tmp_path / "tfplan"
    plan = cluster("plan", f"-out={planfile}", "--allow-mass-delete", manifests=nodes_only)
    actions = changes_by_action(plan_document(plan, planfile))
    assert sorted(a.split(".")[0] for a in actions["delete"]) == [
        "avi_l4policyset", "avi_pool", "avi_virtualservice", "avi_vsvip"]

    done = cluster("apply", "-auto-approve", "--allow-mass-delete", manifests=nodes_only)
    assert done.code == 0, done.err
    lines = done.out.splitlines()

    def finished(kind: str) -> int:
        return next(i for i, line in enumerate(lines)
                    if line.startswith(kind) and "Destruction complete" in line)

    def started(kind: str) -> int:
        return next(i for i, line in enumerate(lines)
                    if line.startswith(kind) and "Destroying..." in line)

    vs_done = finished("avi_virtualservice.")
    for dependency in ("avi_pool.", "avi_vsvip.", "avi_l4policyset."):
        assert started(dependency) > vs_done
    assert started("avi_pool.") > finished("avi_l4policyset.")


@pytest.mark.slow
def test_readme_main_job_script_runs(tmp_path: Path) -> None:
    """examples/lb-demo/run is the README's main job: it must pass as a whole."""
    albform_bin = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin" / "albform"
    if not albform_bin.exists():
        pytest.skip("no albform console script in the environment")
    proc = subprocess.run([str(DEMO / "run")], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ALBFORM": str(albform_bin),
                               "LB_DEMO_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "No changes. Your infrastructure matches the configuration." in proc.stdout
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in proc.stdout


def test_live_controller_facts_match_the_example_facts_file(albform: Runner, cluster: Any,
                                                            plan_document: Any,
                                                            tmp_path: Path) -> None:
    """Without --controller-facts the facts are read from the controller; for the demo they
    equal the example's facts file, so both plans are identical."""
    with_file = plan_document(cluster("plan", f"-out={tmp_path / 'file.tfplan'}"),
                              tmp_path / "file.tfplan")
    live = albform("cluster", "plan", f"-out={tmp_path / 'live.tfplan'}", "--manifests",
                   str(DEMO / "manifests"), "--ako-config", str(DEMO / "avi-k8s-config.yaml"),
                   f"-state={tmp_path / 'cluster.tfstate'}")

    def afters(document: Any) -> dict[str, Any]:
        return {rc["address"]: rc["change"]["after"] for rc in document["resource_changes"]}

    read_live = plan_document(live, tmp_path / "live.tfplan")
    assert afters(read_live) == afters(with_file)
    # The plan file records the facts it read, so the configuration is described offline.
    assert read_live["configuration"] == with_file["configuration"]
    assert read_live["configuration"]["root_module"]["resources"]


def test_show_json_describes_each_cluster_block_as_a_for_each(cluster: Any,
                                                               plan_document: Any,
                                                               tmp_path: Path) -> None:
    planfile = tmp_path / "tfplan"
    document = plan_document(cluster("plan", f"-out={planfile}"), planfile)
    resources = document["configuration"]["root_module"]["resources"]
    assert sorted(r["address"] for r in resources) == [
        "avi_l4policyset.ako", "avi_pool.ako", "avi_virtualservice.ako", "avi_vrfcontext"
        "_static_route.ako", "avi_vsvip.ako"]
    for r in resources:
        assert r["for_each_expression"]["references"][0] == \
            f"local.albform.resources.{r['type']}.{r['name']}"
        # Three static routes share one block: no route's values stand for the block's.
        assert all("constant_value" not in e for e in r["expressions"].values())
        assert all(e["references"] == [f"each.value.{name}", "each.value"]
                   for name, e in r["expressions"].items())


def test_show_json_of_a_plan_without_recorded_facts_says_why(albform: Runner, cluster: Any,
                                                             tmp_path: Path) -> None:
    """A plan file whose facts were read live but not recorded (an older albform's)."""
    import zipfile

    planfile = tmp_path / "live.tfplan"
    planned = albform("cluster", "plan", f"-out={planfile}", "--manifests",
                      str(DEMO / "manifests"), "--ako-config",
                      str(DEMO / "avi-k8s-config.yaml"), f"-state={tmp_path / 'c.tfstate'}")
    assert planned.code == 0, planned.err
    older = tmp_path / "older.tfplan"
    with zipfile.ZipFile(planfile) as src, zipfile.ZipFile(older, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "config-source.json":
                record = json.loads(data)
                assert "controller_facts" in record.pop("recorded_reads")
                data = json.dumps(record).encode()
            dst.writestr(item, data)
    shown = albform("show", "-json", str(older))
    assert shown.code == 0, shown.err
    assert "configuration" not in shown.json() or not shown.json()["configuration"]
    assert "controller facts were read from the controller" in shown.err


def test_facts_read_from_the_controller_equal_the_facts_file(cluster: Any,
                                                             tmp_path: Path) -> None:
    from albform.modules.k8s.controller_facts import read_controller_facts
    from albform.modules.k8s.facts import load_facts
    from albform.modules.k8s.settings import load_settings
    from albform.provider.factory import open_provider

    settings, _ = load_settings((DEMO / "avi-k8s-config.yaml").read_text(), "ako")
    expected, _ = load_facts((DEMO / "controller-facts.yaml").read_text(), "facts")
    assert settings is not None and expected is not None
    env = {"ALBFORM_EMULATOR_DB": str(tmp_path / "emulator.db")}
    with open_provider({}, workdir=tmp_path, env=env) as provider:
        facts, diags = read_controller_facts(provider, settings)
    assert not diags.has_errors(), diags
    assert facts is not None
    assert (facts.cloud_type, facts.license_tier, facts.vrf_name, facts.dns_subdomains) == (
        expected.cloud_type, expected.license_tier, expected.vrf_name, expected.dns_subdomains)
    assert facts.ipam_type == "IPAMDNS_TYPE_INTERNAL"


def test_crd_references_are_looked_up_on_the_controller(cluster: Any, tmp_path: Path) -> None:
    """AKO's checkRefOnController asks for each name a CRD gives: what exists is recorded in
    the facts, what does not is left out (the translator then rejects the CRD)."""
    from albform.modules.k8s.controller_facts import read_controller_facts
    from albform.modules.k8s.settings import load_settings
    from albform.provider.factory import open_provider

    settings, _ = load_settings((DEMO / "avi-k8s-config.yaml").read_text(), "ako")
    assert settings is not None
    env = {"ALBFORM_EMULATOR_DB": str(tmp_path / "emulator.db")}
    refs = [("applicationprofile", "System-HTTP"), ("wafpolicy", "no-such-waf-policy")]
    with open_provider({}, workdir=tmp_path, env=env) as provider:
        facts, diags = read_controller_facts(provider, settings, refs)
    assert not diags.has_errors(), diags
    assert facts is not None
    assert facts.avi_objects == frozenset({("applicationprofile", "System-HTTP")})
    assert facts.has_object("applicationprofile", "System-HTTP")
    assert not facts.has_object("wafpolicy", "no-such-waf-policy")
