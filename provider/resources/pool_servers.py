"""Pool members managed one by one: the official provider's ``avi_server`` and
``avi_pool.ignore_servers`` (docs/avi-api.md §4.2, §4.5).

``avi_server`` arguments: ``pool_ref`` (the pool), ``ip`` + optional ``port`` (the member's
identity, both force a new member), ``type`` (``V4`` unless given) and any other ``Server``
field (``enabled``, ``ratio``, ``hostname``…). State id: ``<pool uuid>:<ip>:<port or 0>`` as
the official provider writes it. Members are merged into the pool's ``servers`` by ip + port
(``keyed_lists.server_identity``); the pool's other members are never touched. A pool with
``ignore_servers = true`` leaves its ``servers`` to such members: its canonical config drops
``servers`` (never a change) and its update keeps the pool's current members.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.provider import ProviderError
from albform.engine.schema import AttributeSchema
from albform.engine.values import UNKNOWN, Deferred
from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.bodies import LOCAL_ATTRIBUTES, tenant_of
from albform.provider.resources.canonical import Canonicalizer, coerce_scalar
from albform.provider.resources.keyed_lists import server_identity
from albform.provider.resources.normalize import canonical_refs
from albform.provider.resources.parent_edit import ParentEditor, ParentGone
from albform.provider.resources.refs import canonical_path, parse_ref
from albform.provider.resources.registry import SERVER_TYPE
from albform.provider.resources.resolver import RefResolver, Scope

IDENTITY = ("pool_ref", "ip", "port", "type")
__all__ = ["LOCAL_ATTRIBUTES", "SERVER_TYPE", "PoolServers", "ignores_servers"]


def ignores_servers(attributes: Mapping[str, Any]) -> bool:
    return coerce_scalar("boolean", attributes.get("ignore_servers")) is True


def member_object(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Server`` object an ``avi_server`` configures."""
    server = {k: v for k, v in attrs.items()
              if k not in ("pool_ref", "ip", "type", "id", "tenant_ref") and v is not None}
    server["ip"] = {"addr": attrs.get("ip"), "type": attrs.get("type") or "V4"}
    return server


def member_key(attrs: Mapping[str, Any]) -> tuple[str, int]:
    return server_identity(member_object(attrs))


class PoolServers:
    def __init__(self, api: ControllerApi, resolver: RefResolver, canon: Canonicalizer,
                 default_tenant: Tenant, editor: ParentEditor) -> None:
        self._api = api
        self._resolver = resolver
        self._canon = canon
        self._default_tenant = default_tenant
        self._editor = editor

    def _tenant(self, attrs: Mapping[str, Any]) -> Tenant:
        return tenant_of(attrs, self._default_tenant)

    def pool_uuid(self, attrs: Mapping[str, Any]) -> str | None:
        value = attrs.get("pool_ref")
        ref = parse_ref(value, "pool") if isinstance(value, str) else None
        if ref is None and isinstance(attrs.get("id"), str):
            ref = parse_ref(str(attrs["id"]).split(":", 1)[0], "pool")
        if ref is None:
            return None
        return ref.uuid or self._resolver.lookup(ref, Scope(self._tenant(attrs)))

    def canonicalize(self, fields: Mapping[str, AttributeSchema] | None,
                     attributes: Mapping[str, Any]) -> dict[str, Any]:
        scope = Scope(self._tenant(attributes))
        return self._canon.canonicalize("server", fields, attributes, scope)

    def read(self, attributes: Mapping[str, Any]) -> dict[str, Any] | None:
        uuid = self.pool_uuid(attributes)
        if uuid is None:
            return None
        pool = self._api.get_object("pool", uuid, tenant=self._tenant(attributes))
        return None if pool is None else self.member_from_pool(pool, attributes)

    def member_from_pool(self, pool: Mapping[str, Any], attributes: Mapping[str, Any],
                         ) -> dict[str, Any] | None:
        key = member_key(attributes)
        for server in pool.get("servers") or []:
            if isinstance(server, dict) and server_identity(server) == key:
                return self._state(pool, attributes, server)
        return None

    def _state(self, pool: Mapping[str, Any], attributes: Mapping[str, Any],
               server: Mapping[str, Any]) -> dict[str, Any]:
        uuid = str(pool["uuid"])
        raw_ip = server.get("ip")
        ip: Mapping[str, Any] = raw_ip if isinstance(raw_ip, Mapping) else {}
        out: dict[str, Any] = {k: v for k, v in canonical_refs(dict(server)).items()
                               if k != "ip"}
        out.update(pool_ref=canonical_path("pool", uuid), ip=ip.get("addr"),
                   type=ip.get("type", "V4"))
        if attributes.get("tenant_ref"):
            out["tenant_ref"] = attributes["tenant_ref"]
        addr, port = server_identity(server)
        out["id"] = f"{uuid}:{addr}:{port}"
        return out

    def write(self, prior: Mapping[str, Any] | None, planned: Mapping[str, Any],
              ) -> dict[str, Any]:
        uuid = self.pool_uuid(planned)
        if uuid is None:
            raise ProviderError("the pool of this avi_server does not exist", status=404,
                                detail=f"pool_ref = {planned.get('pool_ref')!r}")
        wanted = {k: v for k, v in member_object(planned).items()
                  if v is not UNKNOWN and not isinstance(v, Deferred)}
        key = server_identity(wanted)
        old_key = member_key(prior) if prior else key

        def put(current: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], None]:
            out, placed = [], False
            for server in current:
                ident = server_identity(server)
                if ident in (key, old_key):
                    if not placed:
                        out.append({**server, **wanted})
                        placed = True
                    continue
                out.append(server)
            if not placed:
                out.append(wanted)
            return out, None

        pool, _ = self._editor.modify("pool", uuid, self._tenant(planned), "servers", put)
        found = self.member_from_pool(pool, planned)
        if found is None:
            raise ProviderError(f"server {key[0]}:{key[1]} is missing from pool {uuid} "
                                "right after it was written")
        return found

    def delete(self, prior: Mapping[str, Any]) -> None:
        uuid = self.pool_uuid(prior)
        if uuid is None:
            return
        key = member_key(prior)

        def drop(current: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], None]:
            return [s for s in current if server_identity(s) != key], None

        try:
            self._editor.modify("pool", uuid, self._tenant(prior), "servers", drop)
        except ParentGone:
            return
