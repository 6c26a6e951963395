"""Read-modify-write of one list inside a shared parent object (VRF static routes, pool
servers): the I/O half of the partial resources.

``ParentEditor.modify(objtype, uuid, tenant, field, change)`` GETs the parent, computes the
new list with ``change(current) -> (new_list, result)``, and PUTs the parent back with only
that list replaced — every other field as the controller has it. Writers in this process are
serialised per parent (one lock per object), so parallel applies of sibling members cannot
lose each other's edits. A 412 (another writer got in between; the controller asks for a
reload) makes the client read the parent again and ``change`` is applied to that fresh copy
(``rebase``), so the other writer's members survive; a 409 re-reads and recomputes here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from albform.engine.provider import ProviderError
from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.conflicts import rewrite_on_conflict
from albform.provider.resources.normalize import normalize_object

R = TypeVar("R")
Change = Callable[[Sequence[dict[str, Any]]], tuple[list[dict[str, Any]], R]]
WRITE_RETRIES = 5


class ParentGone(ProviderError):
    pass


class ParentEditor:
    def __init__(self, api: ControllerApi) -> None:
        self._api = api
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, objtype: str, uuid: str) -> threading.Lock:
        """The lock of one parent; whole-object updates of it take it too, so they cannot
        overwrite a member written at the same moment."""
        with self._guard:
            return self._locks.setdefault((objtype, uuid), threading.Lock())

    def modify(self, objtype: str, uuid: str, tenant: Tenant, field: str,
               change: Change[R]) -> tuple[dict[str, Any], R]:
        """Apply ``change`` to ``parent[field]``; returns the parent as written (or as read,
        when nothing changed) and ``change``'s result. Raises ``ParentGone`` (status 404)
        when the parent does not exist."""
        def read_modify_write() -> tuple[dict[str, Any], R]:
            parent = self._api.get_object(objtype, uuid, tenant=tenant)
            if parent is None:
                raise ParentGone(f"{objtype} {uuid} does not exist", status=404)
            current = _members(parent, field)
            new_list, result = change(current)
            if new_list == current:
                return parent, result
            return self._put(objtype, uuid, tenant, field, parent, new_list, result, change)

        with self.lock(objtype, uuid):
            return rewrite_on_conflict(read_modify_write, statuses=(409, 412),
                                       attempts=WRITE_RETRIES)

    def _put(self, objtype: str, uuid: str, tenant: Tenant, field: str,
             parent: Mapping[str, Any], members: list[dict[str, Any]], result: R,
             change: Change[R]) -> tuple[dict[str, Any], R]:
        outcome = [result]

        def rebase(fresh: Mapping[str, Any], _sent: Mapping[str, Any]) -> Mapping[str, Any]:
            # 412: someone else wrote the parent; merge again into what is there now.
            again, outcome[0] = change(_members(fresh, field))
            return _body(objtype, fresh, field, again)

        answer = self._api.replace_object(objtype, uuid, _body(objtype, parent, field, members),
                                          tenant=tenant, rebase=rebase)
        return answer, outcome[0]


def _members(parent: Mapping[str, Any], field: str) -> list[dict[str, Any]]:
    return [dict(x) for x in parent.get(field) or [] if isinstance(x, dict)]


def _body(objtype: str, parent: Mapping[str, Any], field: str,
          members: list[dict[str, Any]]) -> dict[str, Any]:
    body = normalize_object(objtype, parent)
    body.pop("id", None)
    if members:
        body[field] = members
    else:
        # An empty list is sent as no list: a controller renders an empty repeated field as
        # absent, so the parent reads as it did before its first member was added.
        body.pop(field, None)
    if "_last_modified" in parent:  # lets a checking controller answer 412
        body["_last_modified"] = parent["_last_modified"]
    return body
