"""State ``dependencies`` in Terraform's form (resources, no instance keys) while albform keeps
its per-instance dependencies exactly; ``terraform state list`` must read the file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.model import ResourceState, State

POOL = ResourceAddress("avi_pool", "ako")
VS = ResourceAddress("avi_virtualservice", "ako")
VSVIP = ResourceAddress("avi_vsvip", "ako")


def _cluster_state() -> State:
    """AKO's shape: for_each resources whose instances refer to single instances, and an SNI
    child VS depending on its parent VS in the same resource."""
    return State(serial=1, lineage="l").with_resources([
        ResourceState(POOL.instance("a"), {"name": "a"}),
        ResourceState(POOL.instance("b"), {"name": "b"}),
        ResourceState(VSVIP.instance("parent"), {"name": "parent"}),
        ResourceState(VS.instance("parent"), {"name": "parent"},
                      dependencies=(POOL.instance("a"), VSVIP.instance("parent"))),
        ResourceState(VS.instance("child"), {"name": "child"},
                      dependencies=(POOL.instance("b"), VS.instance("parent"))),
    ])


def _instances(doc: dict[str, object], type_: str) -> list[dict[str, object]]:
    resources = doc["resources"]
    assert isinstance(resources, list)
    return [i for r in resources if r["type"] == type_ for i in r["instances"]]


def test_dependencies_are_resource_addresses_and_exact_ones_round_trip() -> None:
    state = _cluster_state()
    doc = json.loads(encode_state(state))
    child = next(i for i in _instances(doc, "avi_virtualservice") if i["index_key"] == "child")
    assert child["dependencies"] == ["avi_pool.ako", "avi_virtualservice.ako"]
    assert child["albform_dependencies"] == ['avi_pool.ako["b"]',
                                             'avi_virtualservice.ako["parent"]']
    for type_ in ("avi_pool", "avi_virtualservice", "avi_vsvip"):
        for inst in _instances(doc, type_):
            for dep in inst.get("dependencies", []):
                assert "[" not in dep, dep
    again = decode_state(encode_state(state))
    assert {r.address: r.dependencies for r in again.resources} == \
        {r.address: r.dependencies for r in state.resources}


def test_terraform_written_dependencies_expand_to_instances_but_not_siblings() -> None:
    doc = json.loads(encode_state(_cluster_state()))
    for type_ in ("avi_virtualservice",):
        for inst in _instances(doc, type_):
            inst.pop("albform_dependencies", None)  # as after `terraform state rm` rewrote it
    got = {r.address: r.dependencies for r in decode_state(json.dumps(doc)).resources}
    assert got[VS.instance("child")] == (POOL.instance("a"), POOL.instance("b"))
    assert got[VS.instance("parent")] == (POOL.instance("a"), POOL.instance("b"),
                                          VSVIP.instance("parent"))


ADDR = st.builds(ResourceAddress, st.sampled_from(["avi_pool", "avi_vsvip"]),
                 st.sampled_from(["a", "b"]), st.none() | st.sampled_from([0, 1, "k"]),
                 st.sampled_from([(), (ModuleStep("m"),), (ModuleStep("m", 0),)]))


@given(st.dictionaries(ADDR, st.lists(ADDR, max_size=3, unique=True), min_size=1, max_size=6))
def test_any_dependency_lists_round_trip_exactly(graph: dict[ResourceAddress,
                                                             list[ResourceAddress]]) -> None:
    state = State(serial=1, lineage="l").with_resources(
        [ResourceState(a, {}, dependencies=tuple(d)) for a, d in graph.items()])
    data = encode_state(state)
    for r in json.loads(data)["resources"]:
        for inst in r["instances"]:
            assert all("[" not in d for d in inst.get("dependencies", []))
    back = {r.address: r.dependencies for r in decode_state(data).resources}
    assert back == {a: tuple(d) for a, d in graph.items()}


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not on PATH")
def test_terraform_state_list_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "terraform.tfstate"
    path.write_bytes(encode_state(_cluster_state()))
    done = subprocess.run(["terraform", "state", "list", f"-state={path}"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path),
                               "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        'avi_pool.ako["a"]', 'avi_pool.ako["b"]', 'avi_virtualservice.ako["child"]',
        'avi_virtualservice.ako["parent"]', 'avi_vsvip.ako["parent"]']
