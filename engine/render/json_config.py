"""The plan JSON's ``configuration`` section, as ``terraform show -json PLANFILE`` writes it.

From ``Configuration.describe_written`` (front ends that read source): every block once, module
calls with their ``source``, ``expressions``, ``count_expression``/``for_each_expression``,
``depends_on`` and the called ``module``; each argument ``{"constant_value", "references"}``
as the front end described it, nested blocks as lists of such mappings; outputs, variables
(``default``, ``description``, ``sensitive``). Resources sorted managed first, then data,
each by address, as Terraform. Two deliberate differences, as everywhere in albform's plan
JSON: a constant of a sensitive attribute, a sensitive output or a sensitive variable's
default is never written.

Without it (the Kubernetes translator, test front ends), resources come from their
instances, one entry per block. A block of one unkeyed instance is described by that
instance: constants from the evaluated attributes, references from ``Deferred`` values. A
block of keyed instances is a ``for_each`` over data, described as Terraform describes the
equivalent written module (``modules/cdktf/cluster_module.py``: ``for_each =
local.albform.resources.<type>.<block>``, each argument ``each.value.<name>``): a
``for_each_expression`` and, per argument any instance sets, the references
``["each.value.<name>", "each.value"]`` and never a constant (the values differ per
instance); nested blocks, written there as ``dynamic`` blocks, are left out as Terraform
leaves them out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.config_blocks import (
    Expression,
    Expressions,
    ModuleBlocks,
    ModuleCallBlock,
    OutputBlock,
    ResourceBlock,
    VariableBlock,
)
from albform.engine.render.json_common import address_fields, masked, provider_name
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.values import Deferred

Fields = Mapping[str, AttributeSchema]


def render_configuration(config: Configuration | None, schemas: Mapping[str, ResourceSchema],
                         ) -> dict[str, Any]:
    if config is None:
        return {}
    providers: dict[str, dict[str, str]] = {}
    if config.describe_written is not None:
        root = _module(config.describe_written(), (), config.resources, schemas, providers)
    else:
        root = _from_instances(config.resources, schemas, providers)
        outputs = {o.name: ({"sensitive": True} if o.sensitive else {})
                   | ({"expression": {"references": refs}}
                      if (refs := _instance_references(o.value)) else {})
                   for o in config.outputs}
        if config.variables:
            root["variables"] = {v.name: ({"sensitive": True} if v.sensitive else {})
                                 for v in config.variables}
        if outputs:
            root["outputs"] = outputs
    return {"provider_config": dict(sorted(providers.items())), "root_module": root}


def _provider_key(provider: str, providers: dict[str, dict[str, str]]) -> str:
    """The ``provider_config_key`` of a provider address (``avi``, ``avi.ALIAS``),
    registering it in ``provider_config``."""
    full, _, alias = provider.partition('"].')
    full = provider_name(full + ('"]' if alias else ""))
    name = full.rsplit("/", 1)[-1]
    key = f"{name}.{alias}" if alias else name
    providers[key] = {"name": name, "full_name": full} | ({"alias": alias} if alias else {})
    return key


# -- from the blocks as written ----------------------------------------------------------------

def _module(blocks: ModuleBlocks, path: tuple[str, ...], instances: tuple[ResourceConfig, ...],
            schemas: Mapping[str, ResourceSchema], providers: dict[str, dict[str, str]],
            ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if blocks.outputs:
        out["outputs"] = {o.name: _output(o) for o in sorted(blocks.outputs,
                                                              key=lambda o: o.name)}
    if blocks.resources:
        out["resources"] = [_resource(r, schemas, providers) for r in blocks.resources]
    if blocks.calls:
        out["module_calls"] = {c.name: _call(c, (*path, c.name), instances, schemas, providers)
                               for c in sorted(blocks.calls, key=lambda c: c.name)}
    if blocks.variables:
        out["variables"] = {v.name: _variable(v)
                            for v in sorted(blocks.variables, key=lambda v: v.name)}
    return out


def _expression(e: Expression, attr: AttributeSchema | None = None, *,
                secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if e.is_constant and not secret and not (attr is not None and attr.sensitive):
        out["constant_value"] = masked(e.constant, attr.fields if attr else None)[0]
    if e.references:
        out["references"] = list(e.references)
    return out


def _expressions(exprs: Expressions, fields: Fields | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, e in exprs.items():
        attr = fields.get(name) if fields is not None else None
        if isinstance(e, Expression):
            out[name] = _expression(e, attr)
        else:
            out[name] = [_expressions(block, attr.fields if attr else None) for block in e]
    return out


def _meta(entry: dict[str, Any], count: Expression | None, for_each: Expression | None,
          ) -> None:
    if count is not None:
        entry["count_expression"] = _expression(count)
    if for_each is not None:
        entry["for_each_expression"] = _expression(for_each)


def _resource(r: ResourceBlock, schemas: Mapping[str, ResourceSchema],
              providers: dict[str, dict[str, str]]) -> dict[str, Any]:
    schema = schemas.get(r.type)
    entry: dict[str, Any] = {
        "address": r.address, "mode": r.mode, "type": r.type, "name": r.name,
        "provider_config_key": _provider_key(r.provider, providers),
        "expressions": _expressions(r.expressions, schema.attributes if schema else None),
        "schema_version": 0}
    _meta(entry, r.count, r.for_each)
    if r.depends_on:
        entry["depends_on"] = list(r.depends_on)
    return entry


def _call(c: ModuleCallBlock, path: tuple[str, ...], instances: tuple[ResourceConfig, ...],
          schemas: Mapping[str, ResourceSchema], providers: dict[str, dict[str, str]],
          ) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": c.source} if c.source is not None else {}
    entry["expressions"] = _expressions(c.expressions, None)
    _meta(entry, c.count, c.for_each)
    if c.module is not None:
        entry["module"] = _module(c.module, path, instances, schemas, providers)
    else:  # a built-in module: its resources as its instances show them
        inside = tuple(r for r in instances
                       if tuple(s.name for s in r.address.module[:len(path)]) == path)
        entry["module"] = _from_instances(inside, schemas, providers, depth=len(path))
    if c.depends_on:
        entry["depends_on"] = list(c.depends_on)
    return entry


def _output(o: OutputBlock) -> dict[str, Any]:
    out: dict[str, Any] = {"sensitive": True} if o.sensitive else {}
    out["expression"] = _expression(o.expression, secret=o.sensitive)
    if o.description is not None:
        out["description"] = o.description
    if o.depends_on:
        out["depends_on"] = list(o.depends_on)
    return out


def _variable(v: VariableBlock) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if v.has_default and not v.sensitive:
        out["default"] = masked(v.default, None)[0]
    if v.description is not None:
        out["description"] = v.description
    if v.sensitive:
        out["sensitive"] = True
    return out


# -- from instances (no source) ----------------------------------------------------------------

def _from_instances(resources: tuple[ResourceConfig, ...],
                    schemas: Mapping[str, ResourceSchema],
                    providers: dict[str, dict[str, str]], *, depth: int = 0,
                    ) -> dict[str, Any]:
    """Resource blocks from their instances, a module's under ``module_calls``; addresses
    below ``depth`` module steps (the caller's position)."""
    blocks: dict[ResourceAddress, list[ResourceConfig]] = {}
    for rc in resources:
        blocks.setdefault(rc.address.resource(), []).append(rc)
    root: dict[str, Any] = {}
    for block, members in blocks.items():
        node = root
        steps: tuple[ModuleStep, ...] = block.module[depth:]
        for step in steps:  # instances of one call share its configuration
            calls = node.setdefault("module_calls", {})
            node = calls.setdefault(step.name, {"module": {}})["module"]
        local = dataclasses.replace(block, module=())
        first = members[0]
        schema = schemas.get(first.type)
        entry: dict[str, Any] = {
            **address_fields(local), "provider_config_key": _provider_key(first.provider,
                                                                          providers)}
        if first.address.key is None:
            entry["expressions"] = _instance_expressions(first, schema)
            entry["schema_version"] = 0
        else:
            entry["expressions"] = _each_value_expressions(members, schema)
            entry["schema_version"] = 0
            entry["for_each_expression"] = {"references": _data_path(local)}
        node.setdefault("resources", []).append(entry)
    return root


# The local the written module reads its objects from (modules/cdktf/cluster_module.py).
_DATA = ("local", "albform", "resources")


def _data_path(block: ResourceAddress) -> list[str]:
    """The ``for_each_expression`` references of ``block``, longest first, as Terraform
    lists a traversal: ``local.albform.resources.<type>.<name>`` down to ``local.albform``."""
    parts = (*_DATA, block.type, block.name)
    return [".".join(parts[:n]) for n in range(len(parts), 1, -1)]


def _each_value_expressions(members: list[ResourceConfig], schema: ResourceSchema | None,
                            ) -> dict[str, Any]:
    """Every argument any instance sets, as ``each.value.<name>`` (nested blocks left out:
    the written module makes them ``dynamic`` blocks, which Terraform does not describe)."""
    names: set[str] = set()
    for rc in members:
        names.update(rc.attributes)
    out: dict[str, Any] = {}
    for name in sorted(names):
        attr = schema.attributes.get(name) if schema else None
        if attr is not None and attr.is_nested:
            continue
        out[name] = {"references": [f"each.value.{name}", "each.value"]}
    return out


def _instance_expressions(rc: ResourceConfig, schema: ResourceSchema | None,
                          ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in rc.attributes.items():
        attr = schema.attributes.get(key) if schema else None
        refs = _instance_references(value)
        if refs:
            out[key] = {"references": refs}
        elif attr is not None and attr.sensitive:
            continue  # never written, not even as a constant
        else:
            out[key] = {"constant_value": masked(value, attr.fields if attr else None)[0]}
    return out


def _instance_references(value: Any) -> list[str]:
    """A ``Deferred``'s source text (when it is a reference) and its resources."""
    found: list[str] = []
    if isinstance(value, Deferred):
        if value.text:
            found.append(value.text)
        for ref in sorted(value.references, key=lambda a: a.sort_key()):
            found += [str(ref)] if str(ref) not in found else []
    elif isinstance(value, dict):
        for v in value.values():
            found += [r for r in _instance_references(v) if r not in found]
    elif isinstance(value, list):
        for v in value:
            found += [r for r in _instance_references(v) if r not in found]
    return found
