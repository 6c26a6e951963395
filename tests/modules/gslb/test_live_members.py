"""A member cluster read live (``NAME=context:CTX``) translates like its manifests: Services,
Ingresses, Namespaces and the custom resources AMKO reads (AKO HostRules, OpenShift Routes;
a CRD the cluster lacks lists as empty), through the fake Kubernetes API on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("kubernetes")

from albform.modules.gslb.load import MemberSource, load_gslb
from albform.modules.k8s.testing import FakeKubeApi

DEMO = Path(__file__).resolve().parents[3] / "examples" / "gslb-demo"
AMKO = [DEMO / "amko" / "gslbconfig.yaml", DEMO / "amko" / "gdp.yaml"]
HOST_RULE = {"apiVersion": "ako.vmware.com/v1beta1", "kind": "HostRule",
             "metadata": {"name": "alias", "namespace": "default"},
             "spec": {"virtualhost": {"fqdn": "lb-demo.avi.example.com",
                                      "aliases": ["www.lb-demo.example.com"]}},
             "status": {"status": "Accepted"}}


def test_live_member_translates_like_its_manifests(tmp_path: Path) -> None:
    west = list(yaml.safe_load_all((DEMO / "west" / "lb-demo.yaml").read_text()))
    with FakeKubeApi([*west, HOST_RULE], None) as api:
        api.fail["/apis/route.openshift.io/v1/routes"] = 404  # not an OpenShift cluster
        kubeconfig = str(api.kubeconfig(tmp_path / "kubeconfig", context="west-admin"))
        live, diags = load_gslb([MemberSource("east", (DEMO / "east",)),
                                 MemberSource("west", context="west-admin",
                                              kubeconfig=kubeconfig)], AMKO)
    assert live is not None and not diags.has_errors(), [str(d) for d in diags]
    (tmp_path / "west").mkdir()
    (tmp_path / "west" / "objects.yaml").write_text(yaml.safe_dump_all([*west, HOST_RULE]))
    files, _ = load_gslb([MemberSource("east", (DEMO / "east",)),
                          MemberSource("west", (tmp_path / "west",))], AMKO)
    assert files is not None
    assert live.to_json() == files.to_json()
    (gs,) = [o for o in live.objects if o.api_type == "gslbservice"]
    assert gs.body["domain_names"] == ["lb-demo.avi.example.com", "www.lb-demo.example.com"]
    assert any(r.startswith("/apis/ako.vmware.com/v1beta1/hostrules") for r in api.requests)


def test_a_member_the_api_refuses_is_an_error(tmp_path: Path) -> None:
    with FakeKubeApi([], None) as api:
        api.fail["/api/v1/services"] = 403
        kubeconfig = str(api.kubeconfig(tmp_path / "kubeconfig", context="west-admin"))
        live, diags = load_gslb([MemberSource("east", (DEMO / "east",)),
                                 MemberSource("west", context="west-admin",
                                              kubeconfig=kubeconfig)], AMKO)
    assert live is None
    assert [d.summary for d in diags.errors()] == ["Member cluster west unreachable"]
