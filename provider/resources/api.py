"""What the resources layer needs from a controller connection (``ControllerApi``).

``albform.provider.client.AviClient`` implements it as is; keeping the seam this narrow is
what lets the CRUD code be read without knowing about sessions, retries or paging.
Semantics every implementation must keep:

* failures raise ``albform.engine.provider.ProviderError`` (or a subclass) with ``status``
  set to the HTTP status when there was one; ``get_object`` returns None on 404;
* ``list_objects`` follows ``next`` links itself and returns every matching object;
  ``list_page`` returns one page and the collection's ``count``;
* ``api_calls`` counts HTTP requests made so far (pages, retries and re-logins included),
  so ``read_many`` can report what a refresh cost;
* ``tenant`` is a ``Tenant`` scope: a name (``X-Avi-Tenant``) or uuid (``X-Avi-Tenant-UUID``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Tenant:
    """The tenant a request runs in. Neither set = the connection's default tenant."""

    name: str | None = None
    uuid: str | None = None

    def headers(self) -> dict[str, str]:
        if self.uuid:
            return {"X-Avi-Tenant-UUID": self.uuid}
        if self.name:
            return {"X-Avi-Tenant": self.name}
        return {}


DEFAULT_TENANT = Tenant()
Rebase = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]


class ControllerApi(Protocol):
    @property
    def api_calls(self) -> int:
        ...

    def get_object(self, objtype: str, uuid: str, *, tenant: Tenant = DEFAULT_TENANT,
                   params: Mapping[str, str] | None = None) -> dict[str, Any] | None:
        """``GET /api/<type>/<uuid>`` (``params``: ``fields=...`` projects it), or None when
        the object does not exist."""
        ...

    def get_runtime(self, objtype: str, uuid: str, *, tenant: Tenant = DEFAULT_TENANT,
                    ) -> Any:
        """``GET /api/<type>/<uuid>/runtime/``: the controller's runtime answer (JSON), or
        None when the object is gone."""
        ...

    def get_singleton(self, objtype: str, *, tenant: Tenant = DEFAULT_TENANT,
                      ) -> dict[str, Any]:
        """``GET /api/<type>`` of a PUT-only singleton (``systemconfiguration``...)."""
        ...

    def list_objects(self, objtype: str, params: Mapping[str, str], *,
                     tenant: Tenant = DEFAULT_TENANT) -> list[dict[str, Any]]:
        ...

    def list_page(self, objtype: str, params: Mapping[str, str], *,
                  tenant: Tenant = DEFAULT_TENANT) -> tuple[list[dict[str, Any]], int]:
        """One page (``page``, ``page_size`` in ``params``), ``next`` not followed: its
        objects and the ``count`` of all matching objects."""
        ...

    def create_object(self, objtype: str, body: Mapping[str, Any], *,
                      tenant: Tenant = DEFAULT_TENANT, uuid: str | None = None,
                      ) -> dict[str, Any]:
        """POST; ``uuid`` is forced with the ``Slug`` header (idempotent retries)."""
        ...

    def replace_object(self, objtype: str, uuid: str, body: Mapping[str, Any], *,
                       tenant: Tenant = DEFAULT_TENANT, rebase: Rebase | None = None,
                       ) -> dict[str, Any]:
        """PUT (full replace) of one object, or of a singleton when ``uuid`` is empty. On 412
        the object is read again and ``rebase(fresh, body)`` gives the body to send next."""
        ...

    def delete_object(self, objtype: str, uuid: str, *,
                      tenant: Tenant = DEFAULT_TENANT) -> object:
        """DELETE; an object that is already gone is success (the answer is not used)."""
        ...
