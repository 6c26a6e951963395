"""Regression guard for translating large clusters, without timing anything: the number of
Python function calls made inside the albform package by ``translate`` and
``to_configuration`` (a profile hook) must double, not quadruple, when the cluster doubles.
A per-object scan of all Services, Ingresses or objects would show up as a ratio near 4."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import albform
from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.settings import settings_from_values
from albform.modules.k8s.translate import translate

PACKAGE = Path(albform.__file__).resolve().parent
COUNTED = tuple(str(PACKAGE / part) + "/" for part in ("engine", "modules"))


def _cluster(services: int) -> list[dict[str, Any]]:
    """``services`` LoadBalancer Services with EndpointSlices, one Node per five Services,
    one Ingress per two Services (every third with TLS), over ten namespaces."""
    nodes = max(services // 5, 1)
    objects: list[dict[str, Any]] = [
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "avi-lb", "annotations": {
             "ingressclass.kubernetes.io/is-default-class": "true"}},
         "spec": {"controller": "ako.vmware.com/avi-lb"}}]
    for i in range(nodes):
        objects.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i}"},
                        "spec": {"podCIDR": f"10.64.{i}.0/24"},
                        "status": {"addresses": [{"type": "InternalIP",
                                                  "address": f"172.16.0.{i}"}]}})
    for i in range(services):
        ns, name = f"ns-{i % 10}", f"svc-{i}"
        objects.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": name, "namespace": ns},
                        "spec": {"type": "LoadBalancer",
                                 "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})
        objects.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                        "metadata": {"name": f"{name}-x", "namespace": ns,
                                     "labels": {"kubernetes.io/service-name": name}},
                        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
                        "endpoints": [{"addresses": [f"10.1.{i % 250}.{k}"],
                                       "conditions": {"ready": True},
                                       "nodeName": f"node-{(i + k) % nodes}"}
                                      for k in range(2)]})
    for i in range(services // 2):
        ns, host = f"ns-{i % 10}", f"app-{i}.example.com"
        path = {"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": f"svc-{i}", "port": {"number": 80}}}}
        spec: dict[str, Any] = {"rules": [{"host": host, "http": {"paths": [path]}}]}
        if i % 3 == 0:
            spec["tls"] = [{"hosts": [host], "secretName": f"tls-{i}"}]
            objects.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                            "metadata": {"name": f"tls-{i}", "namespace": ns},
                            "stringData": {"tls.crt": "CERT", "tls.key": "KEY"}})
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                        "metadata": {"name": f"ing-{i}", "namespace": ns}, "spec": spec})
    return objects


@contextmanager
def _python_calls(total: list[int]) -> Iterator[None]:
    """Count calls of functions defined in albform's engine and modules, and of the
    methods dataclasses generate (file "<string>")."""
    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            filename = frame.f_code.co_filename
            if filename.startswith(COUNTED) or filename == "<string>":
                total[0] += 1

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(None)


def _translate_counted(services: int) -> tuple[int, int]:
    """(ALB objects, albform calls) for translate + to_configuration of a cluster."""
    settings, diags = settings_from_values({
        "clusterName": "c", "vipNetworkList": '[{"networkName":"vip","cidr":"10.250.0.0/16"}]',
        "shardVSSize": "SMALL"}, {}, "test")
    assert settings is not None, [str(d) for d in diags]
    objects = _cluster(services)
    total = [0]
    with _python_calls(total):
        translation, diags = translate(objects, settings, ControllerFacts())
        config = translation.to_configuration()
    assert not diags.has_errors(), [str(d) for d in diags]
    assert len(config.resources) == len(translation.objects)
    return len(config.resources), total[0]


def test_translation_work_grows_linearly_with_the_cluster() -> None:
    small_objects, small = _translate_counted(100)
    large_objects, large = _translate_counted(200)
    # The cluster (and its ALB objects, shared parents aside) doubles...
    assert 1.9 * small_objects < large_objects <= 2 * small_objects
    # ...and so does the work: quadratic work would come near 4x. Measured about 2.0.
    assert 1.5 * small < large < 2.2 * small, (small, large)
