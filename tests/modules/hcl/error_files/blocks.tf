resource "avi_pool" "web" {
  name = "web"
  lifecycle {
    prevent_destroy      = true
    ignore_change        = [name] # ERROR: Unsupported argument
    replace_triggered_by = [avi_pool.other] # ERROR: Unsupported argument
  }
  depends_on = [avi_pool.missing] # ERROR: Reference to undeclared resource
}

resource "avi_pool" "dup" {
  name = "a"
}

resource "avi_pool" "dup" { # ERROR: Duplicate resource configuration
  name = "b"
}

output "o" { # ERROR: Missing required argument
  valeu = 1 # ERROR: Unsupported argument
}

module "m" {
  source = "git::https://example.com/mod.git" # ERROR: Unsupported module source
}

moved {
  from = avi_pool.old
  to   = "avi_pool.new[" # ERROR: Invalid reference
}

something "x" { # ERROR: Unsupported block type
}

provider "avi" {
  avi_controler = "x" # ERROR: Unsupported argument
  avi_insecure  = true # ERROR: Unsupported argument
  avi_csp_host  = "console.cloud.vmware.com"
  # Named in the interchange issue, but in no vmware/avi release albform can read (README):
  avi_retry_timeout = 60 # ERROR: Unsupported argument
  avi_min_timeout   = 5 # ERROR: Unsupported argument
  avi_auth_headers  = { X = "y" } # ERROR: Unsupported argument
}

resource "avi_pool" "selfish" { # ERROR: Self-referential block
  name        = "selfish"
  description = avi_pool.selfish.name
}

resource "avi_pool" "ignoring" {
  name = "ignoring"
  lifecycle {
    ignore_changes = [descripton] # ERROR: Unsupported attribute
  }
}
