"""Attribute values: plain JSON-like data, plus two placeholders the engine understands.

* ``UNKNOWN`` — a value known only after apply ("(known after apply)"): a uuid, an allocated
  VIP, an attribute of a resource that will be replaced.
* ``Deferred`` — an expression a front end could not evaluate yet because it refers to other
  resources. The engine evaluates it in graph order: at plan time against the planned values of
  its references (which may be ``UNKNOWN``), at apply time against the new state.

Anything else in an attribute tree is ``None``, ``bool``, ``int``, ``float``, ``str``, ``list``
or ``dict`` with string keys: ``resolve_deferred`` makes what an expression returns such a
value (``plain``), so plans, states and renderers only ever see these kinds.

Planning hands expressions ``PartlyKnown`` views of planned objects: the attributes of an
object yet to be created, whose unset keys read ``UNKNOWN`` (the server fills them). Such a
view taken whole as a value (``output "vip" { value = avi_vsvip.x.vip[0] }``) is ``UNKNOWN``:
its final content is known only after apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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


class PartlyKnown(Mapping[str, Any]):
    """Base of planned-object views whose unset keys read ``UNKNOWN``; see the module doc."""

    __slots__ = ()


def plain(value: Any) -> Any:
    """``value`` as attribute data (module doc): ``PartlyKnown`` views become ``UNKNOWN``,
    other mappings dicts, tuples lists. Anything else that is not JSON-like data is a bug
    of the expression evaluator (``TypeError``), never rendered as a Python repr."""
    if value is None or value is UNKNOWN or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, PartlyKnown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    raise TypeError(f"not an attribute value: {type(value).__name__}")


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
    _references_in((value,), found)
    return found


# The exact types of plain JSON scalars: told apart by ``type(v) in PLAIN_TYPES``, no call.
PLAIN_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def _references_in(values: Iterable[object], found: set[ResourceAddress]) -> None:
    # Asked of every configured body (a decoder's self-reference check, dependencies):
    # scalars, most of every body, are told by their exact type with no call.
    for v in values:
        if type(v) in PLAIN_TYPES:
            continue
        if isinstance(v, Deferred):
            found.update(v.references)
        elif isinstance(v, dict):
            _references_in(v.values(), found)
        elif isinstance(v, list):
            _references_in(v, found)


def resolve_deferred(value: Any, resolve: Resolver) -> Any:
    """Replace every ``Deferred`` in ``value`` by its evaluation under ``resolve``, made
    ``plain``."""
    if isinstance(value, Deferred):
        return plain(value.evaluate(resolve))
    if isinstance(value, dict):
        return {k: resolve_deferred(v, resolve) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_deferred(v, resolve) for v in value]
    return value
