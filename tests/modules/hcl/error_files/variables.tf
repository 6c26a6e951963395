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
