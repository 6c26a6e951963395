"""The drift-detection job examples (examples/drift-job): the CronJob's and the nightly CI's
command lines, run for real against a cluster read through the Kubernetes API (a fake API on
loopback), state in a real PostgreSQL, and the embedded controller emulator."""

from __future__ import annotations

import json
import shlex
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("kubernetes")
pytest.importorskip("psycopg")

from albform.modules.k8s.ingest import load_manifests
from albform.modules.k8s.testing import FakeKubeApi
from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator import start_emulator

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"
JOB = REPO / "examples" / "drift-job"


def _cronjob_args() -> list[str]:
    for doc in yaml.safe_load_all((JOB / "cronjob.yaml").read_text()):
        if doc["kind"] == "CronJob":
            container = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
            return list(container["args"])
    raise AssertionError("no CronJob in cronjob.yaml")


def _ci_command() -> list[str]:
    workflow = yaml.safe_load((JOB / "nightly-ci.yml").read_text())
    step = next(s for s in workflow["jobs"]["drift"]["steps"] if s.get("name") == "Detect drift")
    words = shlex.split(step["run"])
    assert words[0] == "albform"
    return words[1:]


def _delete_vs(db: Path) -> None:
    with start_emulator(db_path=db, password="oob") as emu:
        config = ClientConfig.from_provider_args(
            {"avi_controller": emu.url, "avi_username": "admin", "avi_password": "oob"}, {})
        with AviClient.connect(config) as client:
            vs = client.get_by_name("virtualservice", "kubeadm-cluster--default-lb-demo")
            assert vs is not None
            client.delete_object("virtualservice", vs["uuid"])


def test_drift_job_command_lines_run_for_real(albform: Any, tmp_path: Path,
                                              pg_server: Any) -> None:
    env = {"PG_CONN_STR": pg_server.url(), "PG_SCHEMA_NAME": f"drift_{uuid.uuid4().hex[:8]}"}
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err
    objects, _ = load_manifests([DEMO / "manifests"])
    configmap = yaml.safe_load((DEMO / "avi-k8s-config.yaml").read_text())
    with FakeKubeApi([dict(o.data) for o in objects], configmap) as api:
        kubeconfig = str(api.kubeconfig(tmp_path / "kubeconfig"))
        applied = albform("cluster", "apply", "-auto-approve", "--kubeconfig", kubeconfig,
                          "-backend=pg", env=env)
        assert applied.code == 0, applied.out + applied.err

        report = tmp_path / "drift.json"
        job = [("--kubeconfig=" + kubeconfig) if a == "--in-cluster" else
               ("--report=" + str(report)) if a.startswith("--report=") else a
               for a in _cronjob_args()]
        clean = albform(*job, env=env)
        assert clean.code == 0, clean.out + clean.err
        assert json.loads(report.read_text())["summary"]["in_sync"] == 7

        _delete_vs(tmp_path / "emulator.db")
        ci = [kubeconfig if a == "kubeconfig" else
              ("--report=" + str(report)) if a.startswith("--report=") else a
              for a in _ci_command()]
        drifted = albform(*ci, env=env)
    assert drifted.code == 2, drifted.out + drifted.err
    missing = json.loads(report.read_text())["missing"]
    assert [m["address"] for m in missing] == [
        'avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]']
