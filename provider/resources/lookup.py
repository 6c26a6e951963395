"""Finding existing objects: data sources and ``import``.

Data sources (``data "avi_cloud" "x" { name = "Default-Cloud" }``) look up exactly one object
by ``uuid`` or ``name``, optionally narrowed by ``cloud_ref`` and ``tenant_ref`` (the official
provider's rule, docs/avi-api.md §4.3/§4.4); none or several matches are reported as diagnostics
naming the query. Singletons (``data "avi_systemconfiguration" "x" {}``) need no key. Import
identifiers may be a uuid, an object url/path (any host, ``#name`` allowed) or a name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import ProviderError, ReadResult
from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.normalize import normalize_object
from albform.provider.resources.read_marks import Seen, seen
from albform.provider.resources.refs import ObjectRef, looks_like_uuid, parse_ref
from albform.provider.resources.resolver import RefResolver, Scope

ALL_TENANTS = Tenant(name="*")


class ObjectFinder:
    def __init__(self, api: ControllerApi, resolver: RefResolver,
                 is_singleton: Callable[[str], bool] = lambda _: False) -> None:
        self._api = api
        self._resolver = resolver
        self._is_singleton = is_singleton

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
        if self._is_singleton(objtype):
            # Controller-wide singletons (data "avi_systemconfiguration" "x" {}): one object,
            # which a name (data "avi_cluster" "x" { name = "cluster-0-1" }) must match.
            obj = self._api.get_singleton(objtype, tenant=tenant)
            if isinstance(name, str) and name and obj.get("name") != name:
                diags.error("Object not found",
                            f"The controller's {objtype} is named {obj.get('name')!r}, not "
                            f"{name!r} (data source {type_name}).")
                return ReadResult(None, diags)
            return ReadResult(normalize_object(objtype, obj), diags)
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
                      ) -> tuple[Seen | None, str]:
        """The object an import id names (uuid, url/path or name) and, when there is none, why.

        Looked up in ``tenant`` first, then across all tenants (``X-Avi-Tenant: *``, the
        superuser's view), so an object of another tenant can be imported by its url."""
        text = identifier.strip()
        ref = parse_ref(text, objtype)
        if ref is None or ref.objtype != objtype:
            return None, f"{identifier!r} does not name a {objtype}"
        for scope in (tenant, ALL_TENANTS):
            try:
                found, problem = self._find(objtype, ref, scope)
            except ProviderError as exc:
                if scope is ALL_TENANTS and exc.status in (401, 403):
                    break  # not a superuser: the all-tenants view is refused
                raise
            if found is not None or problem:
                return found, problem
        return None, f"no {objtype} matches {identifier!r}"

    def _find(self, objtype: str, ref: ObjectRef, tenant: Tenant,
              ) -> tuple[Seen | None, str]:
        uuid = ref.uuid
        if uuid is None and ref.name is not None:
            found = self._api.list_objects(objtype, {"name": ref.name}, tenant=tenant)
            if len(found) > 1:
                return None, (f"{len(found)} objects of type {objtype} are named "
                              f"{ref.name!r}; import by uuid or url instead")
            if found:
                return seen(objtype, found[0]), ""
            if looks_like_uuid(ref.name):
                return None, ""
            uuid = ref.name  # maybe a uuid the controller was told to use (Slug)
        obj = self._api.get_object(objtype, str(uuid), tenant=tenant)
        return (None, "") if obj is None else (seen(objtype, obj), "")
