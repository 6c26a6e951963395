"""An object's Terraform ``id``, set as the official ``vmware/avi`` provider sets it.

The provider (``avi/utils.go`` at 30.2.1) ends every create, read and import with a GET of the
object and sets ``id`` to that answer's ``url``: ``SetIDFromObj`` and ``APIRead`` call
``d.SetId(url)``, or ``d.SetId(uuid)`` when the answer carries no url. A controller's url is
absolute and names the host the request went to: ``https://10.1.1.10/api/pool/pool-…``; a
singleton's has no uuid (``…/api/systemconfiguration``). The provider reads an id back by its
last path segment (``#name`` stripped), so it takes either spelling of one object.

albform keeps three rules here, all in this module:

1. ``provider_id``: a fresh object's id is its url as the controller answered it (a write
   answer's ``#name`` suffix dropped: the provider's read-back GET has none), else its uuid.
2. ``kept_id``: a re-read of an object keeps the id the state already has for it (same uuid).
   The controller spells its url with the address it was reached at (a cluster VIP or a
   node, and the embedded emulator listens on a new port every run), so re-spelling ids on
   every refresh would be churn, and an id is not something the user configured. Ids that
   albform wrote before it spelt them as the provider does (``/api/<type>/<uuid>``) stay
   too: the provider reads them, and upgrading albform changes no plan and no output.
3. References stay host-independent (``refs.py``); only ``id`` carries the url.

Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.provider.resources.refs import canonical_path, strip_name_suffix


def provider_id(objtype: str, obj: Mapping[str, Any]) -> str | None:
    """Rule 1: the id of ``obj`` (an API answer) as the official provider would set it."""
    url = obj.get("url")
    if isinstance(url, str) and url:
        return strip_name_suffix(url)
    uuid = obj.get("uuid")
    if isinstance(uuid, str) and uuid:
        # No url in the answer (a recorded or hand-made object): the provider's fallback is
        # the bare uuid; the canonical path says the same and is what albform always wrote.
        return canonical_path(objtype, uuid)
    return None


def kept_id(prior: Mapping[str, Any], fresh: Mapping[str, Any]) -> dict[str, Any]:
    """Rule 2: ``fresh`` (a re-read of the object ``prior`` describes) with ``prior``'s id
    when both name the same object (the same uuid); otherwise ``fresh`` unchanged."""
    before = prior.get("id")
    if not isinstance(before, str) or not before or before == fresh.get("id"):
        return dict(fresh)
    uuid = object_uuid(fresh)
    if uuid is None or uuid != object_uuid(prior):
        return dict(fresh)
    return {**fresh, "id": before}


def object_uuid(attributes: Mapping[str, Any]) -> str | None:
    """The uuid of a stored object: from ``uuid``, else the last segment of ``id`` (either
    spelling, ``#name`` stripped), as the provider's ``APIRead`` takes it."""
    uuid = attributes.get("uuid")
    if isinstance(uuid, str) and uuid:
        return uuid
    ident = attributes.get("id")
    if isinstance(ident, str) and ident:
        return strip_name_suffix(ident).rstrip("/").rsplit("/", 1)[-1] or None
    return None
