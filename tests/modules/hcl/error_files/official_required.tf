# Arguments the official vmware/avi provider requires (its Go schema) are required by albform
# too, so a configuration that provider rejects never loads here either.
resource "avi_gslbservice" "no_domains" { # ERROR: Missing required argument
  name = "gs"
  groups {
    name      = "g1"
    priority  = 10
    algorithm = "GSLB_ALGORITHM_ROUND_ROBIN"
    members {
      ip {
        addr = "10.0.0.5"
        type = "V4"
      }
    }
  }
}

resource "avi_vsvip" "no_vip_id" {
  name = "v"
  vip { # ERROR: Missing required argument
    ip_address {
      addr = "10.0.0.1"
      type = "V4"
    }
  }
}
