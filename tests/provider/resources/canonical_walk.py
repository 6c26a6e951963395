"""The reference for ``provider/resources/canonical.py``: the generic schema walk albform used
before the walk was compiled, kept only here, so that the differential tests
(``test_canonical_compiled.py``) can check that the compiled walk answers as it did."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.schema import AttributeSchema
from albform.engine.values import UNKNOWN, Deferred
from albform.provider.resources.canonical import coerce_scalar, unwrap_single
from albform.provider.resources.keyed_lists import sort_keyed_lists
from albform.provider.resources.refs import is_ref_field
from albform.provider.resources.resolver import DEFAULT_SCOPE, RefResolver, Scope

_PLAIN = frozenset({str, int, float, bool})  # exact types: never a placeholder or container


def _is_placeholder(value: object) -> bool:
    return value is UNKNOWN or isinstance(value, Deferred)


class ReferenceWalk:
    """The generic walk (albform before the compiled one), unchanged but for its name."""

    def __init__(self, resolver: RefResolver) -> None:
        self._resolver = resolver

    def canonicalize(self, objtype: str, fields: Mapping[str, AttributeSchema] | None,
                     attributes: Mapping[str, Any], scope: Scope = DEFAULT_SCOPE) -> dict[str, Any]:
        out = self._object(fields, attributes, scope)
        return sort_keyed_lists(objtype, out)

    def ref(self, value: Any, target: str | None, scope: Scope) -> Any:
        if isinstance(value, str):
            return self._resolver.canonical(value, target, scope)
        return value

    # -- the walk -------------------------------------------------------------------------
    def _object(self, fields: Mapping[str, AttributeSchema] | None, value: Mapping[str, Any],
                scope: Scope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in value.items():
            attr = fields.get(key) if fields is not None else None
            out[key] = self._value(key, attr, item, scope)
        return out

    def _value(self, key: str, attr: AttributeSchema | None, value: Any, scope: Scope) -> Any:
        # Most configured values are plain scalars (a cluster's 56,000 bodies hold millions):
        # their cases of ``_value_any`` without its placeholder and container tests.
        if type(value) in _PLAIN:
            if attr is None:
                return self.ref(value, None, scope) if is_ref_field(key) else value
            target = attr.refers_to
            if target is not None or (is_ref_field(key) and attr.fields is None):
                return self.ref(value, target, scope)
            if attr.type == "list" or attr.type == "object" or attr.fields is not None:
                return value
            return coerce_scalar(attr.type, value)
        return self._value_any(key, attr, value, scope)

    def _value_any(self, key: str, attr: AttributeSchema | None, value: Any,
                   scope: Scope) -> Any:
        if _is_placeholder(value) or value is None:
            return value
        target = attr.refers_to if attr is not None else None
        if attr is None:
            if is_ref_field(key):
                return self._refs(value, None, scope)
            return value
        if target is not None or (is_ref_field(key) and attr.fields is None):
            return self._refs(value, target, scope)
        if attr.type == "list":
            if not isinstance(value, list):
                return value
            return [self._element(key, attr, v, scope) for v in value]
        if attr.type == "object" or attr.fields is not None:
            value = unwrap_single(value)
            if isinstance(value, Mapping):
                return self._object(attr.fields, value, scope)
            return value
        return coerce_scalar(attr.type, value)

    def _element(self, key: str, attr: AttributeSchema, value: Any, scope: Scope) -> Any:
        if type(value) in _PLAIN:  # ``_element_any`` without the placeholder/container tests
            return value if attr.fields is not None else coerce_scalar(attr.element_type, value)
        return self._element_any(key, attr, value, scope)

    def _element_any(self, key: str, attr: AttributeSchema, value: Any, scope: Scope) -> Any:
        if _is_placeholder(value) or value is None:
            return value
        if attr.fields is not None:
            value = unwrap_single(value)
            return self._object(attr.fields, value, scope) if isinstance(value, Mapping) \
                else value
        return coerce_scalar(attr.element_type, value)

    def _refs(self, value: Any, target: str | None, scope: Scope) -> Any:
        if isinstance(value, list):
            return [v if _is_placeholder(v) else self.ref(v, target, scope) for v in value]
        return self.ref(value, target, scope)
