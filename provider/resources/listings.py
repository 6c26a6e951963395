"""Whole collection listings, read once and shared by the refresh and the reference resolver.

A cluster's no-op plan needs two things of each big collection (20,000 pools): the refresh the
``_last_modified`` of every managed object (``bulk``), the resolver the name, uuid and cloud of
every object (``resolver``: many names of one type are answered from one listing). Each walked
the whole collection in pages of its own, at the same time. A listing asked for
``LISTING_FIELDS`` (what both read) serves both. The rules:

1. A listing is of one (API type, tenant) key. The refresh names a tenant as its state does
   (by uuid); the resolver maps a tenant name to its uuid first, so both meet on one key.
2. One reader per key at a time: a thread that wants a listing another thread is reading waits
   for it (``wait``) rather than walking the same pages; a reader that fails gives up its
   claim (``abandon``) and the waiters read for themselves.
3. A listing is kept with the monotonic times its reading began and ended. Each reader
   judges by them whether it may use it: the resolver by its age (``LISTING_TTL_S`` since
   it began), a refresh only when it was still being read when the refresh began, or began
   later — one made alongside it (the plan's resolver starts with the refresh), never one
   finished before it, so a second refresh in the same process never reads the first one's
   listing and misses an edit made in between.
4. A listing may lack objects created while its pages were read, and hold objects deleted
   meanwhile: the refresh asks again by uuid for every object it wants that a listing lacks
   (``bulk``); the resolver asks again for names albform created or deleted itself
   (``remember``/``forget``) and takes a name's absence as absence only while the listing is
   young.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from albform.provider.resources.api import ControllerApi, Tenant

# The union of what the refresh's stamp check (uuid, _last_modified) and the resolver's name
# index (name, uuid, cloud_ref) read of each object.
LISTING_FIELDS = "name,uuid,cloud_ref,_last_modified"

ListingKey = tuple[str, Tenant]  # (API type, tenant)


class Listing(NamedTuple):
    """Every object of a collection (as listed with ``LISTING_FIELDS``) by uuid, and the
    monotonic times its reading began and ended (rule 3)."""

    objects: Mapping[str, dict[str, Any]]
    began: float
    ended: float


Reader = Callable[[ListingKey], Iterable[dict[str, Any]]]


def page_by_page(api: ControllerApi) -> Reader:
    """A reader following a collection's pages one after the other (a resolver without a
    refresh to share with; the provider's reads the pages at once)."""
    return lambda key: api.list_objects(key[0], {"fields": LISTING_FIELDS, "page_size": "200"},
                                        tenant=key[1])


class CollectionListings:
    """The listings of one controller connection (module docstring). Thread-safe.
    ``reader`` lists a whole collection with ``LISTING_FIELDS`` (the refresh's paged
    reader, ``bulk.BulkReader.list_whole``)."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._changed = threading.Condition()
        self._done: dict[ListingKey, Listing] = {}
        self._reading: dict[ListingKey, float] = {}  # key -> when its reader began
        self._floor = float("-inf")  # listings begun before this are not kept (``forget``)

    def forget(self) -> None:
        """Keep no listing begun before now: neither those kept nor those still being read
        (their readers get their own listing, nobody else does). For a caller that learns
        the controller may have been written since (another run held the state lock)."""
        with self._changed:
            self._floor = time.monotonic()
            self._done.clear()

    def begin(self, key: ListingKey) -> float | None:
        """Claim the reading of ``key`` (rule 2): the time it begins, or None when another
        thread is reading it. A claim ends with ``put`` or ``abandon``."""
        with self._changed:
            if key in self._reading:
                return None
            began = self._reading[key] = time.monotonic()
            return began

    def put(self, key: ListingKey, objects: Iterable[dict[str, Any]], began: float,
            ) -> Listing:
        """The listing of ``key`` whose reading began at ``began``, ended now; ends the
        claim. Returns it, kept or not (``forget``)."""
        by_uuid = {str(o["uuid"]): o for o in objects if o.get("uuid")}
        with self._changed:
            listing = Listing(by_uuid, began, time.monotonic())
            kept = self._done.get(key)
            if began >= self._floor and (kept is None or kept.began <= began):
                self._done[key] = listing
            if self._reading.get(key) == began:
                del self._reading[key]
            self._changed.notify_all()
        return listing

    def abandon(self, key: ListingKey, began: float) -> None:
        """End the claim that began at ``began`` without a listing (the reader failed or
        did not list after all)."""
        with self._changed:
            if self._reading.get(key) == began:
                del self._reading[key]
            self._changed.notify_all()

    def fresh(self, key: ListingKey, since: float) -> Listing | None:
        """The listing of ``key`` if its reading began at or after ``since``; no wait (the
        resolver's test of a listing's age)."""
        with self._changed:
            listing = self._done.get(key)
        return listing if listing is not None and listing.began >= since else None

    def current(self, key: ListingKey, since: float) -> Listing | None:
        """The listing of ``key`` if it was still being read at ``since`` or began later,
        after waiting for a reading under way (the refresh's test, rule 3: ``since`` is when
        the refresh began)."""
        with self._changed:
            while key in self._reading:
                self._changed.wait()
            listing = self._done.get(key)
        return listing if listing is not None and listing.ended >= since else None

    def read(self, key: ListingKey, since: float) -> Listing:
        """A listing of ``key`` that began at or after ``since``: kept, awaited, or read now
        with the reader."""
        with self._changed:
            while True:
                listing = self._done.get(key)
                if listing is not None and listing.began >= since:
                    return listing
                if key not in self._reading:
                    began = self._reading[key] = time.monotonic()
                    break
                self._changed.wait()  # another reader's listing may do: wait for it
        try:
            objects = list(self._reader(key))
        except BaseException:
            self.abandon(key, began)
            raise
        return self.put(key, objects, began)


__all__ = ["LISTING_FIELDS", "CollectionListings", "Listing", "ListingKey", "Reader",
           "page_by_page"]
