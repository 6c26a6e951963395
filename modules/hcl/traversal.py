"""Static traversals (``avi_pool.web[0]``, ``data.avi_cloud.c``, ``module.m``) as used by
``depends_on``, ``moved``, ``import.to`` and ``lifecycle.ignore_changes``. In JSON syntax these
are strings holding the traversal text; both forms are accepted."""

from __future__ import annotations

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.modules.hcl.expressions import EvalError, HCLSyntaxError, ast, parse_expression

Step = str | int


def as_traversal_node(node: ast.Node) -> ast.Node:
    """A quoted traversal (JSON syntax, deprecated HCL quoting) parsed into a traversal."""
    if isinstance(node, ast.TemplateWrap):
        return node.expr
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        try:
            return parse_expression(node.value, node.line)
        except HCLSyntaxError as err:
            raise EvalError("Invalid reference", err.message, node.line) from None
    return node


def traversal_steps(node: ast.Node) -> list[Step]:
    """``a.b[0]["k"]`` → ``["a", "b", 0, "k"]``; ``EvalError`` if not a static traversal."""
    return [value for _, value in _marked_steps(node)]


def _marked_steps(node: ast.Node) -> list[tuple[bool, Step]]:
    """Steps as (is_index, value) pairs, so ``m["k"]`` and ``m.k`` stay apart."""
    node = as_traversal_node(node)
    steps: list[tuple[bool, Step]] = []
    while True:
        if isinstance(node, ast.Variable):
            steps.append((False, node.name))
            return steps[::-1]
        if isinstance(node, ast.GetAttr):
            steps.append((False, node.name))
            node = node.obj
        elif isinstance(node, ast.Index) and isinstance(node.key, ast.Literal) and isinstance(
                node.key.value, int | str) and not isinstance(node.key.value, bool):
            steps.append((True, node.key.value))
            node = node.obj
        else:
            raise EvalError("Invalid reference", "A static reference is required here: "
                            "attribute names and constant indexes only (like "
                            "avi_pool.web[0]).", node.line)


def traversal_address(node: ast.Node, module: tuple[ModuleStep, ...] = (),
                      *, allow_key: bool = True) -> ResourceAddress:
    """The resource (instance) address a traversal names, inside ``module``."""
    steps = _marked_steps(node)
    line = node.line
    local_module: list[ModuleStep] = []
    while len(steps) >= 2 and steps[0] == (False, "module") and not steps[1][0]:
        key: int | str | None = None
        rest = steps[2:]
        if rest and rest[0][0]:
            key, rest = rest[0][1], rest[1:]
        local_module.append(ModuleStep(str(steps[1][1]), key))
        steps = rest
    data = bool(steps) and steps[0] == (False, "data")
    if data:
        steps = steps[1:]
    if len(steps) < 2 or steps[0][0] or steps[1][0]:
        raise EvalError("Invalid reference", "Expected a resource address like TYPE.NAME, "
                        "data.TYPE.NAME or module.NAME.TYPE.NAME.", line)
    instance: int | str | None = None
    if len(steps) == 3 and steps[2][0] and allow_key:
        instance = steps[2][1]
    elif len(steps) > 2:
        raise EvalError("Invalid reference", "A resource address cannot refer to an "
                        "attribute or instance here.", line)
    return ResourceAddress(str(steps[0][1]), str(steps[1][1]), instance,
                           (*module, *local_module), "data" if data else "managed")


def ignore_changes_paths(node: ast.Node) -> tuple[bool, tuple[tuple[Step, ...], ...]]:
    """(ignore_all, paths) from an ``ignore_changes`` value."""
    node = as_traversal_node(node)
    if isinstance(node, ast.Variable) and node.name == "all":
        return True, ()
    if not isinstance(node, ast.TupleCons):
        raise EvalError("Invalid ignore_changes", "ignore_changes must be a list of attribute "
                        "references, or the keyword all.", node.line)
    paths: list[tuple[Step, ...]] = []
    for item in node.items:
        steps = traversal_steps(item)
        if steps == ["all"] and len(node.items) == 1:
            return True, ()
        paths.append(tuple(steps))
    return False, tuple(paths)
