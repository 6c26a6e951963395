"""Table-driven GSLB translator cases: ``cases/<name>/input.yaml`` (``members``: cluster name ->
Kubernetes objects, ``amko``: AMKO objects, default ``cases/_common.yaml``; ``extra_amko``
adds objects to those) and ``expected.json`` (``source``: the AMKO test the case follows,
``objects`` in order, body fragments, diagnostic summaries). Expected values are written from
AMKO's code and tests, not from our output: names with sha1 are computed with ``sha1sum``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from albform.modules.gslb.translate import translate

CASES = Path(__file__).parent / "cases"
COMMON = yaml.safe_load((CASES / "_common.yaml").read_text())


def _subset(expected: Any, actual: Any, where: str) -> None:
    """Every key of ``expected`` is in ``actual`` with an equal value (dicts recursively;
    ``"<absent>"`` asserts a key is missing); lists have equal lengths and compare element by
    element the same way; scalars compare exactly."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if value == "<absent>":
                assert key not in actual, f"{where}.{key} should be absent"
                continue
            assert key in actual, f"{where}.{key} missing (have {sorted(actual)})"
            _subset(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{where}: expected {len(expected)} items, got {actual!r}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _subset(e, a, f"{where}[{i}]")
    else:
        assert expected == actual, f"{where}: expected {expected!r}, got {actual!r}"


def run_case(name: str) -> None:
    spec = yaml.safe_load((CASES / name / "input.yaml").read_text())
    expected = json.loads((CASES / name / "expected.json").read_text())
    assert expected.get("source"), "every case names the AMKO test it follows"
    amko = (spec.get("amko") or COMMON["amko"]) + (spec.get("extra_amko") or [])
    translation, diags = translate(spec.get("members") or {}, amko)
    got = [f"{o.api_type} {o.name}" for o in translation.objects]
    assert got == expected["objects"], [str(d) for d in diags]
    by_key = {f"{o.api_type} {o.name}": o for o in translation.objects}
    for key, fragment in (expected.get("bodies") or {}).items():
        _subset(fragment, dict(by_key[key].body), key)
    summaries = sorted(d.summary for d in diags)
    assert summaries == sorted(expected.get("diagnostics", [])), [str(d) for d in diags]
    for text in expected.get("details", []):
        assert any(text in d.detail for d in diags), (text, [str(d) for d in diags])


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(name: str) -> None:
    run_case(name)
