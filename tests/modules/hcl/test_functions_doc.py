"""FUNCTIONS.md lists exactly the registered functions, and unknown ones are diagnosed."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import albform.modules.hcl as hcl
from albform.modules.hcl.expressions import (
    FUNCTIONS,
    Context,
    EvalError,
    evaluate,
    parse_expression,
)


def _documented() -> set[str]:
    text = (Path(hcl.__file__).parent / "FUNCTIONS.md").read_text()
    table = text.split("Not supported")[0]
    return set(re.findall(r"`([a-z0-9]+)`", table))


def test_every_registered_function_is_documented() -> None:
    assert set(FUNCTIONS) | {"try", "can"} == _documented()


@pytest.mark.parametrize("name", ["bcrypt", "formatdate", "filemd5", "timeadd"])
def test_unsupported_functions_are_named(name: str) -> None:
    with pytest.raises(EvalError) as err:
        evaluate(parse_expression(f'{name}("x")', 7), Context({}, FUNCTIONS, Path(".")))
    assert err.value.summary == "Call to unknown function"
    assert name in err.value.detail and err.value.line == 7


def test_functions_marked_as_oracle_checked_are_in_the_oracle_table() -> None:
    spec = importlib.util.spec_from_file_location(
        "oracle_cases", Path(__file__).with_name("test_expressions_oracle.py"))
    assert spec is not None and spec.loader is not None
    oracle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(oracle)
    cases: list[str] = oracle.CASES
    text = (Path(hcl.__file__).parent / "FUNCTIONS.md").read_text()
    checked = set(re.findall(r"`([a-z0-9]+)` ✓", text))
    used = set(re.findall(r"\b([a-z0-9]+)\(", " ".join(cases)))
    assert checked and checked <= used, sorted(checked - used)
