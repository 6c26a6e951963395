"""The parse cache's data form (``modules/hcl/tree_codec.py``): any syntax tree comes back
equal, field for field, from its JSON form — whichever way the decoder builds each class."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.diagnostics import Diagnostics
from albform.modules.hcl.expressions import ast
from albform.modules.hcl.syntax import Attribute, Block, Body, File
from albform.modules.hcl.tree_codec import decode_file, encode_file

_LINES = st.integers(1, 10_000)
_NAMES = st.text("abcxyz_", min_size=1, max_size=6)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5),
                     st.floats(allow_nan=False, allow_infinity=False))


def _node(inner: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
    nodes = st.lists(inner, max_size=3).map(tuple)
    maybe = st.none() | inner
    return st.one_of(
        st.builds(ast.GetAttr, _LINES, inner, _NAMES),
        st.builds(ast.Index, _LINES, inner, inner),
        st.builds(ast.Splat, _LINES, inner, inner),
        st.builds(ast.FunctionCall, _LINES, _NAMES, nodes, st.booleans()),
        st.builds(ast.Unary, _LINES, st.sampled_from(["!", "-"]), inner),
        st.builds(ast.Binary, _LINES, st.sampled_from(["+", "==", "&&"]), inner, inner),
        st.builds(ast.Conditional, _LINES, inner, inner, inner),
        st.builds(ast.TupleCons, _LINES, nodes),
        st.builds(ast.ObjectCons, _LINES, st.lists(st.tuples(inner, inner), max_size=2)
                  .map(tuple)),
        st.builds(ast.ForExpr, _LINES, st.none() | _NAMES, _NAMES, inner, maybe, inner, maybe,
                  st.booleans()),
        st.builds(ast.Parens, _LINES, inner),
        st.builds(ast.TemplateIf, _LINES, inner, nodes, nodes),
        st.builds(ast.TemplateFor, _LINES, st.none() | _NAMES, _NAMES, inner, nodes),
        st.builds(ast.Template, _LINES, nodes),
        st.builds(ast.TemplateWrap, _LINES, inner),
    )


_EXPRS = st.recursive(st.one_of(st.builds(ast.Literal, _LINES, _SCALARS),
                                st.builds(ast.Variable, _LINES, _NAMES),
                                st.builds(ast.SplatItem, _LINES)), _node, max_leaves=12)
_ATTRS = st.builds(Attribute, _NAMES, _EXPRS, _LINES, st.text(max_size=8))
_BODIES = st.recursive(
    st.builds(Body, st.lists(_ATTRS, max_size=3).map(tuple)),
    lambda inner: st.builds(Body, st.lists(_ATTRS, max_size=3).map(tuple), st.lists(
        st.builds(Block, _NAMES, st.lists(_NAMES, max_size=2).map(tuple), inner, _LINES),
        max_size=3).map(tuple)),
    max_leaves=6)


def _every_field_set(value: Any) -> None:
    """Each slot of each node holds a value (a builder that forgot one would leave it unset,
    which equality alone might not reach)."""
    if isinstance(value, tuple):
        for item in value:
            _every_field_set(item)
        return
    if not hasattr(value, "__dataclass_fields__"):
        return
    for f in fields(value):
        _every_field_set(getattr(value, f.name))


@settings(max_examples=300, deadline=None)
@given(_BODIES, st.booleans())
def test_any_tree_round_trips_through_the_data_form(body: Body, is_json: bool) -> None:
    file = File("main.tf", body, is_json)
    doc = json.loads(json.dumps(encode_file(file, Diagnostics())))
    decoded, diags = decode_file(doc)
    _every_field_set(decoded)
    assert decoded == file
    assert type(decoded.body) is Body and not diags
    assert repr(decoded) == repr(file)
