"""OpenShift Routes as a user applies them: the lb-demo controller set up on the embedded
emulator, then one Route of each termination (insecure, edge with an alternate backend and
Redirect, re-encrypt with a destination CA and Allow, passthrough with Redirect) planned,
applied and planned again through the real ``albform`` entry point — the apply succeeds and the
second plan is empty (``-detailed-exitcode`` 0), with no private key in the state."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"
sys.path.insert(0, str(REPO / "tests" / "provider" / "resources"))
from cases import self_signed_pem  # noqa: E402


def _service(name: str, address: str) -> list[dict[str, Any]]:
    return [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
         "spec": {"type": "ClusterIP", "ports": [{"name": "http", "port": 8080,
                                                  "targetPort": 80}]}},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
         "metadata": {"name": f"{name}-1", "namespace": "default",
                      "labels": {"kubernetes.io/service-name": name}},
         "addressType": "IPv4", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
         "endpoints": [{"addresses": [address], "conditions": {"ready": True}}]},
    ]


def _route(name: str, host: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "route.openshift.io/v1", "kind": "Route",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"host": host, "to": {"kind": "Service", "name": "shop"}, **spec}}


def _manifests(directory: Path) -> Path:
    cert, key = self_signed_pem("shop.example.com")
    docs = [*_service("shop", "10.244.1.12"), *_service("canary", "10.244.2.9"),
            _route("plain", "plain.example.com", {}),
            _route("edge", "edge.example.com", {
                "to": {"kind": "Service", "name": "shop", "weight": 80},
                "alternateBackends": [{"kind": "Service", "name": "canary", "weight": 20}],
                "tls": {"termination": "edge", "certificate": cert, "key": key,
                        "insecureEdgeTerminationPolicy": "Redirect"}}),
            _route("re", "re.example.com", {
                "path": "/api",
                "tls": {"termination": "reencrypt", "certificate": cert, "key": key,
                        "caCertificate": cert, "destinationCACertificate": cert,
                        "insecureEdgeTerminationPolicy": "Allow"}}),
            _route("pt", "pt.example.com", {
                "tls": {"termination": "passthrough",
                        "insecureEdgeTerminationPolicy": "Redirect"}})]
    directory.mkdir()
    (directory / "routes.yaml").write_text(yaml.safe_dump_all(docs))
    (directory / "nodes.yaml").write_text((DEMO / "manifests" / "nodes.yaml").read_text())
    return directory


def test_every_route_termination_applies_and_plans_no_change(albform: Any,
                                                            tmp_path: Path) -> None:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err
    cluster = ["--manifests", str(_manifests(tmp_path / "k8s")),
               "--ako-config", str(DEMO / "avi-k8s-config.yaml")]
    applied = albform("cluster", "apply", "-auto-approve", "-no-color", *cluster)
    assert applied.code == 0, applied.err
    assert "Shared-Passthrough-0" in applied.out and "Error" not in applied.err
    again = albform("cluster", "plan", "-detailed-exitcode", "-no-color", *cluster)
    assert again.code == 0, again.out + again.err
    assert "PRIVATE KEY" not in (tmp_path / "terraform.tfstate").read_text()
