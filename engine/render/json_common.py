"""Pieces every JSON document of Terraform's shares: provider names, instance address
fields, and values with sensitive parts nulled and unknown parts left out (with the mirror
trees Terraform writes beside them). Used by ``json_plan`` and ``json_config``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.schema import AttributeSchema
from albform.engine.values import UNKNOWN


def provider_name(provider: str) -> str:
    """``provider["registry.terraform.io/vmware/avi"]`` → ``registry.terraform.io/vmware/avi``."""
    if provider.startswith('provider["') and provider.endswith('"]'):
        return provider[len('provider["'):-2]
    return provider


def masked(value: Any, fields: Mapping[str, AttributeSchema] | None,
           ) -> tuple[Any, Any, Any]:
    """(value with sensitive → null and unknown dropped, sensitive mirror, unknown mirror).

    Mirrors have Terraform's shape: ``true`` where marked; every known object or list is
    mirrored (``{}``, ``[false, ...]``) even with nothing marked inside; known primitives
    are left out of objects and ``false`` in lists."""
    if value is UNKNOWN:
        return None, False, True
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        sens: dict[str, Any] = {}
        unk: dict[str, Any] = {}
        for k, v in value.items():
            attr = fields.get(k) if fields else None
            if attr is not None and attr.sensitive and v is not None:
                out[k], sens[k] = None, True
                continue
            shown, s, u = masked(v, attr.fields if attr else None)
            if u is not True:
                out[k] = shown
            if s is not False:
                sens[k] = s
            if u is not False:
                unk[k] = u
        return out, sens, unk
    if isinstance(value, list):
        items = [masked(v, fields) for v in value]
        return ([m for m, _, _ in items], [s for _, s, _ in items],
                [u for _, _, u in items])
    return value, False, False


def address_fields(address: ResourceAddress) -> dict[str, Any]:
    out: dict[str, Any] = {"address": str(address)}
    if address.module:
        out["module_address"] = address.module_path
    out.update(mode=address.mode, type=address.type, name=address.name)
    if address.key is not None:
        out["index"] = address.key
    return out
