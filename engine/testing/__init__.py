"""Test doubles for the engine, shipped with the package so that every layer's tests and the
benchmarks can use them: ``FakeProvider`` (an in-memory ``Provider``) and its schemas."""

from __future__ import annotations

from albform.engine.testing.fake_provider import Call, FakeProvider, Fault, ref_url
from albform.engine.testing.fake_schemas import DEFAULT_DATA_SCHEMAS, DEFAULT_SCHEMAS

__all__ = ["DEFAULT_DATA_SCHEMAS", "DEFAULT_SCHEMAS", "Call", "FakeProvider", "Fault", "ref_url"]
