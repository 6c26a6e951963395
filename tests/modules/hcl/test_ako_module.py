"""The built-in cluster module (source = "albform/ako") contributes the Kubernetes
translator's objects under the module's address and lets other blocks refer to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.values import resolve_deferred
from albform.modules.hcl.load import load_configuration
from albform.modules.k8s.load import ClusterInputs, load_cluster_configuration

DEMO = Path(__file__).resolve().parents[3] / "examples" / "lb-demo"
pytestmark = pytest.mark.skipif(not DEMO.is_dir(), reason="examples/lb-demo is not present")
VS = 'module.kubeadm.avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]'


def test_cluster_module_matches_the_translator(write) -> None:
    root = write({"main.tf": f"""
        module "kubeadm" {{
          source           = "albform/ako"
          manifests        = ["{DEMO / 'manifests'}"]
          ako_config       = "{DEMO / 'avi-k8s-config.yaml'}"
          controller_facts = "{DEMO / 'controller-facts.yaml'}"
        }}
        locals {{
          vs = module.kubeadm.virtualservices["kubeadm-cluster--default-lb-demo"]
        }}
        resource "avi_pool" "extra" {{
          name        = "extra"
          description = "next to ${{local.vs.name}}"
        }}
        output "vs_names" {{
          value = module.kubeadm.names["avi_virtualservice"]
        }}
    """})
    config, diags = load_configuration(root, env={})
    assert not diags.has_errors(), [str(d) for d in diags]
    expected, more = load_cluster_configuration(ClusterInputs(
        (DEMO / "manifests",), ako_config=DEMO / "avi-k8s-config.yaml",
        controller_facts=DEMO / "controller-facts.yaml"), module=(ModuleStep("kubeadm"),))
    assert not more.has_errors()
    ours = {r.address: r for r in config.resources if r.address.module}
    assert ours.keys() == {r.address for r in expected.resources}
    for resource in expected.resources:
        assert dict(ours[resource.address].attributes) == dict(resource.attributes)
        assert ours[resource.address].depends_on == resource.depends_on
    assert ResourceAddress.parse(VS) in ours
    extra = config.by_address()[ResourceAddress.parse("avi_pool.extra")]
    description = extra.attributes["description"]
    assert description.references == {ResourceAddress.parse(VS)}
    assert resolve_deferred(description, lambda a: {"name": "the-vs"}) == "next to the-vs"
    (names,) = config.outputs
    assert names.value == ["kubeadm-cluster--default-lb-demo"]


def test_inline_settings_and_facts(write) -> None:
    root = write({"main.tf": f"""
        locals {{
          cluster = "lab"
        }}
        module "k8s" {{
          source    = "albform/ako"
          manifests = "{DEMO / 'manifests'}"
          ako_settings = {{
            clusterName     = local.cluster
            cloudName       = "Default-Cloud"
            serviceType     = "ClusterIP"
            vipNetworkList  = [{{ networkName = "VLAN 2900", cidr = "172.19.0.0/24" }}]
            nodeNetworkList = [{{ networkName = "VLAN 2900", cidrs = ["172.19.0.0/24"] }}]
          }}
          controller_facts = {{ cloudType = "CLOUD_NONE" }}
        }}
    """})
    config, diags = load_configuration(root, env={})
    assert not diags.has_errors(), [str(d) for d in diags]
    vs = [r for r in config.resources if r.type == "avi_virtualservice"]
    assert [str(r.address) for r in vs] == \
        ['module.k8s.avi_virtualservice.ako["lab--default-lb-demo"]']


def test_mistakes_point_at_the_module_block(write) -> None:
    root = write({"main.tf": f"""
        module "k8s" {{
          source     = "albform/ako"
          manifests  = "{DEMO / 'manifests'}"
          ako_confg  = "x.yaml"
        }}
        module "nothing" {{
          source = "albform/ako"
        }}
    """})
    _, diags = load_configuration(root, env={})
    found = sorted((d.subject.start_line if d.subject else 0, d.summary)
                   for d in diags.errors())
    assert found == [(2, "Missing required argument"), (5, "Unsupported argument"),
                     (7, "Missing required argument")]


def test_unreadable_kubeconfig_is_a_diagnostic(write) -> None:
    root = write({"main.tf": """
        module "live" {
          source     = "albform/ako"
          kubeconfig = "missing/kubeconfig"
        }
    """})
    _, diags = load_configuration(root, env={})
    (error,) = diags.errors()
    assert error.summary == "Cannot read the cluster"
    assert error.subject is not None and error.subject.start_line == 4
