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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from albform.engine.provider import ProviderError
from albform.provider.resources.api import DEFAULT_TENANT, ControllerApi, Tenant
from albform.provider.resources.refs import ObjectRef, looks_like_uuid, parse_ref


@dataclass(frozen=True, slots=True)
class Scope:
    """Where the referring object lives: refs without their own tenant/cloud use these."""

    tenant: Tenant = DEFAULT_TENANT
    cloud_uuid: str | None = None


DEFAULT_SCOPE = Scope()


class AmbiguousReference(ProviderError):
    pass


_CacheKey = tuple[str, str | None, str | None, str | None, str]


class RefResolver:
    def __init__(self, api: ControllerApi) -> None:
        self._api = api
        self._lock = threading.Lock()
        self._cache: dict[_CacheKey, str] = {}

    def canonical(self, value: str, target_type: str | None, scope: Scope = DEFAULT_SCOPE) -> str:
        """The canonical form of ``value``; unchanged when it is not a reference."""
        ref = parse_ref(value, target_type)
        if ref is None:
            return value
        if ref.uuid is not None:
            return ref.path()
        uuid = self.lookup(ref, scope)
        return ref.query_form() if uuid is None else ObjectRef(ref.objtype, uuid=uuid).path()

    def lookup(self, ref: ObjectRef, scope: Scope = DEFAULT_SCOPE) -> str | None:
        """The uuid of the object ``ref`` names, or None if none exists (yet)."""
        assert ref.name is not None
        tenant = Tenant(name=ref.tenant) if ref.tenant else scope.tenant
        if ref.objtype == "tenant":
            tenant = DEFAULT_TENANT  # tenants are looked up from the login tenant, not inside
        cloud_uuid = None if ref.cloud else scope.cloud_uuid
        key = (ref.objtype, tenant.name, tenant.uuid, ref.cloud or cloud_uuid, ref.name)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
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
        uuid = str(found[0]["uuid"])
        with self._lock:
            self._cache[key] = uuid
        return uuid

    def _lookup_as_uuid(self, ref: ObjectRef, tenant: Tenant) -> str | None:
        assert ref.name is not None
        if "/" in ref.name or " " in ref.name or looks_like_uuid(ref.name):
            return None
        obj = self._api.get_object(ref.objtype, ref.name, tenant=tenant)
        return str(obj["uuid"]) if obj and obj.get("uuid") else None

    def forget(self, objtype: str, uuid: str) -> None:
        """Drop cache entries pointing at a deleted object (a new one may take its name)."""
        with self._lock:
            for key in [k for k, v in self._cache.items() if k[0] == objtype and v == uuid]:
                del self._cache[key]

    def remember(self, objtype: str, name: str, uuid: str, tenant: Tenant) -> None:
        """Prime the cache with an object albform just created or read."""
        with self._lock:
            self._cache[(objtype, tenant.name, tenant.uuid, None, name)] = uuid


__all__ = ["DEFAULT_SCOPE", "DEFAULT_TENANT", "AmbiguousReference", "RefResolver", "Scope"]
