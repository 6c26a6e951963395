"""The no-op cluster re-plan stays exact at medium size (issue 16): after ``cluster apply`` of a
synthetic cluster (hundreds of objects: names resolved from collection listings, one VRF read
for every route, secret digests answered from the working directory's memo), the re-plan is
empty; an object changed on the controller behind albform's back, and a rotated TLS key, each
show up as the one change they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from albform.modules.k8s.testing import synthetic_cluster
from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator.certs import self_signed
from albform.provider.emulator.server import start_emulator
from albform.provider.resources.resolver import INDEX_AFTER

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"
SERVICES = INDEX_AFTER + 14  # more names of each type than the resolver asks for one by one
SHARED = self_signed("bench.example")


def write_cluster(path: Path, rotated: str | None = None) -> None:
    """The synthetic cluster as a ``kubectl get -o json`` List; every TLS Secret has one real
    key pair, except ``rotated`` which gets a fresh one."""
    items = []
    for obj in synthetic_cluster(4, SERVICES, 10, namespaces=5):
        if obj["kind"] == "Secret":
            pair = self_signed("rotated.example") if obj["metadata"]["name"] == rotated \
                else SHARED
            obj = {**obj, "stringData": {"tls.crt": pair.cert_pem.decode(),
                                         "tls.key": pair.key_pem.decode()}}
        items.append(obj)
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=1))


def drop_a_server(db: Path, pool: str) -> None:
    """What another admin would do: remove a pool's last server through the API, albform
    not running."""
    with start_emulator(db_path=db, password="edit-password") as emu, AviClient.connect(
            ClientConfig(controller=emu.url, password="edit-password")) as client:
        found = client.list_objects("pool", {"name": pool})
        assert len(found) == 1 and len(found[0]["servers"]) > 1, found
        client.replace_object("pool", found[0]["uuid"],
                              {**found[0], "servers": found[0]["servers"][:-1]})


def test_noop_replan_is_empty_and_still_sees_drift_and_rotated_keys(albform: Any,
                                                                    tmp_path: Path) -> None:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err
    manifests = tmp_path / "cluster.json"
    write_cluster(manifests)
    inputs = ("--manifests", str(manifests), "--ako-config", str(DEMO / "avi-k8s-config.yaml"),
              "--controller-facts", str(DEMO / "controller-facts.yaml"),
              f"-state={tmp_path / 'cluster.tfstate'}", "-no-color")
    applied = albform("cluster", "apply", "-auto-approve", *inputs, timeout=600)
    assert applied.code == 0, applied.out[-2000:] + applied.err
    state = json.loads((tmp_path / "cluster.tfstate").read_text())
    types = {r["type"]: len(r["instances"]) for r in state["resources"]}
    assert types["avi_pool"] > INDEX_AFTER and types["avi_vrfcontext_static_route"] == 4
    assert types["avi_sslkeyandcertificate"] >= 2

    def plan() -> Any:
        return albform("cluster", "plan", "-detailed-exitcode", *inputs, timeout=300)

    quiet = plan()
    assert quiet.code == 0, quiet.out[-3000:] + quiet.err
    assert "No changes." in quiet.out
    assert (tmp_path / ".albform" / "secret-digests.json").exists()
    # The translation is kept for the unchanged files (modules/k8s/config_memo.py): the
    # drift and the rotated key below are still seen through it.
    assert len(list((tmp_path / ".albform" / "cluster-memo").iterdir())) == 1

    # One pool edited on the controller: the plan says so, and puts it back.
    pools = [i["attributes"] for r in state["resources"] if r["type"] == "avi_pool"
             for i in r["instances"] if len(i["attributes"].get("servers") or []) > 1]
    pool = pools[len(pools) // 2]
    drop_a_server(tmp_path / "emulator.db", pool["name"])
    drifted = plan()
    assert drifted.code == 2, drifted.out[-3000:] + drifted.err
    assert "has changed" in drifted.out and f'"{pool["name"]}"' in drifted.out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in drifted.out

    # A rotated key (same certificate name) is the one certificate update on top of it.
    secret = next(o["metadata"]["name"] for o in synthetic_cluster(4, SERVICES, 10, namespaces=5)
                  if o["kind"] == "Secret")
    write_cluster(manifests, rotated=secret)
    rotated = plan()
    assert rotated.code == 2, rotated.out[-3000:] + rotated.err
    assert "Plan: 0 to add, 2 to change, 0 to destroy." in rotated.out, [
        line for line in rotated.out.splitlines() if line.startswith(("Plan:", "  # "))]
    assert f'avi_sslkeyandcertificate.ako["kubeadm-cluster--app-{secret.removeprefix("tls-")}' \
           '.example.com"] will be updated in-place' in rotated.out
