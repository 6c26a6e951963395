"""The HCL expression syntax tree.

Nodes are frozen, slotted values carrying the 1-based source ``line`` they start on (relative
to the file the expression came from), so evaluation errors can point at file:line. Parse
workers return trees to the loading process pickled (in memory, never from disk: the parse
cache uses ``tree_codec``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

_FIELDS: dict[type, tuple[str, ...]] = {}


def compact_reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle as ``cls(*fields)``: parse workers send hundreds of thousands of nodes back and
    the dataclass default (``__setstate__`` calling ``fields()`` per object) is several
    times slower to load."""
    cls = type(self)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(self))
    return cls, tuple(getattr(self, n) for n in names)


@dataclass(frozen=True, slots=True)
class Node:
    line: int

    __reduce__ = compact_reduce


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any  # None, bool, int, float or str


@dataclass(frozen=True, slots=True)
class Variable(Node):
    """A root name: ``var``, ``local``, ``avi_pool``, an iterator name..."""

    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Node):
    obj: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    obj: Node
    key: Node


@dataclass(frozen=True, slots=True)
class SplatItem(Node):
    """Stands for the current element inside a ``Splat``'s ``each`` expression."""


@dataclass(frozen=True, slots=True)
class Splat(Node):
    """``source[*].each`` or ``source.*.each``: ``each`` is applied to every element."""

    source: Node
    each: Node


@dataclass(frozen=True, slots=True)
class FunctionCall(Node):
    name: str
    args: tuple[Node, ...]
    expand_final: bool = False  # f(a, list...)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "!" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class TupleCons(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ObjectCons(Node):
    items: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True, slots=True)
class ForExpr(Node):
    key_var: str | None
    value_var: str
    collection: Node
    key: Node | None  # set for object results: {for k, v in c : KEY => VALUE}
    value: Node
    condition: Node | None
    grouping: bool = False  # VALUE... groups values per key


@dataclass(frozen=True, slots=True)
class Parens(Node):
    """``(expr)``: kept so an object key in parentheses is an expression, not a name."""

    expr: Node


# -- templates ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TemplateIf(Node):
    condition: Node
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TemplateFor(Node):
    key_var: str | None
    value_var: str
    collection: Node
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Template(Node):
    """A string template: literal parts (``Literal`` of str), interpolations (any node) and
    directives (``TemplateIf``/``TemplateFor``), concatenated as strings."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TemplateWrap(Node):
    """``"${expr}"`` alone: yields the value of ``expr`` unconverted, as HCL does."""

    expr: Node


def walk(node: Node) -> list[Node]:
    """Every node of the tree, ``node`` first (pre-order)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def children(node: Node) -> list[Node]:
    match node:
        case GetAttr(obj=obj):
            return [obj]
        case Index(obj=obj, key=key):
            return [obj, key]
        case Splat(source=source, each=each):
            return [source, each]
        case FunctionCall(args=args):
            return list(args)
        case Unary(operand=operand):
            return [operand]
        case Binary(left=left, right=right):
            return [left, right]
        case Conditional(condition=c, then=t, otherwise=o):
            return [c, t, o]
        case TupleCons(items=items):
            return list(items)
        case ObjectCons(items=items):
            return [n for pair in items for n in pair]
        case ForExpr(collection=c, key=k, value=v, condition=cond):
            return [n for n in (c, k, v, cond) if n is not None]
        case Parens(expr=e) | TemplateWrap(expr=e):
            return [e]
        case TemplateIf(condition=c, then=t, otherwise=o):
            return [c, *t, *o]
        case TemplateFor(collection=c, body=b):
            return [c, *b]
        case Template(parts=parts):
            return list(parts)
    return []
