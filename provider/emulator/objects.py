"""The object layer: create, read, replace, patch and delete with the controller's rules.

:class:`Controller` owns a :class:`~albform.provider.emulator.store.Store` and applies, per
write: ref resolution (every ``*_ref``/``*_refs`` at any depth must resolve in the tenant's
scope → else 400 ``<Model> object not found``), tenant/cloud/default refs, scalar defaults and
derived values, version gating, name uniqueness (409 with the recorded text), IPAM, and the
reference graph. Deletes are refused atomically while referenced (403, 400 for clouds) and for
system default objects. Every multi-step change runs in one store transaction.

Bodies are kept canonical (refs relative, no ``url``); :mod:`.render` makes them absolute.
"""

from __future__ import annotations

import copy
import json
import time
import uuid as uuidlib
from collections.abc import Sequence
from typing import Any

from albform.provider.emulator import (
    catalog,
    certinfo,
    defaults,
    gslb,
    inline_vip,
    ipam,
    refs,
    runtime,
    sensitive,
    validation,
    versions,
)
from albform.provider.emulator.context import ADMIN_TENANT, RequestContext
from albform.provider.emulator.errors import ApiError, error, not_found
from albform.provider.emulator.store import Store, StoredObject
from albform.provider.schema.defaults import copied

Json = dict[str, Any]

# Per-cloud objects the controller creates with every cloud (docs/avi-api.md §5.1).
PER_CLOUD_BUILTINS: tuple[tuple[str, str, Json], ...] = (
    ("vrfcontext", "global", {"system_default": True}),
    ("vrfcontext", "management", {"system_default": True}),
    ("serviceenginegroup", "Default-Group", {}),
)


def next_stamp(current: Json | None) -> str:
    """The ``_last_modified`` of a write: now in microseconds, and always later than the one
    the object had (a clock step back, or two writes in one microsecond, must still change
    it: clients take an unchanged ``_last_modified`` to mean an unchanged object)."""
    now = time.time_ns() // 1000
    before = current.get("_last_modified") if current is not None else None
    if isinstance(before, str) and before.isdigit():
        now = max(now, int(before) + 1)
    return str(now)


