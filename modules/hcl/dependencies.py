"""``depends_on``: static references to resources, data sources or whole module calls,
turned into the instance addresses the engine orders by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from albform.engine.addrs import ResourceAddress
from albform.modules.hcl.blocks import BodyDecoder
from albform.modules.hcl.expressions import EvalError, ast
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.syntax import Block
from albform.modules.hcl.traversal import as_traversal_node, traversal_address, traversal_steps

if TYPE_CHECKING:
    from albform.modules.hcl.module_decoder import ModuleDecoder


def depends_on_addresses(module: ModuleDecoder, block: Block, decoder: BodyDecoder,
                         ) -> tuple[ResourceAddress, ...]:
    attr = block.body.attribute("depends_on")
    if attr is None:
        return ()
    node = as_traversal_node(attr.expr)
    if not isinstance(node, ast.TupleCons):
        decoder.diags.error("Invalid depends_on", "depends_on must be a list of references "
                            "to resources, data sources or modules.",
                            subject=decoder.where(attr.line), address=decoder.address)
        return ()
    found: list[ResourceAddress] = []
    for item in node.items:
        try:
            steps = traversal_steps(item)
            if len(steps) == 2 and steps[0] == "module" and isinstance(steps[1], str):
                found.extend(_module_addresses(module, steps[1], item.line))
                continue
            address = traversal_address(item, module.module_path, allow_key=False)
        except EvalError as err:
            decoder.report(err, attr.line)
            continue
        key = (address.mode, address.type, address.name)
        if key not in module.decls.resources:
            names = [f"{'data.' if m == 'data' else ''}{t}.{n}"
                     for m, t, n in module.decls.resources]
            decoder.diags.error("Reference to undeclared resource", f"depends_on refers to "
                                f"{address}, which is not declared in {module.where_name}."
                                + did_you_mean(str(address.resource()).split(".", len(
                                    module.module_path) * 2)[-1], names),
                                subject=decoder.where(item.line), address=decoder.address)
            continue
        exp = module.expansion_of(key, item.line)
        if exp.keys is None:
            found.append(address)
        else:
            found.extend(address.instance(k) for k in exp.keys)
    return tuple(found)


def _module_addresses(module: ModuleDecoder, name: str, line: int) -> list[ResourceAddress]:
    if name not in module.decls.calls:
        raise EvalError("Reference to undeclared module", f"depends_on refers to module "
                        f"{name!r}, which is not declared." + did_you_mean(
                            name, module.decls.calls), line)
    _, results = module.child(name, line)
    return [r.address for result in results.values() for r in result.resources]
