"""albform.modules: front ends that yield planned resources — the HCL / Terraform-JSON reader,
the Kubernetes → ALB translator (AKO semantics) and the CDKTF-style construct library — plus the
reusable HCL modules shipped with albform."""
