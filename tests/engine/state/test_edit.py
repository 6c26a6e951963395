"""``state rm | mv`` selectors: malformed address text is a parse error ("Invalid address"),
checked before matching, as terraform 1.11 does (exit 1, never "No matching objects")."""

from __future__ import annotations

import pytest

from albform.engine.addrs import ResourceAddress
from albform.engine.state.edit import StateEditError, move, remove
from albform.engine.state.model import ResourceState, State


def _state() -> State:
    obj = ResourceState(address=ResourceAddress.parse('avi_pool.ako["a"]'),
                        provider='provider["registry.terraform.io/vmware/avi"]',
                        attributes={"name": "a"})
    return State(resources=(obj,))


@pytest.mark.parametrize("text", ["avi_pool.ako[", "avi_pool.ako[x]", "avi_pool",
                                  'avi_pool.ako["a"', "avi_pool.ako.b.c", "module.", "1x.a"])
def test_rm_and_mv_reject_malformed_addresses(text: str) -> None:
    with pytest.raises(StateEditError) as rm:
        remove(_state(), [text])
    assert rm.value.summary == "Invalid address"
    with pytest.raises(StateEditError) as src:
        move(_state(), text, "avi_pool.other")
    assert src.value.summary == "Invalid address"
    with pytest.raises(StateEditError) as dst:
        move(_state(), "avi_pool.ako", text)
    assert dst.value.summary == "Invalid address"


def test_well_formed_selectors_still_match_or_say_no_match() -> None:
    assert remove(_state(), ["avi_pool.ako"])[1] == [ResourceAddress.parse('avi_pool.ako["a"]')]
    with pytest.raises(StateEditError) as none:
        remove(_state(), ["module.m"])
    assert none.value.summary == "Invalid target address"
    with pytest.raises(StateEditError) as src:
        move(_state(), 'avi_pool.ako["b"]', "avi_pool.x")
    assert src.value.summary == "Invalid source address"
