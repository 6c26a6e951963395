"""``AviClient``: object-level operations over an ``AviSession``.

Semantics the resources layer relies on:

* **Idempotent create**: the uuid is chosen before the POST and sent as ``Slug``. If an
  attempt fails in a way that may have been applied (timeout after sending, 5xx), the next
  attempt first GETs that uuid and returns the object if it exists; a 409 after such a
  failure is answered the same way ("already done"). So a retried POST never duplicates.
* ``get_object`` returns None on 404; ``delete_object`` treats 404 as success (returns False:
  "was already gone"). 403 on delete ("still referenced") is an error, unlike the provider.
* ``replace_object`` (PUT) answers a 412 by re-reading the object and, through ``rebase``,
  recomputing the body (default: send the same body again), up to ``max_precondition_retries``.
* ``list_collection`` pages through ``GET /api/<type>`` (``page_size`` ≤ 200, ``next`` links
  rewritten to our controller address) and reports the API calls it made.
"""

from __future__ import annotations

import logging
import uuid as uuidlib
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from albform.provider.client.config import ClientConfig
from albform.provider.client.errors import (
    AviApiError,
    AviError,
    AviTransportError,
    ObjectConflict,
    ObjectNotFound,
    PreconditionFailed,
    ServerError,
)
from albform.provider.client.paging import (
    CollectionQuery,
    CollectionResult,
    describe,
    rebase_next,
)
from albform.provider.client.retry import RetryPolicy
from albform.provider.client.session import AviSession, Tenant

log = logging.getLogger("albform.provider.client")
PATCH_OPS = frozenset({"add", "replace", "delete"})
Rebase = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]


def new_uuid(objtype: str) -> str:
    """A controller-style uuid, ``<objtype>-<uuid4>``, chosen by us before creating."""
    return f"{objtype}-{uuidlib.uuid4()}"


