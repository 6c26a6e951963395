"""Broken cluster inputs through ``albform cluster render``: a file:line error, exit 1, no
traceback (the fixture fails on one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"


def _render(albform: Any, tmp_path: Path, config: str, manifests: Path | None = None) -> Any:
    (tmp_path / "cfg.yaml").write_text(config)
    return albform("cluster", "render", "--manifests", str(manifests or DEMO / "manifests"),
                   "--ako-config", str(tmp_path / "cfg.yaml"), "--controller-facts",
                   str(DEMO / "controller-facts.yaml"))


@pytest.mark.parametrize(("value", "fragment"), [
    ('[{"networkName":"v","cidr":"300.1.1.1/99"}]', "'300.1.1.1/99' is not a CIDR"),
    ('[{"networkName":"v","cidr":"fd00::/64"}]', "'fd00::/64' is not a CIDR"),
    ('[{"networkName":"v","cidr":"10.0.0.0/24","v6cidr":"10.1.0.0/24"}]', "v6cidr"),
    ('[{"networkName":', "must be a JSON list"),
])
def test_bad_vip_network_list(albform: Any, tmp_path: Path, value: str, fragment: str) -> None:
    text = (DEMO / "avi-k8s-config.yaml").read_text()
    lines = [f"  vipNetworkList: '{value}'" if line.startswith("  vipNetworkList:") else line
             for line in text.splitlines()]
    result = _render(albform, tmp_path, "\n".join(lines) + "\n")
    assert result.code == 1
    line_no = next(i for i, line in enumerate(lines, 1) if "vipNetworkList" in line)
    assert f"cfg.yaml:{line_no}" in result.err
    assert fragment in result.err


def test_mistyped_manifest_field(albform: Any, tmp_path: Path) -> None:
    manifests = tmp_path / "k8s"
    manifests.mkdir()
    (manifests / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\n"
        "spec:\n  type: LoadBalancer\n  ports:\n  - port: http\n")
    result = _render(albform, tmp_path, (DEMO / "avi-k8s-config.yaml").read_text(), manifests)
    assert result.code == 1
    assert "svc.yaml:9" in result.err
    assert '"spec.ports[0].port" must be an integer' in result.err


@pytest.mark.parametrize("text", ["foo: [\n", "apiVersion: v1\nkind: Config\n"])
def test_broken_kubeconfig(albform: Any, tmp_path: Path, text: str) -> None:
    pytest.importorskip("kubernetes")
    (tmp_path / "kubeconfig").write_text(text)
    result = albform("cluster", "plan", "--kubeconfig", str(tmp_path / "kubeconfig"),
                     "--ako-config", str(DEMO / "avi-k8s-config.yaml"),
                     "--controller-facts", str(DEMO / "controller-facts.yaml"), "-no-color")
    assert result.code == 1
    assert "Error: Cannot read the cluster" in result.err
    assert "cannot load the Kubernetes configuration" in result.err
