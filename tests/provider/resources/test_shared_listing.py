"""The refresh's whole listings serve the reference resolver (``listings``): names in a
tenant named by name are answered from the listing the refresh made with the tenant's uuid,
with exactly the answers one ``?name=`` query per name gives (found, absent, ambiguous
without a cloud, told apart by the cloud), and no query of the resolver's own; a second
refresh never takes the first one's listing, so an edit made in between is seen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from albform.engine.provider import ReadRequest
from albform.provider.client import AviClient
from albform.provider.resources import bulk
from albform.provider.resources.api import Tenant
from albform.provider.resources.provider import AviProvider
from albform.provider.resources.refs import ObjectRef
from albform.provider.resources.resolver import AmbiguousReference, RefResolver, Scope
from albform.provider.schema.table import load_table

TENANT = "sl-tenant"
IN_TENANT = Scope(tenant=Tenant(name=TENANT))
N_POOLS = 40
N_VRFS = 24


class CountingApi:
    """The client, recording the collection GETs made through it (by thread)."""

    def __init__(self, client: AviClient) -> None:
        self.client = client
        self.listings: list[tuple[str, str, dict[str, str]]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def _record(self, objtype: str, params: Any) -> None:
        self.listings.append((threading.current_thread().name, objtype, dict(params or {})))

    def list_objects(self, objtype: str, params: Any = None, **kw: Any) -> Any:
        self._record(objtype, params)
        return self.client.list_objects(objtype, params, **kw)

    def list_page(self, objtype: str, params: Any, **kw: Any) -> Any:
        self._record(objtype, params)
        return self.client.list_page(objtype, params, **kw)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 25, listing from 20 objects: a few dozen pools are a big group."""
    monkeypatch.setattr(bulk, "BATCH", 25)
    monkeypatch.setattr(bulk, "LISTING_AT", 20)


