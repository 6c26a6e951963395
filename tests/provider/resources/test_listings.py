"""``CollectionListings`` (``listings.py``): one reader per key, waiters get its listing, a
failed reader's waiters read for themselves; the resolver takes a listing begun since the
time it asks from, a refresh one still being read when it began (its rule 3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from albform.provider.resources.api import Tenant
from albform.provider.resources.listings import CollectionListings

KEY = ("pool", Tenant(uuid="admin"))
OBJECTS = [{"uuid": "pool-1", "name": "a"}, {"uuid": "pool-2", "name": "b"}, {"name": "no-uuid"}]


class SlowReader:
    """A reader that holds its listing until released, counting its calls."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()
        self._fail_first = fail_first

    def __call__(self, key: Any) -> Iterator[dict[str, Any]]:
        assert key == KEY
        self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        if self._fail_first and self.calls == 1:
            raise RuntimeError("controller gone")
        return iter(OBJECTS)


def _in_thread(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = target()
        except Exception as exc:
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _two_readers(reader: SlowReader) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """Two threads wanting the listing at once, the second while the first reads it (and
    waiting for it, not reading); what each got once the reader is released."""
    listings = CollectionListings(reader)
    since = time.monotonic()
    first, got_first = _in_thread(lambda: listings.read(KEY, since))
    assert reader.started.wait(10)
    second, got_second = _in_thread(lambda: listings.read(KEY, since))
    time.sleep(0.05)
    assert second.is_alive()
    reader.release.set()
    first.join(10)
    second.join(10)
    return since, got_first, got_second


def test_one_reader_per_key_the_other_waits_for_its_listing() -> None:
    reader = SlowReader()
    since, got_first, got_second = _two_readers(reader)
    assert reader.calls == 1
    assert got_first["value"] is got_second["value"]
    assert set(got_first["value"].objects) == {"pool-1", "pool-2"}  # no uuid: not listed
    assert got_first["value"].began >= since


def test_a_failed_reader_lets_a_waiter_read_for_itself() -> None:
    reader = SlowReader(fail_first=True)
    _, got_first, got_second = _two_readers(reader)
    assert isinstance(got_first["error"], RuntimeError)
    assert reader.calls == 2
    assert set(got_second["value"].objects) == {"pool-1", "pool-2"}


def _unread(key: Any) -> Iterator[dict[str, Any]]:
    raise AssertionError("not read here")


def test_the_resolver_takes_a_listing_begun_since_the_refresh_one_still_read_since() -> None:
    listings = CollectionListings(_unread)
    assert listings.fresh(KEY, 0.0) is None
    assert listings.current(KEY, 0.0) is None
    began = listings.begin(KEY)
    assert began is not None
    assert listings.begin(KEY) is None  # claimed
    refresh_began = time.monotonic()  # while it is read: a refresh running alongside
    listings.put(KEY, OBJECTS, began)
    after = time.monotonic()
    assert listings.fresh(KEY, began) is not None
    assert listings.fresh(KEY, refresh_began) is None  # began before: too old for a resolver
    assert listings.current(KEY, refresh_began) is not None  # still being read then
    assert listings.current(KEY, after + 1e-6) is None  # finished before: not for a refresh
    # Another tenant's or type's listing is another key.
    assert listings.fresh(("pool", Tenant(name="admin")), 0.0) is None
    assert listings.current(("vsvip", Tenant(uuid="admin")), 0.0) is None


def test_a_refresh_waits_for_a_listing_under_way() -> None:
    listings = CollectionListings(_unread)
    began = listings.begin(KEY)
    assert began is not None
    waiter, got = _in_thread(lambda: listings.current(KEY, time.monotonic()))
    time.sleep(0.05)
    assert waiter.is_alive()
    listings.put(KEY, OBJECTS, began)
    waiter.join(10)
    assert got["value"].began == began


def test_an_abandoned_claim_of_an_older_reader_does_not_end_a_newer_one() -> None:
    listings = CollectionListings(_unread)
    old = listings.begin(KEY)
    assert old is not None
    listings.abandon(KEY, old)
    new = listings.begin(KEY)
    assert new is not None
    listings.abandon(KEY, old)  # late: the newer claim stands
    assert listings.begin(KEY) is None
    listings.abandon(KEY, new)
    assert listings.begin(KEY) is not None


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_the_newest_listing_is_kept(order: str) -> None:
    listings = CollectionListings(_unread)
    first = [{"uuid": "pool-1"}]
    second = [{"uuid": "pool-2"}]
    puts = [(first, 1.0), (second, 2.0)]
    for objects, began in puts if order == "older first" else reversed(puts):
        listings.put(KEY, objects, began)
    kept = listings.fresh(KEY, 0.0)
    assert kept is not None and set(kept.objects) == {"pool-2"}


def test_forget_keeps_no_listing_begun_before_it() -> None:
    reader = SlowReader()
    listings = CollectionListings(reader)
    reader.release.set()
    kept = listings.read(KEY, time.monotonic())
    assert listings.fresh(KEY, kept.began) is kept
    in_flight = listings.begin(KEY)  # a reader under way when it is forgotten
    assert in_flight is not None
    listings.forget()
    assert listings.fresh(KEY, float("-inf")) is None
    late = listings.put(KEY, OBJECTS, in_flight)
    assert set(late.objects) == {"pool-1", "pool-2"}  # its reader has it...
    assert listings.fresh(KEY, float("-inf")) is None  # ...nobody else does
    assert listings.current(KEY, float("-inf")) is None
    again = listings.read(KEY, float("-inf"))  # read anew, and kept
    assert reader.calls == 2 and listings.fresh(KEY, float("-inf")) is again
