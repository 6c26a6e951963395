"""Property tests for the tokenizer, parser and evaluator."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from albform.modules.hcl.expressions import (
    FUNCTIONS,
    Context,
    HCLSyntaxError,
    evaluate_value,
    parse_expression,
    parse_template,
)
from albform.modules.hcl.expressions.printer import quote, to_hcl
from albform.modules.hcl.expressions.values import plain

CTX = Context({}, FUNCTIONS, Path("."))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(
        lambda f: abs(f) < 1e15 and (f == 0 or abs(f) > 1e-9)),
    st.text(),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


def _evaluate(text: str) -> Any:
    return plain(evaluate_value(parse_expression(text), CTX))


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and \
            not isinstance(a, bool) and math.isclose(a, b, rel_tol=1e-15)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_close, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k])
                                                                    for k in a)
    return type(a) is type(b) and a == b


@given(values)
def test_printed_literals_round_trip(value: Any) -> None:
    assert _close(_evaluate(to_hcl(value)), value)


@given(st.text())
def test_quoted_strings_round_trip_with_template_markers(text: str) -> None:
    assert _evaluate(quote(text)) == text


@given(st.text().filter(lambda t: "${" not in t and "%{" not in t))
def test_json_strings_without_templates_are_literal(text: str) -> None:
    assert plain(evaluate_value(parse_template(text), CTX)) == text


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6), st.integers(1, 1000))
def test_arithmetic_precedence(a: int, b: int, c: int) -> None:
    assert _evaluate(f"{to_hcl(a)} + {to_hcl(b)} * {c}") == a + b * c
    assert _evaluate(f"({to_hcl(a)} + {to_hcl(b)}) * {c}") == (a + b) * c
    assert _evaluate(f"{to_hcl(a)} - {to_hcl(b)} - {c}") == a - b - c  # left associative


@given(values)
def test_jsonencode_jsondecode_round_trip(value: Any) -> None:
    text = _evaluate(f"jsonencode({to_hcl(value)})")
    assert _close(json.loads(text), value)
    assert _close(_evaluate(f"jsondecode({quote(text)})"), value)


@given(st.lists(st.text(max_size=5), max_size=6))
def test_for_expression_matches_python(items: list[str]) -> None:
    source = f"[for i, s in {to_hcl(items)} : upper(s) if i % 2 == 0]"
    assert _evaluate(source) == [s.upper() for i, s in enumerate(items) if i % 2 == 0]


@given(st.lists(st.integers(0, 5), max_size=6), st.integers(1, 500))
def test_syntax_errors_report_the_file_line(items: list[int], first_line: int) -> None:
    source = "[\n" + "".join(f"{i},\n" for i in items) + "= 1]"
    try:
        parse_expression(source, first_line=first_line)
    except HCLSyntaxError as err:
        assert err.line == first_line + len(items) + 1
    else:
        raise AssertionError("a stray '=' must be a syntax error")
