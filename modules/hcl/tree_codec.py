"""The parse cache's data-only form of a syntax tree: ``File`` ↔ plain JSON values.

Every node becomes a list ``[tag, field, ...]`` (tag = the class name, fields in dataclass
order); files, bodies, blocks and attributes are lists in a fixed shape; diagnostics are
``[severity, summary, detail, subject]``. Decoding builds nothing but these classes from JSON
values, so no document can run code; one of the wrong shape is a ``TreeFormatError``. (Whether
a tree is *the* tree of a file is the cache's job: it authenticates entries, ``cache.py``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

from albform.engine.diagnostics import Diagnostic, Diagnostics, Severity, SourceRange
from albform.modules.hcl.expressions import ast
from albform.modules.hcl.syntax import Attribute, Block, Body, File


class TreeFormatError(ValueError):
    """The document is not a syntax tree this version writes."""


# Field kinds: i int, s str, s? str or None, b bool, v literal scalar, n node, n? node or
# None, N tuple of nodes, P tuple of (node, node) pairs.
_NODE_FIELDS: dict[type[ast.Node], str] = {
    ast.Literal: "i v", ast.Variable: "i s", ast.GetAttr: "i n s", ast.Index: "i n n",
    ast.SplatItem: "i", ast.Splat: "i n n", ast.FunctionCall: "i s N b", ast.Unary: "i s n",
    ast.Binary: "i s n n", ast.Conditional: "i n n n", ast.TupleCons: "i N",
    ast.ObjectCons: "i P",
    ast.ForExpr: "i s? s n n? n n? b", ast.Parens: "i n", ast.TemplateIf: "i n N N",
    ast.TemplateFor: "i s? s n N", ast.Template: "i N", ast.TemplateWrap: "i n",
}
_SCALARS = (type(None), bool, int, float, str)


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


for _cls, _kinds in _NODE_FIELDS.items():
    # The table must follow the classes: a new field without a kind is a bug found at import.
    if len(_kinds.split()) != len(_names(_cls)):
        raise RuntimeError(f"tree_codec: field kinds of {_cls.__name__} are out of date")


# -- encoding ---------------------------------------------------------------------------------

def encode_file(file: File, diags: Diagnostics) -> list[Any]:
    """``[filename, is_json, body, diagnostics]``: JSON-ready lists, strings and numbers."""
    return [file.filename, file.is_json, _encode_body(file.body),
            [_encode_diagnostic(d) for d in diags]]


def _encode_body(body: Body) -> list[Any]:
    return [[[a.name, _encode_node(a.expr), a.line, a.text] for a in body.attributes],
            [[b.type, list(b.labels), _encode_body(b.body), b.line] for b in body.blocks]]


def _encode_node(node: ast.Node) -> list[Any]:
    kinds = _NODE_FIELDS[type(node)].split()
    out: list[Any] = [type(node).__name__]
    for kind, name in zip(kinds, _names(type(node)), strict=True):
        out.append(_encode_field(kind, getattr(node, name)))
    return out


def _encode_field(kind: str, value: Any) -> Any:
    if kind in ("n", "n?"):
        return None if value is None else _encode_node(value)
    if kind == "N":
        return [_encode_node(v) for v in value]
    if kind == "P":
        return [[_encode_node(k), _encode_node(v)] for k, v in value]
    return value


def _encode_diagnostic(d: Diagnostic) -> list[Any]:
    if d.address is not None:
        raise TreeFormatError("parse diagnostics carry no resource address")
    subject = None if d.subject is None else [
        d.subject.filename, d.subject.start_line, d.subject.end_line, d.subject.start_column]
    return [d.severity.value, d.summary, d.detail, subject]


# -- decoding ---------------------------------------------------------------------------------
# Decoding is on the hot path of every re-load (hundreds of thousands of nodes), so each class
# has one direct builder call below instead of a per-field interpreter. Its input is an
# entry the cache has authenticated (only this code wrote it); a shape that does not fit still
# fails (``TreeFormatError``), it just is not diagnosed field by field.

_T = TypeVar("_T")


def builder(cls: type[_T]) -> Callable[..., _T]:
    """``cls(*values)`` for a frozen, slotted dataclass, without its ``__init__``: that sets
    each field through ``object.__setattr__`` (the frozen guard's way round), which made
    building the nodes most of a re-load. Here each slot is set by its descriptor — the same
    fields, in the same order, 2-3x faster (``tests/modules/hcl/test_tree_codec.py``; also
    used by ``config_memo``). Classes
    with a ``__post_init__`` or a field default the data could omit are not built this way."""
    if hasattr(cls, "__post_init__"):
        raise RuntimeError(f"tree_codec: {cls.__name__} needs its __init__")
    new = object.__new__
    sets = tuple(getattr(cls, name).__set__ for name in _names(cls))
    if len(sets) == 1:
        (s0,) = sets

        def make1(a: Any) -> _T:
            obj = new(cls)
            s0(obj, a)
            return obj
        return make1
    if len(sets) == 2:
        s0, s1 = sets

        def make2(a: Any, b: Any) -> _T:
            obj = new(cls)
            s0(obj, a)
            s1(obj, b)
            return obj
        return make2
    if len(sets) == 3:
        s0, s1, s2 = sets

        def make3(a: Any, b: Any, c: Any) -> _T:
            obj = new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            return obj
        return make3
    if len(sets) == 7:  # ResourceConfig, direct_refs.DirectDeferred
        s0, s1, s2, s3, s4, s5, s6 = sets

        def make7(a: Any, b: Any, c: Any, d: Any, e: Any, f: Any, g: Any) -> _T:
            obj = new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            s4(obj, e)
            s5(obj, f)
            s6(obj, g)
            return obj
        return make7
    if len(sets) != 4:
        def make(*values: Any) -> _T:
            if len(values) != len(sets):
                raise TypeError(f"{cls.__name__} takes {len(sets)} values")
            obj = new(cls)
            for set_field, value in zip(sets, values, strict=True):
                set_field(obj, value)
            return obj
        return make
    s0, s1, s2, s3 = sets

    def make4(a: Any, b: Any, c: Any, d: Any) -> _T:
        obj = new(cls)
        s0(obj, a)
        s1(obj, b)
        s2(obj, c)
        s3(obj, d)
        return obj
    return make4


_literal, _variable, _get_attr = (builder(ast.Literal), builder(ast.Variable),
                                  builder(ast.GetAttr))
_tuple, _template = builder(ast.TupleCons), builder(ast.Template)
_attribute, _block, _body_of = builder(Attribute), builder(Block), builder(Body)


def decode_file(doc: Any) -> tuple[File, Diagnostics]:
    """The tree and diagnostics ``doc`` holds; ``TreeFormatError`` for a document that does
    not have the shape ``encode_file`` writes."""
    try:
        filename, is_json, body, diags = doc
        file = File(_str(filename), _body(body), bool(is_json))
        return file, Diagnostics(_decode_diagnostic(d) for d in diags)
    except TreeFormatError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise TreeFormatError(f"not a syntax tree: {type(exc).__name__}") from exc


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TreeFormatError(f"expected a string, got {type(value).__name__}")
    return value


def _body(doc: Any) -> Body:
    attrs, blocks = doc
    return _body_of(tuple([_attribute(_str(name), _n(expr), line, text)
                           for name, expr, line, text in attrs]),
                    tuple([_block(_str(type_), tuple(map(_str, labels)), _body(body), line)
                           for type_, labels, body, line in blocks]))


def _n(d: Any) -> ast.Node:
    node: ast.Node = _BY_TAG[d[0]](d)
    return node


def _o(d: Any) -> ast.Node | None:
    return None if d is None else _n(d)


def _ns(d: Any) -> tuple[ast.Node, ...]:
    if not isinstance(d, list):
        raise TreeFormatError("expected a list of nodes")
    return tuple(map(_n, d))


def _decode_diagnostic(doc: Any) -> Diagnostic:
    severity, summary, detail, subject = doc
    where = None
    if subject is not None:
        filename, start, end, column = subject
        where = SourceRange(_str(filename), int(start), end, column)
    return Diagnostic(Severity(severity), _str(summary), _str(detail), where)


_BY_TAG: dict[str, Callable[[Any], ast.Node]] = {
    "Literal": lambda d: _literal(d[1], d[2]),
    "Variable": lambda d: _variable(d[1], _str(d[2])),
    "GetAttr": lambda d: _get_attr(d[1], _n(d[2]), _str(d[3])),
    "Index": lambda d: ast.Index(d[1], _n(d[2]), _n(d[3])),
    "SplatItem": lambda d: ast.SplatItem(d[1]),
    "Splat": lambda d: ast.Splat(d[1], _n(d[2]), _n(d[3])),
    "FunctionCall": lambda d: ast.FunctionCall(d[1], _str(d[2]), _ns(d[3]), d[4]),
    "Unary": lambda d: ast.Unary(d[1], d[2], _n(d[3])),
    "Binary": lambda d: ast.Binary(d[1], d[2], _n(d[3]), _n(d[4])),
    "Conditional": lambda d: ast.Conditional(d[1], _n(d[2]), _n(d[3]), _n(d[4])),
    "TupleCons": lambda d: _tuple(d[1], _ns(d[2])),
    "ObjectCons": lambda d: ast.ObjectCons(d[1], tuple((_n(k), _n(v)) for k, v in d[2])),
    "ForExpr": lambda d: ast.ForExpr(d[1], d[2], d[3], _n(d[4]), _o(d[5]), _n(d[6]),
                                     _o(d[7]), d[8]),
    "Parens": lambda d: ast.Parens(d[1], _n(d[2])),
    "TemplateIf": lambda d: ast.TemplateIf(d[1], _n(d[2]), _ns(d[3]), _ns(d[4])),
    "TemplateFor": lambda d: ast.TemplateFor(d[1], d[2], d[3], _n(d[4]), _ns(d[5])),
    "Template": lambda d: _template(d[1], _ns(d[2])),
    "TemplateWrap": lambda d: ast.TemplateWrap(d[1], _n(d[2])),
}
if set(_BY_TAG) != {cls.__name__ for cls in _NODE_FIELDS}:
    raise RuntimeError("tree_codec: the decoders do not cover the node classes")
