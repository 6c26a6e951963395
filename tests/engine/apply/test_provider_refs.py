"""The engine reads references only through the provider (issue 13, defect 10): which object
a ref value names is ``Provider.ref_id``'s answer, whatever form the provider's refs take.
A provider writing refs as ``urn:<type>:<uuid>`` gets the same plans and apply orderings as
one writing Avi's ``/api/<type>/<uuid>``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from albform.engine.apply import apply_plan
from albform.engine.changes import Action
from albform.engine.config import Configuration
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import ref, res

ENGINE = Path(__file__).resolve().parents[3] / "engine"


class UrnProvider(FakeProvider):
    ref_form = "urn:{type}:{uuid}"


@pytest.mark.parametrize("provider_class", [FakeProvider, UrnProvider])
def test_a_ref_to_a_deleted_object_is_unset_first(provider_class: type[FakeProvider]) -> None:
    provider = provider_class()
    config = Configuration(resources=(
        res("fake_pool.web", name="web"),
        res("fake_vs.web", name="vs", pool_ref=ref("fake_pool.web")),
        res("fake_vs.other", name="other")))
    plan, diags = build_plan(config, State(), provider)
    assert not diags.has_errors(), diags
    outcome = apply_plan(plan, provider, lambda s: None)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    (vs,) = [o for o in provider.objects("fake_vs") if o["name"] == "vs"]
    assert provider.ref_id(vs["pool_ref"]) is not None
    # The pool goes; the virtual service stays but no longer configures pool_ref.
    kept = Configuration(resources=(res("fake_vs.web", name="vs"),
                                    res("fake_vs.other", name="other")))
    plan, diags = build_plan(kept, outcome.state, provider)
    assert not diags.has_errors(), diags
    by = {str(c.address): c for c in plan.changes}
    assert by["fake_pool.web"].action is Action.DELETE
    assert by["fake_vs.web"].action is Action.UPDATE  # unsets the dangling pool_ref
    done = apply_plan(plan, provider, lambda s: None)
    assert not done.diagnostics.has_errors(), done.diagnostics
    assert provider.objects("fake_pool") == []


def test_fake_provider_ref_ids() -> None:
    provider = UrnProvider()
    assert provider.ref_id("urn:fake_pool:fake_pool-1") == "fake_pool-1"
    assert provider.ref_id("/api/fake_pool/fake_pool-1") is None
    assert FakeProvider().ref_id("/api/fake_pool/fake_pool-1") == "fake_pool-1"
    assert FakeProvider().ref_id(42) is None


def test_no_engine_module_parses_avi_refs() -> None:
    """Outside ``engine/testing`` (the fake controller), no engine code spells Avi's ref url
    form: the engine stays provider-agnostic."""
    offenders = []
    for path in ENGINE.rglob("*.py"):
        if "testing" in path.relative_to(ENGINE).with_suffix("").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and "/api/" in node.value:
                offenders.append(f"{path.relative_to(ENGINE)}:{node.lineno}")
    assert offenders == []
