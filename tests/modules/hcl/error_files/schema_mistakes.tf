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
