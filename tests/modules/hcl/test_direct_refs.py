"""Direct references (``modules/hcl/direct_refs.py``) give exactly what the evaluator gives.

The same configuration is loaded twice — as albform loads it, and with direct references turned
off (every deferred value then goes through the evaluator) — and both configurations are
resolved against the same generated planned attributes: every value, every diagnostic, every
reference set and text must agree.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.config import Configuration
from albform.engine.diagnostics import DiagnosticsError
from albform.engine.planning_resource import ALL_UNKNOWN, _NewObject
from albform.engine.secrets import SecretDigest
from albform.engine.values import UNKNOWN, Deferred, resolve_deferred
from albform.modules.hcl import decode
from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration

A = ResourceAddress.parse

CONFIG = """
variable "suffix" {
  default = "-v"
}
resource "avi_healthmonitor" "hm" {
  name = "hm"
  type = "HEALTH_MONITOR_TCP"
}
resource "avi_healthmonitor" "counted" {
  count = 2
  name  = "c${count.index}"
  type  = "HEALTH_MONITOR_TCP"
}
resource "avi_pool" "a" {
  name                = "a"
  health_monitor_refs = [avi_healthmonitor.hm.id, "literal", avi_healthmonitor.hm.uuid]
  description         = "after ${avi_healthmonitor.hm.name} and ${avi_healthmonitor.hm.id}!"
}
resource "avi_pool" "b" {
  name                = avi_pool.a.name
  description         = "${avi_pool.a.description}"
  health_monitor_refs = [avi_healthmonitor.counted[0].id, avi_healthmonitor.hm.id]
  cloud_ref           = "${avi_pool.a.cloud_ref}${var.suffix}"
  tenant_ref          = avi_pool.a.no_such_attribute
}
resource "avi_pool" "c" {
  for_each    = toset(["x", "y"])
  name        = "c-${each.key}"
  description = "${avi_pool.b.description}:${avi_pool.a.cloud_ref}"
  cloud_ref   = avi_pool.b.tenant_ref
  health_monitor_refs = [for m in [avi_healthmonitor.hm] : m.id]
}
"""

REFERENCED = [A("avi_healthmonitor.hm"), A("avi_healthmonitor.counted[0]"), A("avi_pool.a"),
              A("avi_pool.b")]
ATTRIBUTES = ["id", "uuid", "name", "description", "cloud_ref", "tenant_ref"]


def _load(root: Path, direct: bool, monkeypatch: pytest.MonkeyPatch) -> Configuration:
    with monkeypatch.context() as patch:
        if not direct:
            patch.setattr(decode, "direct_parts", lambda expr, ctx: None)
        config, diags = load_configuration(root, env={}, cache=ParseCache(None))
    assert not diags.has_errors(), "\n".join(map(str, diags))
    return config


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Configuration, Configuration]:
    root = tmp_path_factory.mktemp("direct")
    (root / "main.tf").write_text(textwrap.dedent(CONFIG))
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _load(root, True, monkeypatch), _load(root, False, monkeypatch)


def _shape(value: Any) -> Any:
    """Deferred values compared by what they refer to and show, not by identity."""
    if isinstance(value, Deferred):
        return ("deferred", value.references, value.text)
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def test_direct_references_are_taken_and_keep_the_shape(configs) -> None:
    fast, slow = configs
    assert [r.address for r in fast.resources] == [r.address for r in slow.resources]
    for f, s in zip(fast.resources, slow.resources, strict=True):
        assert _shape(f.attributes) == _shape(s.attributes)
    # The shapes the benchmark's chains use are taken directly (a sanity check that the
    # comparison below compares two different paths).
    pool = fast.by_address()[A("avi_pool.a")].attributes
    assert pool["health_monitor_refs"][0].evaluate.__qualname__.endswith("reference")
    assert pool["description"].evaluate.__qualname__.endswith("template")


_SCALARS = st.one_of(st.text(max_size=4), st.none(), st.integers(-3, 3), st.booleans(),
                     st.just(UNKNOWN), st.text(max_size=3).map(SecretDigest),
                     st.floats(allow_nan=False, allow_infinity=False, width=16))
# Mostly strings, as ids and names are: a template is taken directly only when all its
# references are strings.
_VALUES = st.one_of(st.text(max_size=4), st.text(max_size=4), _SCALARS,
                    st.lists(_SCALARS, max_size=2),
                    st.dictionaries(st.sampled_from(ATTRIBUTES), _SCALARS, max_size=2))


@st.composite
def _planned(draw: st.DrawFn) -> dict[ResourceAddress, Mapping[str, Any]]:
    out: dict[ResourceAddress, Mapping[str, Any]] = {}
    for address in REFERENCED:
        attrs = draw(st.dictionaries(st.sampled_from(ATTRIBUTES), _VALUES, min_size=3,
                                     max_size=6))
        kind = draw(st.sampled_from(["dict", "dict", "new", "unknown", "absent"]))
        if kind == "dict":
            out[address] = attrs
        elif kind == "new":
            out[address] = _NewObject(attrs)
        elif kind == "unknown":
            out[address] = ALL_UNKNOWN
    return out


def _outcome(value: Any, planned: Mapping[ResourceAddress, Any]) -> Any:
    try:
        return ("value", resolve_deferred(value, lambda a: planned.get(a, ALL_UNKNOWN)))
    except DiagnosticsError as exc:
        return ("error", [(d.summary, d.detail, d.subject) for d in exc.diagnostics])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(planned=_planned())
def test_direct_references_resolve_as_the_evaluator_does(configs, planned) -> None:
    fast, slow = configs
    for f, s in zip(fast.resources, slow.resources, strict=True):
        for name, value in f.attributes.items():  # each alone: one error hides no other
            got, want = _outcome(value, planned), _outcome(s.attributes[name], planned)
            assert got == want, f"{f.address}.{name}"
            if got[0] == "value":
                assert _types(got[1]) == _types(want[1]), f"{f.address}.{name}"


def _types(value: Any) -> Any:
    """Exact types at every depth (a SecretDigest must stay one, or stay a str)."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value)
