"""Controller facts as a saved plan records them (``ControllerFacts.to_json``): they read
back equal, with the same input digest, so a plan's configuration loads again offline."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from albform.engine.inputs import value_digest
from albform.modules.k8s.facts import CLOUD_TYPES, ControllerFacts

_names = st.text(min_size=1, max_size=8)
facts = st.builds(
    ControllerFacts,
    cloud_type=st.sampled_from(CLOUD_TYPES),
    dns_subdomains=st.lists(_names, max_size=3).map(tuple),
    license_tier=_names, vrf_name=_names, ipam_type=_names, nsxt_transport_zone=_names,
    avi_objects=st.none() | st.frozensets(st.tuples(_names, _names), max_size=4),
    avi_object_types=st.lists(st.tuples(_names, _names, _names), max_size=3).map(tuple))


@given(facts)
def test_recorded_facts_read_back_equal_with_the_same_digest(fact: ControllerFacts) -> None:
    back = ControllerFacts.from_json(json.loads(json.dumps(fact.to_json())))
    assert back == fact
    assert value_digest(back) == value_digest(fact)
