"""Table-driven translator cases: ``cases/<name>/input.yaml`` (config, facts, objects) and
``expected.json`` (expected object list in order, body fragments, diagnostics, CRD statuses).
Each CRD case names the AKO test (file and function) or source it follows. Expected values
come from the AKO spec (docs/ako-translation.md) and AKO's tests, not from our
output: names, shard numbers, SHA-1 names and markers are written out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from albform.modules.k8s.facts import ControllerFacts, parse_avi_objects
from albform.modules.k8s.settings import settings_from_values
from albform.modules.k8s.translate import translate

CASES = Path(__file__).parent / "cases"
_FACT_KEYS = {"cloudType": "cloud_type", "dnsSubdomains": "dns_subdomains",
              "licenseTier": "license_tier", "vrfName": "vrf_name",
              "nsxtTransportZone": "nsxt_transport_zone"}


def _facts(spec: dict[str, Any]) -> ControllerFacts:
    kwargs: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "aviObjects":
            parsed = parse_avi_objects(value)
            assert parsed is not None, value
            kwargs["avi_objects"], kwargs["avi_object_types"] = parsed
        else:
            kwargs[_FACT_KEYS[key]] = tuple(value) if isinstance(value, list) else value
    return ControllerFacts(**kwargs)


def _subset(expected: Any, actual: Any, where: str) -> None:
    """Every key of ``expected`` is in ``actual`` with an equal value (dicts recursively;
    ``"<absent>"`` asserts a key is missing); lists and scalars compare exactly."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if value == "<absent>":
                assert key not in actual, f"{where}.{key} should be absent"
                continue
            assert key in actual, f"{where}.{key} missing (have {sorted(actual)})"
            _subset(value, actual[key], f"{where}.{key}")
    else:
        assert expected == actual, f"{where}: expected {expected!r}, got {actual!r}"


def run_case(name: str) -> None:
    spec = yaml.safe_load((CASES / name / "input.yaml").read_text())
    expected = json.loads((CASES / name / "expected.json").read_text())
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in spec["config"].items()}
    settings, diags = settings_from_values(config, {}, "input.yaml")
    assert settings is not None, [str(d) for d in diags]
    facts = _facts(spec.get("facts") or {})
    translation, diags = translate(spec.get("objects") or [], settings, facts)
    got = [f"{o.api_type} {o.name}" for o in translation.objects]
    if "objects" in expected:
        assert got == expected["objects"]
    by_key = {f"{o.api_type} {o.name}": o for o in translation.objects}
    for key, fragment in (expected.get("bodies") or {}).items():
        assert key in by_key, f"{key} not produced; got {got}"
        _subset(fragment, dict(by_key[key].body), key)
    for key, fragment in (expected.get("metadata") or {}).items():
        _subset(fragment, json.loads(by_key[key].body["service_metadata"]), key)
    summaries = sorted(d.summary for d in diags)
    assert summaries == sorted(expected.get("diagnostics", [])), [str(d) for d in diags]
    for text in expected.get("diagnostic_details", []):
        assert any(text in d.detail for d in diags), (text, [d.detail for d in diags])
    if "crd_status" in expected:
        assert [s.to_json() for s in translation.crd_status] == expected["crd_status"]


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(name: str) -> None:
    run_case(name)
