# The seed walkthrough as one HCL configuration: the controller-side steps (IPAM on
# Default-Cloud with network "VLAN 2900" and its VIP range, Default-Group active/active) and
# the lb-demo cluster's load balancer through the built-in cluster module, in one plan.
#
#   albform -chdir=examples/nsx-alb-setup plan
#   albform -chdir=examples/nsx-alb-setup apply -auto-approve
#
# With no controller configured (AVI_CONTROLLER unset) albform runs the embedded emulator.

terraform {
  required_providers {
    avi = {
      source = "vmware/avi"
    }
  }
}

provider "avi" {
  avi_tenant = "admin"
}

variable "vip_range" {
  description = "First and last address AKO may give to virtual services."
  type        = list(string)
  default     = ["172.19.0.100", "172.19.0.150"]
}

locals {
  vip_cidr = "172.19.0.0/24"
}

# Fresh controllers ship Default-Cloud and Default-Group: take them over instead of creating.
import {
  to = avi_cloud.default
  id = "Default-Cloud"
}

import {
  to = avi_serviceenginegroup.default
  id = "Default-Group"
}

resource "avi_network" "vlan2900" {
  name         = "VLAN 2900"
  cloud_ref    = "/api/cloud?name=Default-Cloud"
  dhcp_enabled = false
  configured_subnets {
    prefix {
      ip_addr {
        addr = cidrhost(local.vip_cidr, 0)
        type = "V4"
      }
      mask = tonumber(split("/", local.vip_cidr)[1])
    }
    static_ip_ranges {
      type = "STATIC_IPS_FOR_VIP"
      range {
        begin {
          addr = var.vip_range[0]
          type = "V4"
        }
        end {
          addr = var.vip_range[1]
          type = "V4"
        }
      }
    }
  }
}

resource "avi_ipamdnsproviderprofile" "ipam" {
  name = "lb-demo-ipam"
  type = "IPAMDNS_TYPE_INTERNAL"
  internal_profile {
    usable_networks {
      nw_ref = avi_network.vlan2900.id
    }
  }
}

resource "avi_cloud" "default" {
  name              = "Default-Cloud"
  vtype             = "CLOUD_NONE"
  ipam_provider_ref = avi_ipamdnsproviderprofile.ipam.id
}

resource "avi_serviceenginegroup" "default" {
  name                = "Default-Group"
  ha_mode             = "HA_MODE_SHARED_PAIR"
  min_scaleout_per_vs = 2
}

module "kubeadm" {
  source           = "albform/ako"
  manifests        = ["../lb-demo/manifests"]
  ako_config       = "../lb-demo/avi-k8s-config.yaml"
  controller_facts = "../lb-demo/controller-facts.yaml"
  depends_on       = [avi_cloud.default, avi_serviceenginegroup.default]
}

output "lb_demo_vip" {
  description = "The VIP the controller's IPAM gave the lb-demo Service."
  value       = module.kubeadm.vsvips["kubeadm-cluster--default-lb-demo"].vip[0].ip_address.addr
}
