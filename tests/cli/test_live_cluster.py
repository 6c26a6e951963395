"""Cluster commands reading a live cluster (kubeconfig → the official client → a fake
Kubernetes API on loopback, the one part that cannot run here): objects and the
avi-k8s-config ConfigMap come from the API and plan exactly like the example's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("kubernetes")

from albform.modules.k8s.ingest import load_manifests
from albform.modules.k8s.testing import TOKEN, FakeKubeApi

DEMO = Path(__file__).resolve().parents[2] / "examples" / "lb-demo"


def _afters(document: Any) -> dict[str, Any]:
    return {rc["address"]: rc["change"]["after"] for rc in document["resource_changes"]}


def test_live_cluster_plans_like_its_manifests(albform: Any, plan_document: Any,
                                               tmp_path: Path) -> None:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err
    objects, _ = load_manifests([DEMO / "manifests"])
    configmap = yaml.safe_load((DEMO / "avi-k8s-config.yaml").read_text())
    with FakeKubeApi([dict(o.data) for o in objects], configmap) as api:
        kubeconfig = api.kubeconfig(tmp_path / "kubeconfig")
        planned = albform("cluster", "plan", f"-out={tmp_path / 'live.tfplan'}",
                          "--kubeconfig", str(kubeconfig),
                          f"-state={tmp_path / 'cluster.tfstate'}")
        live = plan_document(planned, tmp_path / "live.tfplan")
        assert any("avi-k8s-config" in r for r in api.requests)
        api.fail["/api/v1/nodes"] = 403
        denied = albform("cluster", "plan", "--kubeconfig", str(kubeconfig),
                         f"-state={tmp_path / 'cluster.tfstate'}")
    assert denied.code == 1
    assert "Cannot read the cluster" in denied.err
    assert TOKEN not in denied.err + denied.out
    files = plan_document(albform("cluster", "plan", f"-out={tmp_path / 'files.tfplan'}",
                                  "--manifests", str(DEMO / "manifests"), "--ako-config",
                                  str(DEMO / "avi-k8s-config.yaml"),
                                  f"-state={tmp_path / 'cluster.tfstate'}"),
                          tmp_path / "files.tfplan")
    assert _afters(live) == _afters(files)
    assert len(_afters(live)) == 7


def test_cluster_commands_need_some_input(albform: Any) -> None:
    result = albform("cluster", "plan")
    assert result.code == 1
    assert "--manifests" in result.err
