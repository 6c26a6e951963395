"""Golden human, JSON and PR-comment (markdown) renderings of representative plans built
with the FakeProvider."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from albform.engine.changes import Plan, PlanOptions
from albform.engine.config import Configuration, ImportBlock, Lifecycle, MovedBlock, OutputConfig
from albform.engine.planning import build_plan
from albform.engine.render import render_plan_human, render_plan_json
from albform.engine.render.markdown import render_plan_markdown
from albform.engine.state.model import OutputState, ResourceState, State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.testing.fake_schemas import DEFAULT_DATA_SCHEMAS, DEFAULT_SCHEMAS

sys.path.insert(0, str(Path(__file__).parent.parent / "plan"))
from plan_helpers import A, naive_apply, pool_ref, ref, res

SCHEMAS = {**DEFAULT_SCHEMAS, **DEFAULT_DATA_SCHEMAS}
LINEAGE = "5b13b6a8-0000-4000-8000-000000000001"
TIMESTAMP = "2026-11-25T08:00:00Z"


def base() -> Configuration:
    return Configuration(resources=(
        res("fake_pool.web", name="web", description="web pool",
            servers=[{"ip": "10.0.0.1", "port": 80}, {"ip": "10.0.0.2"},
                     {"ip": "10.0.0.3"}, {"ip": "10.0.0.4"}]),
        res("fake_vs.web", name="vs-web", pool_ref=pool_ref("fake_pool.web"), port=80),
        res("fake_cert.tls", name="tls", certificate="-----BEGIN CERTIFICATE-----",
            key="very-secret-key"),
        res("fake_healthmonitor.hm", name="hm", type="HTTP"),
        res("fake_pool.old", name="old"),
        res("fake_pool.legacy", name="legacy"),
    ), outputs=(OutputConfig("vip", ref("fake_vs.web", "vip")),
                OutputConfig("pool", ref("fake_pool.web", "uuid"))))


def fixed(plan: Plan) -> Plan:
    return replace(plan, timestamp=TIMESTAMP)


def deployed() -> tuple[FakeProvider, State]:
    provider = FakeProvider()
    plan, diags = build_plan(base(), State(lineage=LINEAGE), provider)
    assert not diags
    state = naive_apply(plan, provider)
    outputs = {"vip": OutputState(state.get(A("fake_vs.web")).attributes["vip"]),  # type: ignore[union-attr]
               "pool": OutputState(state.get(A("fake_pool.web")).attributes["uuid"])}  # type: ignore[union-attr]
    return provider, replace(state, outputs=outputs)


def scenario_create() -> Plan:
    plan, _ = build_plan(base(), State(lineage=LINEAGE), FakeProvider())
    return plan


def scenario_mixed() -> Plan:
    """Drift, in-place updates (keyed list, sensitive), replace, delete, output change."""
    provider, state = deployed()
    provider.edit_out_of_band("fake_pool", "web", description="edited by hand")
    resources = list(base().resources)
    resources[0] = res("fake_pool.web", name="web", description="web pool",
                       servers=[{"ip": "10.0.0.1", "port": 8080}, {"ip": "10.0.0.2"},
                                {"ip": "10.0.0.3"}, {"ip": "10.0.0.5"}])
    resources[1] = res("fake_vs.web", name="vs-web", pool_ref=pool_ref("fake_pool.web"),
                       port=80, type="VS_TYPE_VH_PARENT")
    resources[2] = res("fake_cert.tls", name="tls", certificate="-----BEGIN CERTIFICATE-----",
                       key="rotated-secret")
    del resources[4]  # fake_pool.old
    config = replace(base(), resources=tuple(resources),
                     outputs=(OutputConfig("vip", ref("fake_vs.web", "vip")),
                              OutputConfig("pool", ref("fake_pool.web", "uuid"),
                                           sensitive=True)))
    plan, _ = build_plan(config, state, provider, PlanOptions(force=True))
    return plan


def scenario_no_changes() -> Plan:
    provider, state = deployed()
    plan, _ = build_plan(base(), state, provider)
    return plan


def scenario_moved_imported_replaced() -> Plan:
    provider, state = deployed()
    provider.create("fake_pool", {"name": "adopted", "description": "made by hand"})
    resources = [r for r in base().resources if r.address != A("fake_pool.old")]
    resources.append(res("fake_pool.renamed", name="old"))
    resources.append(res("fake_pool.adopted", name="adopted", description="made by hand"))
    resources[3] = replace(resources[3], lifecycle=Lifecycle(create_before_destroy=True))
    config = replace(base(), resources=tuple(resources),
                     moved=(MovedBlock(A("fake_pool.old"), A("fake_pool.renamed")),),
                     imports=(ImportBlock(A("fake_pool.adopted"), "adopted"),))
    tainted = state.with_resources(replace(r, status="tainted")
                                   if r.address == A("fake_pool.legacy") else r
                                   for r in state.resources)
    plan, _ = build_plan(config, tainted, provider,
                         PlanOptions(replace=(A("fake_healthmonitor.hm"),)))
    return plan


def scenario_refresh_only() -> Plan:
    provider, state = deployed()
    provider.edit_out_of_band("fake_vs", "vs-web", port=8443)
    provider.delete_out_of_band("fake_pool", "legacy")
    plan, _ = build_plan(base(), state, provider, PlanOptions(refresh_only=True))
    return plan


def scenario_destroy() -> Plan:
    provider, state = deployed()
    plan, _ = build_plan(base(), state, provider, PlanOptions(destroy=True))
    return plan


def scenario_data_and_outputs_only() -> Plan:
    provider, state = deployed()
    config = replace(base(), resources=(
        *base().resources,
        res("data.fake_cloud.default", name="Default-Cloud"),
        res("data.fake_cloud.by_pool", name=ref("fake_pool.new", "uuid")),
        res("fake_pool.new", name="new", description=ref("data.fake_cloud.default", "vtype")),
    ), outputs=(*base().outputs, OutputConfig("cloud", ref("data.fake_cloud.default", "uuid"))))
    plan, _ = build_plan(config, state, provider)
    return plan


def scenario_outputs_only() -> Plan:
    provider, state = deployed()
    config = replace(base(), outputs=(*base().outputs, OutputConfig("lit", {"a": [1, 2]})))
    plan, _ = build_plan(config, state, provider)
    return plan


def scenario_deposed() -> Plan:
    """A deposed pool left by an interrupted create_before_destroy replacement."""
    provider, state = deployed()
    old = provider.create("fake_pool", {"name": "web-old", "description": "replaced"})
    state = state.with_deposed([ResourceState(A("fake_pool.web"), dict(old.attributes),
                                              deposed="1a2b3c4d")])
    plan, _ = build_plan(base(), state, provider)
    return plan


SCENARIOS: dict[str, Callable[[], Plan]] = {
    "deposed": scenario_deposed,
    "create": scenario_create,
    "mixed": scenario_mixed,
    "no_changes": scenario_no_changes,
    "moved_imported_replaced": scenario_moved_imported_replaced,
    "refresh_only": scenario_refresh_only,
    "destroy": scenario_destroy,
    "data_reads": scenario_data_and_outputs_only,
    "outputs_only": scenario_outputs_only,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_human_golden(name: str, golden: Callable[[str, str], None]) -> None:
    plan = fixed(SCENARIOS[name]())
    text = render_plan_human(plan, SCHEMAS)
    golden(f"{name}.txt", text)
    colored = render_plan_human(plan, SCHEMAS, color=True)
    assert "\x1b[" not in text
    assert ("\x1b[" in colored) and _strip_ansi(colored) == text


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_json_golden(name: str, golden: Callable[[str, str], None]) -> None:
    doc = render_plan_json(fixed(SCENARIOS[name]()), SCHEMAS)
    text = json.dumps(doc, indent=2, sort_keys=False) + "\n"
    golden(f"{name}.json", text)
    for secret in ("very-secret-key", "rotated-secret"):
        assert secret not in text


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_markdown_golden(name: str, golden: Callable[[str, str], None]) -> None:
    (comment,) = render_plan_markdown(fixed(SCENARIOS[name]()), SCHEMAS)
    golden(f"{name}.md", comment)
    for secret in ("very-secret-key", "rotated-secret"):
        assert secret not in comment


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


