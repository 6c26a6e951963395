"""The objects a cluster front end (AKO, AMKO) would plan, written out as a plain Terraform
module that real Terraform and albform both read (``AkoCluster``/``AmkoGslb`` synthesize it).

The module directory holds two files:

* ``objects.json`` — the data: ``{"resources": {"avi_<type>": {"<block>": {"<key>":
  {...}}}}, "names": {...}}``, every object in the official provider's configuration form
  (``official_view.config_form``: strings for its ``TypeString`` flags and numbers, nested
  objects as one-element block lists). Read with ``jsondecode(file(...))``, so no string in
  it is ever taken for a template;
* ``main.tf.json`` — per type, one resource block named as the front end names its
  addresses (``ako``/``amko``) with ``for_each`` over that type's objects, so the addresses
  stay ``module.<call>.avi_<type>.ako["<key>"]`` (but for the objects of deeper tiers,
  below). Each attribute any object of the type sets
  is ``each.value.<name>``; each nested block is a ``dynamic`` block over the list, nested as
  deep as the data goes, following the official provider's schema. To make every reference
  valid, each object (and each block element) carries every key its siblings set: ``null``
  for an attribute it leaves unset, ``[]`` for a block it has none of. Both mean "not set"
  to Terraform; to albform, no block of a single nested object is that object unset, and
  no block of a list is an empty list, which the diff takes as equal to an unset or empty
  list on the controller (``engine/diff.py`` rule 2).

Ordering: references stay by name (``/api/pool?name=...``, what AKO sends), and each
resource block ``depends_on`` the blocks of the types its objects refer to, which Terraform
orders by. Terraform cannot order instances of one block among themselves, so the objects
referring to others of their own type (SNI and EVH child virtual services naming their
parent) go in blocks of their own, one per dependency tier (``ako_tier1``, which
``depends_on`` ``ako``), each instance with a ``moved`` block from its address under
albform's built-in module (``cluster_tiers``). Real Terraform and albform then both create a
parent before its children and delete it after them.

Everything is sorted, so the same configuration gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import Configuration
from albform.modules.cdktf.cluster_tiers import TierCycleError, object_tiers, tier_name
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


# A block's shape: every attribute (None) and nested block (its own shape) that any element
# at this place sets, over all objects of one type.
Shape = dict[str, "Shape | None"]


@dataclass(slots=True)
class _TypeObjects:
    """What ``expand`` gathers for one resource type."""

    name: str  # the front end's resource name: ``ako``
    objects: dict[str, Any] = field(default_factory=dict)  # key -> configuration form
    refers: dict[str, set[str]] = field(default_factory=dict)  # key -> types referred to
    parents: dict[str, set[str]] = field(default_factory=dict)  # key -> same-type keys
    tiers: dict[str, int] = field(default_factory=dict)  # key -> tier (cluster_tiers)

    def blocks(self) -> list[str]:
        """The resource (block) names, tier 0 first."""
        return [tier_name(self.name, t) for t in range(1 + max(self.tiers.values(),
                                                                 default=0))]

    def in_block(self, tier: int) -> dict[str, Any]:
        return {k: v for k, v in sorted(self.objects.items()) if self.tiers[k] == tier}


def expand(configuration: Configuration, *, outputs: Mapping[str, str],
           description: str) -> Expansion:
    """The module for ``configuration`` (a front end's resources, addressed without a module
    path). ``outputs`` maps each map output's name to its resource type (``pools`` ->
    ``avi_pool``), as the built-in module defines them; ``description`` goes in a comment.
    Raises ``ValueError`` for a configuration no module can express (two resource names
    for one type, an object translated twice differently, a cycle of same-type references).
    """
    warnings: list[str] = []
    types: dict[str, _TypeObjects] = {}
    names: dict[str, list[str]] = {}
    for resource in configuration.resources:
        address = resource.address
        tf_type = address.type
        gathered = types.setdefault(tf_type, _TypeObjects(address.name))
        if gathered.name != address.name:
            raise ValueError(f"{address}: two resource names for {tf_type} in one module")
        values, left_out = config_form(tf_type, resource.attributes)
        for path in left_out:
            warnings.append(f"{address}: {path.split('.', 1)[1]} is left out: the "
                            f"{PROVIDER_SOURCE} provider has no such argument")
        _empty_blocks(tf_type, values, str(address), warnings)
        key = str(address.key)
        if key in gathered.objects:
            # One object the translation makes twice (a shared certificate): one instance.
            if gathered.objects[key] != values:
                raise ValueError(f"{address} is translated twice, differently")
            continue
        gathered.objects[key] = values
        names.setdefault(tf_type, []).append(str(resource.attributes.get("name", key)))
        refers, parents = gathered.refers.setdefault(key, set()), \
            gathered.parents.setdefault(key, set())
        for dep in resource.depends_on:
            (parents if dep.type == tf_type else refers).add(
                str(dep.key) if dep.type == tf_type else dep.type)
    for tf_type, gathered in types.items():
        if official_block(tf_type) is None:
            warnings.append(f"{tf_type}: albform's own resource type, which the "
                            f"{PROVIDER_SOURCE} provider does not have: only albform can "
                            "plan this module")
        try:
            gathered.tiers = object_tiers(gathered.parents)
        except TierCycleError as err:
            raise ValueError(f"{tf_type}: {err}") from None
    resources, data, moved = _resource_blocks(types)
    main: dict[str, Any] = {
        "//": {"albform": description},
        "terraform": {"required_providers": {"avi": {"source": PROVIDER_SOURCE}}},
        "locals": {"albform": f"${{jsondecode(file(\"${{path.module}}/{OBJECTS_FILE}\"))}}"},
        "output": _outputs(outputs, {t: g.blocks() for t, g in types.items()}),
    }
    if resources:
        main["resource"] = resources
    if moved:
        main["moved"] = moved
    objects = {"names": names, "resources": data}
    return Expansion(files={MAIN_FILE: main, OBJECTS_FILE: objects}, warnings=tuple(warnings))


def _resource_blocks(types: Mapping[str, _TypeObjects],
                     ) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, str]]]:
    """The ``resource`` blocks (one per type and tier), the data they read
    (``resources.<type>.<block>.<key>``) and the ``moved`` blocks of tiers past 0."""
    resources: dict[str, Any] = {}
    data: dict[str, Any] = {}
    moved: list[dict[str, str]] = []
    for tf_type in sorted(types):
        gathered = types[tf_type]
        shape = _shape(tf_type, gathered.objects.values())
        blocks = gathered.blocks()
        by_block: dict[str, Any] = {}
        for tier, block in enumerate(blocks):
            members = gathered.in_block(tier)
            by_block[block] = {k: _filled(v, shape) for k, v in members.items()}
            body: dict[str, Any] = {"for_each": f"${{{_DATA}.resources.{tf_type}.{block}}}"}
            body.update(_body(shape, "each.value"))
            referred = {t for k in members for t in gathered.refers[k] if t in types}
            depends = sorted(f"{t}.{b}" for t in referred for b in types[t].blocks())
            if tier:
                # The tier below holds the objects these refer to (cluster_tiers).
                depends.append(f"{tf_type}.{blocks[tier - 1]}")
                moved += [{"from": str(ResourceAddress(tf_type, gathered.name, k)),
                           "to": str(ResourceAddress(tf_type, block, k))} for k in members]
            if depends:
                body["depends_on"] = depends
            resources.setdefault(tf_type, {})[block] = body
        data[tf_type] = by_block
    return resources, data, moved


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


def _outputs(outputs: Mapping[str, str], blocks: Mapping[str, Sequence[str]],
             ) -> dict[str, Any]:
    """The built-in module's outputs: a map per ``outputs`` entry, ``objects`` (every
    object, keyed ``avi_<type>.<key>``) and ``names`` (type -> names, known now). A type's
    tiers (``blocks``: type -> its block names) are merged back into one map."""
    out: dict[str, Any] = {}
    for name, tf_type in sorted(outputs.items()):
        if tf_type not in blocks:
            out[name] = {"value": {}}
            continue
        maps = [f"{tf_type}.{b}" for b in blocks[tf_type]]
        out[name] = {"value": f"${{{maps[0]}}}" if len(maps) == 1
                     else f"${{merge({', '.join(maps)})}}"}
    parts = [f"{{for k, v in {t}.{b} : \"{t}.${{k}}\" => v}}" for t in sorted(blocks)
             for b in blocks[t]]
    out["objects"] = {"value": f"${{merge({', '.join(parts)})}}" if parts else {}}
    out["names"] = {"value": f"${{{_DATA}.names}}"}
    return out


def dumps(doc: Any) -> str:
    """Deterministic JSON for the module's files (sorted keys, two-space indent)."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
