"""Config-side normalisation: configured values → the form ``read`` returns.

``Canonicalizer.canonicalize(objtype, schema, attributes, scope)`` walks the configured
attributes with the type's schema and

* coerces scalars to the schema type (HCL and the official provider write ``"80"`` and
  ``"true"``; the API returns ``80`` and ``true``);
* unwraps single nested messages written as one-element block lists (``ip { … }`` decodes to
  ``[{…}]``; the API has an object);
* maps every reference (``refers_to`` attributes and ``*_ref``/``*_refs`` keys) to the
  canonical ``/api/<type>/<uuid>`` form through the resolver (``resolver.py``);
* puts keyed lists (pool servers) in canonical order (``keyed_lists.py``).

``UNKNOWN`` and ``Deferred`` pass through untouched at any depth; so do keys the schema does
not know (the controller ignores them, the diff compares them as given). Reads only, never
writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albform.engine.schema import AttributeSchema
from albform.engine.values import UNKNOWN, Deferred
from albform.provider.resources.keyed_lists import sort_keyed_lists
from albform.provider.resources.refs import is_ref_field
from albform.provider.resources.resolver import DEFAULT_SCOPE, RefResolver, Scope

_TRUE = {"true", "1", "yes", "on"}
_PLAIN = frozenset({str, int, float, bool})  # exact types: never a placeholder or container
_FALSE = {"false", "0", "no", "off"}


def _is_placeholder(value: object) -> bool:
    return value is UNKNOWN or isinstance(value, Deferred)


def coerce_scalar(kind: str | None, value: Any) -> Any:
    """``value`` converted to the JSON type ``kind``; unchanged when it does not convert
    (the controller then rejects it with its own message, which is the better error)."""
    if _is_placeholder(value) or value is None:
        return value
    if kind == "integer" and isinstance(value, str | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else value
    if kind == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if kind == "boolean" and isinstance(value, str):
        low = value.strip().lower()
        return True if low in _TRUE else False if low in _FALSE else value
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    return value


def unwrap_single(value: Any) -> Any:
    """A one-element list holding an object → the object (HCL single nested block)."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    return value


class Canonicalizer:
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
