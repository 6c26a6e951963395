"""Property (issue 13, defect 3): keyed lists whose key repeats converge. For random lists of
``services`` keyed by port, where ports repeat and members differ by the rest of the element,
planning, applying and planning again gives an empty plan, from nothing and from a previous
random list."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.apply import apply_plan
from albform.engine.changes import Action
from albform.engine.config import Configuration
from albform.engine.diff import diff_attributes, merge_desired, pair_keyed
from albform.engine.planning import build_plan
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.model import State
from albform.engine.testing import FakeProvider
from albform.engine.testing.plans import res

SERVICE_FIELDS = MappingProxyType({
    "port": AttributeSchema("port", type="integer", required=True),
    "profile": AttributeSchema("profile"),
    "enable_ssl": AttributeSchema("enable_ssl", type="boolean", server_default=True,
                                  computed=True, default=False),
})
SERVICES = AttributeSchema("services", type="list", element_type="object", keyed_by=("port",),
                           fields=SERVICE_FIELDS)
VS = ResourceSchema("fake_vs", MappingProxyType({
    "name": AttributeSchema("name", required=True),
    "uuid": AttributeSchema("uuid", computed=True),
    "services": SERVICES,
}), id_attribute="uuid")


@st.composite
def service(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"port": draw(st.sampled_from([53, 80, "53"]))}
    profile = draw(st.sampled_from([None, "udp", "tcp"]))
    if profile is not None:
        out["profile"] = profile
    ssl = draw(st.sampled_from([None, True, False]))
    if ssl is not None:
        out["enable_ssl"] = ssl
    return out


def _config(services: list[dict[str, Any]]) -> Configuration:
    return Configuration(resources=(res("fake_vs.dns", name="dns", services=services),))


def _converge(config: Configuration, state: State, provider: FakeProvider) -> State:
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    outcome = apply_plan(plan, provider, lambda s: None, parallelism=1)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    again, _ = build_plan(config, outcome.state, provider)
    assert [c.action for c in again.changes] == [Action.NOOP], again.changes
    return outcome.state


@settings(max_examples=150, deadline=None)
@given(st.lists(service(), max_size=4), st.lists(service(), max_size=4))
def test_apply_then_plan_is_empty_with_repeated_keys(first: list[dict[str, Any]],
                                                    second: list[dict[str, Any]]) -> None:
    provider = FakeProvider({"fake_vs": VS})
    state = _converge(_config(first), State(), provider)
    _converge(_config(second), state, provider)


def test_repeated_port_pairs_by_the_rest_of_the_element() -> None:
    tcp, udp = {"port": 53}, {"port": 53, "profile": "udp"}
    actual = [{"port": 53, "profile": "udp", "enable_ssl": False},
              {"port": 53, "enable_ssl": False}]
    # The plain member fits both; the UDP one fits only the first: pair them so both fit.
    assert pair_keyed(SERVICES, [tcp, udp], actual) == [1, 0]
    assert diff_attributes(VS, {"services": [tcp, udp]}, {"services": actual}) == ()
    merged = merge_desired(VS, {"services": actual}, {"services": [tcp, udp]})
    assert merged["services"] == [actual[1], actual[0]]
    # A third member on the port is added; a member that fits nothing pairs in order.
    assert pair_keyed(SERVICES, [tcp, udp, tcp], actual) == [1, 0, None]
    assert pair_keyed(SERVICES, [{"port": 53, "profile": "tcp"}, udp], actual) == [1, 0]
    # Unique keys still pair by key alone: a changed member is an update, not a swap.
    assert pair_keyed(SERVICES, [{"port": 80, "profile": "x"}], [{"port": 80}]) == [0]
