"""``albform graph``: a configuration's dependency graph in Graphviz DOT, as ``terraform
graph`` draws it (1.7+): one node per resource block, module resources in a cluster subgraph
per module, an edge from each resource to what it depends on (``depends_on`` and
references); or, with ``plan_type``, the operation graph's shape (``[root] ADDR (expand)``
nodes, the provider, outputs, and the closing ``root`` node)."""

from __future__ import annotations

from collections import defaultdict

from albform.engine.addrs import ResourceAddress
from albform.engine.config import Configuration
from albform.engine.render.json_common import provider_name


def _edges(config: Configuration) -> tuple[list[ResourceAddress],
                                           set[tuple[ResourceAddress, ResourceAddress]]]:
    blocks: dict[ResourceAddress, None] = {}
    edges: set[tuple[ResourceAddress, ResourceAddress]] = set()
    for rc in config.resources:
        block = rc.address.resource()
        blocks.setdefault(block, None)
        for dep in rc.dependencies():
            target = dep.resource()
            if target != block:
                edges.add((block, target))
    known = set(blocks)
    return (sorted(blocks, key=lambda a: a.sort_key()),
            {(a, b) for a, b in edges if b in known})


def render_graph_dot(config: Configuration, *, plan_type: bool = False) -> str:
    nodes, edges = _edges(config)
    if plan_type:
        return _plan_graph(config, nodes, edges)
    lines = ["digraph G {", '  rankdir = "RL";',
             '  node [shape = rect, fontname = "sans-serif"];']
    by_module: dict[str, list[ResourceAddress]] = defaultdict(list)
    for node in nodes:
        by_module[node.module_path].append(node)
    for node in by_module.pop("", []):
        lines.append(f'  "{node}" [label="{node}"];')
    for module, members in sorted(by_module.items()):
        lines += [f'  subgraph "cluster_{module}" {{', f'    label = "{module}"',
                  '    fontname = "sans-serif"']
        for node in members:
            local = str(node)[len(module) + 1:]
            lines.append(f'    "{node}" [label="{local}"];')
        lines.append("  }")
    for a, b in sorted(edges, key=lambda e: (str(e[0]), str(e[1]))):
        lines.append(f'  "{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines)


def _plan_graph(config: Configuration, nodes: list[ResourceAddress],
                edges: set[tuple[ResourceAddress, ResourceAddress]]) -> str:
    def name(text: str) -> str:
        return '"[root] ' + text.replace('"', '\\"') + '"'

    providers = sorted({provider_name(rc.provider) for rc in config.resources})
    decl = [f'\t\t{name(f"{n} (expand)")} [label = "{n}", shape = "box"]' for n in nodes]
    decl += [f'\t\t{name(f"output.{o.name} (expand)")} [label = "output.{o.name}", '
             'shape = "note"]' for o in config.outputs]
    decl += ['\t\t' + name(f'provider["{p}"]') + ' [label = "provider[\\"' + p
             + '\\"]", shape = "diamond"]' for p in providers]
    arrows = [f'\t\t{name(f"{a} (expand)")} -> {name(f"{b} (expand)")}' for a, b in edges]
    resource_provider = {rc.address.resource(): provider_name(rc.provider)
                         for rc in config.resources}
    for n in nodes:
        if not any(a == n for a, _ in edges):
            arrows.append(f'\t\t{name(f"{n} (expand)")} -> '
                          + name(f'provider["{resource_provider[n]}"]'))
    for o in config.outputs:
        for ref in sorted({r.resource() for r in _output_refs(o.value)}, key=str):
            arrows.append(f'\t\t{name(f"output.{o.name} (expand)")} -> '
                          f'{name(f"{ref} (expand)")}')
        arrows.append(f'\t\t{name("root")} -> {name(f"output.{o.name} (expand)")}')
    for p in providers:
        arrows.append(f'\t\t{name("root")} -> ' + name(f'provider["{p}"] (close)'))
    return "\n".join(["digraph {", '\tcompound = "true"', '\tnewrank = "true"',
                      '\tsubgraph "root" {', *sorted(decl), *sorted(arrows), "\t}", "}"])


def _output_refs(value: object) -> set[ResourceAddress]:
    from albform.engine.values import collect_references

    return collect_references(value)
