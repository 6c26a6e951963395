"""Issue 6 end to end: every configuration of the provider's corpus (``../shared/tf-corpus``:
each example directory and each acceptance ``.tf`` file on its own) goes through the real
stack — HCL reader → ``build_plan`` → ``apply_plan`` → ``AviProvider`` → emulator over
loopback — in stages:

load (no error diagnostics) → plan (data sources resolved against the emulator) → apply →
replan (must be empty: no phantom diffs) → destroy (the emulator is shared by the module, so
every configuration removes what it created). Each acceptance "updated" configuration is also
applied on top of its first step, as the acceptance test does, and must converge.

A configuration that cannot get through is listed in ``corpus_expectations.txt`` with the
first stage that fails and the reason; the test then checks that it fails exactly there
(so the list cannot go stale: a listed file that passes fails the test). Load failures must
name a genuinely unsupported construct. Objects a real controller would hold beforehand are
created by ``conftest.PREEXISTING``; ``OVERLAYS`` adds what a user must add to a file
(an ``import`` block for a built-in object the configuration declares).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from albform.engine.apply import apply_plan
from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostic, Diagnostics
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import configuration_files, load_configuration
from albform.modules.hcl.testing import copy_case, corpus_cases, write_dummy_values
from albform.provider.emulator.server import RunningEmulator
from albform.provider.factory import open_provider
from albform.provider.resources.provider import AviProvider

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "tf-corpus"
EXPECTATIONS = Path(__file__).with_name("corpus_expectations.txt")
STAGES = ("load", "plan", "apply", "replan", "destroy")
# Load-time summaries that name a construct albform does not support (anything else is a bug).
UNSUPPORTED_SUMMARIES = {"Unsupported resource type", "Invalid resource type",
                         "Unsupported argument", "Invalid provider argument"}
# Provider arguments that address the real controller; the harness points at the emulator.
REMOTE_ARGS = ("avi_controller", "avi_username", "avi_password", "avi_authtoken",
               "avi_ca_bundle", "avi_insecure")
# What a user adds to a configuration that declares an object every controller already has:
# albform never takes over an existing object silently, an import block says it may.
OVERLAYS: Mapping[str, str] = {
    "examples/examples/vmware/vsphere_steps/03_avi_config":
        'import {\n  to = avi_backupconfiguration.backup_config\n'
        '  id = "Backup-Configuration"\n}\n',
    "examples/examples/waf_V2":
        'import {\n  to = avi_stringgroup.stringgroup1\n'
        '  id = "System-Compressible-Content-Types"\n}\n',
}
# Objects one configuration needs beforehand (created for it, deleted after): the earlier
# stage of a multi-step example that created them.
SETUP: Mapping[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    # aws/cluster_stages/4_avi_infra creates the AWS cloud step 5 looks up (a no-access cloud
    # here: the emulator has no AWS API behind it).
    "examples/examples/aws/cluster_stages/5_avi_create_waf_policy":
        (("cloud", {"name": "AWS", "vtype": "CLOUD_NONE"}),),
}
CACHE = ParseCache(None)  # never writes into the read-only corpus


@dataclass(frozen=True, slots=True)
class Expectation:
    stage: str
    reason: str


def expectations() -> dict[str, Expectation]:
    out: dict[str, Expectation] = {}
    for number, line in enumerate(EXPECTATIONS.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        path, stage, reason = (part.strip() for part in line.split("|", 2))
        assert stage in STAGES, f"{EXPECTATIONS.name}:{number}: unknown stage {stage!r}"
        out[path] = Expectation(stage, reason)
    return out


def cases() -> list[Any]:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{CORPUS} is absent"))]
    return [pytest.param(p, id=str(p.relative_to(CORPUS))) for p in corpus_cases(CORPUS)]


class StageFailed(Exception):
    def __init__(self, stage: str, detail: str,
                 diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(f"{stage}: {detail}")
        self.stage = stage
        self.diagnostics = diagnostics


def check(stage: str, diags: Diagnostics) -> None:
    errors = tuple(diags.errors())
    if errors:
        raise StageFailed(stage, "\n".join(str(e) for e in errors), errors)


def connect_args(config: Configuration, emulator: RunningEmulator,
                 password: str) -> dict[str, Any]:
    """The configuration's own provider arguments (tenant, version, timeout) aimed at the
    emulator instead of the controller it names."""
    args = {k: v for k, v in config.provider_config.items()
            if k not in REMOTE_ARGS and v is not None and v != ""}
    return {**args, "avi_controller": emulator.url, "avi_username": "admin",
            "avi_password": password}


def load_case(source: Path, relative: str, workdir: Path) -> Configuration:
    copy_case(source, workdir)
    if relative in OVERLAYS:
        (workdir / "albform_overlay.tf").write_text(OVERLAYS[relative])
    dummy = write_dummy_values(configuration_files(workdir), CACHE,
                               workdir.parent / "dummy.tfvars")
    var_files = [dummy,
                 *(p for p in sorted(workdir.glob("*.tfvars")) if p.name != "terraform.tfvars")]
    config, diags = load_configuration(workdir, var_files=var_files, env={}, cache=CACHE)
    check("load", diags)
    return config


def run_stages(sources: list[tuple[Path, str]], tmp_path: Path,
               emulator: RunningEmulator, password: str) -> None:
    """Load → plan → apply → replan for each configuration in turn (the later ones update
    what the earlier ones created, like the steps of an acceptance test), then destroy;
    raises ``StageFailed`` at the first failure. Whatever was created is destroyed even
    then, so later cases start from a clean controller."""
    configs = [load_case(source, relative, tmp_path / f"config{i}")
               for i, (source, relative) in enumerate(sources)]
    setup = [body for _, relative in sources for body in SETUP.get(relative, ())]
    with open_provider(connect_args(configs[0], emulator, password),
                       workdir=tmp_path / "config0", env={}) as provider:
        created = [provider.api.create_object(t, body) for t, body in setup]
        applied = [State()]
        try:
            for config in configs:
                plan_apply_replan(config, provider, applied)
        except BaseException:
            # The first failure is the one to report; a clean-up failure after it would
            # show in the next case's name collisions anyway.
            with contextlib.suppress(StageFailed, AssertionError):
                destroy(configs[-1], provider, applied[-1])
            raise
        else:
            destroy(configs[-1], provider, applied[-1])
        finally:
            for (objtype, _), obj in zip(setup, created, strict=True):
                provider.api.delete_object(objtype, obj["uuid"])


def plan_apply_replan(config: Configuration, provider: AviProvider,
                      applied: list[State]) -> None:
    plan, diags = build_plan(config, applied[-1], provider)
    check("plan", diags)
    outcome = apply_plan(plan, provider, lambda _: None)
    applied.append(outcome.state)
    check("apply", outcome.diagnostics)
    managed = {r.address for r in config.resources if not r.address.is_data}
    missing = managed - {r.address for r in outcome.state.resources}
    assert not missing, f"applied without error but not in the state: {sorted(map(str, missing))}"
    again, diags = build_plan(config, outcome.state, provider)
    check("replan", diags)
    left = {str(c.address): [a.path for a in c.attribute_changes] or c.action.value
            for c in again.changes if c.action is not Action.NOOP}
    if left:
        raise StageFailed("replan", f"changes after apply: {left}")


def destroy(config: Configuration, provider: AviProvider, state: State) -> None:
    if not state.resources:
        return
    plan, diags = build_plan(config, state, provider,
                             PlanOptions(destroy=True, max_delete_fraction=None))
    check("destroy", diags)
    outcome = apply_plan(plan, provider, lambda _: None)
    check("destroy", outcome.diagnostics)
    assert not outcome.state.resources, "destroy left resources in the state"


@pytest.mark.parametrize("source", cases())
def test_corpus_configuration_plans_and_applies(source: Path, tmp_path: Path,
                                                emulator: RunningEmulator,
                                                emulator_password: str) -> None:
    relative = str(source.relative_to(CORPUS))
    expected = expectations().get(relative)
    try:
        run_stages([(source, relative)], tmp_path, emulator, emulator_password)
    except StageFailed as failure:
        if expected is None:
            pytest.fail(f"{relative} fails at {failure}")
        assert failure.stage == expected.stage, \
            f"{relative} is listed as failing at {expected.stage}, but fails at {failure}"
        if failure.stage == "load":
            for error in failure.diagnostics:
                assert error.summary in UNSUPPORTED_SUMMARIES, str(error)
                assert error.subject is not None and error.subject.start_line >= 1, str(error)
        return
    assert expected is None, \
        f"{relative} now gets through every stage: remove it from {EXPECTATIONS.name}"


def test_expectations_name_real_files_with_reasons() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    for relative, expected in expectations().items():
        assert (CORPUS / relative).exists(), f"{EXPECTATIONS.name}: no {relative}"
        assert len(expected.reason.split()) >= 5, f"{relative} needs a precise reason"


def update_steps() -> list[Any]:
    """Acceptance directories with an "updated" configuration: (first step, update) pairs,
    the update matched to the step whose name it extends (``testAccUpdatedAVIX`` →
    ``testAccAVIX``, ``updatetestAccX`` → ``testAccX``)."""
    if not CORPUS.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{CORPUS} is absent"))]
    out: list[Any] = []
    for directory in sorted((CORPUS / "acceptance").iterdir()):
        files = sorted(directory.glob("*.tf"))
        key = {f: re.sub("updated?", "", f.stem, flags=re.IGNORECASE).lower() for f in files}
        for update in (f for f in files if re.search("update", f.stem, re.IGNORECASE)):
            first = [f for f in files if f != update and key[f] == key[update]]
            assert len(first) == 1, f"no single first step for {update}"
            out.append(pytest.param(first[0], update, id=str(update.relative_to(CORPUS))))
    return out


@pytest.mark.parametrize(("first", "update"), update_steps())
def test_acceptance_update_step_converges(first: Path, update: Path, tmp_path: Path,
                                          emulator: RunningEmulator,
                                          emulator_password: str) -> None:
    listed = expectations()
    steps = [(p, str(p.relative_to(CORPUS))) for p in (first, update)]
    if any(relative in listed for _, relative in steps):
        pytest.skip("a step is listed in corpus_expectations.txt (checked on its own)")
    run_stages(steps, tmp_path, emulator, emulator_password)
