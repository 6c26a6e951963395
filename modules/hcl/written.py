"""One module's blocks as written (``engine.config_blocks.ModuleBlocks``): what the plan
JSON's ``configuration`` shows — every resource, output, variable and module call once,
with each argument's references and constant (``references.describe``).

Called by ``ModuleDecoder.describe`` (lazily, for ``show -json PLANFILE``), from the
declarations alone: nothing is evaluated but constants, and mistakes were reported while
decoding, so a block or argument that cannot be described is left out here without a second
message. In ``.tf.json`` files nested blocks are written as arrays of objects; the resource
type's schema tells them from arguments, as Terraform decodes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from albform.engine.config import AVI_PROVIDER
from albform.engine.config_blocks import (
    Expression,
    Expressions,
    ModuleBlocks,
    ModuleCallBlock,
    OutputBlock,
    ResourceBlock,
    VariableBlock,
)
from albform.engine.schema import AttributeSchema
from albform.modules.hcl.decode import MODULE_META, RESOURCE_META, Declarations
from albform.modules.hcl.expressions import EvalError, ast
from albform.modules.hcl.references import constant_string, describe, subject
from albform.modules.hcl.syntax import Block, Body
from albform.modules.hcl.traversal import as_traversal_node, traversal_steps

# Nested blocks that are not arguments of the resource type (Terraform's schema lacks them).
_NOT_ARGUMENTS = frozenset({"lifecycle", "dynamic", "provisioner", "connection"})

CalledModules = Mapping[str, "tuple[str | None, ModuleBlocks | None]"]
"""Module call name → (its literal source, the called module's blocks when written)."""


Fields = Mapping[str, AttributeSchema]
FieldsOf = Callable[[str, str], "Fields | None"]
"""(mode, type) → the type's argument schema, None when unknown."""


def describe_module(decls: Declarations, calls: CalledModules, fields_of: FieldsOf,
                    ) -> ModuleBlocks:
    resources = [_resource(mode, type_name, name, block,
                           fields_of(mode, type_name) if filename.endswith(".json") else None)
                 for (mode, type_name, name), (filename, block) in decls.resources.items()]
    # Terraform lists managed resources, then data sources, each by address.
    resources.sort(key=lambda r: (r.mode != "managed", r.address))
    return ModuleBlocks(
        resources=tuple(resources),
        outputs=tuple(_output(name, block) for name, (_, block) in decls.outputs.items()
                      if block.body.attribute("value") is not None),
        variables=tuple(_variable(name, block)
                        for name, (_, block) in decls.variables.items()),
        calls=tuple(_call(name, block, *calls.get(name, (None, None)))
                    for name, (_, block) in decls.calls.items()))


def _expressions(body: Body, skip: frozenset[str], json_fields: Fields | None = None,
                 ) -> Expressions:
    """``json_fields``: a ``.tf.json`` body's schema, whose nested blocks are arguments."""
    out: dict[str, Expression | tuple[Expressions, ...]] = {
        attr.name: _json_blocks(attr.expr, json_fields.get(attr.name) if json_fields else None)
        or describe(attr.expr) for attr in body.attributes if attr.name not in skip}
    blocks: dict[str, tuple[Expressions, ...]] = {}
    for block in body.blocks:
        if block.type in skip or block.type in _NOT_ARGUMENTS or block.type in out:
            continue  # an argument set both ways was reported while decoding
        blocks[block.type] = (*blocks.get(block.type, ()),
                              _expressions(block.body, frozenset()))
    return {**out, **blocks}


def _json_blocks(node: ast.Node, attr: AttributeSchema | None,
                 ) -> tuple[Expressions, ...] | None:
    """A JSON array of objects (or one object) given to a nested block type, as blocks."""
    if attr is None or attr.fields is None:
        return None
    items = node.items if isinstance(node, ast.TupleCons) else (node,)
    if not all(isinstance(item, ast.ObjectCons) for item in items):
        return None
    return tuple(_json_object(item, attr.fields) for item in items
                 if isinstance(item, ast.ObjectCons))


def _json_object(node: ast.ObjectCons, fields: Fields) -> Expressions:
    out: dict[str, Expression | tuple[Expressions, ...]] = {}
    for key, value in node.items:
        if isinstance(key, ast.Literal) and isinstance(key.value, str):
            out[key.value] = _json_blocks(value, fields.get(key.value)) or describe(value)
    return out


def _meta(body: Body, name: str) -> Expression | None:
    """``count`` / ``for_each`` as written; Terraform leaves out one with nothing to show."""
    attr = body.attribute(name)
    if attr is None:
        return None
    found = describe(attr.expr)
    return found if found.references or found.is_constant else None


def _depends_on(body: Body) -> tuple[str, ...]:
    attr = body.attribute("depends_on")
    node = as_traversal_node(attr.expr) if attr is not None else None
    if not isinstance(node, ast.TupleCons):
        return ()
    found = (subject(as_traversal_node(item)) for item in node.items)
    return tuple(s for s in found if s is not None)


def _provider(body: Body) -> str:
    attr = body.attribute("provider")
    if attr is None:
        return AVI_PROVIDER
    try:
        steps = traversal_steps(attr.expr)
    except EvalError:
        return AVI_PROVIDER
    return f"{AVI_PROVIDER}.{steps[1]}" if len(steps) == 2 else AVI_PROVIDER


def _resource(mode: str, type_name: str, name: str, block: Block, json_fields: Fields | None,
              ) -> ResourceBlock:
    body = block.body
    return ResourceBlock(mode, type_name, name, _provider(body),
                         _expressions(body, RESOURCE_META, json_fields), _meta(body, "count"),
                         _meta(body, "for_each"), _depends_on(body))


def _flag(body: Body, name: str) -> bool:
    attr = body.attribute(name)
    return attr is not None and describe(attr.expr).constant is True


def _output(name: str, block: Block) -> OutputBlock:
    body = block.body
    value = body.attribute("value")
    assert value is not None
    attr = body.attribute("description")
    return OutputBlock(name, describe(value.expr), _flag(body, "sensitive"),
                       constant_string(attr.expr if attr else None), _depends_on(body))


def _variable(name: str, block: Block) -> VariableBlock:
    body = block.body
    default = body.attribute("default")
    found = describe(default.expr) if default is not None else Expression()
    attr = body.attribute("description")
    return VariableBlock(name, found.constant, found.is_constant,
                         constant_string(attr.expr if attr else None),
                         _flag(body, "sensitive"))


def _call(name: str, block: Block, source: str | None, module: ModuleBlocks | None,
          ) -> ModuleCallBlock:
    body = block.body
    return ModuleCallBlock(name, source, _expressions(body, MODULE_META), module,
                           _meta(body, "count"), _meta(body, "for_each"), _depends_on(body))
