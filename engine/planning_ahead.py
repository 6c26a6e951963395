"""Desired values worked out ahead: configured resources canonicalised while the refresh runs.

The refresh mostly waits for the controller to answer; canonicalising the configuration
(``Provider.canonicalize``: reference lookups, coercions) is the planner's own work. Nothing
made them wait for each other, so ``planning._build_plan`` runs ``DesiredAhead`` on a helper
thread during the refresh, and ``planning_resource`` takes its answers (``Planner.ahead``).

The helper first builds the configuration's dependency graph (``planning_graph``), which the
planner then takes instead of building it again (``config_graph``), and canonicalises the
resources by its levels: those depending on no other configured resource first (a cluster's
pools and VIPs refer to a few objects the controller already has), then those whose
dependencies all came before, and so on. A provider resolves a reference to an object by
name from a listing of its collection, which the refresh is reading meanwhile: a virtual
service waits for the listings of its pools and VIPs, and done first (a cluster lists each
service's objects together) it would hold the helper up until the refresh's end.

A resource whose attributes hold no ``Deferred`` is canonicalised as it is. One that refers to
others needs their planned values, not known before they are planned; it is worked out with
the values the state read before the refresh holds (``guesses``: each address's attribute
mapping), recording the very mapping object each reference was resolved against, and its
answer is used only if the planner's value of every one of them is that same object (a
referenced object planned without change keeps its state's mapping: ``refresh`` keeps an
unchanged object, ``plan_resource`` plans its no-op with it). ``Deferred.evaluate`` is pure
(``engine/values.py``), so the same mappings resolve to the same attributes; a guess whose
resolution fails is dropped, and the planner resolves and reports as without it.

``canonicalize`` may read but never writes (its contract) and a plan's reads all see the same
controller, so an answer worked out earlier is the answer the planner would have got; a
failure is kept and raised where the resource is planned, so diagnostics come out in the same
order as without it. Leaving the ``with`` block stops the helper (its unfinished work is
simply done by the planner).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import ResourceConfig
from albform.engine.noop_memo import REMEMBERED, Verdicts
from albform.engine.planning_graph import ConfigGraph, config_graph
from albform.engine.provider import Provider
from albform.engine.values import resolve_deferred

Resolve = Callable[[ResourceAddress], Mapping[str, Any]]
# (canonical attributes, or REMEMBERED; the exception canonicalize raised; the guesses used;
# the digest of the resolved attributes, ``Verdicts.digest``)
_Answer = tuple[dict[str, Any] | None, Exception | None,
                dict[ResourceAddress, Mapping[str, Any]] | None, bytes | None]


class _NoGuess(Exception):
    """A reference to an address the state holds no object for: nothing to guess with."""


class DesiredAhead:
    """``take(address, resolve)``: the canonical desired attributes of a resource, if
    worked out (with the planner's values, for one that refers to others)."""

    def __init__(self, provider: Provider, resources: Sequence[ResourceConfig],
                 guesses: Callable[[], Mapping[ResourceAddress, Mapping[str, Any]]]
                 | None = None, verdicts: Verdicts | None = None) -> None:
        """``guesses``: the attribute mappings of the state read before the refresh, by
        address (made on the helper thread); None: resources that refer to others are left
        to the planner. ``verdicts``: the no-op memo (``engine/noop_memo.py``): a resource
        whose resolved attributes have the digest of a remembered no-op is not
        canonicalised (its answer is ``REMEMBERED``; the planner decides whether the
        verdict stands, and canonicalises it when not)."""
        self._provider = provider
        self._resources = resources
        self._guesses = guesses
        self._verdicts = verdicts
        # address -> (canonical attributes, None, used) or (None, the exception canonicalize
        # raised, used); used: each referenced address and the mapping it was resolved with.
        self._done: dict[ResourceAddress, _Answer] = {}
        self._graph: ConfigGraph | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="plan-ahead", daemon=True)

    def __enter__(self) -> DesiredAhead:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def take(self, address: ResourceAddress, resolve: Resolve,
             ) -> tuple[dict[str, Any], bytes | None] | None:
        """The answer for ``address`` (removed from the table): the canonical attributes (or
        ``REMEMBERED``) and the digest of the resolved ones (None: not digested); None when
        not worked out or worked out with values other than ``resolve``'s. Raises what
        ``canonicalize`` raised for it. Call after the ``with``."""
        found = self._done.pop(address, None)
        if found is None:
            return None
        value, error, used, digest = found
        if used is not None and any(resolve(a) is not m for a, m in used.items()):
            return None
        if error is not None:
            raise error
        assert value is not None
        return value, digest

    def config_graph(self) -> ConfigGraph | None:
        """The dependency graph of the resources, if the helper built it. Call after the
        ``with``."""
        return self._graph

    def _run(self) -> None:
        try:
            self._work()
        except Exception:
            # The helper only saves the planner work: whatever failed here fails again where
            # the planner meets it (the graph, the state's guesses), and is reported there as
            # without the helper; what was not worked out, the planner works out. Nothing
            # is printed from this thread (a thread's uncaught exception prints a traceback).
            return

    def _work(self) -> None:
        graph = config_graph(self._resources)
        self._graph = graph
        guesses = None
        for i in graph.by_level():
            if self._stop.is_set():
                return
            rc = self._resources[i]
            if rc.address.is_data:
                continue
            attributes: Mapping[str, Any] = rc.attributes
            used: dict[ResourceAddress, Mapping[str, Any]] | None = None
            if i in graph.referring:  # holds a Deferred: the planner's resolve_deferred
                if self._guesses is None:
                    continue
                if guesses is None:
                    guesses = self._guesses()
                used = {}
                try:
                    attributes = resolve_deferred(dict(attributes), _recording(guesses, used))
                except Exception:  # _NoGuess, DiagnosticsError, or a bug the planner meets
                    continue  # the planner resolves it (and reports or raises what fails)
            verdicts = self._verdicts
            digest = verdicts.digest(rc, attributes) if verdicts is not None else None
            if digest is not None and verdicts is not None and verdicts.remembered(rc, digest):
                self._done[rc.address] = (REMEMBERED, None, used, digest)
                continue
            try:
                self._done[rc.address] = (self._provider.canonicalize(rc.type, attributes),
                                          None, used, digest)
            except Exception as exc:  # re-raised by take() where the planner asks
                self._done[rc.address] = (None, exc, used, digest)


def _recording(guesses: Mapping[ResourceAddress, Mapping[str, Any]],
               used: dict[ResourceAddress, Mapping[str, Any]]) -> Resolve:
    def resolve(address: ResourceAddress) -> Mapping[str, Any]:
        found = guesses.get(address)
        if found is None:
            raise _NoGuess(str(address))
        used[address] = found
        return found
    return resolve
