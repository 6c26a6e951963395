"""Saved plans: round trip through the zip, masking, staleness, damaged files."""

from __future__ import annotations

import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.changes import Action, AttributeChange, Plan, PlanOptions, ResourceChange
from albform.engine.config import Configuration, OutputConfig
from albform.engine.planfile import (
    PlanFileError,
    StalePlanError,
    check_plan_fresh,
    load_plan,
    save_plan,
)
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.testing.fake_schemas import DEFAULT_SCHEMAS
from albform.engine.values import UNKNOWN

sys.path.insert(0, str(Path(__file__).parent))
from plan_helpers import A, apply_changes, pool_ref, ref, res

SOURCE = {"front_end": "hcl", "inputs": {"dir": "."}, "digest": "sha256:abc"}


def config() -> Configuration:
    return Configuration(resources=(
        res("fake_pool.web", name="web", servers=[{"ip": "10.0.0.1"}]),
        res("fake_vs.web", name="vs", pool_ref=pool_ref("fake_pool.web")),
        res("fake_cert.c", name="c", key="top-secret-key"),
    ), outputs=(OutputConfig("vip", ref("fake_vs.web", "vip")),
                OutputConfig("key", "out-secret", sensitive=True)))


def test_round_trip_keeps_changes_states_and_source(tmp_path: Path) -> None:
    provider = FakeProvider()
    plan, _ = build_plan(config(), State(), provider, PlanOptions(targets=(A("fake_vs.web"),)))
    path = tmp_path / "tfplan"
    save_plan(plan, path, config_source=SOURCE, schemas=DEFAULT_SCHEMAS)
    saved = load_plan(path)
    assert saved.config_source == SOURCE
    got = saved.plan
    assert got.configuration is None
    assert (got.lineage, got.serial, got.timestamp) == (plan.lineage, plan.serial,
                                                        plan.timestamp)
    assert got.options == plan.options
    assert got.changes == plan.changes  # UNKNOWN comes back as the same singleton
    assert got.prior_state.lineage == plan.prior_state.lineage


def test_sensitive_values_never_reach_the_file(tmp_path: Path) -> None:
    provider = FakeProvider()
    plan, _ = build_plan(config(), State(), provider)
    state = apply_changes(plan, provider)
    changed = replace(config(), resources=(*config().resources[:2],
                                           res("fake_cert.c", name="c", key="rotated-key")))
    plan, _ = build_plan(changed, state, provider)
    path = tmp_path / "tfplan"
    save_plan(plan, path, config_source=SOURCE, schemas=DEFAULT_SCHEMAS)
    with zipfile.ZipFile(path) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    for secret in (b"top-secret-key", b"rotated-key", b"out-secret"):
        assert secret not in blob
    cert = next(c for c in load_plan(path).plan.changes if c.address == A("fake_cert.c"))
    assert cert.action is Action.UPDATE and cert.after["key"] is UNKNOWN  # type: ignore[index]


def test_stale_and_foreign_plans_are_refused(tmp_path: Path) -> None:
    provider = FakeProvider()
    first, _ = build_plan(config(), State(), provider)
    check_plan_fresh(first, State())  # a first plan: any empty state will do
    with pytest.raises(StalePlanError, match="changed by another operation") as err:
        check_plan_fresh(first, State(serial=1))
    assert err.value.summary == "Saved plan is stale"
    state = apply_changes(first, provider)
    plan, _ = build_plan(config(), state, provider)
    check_plan_fresh(plan, state)
    with pytest.raises(StalePlanError) as err:
        check_plan_fresh(plan, state.next_serial())
    assert err.value.summary == "Saved plan is stale"
    with pytest.raises(StalePlanError) as err:
        check_plan_fresh(plan, replace(state, lineage="other"))
    assert err.value.summary == "Saved plan does not match the given state"


def test_damaged_or_foreign_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="does not exist"):
        load_plan(tmp_path / "missing")
    junk = tmp_path / "junk"
    junk.write_text("not a zip")
    with pytest.raises(PlanFileError, match="is not a saved albform plan"):
        load_plan(junk)
    other = tmp_path / "other"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("plan.json", '{"format": "tfplan/9"}')
        z.writestr("tfstate", "{}")
    with pytest.raises(PlanFileError):
        load_plan(other)


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    plan, _ = build_plan(config(), State(), FakeProvider())
    bad = replace(plan, changes=(*plan.changes, ResourceChange(
        A("fake_pool.x"), Action.CREATE, None, {"v": object()}),))
    with pytest.raises(TypeError):
        save_plan(bad, tmp_path / "tfplan")
    assert list(tmp_path.iterdir()) == []


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just(UNKNOWN)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "$albform", "value"]),
                                            inner, max_size=3)),
    max_leaves=10)


@settings(max_examples=30)
@given(st.dictionaries(st.text(min_size=1, max_size=4), json_values, max_size=4))
def test_any_attribute_tree_round_trips(tmp_path_factory: Any, after: dict[str, Any]) -> None:
    path = tmp_path_factory.mktemp("pf") / "tfplan"
    change = ResourceChange(A("fake_pool.p"), Action.UPDATE, {"x": 1}, after,
                            (AttributeChange(("x",), 1, UNKNOWN),))
    plan = Plan((change,), State(), State(), None)
    save_plan(plan, path)
    assert load_plan(path).plan.changes == (change,)
