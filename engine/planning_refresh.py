"""The first two steps of planning: ``moved`` blocks, then refresh.

``apply_moves(config, state)`` renames state instances as ``moved`` blocks say (an instance
move names its target; a resource-level move keeps instance keys) and returns the new state
with a new → old map. ``refresh(state, provider, hook, parallelism)`` reads every managed
object back with one bulk ``read_many`` per type, at most ``parallelism`` types at once, and
returns the state as it is now (objects gone are dropped; order is kept; deposed objects are
read too). Each request carries the instance's read mark; an object the provider answers
``unchanged`` keeps its state object as it is, any other gets the attributes and mark read.
Both return
diagnostics: a failed read is an error naming the type and the API's answer, never an
exception, and the objects of that type keep their stored attributes.

``ReadsAhead(state, provider, parallelism)`` starts those reads before planning, on a helper
thread (the CLI starts it while the configuration is still decoding, so the controller's work
overlaps albform's); ``refresh(..., ahead=...)`` takes its answer for an object only when it
was asked for that very state object with the mark ``refresh`` would send, and reads every
other object itself (moved or reconciled instances, objects to read in full, types whose
early read failed). The plan is then the one a refresh started later would have made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostics
from albform.engine.hooks import Hook
from albform.engine.provider import Provider, ProviderError, ReadRequest, ReadResult
from albform.engine.schema import ResourceSchema, StateForm
from albform.engine.secrets import keep_digests
from albform.engine.state.model import ResourceState, State


def matches(selector: ResourceAddress, address: ResourceAddress) -> bool:
    """A ``-target``/``-replace``/``moved`` selector without an index selects every
    instance of the resource."""
    return selector == address or (selector.key is None and selector == address.resource())


def apply_moves(config: Configuration, state: State,
                ) -> tuple[State, dict[ResourceAddress, ResourceAddress], Diagnostics]:
    """``state`` with ``moved`` blocks applied; the map goes from new address to old."""
    diags = Diagnostics()
    if not config.moved:
        return state, {}, diags
    by_address = state.by_address()
    moves: dict[ResourceAddress, ResourceAddress] = {}
    for block in config.moved:
        for old in list(by_address):
            if not matches(block.from_address, old):
                continue
            if block.from_address == old:
                new = block.to_address
            else:
                new = block.to_address.instance(old.key)
            if new in by_address:
                diags.warning(
                    "Moved object still exists",
                    f"This statement declares a move from {old}, but that object is still "
                    f"bound to {new} as well; {old} is left where it is. Remove the moved "
                    "block or the extra object.", subject=block.source, address=old)
                continue
            resource = by_address.pop(old)
            by_address[new] = replace(resource, address=new)
            moves[new] = moves.pop(old, old)  # chained moves keep the first address
    return state.with_resources(by_address.values()), moves, diags


def _objects(state: State) -> tuple[ResourceState, ...]:
    return (*state.resources, *state.deposed) if state.deposed else state.resources


class ReadsAhead:
    """The refresh's reads of ``state`` (each object with its stored mark), started now on a
    helper thread; see the module docstring. ``answers()`` waits for them."""

    def __init__(self, state: State, provider: Provider, parallelism: int) -> None:
        self.state = state
        self._objects = _objects(state)
        self._provider = provider
        self._parallelism = parallelism
        self._answers: dict[int, tuple[ResourceState, ReadResult]] = {}
        self._thread = threading.Thread(target=self._run, name="refresh-ahead", daemon=True)
        self._thread.start()

    @classmethod
    def closed_by(cls, stack: ExitStack[Any], state: State, provider: Provider,
                  parallelism: int) -> ReadsAhead:
        """Reads started now, awaited when ``stack`` closes (before what it closes next,
        such as the provider's connection)."""
        reads = cls(state, provider, parallelism)
        stack.callback(reads.answers)
        return reads

    def _run(self) -> None:
        by_type: dict[str, list[ReadRequest]] = {}
        for i, r in enumerate(self._objects):
            if not r.address.is_data:
                by_type.setdefault(r.address.type, []).append(
                    ReadRequest(r.address.type, r.attributes, key=i, mark=r.mark))
        try:
            results, failed = _read_all(self._provider, list(by_type.values()),
                                        self._parallelism)
        except Exception:  # refresh reads again and reports what fails then
            return
        # Keyed by the state object's identity (the object itself is kept, so its id is
        # not reused): a moved or reconciled instance is a new object and is read again.
        self._answers = {id(r): (r, result) for i, r in enumerate(self._objects)
                         if r.address.type not in failed
                         and (result := results.get(i)) is not None}

    def answers(self) -> Mapping[int, tuple[ResourceState, ReadResult]]:
        """id(state object) -> (that object, what was read for it with its mark)."""
        self._thread.join()
        return self._answers


def refresh(state: State, provider: Provider, hook: Hook, parallelism: int,
            full_read: Collection[ResourceAddress] = (), ahead: ReadsAhead | None = None,
            ) -> tuple[State, Diagnostics]:
    """The state after reading every managed object back; see the module docstring. The
    objects at ``full_read`` are asked without their marks (``unheld_by_state``); ``ahead``:
    reads started earlier, used where they asked what this refresh would ask."""
    diags = Diagnostics()
    by_type: dict[str, list[ReadRequest]] = {}
    objects = _objects(state)
    early: Mapping[int, tuple[ResourceState, ReadResult]] = {}
    if ahead is not None:  # the lines while the early reads finish
        _progress(objects, hook)
        early = ahead.answers()
    answered: dict[int, ReadResult] = {}
    for i, r in enumerate(objects):
        if r.address.is_data:
            continue
        mark = None if full_read and r.address in full_read else r.mark
        if early:
            found = early.get(id(r))
            if found is not None and found[0] is r and mark == r.mark:
                answered[i] = found[1]
                continue
        # Positions, not addresses, correlate results: ints hash much faster at 50,000.
        by_type.setdefault(r.address.type, []).append(
            ReadRequest(r.address.type, r.attributes, key=i, mark=mark))
    with _Reads(provider, list(by_type.values()), parallelism) as reads:
        # The reads go out first, the progress lines meanwhile: a line per object is
        # albform's own work (50,000 of them at cluster scale), the reads the controller's.
        if ahead is None:
            _progress(objects, hook)
        results, failed = reads.results()
    if answered:
        # A type failed now fails whole, as without the early answers (module docstring).
        results.update((i, result) for i, result in answered.items()
                       if objects[i].address.type not in failed)
    for type_name, error in failed.items():
        diags.error("Failed to refresh objects",
                    f"Reading the {type_name} objects from the controller failed: {error}"
                    + (f" (HTTP {error.status})" if error.status else "")
                    + (f": {error.detail}" if error.detail else "")
                    + ". Nothing was planned; fix the problem and plan again.")
    kept: list[ResourceState] = []
    secret_paths: dict[str, list[tuple[str, ...]]] = {}
    for i, r in enumerate(objects):
        if r.address.is_data or r.address.type in failed:
            kept.append(r)
            continue
        result = results.get(i)
        if result is None:
            diags.error("Provider returned no refresh result",
                        f"The provider answered no read result for {r.address}.",
                        address=r.address)
            kept.append(r)
            continue
        diags.extend(result.diagnostics)
        attrs = result.attributes
        hook.post_refresh(r.address, attrs is None)
        if result.unchanged:
            kept.append(r)  # the provider vouches for it: same object, nothing to compare
        elif attrs is not None:
            paths = secret_paths.get(r.address.type)
            if paths is None:
                schema = provider.schema(r.address.type)
                paths = secret_paths[r.address.type] = \
                    schema.sensitive_paths() if schema is not None else []
            # The controller never returns secrets: what the state knew of them stays.
            attrs = keep_digests(r.attributes, attrs, paths)
            if attrs == r.attributes:
                kept.append(r if result.mark == r.mark else replace(r, mark=result.mark))
            else:
                kept.append(replace(r, attributes=attrs, mark=result.mark))
    if not state.deposed:
        return replace(state, resources=tuple(kept)), diags
    return replace(state, resources=tuple(r for r in kept if r.deposed is None),
                   deposed=tuple(r for r in kept if r.deposed is not None)), diags


def _progress(objects: Sequence[ResourceState], hook: Hook) -> None:
    hook.pre_refresh_all([r.address for r in objects if not r.address.is_data])


def unheld_by_state(config: Configuration, schema: Callable[[str], ResourceSchema | None],
                    ) -> frozenset[ResourceAddress]:
    """The configured resources that set a key their type's state form has no place for
    (an Avi API field the official provider lacks, ``ALBFORM_API_EXTRAS``). A state read
    back from its file has lost that key, so a mark cannot vouch for it: the plan compares
    the configuration with the object as read, and these are read in full."""
    unheld: set[ResourceAddress] = set()
    forms: dict[str, StateForm | None] = {}
    for rc in config.resources:
        if rc.address.type not in forms:
            found = schema(rc.address.type)
            forms[rc.address.type] = found.state_form if found is not None else None
        form = forms[rc.address.type]
        if form is not None and not form.holds(rc.attributes):
            unheld.add(rc.address)
    return frozenset(unheld)


def _read_all(provider: Provider, groups: Sequence[Sequence[ReadRequest]], parallelism: int,
              ) -> tuple[dict[object, ReadResult], dict[str, ProviderError]]:
    with _Reads(provider, groups, parallelism) as reads:
        return reads.results()


class _Reads:
    """``read_many`` of each group (one type's requests), at most ``parallelism`` at once on
    helper threads, started on entering; ``results()`` waits for them: every result by
    request key, and the error of each type whose read failed. Leaving waits for the reads
    still running."""

    def __init__(self, provider: Provider, groups: Sequence[Sequence[ReadRequest]],
                 parallelism: int) -> None:
        self._provider = provider
        self._groups = groups
        self._parallelism = parallelism
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[Mapping[object, ReadResult]]] = {}

    def __enter__(self) -> _Reads:
        if self._groups:
            workers = max(1, min(self._parallelism, len(self._groups)))
            self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="refresh")
            self._futures = {g[0].type_name: self._pool.submit(self._read, g)
                             for g in self._groups}
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _read(self, requests: Sequence[ReadRequest]) -> Mapping[object, ReadResult]:
        return self._provider.read_many(requests).results

    def results(self) -> tuple[dict[object, ReadResult], dict[str, ProviderError]]:
        results: dict[object, ReadResult] = {}
        failed: dict[str, ProviderError] = {}
        for type_name, future in self._futures.items():
            try:
                results.update(future.result())
            except ProviderError as exc:
                failed[type_name] = exc
        return results, failed
