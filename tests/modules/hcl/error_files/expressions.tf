locals {
  ports = [80, 443]
  m     = { a = 1 }
}

resource "avi_pool" "a" {
  name        = "a"
  description = nosuchfn("x") # ERROR: Call to unknown function
}

resource "avi_pool" "b" {
  name        = "b"
  description = local.ports[5] # ERROR: Invalid index
}

resource "avi_pool" "c" {
  name = "c"
  description = join(",",
    local.m.zz # ERROR: Unsupported attribute
  )
}

resource "avi_pool" "d" {
  name        = "d"
  description = "ports: ${local.ports}" # ERROR: Invalid template interpolation value
}

resource "avi_pool" "e" {
  name        = "e"
  description = 1 + "x" # ERROR: Invalid value
}
