"""``albform cluster apply --adopt``: objects an AKO installation already created are imported
(same uuids: no replacement, no duplicate), foreign objects of the same name are not."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from albform.modules.k8s.load import ClusterInputs, load_cluster
from albform.provider.client import AviClient, ClientConfig
from albform.provider.emulator import start_emulator

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "lb-demo"
INPUTS = (DEMO / "manifests", DEMO / "avi-k8s-config.yaml", DEMO / "controller-facts.yaml")


def _cluster(albform: Any, tmp_path: Path, verb: str, *args: str) -> Any:
    return albform("cluster", verb, "--manifests", str(INPUTS[0]), "--ako-config",
                   str(INPUTS[1]), "--controller-facts", str(INPUTS[2]),
                   f"-state={tmp_path / 'cluster.tfstate'}", "-no-color", *args)


def _act_as_ako(db: Path, *, owner_of_vs: str | None = None,
                ) -> dict[tuple[str, str], str]:
    """Create what AKO would have created, AKO's way (random static route ids). Returns the
    uuids by object name."""
    translation, diags = load_cluster(ClusterInputs(
        (INPUTS[0],), ako_config=INPUTS[1], controller_facts=INPUTS[2]))
    assert translation is not None and not diags.has_errors()
    uuids: dict[tuple[str, str], str] = {}
    with start_emulator(db_path=db, password="ako-secret") as emu:
        config = ClientConfig.from_provider_args(
            {"avi_controller": emu.url, "avi_username": "admin", "avi_password": "ako-secret"},
            {})
        with AviClient.connect(config) as client:
            routes = []
            for obj in translation.objects:
                if obj.api_type == "vrfcontext_static_route":
                    route = {k: obj.body[k] for k in ("prefix", "next_hop", "labels")}
                    routes.append({**route, "route_id": f"kubeadm-cluster-{uuid.uuid4()}-0"})
                    continue
                body = dict(obj.body)
                if owner_of_vs and obj.api_type == "virtualservice":
                    body["created_by"] = owner_of_vs
                created = client.create_object(obj.api_type, body)
                uuids[(obj.api_type, obj.name)] = created["uuid"]
            vrf = client.get_by_name("vrfcontext", "global")
            assert vrf is not None
            vrf["static_routes"] = [*vrf.get("static_routes", []), *routes]
            client.replace_object("vrfcontext", vrf["uuid"], vrf)
    return uuids


def _controller(albform: Any, tmp_path: Path) -> None:
    setup = albform("-chdir=" + str(DEMO / "controller"), "apply", "-auto-approve",
                    f"-state={tmp_path / 'controller.tfstate'}")
    assert setup.code == 0, setup.err


def test_adopt_imports_existing_ako_objects_without_replacing(albform: Any, plan_document: Any,
                                                               tmp_path: Path) -> None:
    _controller(albform, tmp_path)
    existing = _act_as_ako(tmp_path / "emulator.db")

    planfile = tmp_path / "tfplan"
    plan = _cluster(albform, tmp_path, "plan", "--adopt", f"-out={planfile}")
    changes = plan_document(plan, planfile)["resource_changes"]
    imported = {c["address"] for c in changes if c["change"].get("importing")}
    assert len(imported) == 4  # VS, VsVip, pool, L4 policy set
    assert not [c for c in changes if "delete" in c["change"]["actions"]]

    applied = _cluster(albform, tmp_path, "apply", "--adopt", "-auto-approve")
    assert applied.code == 0, applied.out + applied.err
    state = json.loads((tmp_path / "cluster.tfstate").read_text())
    by_name = {(res["type"].removeprefix("avi_"), inst["attributes"].get("name")):
               inst["attributes"] for res in state["resources"] for inst in res["instances"]}
    for key, object_uuid in existing.items():
        assert by_name[key]["uuid"] == object_uuid  # adopted, not re-created

    again = _cluster(albform, tmp_path, "plan", "-detailed-exitcode")
    assert again.code == 0, again.out + again.err

    # The VRF holds each route once: AKO's routes were adopted by content, not duplicated.
    with start_emulator(db_path=tmp_path / "emulator.db", password="x") as emu:
        config = ClientConfig.from_provider_args(
            {"avi_controller": emu.url, "avi_username": "admin", "avi_password": "x"}, {})
        with AviClient.connect(config) as client:
            vrf = client.get_by_name("vrfcontext", "global")
    assert vrf is not None
    prefixes = [r["prefix"]["ip_addr"]["addr"] for r in vrf["static_routes"]]
    assert len(prefixes) == len(set(prefixes)) == 3


def test_adopt_never_takes_over_a_foreign_object(albform: Any, tmp_path: Path) -> None:
    _controller(albform, tmp_path)
    _act_as_ako(tmp_path / "emulator.db", owner_of_vs="someone-else")
    plan = _cluster(albform, tmp_path, "plan", "--adopt", "-json")
    lines = plan.ui_lines()
    warnings = [d["diagnostic"]["summary"] for d in lines if d["type"] == "diagnostic"]
    assert warnings == ["Object not adopted"]
    vs = next(d["change"] for d in lines if d["type"] == "planned_change"
              and d["change"]["resource"]["addr"].startswith("avi_virtualservice."))
    assert vs["action"] == "create" and "importing" not in vs


def test_adopt_never_takes_over_what_another_workspace_manages(albform: Any,
                                                                tmp_path: Path) -> None:
    # Two states must never manage one object: the objects workspace "x" applied are named
    # with that workspace and left alone, as a foreign owner's are.
    _controller(albform, tmp_path)
    work = tmp_path / "w"
    work.mkdir()

    def cluster(verb: str, *args: str) -> Any:
        return albform("cluster", verb, "--manifests", str(INPUTS[0]), "--ako-config",
                       str(INPUTS[1]), "--controller-facts", str(INPUTS[2]), "-no-color",
                       *args, cwd=work)

    assert albform("workspace", "new", "x", cwd=work).code == 0
    applied = cluster("apply", "-auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert albform("workspace", "select", "default", cwd=work).code == 0
    plan = cluster("plan", "--adopt", "-json")
    diagnostics = [d["diagnostic"] for d in plan.ui_lines() if d["type"] == "diagnostic"]
    assert {d["summary"] for d in diagnostics} == {"Object not adopted"}
    assert len(diagnostics) == 4  # VS, VsVip, pool, L4 policy set
    assert all('workspace "x"' in d["detail"] for d in diagnostics), diagnostics
    imported = [d for d in plan.ui_lines() if d["type"] == "planned_change"
                and "importing" in d["change"]]
    assert imported == []
