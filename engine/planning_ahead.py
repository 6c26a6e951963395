"""Desired values worked out ahead: configured resources canonicalised while the refresh runs.

The refresh mostly waits for the controller to answer; canonicalising the configuration
(``Provider.canonicalize``: reference lookups, coercions) is the planner's own work. Nothing
made them wait for each other, so ``planning._build_plan`` runs ``DesiredAhead`` on a helper
thread during the refresh, and ``planning_resource`` takes its answers (``Planner.ahead``).

Only resources whose attributes hold no ``Deferred`` are done ahead: the others need the
planned values of what they refer to. ``canonicalize`` may read but never writes (its
contract) and a plan's reads all see the same controller, so an answer worked out earlier is
the answer the planner would have got; a failure is kept and raised where the resource is
planned, so diagnostics come out in the same order as without it. Leaving the ``with``
block stops the helper (its unfinished work is simply done by the planner).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import ResourceConfig
from albform.engine.provider import Provider
from albform.engine.values import PLAIN_TYPES, Deferred


class DesiredAhead:
    """``take(address)``: the canonical desired attributes of a resource, if worked out."""

    def __init__(self, provider: Provider, resources: Sequence[ResourceConfig]) -> None:
        self._provider = provider
        self._resources = resources
        # address -> (canonical attributes, None) or (None, the exception canonicalize raised)
        self._done: dict[ResourceAddress, tuple[dict[str, Any] | None, Exception | None]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="plan-ahead", daemon=True)

    def __enter__(self) -> DesiredAhead:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def take(self, address: ResourceAddress) -> dict[str, Any] | None:
        """The answer for ``address`` (removed from the table), None when not worked out;
        raises what ``canonicalize`` raised for it. Call after the ``with``."""
        found = self._done.pop(address, None)
        if found is None:
            return None
        value, error = found
        if error is not None:
            raise error
        return value

    def _run(self) -> None:
        for rc in self._resources:
            if self._stop.is_set():
                return
            if rc.address.is_data or has_deferred(rc.attributes):
                continue
            try:
                self._done[rc.address] = (self._provider.canonicalize(rc.type, rc.attributes),
                                          None)
            except Exception as exc:  # re-raised by take() where the planner asks
                self._done[rc.address] = (None, exc)


def has_deferred(attributes: Mapping[str, Any]) -> bool:
    """Whether any value in ``attributes`` (dicts and lists, at any depth) is a ``Deferred``."""
    return _any_deferred(attributes.values())


def _any_deferred(values: Iterable[Any]) -> bool:
    # Exact type tests first: most values cost no call and no ABC instance check.
    for v in values:
        kind = type(v)
        if kind in PLAIN_TYPES:
            continue
        if kind is dict:
            if _any_deferred(v.values()):
                return True
        elif kind is list:
            if _any_deferred(v):
                return True
        elif isinstance(v, Deferred):
            return True
        elif isinstance(v, Mapping):
            if _any_deferred(v.values()):
                return True
        elif isinstance(v, list | tuple) and _any_deferred(v):
            return True
    return False
