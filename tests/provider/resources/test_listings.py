"""``CollectionListings`` (``listings.py``): one reader per key, waiters get its listing, a
failed reader's waiters read for themselves, and a listing vouches only for what began
after the time a caller asks from (its rule 3)."""

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

    def __call__(self) -> Iterator[dict[str, Any]]:
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


def test_one_reader_per_key_the_other_waits_for_its_listing() -> None:
    listings = CollectionListings()
    reader = SlowReader()
    since = time.monotonic()
    first, got_first = _in_thread(lambda: listings.read(KEY, since, reader))
    assert reader.started.wait(10)
    second, got_second = _in_thread(lambda: listings.read(KEY, since, reader))
    time.sleep(0.05)
    assert second.is_alive()  # waiting, not reading
    reader.release.set()
    first.join(10)
    second.join(10)
    assert reader.calls == 1
    assert got_first["value"] is got_second["value"]
    assert set(got_first["value"].objects) == {"pool-1", "pool-2"}  # no uuid: not listed
    assert got_first["value"].began >= since


def test_a_failed_reader_lets_a_waiter_read_for_itself() -> None:
    listings = CollectionListings()
    reader = SlowReader(fail_first=True)
    since = time.monotonic()
    first, got_first = _in_thread(lambda: listings.read(KEY, since, reader))
    assert reader.started.wait(10)
    second, got_second = _in_thread(lambda: listings.read(KEY, since, reader))
    time.sleep(0.05)
    reader.release.set()
    first.join(10)
    second.join(10)
    assert isinstance(got_first["error"], RuntimeError)
    assert reader.calls == 2
    assert set(got_second["value"].objects) == {"pool-1", "pool-2"}


def test_a_listing_answers_only_callers_asking_from_before_it_began() -> None:
    listings = CollectionListings()
    assert listings.get(KEY, 0.0) is None
    began = listings.begin(KEY)
    assert began is not None
    assert listings.begin(KEY) is None  # claimed
    listings.put(KEY, OBJECTS, began)
    assert listings.get(KEY, began) is not None
    assert listings.get(KEY, began + 1e-6) is None  # a refresh started after it: not for it
    assert listings.wait(KEY, began + 1e-6) is None  # nothing under way: no wait
    # Another tenant's or type's listing is another key.
    assert listings.get(("pool", Tenant(name="admin")), 0.0) is None
    assert listings.get(("vsvip", Tenant(uuid="admin")), 0.0) is None


def test_wait_waits_only_for_a_reading_that_began_late_enough() -> None:
    listings = CollectionListings()
    began = listings.begin(KEY)
    assert began is not None
    # Under way, but it began before what the caller asks from: no wait, no listing.
    assert listings.wait(KEY, began + 1.0) is None
    waiter, got = _in_thread(lambda: listings.wait(KEY, began))
    time.sleep(0.05)
    assert waiter.is_alive()
    listings.put(KEY, OBJECTS, began)
    waiter.join(10)
    assert got["value"].began == began


def test_an_abandoned_claim_of_an_older_reader_does_not_end_a_newer_one() -> None:
    listings = CollectionListings()
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
    listings = CollectionListings()
    first = [{"uuid": "pool-1"}]
    second = [{"uuid": "pool-2"}]
    puts = [(first, 1.0), (second, 2.0)]
    for objects, began in puts if order == "older first" else reversed(puts):
        listings.put(KEY, objects, began)
    kept = listings.get(KEY, 0.0)
    assert kept is not None and set(kept.objects) == {"pool-2"}