@pytest.fixture(scope="module")
def applied(provider: AviProvider, raw: AviClient,
            ) -> Iterator[tuple[list[tuple[dict[str, Any], str | None]], list[str]]]:
    """In a tenant of its own: pools and VRF contexts made through the provider (state
    attributes and read marks, as an apply leaves them), a VRF context named ``sl-twin`` in
    each of two clouds."""
    tenant = provider.create("avi_tenant", {"name": TENANT}).attributes
    tenant_ref = f"/api/tenant/?name={TENANT}"
    clouds = [provider.create("avi_cloud", {"name": f"sl-cloud-{i}",
                                            "vtype": "CLOUD_NONE"}).attributes
              for i in range(2)]
    made: list[tuple[dict[str, Any], str | None]] = []
    for i in range(N_POOLS):
        answer = provider.create("avi_pool", provider.canonicalize("avi_pool", {
            "name": f"sl-pool-{i}", "tenant_ref": tenant_ref}))
        made.append((dict(answer.attributes), answer.mark))
    # Names are unique per cloud for VRF contexts: the twins of an ambiguous name.
    for i, cloud in enumerate(clouds * (N_VRFS // 2)):
        name = "sl-twin" if i < 2 else f"sl-vrf-{i}"
        answer = provider.create("avi_vrfcontext", provider.canonicalize("avi_vrfcontext", {
            "name": name, "tenant_ref": tenant_ref, "cloud_ref": cloud["id"]}))
        made.append((dict(answer.attributes), answer.mark))
    yield made, [str(c["uuid"]) for c in clouds]
    for attributes, _ in reversed(made):
        provider.delete("avi_vrfcontext" if "sl-pool" not in attributes["name"] else
                        "avi_pool", attributes)
    for cloud in clouds:
        provider.delete("avi_cloud", cloud)
    provider.delete("avi_tenant", tenant)


def _type(attributes: dict[str, Any]) -> str:
    return "avi_pool" if attributes["uuid"].startswith("pool-") else "avi_vrfcontext"


def _requests(made: list[tuple[dict[str, Any], str | None]]) -> list[ReadRequest]:
    return [ReadRequest(_type(attributes), attributes, key=attributes["uuid"], mark=mark)
            for attributes, mark in made]


def _asked_alone(raw: AviClient, ref: ObjectRef, scope: Scope) -> str | type | None:
    """What one ``?name=`` query answers (a new resolver each time: it never lists)."""
    return _answer(RefResolver(raw), ref, scope)


def _answer(resolver: RefResolver, ref: ObjectRef, scope: Scope) -> str | type | None:
    try:
        return resolver.lookup(ref, scope)
    except AmbiguousReference:
        return AmbiguousReference


def _refs(made: list[tuple[dict[str, Any], str | None]]) -> list[ObjectRef]:
    """A ref by name to every object made, and to a pool and a VRF context never made."""
    return [ObjectRef(_type(a).removeprefix("avi_"), name=a["name"]) for a, _ in made] + [
        ObjectRef("pool", name="sl-absent"), ObjectRef("vrfcontext", name="sl-absent")]


def _refreshed(raw: AviClient, made: list[tuple[dict[str, Any], str | None]],
               ) -> tuple[CountingApi, AviProvider]:
    """A new provider (no listing kept) that has refreshed everything made, unchanged."""
    api = CountingApi(raw)
    provider = AviProvider(api, load_table())  # type: ignore[arg-type]
    result = provider.read_many(_requests(made))
    assert all(r.unchanged for r in result.results.values())
    return api, provider


def test_the_resolver_answers_from_the_refresh_listing_as_name_queries_do(
        raw: AviClient, applied: Any, small_pages: None) -> None:
    made, clouds = applied
    api, provider = _refreshed(raw, made)
    # Both types listed whole (page 1, then the others by number).
    assert {objtype for _, objtype, params in api.listings if params.get("page") == "2"} \
        == {"pool", "vrfcontext"}
    del api.listings[:]
    refs = _refs(made)
    scopes = [IN_TENANT] + [Scope(tenant=Tenant(name=TENANT), cloud_uuid=c) for c in clouds]
    for scope in scopes:
        got = {ref: _answer(provider.resolver, ref, scope) for ref in refs}
        assert got == {ref: _asked_alone(raw, ref, scope) for ref in refs}
    twin = ObjectRef("vrfcontext", name="sl-twin")
    assert got[ObjectRef("pool", name="sl-absent")] is None
    assert _answer(provider.resolver, twin, IN_TENANT) is AmbiguousReference
    assert len({_answer(provider.resolver, twin, s) for s in scopes[1:]}) == 2
    # The one query the resolver made: the tenant's uuid (the key of the refresh's listing).
    assert [(objtype, params.get("name")) for _, objtype, params in api.listings] == [
        ("tenant", TENANT)]


def test_a_tenant_not_found_is_asked_for_once(raw: AviClient) -> None:
    """A tenant planned in the same run does not exist yet: its name is asked for once, not
    once per name looked up in it, and every name in it is absent."""
    api = CountingApi(raw)
    provider = AviProvider(api, load_table())  # type: ignore[arg-type]
    nowhere = Scope(tenant=Tenant(name="sl-nowhere"))
    names = [f"sl-pool-{i}" for i in range(N_POOLS)]
    assert {_answer(provider.resolver, ObjectRef("pool", name=n), nowhere) for n in names} \
        == {None}
    assert [params.get("name") for _, objtype, params in api.listings
            if objtype == "tenant"] == ["sl-nowhere"]


def test_a_second_refresh_reads_its_own_listing_and_sees_an_edit(
        raw: AviClient, applied: Any, small_pages: None) -> None:
    made, _ = applied
    _, provider = _refreshed(raw, made)
    edited = made[3][0]
    body = raw.get_object("pool", edited["uuid"], tenant=Tenant(name=TENANT))
    assert body is not None
    raw.replace_object("pool", edited["uuid"], {**body, "description": "edited by hand"},
                       tenant=Tenant(name=TENANT))
    try:
        again = provider.read_many(_requests(made)).results[edited["uuid"]]
        assert not again.unchanged
        assert again.attributes is not None
        assert again.attributes["description"] == "edited by hand"
    finally:
        raw.replace_object("pool", edited["uuid"], body, tenant=Tenant(name=TENANT))


def _resolve_all(provider: AviProvider, refs: list[ObjectRef],
                 answers: dict[ObjectRef, Any]) -> None:
    answers.update({ref: _answer(provider.resolver, ref, IN_TENANT) for ref in refs})


def test_a_refresh_and_the_resolver_at_once_give_the_answers_of_each_alone(
        raw: AviClient, applied: Any, small_pages: None) -> None:
    """Whichever lists first, and whether the other waits for it: the same answers."""
    made, _ = applied
    refs = _refs(made)
    alone = {k: (r.attributes, r.mark) for k, r in
             AviProvider(raw, load_table()).read_many(_requests(made)).results.items()}
    for _ in range(3):
        provider = AviProvider(raw, load_table())
        answers: dict[ObjectRef, Any] = {}
        resolving = threading.Thread(target=_resolve_all, args=(provider, refs, answers))
        resolving.start()
        result = provider.read_many(_requests(made))
        resolving.join(30)
        assert {k: (r.attributes, r.mark) for k, r in result.results.items()} == alone
        assert answers == {ref: _asked_alone(raw, ref, IN_TENANT) for ref in refs}


def test_a_rename_in_the_run_moves_the_name_in_the_kept_listing(
        raw: AviClient, applied: Any, small_pages: None) -> None:
    """After a refresh kept the pools' listing, an update renaming a pool: its new name
    finds it and its old name no longer does, as one ``?name=`` query each would say."""
    made, _ = applied
    provider = AviProvider(raw, load_table())
    provider.read_many(_requests(made))  # (another test edits a pool: not all unchanged)
    prior = made[5][0]
    old, new = ObjectRef("pool", name=prior["name"]), ObjectRef("pool", name="sl-renamed")
    assert _answer(provider.resolver, old, IN_TENANT) == prior["uuid"]
    assert _answer(provider.resolver, new, IN_TENANT) is None  # from the kept listing
    renamed = provider.update("avi_pool", prior, {**prior, "name": "sl-renamed"})
    try:
        assert renamed.attributes is not None and renamed.attributes["name"] == "sl-renamed"
        assert _answer(provider.resolver, new, IN_TENANT) == prior["uuid"] \
            == _asked_alone(raw, new, IN_TENANT)
        assert _answer(provider.resolver, old, IN_TENANT) is None
        assert _asked_alone(raw, old, IN_TENANT) is None
    finally:
        provider.update("avi_pool", renamed.attributes, prior)
