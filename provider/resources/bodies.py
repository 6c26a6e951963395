"""Building request bodies from planned attributes, and the tenant an object lives in.

``write_body`` is what create/update send: the planned attributes minus albform's own ``id``,
minus values still unknown (the controller fills those) and minus read-only noise. Refs are
sent in canonical form, which the controller accepts (docs/avi-api.md §1.4).
"""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from collections.abc import Mapping
from typing import Any

from albform.engine.values import UNKNOWN, Deferred
from albform.provider.resources.api import DEFAULT_TENANT, Tenant
from albform.provider.resources.normalize import noise_fields
from albform.provider.resources.refs import parse_ref

# Attributes of the official provider that the controller does not have: kept in state from
# the configuration, never sent.
LOCAL_ATTRIBUTES: Mapping[str, frozenset[str]] = {"pool": frozenset({"ignore_servers"})}


def _known(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items() if not _unknown(v)}
    if isinstance(value, list):
        return [_known(v) for v in value if not _unknown(v)]
    return value


def _unknown(value: object) -> bool:
    if isinstance(value, Deferred):
        raise TypeError("unresolved Deferred in planned attributes: the engine resolves "
                        "them before calling the provider")
    return value is UNKNOWN


def write_body(objtype: str, planned: Mapping[str, Any]) -> dict[str, Any]:
    drop = noise_fields(objtype) | LOCAL_ATTRIBUTES.get(objtype, frozenset()) | {"id"}
    return {k: _known(v) for k, v in planned.items() if k not in drop and not _unknown(v)}


def tenant_of(attributes: Mapping[str, Any], default: Tenant = DEFAULT_TENANT) -> Tenant:
    """The tenant scope named by ``tenant_ref`` (uuid or name form), else ``default``."""
    value = attributes.get("tenant_ref")
    if not isinstance(value, str):
        return default
    ref = parse_ref(value, "tenant")
    if ref is None or ref.objtype != "tenant":
        return default
    return Tenant(uuid=ref.uuid) if ref.uuid else Tenant(name=ref.name)


# Namespace of the uuids derived from apply keys (uuid5): fixed forever, or a retried create
# after an upgrade would no longer meet its own object.
_KEYED_NAMESPACE = uuidlib.UUID("5f0c7a2e-3b1d-4e8a-9c61-a1b0f0d4c2e7")
_KEYED_PREFIX = _KEYED_NAMESPACE.bytes


def keyed_uuid(objtype: str, key: str) -> str:
    """The uuid albform gives the object it creates for ``key`` (state lineage, address and
    replaced object): the same key always names the same object, so a create repeated after
    a crash proves with its uuid that the object it meets is its own."""
    # uuid5 by hand (RFC 4122: SHA-1 of namespace and name, version and variant bits set):
    # ``uuid.uuid5`` built and formatted a ``UUID`` object, about 4 us per created object on
    # the apply walk's interpreter lock; the same string in a third of that (a property test
    # holds the two equal).
    raw = bytearray(hashlib.sha1(_KEYED_PREFIX + key.encode()).digest()[:16])
    raw[6] = raw[6] & 0x0F | 0x50  # version 5
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{objtype}-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_uuid(objtype: str) -> str:
    """A uuid in the controller's own format, chosen before the POST (sent as ``Slug``) so a
    create retried after a lost answer cannot make a second object."""
    return f"{objtype}-{uuidlib.uuid4()}"
