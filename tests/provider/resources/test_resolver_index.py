"""The resolver answers many names of one type from one collection listing (``resolver.py``),
with exactly the answers one ``?name=`` query per name gives: same uuids, ambiguity still an
error, names absent from the listing still asked for, deleted objects forgotten."""

from __future__ import annotations

from typing import Any

import pytest

from albform.provider.client import AviClient
from albform.provider.resources import resolver as resolver_module
from albform.provider.resources.api import Tenant
from albform.provider.resources.listings import LISTING_FIELDS
from albform.provider.resources.refs import ObjectRef
from albform.provider.resources.resolver import (
    INDEX_AFTER,
    AmbiguousReference,
    RefResolver,
    Scope,
)

N = INDEX_AFTER * 3


@pytest.fixture(scope="module")
def pools(raw: AviClient) -> dict[str, str]:
    made = {}
    for i in range(N):
        obj = raw.create_object("pool", {"name": f"idx-pool-{i}"})
        made[f"idx-pool-{i}"] = str(obj["uuid"])
    return made


class CountingApi:
    """The client, counting the collection GETs a resolver makes."""

    def __init__(self, client: AviClient) -> None:
        self.client = client
        self.listings: list[dict[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def list_objects(self, objtype: str, params: Any = None, **kw: Any) -> Any:
        self.listings.append(dict(params or {}))
        return self.client.list_objects(objtype, params, **kw)


def test_many_names_cost_one_listing_and_give_the_per_name_answers(
        raw: AviClient, pools: dict[str, str]) -> None:
    api = CountingApi(raw)
    resolver = RefResolver(api)  # type: ignore[arg-type]
    got = {name: resolver.lookup(ObjectRef("pool", name=name)) for name in pools}
    assert got == pools
    # INDEX_AFTER - 1 names asked one by one, then one listing answers the rest.
    assert len(api.listings) == INDEX_AFTER
    assert [p for p in api.listings if "name" not in p] == [
        {"fields": LISTING_FIELDS, "page_size": "200"}]
    # Every answer is what a fresh resolver asking per name gives.
    assert {n: RefResolver(raw).lookup(ObjectRef("pool", name=n)) for n in pools} == pools


def test_a_fresh_listing_says_a_name_is_absent_an_old_one_asks_again(
        raw: AviClient, pools: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    api = CountingApi(raw)
    resolver = RefResolver(api)  # type: ignore[arg-type]
    for name in pools:
        resolver.lookup(ObjectRef("pool", name=name))
    asked = len(api.listings)
    late = raw.create_object("pool", {"name": "idx-created-after-listing"})
    # Absent from a fresh listing: absent, no query (the ref keeps its name-query form).
    assert resolver.lookup(ObjectRef("pool", name="idx-created-after-listing")) is None
    assert resolver.canonical("/api/pool?name=idx-never-created", "pool") == \
        "/api/pool?name=idx-never-created"
    assert len(api.listings) == asked
    # Once the listing is older than LISTING_TTL_S, an absent name is asked for again.
    monkeypatch.setattr(resolver_module, "LISTING_TTL_S", 0.0)
    assert resolver.lookup(ObjectRef("pool", name="idx-created-after-listing")) == late["uuid"]
    assert resolver.lookup(ObjectRef("pool", name="idx-never-created")) is None
    assert len(api.listings) == asked + 2
    # What albform creates itself is asked for, whatever the listing says, in any scope
    # (the cache holds it without a cloud; a referring object asks within its cloud).
    monkeypatch.setattr(resolver_module, "LISTING_TTL_S", 3600.0)
    mine = raw.create_object("pool", {"name": "idx-created-by-albform"})
    resolver.remember("pool", "idx-created-by-albform", str(mine["uuid"]), Tenant())
    cloud = str(mine["cloud_ref"]).rstrip("/").rsplit("/", 1)[-1]
    assert resolver.lookup(ObjectRef("pool", name="idx-created-by-albform"),
                           Scope(cloud_uuid=cloud)) == mine["uuid"]


def test_a_forgotten_object_is_asked_for_again(raw: AviClient) -> None:
    made = {f"idx-gone-{i}": str(raw.create_object("pool", {"name": f"idx-gone-{i}"})["uuid"])
            for i in range(INDEX_AFTER + 2)}
    resolver = RefResolver(raw)
    for name in made:
        assert resolver.lookup(ObjectRef("pool", name=name)) == made[name]
    last = f"idx-gone-{INDEX_AFTER + 1}"
    raw.delete_object("pool", made[last])
    resolver.forget("pool", made[last])
    again = str(raw.create_object("pool", {"name": last})["uuid"])
    assert resolver.lookup(ObjectRef("pool", name=last)) == again != made[last]


def test_ambiguity_is_still_an_error_from_the_listing(raw: AviClient) -> None:
    clouds = [str(raw.create_object("cloud", {"name": f"idx-cloud-{i}",
                                              "vtype": "CLOUD_NONE"})["uuid"])
              for i in range(2)]
    for cloud in clouds:
        raw.create_object("vrfcontext", {"name": "idx-twin",
                                         "cloud_ref": f"/api/cloud/{cloud}"})
    for i in range(INDEX_AFTER + 1):
        raw.create_object("vrfcontext", {"name": f"idx-vrf-{i}",
                                         "cloud_ref": f"/api/cloud/{clouds[0]}"})
    resolver = RefResolver(raw)
    for i in range(INDEX_AFTER + 1):  # the listing is made by now
        resolver.lookup(ObjectRef("vrfcontext", name=f"idx-vrf-{i}"))
    with pytest.raises(AmbiguousReference):
        resolver.lookup(ObjectRef("vrfcontext", name="idx-twin"))
    twin = resolver.lookup(ObjectRef("vrfcontext", name="idx-twin"), Scope(cloud_uuid=clouds[1]))
    assert twin == RefResolver(raw).lookup(ObjectRef("vrfcontext", name="idx-twin"),
                                           Scope(cloud_uuid=clouds[1]))
    assert twin is not None


def test_names_albform_created_resolve_without_a_query_from_any_matching_scope(
        raw: AviClient) -> None:
    """An apply refers by name to objects it created a moment ago, from objects in a cloud
    (a pool group's pools, a virtual service's L4 policy set): answered from what it
    remembered, in that cloud or for a type without clouds; another cloud's scope asks."""
    api = CountingApi(raw)
    resolver = RefResolver(api)  # type: ignore[arg-type]
    cloud = raw.list_objects("cloud", {"name": "Default-Cloud"})[0]["uuid"]
    pool = raw.create_object("pool", {"name": "made-pool"})
    policy = raw.create_object("l4policyset", {"name": "made-l4"})
    resolver.remember("pool", "made-pool", pool["uuid"], Tenant(), cloud)
    resolver.remember("l4policyset", "made-l4", policy["uuid"], Tenant())
    in_cloud = Scope(cloud_uuid=cloud)
    assert resolver.lookup(ObjectRef("pool", name="made-pool"), in_cloud) == pool["uuid"]
    assert resolver.lookup(ObjectRef("l4policyset", name="made-l4"), in_cloud) \
        == policy["uuid"]
    assert resolver.lookup(ObjectRef("pool", name="made-pool")) == pool["uuid"]
    assert api.listings == []
    elsewhere = Scope(cloud_uuid="cloud-elsewhere")
    assert resolver.lookup(ObjectRef("pool", name="made-pool"), elsewhere) == pool["uuid"]
    assert len(api.listings) == 1  # asked: the pool it made is in another cloud
    resolver.forget("pool", pool["uuid"])
    resolver.lookup(ObjectRef("pool", name="made-pool"), in_cloud)
    assert len(api.listings) == 2  # deleted: asked again
    raw.delete_object("pool", pool["uuid"])
    raw.delete_object("l4policyset", policy["uuid"])
