"""Reading a live cluster through the official client, against a loopback HTTP server that
speaks the few Kubernetes list endpoints the translator uses (with paging and auth)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

pytest.importorskip("kubernetes")

from albform.modules.k8s.facts import ControllerFacts
from albform.modules.k8s.ingest import load_manifests
from albform.modules.k8s.live import load_live, load_live_settings
from albform.modules.k8s.testing import TOKEN, FakeKubeApi
from albform.modules.k8s.translate import translate

DEMO = Path(__file__).resolve().parents[3] / "examples" / "lb-demo"
@pytest.fixture
def fake_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             ) -> Iterator[tuple[FakeKubeApi, Path]]:
    objects, diags = load_manifests([DEMO / "manifests"])
    assert not diags
    cm = yaml.safe_load((DEMO / "avi-k8s-config.yaml").read_text())
    monkeypatch.setattr("albform.modules.k8s.live.PAGE_SIZE", 1)
    with FakeKubeApi([dict(o.data) for o in objects], cm) as api:
        yield api, api.kubeconfig(tmp_path / "kubeconfig")


def test_live_objects_translate_like_the_manifests(fake_api: tuple[FakeKubeApi, Path]) -> None:
    api, kubeconfig = fake_api
    live, diags = load_live(kubeconfig=str(kubeconfig), context="demo")
    assert not diags, [str(d) for d in diags]
    assert sorted(o.kind for o in live) == ["EndpointSlice", "Node", "Node", "Node", "Service"]
    # PAGE_SIZE=1: three nodes took three pages.
    assert sum(r.startswith("/api/v1/nodes") for r in api.requests) == 3
    files, _ = load_manifests([DEMO / "manifests"])
    settings, _ = load_live_settings(kubeconfig=str(kubeconfig), context="demo")
    assert settings is not None and settings.cluster_name == "kubeadm-cluster"
    from_live, _ = translate(live, settings, ControllerFacts())
    from_files, _ = translate(files, settings, ControllerFacts())
    assert from_live.to_json() == from_files.to_json()
    assert len(from_live.objects) == 7


def test_api_errors_become_diagnostics_without_credentials(
        fake_api: tuple[FakeKubeApi, Path]) -> None:
    api, kubeconfig = fake_api
    api.fail["/apis/discovery.k8s.io/v1/endpointslices"] = 403
    objects, diags = load_live(kubeconfig=str(kubeconfig))
    assert objects == []
    assert [d.summary for d in diags] == ["Cannot read the cluster"]
    assert "EndpointSlice" in diags[0].detail and "403" in diags[0].detail
    assert TOKEN not in str(diags[0])


def test_missing_kubeconfig_is_a_diagnostic(tmp_path: Path) -> None:
    objects, diags = load_live(kubeconfig=str(tmp_path / "missing"))
    assert objects == [] and diags.has_errors()
    assert "Kubernetes configuration" in diags[0].detail


def test_routes_and_ako_crds_are_read_from_a_live_cluster(tmp_path: Path) -> None:
    """OpenShift Routes and AKO's CRDs are listed too (``AKO_CUSTOM_KINDS``); a cluster
    without a CRD (the fake answers 404 for L4Rules) lists none of it."""
    from albform.modules.k8s.live import AKO_CUSTOM_KINDS

    route = {"apiVersion": "route.openshift.io/v1", "kind": "Route",
             "metadata": {"name": "foo", "namespace": "default"},
             "spec": {"host": "foo.com", "to": {"kind": "Service", "name": "avisvc"}}}
    rule = {"apiVersion": "ako.vmware.com/v1beta1", "kind": "HostRule",
            "metadata": {"name": "hr", "namespace": "default"},
            "spec": {"virtualhost": {"fqdn": "foo.com"}}}
    cm = yaml.safe_load((DEMO / "avi-k8s-config.yaml").read_text())
    with FakeKubeApi([route, rule], cm) as api:
        live, diags = load_live(kubeconfig=str(api.kubeconfig(tmp_path / "kc")),
                                custom=AKO_CUSTOM_KINDS)
    assert not diags, [str(d) for d in diags]
    assert sorted((o.kind, o.name) for o in live) == [("HostRule", "hr"), ("Route", "foo")]
    assert any(r.startswith("/apis/ako.vmware.com/v1alpha2/l4rules") for r in api.requests)
