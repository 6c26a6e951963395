"""Cluster commands that should just work (issue 14 items 2, 4): ``cluster apply PLANFILE``
with a summary per Kubernetes object, hints naming the cluster command, ``cluster destroy``
from the state alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"
INPUTS = ("--manifests", str(DEMO / "manifests"), "--ako-config",
          str(DEMO / "avi-k8s-config.yaml"), "--controller-facts",
          str(DEMO / "controller-facts.yaml"))


def test_cluster_plan_file_apply_and_destroy_from_state(albform: Any, tmp_path: Path) -> None:
    state = f"-state={tmp_path / 'cluster.tfstate'}"
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err

    unsaved = albform("cluster", "plan", *INPUTS, state, "-no-color")
    assert 'if you run "albform cluster apply" now' in unsaved.out
    saved = albform("cluster", "plan", *INPUTS, state, "-no-color", "-out=tfplan")
    assert saved.code == 0, saved.err
    assert 'run the following command to apply:\n    albform cluster apply "tfplan"' in saved.out
    comment = albform("show", "-markdown", "tfplan").out
    assert comment.rstrip().endswith("apply with `albform cluster apply tfplan`")

    both = albform("cluster", "apply", "tfplan", "--manifests", str(DEMO / "manifests"), state)
    assert both.code == 1 and "a saved plan records its inputs: drop --manifests" in both.err
    applied = albform("cluster", "apply", "tfplan", state, "-no-color")
    assert applied.code == 0, applied.out + applied.err
    assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in applied.out
    # What each Kubernetes object got, so nobody needs `state show` to learn the VIP.
    assert applied.out.rstrip().endswith(
        "Kubernetes objects on the controller:\n\n"
        "  Service default/lb-demo → VS kubeadm-cluster--default-lb-demo, VIP 172.19.0.100")

    # Destroy needs nothing but the state (the manifests may be long gone).
    destroyed = albform("cluster", "destroy", state, "-auto-approve", "-no-color")
    assert destroyed.code == 0, destroyed.out + destroyed.err
    assert "Destroy complete! Resources: 7 destroyed." in destroyed.out
    left = json.loads((tmp_path / "cluster.tfstate").read_text())
    assert left["resources"] == []


def test_cluster_plan_groups_changes_by_kubernetes_object(albform: Any, tmp_path: Path) -> None:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err
    state = f"-state={tmp_path / 'cluster.tfstate'}"
    plain = albform("cluster", "plan", *INPUTS, state, "-no-color")
    assert "Changes by Kubernetes object:" not in plain.out
    grouped = albform("cluster", "plan", *INPUTS, state, "-no-color", "--by-k8s-object")
    assert grouped.code == 0, grouped.err
    section = grouped.out[grouped.out.index("Changes by Kubernetes object:"):]
    service = section[section.index("  Service default/lb-demo\n"):
                      section.index("  cluster-wide")]
    assert service.splitlines()[1:] == [
        '    + avi_l4policyset.ako["kubeadm-cluster--default-lb-demo"]',
        '    + avi_pool.ako["kubeadm-cluster--default-lb-demo-TCP-80"]',
        '    + avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]',
        '    + avi_vsvip.ako["kubeadm-cluster--default-lb-demo"]', ""]
    cluster_wide = section[section.index("  cluster-wide"):].split("\n\n")[0].splitlines()
    assert len(cluster_wide) == 4 and all(
        line.startswith("    + avi_vrfcontext_static_route.ako[") for line in cluster_wide[1:])
