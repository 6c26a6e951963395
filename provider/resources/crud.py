"""Generic CRUD for every Avi object type (``avi_<type>``), over ``ControllerApi``.

* create: POST with the uuid ``prepare_create`` chose (``Slug``; derived from the engine's
  key, so an apply re-run after a crash asks for the same uuid). If a POST meets ``409`` and
  the object with *our* uuid exists, an earlier attempt went through: it is adopted and
  brought to the planned body (an update) — the create happened once. A 409 for an object
  that is not ours is the user's name collision and is raised.
  Singletons are PUT-only: create and update both PUT the merge of the current object.
* update: GET the current object, overlay the planned keys, PUT (docs/avi-api.md §6: keeps
  server-filled and unmanaged fields). ``412`` (the controller's "reload and retry") re-reads
  and overlays the planned keys on the fresh copy (the client's ``rebase``).
* delete: DELETE; already gone is success; system defaults and singletons are never deleted:
  given the values they had before albform imported them, those are put back (an attribute
  they did not have is removed), so the controller ends as it began; else only forgotten.
  ``403`` ("Cannot delete, object is referred by …") is raised, never
  swallowed (the official provider's silent swallow leaves objects behind, §4.4).
* read: GET by uuid in the object's tenant; a missing object is ``None`` (drift), not an error.
* create and update return the object as a GET shows it, as the official provider does: state
  must equal the next refresh. An update is read back after its PUT; a create only when its
  type's POST answer lacks something a GET has (``write_answers``): for the rest the answer is
  the read, and a read-back would double the requests of a large apply. Every answer comes
  with the ``_last_modified`` of the body it was normalised from (``read_marks.Seen``): the
  instance's read mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.provider import ProviderError
from albform.provider.resources.api import DEFAULT_TENANT, ControllerApi, Tenant
from albform.provider.resources.bodies import new_uuid, tenant_of, write_body
from albform.provider.resources.conflicts import rewrite_on_conflict
from albform.provider.resources.normalize import normalize_object, object_uuid
from albform.provider.resources.parent_edit import ParentEditor
from albform.provider.resources.pool_servers import ignores_servers
from albform.provider.resources.read_marks import Seen, seen
from albform.provider.resources.refs import ref_uuid
from albform.provider.resources.registry import TypeRegistry, is_system_default
from albform.provider.resources.resolver import RefResolver
from albform.provider.resources.write_answers import WriteAnswers

CONFLICT_RETRIES = 4


class GenericCrud:
    def __init__(self, api: ControllerApi, registry: TypeRegistry, resolver: RefResolver,
                 default_tenant: Tenant = DEFAULT_TENANT,
                 editor: ParentEditor | None = None,
                 answers: WriteAnswers | None = None) -> None:
        self._api = api
        self._answers = answers  # None: every create is read back
        self._registry = registry
        self._resolver = resolver
        self._default_tenant = default_tenant
        self._editor = editor or ParentEditor(api)

    def tenant(self, attributes: Mapping[str, Any]) -> Tenant:
        return tenant_of(attributes, self._default_tenant)

    # -- read -----------------------------------------------------------------------------
    def read(self, objtype: str, attributes: Mapping[str, Any]) -> Seen | None:
        if self._registry.is_singleton(objtype):
            return seen(objtype, self._api.get_singleton(objtype,
                                                         tenant=self.tenant(attributes)))
        uuid = object_uuid(attributes)
        if uuid is None:
            return None
        obj = self._api.get_object(objtype, uuid, tenant=self.tenant(attributes))
        return None if obj is None else seen(objtype, obj)

    # -- create ---------------------------------------------------------------------------
    def create(self, objtype: str, planned: Mapping[str, Any]) -> Seen:
        if self._registry.is_singleton(objtype):
            return self._put_singleton(objtype, planned)
        body = write_body(objtype, planned)
        tenant = self.tenant(body)
        uuid = str(body.pop("uuid", "") or new_uuid(objtype))
        try:
            obj = self._api.create_object(objtype, body, tenant=tenant, uuid=uuid)
        except ProviderError as exc:
            if exc.status != 409:
                raise
            if self._api.get_object(objtype, uuid, tenant=tenant) is None:
                name = body.get("name")
                raise ProviderError(
                    f"a {objtype} named {name!r} already exists", status=409,
                    detail=f"{exc.detail or exc} albform does not take over existing objects "
                           f"silently: import it (an import block with id = {name!r}; for "
                           "`albform cluster` plans, whose objects AKO may have made, "
                           "--adopt) to manage it, or choose another name.") from exc
            # Our uuid proves it: an earlier attempt of this very create went through (its
            # answer was lost, or albform was killed before recording it). Adopt it, and
            # bring it to what this create asks for, which may have changed since.
            with self._editor.lock(objtype, uuid):
                result = self._update(objtype, uuid, tenant, body)
            self._remember(objtype, result, uuid, tenant)
            return result
        if self._answers is not None and self._answers.complete(objtype, body):
            result = seen(objtype, obj)
        else:
            result = self._read_back(objtype, uuid, tenant, obj)
        self._remember(objtype, result, uuid, tenant)
        return result

    def _remember(self, objtype: str, result: Seen, uuid: str, tenant: Tenant) -> None:
        attributes = result.attributes
        if isinstance(attributes.get("name"), str):
            self._resolver.remember(objtype, attributes["name"], uuid, tenant,
                                    ref_uuid(attributes.get("cloud_ref")))

    def _put_singleton(self, objtype: str, planned: Mapping[str, Any]) -> Seen:
        tenant = self.tenant(planned)
        current = normalize_object(objtype, self._api.get_singleton(objtype, tenant=tenant))
        current.pop("id", None)
        body = {**current, **write_body(objtype, planned)}
        self._api.replace_object(objtype, "", body, tenant=tenant)
        return seen(objtype, self._api.get_singleton(objtype, tenant=tenant))

    # -- update ---------------------------------------------------------------------------
    def update(self, objtype: str, prior: Mapping[str, Any],
               planned: Mapping[str, Any]) -> Seen:
        if self._registry.is_singleton(objtype):
            return self._put_singleton(objtype, planned)
        uuid = object_uuid(prior) or object_uuid(planned)
        if uuid is None:
            raise ProviderError(f"cannot update {objtype}: the state records no uuid")
        tenant = self.tenant(prior)
        wanted = write_body(objtype, planned)
        wanted.pop("uuid", None)
        if objtype == "pool" and ignores_servers(planned):
            wanted.pop("servers", None)  # members belong to avi_server resources
        with self._editor.lock(objtype, uuid):
            result = self._update(objtype, uuid, tenant, wanted)
        if prior.get("name") != result.attributes.get("name"):
            # A rename: the resolver's answers for the old name (and a listing that lists
            # the object under it) must not outlive it, and the new name is this object.
            self._resolver.forget(objtype, uuid)
            self._remember(objtype, result, uuid, tenant)
        return result

    def _update(self, objtype: str, uuid: str, tenant: Tenant,
                wanted: Mapping[str, Any]) -> Seen:
        def read_merge_write() -> dict[str, Any]:
            current = self._api.get_object(objtype, uuid, tenant=tenant)
            if current is None:
                raise ProviderError(
                    f"{objtype} {uuid} no longer exists on the controller",
                    status=404, detail="It was deleted outside albform; run plan again to "
                                       "re-create it.")
            return self._api.replace_object(objtype, uuid, _merged(objtype, current, wanted),
                                            tenant=tenant,
                                            rebase=lambda fresh, _: _merged(objtype, fresh,
                                                                            wanted))

        obj = rewrite_on_conflict(read_merge_write, statuses=(412,), attempts=CONFLICT_RETRIES)
        return self._read_back(objtype, uuid, tenant, obj)

    def _read_back(self, objtype: str, uuid: str, tenant: Tenant,
                   answer: Mapping[str, Any]) -> Seen:
        """The object as a GET shows it. Write answers leave out some fields a GET has (the
        PEM of a certificate), and state must equal what the next refresh reads. If the
        read-back fails the write still happened: the write answer is used instead."""
        try:
            obj = self._api.get_object(objtype, uuid, tenant=tenant)
        except ProviderError:
            obj = None
        return seen(objtype, obj if obj is not None else answer)

    # -- delete ---------------------------------------------------------------------------
    def delete(self, objtype: str, prior: Mapping[str, Any],
               original: Mapping[str, Any] | None = None) -> None:
        if self._registry.is_singleton(objtype) or is_system_default(objtype, prior):
            if original:
                self._restore(objtype, prior, original)
            return
        uuid = object_uuid(prior)
        if uuid is None:
            return
        self._api.delete_object(objtype, uuid, tenant=self.tenant(prior))
        self._resolver.forget(objtype, uuid)


    def _restore(self, objtype: str, prior: Mapping[str, Any],
                 original: Mapping[str, Any]) -> None:
        """Put a built-in's pre-import values back; gone already is success."""
        wanted = write_body(objtype, {k: v for k, v in original.items() if v is not None})
        wanted.pop("uuid", None)
        absent = [k for k, v in original.items() if v is None]

        def body(current: Mapping[str, Any]) -> dict[str, Any]:
            merged = _merged(objtype, current, wanted)
            for name in absent:
                merged.pop(name, None)
            return merged

        tenant = self.tenant(prior)
        if self._registry.is_singleton(objtype):
            singleton = self._api.get_singleton(objtype, tenant=tenant)
            self._api.replace_object(objtype, "", body(singleton), tenant=tenant)
            return
        uuid = object_uuid(prior)
        if uuid is None:
            return
        with self._editor.lock(objtype, uuid):
            current = self._api.get_object(objtype, uuid, tenant=tenant)
            if current is not None:
                self._api.replace_object(objtype, uuid, body(current), tenant=tenant,
                                         rebase=lambda fresh, _: body(fresh))


def _merged(objtype: str, current: Mapping[str, Any], wanted: Mapping[str, Any],
            ) -> dict[str, Any]:
    """The PUT body of an update: the object as it is, the configured keys overlaid."""
    body = {**normalize_object(objtype, current), **wanted}
    body.pop("id", None)
    return body
