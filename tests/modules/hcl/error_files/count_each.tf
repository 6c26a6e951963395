resource "avi_pool" "base" {
  name = "base"
}

resource "avi_pool" "counted" {
  count = length(avi_pool.base.servers) # ERROR: Invalid count argument
  name  = "c"
}

resource "avi_pool" "listed" {
  for_each = ["a", "b"] # ERROR: Invalid for_each argument
  name     = each.key
}

resource "avi_pool" "plain" {
  name = "p-${count.index}" # ERROR: Reference to "count" in non-counted context
}

resource "avi_pool" "both" {
  count    = 1 # ERROR: Invalid combination of "count" and "for_each"
  for_each = toset(["a"])
  name     = "both"
}

resource "avi_pool" "uses_counted" {
  name = avi_pool.listed.name # ERROR: Missing resource instance key
}
