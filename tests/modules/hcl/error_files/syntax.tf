resource "avi_pool" "web" {
  name = "web"
  description = "unterminated # ERROR: Invalid HCL syntax
}
