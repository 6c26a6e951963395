# The demo's GslbServices from HCL: the built-in module runs the same translation as
# `albform gslb plan` (addresses module.gslb.avi_<type>.amko["<name>"]), so GSLB can sit in one
# configuration with the rest of the controller setup.
module "gslb" {
  source  = "albform/amko"
  members = {
    east = "../east"
    west = "../west"
  }
  amko = ["../amko/gslbconfig.yaml", "../amko/gdp.yaml"]
}

output "gslbservice_names" {
  value = module.gslb.names["avi_gslbservice"]
}
