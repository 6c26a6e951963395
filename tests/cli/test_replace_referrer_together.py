"""``-replace`` of a VsVip together with its VirtualService in one cluster apply, and the
replace of a VsVip while its (destroyed out of band) VirtualService is created: a cluster
plan refers by name (``/api/vsvip?name=x``), which the provider resolves to the old object's
uuid while planning; that uuid is gone once the VsVip is replaced, so the reference must be
planned unknown ("known after apply"), not as the old uuid (which apply then calls an
inconsistent final plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEMO = Path(__file__).resolve().parents[2] / "examples" / "lb-demo"
VIP = 'avi_vsvip.ako["kubeadm-cluster--default-lb-demo"]'
VS = 'avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]'


def _cluster(albform: Any, tmp_path: Path) -> Any:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err

    def cluster(verb: str, *args: str) -> Any:
        return albform("cluster", verb, "--manifests", str(DEMO / "manifests"),
                       "--ako-config", str(DEMO / "avi-k8s-config.yaml"), "--controller-facts",
                       str(DEMO / "controller-facts.yaml"), "-no-color", *args)

    first = cluster("apply", "-auto-approve")
    assert first.code == 0, first.err
    return cluster


def test_cluster_replace_of_vsvip_and_its_virtualservice_together(albform: Any,
                                                                  tmp_path: Path) -> None:
    cluster = _cluster(albform, tmp_path)
    before = albform("state", "show", VIP).out
    planned = cluster("plan", f"-replace={VIP}", f"-replace={VS}")
    assert planned.code == 0, planned.err
    assert "vsvip_ref" in planned.out and "(known after apply)" in planned.out, planned.out
    applied = cluster("apply", "-auto-approve", f"-replace={VIP}", f"-replace={VS}")
    assert applied.code == 0, applied.err + applied.out
    assert "Inconsistent final plan" not in applied.err
    assert albform("state", "show", VIP).out != before  # a new object (new uuid)
    again = cluster("plan", "-detailed-exitcode")
    assert again.code == 0, again.out


def test_cluster_replace_of_vsvip_while_its_virtualservice_is_created(albform: Any,
                                                                     tmp_path: Path) -> None:
    cluster = _cluster(albform, tmp_path)
    gone = cluster("destroy", "-auto-approve", f"-target={VS}")
    assert gone.code == 0, gone.err
    applied = cluster("apply", "-auto-approve", f"-replace={VIP}")
    assert applied.code == 0, applied.err + applied.out
    again = cluster("plan", "-detailed-exitcode")
    assert again.code == 0, again.out