class Controller:
    """Controller semantics over a store. Thread-safe: the store serialises all work."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- scope -----------------------------------------------------------------------------

    def tenant_uuid(self, *, name: str | None = None, uuid: str | None = None) -> str:
        """Resolve ``X-Avi-Tenant`` / ``X-Avi-Tenant-UUID``; unknown → 403 as recorded by AKO."""
        if uuid:
            obj = self.store.get(uuid)
            if obj is None or obj.type != "tenant":
                raise error(403, f"Tenant '{uuid}' does not exist!")
            return obj.uuid
        if not name or name == ADMIN_TENANT:
            return ADMIN_TENANT
        if name in ("*", "/*"):
            return "*"
        found = self.store.by_name("tenant", name, fields=())
        if not found:
            raise error(403, f"Tenant '{name}' does not exist!")
        return found[0].uuid

    def visible_tenants(self, ctx: RequestContext, obj_type: str) -> list[str] | None:
        """Tenants whose objects of this type the context sees; None = all."""
        if ctx.all_tenants or obj_type in catalog.GLOBAL_TYPES:
            return None
        if ctx.tenant != ADMIN_TENANT and obj_type in catalog.SHARED_TYPES:
            return [ctx.tenant, ADMIN_TENANT]
        return [ctx.tenant]

    def is_visible(self, ctx: RequestContext, obj: StoredObject) -> bool:
        return self._visible(ctx, obj.type, obj.tenant)

    def _visible(self, ctx: RequestContext, obj_type: str, tenant: str) -> bool:
        tenants = self.visible_tenants(ctx, obj_type)
        return tenants is None or tenant in tenants

    def get(self, ctx: RequestContext, obj_type: str, uuid: str,
            fields: Sequence[str] | None = None) -> StoredObject:
        """The object, visible from ``ctx``; with ``fields``, its body holds those alone."""
        obj = self.store.get(uuid) if fields is None else self.store.get_fields(uuid, fields)
        if obj is None or obj.type != obj_type or not self.is_visible(ctx, obj):
            raise not_found(catalog.model_name(obj_type))
        return obj

    def singleton(self, obj_type: str) -> StoredObject:
        found = self.store.query(obj_type, limit=1)[1]
        if not found:
            raise not_found(catalog.model_name(obj_type))
        return found[0]

    def find(
        self, ctx: RequestContext, obj_type: str, name: str, *, cloud: str | None = None
    ) -> StoredObject | None:
        """Lookup by name in scope; the context's own tenant wins over shared admin objects.
        The object found carries no body: every caller needs only where it is (its uuid,
        tenant, cloud), and a create looks up its defaults this way — the Default-Cloud, the
        ``global`` VRF, whose body may hold a cluster's thousands of static routes."""
        tenants = self.visible_tenants(ctx, obj_type)
        matches = [
            o for o in self.store.by_name(obj_type, name, fields=())
            if (tenants is None or o.tenant in tenants) and (cloud is None or o.cloud == cloud)
        ]
        matches.sort(key=lambda o: o.tenant != ctx.tenant)
        return matches[0] if matches else None

    # -- writes ----------------------------------------------------------------------------

    def create(
        self, ctx: RequestContext, obj_type: str, body: Json, *, slug: str | None = None,
        system: bool = False,
    ) -> StoredObject:
        if ctx.all_tenants:
            raise error(403, "Create is not allowed in the all-tenants view")
        with self.store.transaction():
            uuid = slug or f"{obj_type}-{uuidlib.uuid4()}"
            if self.store.locate(uuid) is not None:
                raise error(409, f"{catalog.verbose_name(obj_type)} with this Uuid already exists.")
            if obj_type == "virtualservice" and isinstance(body, dict):
                body = dict(body)
                inline_vip.extract(self, ctx, body, None)
            obj = self._prepare(ctx, obj_type, uuid, body, system=system)
            self._commit(obj)
            if obj_type == "cloud":
                for child_type, child_name, extra in PER_CLOUD_BUILTINS:
                    child_ctx = RequestContext(ctx.base, obj.tenant, ctx.version)
                    child = {"name": child_name, "cloud_ref": refs.canonical("cloud", uuid),
                             **extra}
                    self.create(child_ctx, child_type, child, system=True)
            return obj

    def replace(
        self, ctx: RequestContext, obj_type: str, uuid: str, body: Json, *, gate: bool = True
    ) -> StoredObject:
        with self.store.transaction():
            current = self.get(ctx, obj_type, uuid)
            if self._is_shared_from_admin(ctx, current):
                # Editing an admin-shared profile from a tenant clones it into the tenant under
                # the same name; the tenant then sees its copy (deleting it re-exposes admin's).
                clone = {k: v for k, v in body.items() if k != "tenant_ref"}
                clone.setdefault("name", current.name)
                return self.create(ctx, obj_type, clone)
            self._check_writable(ctx, current)
            if obj_type == "virtualservice" and isinstance(body, dict):
                body = dict(body)
                inline_vip.extract(self, ctx, body, current)
            obj = self._prepare(ctx, obj_type, uuid, body, system=current.system, current=current,
                                gate=gate)
            if current.system and obj.name != current.name:
                raise error(403, "Cannot rename system default object")
            self._commit(obj)
            return obj

    def patch(self, ctx: RequestContext, obj_type: str, uuid: str, ops: Json) -> StoredObject:
        with self.store.transaction():
            current = self.get(ctx, obj_type, uuid)
            # Gate only what the client sent; the stored remainder is the server's own.
            for changes in (ops.values() if isinstance(ops, dict) else ()):
                versions.check_fields(obj_type, changes, ctx.version)
            merged = apply_patch(current.body, ops)
            return self.replace(ctx, obj_type, uuid, merged, gate=False)

    def delete(self, ctx: RequestContext, obj_type: str, uuid: str) -> None:
        if obj_type in catalog.SINGLETONS:
            raise ApiError(405, {"detail": "Method 'DELETE' not allowed."})
        with self.store.transaction():
            target = self.get(ctx, obj_type, uuid)
            self._check_writable(ctx, target)
            if target.system:
                raise error(403, "Cannot delete system default object")
            cascade = self._cascade(target)
            doomed = {target.uuid, *(c.uuid for c in cascade)}
            blockers = [
                r for d in doomed for r in self.store.referrers(d) if r.uuid not in doomed
            ]
            if blockers:
                names = sorted({f"{catalog.model_name(r.type)} {r.name}" for r in blockers})
                status = 400 if obj_type == "cloud" else 403
                raise error(status, f"Cannot delete, object is referred by: {names}",
                            obj_name=target.name)
            for victim in [*cascade, target]:
                self.store.release(victim.uuid)
                self.store.delete(victim.uuid)
            if target.type == "virtualservice":
                inline_vip.release(self, target)

    def _cascade(self, target: StoredObject) -> list[StoredObject]:
        """A cloud takes its per-cloud system objects with it."""
        if target.type != "cloud":
            return []
        return [r for r in self.store.referrers(target.uuid) if r.system and r.cloud == target.uuid]

    def _body_of(self, ref: str) -> Json | None:
        found = self.store.get(refs.split_canonical(ref)[1])
        return found.body if found is not None else None

    def _is_shared_from_admin(self, ctx: RequestContext, obj: StoredObject) -> bool:
        return (not ctx.all_tenants and ctx.tenant != ADMIN_TENANT
                and obj.tenant == ADMIN_TENANT and obj.type in catalog.SHARED_TYPES)

    def _check_writable(self, ctx: RequestContext, obj: StoredObject) -> None:
        if ctx.all_tenants or obj.type in catalog.GLOBAL_TYPES or obj.tenant == ctx.tenant:
            return
        raise error(403, f"Shared {catalog.model_name(obj.type)} '{obj.name}' of tenant admin "
                         "cannot be deleted from this tenant")

    def _commit(self, obj: StoredObject) -> None:
        self.store.put(obj)
        targets = [refs.split_canonical(v)[1] for _, _, v in refs.walk(obj.body)]
        self.store.set_refs(obj.uuid, targets)

    # -- the write pipeline ----------------------------------------------------------------

    def _prepare(
        self, ctx: RequestContext, obj_type: str, uuid: str, raw: Json, *, system: bool,
        current: StoredObject | None = None, gate: bool = True,
    ) -> StoredObject:
        if not isinstance(raw, dict):
            raise error(400, "Request body must be a JSON object")
        if gate:
            versions.check_fields(obj_type, raw, ctx.version)
        owned = defaults.READ_ONLY_BY_TYPE.get(obj_type, frozenset())
        body = {k: copied(v) for k, v in raw.items()
                if k not in defaults.READ_ONLY and k not in owned and k != "uuid"
                and defaults.accepts(obj_type, k)}
        singleton = obj_type in catalog.SINGLETONS
        if not singleton and not isinstance(body.get("name"), str):
            raise error(400, json.dumps({"name": "This field is required."}))
        if current is not None:
            # Sensitive values are never read back, so a full replace that omits them keeps them.
            sensitive.keep_unchanged(obj_type, body, current.body)
        tenant = self._resolve_all(ctx, obj_type, body)
        if obj_type in catalog.CLOUD_REF_TYPES and "cloud_ref" not in body:
            cloud = self.find(RequestContext(ctx.base, tenant), "cloud", "Default-Cloud")
            if cloud is not None:
                body["cloud_ref"] = refs.canonical("cloud", cloud.uuid)
        cloud_uuid = refs.split_canonical(body["cloud_ref"])[1] if "cloud_ref" in body else None
        self._default_refs(RequestContext(ctx.base, tenant), obj_type, body, cloud_uuid)
        defaults.coerce(obj_type, body)
        defaults.fill_defaults(obj_type, body)
        if obj_type == "sslkeyandcertificate":
            certinfo.fill(body)
        validation.check(obj_type, body)
        validation.check_semantics(obj_type, body, self._body_of)
        if obj_type == "gslbservice":
            gslb.check_service(self.store, body)
        body["_last_modified"] = next_stamp(current.body if current is not None else None)
        name = body.get("name") if isinstance(body.get("name"), str) else None
        if name is not None:
            self._check_unique(obj_type, uuid, name, tenant, cloud_uuid)
        if obj_type == "vsvip":
            cloud = self.store.get(cloud_uuid) if cloud_uuid else None
            ipam.allocate(self.store, uuid, body, cloud)
        elif obj_type == "virtualservice":
            body.update(runtime.server_fields(uuid, current.body if current else None))
        body = {"uuid": uuid, **body}
        return StoredObject(type=obj_type, uuid=uuid, tenant=tenant, name=name, cloud=cloud_uuid,
                            body=body, system=system)

    def _resolve_all(self, ctx: RequestContext, obj_type: str, body: Json) -> str:
        """Resolve every ref to canonical form; returns the owning tenant uuid."""
        tenant = ADMIN_TENANT if ctx.all_tenants else ctx.tenant
        if obj_type in catalog.GLOBAL_TYPES:
            body.pop("tenant_ref", None)
            tenant = ADMIN_TENANT
        elif "tenant_ref" in body:
            spec = refs.parse(body["tenant_ref"])
            if spec is None or spec.type != "tenant":
                raise error(400, "Tenant object not found")
            tenant = self.tenant_uuid(name=spec.name, uuid=spec.uuid)
            if tenant == "*":
                raise error(400, "Tenant object not found")
        scoped = RequestContext(ctx.base, tenant, ctx.version)
        for container, key, value in list(refs.walk(body)):
            if key == "tenant_ref":
                refs.assign(container, key, refs.canonical("tenant", tenant))
                continue
            refs.assign(container, key, self._resolve_ref(scoped, value))
        if obj_type not in catalog.GLOBAL_TYPES:
            body["tenant_ref"] = refs.canonical("tenant", tenant)
        return tenant

    def _resolve_ref(self, ctx: RequestContext, value: str) -> str:
        spec = refs.parse(value)
        if spec is None:
            raise error(400, f"Invalid reference {value!r}: expected /api/<type>/<uuid> or "
                             "/api/<type>?name=<name>")
        model = catalog.model_name(spec.type)
        if spec.uuid is not None:
            located = self.store.locate(spec.uuid)
            if located is None or located[0] != spec.type \
                    or not self._visible(ctx, spec.type, located[1]):
                raise error(400, f"{model} object not found")
            return refs.canonical(spec.type, spec.uuid)
        lookup_ctx = ctx
        if spec.tenant:
            lookup_ctx = RequestContext(ctx.base, self.tenant_uuid(name=spec.tenant), ctx.version)
        cloud = None
        if spec.cloud:
            found_cloud = self.find(lookup_ctx, "cloud", spec.cloud)
            if found_cloud is None:
                raise error(400, "Cloud object not found")
            cloud = found_cloud.uuid
        found = self.find(lookup_ctx, spec.type, spec.name or "", cloud=cloud)
        if found is None:
            raise error(400, f"{model} object not found")
        return refs.canonical(found.type, found.uuid)

    def _default_refs(
        self, ctx: RequestContext, obj_type: str, body: Json, cloud: str | None
    ) -> None:
        for field, target, name in defaults.DEFAULT_REFS.get(obj_type, ()):
            if body.get(field):
                continue
            target_type, _, scope = target.partition("@")
            inherit_vrf = field == "vrf_context_ref" and obj_type == "virtualservice"
            if inherit_vrf and body.get("vsvip_ref"):
                vsvip = self.store.get(refs.split_canonical(body["vsvip_ref"])[1])
                if vsvip is not None and vsvip.body.get("vrf_context_ref"):
                    body[field] = vsvip.body["vrf_context_ref"]
                    continue
            found = self.find(ctx, target_type, name, cloud=cloud if scope else None)
            if found is not None:
                body[field] = refs.canonical(target_type, found.uuid)
        if obj_type == "virtualservice" and not body.get("ssl_profile_ref") and any(
            isinstance(s, dict) and s.get("enable_ssl") for s in body.get("services") or []
        ):
            found = self.find(ctx, "sslprofile", defaults.DEFAULT_SSL_PROFILE)
            if found is not None:
                body["ssl_profile_ref"] = refs.canonical("sslprofile", found.uuid)

    def _check_unique(
        self, obj_type: str, uuid: str, name: str, tenant: str, cloud: str | None
    ) -> None:
        for other in self.store.by_name(obj_type, name, fields=()):
            if other.uuid == uuid:
                continue
            tenant_scoped = obj_type not in catalog.GLOBAL_TYPES
            if tenant_scoped and other.tenant != tenant:
                continue
            if obj_type in catalog.CLOUD_SCOPED_NAMES and other.cloud != cloud:
                continue
            raise error(409, catalog.duplicate_message(obj_type))


