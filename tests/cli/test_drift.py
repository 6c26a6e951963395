"""``albform cluster drift``: out-of-band edits and deletions on the controller are reported
exactly, with exit code 2; an untouched controller reports no drift (exit 0)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"


def _cluster(albform: Any, tmp_path: Path, verb: str, *args: str) -> Any:
    return albform("cluster", verb, "--manifests", str(DEMO / "manifests"),
                   "--ako-config", str(DEMO / "avi-k8s-config.yaml"),
                   "--controller-facts", str(DEMO / "controller-facts.yaml"),
                   f"-state={tmp_path / 'cluster.tfstate'}", "-no-color", *args)


def test_drift_reports_out_of_band_changes_exactly(albform: Any, plan_document: Any,
                                                  tmp_path: Path,
                                                  out_of_band_client: Any) -> None:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err
    assert _cluster(albform, tmp_path, "apply", "-auto-approve").code == 0

    clean = _cluster(albform, tmp_path, "drift")
    assert clean.code == 0, clean.out + clean.err
    assert "No drift" in clean.out

    # Someone edits the pool and deletes the virtual service in the controller's UI.
    with out_of_band_client(tmp_path / "emulator.db") as client:
        pool = client.get_by_name("pool", "kubeadm-cluster--default-lb-demo-TCP-80")
        assert pool is not None
        # One server taken out of the pool (a field albform manages) and the load
        # balancing algorithm changed (a server-defaulted field the config leaves alone).
        pool["servers"] = pool["servers"][:-1]
        pool["lb_algorithm"] = "LB_ALGORITHM_ROUND_ROBIN"
        client.replace_object("pool", pool["uuid"], pool)
        vs = client.get_by_name("virtualservice", "kubeadm-cluster--default-lb-demo")
        assert vs is not None
        client.delete_object("virtualservice", vs["uuid"])

    report_file = tmp_path / "drift.json"
    drifted = _cluster(albform, tmp_path, "drift", "-json", "--report", str(report_file))
    assert drifted.code == 2, drifted.out + drifted.err
    report = json.loads(report_file.read_text())
    assert report == json.loads(drifted.out.splitlines()[-1])
    assert [m["address"] for m in report["missing"]] == [
        'avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]']
    assert [c["address"] for c in report["changed"]] == [
        'avi_pool.ako["kubeadm-cluster--default-lb-demo-TCP-80"]']
    paths = {ch["path"][0] for ch in report["changed"][0]["changes"]}
    assert paths == {"servers", "lb_algorithm"}
    assert report["summary"]["managed"] == 7
    assert report["summary"]["in_sync"] == 5

    # Drift detection never writes state: the next plan still knows the deleted VS and
    # plans to re-create it and to put the server back; the algorithm, which the
    # configuration does not set, is not reverted ("desired is a subset of actual").
    planfile = tmp_path / "after-drift.tfplan"
    document = plan_document(_cluster(albform, tmp_path, "plan", f"-out={planfile}"), planfile)
    actions = {rc["address"]: rc["change"]["actions"] for rc in document["resource_changes"]}
    assert actions['avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]'] == ["create"]
    assert actions['avi_pool.ako["kubeadm-cluster--default-lb-demo-TCP-80"]'] == ["update"]
    pool_change = next(rc for rc in document["resource_changes"]
                       if rc["address"].startswith("avi_pool."))
    assert pool_change["change"]["after"]["lb_algorithm"] == "LB_ALGORITHM_ROUND_ROBIN"
