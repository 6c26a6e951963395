"""``AviProvider``: the engine's ``Provider`` protocol over the Avi controller REST API.

Wiring only: type names and system defaults (``registry``), schemas (``schemas``), config
canonicalisation (``canonical`` + ``resolver``), CRUD (``crud``), the partial resources
``avi_vrfcontext_static_route`` (``static_routes``) and ``avi_server`` (``pool_servers``),
bulk refresh (``bulk``), data sources and import (``lookup``), read marks (``read_marks``:
every read, write and import answer carries one; a refresh skips unchanged objects by it).
State attributes are the API object as read, minus runtime noise, refs canonical
(``/api/<type>/<uuid>``), ``id`` = the object's url as the official provider sets it and then
kept for that object (``object_ids``), ``uuid`` kept.

Thread-safe: the engine calls it from several workers at once. Shared state is the resolver
cache and the static-route VRF locks, both locked; everything else is per call.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import (
    ApplyResult,
    ProviderError,
    ReadManyResult,
    ReadRequest,
    ReadResult,
)
from albform.engine.schema import ResourceSchema
from albform.provider.resources.api import DEFAULT_TENANT, ControllerApi, Tenant
from albform.provider.resources.bodies import keyed_uuid, tenant_of
from albform.provider.resources.bulk import BulkReader
from albform.provider.resources.canonical import Canonicalizer
from albform.provider.resources.crud import GenericCrud
from albform.provider.resources.listings import CollectionListings
from albform.provider.resources.lookup import ObjectFinder
from albform.provider.resources.normalize import noise_fields, object_uuid
from albform.provider.resources.object_ids import kept_id
from albform.provider.resources.parent_edit import ParentEditor
from albform.provider.resources.pool_servers import LOCAL_ATTRIBUTES, PoolServers, ignores_servers
from albform.provider.resources.read_marks import ReadMarks
from albform.provider.resources.refs import parse_ref, ref_uuid
from albform.provider.resources.registry import SERVER_TYPE, STATIC_ROUTE_TYPE, TypeRegistry
from albform.provider.resources.resolver import RefResolver, Scope
from albform.provider.resources.schemas import SchemaCatalog
from albform.provider.resources.static_routes import StaticRoutes
from albform.provider.resources.version_check import every_field_available, newer_fields
from albform.provider.resources.write_answers import WriteAnswers
from albform.provider.schema.table import SchemaTable

# The attributes that locate an object of a partial type inside its parent.
# A route planned for create is located by name (vrf_name + cloud_ref): its VRF's uuid is
# known only once read, so the locators are part of what finds it again after a crash.
_IDENTITY_KEYS = {SERVER_TYPE: ("pool_ref", "ip", "port"),
                  STATIC_ROUTE_TYPE: ("vrf_context_ref", "vrf_name", "cloud_ref", "tenant_ref",
                                      "route_id", "prefix", "next_hop", "labels")}


class AviProvider:
    """Implements ``albform.engine.provider.Provider``."""

    def __init__(self, api: ControllerApi, table: SchemaTable, *,
                 default_tenant: str | None = None) -> None:
        self._api = api
        self._table = table
        # (API type, version) -> that version has every field of the type (_check_version).
        self._all_fields_known: dict[tuple[str, str], bool] = {}
        self._tenant = Tenant(name=default_tenant) if default_tenant else DEFAULT_TENANT
        self.registry = TypeRegistry.from_table(table)
        # One listing per collection serves the refresh and the resolver (``listings``).
        listings = self._listings = CollectionListings(lambda key: self._bulk.list_whole(key))
        self.resolver = RefResolver(api, listings)
        self._canon = Canonicalizer(self.resolver)
        self._scopes: dict[tuple[Tenant, str | None], Scope] = {}
        self._unconfigurable: dict[str, frozenset[str]] = {}
        editor = ParentEditor(api)
        self._crud = GenericCrud(api, self.registry, self.resolver, self._tenant, editor,
                                 WriteAnswers(table))
        self._routes = StaticRoutes(api, self.resolver, self._tenant, editor)
        self._servers = PoolServers(api, self.resolver, self._canon, self._tenant, editor)
        self._finder = ObjectFinder(api, self.resolver, self.registry.is_singleton)
        self._marks = ReadMarks(api)
        self._bulk = BulkReader(api, self._routes, self._servers, self.registry.api_type,
                                self._tenant_of,
                                self.registry.is_partial, self.read, self._read_alone,
                                listings, self._counting(), self._marks)
        self._schemas = SchemaCatalog(self.registry)

    @property
    def api(self) -> ControllerApi:
        return self._api

    def forget_listings(self) -> None:
        """Answer no later name or refresh from a collection listing read before now
        (``CollectionListings.forget``): the controller may have been written since."""
        self._listings.forget()

    # -- types and schemas ------------------------------------------------------------------
    def resource_types(self) -> Collection[str]:
        return self.registry.resource_types()

    def schema(self, type_name: str) -> ResourceSchema | None:
        """Resource schemas by bare type name (``avi_pool``); ``data.avi_pool`` gives the
        data-source schema (all computed but the lookup keys). Partial types have no data
        source."""
        return self._schemas.get(type_name)

    def _objtype(self, type_name: str) -> str:
        try:
            return self.registry.api_type(type_name)
        except KeyError as exc:
            raise ProviderError(str(exc)) from None

    def _tenant_of(self, attributes: Mapping[str, Any]) -> Tenant:
        return tenant_of(attributes, self._tenant)

    # -- plan side --------------------------------------------------------------------------
    def canonicalize(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        objtype = self._objtype(type_name)
        schema = self.schema(type_name)
        if type_name == STATIC_ROUTE_TYPE:
            return self._routes.canonicalize(attributes)
        if type_name == SERVER_TYPE:
            return self._servers.canonicalize(schema.attributes if schema else None, attributes)
        tenant = self._tenant_of(attributes)
        cloud_uuid = None
        cloud = attributes.get("cloud_ref")
        if isinstance(cloud, str):
            ref = parse_ref(self.resolver.canonical(cloud, "cloud", self._scope(tenant, None)),
                            "cloud")
            cloud_uuid = ref.uuid if ref is not None else None
        out = self._canon.canonicalize(objtype, schema.attributes if schema else None,
                                       attributes, self._scope(tenant, cloud_uuid))
        if objtype == "pool" and ignores_servers(out):
            out.pop("servers", None)  # managed by avi_server resources
        for key in self._never_configured(objtype):
            out.pop(key, None)
        self._check_version(type_name, objtype, out)
        return out

    # -- the no-op memo's basis (engine/provider.CanonicalBasis) -------------------------------
    def memoizable(self, type_name: str) -> bool:
        """Every resource type but static routes: a route's canonical form takes the route id
        of an equal route in its VRF as the refresh last read it, a fact ``canonical_basis``
        does not describe."""
        return type_name != STATIC_ROUTE_TYPE and self.schema(type_name) is not None

    def canonical_basis(self) -> tuple[Any, ...]:
        """The default tenant and API version (``_check_version``), and every reference by
        name resolved so far with its answer (``RefResolver.answers``). Not the controller's
        address: the embedded emulator's port changes every run, and another controller
        answers names with other uuids (they are unique) anyway."""
        return (self._identity(), self.resolver.answers())

    def basis_holds(self, basis: Any) -> bool:
        """Each reference of ``basis`` resolves as it did (asked again: through the listings
        the refresh made, so mostly without a call of its own), with the same default tenant
        and API version."""
        try:
            identity, answers = basis
            return tuple(identity) == self._identity() and \
                self.resolver.still_answer(answers, self._scope)
        except (TypeError, ValueError, ProviderError):
            return False  # not a basis of this provider's making, or unanswerable now

    def _identity(self) -> tuple[Any, ...]:
        version = getattr(getattr(self._api, "session", None), "api_version", None)
        return (self._tenant.name, self._tenant.uuid, version)

    def _never_configured(self, objtype: str) -> frozenset[str]:
        """Keys a configuration of ``objtype`` cannot set. Server-maintained metadata
        (configpb_attributes...) is dropped from reads, so a configured value could never
        match; a singleton's uuid is the server's (there is one object), whatever the
        configuration says ("default-uuid" in the examples)."""
        keys = self._unconfigurable.get(objtype)
        if keys is None:
            keys = self._unconfigurable[objtype] = noise_fields(objtype) | (
                {"uuid"} if self.registry.is_singleton(objtype) else frozenset())
        return keys

    def _scope(self, tenant: Tenant, cloud_uuid: str | None) -> Scope:
        """One ``Scope`` object per (tenant, cloud): the resolver's cache then finds each ref
        it knows by identity, without comparing scopes field by field."""
        key = (tenant, cloud_uuid)
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes.setdefault(key, Scope(tenant, cloud_uuid))
        return scope

    def _check_version(self, type_name: str, objtype: str, attributes: Mapping[str, Any],
                       ) -> None:
        """Refuse at plan time what the controller would refuse at apply: fields newer than
        the ``X-Avi-Version`` in use (``version_check.py``)."""
        version = getattr(getattr(self._api, "session", None), "api_version", None)
        if not isinstance(version, str) or not self._table.has_type(objtype):
            return
        odef = self._table.object(objtype).object_def
        current = self._all_fields_known.get((objtype, version))
        if current is None:
            current = self._all_fields_known[(objtype, version)] = \
                every_field_available(odef, version)
        if current:
            return
        newer = newer_fields(odef, attributes, version)
        if newer:
            listed = "; ".join(f"{path} (introduced in {since})" for path, since in newer)
            raise ProviderError(
                f"{type_name} sets fields that API version {version} does not have",
                detail=f"{listed}. Set avi_version to a version that has them (the controller "
                       "must support it too) or remove these arguments.")

    # -- reads ------------------------------------------------------------------------------
    def ref_id(self, value: object) -> str | None:
        """Engine hook: the uuid an Avi reference names (``refs.ref_uuid``)."""
        return ref_uuid(value)

    def read(self, request: ReadRequest) -> ReadResult:
        objtype = self._objtype(request.type_name)
        if request.type_name == STATIC_ROUTE_TYPE:
            return ReadResult(self._routes.read(request.attributes))
        if request.type_name == SERVER_TYPE:
            return ReadResult(self._servers.read(request.attributes))
        found = self._crud.read(objtype, request.attributes)
        if found is None:
            return ReadResult(None)
        return ReadResult(self._reread(objtype, request.attributes, found.attributes),
                          mark=self._marks.mark(found.stamp))

    def read_runtime(self, type_name: str, attributes: Mapping[str, Any]) -> Any:
        """The controller's runtime answer for a managed object (oper status, per-member
        health of a GslbService...), or None when it has no uuid or is gone."""
        uuid = object_uuid(attributes)
        if uuid is None:
            return None
        return self._api.get_runtime(self._objtype(type_name), uuid,
                                     tenant=self._tenant_of(attributes))

    @staticmethod
    def _with_local(objtype: str, source: Mapping[str, Any],
                    found: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """``found`` plus the provider-local attributes (``ignore_servers``) from ``source``:
        the controller does not store them, the configuration/state does."""
        if found is None:
            return None
        out = dict(found)
        for key in LOCAL_ATTRIBUTES.get(objtype, ()):
            if key in source:
                out[key] = source[key]
        return out

    @classmethod
    def _reread(cls, objtype: str, prior: Mapping[str, Any],
                found: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """A re-read (refresh, update) of the object ``prior`` describes: its local
        attributes, and the id the state already has for it (``object_ids`` rule 2)."""
        out = cls._with_local(objtype, prior, found)
        return kept_id(prior, out) if out is not None else None

    def read_many(self, requests: Sequence[ReadRequest]) -> ReadManyResult:
        for type_name in {req.type_name for req in requests}:
            self._objtype(type_name)
        counting = self._counting()
        if counting is not None:
            # This thread's calls (plus its helpers'): the engine refreshes types at once.
            with counting() as tally:
                results, helper_calls = self._read_many(requests)
            return ReadManyResult(results, api_calls=int(tally.calls) + helper_calls)
        before = self._api.api_calls
        results, _ = self._read_many(requests)
        return ReadManyResult(results, api_calls=self._api.api_calls - before)

    def _counting(self) -> Callable[[], AbstractContextManager[Any]] | None:
        """The client's per-thread call tally (``AviClient.session.counting``), if it has one."""
        counting = getattr(getattr(self._api, "session", None), "counting", None)
        return counting if callable(counting) else None

    def _read_many(self, requests: Sequence[ReadRequest],
                   ) -> tuple[dict[object, ReadResult], int]:
        bulk, helper_calls = self._bulk.read_many(requests)
        results = dict(bulk)
        for req in requests:
            got = results.get(req.key)
            # Unchanged answers are the request's attributes already (most of a refresh).
            if got is not None and got.attributes is not None and not got.unchanged \
                    and not self.registry.is_partial(req.type_name):
                objtype = self.registry.api_type(req.type_name)
                results[req.key] = ReadResult(
                    self._reread(objtype, req.attributes, got.attributes), got.diagnostics,
                    mark=got.mark)
        return results, helper_calls

    def _read_alone(self, type_name: str) -> bool:
        return self.registry.is_singleton(self.registry.api_type(type_name))

    def read_data_source(self, type_name: str, query: Mapping[str, Any]) -> ReadResult:
        objtype = self._objtype(type_name)
        if self.registry.is_partial(type_name):
            diags = Diagnostics()
            diags.error("Unsupported data source",
                        f"{type_name} is a resource only; read data.avi_vrfcontext instead.")
            return ReadResult(None, diags)
        tenant = self._tenant_of(query)
        return self._finder.data_source(type_name, objtype, query, tenant)

    def import_resource(self, type_name: str, identifier: str) -> ReadResult:
        objtype = self._objtype(type_name)
        diags = Diagnostics()
        problem = ""
        mark = None
        if type_name == STATIC_ROUTE_TYPE:
            found = self._import_route(identifier)
        elif type_name == SERVER_TYPE:
            found = self._import_server(identifier)
        else:
            seen, problem = self._finder.by_identifier(objtype, identifier, self._tenant)
            found = seen.attributes if seen is not None else None
            mark = self._marks.mark(seen.stamp) if seen is not None else None
        if found is None:
            diags.error("Cannot import non-existent remote object",
                        f"No {type_name} matches the import id {identifier!r}"
                        f"{f' ({problem})' if problem else ''}. Use the object's uuid, its url "
                        "(/api/<type>/<uuid>) or its exact name.")
        return ReadResult(found, diags, mark=mark)

    def _import_route(self, identifier: str) -> dict[str, Any] | None:
        # "<vrf uuid, url or name>/<route_id>", e.g. "global/cluster-1-…-0".
        vrf_text, sep, route_id = identifier.rpartition("/")
        if not sep or not route_id:
            return None
        vrf_text = vrf_text.removesuffix("/static_routes")
        vrf, _ = self._finder.by_identifier("vrfcontext", vrf_text, self._tenant)
        if vrf is None:
            return None
        return self._routes.read({"vrf_context_ref": vrf.attributes["id"],
                                  "route_id": route_id})

    def _import_server(self, identifier: str) -> dict[str, Any] | None:
        # The official provider's id: "<pool uuid, url or name>:<ip>:<port>".
        pool_text, _, rest = identifier.partition(":")
        ip, _, port = rest.rpartition(":") if rest.count(":") >= 1 else (rest, "", "0")
        pool, _ = self._finder.by_identifier("pool", pool_text, self._tenant)
        if pool is None or not ip:
            return None
        attrs: dict[str, Any] = {"pool_ref": pool.attributes["id"], "ip": ip}
        if port and port != "0":
            attrs["port"] = int(port) if port.isdigit() else port
        return self._servers.read(attrs)

    # -- writes -----------------------------------------------------------------------------
    def identity(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """What ``read`` needs to find the object again: a pool member by its pool and
        address, a static route by its VRF and route, anything else by uuid and tenant."""
        keys = _IDENTITY_KEYS.get(type_name, ("uuid", "tenant_ref"))
        return {k: attributes[k] for k in keys if attributes.get(k) is not None}

    def keyed_creates(self, type_name: str) -> bool:
        """``prepare_create`` derives the uuid from the key alone (engine KeyedCreates), for
        every type with a uuid of its own: not members, routes and singletons, which are
        found by what they hold."""
        if self.registry.is_partial(type_name):
            return False
        try:
            return not self.registry.is_singleton(self.registry.api_type(type_name))
        except KeyError:  # not a type of this provider: its create fails on its own
            return False

    def prepare_create(self, type_name: str, planned: Mapping[str, Any],
                       key: str) -> dict[str, Any]:
        """Choose the uuid of a new object (sent as ``Slug``) from ``key``: the same create
        retried — after a lost answer or a crash — names the same object, which ``create``
        then adopts on its 409. Members, routes and singletons have no uuid of their own."""
        objtype = self._objtype(type_name)
        if not self.keyed_creates(type_name) or planned.get("uuid"):
            return dict(planned)
        return {**planned, "uuid": keyed_uuid(objtype, key)}

    def create(self, type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        objtype = self._objtype(type_name)
        resolved = self._resolved(type_name, planned)
        if type_name == STATIC_ROUTE_TYPE:
            return ApplyResult(self._routes.write(None, resolved))
        if type_name == SERVER_TYPE:
            return ApplyResult(self._servers.write(None, resolved))
        created = self._crud.create(objtype, resolved)
        return ApplyResult(self._with_local(objtype, resolved, created.attributes)
                           or created.attributes, mark=self._marks.mark(created.stamp))

    def update(self, type_name: str, prior: Mapping[str, Any],
               planned: Mapping[str, Any]) -> ApplyResult:
        objtype = self._objtype(type_name)
        resolved = self._resolved(type_name, planned)
        if type_name == STATIC_ROUTE_TYPE:
            return ApplyResult(self._routes.write(prior, resolved))
        if type_name == SERVER_TYPE:
            return ApplyResult(self._servers.write(prior, resolved))
        updated = self._crud.update(objtype, prior, resolved)
        return ApplyResult(kept_id(prior, self._with_local(objtype, resolved, updated.attributes)
                                   or updated.attributes), mark=self._marks.mark(updated.stamp))

    def delete(self, type_name: str, prior: Mapping[str, Any], *,
               original: Mapping[str, Any] | None = None) -> None:
        objtype = self._objtype(type_name)
        if type_name == STATIC_ROUTE_TYPE:
            self._routes.delete(prior)
        elif type_name == SERVER_TYPE:
            self._servers.delete(prior)
        else:
            # ``original`` was read from the controller: already in its own form.
            self._crud.delete(objtype, prior, original)

    def _resolved(self, type_name: str, planned: Mapping[str, Any]) -> dict[str, Any]:
        # Name refs that pointed at objects planned in the same run resolve now.
        return self.canonicalize(type_name, planned)
