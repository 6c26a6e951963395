resource "avi_pool" "web" {
  name          = "web"
  lb_algoritm   = "LB_ALGORITHM_ROUND_ROBIN" # ERROR: Unsupported argument
  servers {
    ip {
      addr = "10.0.0.1"
      type = "V4"
    }
    prot = 80 # ERROR: Unsupported argument
  }
}

resource "avi_pol" "typo" { # ERROR: Invalid resource type
  name = "x"
}

resource "avi_healthmonitor" "hm" { # ERROR: Missing required argument
  type = "HEALTH_MONITOR_HTTP"
}

resource "aws_instance" "vm" { # ERROR: Unsupported resource type
  ami = "x"
}

resource "avi_pool" "typed" {
  name                = "typed"
  lb_algorithm        = "LB_ALGORITHM_ROUND_ROBINN" # ERROR: Invalid value
  default_server_port = "eighty" # ERROR: Incorrect attribute value type
  enabled             = "yes" # ERROR: Incorrect attribute value type
  health_monitor_refs = "one" # ERROR: Incorrect attribute value type
  servers {
    port = [80] # ERROR: Incorrect attribute value type
    ip {
      addr = "10.0.0.1"
      type = "V5" # ERROR: Invalid value
    }
  }
}

resource "avi_pool" "fine" {
  name                = "fine"
  default_server_port = "8080"
  enabled             = "true"
  lb_algorithm        = "LB_ALGORITHM_ROUND_ROBIN"
}
