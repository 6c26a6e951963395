# Mistakes in a call of the built-in albform/ako module: reported on the argument's line in
# this file (a manifest path that does not exist has no line of its own).
module "missing_manifest" {
  source     = "albform/ako"
  manifests  = ["no-such-dir/"] # ERROR: Manifest not found
  ako_config = "../../../../examples/lb-demo/avi-k8s-config.yaml"
}

module "not_a_path" {
  source     = "albform/ako"
  manifests  = 5 # ERROR: Invalid value
  ako_config = "../../../../examples/lb-demo/avi-k8s-config.yaml"
}
