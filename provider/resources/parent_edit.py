"""Read-modify-write of one list inside a shared parent object (VRF static routes, pool
servers): the I/O half of the partial resources.

``ParentEditor.modify(objtype, uuid, tenant, field, change)`` GETs the parent, computes the
new list with ``change(current) -> (new_list, result)``, and PUTs the parent back with only
that list replaced — every other field as the controller has it. Writers in this process are
serialised per parent (one lock per object), so parallel applies of sibling members cannot
lose each other's edits. A 412 (another writer got in between; the controller asks for a
reload) makes the client read the parent again and ``change`` is applied to that fresh copy
(``rebase``), so the other writer's members survive; a 409 re-reads and recomputes here.

Group commit: the edits that wait for a parent's lock while it is being written are made
together, in one GET and one PUT, by the first of them to get the lock: a cluster's 2,000
static routes created by ten parallel workers cost about 200 writes of the VRF instead of
2,000 (each of which carries every route written so far). The changes are applied in turn,
each to the list the previous one left; every caller gets the parent as written and its own
change's result. A change that raises a ``ProviderError`` fails its own caller only. A batch
the controller refuses (other than for conflicts, retried as above, or the parent being
gone) is written again one edit at a time, so that only the edit at fault fails. Each edit
joins a batch from inside its own ``modify`` call, so whatever the caller records before
calling (the engine's intent journal) is recorded before anything of it is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from albform.engine.provider import ProviderError
from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.conflicts import rewrite_on_conflict
from albform.provider.resources.normalize import normalize_object

R = TypeVar("R")
Change = Callable[[Sequence[dict[str, Any]]], tuple[list[dict[str, Any]], R]]
WRITE_RETRIES = 5
_BatchKey = tuple[str, str, Tenant, str]  # (objtype, uuid, tenant, field)


class ParentGone(ProviderError):
    pass


class _Edit(Generic[R]):
    """One caller's change and, once its batch is written, its outcome."""

    def __init__(self, change: Change[R]) -> None:
        self.change = change
        self.done = False
        self.parent: dict[str, Any] = {}
        self.result: R | None = None
        self.error: BaseException | None = None

    def outcome(self) -> tuple[dict[str, Any], R]:
        assert self.done
        if self.error is not None:
            raise self.error
        return self.parent, self.result  # type: ignore[return-value]  # set when no error


class ParentEditor:
    def __init__(self, api: ControllerApi) -> None:
        self._api = api
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self._waiting: dict[_BatchKey, list[_Edit[Any]]] = {}

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
        edit: _Edit[R] = _Edit(change)
        key: _BatchKey = (objtype, uuid, tenant, field)
        with self._guard:
            self._waiting.setdefault(key, []).append(edit)
        with self.lock(objtype, uuid):
            if not edit.done:  # nobody took it into a batch meanwhile: lead one
                with self._guard:
                    batch = self._waiting.pop(key)
                self._settle(key, batch)
        return edit.outcome()

    def _settle(self, key: _BatchKey, batch: list[_Edit[Any]]) -> None:
        """Write ``batch`` and give every edit its outcome (module docstring)."""
        try:
            written = rewrite_on_conflict(lambda: self._read_modify_write(key, batch),
                                          statuses=(409, 412), attempts=WRITE_RETRIES)
        except ProviderError as exc:
            if len(batch) > 1 and not isinstance(exc, ParentGone):
                for edit in batch:
                    self._settle(key, [edit])
                return
            written = {id(edit): exc for edit in batch}
        except BaseException as exc:
            for edit in batch:
                edit.error, edit.done = exc, True
            raise
        for edit in batch:
            outcome = written[id(edit)]
            if isinstance(outcome, BaseException):
                edit.error = outcome
            else:
                edit.parent, edit.result = outcome
            edit.done = True

    def _read_modify_write(self, key: _BatchKey, batch: Sequence[_Edit[Any]],
                           ) -> dict[int, tuple[dict[str, Any], Any] | ProviderError]:
        objtype, uuid, tenant, field = key
        parent = self._api.get_object(objtype, uuid, tenant=tenant)
        if parent is None:
            raise ParentGone(f"{objtype} {uuid} does not exist", status=404)
        current = _members(parent, field)
        members, results = _apply_all(batch, current)
        if members != current:
            def rebase(fresh: Mapping[str, Any], _sent: Mapping[str, Any]) -> Mapping[str, Any]:
                # 412: someone else wrote the parent; merge again into what is there now.
                again, results[:] = _apply_all(batch, _members(fresh, field))
                return _body(objtype, fresh, field, again)

            parent = self._api.replace_object(objtype, uuid,
                                              _body(objtype, parent, field, members),
                                              tenant=tenant, rebase=rebase)
        return {id(edit): result if isinstance(result, ProviderError) else (parent, result)
                for edit, result in zip(batch, results, strict=True)}


def _apply_all(batch: Sequence[_Edit[Any]], current: list[dict[str, Any]],
               ) -> tuple[list[dict[str, Any]], list[Any]]:
    """Each edit's change applied to the list the previous one left: (the final list, each
    change's result or the ``ProviderError`` it raised)."""
    members, results = current, []
    for edit in batch:
        try:
            members, result = edit.change(members)
        except ProviderError as exc:
            result = exc
        results.append(result)
    return members, results


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
