"""Numbered collection pages (``Store.query(limit=, offset=)``): a page found from the kept
seqs of its listing (``Store._page_start``, no OFFSET walk) is exactly the slice of the whole
listing, however writes, deletes and reads interleave — and a database two stores share,
where seqs can repeat, still pages every object exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from albform.provider.emulator.store import Store, StoredObject

_TENANTS = ("admin", "t1")


def _obj(n: int, tenant: str, rev: int = 0) -> StoredObject:
    return StoredObject(type="pool", uuid=f"pool-{n}", tenant=tenant, name=f"p{n}", cloud=None,
                        body={"uuid": f"pool-{n}", "name": f"p{n}", "rev": rev,
                              "_last_modified": str(rev)})


_OPS = st.lists(st.one_of(
    st.tuples(st.just("put"), st.integers(0, 15), st.sampled_from(_TENANTS), st.integers(0, 3)),
    st.tuples(st.just("delete"), st.integers(0, 15)),
    st.tuples(st.just("page"), st.sampled_from([None, ("admin",), ("t1",), _TENANTS]),
              st.integers(1, 5), st.integers(0, 12), st.booleans()),
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_OPS)
@example([("put", 0, "admin", 0), ("put", 1, "admin", 0), ("put", 2, "admin", 0),
          ("page", None, 2, 1, False), ("delete", 0), ("page", None, 2, 1, False)])  # kept seqs
@example([("put", 0, "t1", 0), ("put", 1, "t1", 0), ("put", 2, "admin", 0),
          ("put", 3, "admin", 0), ("page", ("admin",), 1, 1, True),
          ("page", ("t1",), 1, 1, True)])  # of another listing
def test_every_page_is_the_slice_of_the_whole_listing(ops: list[tuple[Any, ...]]) -> None:
    store = Store()
    try:
        for op in ops:
            if op[0] == "put":
                _, n, tenant, rev = op
                store.put(_obj(n, tenant, rev))
            elif op[0] == "delete":
                store.delete(f"pool-{op[1]}")
            else:
                _, tenants, limit, offset, cut = op
                fields = ["uuid", "_last_modified"] if cut else None
                total, whole = store.query("pool", tenants=tenants, fields=fields)
                count, page = store.query("pool", tenants=tenants, fields=fields,
                                          limit=limit, offset=offset)
                assert count == total == len(whole)
                assert page == whole[offset:offset + limit]
    finally:
        store.close()


def test_a_shared_database_with_repeated_seqs_pages_each_object_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first, second = Store(path), Store(path)  # both start from the same MAX(seq)
    try:
        for n in range(10):
            (first if n % 2 else second).put(_obj(n, "admin"))
        for store in (first, second):
            total, whole = store.query("pool")
            paged = [o for offset in range(0, total, 3)
                     for o in store.query("pool", limit=3, offset=offset)[1]]
            assert sorted(o.uuid for o in paged) == sorted(o.uuid for o in whole)
            assert len(paged) == total == 10
    finally:
        first.close()
        second.close()
