"""The objects a cluster front end (AKO, AMKO) would plan, written out as a plain Terraform
module that real Terraform and albform both read (``AkoCluster``/``AmkoGslb`` synthesize it).

The module directory holds two files:

* ``objects.json`` — the data: ``{"resources": {"avi_<type>": {"<key>": {...}}}, "names":
  {...}}``, every object in the official provider's configuration form
  (``official_view.config_form``: strings for its ``TypeString`` flags and numbers, nested
  objects as one-element block lists). Read with ``jsondecode(file(...))``, so no string in
  it is ever taken for a template;
* ``main.tf.json`` — per type, one resource block named as the front end names its
  addresses (``ako``/``amko``) with ``for_each`` over that type's objects, so the addresses
  stay ``module.<call>.avi_<type>.ako["<key>"]``. Each attribute any object of the type sets
  is ``each.value.<name>``; each nested block is a ``dynamic`` block over the list, nested as
  deep as the data goes, following the official provider's schema. To make every reference
  valid, each object (and each block element) carries every key its siblings set: ``null``
  for an attribute it leaves unset, ``[]`` for a block it has none of. Both mean "not set"
  to Terraform; to albform, no block of a single nested object is that object unset, and
  no block of a list is an empty list, which the diff takes as equal to an unset or empty
  list on the controller (``engine/diff.py`` rule 2).

Ordering: references stay by name (``/api/pool?name=...``, what AKO sends), and each
resource block ``depends_on`` the blocks of the types its objects refer to, which Terraform
orders by. Terraform cannot order instances of one block among themselves, so an object
referring to another of its own type (an SNI or EVH child virtual service naming its parent)
is ordered only by albform; ``Expansion.same_type_references`` lists them.

Everything is sorted, so the same configuration gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from albform.engine.config import Configuration
from albform.provider.schema.official_view import (
    PROVIDER_SOURCE,
    config_form,
    load_official,
    nested_block,
    official_block,
)

OBJECTS_FILE = "objects.json"
MAIN_FILE = "main.tf.json"
_DATA = "local.albform"


@dataclass(frozen=True, slots=True)
class Expansion:
    """The module's files (name -> JSON document) and what the caller must tell the user."""

    files: Mapping[str, Any]
    warnings: tuple[str, ...]
    same_type_references: tuple[tuple[str, str], ...]  # (object, the object it refers to)


# A block's shape: every attribute (None) and nested block (its own shape) that any element
# at this place sets, over all objects of one type.
Shape = dict[str, "Shape | None"]


def expand(configuration: Configuration, *, outputs: Mapping[str, str],
           description: str) -> Expansion:
    """The module for ``configuration`` (a front end's resources, addressed without a module
    path). ``outputs`` maps each map output's name to its resource type (``pools`` ->
    ``avi_pool``), as the built-in module defines them; ``description`` goes in a comment."""
    warnings: list[str] = []
    data: dict[str, dict[str, Any]] = {}
    names: dict[str, list[str]] = {}
    blocks: dict[str, str] = {}  # type -> resource (block) name
    depends: dict[str, set[str]] = {}
    same_type: list[tuple[str, str]] = []
    for resource in configuration.resources:
        address = resource.address
        tf_type = address.type
        if blocks.setdefault(tf_type, address.name) != address.name:
            raise ValueError(f"{address}: two resource names for {tf_type} in one module")
        values, left_out = config_form(tf_type, resource.attributes)
        for path in left_out:
            warnings.append(f"{address}: {path.split('.', 1)[1]} is left out: the "
                            f"{PROVIDER_SOURCE} provider has no such argument")
        _empty_blocks(tf_type, values, str(address), warnings)
        known = data.setdefault(tf_type, {})
        if str(address.key) in known:
            # One object the translation makes twice (a shared certificate): one instance.
            if known[str(address.key)] != values:
                raise ValueError(f"{address} is translated twice, differently")
            continue
        known[str(address.key)] = values
        names.setdefault(tf_type, []).append(str(resource.attributes.get("name",
                                                                         address.key)))
        for dep in resource.depends_on:
            if dep.type == tf_type:
                same_type.append((str(address), str(dep)))
            else:
                depends.setdefault(tf_type, set()).add(f"{dep.type}.{dep.name}")
    for tf_type in data:
        if official_block(tf_type) is None:
            warnings.append(f"{tf_type}: albform's own resource type, which the "
                            f"{PROVIDER_SOURCE} provider does not have: only albform can "
                            "plan this module")
    resources: dict[str, Any] = {}
    for tf_type in sorted(data):
        shape = _shape(tf_type, data[tf_type].values())
        data[tf_type] = {key: _filled(value, shape)
                         for key, value in sorted(data[tf_type].items())}
        body: dict[str, Any] = {"for_each": f"${{{_DATA}.resources.{tf_type}}}"}
        body.update(_body(shape, "each.value"))
        if tf_type in depends:
            body["depends_on"] = sorted(d for d in depends[tf_type] if
                                        d.split(".")[0] in data)
        resources[tf_type] = {blocks[tf_type]: body}
    main: dict[str, Any] = {
        "//": {"albform": description},
        "terraform": {"required_providers": {"avi": {"source": PROVIDER_SOURCE}}},
        "locals": {"albform": f"${{jsondecode(file(\"${{path.module}}/{OBJECTS_FILE}\"))}}"},
        "output": _outputs(outputs, blocks),
    }
    if resources:
        main["resource"] = resources
    objects = {"names": names, "resources": data}
    return Expansion(files={MAIN_FILE: main, OBJECTS_FILE: objects},
                     warnings=tuple(warnings), same_type_references=tuple(same_type))


