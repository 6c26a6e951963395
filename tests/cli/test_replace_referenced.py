"""``-replace`` of an object other objects still refer to (issue 13, defect 9): an L4 policy
set used by a virtual service. Destroy-then-create cannot work (the controller refuses to
delete an object still referred to, and the virtual service can point at the new set only
once it exists), so the plan refuses it, naming the referrer and the way out; with
``create_before_destroy`` and a new name, the apply creates the new set, re-points the
virtual service and deletes the old set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CONFIG = """
resource "avi_pool" "web" {
  name = "l4-pool"
  servers {
    ip {
      type = "V4"
      addr = "10.2.0.10"
    }
    port = 8443
  }
}

resource "avi_l4policyset" "l4" {
  name = "l4-rules"
  l4_connection_policy {
    rules {
      name  = "r1"
      index = 1
      match {
        port {
          match_criteria = "IS_IN"
          ports          = [8443]
        }
      }
      action {
        select_pool {
          action_type = "L4_RULE_ACTION_SELECT_POOL"
          pool_ref    = avi_pool.web.id
        }
      }
    }
  }
}

resource "avi_vsvip" "web" {
  name = "l4-vip"
  vip {
    vip_id = "0"
    ip_address {
      type = "V4"
      addr = "10.2.1.10"
    }
  }
}

resource "avi_virtualservice" "web" {
  name                    = "l4-vs"
  vsvip_ref               = avi_vsvip.web.id
  application_profile_ref = "/api/applicationprofile?name=System-L4-Application"
  services {
    port = 8443
  }
  l4_policies {
    index              = 1
    l4_policy_set_ref  = avi_l4policyset.l4.id
  }
}
"""


def test_replace_of_a_referenced_object(albform: Any, tmp_path: Path) -> None:
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(CONFIG)
    chdir = "-chdir=" + str(work)
    first = albform(chdir, "apply", "-auto-approve", "-no-color")
    assert first.code == 0, first.err
    before = (work / "terraform.tfstate").read_bytes()
    refused = albform(chdir, "plan", "-no-color", "-replace=avi_l4policyset.l4")
    assert refused.code == 1, refused.out
    assert "Error: Cannot replace an object that is still referred to" in refused.err
    assert "avi_virtualservice.web" in refused.err and "create_before_destroy" in refused.err
    applied = albform(chdir, "apply", "-auto-approve", "-no-color",
                      "-replace=avi_l4policyset.l4")
    assert applied.code == 1 and "still referred to" in applied.err
    assert (work / "terraform.tfstate").read_bytes() == before  # nothing was touched
    # The way out the error names: create the replacement first, under a new name.
    (work / "main.tf").write_text(CONFIG.replace(
        'name = "l4-rules"', 'name = "l4-rules-v2"\n  lifecycle {\n'
        '    create_before_destroy = true\n  }'))
    plan = albform(chdir, "plan", "-no-color", "-replace=avi_l4policyset.l4")
    assert plan.code == 0, plan.err
    assert "# avi_l4policyset.l4 will be replaced, as requested" in plan.out
    applied = albform(chdir, "apply", "-auto-approve", "-no-color",
                      "-replace=avi_l4policyset.l4")
    assert applied.code == 0, applied.err
    assert "1 added, 1 changed, 1 destroyed" in applied.out
    again = albform(chdir, "plan", "-no-color", "-detailed-exitcode")
    assert again.code == 0, again.out


DEMO = Path(__file__).resolve().parents[2] / "examples" / "lb-demo"
VIP = 'avi_vsvip.ako["kubeadm-cluster--default-lb-demo"]'
VS = 'avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]'


def lb_demo_cluster(albform: Any, tmp_path: Path) -> Any:
    """The lb-demo controller objects applied, then its cluster applied; returns
    ``cluster(verb, *args)``, an ``albform cluster VERB`` run over the demo's inputs."""
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


def test_cluster_replace_of_a_referenced_object_gives_cluster_advice(albform: Any,
                                                                     tmp_path: Path) -> None:
    # A cluster's objects have AKO's names and no lifecycle block: the advice is the steps a
    # cluster plan can take, and following them replaces the object.
    cluster = lb_demo_cluster(albform, tmp_path)
    vip, vs = VIP, VS
    refused = cluster("plan", f"-replace={vip}")
    assert refused.code == 1 and "still referred to" in refused.err
    detail = " ".join(refused.err.replace("│", " ").split())
    assert "create_before_destroy = true" not in detail and "new name" not in detail
    assert f"albform cluster destroy -target='{vs}'" in detail, detail
    assert f"albform cluster apply -replace='{vip}' -target='{vip}'" in detail
    before = albform("state", "show", vip).out
    assert cluster("destroy", "-auto-approve", f"-target={vs}").code == 0
    assert cluster("apply", "-auto-approve", f"-replace={vip}", f"-target={vip}").code == 0
    assert cluster("apply", "-auto-approve").code == 0
    assert albform("state", "show", vip).out != before  # a new object (new uuid)
    assert cluster("plan", "-detailed-exitcode").code == 0


# -- replacing a VsVip with its VirtualService -------------------------------------------------
# ``-replace`` of a VsVip together with its VirtualService in one cluster apply, and the
# replace of a VsVip while its (destroyed out of band) VirtualService is created: a cluster
# plan refers by name (``/api/vsvip?name=x``), which the provider resolves to the old object's
# uuid while planning; that uuid is gone once the VsVip is replaced, so the reference must be
# planned unknown ("known after apply"), not as the old uuid (which apply then calls an
# inconsistent final plan).

def test_cluster_replace_of_vsvip_and_its_virtualservice_together(albform: Any,
                                                                  tmp_path: Path) -> None:
    cluster = lb_demo_cluster(albform, tmp_path)
    before = albform("state", "show", VIP).out
    planned = cluster("plan", f"-replace={VIP}", f"-replace={VS}")
    assert planned.code == 0, planned.err
    assert any("vsvip_ref" in line and "(known after apply)" in line
               for line in planned.out.splitlines()), planned.out
    applied = cluster("apply", "-auto-approve", f"-replace={VIP}", f"-replace={VS}")
    assert applied.code == 0, applied.err + applied.out
    assert "Inconsistent final plan" not in applied.err
    assert albform("state", "show", VIP).out != before  # a new object (new uuid)
    again = cluster("plan", "-detailed-exitcode")
    assert again.code == 0, again.out


def test_cluster_replace_of_vsvip_while_its_virtualservice_is_created(albform: Any,
                                                                     tmp_path: Path) -> None:
    cluster = lb_demo_cluster(albform, tmp_path)
    gone = cluster("destroy", "-auto-approve", f"-target={VS}")
    assert gone.code == 0, gone.err
    applied = cluster("apply", "-auto-approve", f"-replace={VIP}")
    assert applied.code == 0, applied.err + applied.out
    again = cluster("plan", "-detailed-exitcode")
    assert again.code == 0, again.out