def apply_patch(current: Json, ops: Json) -> Json:
    """PATCH ``{"add"|"replace"|"delete": {...}}`` on the top-level fields of a body."""
    if not isinstance(ops, dict) or not ops or not set(ops) <= {"add", "replace", "delete"}:
        raise error(400, 'PATCH body must be {"add"|"replace"|"delete": {<field>: <value>}}')
    body = copy.deepcopy(current)
    for op in ("replace", "add", "delete"):
        changes = ops.get(op)
        if changes is None:
            continue
        if not isinstance(changes, dict):
            raise error(400, f"PATCH {op} must map field names to values")
        for key, value in changes.items():
            existing = body.get(key)
            if op == "replace":
                body[key] = copy.deepcopy(value)
            elif op == "add":
                if isinstance(existing, list) and isinstance(value, list):
                    existing.extend(v for v in copy.deepcopy(value) if v not in existing)
                else:
                    body[key] = copy.deepcopy(value)
            elif isinstance(existing, list) and isinstance(value, list):
                body[key] = [e for e in existing if not any(_matches(e, v) for v in value)]
            else:
                body.pop(key, None)
    return body


def _matches(entry: Any, pattern: Any) -> bool:
    """A delete entry matches when every field it gives equals the stored entry's field."""
    if isinstance(entry, dict) and isinstance(pattern, dict):
        return all(k in entry and _matches(entry[k], v) for k, v in pattern.items())
    if isinstance(entry, str) and isinstance(pattern, str) and "/api/" in pattern:
        spec = refs.parse(pattern)
        return spec is not None and spec.uuid is not None and entry.endswith("/" + spec.uuid)
    return bool(entry == pattern)
