"""A plan saved against a shared backend (``-backend=http``) applies to that backend, not to a
local ``terraform.tfstate`` nobody else sees; the backend password is not in the plan file."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from albform.engine.state.backends.http_server import StateServer

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"
PASSWORD = "Qa-St4te-pw!"


def test_apply_of_a_saved_plan_writes_to_the_plan_backend(albform: Any, tmp_path: Path) -> None:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err
    with StateServer(username="tf", password=PASSWORD) as server:
        address = f"{server.url}/cluster"
        planned = albform("cluster", "plan", "--manifests", str(DEMO / "manifests"),
                          "--ako-config", str(DEMO / "avi-k8s-config.yaml"),
                          "--controller-facts", str(DEMO / "controller-facts.yaml"),
                          "-backend=http", f"-backend-config=address={address}",
                          "-backend-config=username=tf", f"-backend-config=password={PASSWORD}",
                          "-out=cluster.tfplan", "-no-color")
        assert planned.code == 0, planned.err
        with zipfile.ZipFile(tmp_path / "cluster.tfplan") as z:
            for name in z.namelist():
                assert PASSWORD.encode() not in z.read(name), name
        # The password comes from the environment, as Terraform's http backend allows.
        applied = albform("apply", "cluster.tfplan", "-no-color",
                          env={"TF_HTTP_PASSWORD": PASSWORD})
        assert applied.code == 0, applied.out + applied.err
        assert not (tmp_path / "terraform.tfstate").exists()
        listed = albform("state", "list", "-backend=http", f"-backend-config=address={address}",
                         "-backend-config=username=tf", env={"TF_HTTP_PASSWORD": PASSWORD})
        assert listed.code == 0, listed.err
        assert 'avi_virtualservice.ako["kubeadm-cluster--default-lb-demo"]' in listed.out.split()


def test_apply_of_a_saved_plan_uses_the_plan_state_file(albform: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "avi_pool" "p" {\n  name = "qa-saved"\n}\n')
    planned = albform("plan", "-state=env/prod.tfstate", "-out=p.tfplan", "-no-color")
    assert planned.code == 0, planned.err
    applied = albform("apply", "p.tfplan", "-no-color")
    assert applied.code == 0, applied.err
    assert (tmp_path / "env" / "prod.tfstate").exists()
    assert not (tmp_path / "terraform.tfstate").exists()
