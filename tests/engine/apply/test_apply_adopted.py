"""Imported (adopted) objects carry a restore point: the values their configured attributes
had before albform changed them, handed to the provider when the object is deleted, so a
provider that cannot delete it (a controller's built-in) can put them back. Destroy plans
delete outputs without evaluating them."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from albform.engine.changes import Action, PlanOptions
from albform.engine.config import Configuration, ImportBlock, OutputConfig
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.engine.testing.fake_provider import FakeProvider
from albform.engine.values import Deferred

sys.path.insert(0, str(Path(__file__).parents[1] / "plan"))
from plan_helpers import A, apply_changes, res


class RecordingProvider(FakeProvider):
    """Records what each delete was given besides the object."""

    def __init__(self) -> None:
        super().__init__()
        self.deletes: list[tuple[str, Mapping[str, Any] | None]] = []

    def delete(self, type_name: str, prior: Mapping[str, Any], *,
               original: Mapping[str, Any] | None = None) -> None:
        self.deletes.append((str(prior.get("name")), original))
        super().delete(type_name, prior, original=original)


def _plan_and_apply(config: Configuration, state: State, provider: FakeProvider,
                    **options: Any) -> State:
    plan, diags = build_plan(config, state, provider, PlanOptions(**options))
    assert not diags.has_errors(), diags
    return apply_changes(plan, provider)


def _legacy(**attributes: Any) -> Configuration:
    return Configuration(resources=(res("fake_pool.legacy", name="legacy", **attributes),),
                         imports=(ImportBlock(A("fake_pool.legacy"), "legacy"),))


def test_an_import_records_the_configured_values_it_found() -> None:
    provider = RecordingProvider()
    provider.create("fake_pool", {"name": "legacy", "description": "as found"})
    state = _plan_and_apply(_legacy(description="managed", lb_algorithm="LEAST"), State(),
                            provider)
    adopted = state.get(A("fake_pool.legacy"))
    assert adopted is not None and adopted.attributes["description"] == "managed"
    # lb_algorithm is server-defaulted: the value the object had is what comes back.
    assert adopted.adopted_from == {"name": "legacy", "description": "as found",
                                    "lb_algorithm": adopted.adopted_from["lb_algorithm"]}
    assert adopted.adopted_from["lb_algorithm"] != "LEAST"


def test_an_attribute_configured_later_joins_the_restore_point_once() -> None:
    provider = RecordingProvider()
    provider.create("fake_pool", {"name": "legacy", "description": "as found"})
    state = _plan_and_apply(_legacy(), State(), provider)
    assert state.get(A("fake_pool.legacy")).adopted_from == {"name": "legacy"}
    state = _plan_and_apply(_legacy(description="first"), state, provider)
    state = _plan_and_apply(_legacy(description="second"), state, provider)
    assert state.get(A("fake_pool.legacy")).adopted_from == {"name": "legacy",
                                                             "description": "as found"}


def test_delete_hands_the_restore_point_to_the_provider_only_for_imports() -> None:
    provider = RecordingProvider()
    provider.create("fake_pool", {"name": "legacy"})
    config = Configuration(resources=(*_legacy(description="x").resources,
                                      res("fake_pool.mine", name="mine")),
                           imports=_legacy().imports)
    state = _plan_and_apply(config, State(), provider)
    _plan_and_apply(config, state, provider, destroy=True)
    assert sorted(provider.deletes, key=lambda d: d[0]) == [
        ("legacy", {"name": "legacy", "description": None}), ("mine", None)]


def test_destroy_deletes_outputs_without_evaluating_them() -> None:
    def unusable(resolve: Any) -> Any:
        raise AssertionError("an output was evaluated during destroy")

    provider = FakeProvider()
    config = Configuration(resources=(res("fake_pool.web", name="web"),),
                           outputs=(OutputConfig("name", Deferred(
                               frozenset({A("fake_pool.web")}),
                               lambda resolve: resolve(A("fake_pool.web"))["name"], "n")),))
    state = _plan_and_apply(config, State(), provider)
    assert state.outputs["name"].value == "web"
    broken = Configuration(resources=config.resources, outputs=(OutputConfig("name", Deferred(
        frozenset({A("fake_pool.web")}), unusable, "broken")),))
    plan, diags = build_plan(broken, state, provider, PlanOptions(destroy=True))
    assert not diags.has_errors(), diags
    (output,) = plan.output_changes
    assert (output.action, output.before, output.after) == (Action.DELETE, "web", None)
    assert apply_changes(plan, provider).outputs == {}
