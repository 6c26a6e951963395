"""detect_drift and the DriftReport (counts, causes, masking, JSON and text forms)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration
from albform.engine.drift import WHOLE, DriftReport, UnmanagedObject, detect_drift, shown_pair
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.testing.fake_schemas import DEFAULT_SCHEMAS

sys.path.insert(0, str(Path(__file__).parent))
from plan_helpers import A, apply_changes, res


def deployed(n: int = 4) -> tuple[FakeProvider, State, Configuration]:
    config = Configuration(resources=(
        *(res(f"fake_pool.p{i}", name=f"p{i}", description="d") for i in range(n)),
        res("fake_cert.c", name="c", key="k1"),
    ))
    provider = FakeProvider()
    plan, _ = build_plan(config, State(), provider)
    return provider, apply_changes(plan, provider), config


def test_detect_drift_classifies_changed_and_missing() -> None:
    provider, state, config = deployed()
    assert detect_drift(state, state, DEFAULT_SCHEMAS) == ()
    provider.edit_out_of_band("fake_pool", "p0", description="x", lb_algorithm=None)
    provider.delete_out_of_band("fake_pool", "p1")
    plan, _ = build_plan(config, state, provider, PlanOptions(refresh_only=True))
    by = {str(c.address): c for c in plan.drift}
    assert set(by) == {"fake_pool.p0", "fake_pool.p1"}
    assert by["fake_pool.p1"].action is Action.DELETE
    assert sorted((a.path, a.before, a.after) for a in by["fake_pool.p0"].attribute_changes) \
        == [(("description",), "d", "x"),
            (("lb_algorithm",), "LB_ALGORITHM_LEAST_CONNECTIONS", None)]


def test_report_counts_causes_and_exit_codes() -> None:
    provider, state, config = deployed(5)
    for name in ("p0", "p1", "p2"):
        provider.edit_out_of_band("fake_pool", name, lb_algorithm="LB_ALGORITHM_ROUND_ROBIN")
    provider.edit_out_of_band("fake_pool", "p3", description="hand")
    provider.delete_out_of_band("fake_pool", "p4")
    provider.edit_out_of_band("fake_cert", "c", key="k2")
    refreshed, _ = build_plan(config, state, provider)
    report = DriftReport.from_changes(state, refreshed.drift, DEFAULT_SCHEMAS,
                                      started="2026-11-25T01:00:00Z",
                                      finished="2026-11-25T01:00:02Z")
    assert (report.managed, len(report.changed), len(report.missing), report.in_sync) == \
        (6, 5, 1, 0)
    assert report.exit_code() == 2
    causes = [(c.type, c.path, c.count) for c in report.causes()]
    assert causes[0] == ("fake_pool", "lb_algorithm", 3)
    doc = report.to_json()
    text = json.dumps(doc)
    assert "k1" not in text and "k2" not in text and "(sensitive value)" in text
    assert doc["summary"] == {"managed": 6, "in_sync": 0, "changed": 5, "missing": 1,
                              "unmanaged": None, "in_sync_share": 0.0, "coverage": None}
    assert doc["missing"] == [{"address": "fake_pool.p4", "type": "fake_pool",
                               "suggested_actions": ["revert", "forget"]}]
    human = report.render_text()
    assert "Missing (in state, gone from the controller):\n  - fake_pool.p4" in human
    assert "      lb_algorithm: \"LB_ALGORITHM_LEAST_CONNECTIONS\" -> " \
           "\"LB_ALGORITHM_ROUND_ROBIN\"" in human
    assert "fake_pool lb_algorithm: 3" in human and "k2" not in human


def test_in_sync_report_and_alerts() -> None:
    provider, state, config = deployed(2)
    plan, _ = build_plan(config, state, provider)
    report = DriftReport.from_changes(state, plan.drift)
    assert report.exit_code() == 0 and report.in_sync_share == 1.0
    assert "No drift: every managed object matches the state." in report.render_text()
    alerted = DriftReport.from_changes(state, plan.drift,
                                       alerts=("fake_cert: permission denied (HTTP 403)",))
    assert alerted.exit_code() == 1
    assert "! fake_cert: permission denied (HTTP 403)" in alerted.render_text()
    assert A("fake_pool.p0") in state.by_address()


def test_markdown_and_suggested_actions() -> None:
    provider, state, config = deployed(3)
    provider.edit_out_of_band("fake_pool", "p0", description="hand")
    provider.edit_out_of_band("fake_cert", "c", key="k9")
    provider.delete_out_of_band("fake_pool", "p1")
    plan, _ = build_plan(config, state, provider, PlanOptions(refresh_only=True))
    report = DriftReport.from_changes(state, plan.drift, DEFAULT_SCHEMAS)
    md = report.render_markdown()
    assert md.splitlines()[0] == \
        "<!-- albform-drift: managed=4 changed=2 missing=1 alerts=0 -->"
    assert "- `fake_pool.p1` (revert: `albform apply` re-creates it)" in md
    assert "(revert: `albform cluster apply` re-creates it)" in report.render_markdown(
        apply_command="albform cluster apply")
    assert "- `fake_pool.p0`: `description`" in md and "- `fake_cert.c`: `key`" in md
    assert "| `fake_pool` | `description` | 1 |" in md
    assert "k9" not in md and "k1" not in md and "hand" not in md
    doc = report.to_json()
    assert doc["changed"][0]["suggested_actions"] == ["revert", "accept"]
    assert doc["missing"][0]["suggested_actions"] == ["revert", "forget"]


def test_runtime_health_findings_exit_2_even_when_in_sync() -> None:
    provider, state, config = deployed(2)
    plan, _ = build_plan(config, state, provider)
    finding = 'avi_gslbservice.amko["x"]: member 1.1.1.1 in group g is OPER_DOWN'
    report = DriftReport.from_changes(state, plan.drift, health=(finding,))
    assert not report.has_drift and report.exit_code() == 2
    assert report.to_json()["health"] == [finding]
    assert f"  ! {finding}" in report.render_text()
    assert f"- {finding}" in report.render_markdown()
    assert DriftReport.from_changes(state, plan.drift).to_json()["health"] == []


@given(st.text(min_size=0, max_size=300), st.text(min_size=1, max_size=300),
       st.text(max_size=300))
def test_a_long_changed_value_is_shown_where_it_differs(prefix: str, tail_a: str,
                                                         tail_b: str) -> None:
    """Whatever the lengths, the two shown texts differ whenever the values do (the window
    never ends before the first difference) and short values are shown whole."""
    before, after = prefix + tail_a, prefix + tail_b
    shown = shown_pair(before, after)
    if before != after:
        assert shown[0] != shown[1]
    if len(json.dumps(before)) <= WHOLE and len(json.dumps(after)) <= WHOLE:
        assert shown == (json.dumps(before), json.dumps(after))


def test_unmanaged_objects_count_as_drift_and_give_coverage() -> None:
    provider, state, config = deployed(3)
    plan, _ = build_plan(config, state, provider)
    stray = UnmanagedObject("avi_pool", "cluster--stray", "pool-1", "created_by ako-cluster")
    report = DriftReport.from_changes(state, plan.drift, unmanaged=[stray])
    assert report.exit_code() == 2 and report.in_sync_share == 1.0
    assert report.managed == 4 and report.coverage == 4 / 5
    doc = report.to_json()
    assert doc["summary"]["unmanaged"] == 1 and doc["summary"]["coverage"] == 0.8
    assert doc["unmanaged"] == [{"type": "avi_pool", "name": "cluster--stray", "uuid": "pool-1",
                                 "owner": "created_by ako-cluster",
                                 "suggested_actions": ["import", "delete"]}]
    text = report.render_text()
    assert "  + avi_pool cluster--stray (pool-1, created_by ako-cluster)" in text
    assert "coverage 80% of marked objects managed" in text
    colored = report.render_text(color=True)
    assert "\x1b[" in colored and "\x1b[" not in text
