"""Attribute values: plain JSON-like data, plus two placeholders the engine understands.

* ``UNKNOWN`` — a value known only after apply ("(known after apply)"): a uuid, an allocated
  VIP, an attribute of a resource that will be replaced.
* ``Deferred`` — an expression a front end could not evaluate yet because it refers to other
  resources. The engine evaluates it in graph order: at plan time against the planned values of
  its references (which may be ``UNKNOWN``), at apply time against the new state.

Anything else in an attribute tree is ``None``, ``bool``, ``int``, ``float``, ``str``, ``list``
or ``dict`` with string keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.addrs import ResourceAddress


class _Unknown:
    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"

    def __deepcopy__(self, memo: object) -> _Unknown:
        return self

    def __copy__(self) -> _Unknown:
        return self


UNKNOWN = _Unknown()
"""The single "known after apply" marker. Compare with ``is``."""

Resolver = Callable[[ResourceAddress], Mapping[str, Any]]
"""Returns the (planned or applied) attributes of a referenced resource instance."""


@dataclass(frozen=True, slots=True, eq=False)
class Deferred:
    """An expression that needs other resources' attributes.

    ``evaluate(resolve)`` must be pure and return ``UNKNOWN`` when any value it needs is
    ``UNKNOWN``. ``text`` is the source form, for plan rendering and diagnostics.
    """

    references: frozenset[ResourceAddress]
    evaluate: Callable[[Resolver], Any]
    text: str = field(default="")

    def __repr__(self) -> str:
        return f"Deferred({self.text or sorted(map(str, self.references))})"


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


def contains_placeholder(value: object) -> bool:
    """True when ``value`` holds ``UNKNOWN`` or ``Deferred`` anywhere."""
    if value is UNKNOWN or isinstance(value, Deferred):
        return True
    if isinstance(value, dict):
        return any(contains_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_placeholder(v) for v in value)
    return False


def collect_references(value: object, into: set[ResourceAddress] | None = None,
                       ) -> set[ResourceAddress]:
    """Every resource address a ``Deferred`` inside ``value`` refers to."""
    found = set() if into is None else into
    if isinstance(value, Deferred):
        found.update(value.references)
    elif isinstance(value, dict):
        for v in value.values():
            collect_references(v, found)
    elif isinstance(value, list):
        for v in value:
            collect_references(v, found)
    return found


def resolve_deferred(value: Any, resolve: Resolver) -> Any:
    """Replace every ``Deferred`` in ``value`` by its evaluation under ``resolve``."""
    if isinstance(value, Deferred):
        return value.evaluate(resolve)
    if isinstance(value, dict):
        return {k: resolve_deferred(v, resolve) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_deferred(v, resolve) for v in value]
    return value
