"""examples/nsx-alb-setup: the controller-side steps in HCL plus the lb-demo cluster through
the built-in ``albform/ako`` module, planned and applied against the emulator in one plan."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nsx-alb-setup"


def test_controller_and_cluster_in_one_plan(albform: Any, tmp_path: Path) -> None:
    state = f"-state={tmp_path / 'terraform.tfstate'}"
    chdir = "-chdir=" + str(EXAMPLE)
    # plan -json streams Terraform's UI; the plan document is show -json of a saved plan.
    saved = tmp_path / "tfplan"
    plan = albform(chdir, "plan", f"-out={saved}", state)
    assert plan.code == 0, plan.err
    shown = albform(chdir, "show", "-json", str(saved))
    assert shown.code == 0, shown.err
    changes = {rc["address"]: rc["change"] for rc in shown.json()["resource_changes"]}
    assert changes["avi_network.vlan2900"]["actions"] == ["create"]
    assert changes["avi_cloud.default"].get("importing")
    assert changes['module.kubeadm.avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]'][
        "actions"] == ["create"]
    assert sum(a.startswith("module.kubeadm.") for a in changes) == 7

    applied = albform(chdir, "apply", "-auto-approve", "-no-color", state)
    assert applied.code == 0, applied.out + applied.err
    assert "Outputs:" in applied.out
    vip = json.loads(albform(chdir, "output", "-json", state).out)["lb_demo_vip"]["value"]
    assert ipaddress.ip_address(vip) in ipaddress.ip_network("172.19.0.0/24")
    assert ipaddress.ip_address(vip) >= ipaddress.ip_address("172.19.0.100")

    again = albform(chdir, "plan", "-detailed-exitcode", state)
    assert again.code == 0, again.out + again.err
