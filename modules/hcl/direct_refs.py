"""Direct references: the deferred values that are only a resource attribute
(``avi_healthmonitor.hm.id``) or a string template of literal text and such attributes
(``"after ${avi_pool.p.uuid}"``) — most references in real configurations.

``decode.evaluate_attribute`` asks ``direct_deferred`` first. It recognises these shapes from
the syntax and the module's declarations, and makes a ``Deferred`` that looks each attribute up
in the referenced instance's planned attributes instead of walking the expression through the
evaluator, the namespaces and a ``LenientObject`` copy per reference (at 50,000 resources that
walk, done at decode time to probe and at plan time to resolve, was a sixth of a no-op plan).

Rules — each keeps the result exactly the evaluator's (``tests/modules/hcl/test_direct_refs.py``
compares the two on generated attributes):

1. A reference is ``TYPE.NAME.ATTR`` where ``TYPE`` is not shadowed by a binding (a ``for`` or
   ``dynamic`` iterator) and names a managed resource type of the module, and ``TYPE.NAME`` is
   declared with a single instance whose ``count``/``for_each`` was already worked out
   (``ModuleScope.instance_address``): probing such a reference records that address and
   yields ``UNKNOWN``, with no other effect, so it needs no probe.
2. At plan time a reference is looked up directly only when the referenced instance's
   attributes are a plain ``dict`` holding ``ATTR`` as an exact ``str`` — what the evaluator
   returns unchanged (``LenientObject.lookup``, ``plain``, ``to_string``). Anything else (an
   object yet to be created, an unknown, a null, a list, a missing or misspelt attribute) is
   handed to the evaluator, which gives the value or the diagnostic it always gave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.values import Deferred, Resolver
from albform.modules.hcl.expressions import Context, ast
from albform.modules.hcl.namespaces import TypeNamespace
from albform.modules.hcl.tree_codec import builder

Part = str | tuple[ResourceAddress, str]
"""Literal text, or (instance, attribute name) to look up."""


def reference_of(expr: ast.Node, ctx: Context) -> tuple[ResourceAddress, str] | None:
    """(instance, attribute) when ``expr`` is a direct reference (rule 1), else None."""
    if type(expr) is not ast.GetAttr:
        return None
    middle = expr.obj
    if type(middle) is not ast.GetAttr:
        return None
    root = middle.obj
    if type(root) is not ast.Variable:
        return None
    namespace = ctx.root(root.name)
    if type(namespace) is not TypeNamespace or namespace.mode != "managed":
        return None
    address = namespace.instance_address(middle.name)
    return None if address is None else (address, expr.name)


def direct_parts(expr: ast.Node, ctx: Context) -> list[Part] | None:
    """The parts of a direct reference or of a template of literal text and direct
    references (at least one), else None."""
    ref = reference_of(expr, ctx)
    if ref is not None:
        return [ref]
    if type(expr) is not ast.Template:
        return None
    parts: list[Part] = []
    for part in expr.parts:
        if type(part) is ast.Literal and type(part.value) is str:
            parts.append(part.value)
            continue
        ref = reference_of(part, ctx)
        if ref is None:
            return None
        parts.append(ref)
    return parts if len(parts) > sum(type(p) is str for p in parts) else None


def expression_lines(expr: ast.Node) -> tuple[int, ...]:
    """The line of each node of a direct reference or template (``direct_parts``), in the
    order ``expression_of`` takes them."""
    if type(expr) is ast.Template:
        return (expr.line, *(n for part in expr.parts for n in _lines(part)))
    return _lines(expr)


def _lines(node: ast.Node) -> tuple[int, ...]:
    if type(node) is ast.Literal:
        return (node.line,)
    middle = node.obj  # type: ignore[attr-defined]  # TYPE.NAME.ATTR (reference_of)
    return (node.line, middle.line, middle.obj.line)


def expression_of(parts: tuple[Part, ...], whole: bool, lines: tuple[int, ...]) -> ast.Node:
    """The expression whose ``direct_parts`` are ``parts`` and whose lines are ``lines``
    (``expression_lines``): the syntax a direct reference was decoded from, made again."""
    at = iter(lines)

    def reference(address: ResourceAddress, name: str) -> ast.Node:
        outer, middle, root = next(at), next(at), next(at)
        return ast.GetAttr(outer, ast.GetAttr(middle, ast.Variable(root, address.type),
                                              address.name), name)

    if whole:
        first = parts[0]
        assert not isinstance(first, str)
        return reference(*first)
    line = next(at)
    return ast.Template(line, tuple(ast.Literal(next(at), p) if isinstance(p, str)
                                    else reference(*p) for p in parts))


@dataclass(frozen=True, slots=True, eq=False)
class DirectDeferred(Deferred):
    """The ``Deferred`` of a direct reference, with what it was made from: data enough to make
    it again (``config_memo``). ``expr`` and ``filename`` are what the evaluator's fallback
    evaluates (``expr`` None once remade from a memo: the memo keeps its lines)."""

    parts: tuple[Part, ...] = ()
    whole: bool = False
    expr: ast.Node | None = None
    filename: str = ""


_made = builder(DirectDeferred)  # its __init__ sets each field through the frozen guard


def direct_deferred(parts: list[Part] | tuple[Part, ...], whole: bool,
                    evaluate: Callable[[Resolver], Any], text: str, *,
                    expr: ast.Node | None = None, filename: str = "") -> DirectDeferred:
    """The ``Deferred`` of ``parts`` (``direct_parts``): ``whole`` for a bare reference (its
    value as it is), else a template (the parts joined). ``evaluate`` is the evaluator's own
    deferred evaluation of ``expr`` (in ``filename``), used whenever rule 2 does not apply."""
    parts = tuple(parts)
    refs = frozenset(p[0] for p in parts if not isinstance(p, str))
    first = parts[0]
    if whole and not isinstance(first, str):
        address, name = first

        def reference(resolve: Resolver) -> Any:
            attrs = resolve(address)
            if type(attrs) is dict:
                value = attrs.get(name)
                if type(value) is str:
                    return value
            return evaluate(resolve)

        return _made(refs, reference, text, parts, whole, expr, filename)

    def template(resolve: Resolver) -> Any:
        pieces: list[str] = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            address, name = part
            attrs = resolve(address)
            value = attrs.get(name) if type(attrs) is dict else None
            if type(value) is not str:
                return evaluate(resolve)
            pieces.append(value)
        return "".join(pieces)

    return _made(refs, template, text, parts, whole, expr, filename)
