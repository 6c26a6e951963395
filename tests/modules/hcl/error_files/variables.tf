variable "port" {
  type    = number
  default = "eighty" # ERROR: Invalid value for input variable
}

variable "mode" {
  type    = string
  default = "blue"
  validation {
    condition     = contains(["red", "green"], var.mode) # ERROR: Invalid value for variable
    error_message = "mode must be red or green."
  }
}

variable "bad_type" {
  type = list(strin) # ERROR: Invalid type specification
}

variable "nothing" { # ERROR: No value for required variable
  type = string
}

resource "avi_pool" "p" {
  name = "p-${var.mode}"
}

variable "password" {
  type      = string
  default   = "s3cret"
  sensitive = true
}

locals {
  login = "admin:${var.password}"
}

output "login" {
  value = local.login # ERROR: Output refers to sensitive values
}

output "login_ok" {
  value     = local.login
  sensitive = true
}

output "wrapped" {
  value = sensitive("x") # ERROR: Output refers to sensitive values
}
