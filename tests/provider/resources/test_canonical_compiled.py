"""The compiled canonicalisation walk (``provider/resources/canonical.py``) answers exactly as
the generic walk it replaced (``canonical_walk.py``), over every real schema: configured
values drawn from each type's schema, of the right shapes and the wrong ones (placeholders,
``None``, scalars where objects are expected, one-element block lists, unknown keys, ref-named
keys, ``str`` and ``Mapping`` subclasses), and the configuration a translated cluster makes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.schema import AttributeSchema
from albform.engine.values import UNKNOWN, Deferred
from albform.provider.resources.api import Tenant
from albform.provider.resources.canonical import Canonicalizer
from albform.provider.resources.registry import TypeRegistry
from albform.provider.resources.resolver import Scope
from albform.provider.resources.schemas import SchemaCatalog
from albform.provider.schema.table import load_table

sys.path.insert(0, str(Path(__file__).parent))
from canonical_walk import ReferenceWalk

LATER = Deferred(frozenset({ResourceAddress("avi_pool", "web")}), lambda resolve: "x",
                 "avi_pool.web.id")
SCOPES = [Scope(), Scope(Tenant(name="t1"), "cloud-1")]


class _Resolver:
    """Stands for the resolver: says what it was asked, so a wrong target or scope shows."""

    def canonical(self, value: str, target: str | None, scope: Scope) -> str:
        return f"resolved {value} as {target} in {scope.tenant.name}/{scope.cloud_uuid}"


class Text(str):
    """A ``str`` subclass: the walks' exact-type shortcuts must not treat it as ``str``."""


@functools.cache
def _catalog() -> SchemaCatalog:
    return SchemaCatalog(TypeRegistry.from_table(load_table()))


@functools.cache
def _types() -> list[str]:
    return sorted(t for t in _catalog().registry.resource_types()
                  if _catalog().get(t) is not None)


def _walks() -> tuple[Canonicalizer, ReferenceWalk]:
    resolver = _Resolver()
    return Canonicalizer(resolver), ReferenceWalk(resolver)  # type: ignore[arg-type]


_ODD = st.sampled_from([None, UNKNOWN, LATER, Text("/api/pool?name=t"), Text("80"), True,
                        "", "true", "No", "80", "1.5", "-3", "web", "/api/pool/pool-1",
                        "/api/pool?name=x", 0, 1, 2.0, 2.5, -7])
_SCALAR = st.one_of(_ODD, st.text(max_size=3), st.integers(-5, 300), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False))
_EXTRA_KEYS = ["not_a_field", "x_ref", "x_refs", "nested_ref"]


def _draw_value(data: st.DataObject, key: str, attr: AttributeSchema | None,
                depth: int) -> Any:
    """A value for ``key``: of its schema's shape most of the time, of any shape else."""
    shape = data.draw(st.integers(0, 9))
    if shape == 0:
        return data.draw(_SCALAR)
    if shape == 1:
        return data.draw(st.lists(_SCALAR, max_size=3))
    if shape == 2 and depth < 3:
        return _draw_object(data, None, depth + 1)
    if attr is None:
        return data.draw(_SCALAR)
    if attr.refers_to is not None or key.endswith(("_ref", "_refs")):
        one = st.one_of(st.sampled_from(["/api/pool?name=a", "b", "https://h/api/x/x-1#n"]),
                        _ODD)
        return data.draw(st.one_of(one, st.lists(one, max_size=3)))
    if attr.type == "list":
        return [_draw_element(data, key, attr, depth)
                for _ in range(data.draw(st.integers(0, 3)))]
    if attr.fields is not None or attr.type == "object":
        if depth >= 3:
            return data.draw(_SCALAR)
        obj = _draw_object(data, attr.fields, depth + 1)
        return data.draw(st.sampled_from([obj, [obj], MappingProxyType(obj), [obj, obj]]))
    return data.draw(_SCALAR)


def _draw_element(data: st.DataObject, key: str, attr: AttributeSchema, depth: int) -> Any:
    if attr.fields is not None and depth < 3 and data.draw(st.booleans()):
        obj = _draw_object(data, attr.fields, depth + 1)
        return data.draw(st.sampled_from([obj, [obj]]))
    return data.draw(_SCALAR)


