"""The references of an expression as ``terraform show -json`` lists them, and whether an
expression is a constant. Read from the syntax alone, before anything is evaluated, so
``var.x``, ``local.y``, ``each.key`` and ``count.index`` survive even though decoding turns
them into values.

Rules (Terraform's ``hcl.Expression.Variables`` + ``addrs.ParseRef`` + its JSON renderer):

1. Traversals are taken in source order (operands left to right, an index's collection
   before its key, a ``for``'s collection before its body); repeats are kept. Names bound by
   a ``for`` are not references inside it.
2. A traversal is a root name followed by attribute names and constant indexes; it ends at
   the first computed index (``var.m[local.k]`` is ``var.m`` then ``local.k``), a splat
   (``avi_pool.p[*].uuid`` is ``avi_pool.p``) or parentheses.
3. Its *subject* is ``var.N``, ``local.N``, ``each.N``, ``count.N``, ``path.N``,
   ``terraform.N``, ``module.M`` (with ``[key]`` and ``.OUTPUT`` when given), or a resource
   ``[data.]TYPE.NAME`` (with ``[key]`` when given); the rest is its *remainder*. A traversal
   that names no subject (``var`` alone, a ``for`` name out of scope) is left out.
4. It is listed as the subject plus the whole remainder, then with the remainder shortened
   one step at a time, then the subject; then the resource without its key
   (``avi_pool.p[0]`` → ``avi_pool.p``) or the module call of an output / keyed instance
   (``module.m.out`` → ``module.m``, ``module.m[0]`` → ``module.m``).
"""

from __future__ import annotations

import json
from pathlib import Path

from albform.engine.config_blocks import Expression
from albform.modules.hcl.expressions import Context, EvalError, ast, evaluate_value
from albform.modules.hcl.expressions.values import plain

Step = tuple[bool, str | int]  # (is an index, attribute name or key)
_ATTRIBUTE_ROOTS = frozenset({"var", "local", "each", "count", "path", "terraform"})


def describe(node: ast.Node) -> Expression:
    """``node`` as the plan JSON describes an argument: references, and its value when it
    needs no variable and no function (Terraform evaluates it with an empty context)."""
    if isinstance(node, ast.Literal):
        return Expression((), node.value, is_constant=True)
    refs = tuple(references(node))
    if refs:  # a reference cannot be evaluated without a context
        return Expression(refs)
    try:
        value = plain(evaluate_value(node, Context({}, {}, Path("."))))
    except (EvalError, TypeError):
        return Expression(refs)
    return Expression(refs, value, is_constant=True)


def references(node: ast.Node) -> list[str]:
    """Every reference of ``node`` as Terraform lists it (module docstring)."""
    out: list[str] = []
    _collect(node, frozenset(), out)
    return out


def subject(node: ast.Node) -> str | None:
    """What a static reference names (``depends_on`` items): ``avi_pool.p``, ``module.m``."""
    base, steps, _ = _chain(node)
    if not isinstance(base, ast.Variable):
        return None
    parsed = _parse(base.name, steps)
    return parsed[0] if parsed else None


def _collect(node: ast.Node, scope: frozenset[str], out: list[str]) -> None:
    if isinstance(node, ast.Variable | ast.GetAttr | ast.Index):
        base, steps, keys = _chain(node)
        if isinstance(base, ast.Variable):
            if base.name not in scope:
                out.extend(_listed(base.name, steps))
        else:
            _collect(base, scope, out)
        for key in keys:
            _collect(key, scope, out)
        return
    if isinstance(node, ast.ForExpr):
        _collect(node.collection, scope, out)
        inner = scope | {n for n in (node.key_var, node.value_var) if n}
        for part in (node.key, node.value, node.condition):
            if part is not None:
                _collect(part, inner, out)
        return
    if isinstance(node, ast.TemplateFor):
        _collect(node.collection, scope, out)
        inner = scope | {n for n in (node.key_var, node.value_var) if n}
        for part in node.body:
            _collect(part, inner, out)
        return
    for child in ast.children(node):
        _collect(child, scope, out)


def _literal_key(node: ast.Node) -> str | int | None:
    if isinstance(node, ast.Template) and len(node.parts) == 1:
        node = node.parts[0]
    if isinstance(node, ast.Literal) and isinstance(node.value, str | int) \
            and not isinstance(node.value, bool):
        return node.value
    return None


def _chain(node: ast.Node) -> tuple[ast.Node, list[Step], list[ast.Node]]:
    """(base, static steps right after it, computed index keys in source order) of a chain
    of attribute and index steps (rule 2)."""
    links: list[ast.Node] = []
    while isinstance(node, ast.GetAttr | ast.Index):
        links.append(node)
        node = node.obj
    steps: list[Step] = []
    keys: list[ast.Node] = []
    static = isinstance(node, ast.Variable)
    for link in reversed(links):
        if isinstance(link, ast.GetAttr):
            if static:
                steps.append((False, link.name))
            continue
        assert isinstance(link, ast.Index)
        key = _literal_key(link.key)
        if static and key is not None:
            steps.append((True, key))
        elif key is None:
            static = False
            keys.append(link.key)
    return node, steps, keys


def _parse(root: str, steps: list[Step]) -> tuple[str, list[Step], list[str]] | None:
    """(subject, remainder, extra forms) of a traversal (rule 3), None if it names none."""
    if root in _ATTRIBUTE_ROOTS:
        if not steps or steps[0][0]:
            return None
        return f"{root}.{steps[0][1]}", steps[1:], []
    if root == "module":
        return _parse_module(steps)
    prefix, rest = (f"{root}.", steps) if root == "data" else ("", [(False, root), *steps])
    if len(rest) < 2 or rest[0][0] or rest[1][0]:
        return None
    resource = f"{prefix}{rest[0][1]}.{rest[1][1]}"
    rest = rest[2:]
    if not rest:
        return resource, [], []
    if rest[0][0]:
        return f"{resource}{_text([rest[0]])}", rest[1:], [resource]
    return resource, rest, []


def _parse_module(steps: list[Step]) -> tuple[str, list[Step], list[str]] | None:
    if not steps or steps[0][0]:
        return None
    call = f"module.{steps[0][1]}"
    rest = steps[1:]
    if not rest:
        return call, [], []
    instance = call
    if rest[0][0]:
        instance, rest = f"{call}{_text([rest[0]])}", rest[1:]
        if not rest:
            return instance, [], [call]
    if rest[0][0]:
        return None  # an index on a module instance: Terraform rejects it
    return f"{instance}.{rest[0][1]}", rest[1:], [instance]


def _listed(root: str, steps: list[Step]) -> list[str]:
    """Rule 4."""
    parsed = _parse(root, steps)
    if parsed is None:
        return []
    subject_text, remainder, extra = parsed
    forms = [subject_text + _text(remainder[:n]) for n in range(len(remainder), 0, -1)]
    return [*forms, subject_text, *extra]


def _text(steps: list[Step]) -> str:
    return "".join(f"[{json.dumps(v)}]" if is_index else f".{v}" for is_index, v in steps)


def constant_string(node: ast.Node | None) -> str | None:
    """A literal string argument (``description``), else None."""
    if node is None:
        return None
    found = describe(node)
    return found.constant if found.is_constant and isinstance(found.constant, str) else None


__all__ = ["constant_string", "describe", "references", "subject"]