class AviClient:
    """Avi objects by type and uuid. Thread-safe (one session shared by all threads)."""

    def __init__(self, session: AviSession, *, max_precondition_retries: int = 3) -> None:
        self.session = session
        self.max_precondition_retries = max_precondition_retries

    @classmethod
    def connect(cls, config: ClientConfig, *, retry: RetryPolicy | None = None) -> AviClient:
        """A client for ``config``; logs in lazily, on the first request."""
        return cls(AviSession(config, retry=retry))

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> AviClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def api_calls(self) -> int:
        return self.session.api_calls

    # -- reads -----------------------------------------------------------------------------

    def get_object(self, objtype: str, uuid: str, *, tenant: Tenant = None,
                   params: Mapping[str, str] | None = None) -> dict[str, Any] | None:
        try:
            found = self.session.json("GET", _instance(objtype, uuid), params=params,
                                      tenant=tenant)
        except ObjectNotFound:
            return None
        return _as_object(found, objtype)

    def get_runtime(self, objtype: str, uuid: str, *, tenant: Tenant = None) -> Any:
        """``GET /api/<type>/<uuid>/runtime/`` (oper status; a list for some types), or None
        when the object is gone."""
        try:
            return self.session.json("GET", f"{_instance(objtype, uuid)}/runtime/",
                                     tenant=tenant)
        except ObjectNotFound:
            return None

    def get_singleton(self, objtype: str, *, tenant: Tenant = None) -> dict[str, Any]:
        return _as_object(self.session.json("GET", f"/api/{objtype}", tenant=tenant), objtype)

    def get_by_name(self, objtype: str, name: str, *, tenant: Tenant = None,
                    filters: Mapping[str, str] | None = None) -> dict[str, Any] | None:
        """The one object named ``name`` (None if none); more than one is an error."""
        found = self.list_collection(objtype, CollectionQuery(
            filters={"name": name, **(filters or {})}), tenant=tenant).objects
        if len(found) > 1:
            raise AviError(f"more than one {objtype} named {name!r} "
                           f"({', '.join(str(o.get('uuid')) for o in found)})")
        return found[0] if found else None

    def list_objects(self, objtype: str, params: Mapping[str, str] | None = None, *,
                     tenant: Tenant = None) -> list[dict[str, Any]]:
        """Every object matching ``params`` (raw query filters), all pages followed."""
        return self.list_collection(objtype, CollectionQuery(filters=dict(params or {})),
                                    tenant=tenant).objects

    def list_page(self, objtype: str, params: Mapping[str, str], *, tenant: Tenant = None,
                  ) -> tuple[list[dict[str, Any]], int]:
        """One page of a collection, ``next`` not followed: its objects and the controller's
        ``count`` of every matching object (for callers that fetch pages by number)."""
        path = f"/api/{objtype}"
        page = _collection_page(self.session.json("GET", path, params=params, tenant=tenant),
                                path, params)
        return [o for o in page["results"] if isinstance(o, dict)], \
            int(page.get("count", 0) or 0)

    def list_collection(self, objtype: str, query: CollectionQuery | None = None, *,
                        tenant: Tenant = None) -> CollectionResult:
        query = query or CollectionQuery()
        objects: list[dict[str, Any]] = []
        total = 0
        seen: set[str] = set()
        with self.session.counting() as tally:
            for params in query.query_params():
                path: str = f"/api/{objtype}"
                page_params: Mapping[str, str] | None = params
                while True:
                    page = _collection_page(
                        self.session.json("GET", path, params=page_params, tenant=tenant),
                        path, params)
                    objects.extend(o for o in page["results"] if isinstance(o, dict))
                    next_url = page.get("next")
                    if not next_url or next_url in seen:
                        total += int(page.get("count", 0) or 0)
                        break
                    seen.add(next_url)
                    path, page_params = rebase_next(str(next_url), self.session.base_url)
        return CollectionResult(objects=objects, count=total, api_calls=tally.calls)

    # -- writes ----------------------------------------------------------------------------

    def create_object(self, objtype: str, body: Mapping[str, Any], *, tenant: Tenant = None,
                      uuid: str | None = None) -> dict[str, Any]:
        """POST with a uuid chosen up front (``Slug``), safe to retry (module docstring)."""
        chosen = uuid or (body.get("uuid") if isinstance(body.get("uuid"), str) else None) \
            or new_uuid(objtype)
        path = f"/api/{objtype}"
        uncertain = False

        def attempt() -> dict[str, Any]:
            nonlocal uncertain
            if uncertain:
                existing = self._get_once(objtype, chosen, tenant)
                if existing is not None:
                    log.info("create of %s %s was applied before the error; not repeating",
                             objtype, chosen)
                    return existing
            try:
                created = self.session.json("POST", path, json_body=dict(body), tenant=tenant,
                                            headers={"Slug": chosen}, idempotent=True,
                                            retry=False)
            except (AviTransportError, ServerError) as exc:
                if not isinstance(exc, AviTransportError) or exc.request_sent:
                    uncertain = True
                raise
            except ObjectConflict:
                if uncertain:
                    existing = self._get_once(objtype, chosen, tenant)
                    if existing is not None:
                        log.info("409 for %s %s after an uncertain attempt: already created",
                                 objtype, chosen)
                        return existing
                raise
            result = _as_object(created, objtype)
            if result.get("uuid") not in (None, chosen):
                log.warning("controller ignored the Slug header for %s (asked %s, got %s)",
                            objtype, chosen, result.get("uuid"))
            return result

        return self.session.retry.call(attempt, what=f"create {objtype} {chosen}")

    def _get_once(self, objtype: str, uuid: str, tenant: Tenant) -> dict[str, Any] | None:
        # Inside another retry loop: one attempt, its failure is that loop's business.
        try:
            found = self.session.json("GET", _instance(objtype, uuid), tenant=tenant,
                                      retry=False)
        except ObjectNotFound:
            return None
        return _as_object(found, objtype)

    def replace_object(self, objtype: str, uuid: str, body: Mapping[str, Any], *,
                       tenant: Tenant = None, rebase: Rebase | None = None) -> dict[str, Any]:
        """PUT (full replace); ``uuid`` empty for singletons (``PUT /api/systemconfiguration``)."""
        path = _instance(objtype, uuid) if uuid else f"/api/{objtype}"
        sending: list[Mapping[str, Any]] = [body]

        def put() -> dict[str, Any]:
            return _as_object(self.session.json("PUT", path, json_body=dict(sending[0]),
                                                tenant=tenant), objtype)

        def reread(state: RetryCallState) -> None:
            # 412 (module docstring): the next attempt sends ``body`` rebased on a fresh read.
            fresh = self.get_object(objtype, uuid, tenant=tenant) if uuid \
                else self.get_singleton(objtype, tenant=tenant)
            if fresh is None:  # gone meanwhile: the 412 stands
                failed = state.outcome.exception() if state.outcome is not None else None
                raise failed if failed is not None else RuntimeError("412 without an error")
            log.info("412 on PUT %s; re-read it and retrying", path)
            sending[0] = rebase(fresh, body) if rebase is not None else body

        retrying = Retrying(stop=stop_after_attempt(self.max_precondition_retries + 1),
                            retry=retry_if_exception_type(PreconditionFailed),
                            before_sleep=reread, reraise=True)
        return retrying(put)

    def patch_object(self, objtype: str, uuid: str, op: str, data: Mapping[str, Any], *,
                     tenant: Tenant = None) -> dict[str, Any]:
        """PATCH ``{op: data}`` (op: add | replace | delete). Not idempotent: retried only when
        the request certainly did not reach the controller."""
        if op not in PATCH_OPS:
            raise ValueError(f"PATCH op must be one of {sorted(PATCH_OPS)}, not {op!r}")
        path = _instance(objtype, uuid) if uuid else f"/api/{objtype}"
        return _as_object(self.session.json("PATCH", path, json_body={op: dict(data)},
                                            tenant=tenant), objtype)

    def delete_object(self, objtype: str, uuid: str, *, tenant: Tenant = None) -> bool:
        """DELETE; True if this call deleted it, False if it was already gone."""
        try:
            self.session.request("DELETE", _instance(objtype, uuid), tenant=tenant)
        except ObjectNotFound:
            return False
        return True


def _instance(objtype: str, uuid: str) -> str:
    if not uuid:
        raise AviError(f"no uuid given for a {objtype} object")
    # Quoted, so a stray name or url fragment becomes a 404 rather than another endpoint.
    return f"/api/{objtype}/{quote(uuid, safe='')}"


def _as_object(payload: Any, objtype: str) -> dict[str, Any]:
    if isinstance(payload, dict):
        return payload
    if payload is None:
        return {}
    raise AviApiError(200, f"expected a JSON object for {objtype}, got {type(payload).__name__}")


def _collection_page(page: Any, path: str, params: Mapping[str, str],
                     ) -> Mapping[str, Any]:
    """``page`` when it is a collection answer (a ``results`` list); else ``AviError``."""
    if not isinstance(page, Mapping) or not isinstance(page.get("results"), list):
        raise AviError(f"GET {describe(path, params)}: not a collection answer")
    return page
