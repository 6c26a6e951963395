"""Finding existing objects: data sources and ``import``.

Data sources (``data "avi_cloud" "x" { name = "Default-Cloud" }``) look up exactly one object
by ``uuid`` or ``name``, optionally narrowed by ``cloud_ref`` and ``tenant_ref`` (the official
provider's rule, avi-api.md §4.3/§4.4); none or several matches are reported as diagnostics
naming the query. Import identifiers may be a uuid, an object url/path (any host, ``#name``
allowed) or a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import ReadResult
from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.normalize import normalize_object
from albform.provider.resources.refs import looks_like_uuid, parse_ref
from albform.provider.resources.resolver import RefResolver, Scope

# Singletons readable as data sources without a name (avi-api.md §1.6).
SINGLETON_TYPES = frozenset({"systemconfiguration", "controllerproperties", "seproperties"})


class ObjectFinder:
    def __init__(self, api: ControllerApi, resolver: RefResolver) -> None:
        self._api = api
        self._resolver = resolver

    def data_source(self, type_name: str, objtype: str, query: Mapping[str, Any],
                    tenant: Tenant) -> ReadResult:
        diags = Diagnostics()
        uuid = query.get("uuid")
        if isinstance(uuid, str) and uuid:
            obj = self._api.get_object(objtype, uuid, tenant=tenant)
            if obj is None:
                diags.error("Object not found",
                            f"No {objtype} with uuid {uuid!r} exists on the controller "
                            f"(data source {type_name}).")
                return ReadResult(None, diags)
            return ReadResult(normalize_object(objtype, obj), diags)
        name = query.get("name")
        if (not isinstance(name, str) or not name) and objtype in SINGLETON_TYPES:
            # Controller-wide singletons (data "avi_systemconfiguration" "x" {}): one object.
            return ReadResult(normalize_object(objtype, self._api.get_singleton(
                objtype, tenant=tenant)), diags)
        if not isinstance(name, str) or not name:
            diags.error("Missing lookup key",
                        f"Data source {type_name} needs \"name\" or \"uuid\" to find an "
                        "object.")
            return ReadResult(None, diags)
        params = {"name": name}
        cloud = query.get("cloud_ref")
        where = f"named {name!r}"
        if isinstance(cloud, str) and cloud:
            cloud_path = self._resolver.canonical(cloud, "cloud", Scope(tenant))
            cloud_ref = parse_ref(cloud_path, "cloud")
            if cloud_ref is None or cloud_ref.uuid is None:
                diags.error("Object not found", f"The cloud {cloud!r} does not exist.")
                return ReadResult(None, diags)
            params["cloud_ref.uuid"] = cloud_ref.uuid
            where += f" in cloud {cloud!r}"
        found = self._api.list_objects(objtype, params, tenant=tenant)
        if len(found) != 1:
            summary = "Object not found" if not found else "Ambiguous data source"
            detail = (f"No {objtype} {where} exists" if not found else
                      f"{len(found)} objects of type {objtype} are {where}; add cloud_ref "
                      "or look up by uuid")
            diags.error(summary, f"{detail} (data source {type_name}).")
            return ReadResult(None, diags)
        return ReadResult(normalize_object(objtype, found[0]), diags)

    def by_identifier(self, objtype: str, identifier: str, tenant: Tenant,
                      ) -> dict[str, Any] | None:
        """The object an import id names (uuid, url/path or name), or None."""
        text = identifier.strip()
        ref = parse_ref(text, objtype)
        if ref is not None and ref.objtype != objtype:
            return None
        uuid = ref.uuid if ref is not None else None
        if uuid is None and ref is not None and ref.name and not looks_like_uuid(ref.name):
            found = self._api.list_objects(objtype, {"name": ref.name}, tenant=tenant)
            if len(found) == 1:
                return normalize_object(objtype, found[0])
            if len(found) > 1:
                return None
            uuid = ref.name  # maybe a uuid the controller was told to use (Slug)
        if uuid is None:
            return None
        obj = self._api.get_object(objtype, uuid, tenant=tenant)
        return None if obj is None else normalize_object(objtype, obj)
