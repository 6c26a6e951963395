# Required arguments inside nested blocks come from the schema, at every level: a network's
# subnet prefix needs ip_addr and mask, an address needs addr and type.
resource "avi_network" "missing_mask" {
  name = "n1"
  configured_subnets {
    prefix { # ERROR: Missing required argument
      ip_addr {
        addr = "10.0.0.0"
        type = "V4"
      }
    }
  }
}

resource "avi_network" "missing_type" {
  name = "n2"
  configured_subnets {
    prefix {
      ip_addr { # ERROR: Missing required argument
        addr = "10.0.0.0"
      }
      mask = 24
    }
  }
}

# Nested objects are blocks in the provider's schema: in native syntax, Terraform refuses
# them written as arguments (JSON syntax may write either: test_tfjson.py).
resource "avi_network" "object_value" {
  name = "n3"
  configured_subnets = [{ # ERROR: Unsupported argument
    prefix = { ip_addr = { addr = "10.0.0.0", type = "V4" } }
  }]
}

resource "avi_network" "dynamic" {
  name = "n4"
  dynamic "configured_subnets" {
    for_each = ["10.0.0.0", "10.1.0.0"]
    content { # ERROR: Missing required argument
      static_ip_ranges { # ERROR: Missing required argument
        type = "STATIC_IPS_FOR_VIP"
      }
    }
  }
}

resource "avi_network" "complete" {
  name = "n5"
  configured_subnets {
    prefix {
      ip_addr {
        addr = "10.0.0.0"
        type = "V4"
      }
      mask = 24
    }
  }
}
