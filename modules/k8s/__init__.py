"""Kubernetes -> NSX-ALB translator with AKO's semantics.

Entry point: ``translate(objects, settings, facts) -> (Translation, Diagnostics)``; inputs come
from ``ingest`` (manifests), ``live`` (a cluster), ``settings`` (avi-k8s-config) and ``facts``.
"""

from __future__ import annotations
