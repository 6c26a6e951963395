"""No traceback on user input, and no state change by a command that failed: mutated HCL and
mutated cluster inputs through the CLI in process (``fuzzing.py``; more examples with
``benchmarks/fuzz_inputs.py``), plus the inputs that used to raise, one by one."""

from __future__ import annotations

import copy
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

import fuzzing

HCL_SEEDS = fuzzing.hcl_seeds()
CLUSTER_SEEDS = fuzzing.cluster_seeds()
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with fuzzing.fuzz_environment(tmp_path_factory.mktemp("fuzz")) as workdir:
        yield workdir


def _check(outcomes: list[fuzzing.Outcome], label: str) -> None:
    problems = fuzzing.report(outcomes, label)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not fuzzing.CORPUS.is_dir(), reason="../shared/tf-corpus is not here")
@FUZZ
@given(seed=st.sampled_from(HCL_SEEDS), rnd=st.randoms(use_true_random=False))
def test_mutated_hcl_never_raises(work: Path, seed: Path, rnd: random.Random) -> None:
    _check(fuzzing.run_hcl_case(work, seed, rnd), f"hcl {seed.name}")


@FUZZ
@given(seed=st.sampled_from(CLUSTER_SEEDS), rnd=st.randoms(use_true_random=False))
def test_mutated_cluster_inputs_never_raise(work: Path, seed: fuzzing.ClusterInput,
                                            rnd: random.Random) -> None:
    _check(fuzzing.run_cluster_case(work, seed, rnd), f"cluster {seed.name}")


OVERFLOWS = ["pow(10, 400)", "ceil(1e400)", "floor(-1e400)", "1e400", "-1e400",
             "1e400 - 1e400", "1e308 * 10", "log(0, 10)", "log(10, 1)", "pow(-1, 0.5)",
             "tonumber(\"1e999\")", "jsondecode(\"[1e400]\")", "format(\"%d\", 1e400)",
             "\"${pow(10, 400)}\"", "[for i in range(3) : ceil(1e400)]"]


@pytest.mark.parametrize("expression", OVERFLOWS)
def test_numbers_out_of_range_are_diagnostics(work: Path, expression: str) -> None:
    fuzzing.fresh_workdir(work)
    (work / "main.tf").write_text(
        f'locals {{\n  x = {expression}\n}}\nresource "avi_pool" "p" {{\n  name = "p"\n'
        f'  description = "${{local.x}}"\n  default_server_port = {expression}\n}}\n'
        f'output "o" {{\n  value = {expression}\n}}\n')
    for command in (("validate",), ("plan", "-lock=false")):
        code, out, err, trace = fuzzing.run_cli(work, *command)
        assert not trace, trace
        assert code == 1 and "main.tf line 2" in err, out + err
    assert (work / "terraform.tfstate").read_bytes() == fuzzing.initial_state()


CONFIGMAPS = {
    "metadata is a list": "metadata: [avi-system]\ndata: {clusterName: c}\n",
    "metadata is a string": "metadata: avi-system\ndata: {clusterName: c}\n",
    "data is a list": "metadata: {name: avi-k8s-config}\ndata: [clusterName]\n",
    "data is a number": "metadata: {name: avi-k8s-config}\ndata: 5\n",
    "a data value is a number": "data:\n  clusterName: c\n  shardVSSize: 8\n",
    "a data value is a mapping": "data:\n  clusterName: c\n  vipNetworkList: {a: 1}\n",
    "namespace is a list": "metadata: {namespace: [a]}\ndata: {clusterName: c}\n",
}


@pytest.mark.parametrize("body", CONFIGMAPS.values(), ids=CONFIGMAPS.keys())
def test_configmaps_of_the_wrong_shape_are_diagnostics(work: Path, body: str) -> None:
    fuzzing.fresh_workdir(work)
    (work / "ako.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n" + body)
    (work / "k8s.yaml").write_text("")
    code, out, err, trace = fuzzing.run_cli(
        work, "cluster", "render", "--manifests", str(work / "k8s.yaml"),
        "--ako-config", str(work / "ako.yaml"))
    assert not trace, trace
    assert code == 1 and "Invalid ConfigMap" in err and "ako.yaml" in err, out + err


@pytest.mark.parametrize("port", ["../x", [80], {"a": 1}, 1.5, True])
def test_a_hostrule_listener_port_that_is_not_a_number_rejects_the_rule(
        work: Path, port: object) -> None:
    seed = next(s for s in CLUSTER_SEEDS if s.name == "hostrule_listeners_without_ssl")
    objects = copy.deepcopy(seed.objects)  # the seeds are shared by the other tests
    for obj in objects:
        if obj.get("kind") == "HostRule":
            obj["spec"]["virtualhost"]["tcpSettings"]["listeners"][0]["port"] = port
    fuzzing.fresh_workdir(work)
    (work / "ako.yaml").write_text(fuzzing._dump(seed.configmap))
    (work / "facts.yaml").write_text(fuzzing._dump(seed.facts))
    (work / "k8s.yaml").write_text("---\n".join(fuzzing._dump(d) for d in objects))
    _, out, err, trace = fuzzing.run_cli(
        work, "cluster", "render", "--manifests", str(work / "k8s.yaml"), "--ako-config",
        str(work / "ako.yaml"), "--controller-facts", str(work / "facts.yaml"))
    assert not trace, trace
    assert "a port must be a whole number" in out + err, out + err


def test_a_name_with_a_newline_applies_without_a_traceback(work: Path) -> None:
    """The embedded emulator once put such a name in a Location header as is (h11 refused
    it and uvicorn printed a traceback)."""
    fuzzing.fresh_workdir(work)
    (work / "main.tf").write_text(
        'resource "avi_trafficcloneprofile" "t" {\n  name = "a\\nb-\u00fc"\n}\n')
    outcomes = fuzzing.run_commands(work, [("plan", "-lock=false"), fuzzing.APPLY])
    _check(outcomes, "newline in a name")
    assert [o.code for o in outcomes] == [0, 0]
