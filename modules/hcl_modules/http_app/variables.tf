variable "name" {
  description = "Name of the virtual service; the pool and VIP are named after it."
  type        = string
}

variable "vip" {
  description = "IPv4 address of the virtual IP."
  type        = string
}

variable "servers" {
  description = "IPv4 addresses of the pool members."
  type        = list(string)
}

variable "port" {
  description = "Port the pool members listen on."
  type        = number
  default     = 80
}

variable "service_ports" {
  description = "Ports the virtual service listens on."
  type        = list(number)
  default     = [80]
}

variable "cloud_ref" {
  description = "Cloud to place the objects in (default: the controller's Default-Cloud)."
  type        = string
  default     = null
}

variable "tenant_ref" {
  description = "Tenant of the objects (default: the session's tenant)."
  type        = string
  default     = null
}

variable "health_monitor_refs" {
  description = "Health monitors for the pool."
  type        = list(string)
  default     = []
}

variable "lb_algorithm" {
  type    = string
  default = "LB_ALGORITHM_LEAST_CONNECTIONS"
}
