"""albform: Terraform-style plan/apply for NSX-ALB (Avi) load balancers.

The distribution maps this namespace onto the repository's top-level folders:
``albform.engine`` (state, graph, diff, plan, apply), ``albform.provider`` (Avi schema, client,
emulator), ``albform.modules`` (HCL, Kubernetes and CDKTF front ends) and ``albform.cli``.
"""

__version__ = "0.1.0"
