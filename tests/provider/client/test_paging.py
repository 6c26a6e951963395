"""Collection queries: filters, chunked ``.in`` lists, ``next`` links rebased."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.provider.client import CollectionQuery
from albform.provider.client.paging import IN_FILTER_CHUNK, rebase_next


def test_query_params_carry_the_options():
    (params,) = CollectionQuery(fields=("name", "uuid"), skip_default=True, include_name=True,
                                filters={"cloud_ref.uuid": "cloud-1"},
                                page_size=50).query_params()
    assert params == {"fields": "name,uuid", "skip_default": "true", "include_name": "true",
                      "cloud_ref.uuid": "cloud-1", "page_size": "50"}


@given(st.lists(st.text(alphabet="abcdef-0123456789", min_size=1, max_size=12), max_size=450))
def test_uuid_in_lists_are_chunked_without_loss(uuids):
    chunks = list(CollectionQuery(uuids=uuids).query_params())
    got = [u for c in chunks if "uuid.in" in c for u in c["uuid.in"].split(",")]
    assert got == list(dict.fromkeys(uuids))
    assert all(len(c.get("uuid.in", "").split(",")) <= IN_FILTER_CHUNK for c in chunks)
    assert len(chunks) == max(1, -(-len(set(uuids)) // IN_FILTER_CHUNK))


def test_bad_queries_are_refused():
    with pytest.raises(ValueError, match="page_size"):
        CollectionQuery(page_size=500)
    with pytest.raises(ValueError, match="not both"):
        CollectionQuery(names=("a",), uuids=("b",))


def test_next_links_go_to_our_controller():
    url, params = rebase_next("https://10.10.28.71/api/healthmonitor/?tenant=admin&page_size=3"
                              "&page=2", "http://127.0.0.1:5000")
    assert url == "http://127.0.0.1:5000/api/healthmonitor/"
    assert params == {"tenant": "admin", "page_size": "3", "page": "2"}