def _draw_object(data: st.DataObject, fields: Mapping[str, AttributeSchema] | None,
                 depth: int) -> dict[str, Any]:
    names = sorted(fields or {})
    keys = data.draw(st.lists(st.sampled_from(names + _EXTRA_KEYS), unique=True, max_size=6))
    return {k: _draw_value(data, k, (fields or {}).get(k), depth) for k in keys}


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_the_compiled_walk_answers_as_the_generic_walk(data: st.DataObject) -> None:
    type_name = data.draw(st.sampled_from(_types()))
    schema = _catalog().get(type_name)
    assert schema is not None
    objtype = _catalog().registry.api_type(type_name)
    attributes = _draw_object(data, schema.attributes, 0)
    scope = data.draw(st.sampled_from(SCOPES))
    compiled, reference = _walks()
    # Twice through the compiled walk: the second answer comes from its filled tables.
    for _ in range(2):
        got = compiled.canonicalize(objtype, schema.attributes, attributes, scope)
        assert got == reference.canonicalize(objtype, schema.attributes, attributes, scope)
    # Placeholders are passed on as the very objects given (rule 1).
    assert _placeholders(got) == _placeholders(
        reference.canonicalize(objtype, schema.attributes, attributes, scope))


def _placeholders(value: Any) -> list[int]:
    if value is UNKNOWN or isinstance(value, Deferred):
        return [id(value)]
    if isinstance(value, Mapping):
        return [i for v in value.values() for i in _placeholders(v)]
    if isinstance(value, list):
        return [i for v in value for i in _placeholders(v)]
    return []


def test_a_translated_cluster_canonicalises_as_before() -> None:
    from albform.modules.k8s.facts import ControllerFacts
    from albform.modules.k8s.settings import settings_from_values
    from albform.modules.k8s.testing import SYNTHETIC_AVI_OBJECTS, synthetic_cluster
    from albform.modules.k8s.translate import translate

    values = {"clusterName": "c", "vipNetworkList": '[{"networkName":"vip"}]',
              "nodeNetworkList": '[{"networkName":"nodes","cidrs":["172.16.0.0/16"]}]'}
    ako, diags = settings_from_values(values, {}, "test")
    assert ako is not None, [str(d) for d in diags]
    translation, diags = translate(synthetic_cluster(20, 40, 30, crds=True), ako,
                                   ControllerFacts(avi_objects=SYNTHETIC_AVI_OBJECTS))
    assert translation is not None and not diags.has_errors()
    config = translation.to_configuration()
    compiled, reference = _walks()
    types = set()
    for rc in config.resources:
        schema = _catalog().get(rc.type)
        assert schema is not None
        objtype = _catalog().registry.api_type(rc.type)
        assert compiled.canonicalize(objtype, schema.attributes, rc.attributes, SCOPES[1]) \
            == reference.canonicalize(objtype, schema.attributes, rc.attributes, SCOPES[1])
        types.add(rc.type)
    assert {"avi_virtualservice", "avi_pool", "avi_vsvip"} <= types


_KINDS = ["string", "integer", "number", "boolean", "object", "list", "map", "any"]
_NAMES = ["name", "port", "x_ref", "x_refs", "sub", "items"]


def _attributes(depth: int = 0) -> st.SearchStrategy[dict[str, AttributeSchema]]:
    """Schemas drawn at random: every combination of type, element type, ``refers_to`` and
    fields under the names the rules look at (``*_ref``, ``*_refs``), which the real schemas
    hold only in a few deep places."""
    fields = st.none() if depth >= 2 else st.one_of(st.none(), _attributes(depth + 1))
    attr = st.builds(lambda kind, element, target, sub: (kind, element, target, sub),
                     st.sampled_from(_KINDS), st.one_of(st.none(), st.sampled_from(_KINDS)),
                     st.sampled_from([None, "pool"]), fields)
    return st.dictionaries(st.sampled_from(_NAMES), attr, max_size=4).map(
        lambda drawn: {name: AttributeSchema(name, type=kind, element_type=element,
                                             refers_to=target, fields=sub)
                       for name, (kind, element, target, sub) in drawn.items()})


@settings(max_examples=400, deadline=None)
@given(_attributes(), st.data())
def test_the_compiled_walk_answers_as_the_generic_walk_for_any_schema(
        fields: dict[str, AttributeSchema], data: st.DataObject) -> None:
    attributes = _draw_object(data, fields, 0)
    scope = data.draw(st.sampled_from(SCOPES))
    compiled, reference = _walks()
    assert compiled.canonicalize("pool", fields, attributes, scope) \
        == reference.canonicalize("pool", fields, attributes, scope)
