"""Version gating and the server-side defaults used by the emulator."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.provider.schema import (
    Field,
    defaults_for,
    definition_defaults,
    field_available,
    fill_defaults,
    load_table,
    parse_version,
    version_gate,
)


def test_parse_version_accepts_header_forms():
    assert parse_version("18.2.3") == (18, 2, 3)
    assert parse_version("v18_2_3") == (18, 2, 3)
    assert parse_version("30.2.1") > parse_version("30.1.10")
    with pytest.raises(ValueError):
        parse_version("latest")


def test_backported_field_is_available_per_release_line():
    f = Field(name="x", type="string", introduced_in="18.1.5",
              introduced_in_all=("18.1.5", "18.2.1"))
    assert not field_available(f, "18.1.4")
    assert field_available(f, "18.1.5")
    assert not field_available(f, "18.2.0")
    assert field_available(f, "18.2.1")
    assert field_available(f, "20.1.1")
    assert not field_available(f, "17.2.14")
    assert field_available(Field(name="y", type="string"), "16.4.2")


def test_version_gate_reads_the_table(swagger_docs):
    prose = swagger_docs["VirtualService"]["definitions"]["Service"]["properties"][
        "enable_http2"]["description"]
    gate = version_gate("virtualservice", "services.enable_http2")
    assert gate is not None and f"Field introduced in {gate}" in prose
    assert version_gate("pool", "name") is None
    with pytest.raises(KeyError):
        version_gate("pool", "no_such_field")


def test_defaults_for_pool_match_the_recorded_post_answer():
    # Appendix A of docs/avi-api.md: the controller's answer to a minimal pool POST.
    defaults = defaults_for("pool")
    for key, value in {"enabled": True, "graceful_disable_timeout": 1,
                       "connection_ramp_duration": 10, "inline_health_monitor": True,
                       "use_service_port": False, "capacity_estimation": False,
                       "request_queue_depth": 128, "sni_enabled": True, "server_timeout": 0,
                       "delete_server_on_dns_refresh": True}.items():
        assert defaults[key] == value, key
    assert "url" not in defaults and "name" not in defaults
    assert definition_defaults("Vip")["prefix_length"] == 32


def test_fill_defaults_fills_nested_and_never_mutates():
    given_obj = {"name": "p", "servers": [{"ip": {"addr": "10.0.0.1", "type": "V4"},
                                           "ratio": 5}]}
    before = copy.deepcopy(given_obj)
    filled = fill_defaults("pool", given_obj)
    assert given_obj == before
    assert filled["default_server_port"] == 80
    assert filled["servers"][0]["ratio"] == 5
    assert filled["servers"][0]["enabled"] is True
    assert filled["servers"][0]["ip"] == {"addr": "10.0.0.1", "type": "V4"}


_POOL_SCALARS = sorted(n for n, f in load_table().object("pool").fields.items()
                       if f.type in ("string", "integer", "boolean") and not f.computed)


@given(st.dictionaries(st.sampled_from(_POOL_SCALARS),
                       st.one_of(st.integers(), st.booleans(), st.text(max_size=5))))
def test_fill_defaults_keeps_given_values_and_is_idempotent(obj):
    filled = fill_defaults("pool", obj)
    assert all(filled[k] == v for k, v in obj.items())
    assert fill_defaults("pool", filled) == filled
    assert set(defaults_for("pool")) <= set(filled)
