"""An index of the Kubernetes objects the translator reads, built once per translation.

Lookups AKO's informers provide: Services by namespace/name, EndpointSlices by owning Service
(label ``kubernetes.io/service-name``), Nodes sorted by name, Pods by namespace, Secrets,
IngressClasses, Namespaces, OpenShift Routes, and the CNI CRDs used for pod CIDRs.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.ingest import KubeObject

SVC_NAME_LABEL = "kubernetes.io/service-name"
CLUSTER_SCOPED = {"Node", "Namespace", "IngressClass", "BlockAffinity", "HostSubnet",
                  "CiliumNode", "AviInfraSetting"}
USED_KINDS = {"Service", "EndpointSlice", "Node", "Pod", "Ingress", "IngressClass", "Secret",
              "Namespace", "BlockAffinity", "HostSubnet", "CiliumNode", "HostRule", "HTTPRule",
              "AviInfraSetting", "L4Rule", "L7Rule", "SSORule", "Route"}
# Kinds AKO would act on that this translator does not (DECISIONS.md).
UNSUPPORTED_KINDS = {"Gateway", "GatewayClass",
                     "HTTPRoute", "MultiClusterIngress"}


class ClusterIndex:
    def __init__(self, objects: Iterable[KubeObject | Mapping[str, Any]]) -> None:
        self.services: dict[tuple[str, str], KubeObject] = {}
        self.slices: dict[tuple[str, str], list[KubeObject]] = defaultdict(list)
        self.nodes: list[KubeObject] = []
        self.pods: dict[str, list[KubeObject]] = defaultdict(list)
        self.ingresses: list[KubeObject] = []
        self.routes: list[KubeObject] = []  # route.openshift.io/v1
        self.ingress_classes: dict[str, KubeObject] = {}
        self.secrets: dict[tuple[str, str], KubeObject] = {}
        self.namespaces: dict[str, KubeObject] = {}
        self.crds: dict[str, list[KubeObject]] = defaultdict(list)
        self.diagnostics = Diagnostics()
        seen: dict[tuple[str, str, str], KubeObject] = {}
        for raw in objects:
            obj = raw if isinstance(raw, KubeObject) else KubeObject(raw)
            kind = obj.kind
            if kind in UNSUPPORTED_KINDS:
                self.diagnostics.warning(
                    "Object kind not translated",
                    f"{kind} {obj.namespace}/{obj.name} is ignored: this translator does not "
                    "implement it yet.", subject=obj.source)
                continue
            if kind not in USED_KINDS:
                continue
            ns = "" if kind in CLUSTER_SCOPED else obj.namespace
            key = (kind, ns, obj.name)
            if key in seen:
                self.diagnostics.warning(
                    "Duplicate Kubernetes object",
                    f"{kind} {(ns + '/') if ns else ''}{obj.name} appears twice; the later one "
                    f"is used (the first is at {seen[key].source}).", subject=obj.source)
            seen[key] = obj
        for (kind, ns, name), obj in seen.items():
            self._add(kind, ns, name, obj)
        self.nodes.sort(key=lambda n: n.name)

    def _add(self, kind: str, ns: str, name: str, obj: KubeObject) -> None:
        if kind == "Service":
            self.services[(ns, name)] = obj
        elif kind == "EndpointSlice":
            svc = obj.labels.get(SVC_NAME_LABEL)
            if svc:
                self.slices[(ns, svc)].append(obj)
        elif kind == "Node":
            self.nodes.append(obj)
        elif kind == "Pod":
            self.pods[ns].append(obj)
        elif kind == "Ingress":
            self.ingresses.append(obj)
        elif kind == "Route":
            self.routes.append(obj)
        elif kind == "IngressClass":
            self.ingress_classes[name] = obj
        elif kind == "Secret":
            self.secrets[(ns, name)] = obj
        elif kind == "Namespace":
            self.namespaces[name] = obj
        else:
            self.crds[kind].append(obj)

    def secret_value(self, ns: str, name: str, key: str) -> str | None:
        """``Secret.Data[key]`` decoded (``stringData`` too, as manifests carry it before the
        API server folds it in): "" for a missing or undecodable key, None without the
        Secret."""
        secret = self.secrets.get((ns, name))
        if secret is None:
            return None
        string_data = secret.data.get("stringData")
        if isinstance(string_data, dict) and key in string_data:
            return str(string_data[key])
        data = secret.data.get("data")
        raw = data.get(key) if isinstance(data, dict) else None
        try:
            return base64.b64decode(str(raw)).decode("utf-8") if raw else ""
        except (ValueError, UnicodeDecodeError):
            return ""

    def namespace_annotations(self, ns: str) -> Mapping[str, str]:
        obj = self.namespaces.get(ns)
        return obj.annotations if obj is not None else {}

    def namespace_labels(self, ns: str) -> Mapping[str, str]:
        obj = self.namespaces.get(ns)
        return obj.labels if obj is not None else {}
