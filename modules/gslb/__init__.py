"""Multi-cluster GSLB with AMKO's semantics (Avi Multi-cluster Kubernetes Operator).

Entry point: ``translate(members, amko) -> (Translation, Diagnostics)``: the member clusters'
Ingresses, LoadBalancer Services and Routes (with the status and annotations AKO wrote on
them) plus AMKO's GSLBConfig, GlobalDeploymentPolicy and GSLBHostRule objects become the
GslbServices and health monitors AMKO would create on the GSLB leader. ``load`` reads files.
"""

from __future__ import annotations
