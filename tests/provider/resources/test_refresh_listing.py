"""Refresh by listing whole collections (``bulk.BulkReader._fetch_all``): the same answers as
``uuid.in`` batches, drift included, also when the collection changes between its pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from albform.engine.provider import ReadRequest
from albform.provider.client import AviClient
from albform.provider.resources import bulk
from albform.provider.resources.provider import AviProvider

PAGE = 25


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages and batches of 25, listing from 20 objects: a few dozen pools exercise it."""
    monkeypatch.setattr(bulk, "BATCH", PAGE)
    monkeypatch.setattr(bulk, "LISTING_AT", 20)


@pytest.fixture
def pools(provider: AviProvider) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Five pools made first (not in the state: another admin's), then 60 of ours."""
    def make(name: str) -> dict[str, Any]:
        return dict(provider.create("avi_pool", provider.canonicalize(
            "avi_pool", {"name": name, "description": "managed"})).attributes)

    foreign = [make(f"foreign-{i}") for i in range(5)]
    ours = [make(f"listed-{i}") for i in range(60)]
    yield foreign, ours
    for attrs in foreign + ours:
        provider.delete("avi_pool", attrs)


def read(provider: AviProvider, states: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    result = provider.read_many([ReadRequest("avi_pool", a, key=a["uuid"]) for a in states])
    return {k: r.attributes for k, r in result.results.items()}, result.api_calls


def by_uuid_batches(provider: AviProvider, states: list[dict[str, Any]],
                    monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    with monkeypatch.context() as m:
        m.setattr(bulk, "LISTING_AT", 10**9)
        return read(provider, states)[0]


def test_listing_reads_what_uuid_batches_read_drift_included(
        provider: AviProvider, raw: AviClient, pools: Any, small_pages: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, ours = pools
    edited, deleted = ours[7], ours[50]
    body = raw.get_object("pool", edited["uuid"])
    raw.replace_object("pool", edited["uuid"], {**body, "description": "edited by hand"})
    raw.delete_object("pool", deleted["uuid"])
    got, calls = read(provider, ours)
    # 64 pools left: pages 1-3 of 25, then one uuid.in query for the one no page had.
    assert calls == 3 + 1
    assert got == by_uuid_batches(provider, ours, monkeypatch)
    assert got[deleted["uuid"]] is None
    assert got[edited["uuid"]]["description"] == "edited by hand"
    assert sum(1 for a in got.values() if a is None) == 1


def test_a_group_that_is_not_most_of_its_collection_is_read_by_uuid(
        provider: AviProvider, pools: Any, small_pages: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, ours = pools
    few = ours[:30]  # 30 of 65: the first page, then two uuid.in batches for the rest
    got, calls = read(provider, few)
    assert calls == 1 + 1
    assert got == by_uuid_batches(provider, few, monkeypatch)
    assert None not in got.values()


def test_an_object_deleted_between_pages_shifts_none_of_ours_out_of_sight(
        provider: AviProvider, raw: AviClient, pools: Any, small_pages: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    foreign, ours = pools
    list_page = AviClient.list_page

    def deleting_after_the_first(self: AviClient, objtype: str, params: Any,
                                 **kw: Any) -> Any:
        answer = list_page(self, objtype, params, **kw)
        if params.get("page") == "1" and foreign:
            # Another admin deletes a pool of page 1: every later page shifts by one, so
            # the first pool of page 2 is now on page 1, already read.
            raw.delete_object("pool", foreign.pop()["uuid"])
        return answer

    monkeypatch.setattr(AviClient, "list_page", deleting_after_the_first)
    got, calls = read(provider, ours)
    assert None not in got.values()
    assert calls == 3 + 1  # the shifted pool is asked for by uuid
