"""Config-side normalisation: configured values → the form ``read`` returns.

``Canonicalizer.canonicalize(objtype, schema, attributes, scope)`` walks the configured
attributes with the type's schema. The rules, per configured value (the code cites them):

1. ``UNKNOWN``, ``Deferred`` and ``None`` pass through untouched, at any depth.
2. A reference — an attribute with ``refers_to``, or a key named ``*_ref``/``*_refs`` that
   has no nested fields, including keys the schema does not know — is mapped to the canonical
   ``/api/<type>/<uuid>`` form through the resolver (``resolver.py``): a string, or each
   string of a list; anything else is kept.
3. A list attribute: each member of a list is canonicalised as its element type (objects by
   rule 4, scalars by rule 5); anything but a list is kept.
4. An object attribute (or any attribute with fields): a one-element list holding an object
   is unwrapped (``ip { … }`` decodes to ``[{…}]``; the API has an object) and a mapping is
   walked with its fields; anything else is kept.
5. A scalar is coerced to the schema type (``coerce_scalar``: HCL and the official provider
   write ``"80"`` and ``"true"``; the API returns ``80`` and ``true``).
6. Keys the schema does not know are kept as given (rule 2 aside): the controller ignores
   them, the diff compares them as given.

Keyed lists (pool servers) are then put in canonical order (``keyed_lists.py``). Reads only,
never writes.

The walk is compiled (a cluster's 56,000 bodies hold millions of values): each schema object
(a ``fields`` mapping) becomes, once per ``Canonicalizer``, a table from key to the exact
types that rule leaves unchanged and the step applying it, so most values cost one dict
lookup and one set test, and no rule is decided again per value. Thread-safe: the tables only
grow, each entry computed from the schema alone, so two threads compiling one key at once
store equal entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from albform.engine.schema import AttributeSchema
from albform.engine.values import PLAIN_TYPES, UNKNOWN, Deferred
from albform.provider.resources.keyed_lists import sort_keyed_lists
from albform.provider.resources.refs import is_ref_field
from albform.provider.resources.resolver import DEFAULT_SCOPE, RefResolver, Scope

_TRUE = {"true", "1", "yes", "on"}
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


Step = Callable[[Any, Scope], Any]
"""One configured value → its canonical form, in the referring object's scope."""
ObjectWalk = Callable[[Mapping[str, Any], Scope], dict[str, Any]]
# (the exact types the key's rule returns unchanged, the step; None: every value unchanged)
_Entry = tuple[frozenset[type], Step | None]

_NONE: type = type(None)
# Containers (rules 3, 4) keep these as given; rule 2 maps strings only.
_PLAIN = PLAIN_TYPES
_REF_KEPT: frozenset[type] = frozenset({int, float, bool, _NONE})
# The exact types ``coerce_scalar`` returns unchanged for each kind; kinds it never changes
# have no entry.
_COERCE_KEPT: Mapping[str | None, frozenset[type]] = {
    "integer": frozenset({int, bool, _NONE}),
    "number": frozenset({int, float, bool, _NONE}),
    "boolean": frozenset({int, float, bool, _NONE}),
    "string": frozenset({str, _NONE}),
}
_KEEP: _Entry = (frozenset(), None)


class Canonicalizer:
    def __init__(self, resolver: RefResolver) -> None:
        self._resolver = resolver
        # id(fields) -> (fields, its walk): the mapping is held so that its id stays its own.
        self._walks: dict[int, tuple[object, ObjectWalk]] = {}

    def canonicalize(self, objtype: str, fields: Mapping[str, AttributeSchema] | None,
                     attributes: Mapping[str, Any], scope: Scope = DEFAULT_SCOPE) -> dict[str, Any]:
        return sort_keyed_lists(objtype, self._walk(fields)(attributes, scope))

    # -- compiling the walk -----------------------------------------------------------------
    def _walk(self, fields: Mapping[str, AttributeSchema] | None) -> ObjectWalk:
        found = self._walks.get(id(fields))
        if found is not None:
            return found[1]
        walk = self._compile_object(fields)
        self._walks[id(fields)] = (fields, walk)
        return walk

    def _compile_object(self, fields: Mapping[str, AttributeSchema] | None) -> ObjectWalk:
        table: dict[str, _Entry] = {}  # filled per key on first sight (schemas are large)
        entry_for = self._entry

        def walk(value: Mapping[str, Any], scope: Scope) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, item in value.items():
                entry = table.get(key)
                if entry is None:
                    entry = table[key] = entry_for(
                        key, fields.get(key) if fields is not None else None)
                kept, step = entry
                out[key] = item if step is None or type(item) in kept else step(item, scope)
            return out

        return walk

    def _entry(self, key: str, attr: AttributeSchema | None) -> _Entry:
        """The rule for ``key`` (module docstring) as the walk applies it."""
        if attr is None:  # rule 6, rule 2 for ref-named keys
            return (_REF_KEPT, self._ref_step(None)) if is_ref_field(key) else _KEEP
        if attr.refers_to is not None or (is_ref_field(key) and attr.fields is None):
            return _REF_KEPT, self._ref_step(attr.refers_to)  # rule 2
        if attr.type == "list":
            return _PLAIN, self._list_step(attr)  # rule 3
        if attr.type == "object" or attr.fields is not None:
            return _PLAIN, self._object_step(attr.fields)  # rule 4
        return _scalar_entry(attr.type)  # rule 5

    def _ref_step(self, target: str | None) -> Step:
        canonical = self._resolver.canonical

        def step(value: Any, scope: Scope) -> Any:
            # Placeholders (rule 1) are neither strings nor lists.
            if isinstance(value, str):
                return canonical(value, target, scope)
            if isinstance(value, list):
                return [canonical(v, target, scope) if isinstance(v, str) else v
                        for v in value]
            return value

        return step

    def _list_step(self, attr: AttributeSchema) -> Step:
        if attr.fields is not None:
            element = self._object_step(attr.fields)
            kept = _PLAIN
        else:
            kept, coerce = _scalar_entry(attr.element_type)
            element = coerce if coerce is not None else _unchanged

        def step(value: Any, scope: Scope) -> Any:
            if not isinstance(value, list):
                return value
            return [v if type(v) in kept else element(v, scope) for v in value]

        return step

    def _object_step(self, fields: Mapping[str, AttributeSchema] | None) -> Step:
        walk = self._walk(fields)

        def step(value: Any, scope: Scope) -> Any:
            if type(value) is dict:  # the common case, where unwrap_single changes nothing
                return walk(value, scope)
            value = unwrap_single(value)
            return walk(value, scope) if isinstance(value, Mapping) else value

        return step


def _scalar_entry(kind: str | None) -> _Entry:
    kept = _COERCE_KEPT.get(kind)
    if kept is None:
        return _KEEP

    def step(value: Any, scope: Scope) -> Any:
        return coerce_scalar(kind, value)

    return kept, step


def _unchanged(value: Any, scope: Scope) -> Any:
    return value