def _is_block(facts: Mapping[str, Any] | None) -> bool:
    return (facts is not None and facts["type"] in ("list", "set")
            and facts.get("elem") in load_official()["blocks"])


def _attrs(tf_type: str) -> Mapping[str, Any] | None:
    block = official_block(tf_type)
    return None if block is None else block["attributes"]


def _shape(tf_type: str, values: Any) -> Shape:
    """The shape of a type's objects (for a type the provider lacks: attributes only)."""
    shape: Shape = {}
    _widen(shape, _attrs(tf_type), list(values))
    return shape


def _widen(shape: Shape, attrs: Mapping[str, Any] | None, items: Sequence[Any]) -> None:
    for item in items:
        for name, value in item.items():
            facts = None if attrs is None else attrs.get(name)
            if not _is_block(facts):
                shape.setdefault(name, None)
                continue
            assert facts is not None
            inner = shape.get(name)
            if inner is None:
                inner = shape[name] = {}
            _widen(inner, nested_block(facts["elem"])["attributes"],
                   [v for v in value if isinstance(v, Mapping)])


def _filled(value: Mapping[str, Any], shape: Shape) -> dict[str, Any]:
    """``value`` with every key of ``shape``: null for an unset attribute, [] for a block."""
    out: dict[str, Any] = {}
    for name in sorted(shape):
        inner = shape[name]
        if inner is None:
            out[name] = value.get(name)
        else:
            out[name] = [_filled(v, inner) for v in value.get(name) or []]
    return out


def _body(shape: Shape, source: str) -> dict[str, Any]:
    """Arguments reading ``source`` (``each.value``, an iterator's ``x.value``)."""
    body: dict[str, Any] = {}
    dynamic: dict[str, Any] = {}
    for name in sorted(shape):
        inner = shape[name]
        if inner is None:
            body[name] = f"${{{source}.{name}}}"
        else:
            # The iterator is named after the block (Terraform's default): inside
            # ``content`` it is the nearest enclosing one, the only one referred to.
            dynamic[name] = {"for_each": f"${{{source}.{name}}}",
                             "content": _body(inner, f"{name}.value")}
    if dynamic:
        body["dynamic"] = dynamic
    return body


def _empty_blocks(tf_type: str, values: Mapping[str, Any], address: str,
                  warnings: list[str]) -> None:
    """An explicitly empty block list cannot be told from no blocks in a configuration: say
    so (the object keeps whatever the controller has there)."""
    attrs = _attrs(tf_type)
    if attrs is None:
        return
    _walk_empty(attrs, values, "", address, warnings)


def _walk_empty(attrs: Mapping[str, Any], values: Mapping[str, Any], path: str,
                address: str, warnings: list[str]) -> None:
    for name, value in values.items():
        facts = attrs.get(name)
        if not _is_block(facts):
            continue
        assert facts is not None
        if value == []:
            warnings.append(f"{address}: {path}{name} is an empty list, written as no "
                            "blocks (a configuration cannot tell the two apart), so the "
                            "object keeps what the controller has there")
        inner = nested_block(facts["elem"])["attributes"]
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                _walk_empty(inner, item, f"{path}{name}[{i}].", address, warnings)


def _outputs(outputs: Mapping[str, str], blocks: Mapping[str, str]) -> dict[str, Any]:
    """The built-in module's outputs: a map per ``outputs`` entry, ``objects`` (every
    object, keyed ``avi_<type>.<key>``) and ``names`` (type -> names, known now)."""
    out: dict[str, Any] = {}
    for name, tf_type in sorted(outputs.items()):
        out[name] = {"value": f"${{{tf_type}.{blocks[tf_type]}}}" if tf_type in blocks
                     else {}}
    parts = [f"{{for k, v in {t}.{blocks[t]} : \"{t}.${{k}}\" => v}}" for t in sorted(blocks)]
    out["objects"] = {"value": f"${{merge({', '.join(parts)})}}" if parts else {}}
    out["names"] = {"value": f"${{{_DATA}.names}}"}
    return out


def dumps(doc: Any) -> str:
    """Deterministic JSON for the module's files (sorted keys, two-space indent)."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
