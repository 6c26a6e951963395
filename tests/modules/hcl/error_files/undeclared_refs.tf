variable "tenant" {
  default = "admin"
}

locals {
  prefix = "web"
}

resource "avi_pool" "web" {
  name       = "${local.prefx}-pool" # ERROR: Reference to undeclared local value
  tenant_ref = var.tennant # ERROR: Reference to undeclared input variable
}

resource "avi_poolgroup" "pg" {
  name = "pg"
  members {
    pool_ref = avi_pool.webb.id # ERROR: Reference to undeclared resource
  }
}

resource "avi_virtualservice" "vs" {
  name      = "vs"
  cloud_ref = data.avi_cloud.missing.id # ERROR: Reference to undeclared resource
}
