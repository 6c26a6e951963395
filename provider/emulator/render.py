"""Stored objects → API answers: absolute urls and refs, ``#name``, projections, extras.

Rules as recorded (docs/avi-api.md §1.4): write answers and ``Location`` carry ``#name`` on ``url``
and every ref; GETs only with ``include_name``; sensitive fields never leave the emulator; GETs add
the read-time extras (VS bookkeeping, ``vip_runtime``, VsVip ``vs_refs``) that write answers
do not show; ``skip_default`` drops values equal to their default; ``fields`` projects (``name``,
``url`` and ``uuid`` always kept).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from albform.provider.emulator import (
    catalog,
    certinfo,
    defaults,
    refs,
    runtime,
    sensitive,
    versions,
)
from albform.provider.emulator.context import RequestContext
from albform.provider.emulator.store import Store, StoredObject, is_key_name

Json = dict[str, Any]


class NameCache:
    """uuid → name lookups for one answer (a page of 200 refers to few distinct objects)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._names: dict[str, str | None] = {}

    def __call__(self, uuid: str) -> str | None:
        if uuid not in self._names:
            self._names[uuid] = self._store.name_of(uuid)
        return self._names[uuid]


def object_url(ctx: RequestContext, obj: StoredObject, include_name: bool) -> str:
    if obj.type in catalog.SINGLETONS:
        return f"{ctx.base}/api/{obj.type}"
    url = f"{ctx.base}/api/{obj.type}/{obj.uuid}"
    if include_name and obj.name is not None:
        url += "#" + obj.name
    return url


# What a GET answer derives from more than the stored body's own keys (the whole body, other
# objects): a projection asking for one of these needs the whole object.
READ_EXTRAS = frozenset({"vip_runtime", "vs_refs", "server_count"})


def needs_whole_body(fields: Collection[str] | None) -> bool:
    """Whether a GET projected to ``fields`` must read the whole stored body: no projection,
    a field derived from more than the body's own keys (``READ_EXTRAS``), or a name the store
    cannot cut a body by (``store.is_key_name``)."""
    return fields is None or not READ_EXTRAS.isdisjoint(fields) \
        or not all(is_key_name(f) for f in fields)


def render(
    store: Store,
    ctx: RequestContext,
    obj: StoredObject,
    *,
    include_name: bool,
    read: bool,
    skip_default: bool = False,
    fields: Collection[str] | None = None,
    names: NameCache | None = None,
) -> Json:
    """The JSON body for ``obj``; ``read`` selects GET extras over write-answer hiding."""
    keep = {"name", "url", "uuid", *fields} if fields else None
    # Every step below works key by key, so a projection is made first: a name listing
    # (``fields=name,uuid,cloud_ref``) then costs neither the rest of each body nor extras.
    stored = obj.body if keep is None else {k: v for k, v in obj.body.items() if k in keep}
    body: Json = sensitive.hide(obj.type, stored, read=read)
    if body is obj.body:
        body = dict(body)
    if read:
        if obj.type == "virtualservice" and (keep is None or "vip_runtime" in keep):
            body["vip_runtime"] = runtime.vip_runtime(store, obj)
        elif obj.type == "vsvip" and (keep is None or "vs_refs" in keep):
            users = [r for r in store.referrers(obj.uuid)
                     if r.type == "virtualservice"
                     and r.body.get("vsvip_ref", "").endswith(obj.uuid)]
            if users:
                body["vs_refs"] = [refs.canonical(u.type, u.uuid) for u in users]
    else:
        for key in runtime.READ_ONLY_ON_GET.get(obj.type, ()):
            body.pop(key, None)
        if obj.type == "sslkeyandcertificate" and isinstance(body.get("certificate"), dict):
            body["certificate"] = {k: v for k, v in body["certificate"].items()
                                   if k not in certinfo.WRITE_HIDDEN}
    if obj.type == "pool" and versions.older_than(ctx.version, "20.1.1") \
            and (keep is None or "server_count" in keep):
        # Recorded: old-format pool answers carry server_count; 20.1.1-format ones do not.
        body["server_count"] = len(obj.body.get("servers") or [])
    if skip_default:
        body = defaults.strip_defaults(obj.type, body)
    lookup = (names or NameCache(store)) if include_name else None
    rendered = versions.present(obj.type, body, ctx.version, ctx.base, lookup)
    out: Json = {"url": object_url(ctx, obj, include_name), "uuid": obj.uuid}
    if obj.name is not None:
        out["name"] = obj.name
    for key, value in rendered.items():
        if key not in out:
            out[key] = value
    if keep is not None:
        out = {k: v for k, v in out.items() if k in keep}
    return out
