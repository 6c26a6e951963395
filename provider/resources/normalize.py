"""Read-side normalisation: an API object as the controller returns it → state attributes.

``normalize_object`` is applied to every object albform reads (read, read_many, import, data
sources, create/update answers), so state always has one shape:

* runtime and internal keys (``_last_modified``, ``vip_runtime``, ``tls_ticket_key``,
  checksums, back-references like ``vs_refs``…) are dropped — they change without anyone
  changing the object and would show as drift on every refresh;
* every url-valued ref (``*_ref`` / ``*_refs`` at any depth) becomes the canonical
  ``/api/<type>/<uuid>`` form (``refs.py``), ``#name`` suffixes removed;
* ``id`` = the object's url, as the official provider sets it (``object_ids.py``), ``uuid``
  kept;
* keyed lists (pool ``servers``) come back in canonical order (``keyed_lists.py``), so the
  positional "desired ⊆ actual" diff compares the same members.

Pure functions: no I/O, input never mutated.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from albform.provider.resources.keyed_lists import sort_keyed_lists
from albform.provider.resources.object_ids import object_uuid, provider_id
from albform.provider.resources.refs import is_ref_field, to_canonical_if_path

__all__ = ["canonical_refs", "noise_fields", "normalize_object", "object_uuid"]

# Keys dropped from every object: server-maintained metadata, never user intent.
COMMON_NOISE = frozenset({
    "_last_modified", "url", "configpb_attributes", "cloud_config_cksum",
    "vsvip_cloud_config_cksum",
})

# Per-type runtime fields seen on GET (docs/avi-api.md §3.3, §6; docs/users-and-peers.md §2).
TYPE_NOISE: Mapping[str, frozenset[str]] = {
    "virtualservice": frozenset({
        "vip_runtime", "redis_db", "redis_port", "self_se_election", "tls_ticket_key",
        "version", "marked_for_delete", "sp_pool_refs", "azure_availability_set",
    }),
    "vsvip": frozenset({"vs_refs"}),
    "pool": frozenset({"server_count", "gslb_sp_enabled"}),
    "tenant": frozenset({"macro_in_progress", "tenant_force_delete_in_progress"}),
    "sslkeyandcertificate": frozenset({
        "ocsp_error_status", "ocsp_response_info", "ocsp_responder_url_list_from_certs",
    }),
}


@lru_cache(maxsize=256)
def noise_fields(objtype: str) -> frozenset[str]:
    return COMMON_NOISE | TYPE_NOISE.get(objtype, frozenset())


def canonical_refs(value: Any, key: str | None = None) -> Any:
    """Rewrite url refs anywhere in ``value`` to canonical paths. Only values under keys named
    ``*_ref``/``*_refs`` are touched, so free-text fields holding urls stay as they are."""
    # Every value of every object a refresh reads passes here (60 per pool, 50,000 pools):
    # exact type tests first, so that a scalar costs no isinstance chain.
    kind = type(value)
    if kind is str:
        return to_canonical_if_path(value) if key is not None and _is_ref(key) else value
    if kind in _SCALARS:
        return value
    if isinstance(value, dict):
        return {k: canonical_refs(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical_refs(v, key) for v in value]
    if isinstance(value, str) and key is not None and _is_ref(key):
        return to_canonical_if_path(value)
    return value


_SCALARS = frozenset({int, float, bool, type(None)})


@lru_cache(maxsize=4096)
def _is_ref(key: str) -> bool:
    return is_ref_field(key)


def normalize_object(objtype: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """State attributes for one API object of type ``objtype`` (lowercase API name)."""
    drop = noise_fields(objtype)
    out: dict[str, Any] = {}
    for k, v in obj.items():  # canonical_refs, with its two commonest cases inlined
        if k in drop:
            continue
        kind = type(v)
        if kind is str:
            out[k] = to_canonical_if_path(v) if _is_ref(k) else v
        elif kind in _SCALARS:
            out[k] = v
        else:
            out[k] = canonical_refs(v, k)
    ident = provider_id(objtype, obj)
    if ident is not None:
        out["id"] = ident
    return sort_keyed_lists(objtype, out)
