"""``load_cluster_configuration`` records what a cluster's configuration was read from
(``Configuration.inputs``): each file, and for a live cluster a digest of what the translation
made of it — unchanged by status noise, changed by anything that changes the objects."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from albform.modules.k8s.ingest import load_manifests
from albform.modules.k8s.load import ClusterInputs, LiveCluster, load_cluster_configuration

DEMO = Path(__file__).resolve().parents[3] / "examples" / "lb-demo"


def _inputs(**given: Any) -> dict[str, str]:
    config, diags = load_cluster_configuration(ClusterInputs(
        controller_facts=DEMO / "controller-facts.yaml", **given))
    assert not diags.has_errors(), diags
    return dict(config.inputs)


def test_every_file_read_is_recorded() -> None:
    inputs = _inputs(manifests=(DEMO / "manifests",), ako_config=DEMO / "avi-k8s-config.yaml")
    assert set(inputs) == {str(p.resolve()) for p in [
        DEMO / "manifests" / "lb-demo.yaml", DEMO / "manifests" / "nodes.yaml",
        DEMO / "avi-k8s-config.yaml", DEMO / "controller-facts.yaml"]}


def test_a_live_cluster_is_recorded_by_what_it_translates_to(tmp_path: Path) -> None:
    pytest.importorskip("kubernetes")
    from albform.modules.k8s.testing import FakeKubeApi

    objects, _ = load_manifests([DEMO / "manifests"])
    configmap = yaml.safe_load((DEMO / "avi-k8s-config.yaml").read_text())
    with FakeKubeApi([dict(o.data) for o in objects], configmap) as api:
        live = LiveCluster(kubeconfig=str(api.kubeconfig(tmp_path / "kubeconfig")))
        first = _inputs(live=live)
        (name,) = [n for n in first if n.startswith("live cluster")]
        for node in api.objects["Node"]:  # status noise: a heartbeat
            node.setdefault("status", {})["conditions"] = [
                {"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-12-06T10:00:00Z"}]
        assert _inputs(live=live) == first
        slices = api.objects["EndpointSlice"]
        scaled = copy.deepcopy(slices[0])
        scaled["metadata"]["name"] += "-2"
        scaled["endpoints"] = [{**e, "addresses": ["10.244.9.9"]} for e in scaled["endpoints"]]
        slices.append(scaled)  # one more endpoint: a new pool server
        assert _inputs(live=live)[name] != first[name]
