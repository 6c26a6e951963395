"""Bulk refresh: many managed objects read with a few paged collection GETs.

Requests are grouped by (api type, tenant); each group's uuids go into ``uuid.in`` filters of
at most ``BATCH`` uuids (and a URL budget), with ``page_size=200``, so 20,000 objects cost
about 100 calls instead of 20,000; up to ``FETCH_WORKERS`` of those run at once. A group of
more than ``LISTING_AT`` uuids that is most of its collection reads the whole collection in
numbered pages instead (``BulkReader._fetch_all``). Objects missing from the answers no longer
exist (drift: ``attributes=None``). Static routes are
grouped by VrfContext and ``avi_server`` members by pool: one GET per parent whatever the
number of members. Singletons and requests with no uuid are read one by one.

Requests whose read mark is current (``read_marks``) are first asked for their
``_last_modified`` alone (``fields=uuid,_last_modified``, in the same pages or ``uuid.in``
batches), and only those whose ``_last_modified`` moved — and the unmarked — are then read in
full (``BulkReader._read_groups``): a refresh where nothing changed decodes and normalises no
body. Answers carry the mark of what they read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from albform.engine.provider import ProviderError, ReadRequest, ReadResult
from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.listings import LISTING_FIELDS, CollectionListings
from albform.provider.resources.normalize import normalize_object, object_uuid
from albform.provider.resources.pool_servers import PoolServers
from albform.provider.resources.read_marks import STAMP_FIELDS, ReadMarks, stamp_of
from albform.provider.resources.registry import SERVER_TYPE
from albform.provider.resources.static_routes import StaticRoutes

BATCH = 200
FETCH_WORKERS = 4
# More uuids of one (type, tenant) than this: read the whole collection when they are most of
# it (``BulkReader._fetch_all``): page requests name no uuids, where a uuid.in URL of 200 uuids
# costs its client-side encoding and the controller its IN list, per request.
LISTING_AT = 2 * BATCH
URL_BUDGET = 12_000  # characters of uuid list per request; servers cap request lines


def chunks(uuids: Sequence[str], size: int = BATCH, budget: int = URL_BUDGET,
           ) -> Iterator[list[str]]:
    """Consecutive slices of ``uuids`` with at most ``size`` items and ``budget`` characters."""
    batch: list[str] = []
    used = 0
    for uuid in uuids:
        if batch and (len(batch) >= size or used + len(uuid) + 1 > budget):
            yield batch
            batch, used = [], 0
        batch.append(uuid)
        used += len(uuid) + 1
    if batch:
        yield batch


class BulkReader:
    def __init__(self, api: ControllerApi, routes: StaticRoutes, servers: PoolServers,
                 api_type: Callable[[str], str], tenant_of: Callable[[Mapping[str, Any]], Tenant],
                 is_partial: Callable[[str], bool],
                 read_one: Callable[[ReadRequest], ReadResult],
                 read_alone: Callable[[str], bool], listings: CollectionListings,
                 counting: Callable[[], AbstractContextManager[Any]] | None = None,
                 marks: ReadMarks | None = None) -> None:
        self._api = api
        self._routes = routes
        self._servers = servers
        self._api_type = api_type
        self._tenant_of = tenant_of
        self._is_partial = is_partial
        self._read_one = read_one
        self._read_alone = read_alone
        self._counting = counting
        self._marks = marks or ReadMarks(api)
        self._listings = listings

    def read_many(self, requests: Sequence[ReadRequest]) -> tuple[dict[object, ReadResult], int]:
        """Results by request key, and the API calls made on helper threads (counted only
        when ``counting`` was given; the caller's own tally sees its own thread only)."""
        results: dict[object, ReadResult] = {}
        # Per type name, asked once: (API type, read alone, partial). A refresh sends one type.
        kinds: dict[str, tuple[str, bool, bool]] = {}
        for req in requests:
            if req.type_name not in kinds and req.type_name != SERVER_TYPE:
                kinds[req.type_name] = (self._api_type(req.type_name),
                                        self._read_alone(req.type_name),
                                        self._is_partial(req.type_name))
        if any(partial for _, _, partial in kinds.values()):
            self._routes.forget_views()
        groups: dict[tuple[str, Tenant], list[tuple[ReadRequest, str]]] = {}
        route_groups: dict[tuple[str, Tenant], list[ReadRequest]] = {}
        member_groups: dict[tuple[str, Tenant], list[ReadRequest]] = {}
        for req in requests:
            if req.type_name == SERVER_TYPE:
                pool_id = self._servers.pool_uuid(req.attributes)
                if pool_id is None:
                    results[req.key] = ReadResult(None)
                else:
                    member_groups.setdefault((pool_id, self._tenant_of(req.attributes)), []) \
                        .append(req)
                continue
            objtype, alone, partial = kinds[req.type_name]
            if alone:  # singletons: one GET each
                results[req.key] = self._read_one(req)
                continue
            if partial:
                vrf_id = self._routes.vrf_from_state(req.attributes)
                if vrf_id is None:
                    results[req.key] = ReadResult(None)
                else:
                    route_groups.setdefault((vrf_id, self._tenant_of(req.attributes)), []) \
                        .append(req)
                continue
            uuid = object_uuid(req.attributes)
            if uuid is None:
                results[req.key] = self._read_one(req)
                continue
            key = (objtype, self._tenant_of(req.attributes))
            groups.setdefault(key, []).append((req, uuid))
        worker_calls = self._read_groups(groups, results)
        for (vrf_uuid, vrf_tenant), reqs in route_groups.items():
            vrf = self._api.get_object("vrfcontext", vrf_uuid, tenant=vrf_tenant)
            view = None if vrf is None else self._routes.view_of(vrf, keep=True)
            for req in reqs:
                state = None if view is None else self._routes.route_from_vrf(view,
                                                                              req.attributes)
                results[req.key] = ReadResult(state)
        for (pool_uuid, pool_tenant), reqs in member_groups.items():
            pool = self._api.get_object("pool", pool_uuid, tenant=pool_tenant)
            for req in reqs:
                member = None if pool is None else self._servers.member_from_pool(
                    pool, req.attributes)
                results[req.key] = ReadResult(member)
        return results, worker_calls

    def _read_groups(self, groups: Mapping[_Group, Sequence[tuple[ReadRequest, str]]],
                     results: dict[object, ReadResult]) -> int:
        """Read each group's (request, uuid) members into ``results``; the API calls made on
        helper threads. Members with a current mark are checked by ``_last_modified`` first
        (module docstring): unchanged ones keep their attributes, missing ones are gone, the
        rest are read in full with the unmarked."""
        read_stamp = self._marks.stamp_reader()
        stamps = {req.key: stamp for members in groups.values()
                  for req, _ in members if (stamp := read_stamp(req.mark)) is not None}
        listed, calls = self._fetch_all(
            {group: [u for req, u in members if req.key in stamps]
             for group, members in groups.items()}, fields=STAMP_FIELDS) if stamps \
            else ({group: {} for group in groups}, 0)
        full: dict[_Group, list[str]] = {}
        for group, members in groups.items():
            for req, uuid in members:
                stamp = stamps.get(req.key)
                if stamp is None:
                    full.setdefault(group, []).append(uuid)
                    continue
                now = listed[group].get(uuid)
                if now is None:
                    results[req.key] = ReadResult(None)
                elif stamp_of(now) == stamp:
                    results[req.key] = ReadResult(req.attributes, mark=req.mark, unchanged=True)
                else:
                    full.setdefault(group, []).append(uuid)
        found_by_group, more = self._fetch_all(full)
        mark = self._marks.marker()
        for group in full:
            objtype = group[0]
            found = found_by_group[group]
            for req, uuid in groups[group]:
                if req.key in results:  # unchanged or gone: answered above
                    continue
                obj = found.get(uuid)
                results[req.key] = ReadResult(None) if obj is None else ReadResult(
                    normalize_object(objtype, obj), mark=mark(stamp_of(obj)))
        return calls + more

    def _fetch_all(self, groups: Mapping[_Group, Sequence[str]], fields: str | None = None,
                   ) -> tuple[dict[_Group, dict[str, dict[str, Any]]], int]:
        """The objects of every group by uuid, and the API calls made on helper threads.

        A group of more than ``LISTING_AT`` uuids first reads its collection's first page:
        when the group is at least half of the collection (``count``), the other pages are
        read by number, every one of them at once, and the uuids no page had are asked for
        again with ``uuid.in`` (a page read while objects come and go can shift past one;
        a deleted object costs that one query too). Otherwise, and for smaller groups, the
        uuids are asked for in ``uuid.in`` batches. Up to ``FETCH_WORKERS`` requests run at
        once: the latency of a controller answer, not its work, dominates. ``fields``
        projects every answer (``fields=`` of the API), the strategy stays the same.

        The stamp pass (``fields`` = ``STAMP_FIELDS``) lists with ``LISTING_FIELDS`` instead
        and shares its whole listings with the reference resolver (``listings``): a listing
        of a big group still being read when this call began, or begun later (another
        thread's, awaited), stands for its pages, and those read here are kept."""
        shared = fields == STAMP_FIELDS
        # Whole collection pages may become a shared listing; uuid.in batches never do.
        batch_extra = {"fields": fields} if fields else {}
        extra = {"fields": LISTING_FIELDS} if shared else batch_extra
        started = time.monotonic()
        wanted = {group: list(dict.fromkeys(uuids)) for group, uuids in groups.items()}
        found: dict[_Group, dict[str, dict[str, Any]]] = {g: {} for g in groups}
        big = [group for group, uuids in wanted.items() if len(uuids) > LISTING_AT]
        listed: set[_Group] = set()
        claims: dict[_Group, float] = {}
        if shared:
            for group in big:
                kept = self._listings.current(group, started)
                if kept is not None:
                    found[group].update(kept.objects)
                    listed.add(group)
                elif (began := self._listings.begin(group)) is not None:
                    claims[group] = began
        try:
            calls = self._read_pages([g for g in big if g not in listed], wanted, found,
                                     listed, extra, batch_extra)
            for group in [g for g in claims if g in listed]:
                self._listings.put(group, found[group].values(), claims.pop(group))
        finally:
            for group, began in claims.items():  # not listed after all, or failed
                self._listings.abandon(group, began)
        again = _batches({g: wanted[g] for g in listed}, found, batch_extra)
        more, n = self._run(again)
        for (group, _), (objects, _) in zip(again, more, strict=True):
            found[group].update(objects)
        return found, calls + n

    def list_whole(self, group: _Group) -> list[dict[str, Any]]:
        """Every object of ``group``'s collection with ``LISTING_FIELDS``: the first page,
        then the others by number, at once (``_fetch_all``'s listing, for the resolver)."""
        extra = {"fields": LISTING_FIELDS}
        objects, count = self._fetch(group, _page(1, extra))
        for more, _ in self._run(_other_pages(group, count, extra))[0]:
            objects.update(more)
        return list(objects.values())

    def _read_pages(self, big: Sequence[_Group], wanted: Mapping[_Group, Sequence[str]],
                    found: dict[_Group, dict[str, dict[str, Any]]], listed: set[_Group],
                    extra: Mapping[str, str], batch_extra: Mapping[str, str]) -> int:
        """``_fetch_all``'s reads before the second look: the first page of each ``big``
        group, the other pages of those that are most of their collection (added to
        ``listed``), ``uuid.in`` batches for the rest of ``wanted`` outside ``listed``; the
        objects into ``found``; the API calls made on helper threads. ``extra``: the pages'
        parameters, ``batch_extra``: the batches'."""
        firsts, calls = self._run([(group, _page(1, extra)) for group in big])
        tasks: list[_Task] = []
        for group, (objects, count) in zip(big, firsts, strict=True):
            found[group].update(objects)
            if 2 * len(wanted[group]) >= count:
                listed.add(group)
                tasks.extend(_other_pages(group, count, extra))
        tasks.extend(_batches(wanted, found, batch_extra, exclude=listed))
        more, n = self._run(tasks)
        for (group, _), (objects, _) in zip(tasks, more, strict=True):
            found[group].update(objects)
        return calls + n

    def _run(self, tasks: Sequence[_Task]) -> tuple[list[tuple[dict[str, Any], int]], int]:
        """Each task's answer (objects by uuid, the collection's count for a page), in order,
        and the calls made on helper threads (counted only when ``counting`` was given)."""
        if len(tasks) <= 1 or self._counting is None:
            return [self._fetch(*task) for task in tasks], 0
        counting = self._counting

        def run(task: _Task) -> tuple[tuple[dict[str, Any], int], int]:
            with counting() as tally:
                got = self._fetch(*task)
            return got, int(tally.calls)

        out: list[tuple[dict[str, Any], int]] = []
        calls = 0
        with ThreadPoolExecutor(min(FETCH_WORKERS, len(tasks))) as pool:
            for got, n in pool.map(run, tasks):
                out.append(got)
                calls += n
        return out, calls

    def _fetch(self, group: _Group, params: Mapping[str, str],
               ) -> tuple[dict[str, Any], int]:
        """A ``uuid.in`` request (every page followed; count 0) or one numbered page of the
        whole collection (its count; a page past the end, 404 on some controllers, is
        empty)."""
        objtype, tenant = group
        if "uuid.in" in params:
            objects, count = self._api.list_objects(objtype, params, tenant=tenant), 0
        else:
            try:
                objects, count = self._api.list_page(objtype, params, tenant=tenant)
            except ProviderError as exc:
                if exc.status != 404:
                    raise
                objects, count = [], 0
        return {obj["uuid"]: obj for obj in objects if isinstance(obj.get("uuid"), str)}, count


_Group = tuple[str, Tenant]  # (API type, tenant)
_Task = tuple[_Group, Mapping[str, str]]


def _page(number: int, extra: Mapping[str, str]) -> dict[str, str]:
    return {"page": str(number), "page_size": str(BATCH), **extra}


def _other_pages(group: _Group, count: int, extra: Mapping[str, str]) -> list[_Task]:
    """Pages 2.. of a collection of ``count`` objects whose first page was read."""
    return [(group, _page(n, extra)) for n in range(2, -(-count // BATCH) + 1)]


def _batches(wanted: Mapping[_Group, Sequence[str]], found: Mapping[_Group, Mapping[str, Any]],
             extra: Mapping[str, str], exclude: set[_Group] | None = None) -> list[_Task]:
    """``uuid.in`` requests for the wanted uuids not found yet."""
    return [(group, {"uuid.in": ",".join(batch), "page_size": str(BATCH), **extra})
            for group, uuids in wanted.items() if not exclude or group not in exclude
            for batch in chunks([u for u in uuids if u not in found[group]], BATCH)]
