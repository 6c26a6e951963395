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


def noise_fields(objtype: str) -> frozenset[str]:
    return COMMON_NOISE | TYPE_NOISE.get(objtype, frozenset())


def canonical_refs(value: Any, key: str | None = None) -> Any:
    """Rewrite url refs anywhere in ``value`` to canonical paths. Only values under keys named
    ``*_ref``/``*_refs`` are touched, so free-text fields holding urls stay as they are."""
    if isinstance(value, dict):
        return {k: canonical_refs(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical_refs(v, key) for v in value]
    if isinstance(value, str) and key is not None and is_ref_field(key):
        return to_canonical_if_path(value)
    return value


def normalize_object(objtype: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """State attributes for one API object of type ``objtype`` (lowercase API name)."""
    drop = noise_fields(objtype)
    out: dict[str, Any] = {k: canonical_refs(v, k) for k, v in obj.items() if k not in drop}
    ident = provider_id(objtype, obj)
    if ident is not None:
        out["id"] = ident
    return sort_keyed_lists(objtype, out)
