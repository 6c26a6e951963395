"""Keyed lists whose key repeats (issue 13, defect 3): a virtual service with two
``services`` on the same port — TCP, and UDP through ``override_network_profile_ref``, the
common DNS and Horizon/VDI layout — plans nothing once applied, in either order."""

from __future__ import annotations

from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.apply import apply_plan
from albform.engine.changes import Action
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.planning import build_plan
from albform.engine.state.model import State
from albform.provider.resources.provider import AviProvider

A = ResourceAddress.parse
VIP = ResourceConfig(A("avi_vsvip.dns"), {"name": "dup-vip", "vip": [
    {"vip_id": "0", "ip_address": [{"addr": "10.91.0.5", "type": "V4"}]}]})


def _config(services: list[dict[str, Any]]) -> Configuration:
    vs = ResourceConfig(A("avi_virtualservice.dns"), {
        "name": "dup-vs", "vsvip_ref": "/api/vsvip?name=dup-vip",
        "network_profile_ref": "/api/networkprofile?name=System-TCP-Proxy",
        "services": services}, depends_on=(VIP.address,))
    return Configuration(resources=(VIP, vs))


def _plan_and_apply(config: Configuration, state: State,
                    provider: AviProvider) -> tuple[list[Action], State]:
    plan, diags = build_plan(config, state, provider)
    assert not diags.has_errors(), diags
    outcome = apply_plan(plan, provider, lambda s: None, parallelism=1)
    assert not outcome.diagnostics.has_errors(), outcome.diagnostics
    return [c.action for c in plan.changes], outcome.state


def test_two_services_on_one_port_plan_nothing_after_apply(provider: AviProvider) -> None:
    tcp = {"port": "53"}
    udp = {"port": "53",
           "override_network_profile_ref": "/api/networkprofile?name=System-UDP-Fast-Path"}
    _, state = _plan_and_apply(_config([tcp, udp]), State(), provider)
    try:
        for services in ([tcp, udp], [udp, tcp]):
            plan, diags = build_plan(_config(services), state, provider)
            assert not diags.has_errors(), diags
            assert [c.action for c in plan.changes] == [Action.NOOP, Action.NOOP], \
                [c.attribute_changes for c in plan.changes]
        # Changing one of the two changes that one only, and converges.
        https = {"port": "53", "enable_ssl": "false", "port_range_end": "54"}
        actions, state = _plan_and_apply(_config([https, udp]), state, provider)
        assert actions == [Action.UPDATE, Action.NOOP]  # the virtual service, the vsvip
        plan, _ = build_plan(_config([https, udp]), state, provider)
        assert [c.action for c in plan.changes] == [Action.NOOP, Action.NOOP]
    finally:
        _plan_and_apply(Configuration(), state, provider)
