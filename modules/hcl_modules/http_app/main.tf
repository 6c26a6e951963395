# An HTTP application: a pool of servers behind a virtual service on one IPv4 VIP.

resource "avi_pool" "this" {
  name                = "${var.name}-pool"
  cloud_ref           = var.cloud_ref
  tenant_ref          = var.tenant_ref
  lb_algorithm        = var.lb_algorithm
  health_monitor_refs = var.health_monitor_refs

  dynamic "servers" {
    for_each = var.servers
    content {
      ip {
        addr = servers.value
        type = "V4"
      }
      port = var.port
    }
  }
}

resource "avi_vsvip" "this" {
  name       = "${var.name}-vsvip"
  cloud_ref  = var.cloud_ref
  tenant_ref = var.tenant_ref

  vip {
    vip_id = "0"
    ip_address {
      addr = var.vip
      type = "V4"
    }
  }
}

resource "avi_virtualservice" "this" {
  name       = var.name
  cloud_ref  = var.cloud_ref
  tenant_ref = var.tenant_ref
  pool_ref   = avi_pool.this.id
  vsvip_ref  = avi_vsvip.this.id

  dynamic "services" {
    for_each = var.service_ports
    content {
      port = services.value
    }
  }
}

output "virtualservice_id" {
  value = avi_virtualservice.this.id
}

output "pool_id" {
  value = avi_pool.this.id
}

output "vsvip_id" {
  value = avi_vsvip.this.id
}
