"""A create repeated after a crash meets its own object (the uuid ``prepare_create`` derives from
the engine's key, sent as ``Slug``) and adopts it — brought to what is asked now — instead of
failing with 409; a 409 for somebody else's object of that name stays an error."""

from __future__ import annotations

import pytest

from albform.engine.provider import ProviderError, ReadRequest
from albform.provider.client import AviClient
from albform.provider.resources.provider import AviProvider


def test_prepare_create_derives_the_uuid_from_the_key(provider: AviProvider) -> None:
    first = provider.prepare_create("avi_pool", {"name": "k"}, "lineage/avi_pool.k/")
    again = provider.prepare_create("avi_pool", {"name": "k"}, "lineage/avi_pool.k/")
    other = provider.prepare_create("avi_pool", {"name": "k"}, "lineage/avi_pool.k/{old}")
    assert first["uuid"] == again["uuid"] != other["uuid"]
    assert first["uuid"].startswith("pool-")
    configured = provider.prepare_create("avi_pool", {"name": "k", "uuid": "pool-mine"}, "x")
    assert configured["uuid"] == "pool-mine"


def test_repeated_create_adopts_its_own_object_and_applies_the_new_values(
        provider: AviProvider, raw: AviClient) -> None:
    planned = provider.prepare_create("avi_pool", {"name": "adopt-me", "description": "one"},
                                      "lineage-1/avi_pool.adopt/")
    first = provider.create("avi_pool", planned)
    # The process died before recording it; the next apply asks again, with a change.
    second = provider.create("avi_pool", {**planned, "description": "two"})
    assert second.attributes["uuid"] == first.attributes["uuid"]
    pools = raw.list_objects("pool", params={"name": "adopt-me"})
    assert len(pools) == 1 and pools[0]["description"] == "two"
    identity = provider.identity("avi_pool", second.attributes)
    assert identity["uuid"] == first.attributes["uuid"]
    found = provider.read(ReadRequest("avi_pool", identity))
    assert found.attributes is not None and found.attributes["description"] == "two"


def test_conflict_with_another_object_of_that_name_is_still_an_error(
        provider: AviProvider) -> None:
    mine = provider.prepare_create("avi_pool", {"name": "taken"}, "lineage-2/avi_pool.a/")
    provider.create("avi_pool", mine)
    theirs = provider.prepare_create("avi_pool", {"name": "taken"}, "lineage-3/avi_pool.b/")
    with pytest.raises(ProviderError, match="already exists") as failure:
        provider.create("avi_pool", theirs)
    assert failure.value.status == 409
    # Both ways to take it over: an import block (HCL), --adopt (albform cluster, whose
    # configuration has no place for an import block; the usual case: AKO made the object).
    assert "an import block with id = 'taken'" in failure.value.detail
    assert "--adopt" in failure.value.detail
