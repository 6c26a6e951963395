"""No value ever renders as a Python repr (issue 13, defect 4). The configuration is the shape
of the official provider's virtual-service examples: a cloud, a network profile, a pool, a
pool group, a vsvip and a virtual service created together with ``data "avi_tenant"``, and
outputs that take nested blocks of the new objects whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONFIG = """
data "avi_tenant" "admin" {
  name = "admin"
}

resource "avi_cloud" "lab" {
  name       = "lab-cloud"
  vtype      = "CLOUD_NONE"
  tenant_ref = data.avi_tenant.admin.id
}

resource "avi_networkprofile" "tcp" {
  name       = "lab-tcp"
  tenant_ref = data.avi_tenant.admin.id
  profile {
    type = "PROTOCOL_TYPE_TCP_PROXY"
    tcp_proxy_profile {
      automatic = true
    }
  }
}

resource "avi_pool" "web" {
  name       = "lab-pool"
  tenant_ref = data.avi_tenant.admin.id
  cloud_ref  = avi_cloud.lab.id
  servers {
    ip {
      type = "V4"
      addr = "10.1.1.10"
    }
    port = 80
  }
}

resource "avi_poolgroup" "web" {
  name       = "lab-pg"
  tenant_ref = data.avi_tenant.admin.id
  cloud_ref  = avi_cloud.lab.id
  members {
    pool_ref = avi_pool.web.id
    ratio    = 1
  }
}

resource "avi_vsvip" "web" {
  name       = "lab-vip"
  tenant_ref = data.avi_tenant.admin.id
  cloud_ref  = avi_cloud.lab.id
  vip {
    vip_id = "1"
    ip_address {
      type = "V4"
      addr = "10.1.2.10"
    }
  }
}

resource "avi_virtualservice" "web" {
  name                = "lab-vs"
  tenant_ref          = data.avi_tenant.admin.id
  cloud_ref           = avi_cloud.lab.id
  pool_group_ref      = avi_poolgroup.web.id
  vsvip_ref           = avi_vsvip.web.id
  network_profile_ref = avi_networkprofile.tcp.id
  services {
    port = 80
  }
}

output "vip" {
  value = avi_vsvip.web.vip[0]
}

output "servers" {
  value = avi_pool.web.servers
}

output "profile" {
  value = avi_networkprofile.tcp.profile
}
"""


def test_plan_of_new_objects_nested_blocks_renders_no_repr(albform: Any,
                                                           tmp_path: Path) -> None:
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(CONFIG)
    plan = albform("-chdir=" + str(work), "plan", "-no-color", "-out=tfplan")
    assert plan.code == 0, plan.err
    for text in (plan.out, albform("-chdir=" + str(work), "show", "-no-color", "tfplan").out,
                 albform("-chdir=" + str(work), "show", "-json", "tfplan").out):
        assert "object at 0x" not in text and "<albform." not in text, text
    assert "Plan: 6 to add, 0 to change, 0 to destroy." in plan.out
    # A nested block of an object yet to be created is known after apply: the server fills
    # the fields the configuration leaves unset.
    assert "+ vip     = (known after apply)" in plan.out, plan.out
    assert "+ profile = (known after apply)" in plan.out, plan.out
    doc = json.loads(albform("-chdir=" + str(work), "show", "-json", "tfplan").out)
    assert doc["output_changes"]["vip"]["after_unknown"] is True
    applied = albform("-chdir=" + str(work), "apply", "-no-color", "tfplan")
    assert applied.code == 0, applied.err
    outputs = json.loads(albform("-chdir=" + str(work), "output", "-json").out)
    assert outputs["vip"]["value"]["ip_address"]["addr"] == "10.1.2.10"
    assert outputs["servers"]["value"][0]["port"] == 80
