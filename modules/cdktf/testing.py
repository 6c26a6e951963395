"""Test helpers in the manner of CDKTF's ``Testing``: synthesize a scope to a JSON document
without writing files, and look for resources by properties.

``Testing.synth_scope(lambda stack: AviPool(stack, "web", name="web"))`` → the stack's
document as a dict without ``//`` metadata (CDKTF's ``Testing.synthScope`` returns the same
as a JSON string; a dict is what Python assertions want).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from albform.modules.cdktf.stack import App, Stack


def strip_metadata(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [strip_metadata(v) for v in value]
    return value


def _contains(actual: Any, expected: Any) -> bool:
    """Deep partial match: every key of an expected mapping is present and matches;
    lists match element by element and must have the same length."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            k in actual and _contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(_contains(a, e) for a, e in zip(actual, expected, strict=True)))
    return bool(actual == expected)


class Testing:
    @staticmethod
    def synth(stack: Stack) -> dict[str, Any]:
        doc = strip_metadata(stack.to_terraform())
        assert isinstance(doc, dict)
        return doc

    @staticmethod
    def synth_scope(build: Callable[[Stack], object], stack_id: str = "test") -> dict[str, Any]:
        stack = Stack(App(outdir="cdktf.out"), stack_id)
        build(stack)
        return Testing.synth(stack)

    @staticmethod
    def resources_of(doc: Mapping[str, Any], type_name: str,
                     block: str = "resource") -> dict[str, Any]:
        found = doc.get(block, {}).get(type_name, {})
        return dict(found) if isinstance(found, Mapping) else {}

    @staticmethod
    def to_have_resource_with_properties(doc: Mapping[str, Any], type_name: str,
                                         properties: Mapping[str, Any] | None = None) -> bool:
        """True when some ``type_name`` resource's body contains ``properties``."""
        return any(_contains(body, properties or {})
                   for body in Testing.resources_of(doc, type_name).values())

    @staticmethod
    def to_have_data_source_with_properties(doc: Mapping[str, Any], type_name: str,
                                            properties: Mapping[str, Any] | None = None
                                            ) -> bool:
        return any(_contains(body, properties or {})
                   for body in Testing.resources_of(doc, type_name, "data").values())
