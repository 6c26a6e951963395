"""Kubernetes objects from a live cluster through the official ``kubernetes`` client (the
optional ``k8s`` extra, imported lazily so the rest of albform works without it).

``load_live(kubeconfig=None, context=None, in_cluster=False, pods=False)`` lists the kinds the
translator reads, page by page, as raw JSON (exactly what ``kubectl get -o json`` would show),
and returns ``(objects, Diagnostics)``. Connection and API failures become one error naming
the resource; credentials never appear in messages.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from albform.engine.diagnostics import Diagnostics
from albform.modules.k8s.ingest import KubeObject
from albform.modules.k8s.settings import AkoSettings, load_settings

PAGE_SIZE = 500

# (kind, API class attribute, list method, extra arguments)
_LISTS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("Namespace", "CoreV1Api", "list_namespace", {}),
    ("Node", "CoreV1Api", "list_node", {}),
    ("Service", "CoreV1Api", "list_service_for_all_namespaces", {}),
    ("EndpointSlice", "DiscoveryV1Api", "list_endpoint_slice_for_all_namespaces", {}),
    ("IngressClass", "NetworkingV1Api", "list_ingress_class", {}),
    ("Ingress", "NetworkingV1Api", "list_ingress_for_all_namespaces", {}),
    ("Secret", "CoreV1Api", "list_secret_for_all_namespaces",
     {"field_selector": "type=kubernetes.io/tls"}),
)
_PODS: tuple[str, str, str, dict[str, str]] = ("Pod", "CoreV1Api",
                                               "list_pod_for_all_namespaces", {})


class LiveClusterError(Exception):
    """The cluster could not be reached or refused a request."""


def _client(kubeconfig: str | None, context: str | None, in_cluster: bool) -> Any:
    try:
        from kubernetes import client
        from kubernetes import config as kube_config
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise LiveClusterError("reading a live cluster needs the 'kubernetes' package "
                               "(pip install 'albform[k8s]')") from exc
    config: Any = kube_config  # the package's config helpers are untyped
    try:
        if in_cluster:
            config.load_incluster_config()
            return client.ApiClient()
        return config.new_client_from_config(config_file=kubeconfig, context=context)
    except (config.ConfigException, OSError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise LiveClusterError(f"cannot load the Kubernetes configuration: {exc}") from exc


def _list_all(call: Callable[..., Any], kind: str, extra: dict[str, str]) -> list[KubeObject]:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    out: list[KubeObject] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE, "_preload_content": False, **extra}
        if token:
            kwargs["_continue"] = token
        try:
            response = call(**kwargs)
            page = json.loads(response.data)
        except ApiException as exc:
            raise LiveClusterError(f"listing {kind} objects failed: HTTP {exc.status} "
                                   f"{exc.reason}") from exc
        except (HTTPError, OSError, ValueError) as exc:
            raise LiveClusterError(f"listing {kind} objects failed: {exc}") from exc
        for item in page.get("items") or []:
            # List responses omit each item's kind; put it back as kubectl does.
            out.append(KubeObject({"kind": kind, **item}))
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return out


# Custom resources other readers ask for: (kind, group, version, plural).
CustomKind = tuple[str, str, str, str]

# The custom resources the AKO translator reads: OpenShift Routes and AKO's CRDs, at the
# versions the translator reads them (a cluster without the CRD lists none).
AKO_CUSTOM_KINDS: tuple[CustomKind, ...] = (
    ("Route", "route.openshift.io", "v1", "routes"),
    ("HostRule", "ako.vmware.com", "v1beta1", "hostrules"),
    ("HTTPRule", "ako.vmware.com", "v1beta1", "httprules"),
    ("AviInfraSetting", "ako.vmware.com", "v1beta1", "aviinfrasettings"),
    ("L4Rule", "ako.vmware.com", "v1alpha2", "l4rules"),
    ("L7Rule", "ako.vmware.com", "v1alpha2", "l7rules"),
    ("SSORule", "ako.vmware.com", "v1alpha2", "ssorules"),
)


def _list_custom(api: Any, kind: str, group: str, version: str,
                 plural: str) -> list[KubeObject]:
    from kubernetes.client.exceptions import ApiException

    call = functools.partial(api.list_cluster_custom_object, group, version, plural)
    try:
        return _list_all(call, kind, {})
    except LiveClusterError as exc:
        cause = exc.__cause__
        if isinstance(cause, ApiException) and cause.status == 404:
            return []  # the CRD is not installed: there are no such objects
        raise


def load_live(*, kubeconfig: str | None = None, context: str | None = None,
              in_cluster: bool = False, pods: bool = False,
              custom: Sequence[CustomKind] = (),
              ) -> tuple[list[KubeObject], Diagnostics]:
    """List every kind the translator reads. ``pods`` is needed only for NodePortLocal;
    ``custom`` adds custom resources (a CRD the cluster does not have lists as empty)."""
    diags = Diagnostics()
    try:
        api_client = _client(kubeconfig, context, in_cluster)
    except LiveClusterError as exc:
        diags.error("Cannot read the cluster", f"{exc}.")
        return [], diags
    from kubernetes import client

    objects: list[KubeObject] = []
    try:
        for kind, api_name, method, extra in _LISTS + ((_PODS,) if pods else ()):
            api = getattr(client, api_name)(api_client)
            objects.extend(_list_all(getattr(api, method), kind, extra))
        for kind, group, version, plural in custom:
            objects.extend(_list_custom(client.CustomObjectsApi(api_client), kind, group,
                                        version, plural))
    except LiveClusterError as exc:
        diags.error("Cannot read the cluster", f"{exc}.")
        return [], diags
    finally:
        api_client.close()
    return objects, diags


def load_live_settings(*, kubeconfig: str | None = None, context: str | None = None,
                       in_cluster: bool = False, namespace: str = "avi-system"
                       ) -> tuple[AkoSettings | None, Diagnostics]:
    """Read and validate the ``avi-k8s-config`` ConfigMap from the cluster."""
    diags = Diagnostics()
    try:
        api_client = _client(kubeconfig, context, in_cluster)
    except LiveClusterError as exc:
        diags.error("Cannot read the cluster", f"{exc}.")
        return None, diags
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    try:
        response: Any = client.CoreV1Api(api_client).read_namespaced_config_map(
            "avi-k8s-config", namespace, _preload_content=False)
        text = response.data.decode("utf-8")
    except ApiException as exc:
        diags.error("Cannot read the cluster", f"reading ConfigMap {namespace}/avi-k8s-config "
                    f"failed: HTTP {exc.status} {exc.reason}.")
        return None, diags
    finally:
        api_client.close()
    # JSON is YAML: the settings loader gives file:line diagnostics against this name.
    return load_settings(text, f"configmap/{namespace}/avi-k8s-config")
