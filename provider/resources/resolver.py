"""Resolving name references to uuids, once per run.

``RefResolver.canonical(value, target_type, scope)`` turns any accepted ref shape
(``refs.parse_ref``) into ``/api/<type>/<uuid>``. Name forms are looked up with a collection
GET (``?name=`` plus ``cloud_ref.name``/``cloud_ref.uuid`` when the ref or its object names a
cloud) and cached per (type, tenant, cloud, name): a plan with 2,000 objects all pointing at
``System-HTTP`` asks the controller once (docs/users-and-peers.md §2: "resolve refs once per run").

A name that does not resolve is *not* an error at plan time: the object (or the tenant it
lives in) may be planned in the same run. The ref is then returned in its name-query form
(``/api/pool?name=web``), which the controller itself resolves at apply and which the next
plan maps to the uuid path. Misses are not cached. Thread-safe: the cache is guarded by a
lock, lookups run outside it.

Many names of one type (a cluster's 20,000 pools, each named by its virtual service): after
``INDEX_AFTER`` names of one (type, tenant) missed the cache, the whole collection is listed
once (``listings.LISTING_FIELDS``, pages of 200) and later names are answered from that
listing by the same rules as a ``?name=`` query (the listing holds exactly what each query
would have returned). The listing is shared with the refresh (``listings``): a young one the
refresh made answers at once, without the per-name queries, and one under way is awaited.
A name absent from a listing younger than ``LISTING_TTL_S`` is absent
(the objects a plan creates are all absent: one query each would cost as much as the creates);
names of objects albform creates or deletes meanwhile are asked for again, and a name someone
else created in those seconds only keeps its name-query form, which the controller resolves.
Once the listing is older, an absent name gets its own query again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from albform.engine.provider import ProviderError
from albform.provider.resources.api import DEFAULT_TENANT, ControllerApi, Tenant
from albform.provider.resources.listings import (
    CollectionListings,
    Listing,
    ListingKey,
    page_by_page,
)
from albform.provider.resources.refs import ObjectRef, looks_like_uuid, parse_ref


@dataclass(frozen=True, slots=True)
class Scope:
    """Where the referring object lives: refs without their own tenant/cloud use these."""

    tenant: Tenant = DEFAULT_TENANT
    cloud_uuid: str | None = None
    # Part of the key of every ref the resolver caches (a cluster's canonicalisation asks
    # hundreds of thousands of times): hashed once, not per lookup.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.tenant, self.cloud_uuid)))

    def __hash__(self) -> int:
        return self._hash


DEFAULT_SCOPE = Scope()


class AmbiguousReference(ProviderError):
    pass


_CacheKey = tuple[str, str | None, str | None, str | None, str]
# (type, name, ref's tenant, ref's cloud, scope's tenant name, tenant uuid, cloud uuid, uuid)
Answer = tuple[str, str | None, str | None, str | None, str | None, str | None, str | None,
               str | None]
# (type, name, ref's tenant, ref's cloud, the referring object's scope)
_GivenKey = tuple[str, str | None, str | None, str | None, "Scope"]
_ASK = object()  # RefResolver._from_index: the index does not decide, ask lookup
# What canonical records for a name answered two ways in one run: never a uuid.
_ANSWERED_TWICE = "\0answered two ways"
_IndexKey = tuple[str, str | None, str | None]  # (objtype, tenant name, tenant uuid)
INDEX_AFTER = 16  # cache misses of one (type, tenant) before its collection is listed once
LISTING_TTL_S = 30.0  # how long a listing says that a name it lacks does not exist


class RefResolver:
    def __init__(self, api: ControllerApi, listings: CollectionListings | None = None) -> None:
        self._api = api
        self._listings = listings or CollectionListings(page_by_page(api))
        self._lock = threading.Lock()
        self._cache: dict[_CacheKey, str] = {}
        # (value, target type, scope) -> canonical path, for refs that resolved: a cluster's
        # configuration repeats the same few refs (cloud, tenant, profiles) tens of thousands
        # of times.
        self._paths: dict[tuple[str, str | None, Scope], str] = {}
        # The answers given for refs by name: the uuid found, or None.
        self._given: dict[_GivenKey, str | None] = {}
        self._misses: dict[_IndexKey, int] = {}
        self._tenant_keys: dict[str, Tenant] = {}  # tenant name -> its listings' tenant
        # name -> the (uuid, cloud_ref) of every object with that name, per (type, tenant)
        self._index: dict[_IndexKey, dict[str, list[dict[str, Any]]]] = {}
        self._indexed_names: dict[tuple[str, str], list[tuple[_IndexKey, str]]] = {}
        self._listed_at: dict[_IndexKey, float] = {}
        # Names a listing must not answer for: their objects were deleted or created since.
        self._ask_again: set[tuple[_IndexKey, str]] = set()
        self._remembered: set[tuple[str, str]] = set()  # (type, name) created or read by us
        # (type, tenant name, tenant uuid, name) -> (uuid, cloud uuid) of those objects
        self._ours: dict[tuple[str, str | None, str | None, str], tuple[str, str | None]] = {}

    def canonical(self, value: str, target_type: str | None, scope: Scope = DEFAULT_SCOPE) -> str:
        """The canonical form of ``value``; unchanged when it is not a reference."""
        key = (value, target_type, scope)
        known = self._paths.get(key)  # one dict read is atomic: writers hold the lock
        if known is not None:
            return known
        ref = parse_ref(value, target_type)
        if ref is None:
            return value
        if ref.uuid is not None:
            path = ref.path()
            with self._lock:
                self._paths[key] = path
            return path
        uuid = self.lookup(ref, scope)
        answer = ref.query_form() if uuid is None else ObjectRef(ref.objtype, uuid=uuid).path()
        with self._lock:
            if uuid is not None:
                self._paths[key] = answer
            # A miss is not remembered (module docstring), but it is an answer given. A name
            # answered two ways in one run (created meanwhile, a listing expired) has no one
            # answer the forms made in this run agree with: recorded as one no later run
            # gives, so that none of them is reused (still_answer).
            given = (ref.objtype, ref.name, ref.tenant, ref.cloud, scope)
            earlier = self._given.get(given, uuid)
            self._given[given] = uuid if earlier == uuid else _ANSWERED_TWICE
        return answer

    # -- the answers given (the no-op memo's basis: AviProvider.canonical_basis) ------------
    def answers(self) -> list[Answer]:
        """Every reference by name ``canonical`` answered so far, found or not, as
        ``(type, name, the ref's tenant, the ref's cloud, the scope's tenant name, tenant
        uuid and cloud uuid, the uuid found or None)``: the controller facts the canonical
        forms made with this resolver depend on (refs by uuid depend on none)."""
        with self._lock:
            given = list(self._given.items())
        return [(objtype, name, tenant, cloud, scope.tenant.name, scope.tenant.uuid,
                 scope.cloud_uuid, uuid) for (objtype, name, tenant, cloud, scope), uuid in given]

    def still_answer(self, answers: Iterable[Answer],
                     scope_of: Callable[[Tenant, str | None], Scope]) -> bool:
        """Whether each of ``answers`` (an earlier ``answers()``, maybe another process's)
        resolves to the same uuid (or to none) now; ``scope_of`` makes the scopes. Each is
        answered as ``lookup`` would: from its cache, or from a kept listing's index when
        that decides (one object of the name, or none in a young listing: ``_from_index``,
        the common case, without a lock per name); any other by ``lookup`` itself. The
        answers count as given by this resolver."""
        indexes: dict[_IndexKey, dict[str, list[dict[str, Any]]]] = {}
        scopes: dict[tuple[str | None, str | None, str | None], Scope] = {}
        given: dict[_GivenKey, str | None] = {}
        for objtype, name, ref_tenant, ref_cloud, tenant_name, tenant_uuid, cloud, uuid \
                in answers:
            scope = scopes.get((tenant_name, tenant_uuid, cloud))
            if scope is None:
                scope = scopes[(tenant_name, tenant_uuid, cloud)] = \
                    scope_of(Tenant(name=tenant_name, uuid=tenant_uuid), cloud)
            found = _ASK if ref_cloud or name is None else \
                self._from_index(objtype, name, ref_tenant, scope, indexes)
            if found is _ASK:
                found = self.lookup(ObjectRef(objtype, name=name, tenant=ref_tenant,
                                              cloud=ref_cloud), scope)
            if found != uuid:
                return False
            given[(objtype, name, ref_tenant, ref_cloud, scope)] = uuid
        with self._lock:
            self._given.update(given)
        return True

    def _from_index(self, objtype: str, name: str, ref_tenant: str | None, scope: Scope,
                    indexes: dict[_IndexKey, dict[str, list[dict[str, Any]]]]) -> object:
        """What ``lookup`` answers for the name ``name`` of ``objtype`` (in ``ref_tenant``,
        from ``scope``; not naming a cloud) when its cache or a kept listing decides it, else
        ``_ASK``. ``indexes``: the (type, tenant) indexes found so far (one lock and one
        look for each, not for each name)."""
        tenant = self._tenant_of(objtype, ref_tenant, scope)
        cached = self._cache.get((objtype, tenant.name, tenant.uuid, scope.cloud_uuid, name))
        if cached is not None:  # lookup's first answer (one dict read is atomic)
            return cached
        key = (objtype, tenant.name, tenant.uuid)
        index = indexes.get(key)
        if index is None:  # none yet: lookup may have listed the collection since
            with self._lock:
                index = self._index.get(key)
            if index is None:
                index = self._kept_index(key, tenant)
            if index is not None:
                indexes[key] = index
        if index is None or (key, name) in self._ask_again or (objtype, name) in self._remembered:
            return _ASK
        found = index.get(name)
        if found is None:
            young = time.monotonic() - self._listed_at.get(key, 0.0) < LISTING_TTL_S
            return None if young else _ASK
        if len(found) != 1:
            return _ASK  # several: lookup's cloud rules decide
        return str(found[0]["uuid"])  # lookup's _answer for one object

    @staticmethod
    def _tenant_of(objtype: str, ref_tenant: str | None, scope: Scope) -> Tenant:
        """The tenant a ref to ``objtype`` naming ``ref_tenant`` (or none) is looked up in."""
        if objtype == "tenant":
            return DEFAULT_TENANT  # tenants are looked up from the login tenant, not inside
        return Tenant(name=ref_tenant) if ref_tenant else scope.tenant

    def lookup(self, ref: ObjectRef, scope: Scope = DEFAULT_SCOPE) -> str | None:
        """The uuid of the object ``ref`` names, or None if none exists (yet)."""
        assert ref.name is not None
        tenant = self._tenant_of(ref.objtype, ref.tenant, scope)
        cloud_uuid = None if ref.cloud else scope.cloud_uuid
        key = (ref.objtype, tenant.name, tenant.uuid, ref.cloud or cloud_uuid, ref.name)
        with self._lock:
            hit = self._cache.get(key)
            if hit is None and not ref.cloud:
                hit = self._made_here(ref.objtype, tenant, ref.name, cloud_uuid)
        if hit is not None:
            return hit
        found = None if ref.cloud else self._indexed(ref.objtype, tenant, ref.name)
        if found == []:
            return None  # absent from a fresh listing (module docstring)
        if found is None:
            params = {"name": ref.name, "fields": "name,uuid,cloud_ref"}
            if ref.cloud:
                params["cloud_ref.name"] = ref.cloud
            try:
                found = self._api.list_objects(ref.objtype, params, tenant=tenant)
            except ProviderError as exc:
                if exc.status in (403, 404) and tenant != DEFAULT_TENANT:
                    # "Tenant 'x' does not exist!": the tenant is planned in this run too.
                    return None
                raise
        uuid = self._answer(ref, tenant, cloud_uuid, found)
        if uuid is not None:
            with self._lock:
                self._cache[key] = uuid
        return uuid

    def _answer(self, ref: ObjectRef, tenant: Tenant, cloud_uuid: str | None,
                found: list[dict[str, Any]]) -> str | None:
        """What the objects a name query returned (``found``) say ``ref`` resolves to."""
        if len(found) > 1 and cloud_uuid:
            found = [o for o in found if str(o.get("cloud_ref", "")).split("#")[0]
                     .rstrip("/").endswith("/" + cloud_uuid)] or found
        if not found:
            # Bare words may be uuids the generator did not make (Slug-forced, "admin").
            return self._lookup_as_uuid(ref, tenant)
        if len(found) > 1:
            raise AmbiguousReference(
                f"reference {ref.query_form()!r} matches {len(found)} objects",
                detail="Name the cloud in the reference (…&cloud=<name>) or refer by uuid.")
        return str(found[0]["uuid"])

    def _indexed(self, objtype: str, tenant: Tenant, name: str) -> list[dict[str, Any]] | None:
        """The objects named ``name`` from the (type, tenant) listing, once enough names have
        missed to make listing the collection cheaper than asking for each, or at once when
        a young listing of it is kept (the refresh's: ``listings``); None: ask."""
        key = (objtype, tenant.name, tenant.uuid)
        with self._lock:
            index = self._index.get(key)
        if index is None:
            index = self._kept_index(key, tenant)
        if index is None:
            with self._lock:
                self._misses[key] = self._misses.get(key, 0) + 1
                if self._misses[key] < INDEX_AFTER:
                    return None
            index = self._list(key, tenant)
        if index is None:
            return None
        if (key, name) in self._ask_again or (objtype, name) in self._remembered:
            return None  # deleted or created since the listing: ask
        found = index.get(name)
        if found is None and time.monotonic() - self._listed_at.get(key, 0.0) < LISTING_TTL_S:
            return []
        return found

    def _listing_key(self, objtype: str, tenant: Tenant) -> ListingKey:
        """The key of ``objtype``'s listing in ``tenant``: a named tenant by its uuid, as the
        refresh names it (``listings`` rule 1); by its name when that is not known."""
        if tenant.uuid is not None or tenant.name is None:
            return objtype, tenant
        keyed = self._tenant_keys.get(tenant.name)
        if keyed is None:
            # Asked once per tenant name, found or not (a tenant planned in this run is not
            # found: its listings are then keyed by name, merely not shared).
            try:
                uuid = self.lookup(ObjectRef("tenant", name=tenant.name))
            except ProviderError:
                uuid = None
            keyed = self._tenant_keys[tenant.name] = Tenant(uuid=uuid) if uuid else tenant
        return objtype, keyed

    def _kept_index(self, key: _IndexKey, tenant: Tenant,
                    ) -> dict[str, list[dict[str, Any]]] | None:
        """The name index of a listing younger than ``LISTING_TTL_S`` that is kept already;
        None when there is none (no query)."""
        listing = self._listings.fresh(self._listing_key(key[0], tenant),
                                       time.monotonic() - LISTING_TTL_S)
        return None if listing is None else self._install(key, listing)

    def _list(self, key: _IndexKey, tenant: Tenant) -> dict[str, list[dict[str, Any]]] | None:
        """The name index of the (type, tenant) collection, listed now unless a young listing
        is kept or under way (then that one); None when it cannot be listed."""
        group = self._listing_key(key[0], tenant)
        try:
            listing = self._listings.read(group, time.monotonic() - LISTING_TTL_S)
        except ProviderError:
            with self._lock:
                self._misses[key] = -10 * INDEX_AFTER  # the per-name path reports it
            return None
        return self._install(key, listing)

    def _install(self, key: _IndexKey, listing: Listing) -> dict[str, list[dict[str, Any]]]:
        """The name index of ``listing``, kept for ``key`` (the one kept already, if any)."""
        index: dict[str, list[dict[str, Any]]] = {}
        for obj in listing.objects.values():
            if isinstance(obj.get("name"), str):
                index.setdefault(obj["name"], []).append(obj)
        with self._lock:
            if key in self._index:
                return self._index[key]
            self._listed_at[key] = listing.began
            for name, objs in index.items():
                for obj in objs:
                    self._indexed_names.setdefault((key[0], str(obj["uuid"])), []) \
                        .append((key, name))
            self._index[key] = index
        return index

    def _lookup_as_uuid(self, ref: ObjectRef, tenant: Tenant) -> str | None:
        assert ref.name is not None
        if "/" in ref.name or " " in ref.name or looks_like_uuid(ref.name):
            return None
        obj = self._api.get_object(ref.objtype, ref.name, tenant=tenant)
        return str(obj["uuid"]) if obj and obj.get("uuid") else None

    def forget(self, objtype: str, uuid: str) -> None:
        """Drop cache entries pointing at a deleted object (a new one may take its name)."""
        with self._lock:
            self._paths.clear()
            for key in [k for k, v in self._cache.items() if k[0] == objtype and v == uuid]:
                del self._cache[key]
            for made in [k for k, v in self._ours.items() if k[0] == objtype and v[0] == uuid]:
                del self._ours[made]
            for index_key, name in self._indexed_names.pop((objtype, uuid), []):
                # Asked for again: a new object may take the name.
                self._index[index_key].pop(name, None)
                self._ask_again.add((index_key, name))

    def remember(self, objtype: str, name: str, uuid: str, tenant: Tenant,
                 cloud_uuid: str | None = None) -> None:
        """Prime the cache with an object albform just created or read (in the cloud
        ``cloud_uuid``, None for types that have none). A listing made before it existed must
        not call its name absent: asked for again."""
        with self._lock:
            self._cache[(objtype, tenant.name, tenant.uuid, None, name)] = uuid
            self._ours[(objtype, tenant.name, tenant.uuid, name)] = (uuid, cloud_uuid)
            # Also a listing still in flight: kept per type, not per listing.
            self._remembered.add((objtype, name))

    def _made_here(self, objtype: str, tenant: Tenant, name: str,
                   cloud_uuid: str | None) -> str | None:
        """The object of that name albform created or read in this run, when it can be the
        one meant from ``cloud_uuid``'s scope: in that cloud, or of a type without clouds (a
        virtual service's ``l4_policy_set_ref``). An apply refers by name to objects it has
        just created (a cloud's pool group to its pools): they need no query. Call under
        the lock."""
        ours = self._ours.get((objtype, tenant.name, tenant.uuid, name))
        if ours is None or (ours[1] is not None and cloud_uuid is not None
                            and ours[1] != cloud_uuid):
            return None
        return ours[0]


__all__ = ["DEFAULT_SCOPE", "DEFAULT_TENANT", "AmbiguousReference", "RefResolver", "Scope"]
