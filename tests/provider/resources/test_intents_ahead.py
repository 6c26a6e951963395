"""Which creates the Avi provider lets an apply journal ahead (``StepJournal.record_ahead``):
an object whose identity is its keyed uuid, yes; a pool member or a static route whose
identity names an object the same apply still has to create, no — an intent with part of
its identity missing would send the next plan's recovery looking for the wrong object."""

from __future__ import annotations

from albform.engine.addrs import ResourceAddress
from albform.engine.apply_journal import StepJournal
from albform.engine.state.journal import MemoryJournal
from albform.engine.values import UNKNOWN
from albform.provider.resources.provider import AviProvider
from albform.provider.schema import load_table


def _journal() -> tuple[AviProvider, StepJournal, MemoryJournal]:
    provider = AviProvider(None, load_table())  # type: ignore[arg-type]  # makes no call here
    journal = MemoryJournal()
    return provider, StepJournal(journal, provider, on_refused=lambda: None), journal


def test_a_keyed_object_is_journaled_ahead_with_the_identity_its_step_computes() -> None:
    provider, steps, journal = _journal()
    address = ResourceAddress("avi_pool", "p")
    planned = {"name": "p", "health_monitor_refs": [UNKNOWN]}  # waits for a new monitor
    steps.record_ahead([(address, provider.prepare_create("avi_pool", planned, "k"))])
    [ahead] = journal.pending()
    assert provider.keyed_creates("avi_pool")
    at_step = provider.prepare_create("avi_pool", {**planned, "health_monitor_refs": ["x"]},
                                      "k")
    assert ahead.identity == provider.identity("avi_pool", at_step)
    steps.record("create", address, at_step)
    assert journal.records == 1  # the step found its intent already durable


def test_a_member_of_a_pool_still_to_be_made_is_left_to_its_step() -> None:
    provider, steps, journal = _journal()
    member = {"pool_ref": UNKNOWN, "ip": {"addr": "10.0.0.1", "type": "V4"}, "port": 80}
    steps.record_ahead([(ResourceAddress("avi_server", "m"),
                         provider.prepare_create("avi_server", member, "k"))])
    assert journal.pending() == []
    known = {**member, "pool_ref": "/api/pool/pool-1"}
    steps.record_ahead([(ResourceAddress("avi_server", "m"),
                         provider.prepare_create("avi_server", known, "k"))])
    [ahead] = journal.pending()
    assert ahead.identity == {"pool_ref": "/api/pool/pool-1", "ip": known["ip"], "port": 80}


def test_a_route_of_a_vrf_still_to_be_made_is_left_to_its_step() -> None:
    """Its identity names the VRF: journaled without it, the next plan's recovery could not
    even ask for the route (it would stop every plan with an error)."""
    provider, steps, journal = _journal()
    route = {"vrf_context_ref": UNKNOWN, "route_id": "1",
             "prefix": {"ip_addr": {"addr": "10.1.0.0", "type": "V4"}, "mask": 24},
             "next_hop": {"addr": "10.0.0.1", "type": "V4"}}
    steps.record_ahead([(ResourceAddress("avi_vrfcontext_static_route", "r"),
                         provider.prepare_create("avi_vrfcontext_static_route", route, "k"))])
    assert journal.pending() == []


def test_an_object_whose_tenant_waits_for_another_step_is_left_to_its_step() -> None:
    provider, steps, journal = _journal()
    steps.record_ahead([(ResourceAddress("avi_pool", "p"), provider.prepare_create(
        "avi_pool", {"name": "p", "tenant_ref": UNKNOWN}, "k"))])
    assert journal.pending() == []


def test_only_objects_found_by_a_keyed_uuid_are_offered_ahead() -> None:
    """A member, a route or a singleton is found by what it holds: after a crash, one that
    was on the controller before would be taken for this apply's. Their creates record their
    own intents, at their steps."""
    provider = AviProvider(None, load_table())  # type: ignore[arg-type]
    assert provider.keyed_creates("avi_pool") and provider.keyed_creates("avi_virtualservice")
    assert not provider.keyed_creates("avi_server")
    assert not provider.keyed_creates("avi_vrfcontext_static_route")
    assert not provider.keyed_creates("avi_systemconfiguration")
    assert not provider.keyed_creates("avi_no_such_type")
