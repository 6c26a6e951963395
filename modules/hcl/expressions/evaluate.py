"""Evaluate HCL expression trees.

``evaluate(node, ctx)`` returns a value (see ``values``) or raises ``EvalError``. Root names
resolve through ``Context``: plain values (``path``, ``count``, ``each``) or ``Namespace``
objects that look attributes up lazily (``var``, ``local``, ``data``, ``module``, resource
types). References to things known only at plan/apply time evaluate to ``UNKNOWN`` while the
context is *probing* (recording the resource addresses in ``ctx.refs``); the same tree is
evaluated again later with a resolver, inside a ``Deferred``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from decimal import Decimal, localcontext
from typing import Any

from albform.engine.values import UNKNOWN
from albform.modules.hcl.expressions import ast
from albform.modules.hcl.expressions.context import (
    Context,
    LazyCollection,
    LenientObject,
    Namespace,
    Realizable,
)
from albform.modules.hcl.expressions.values import (
    EvalError,
    SetValue,
    contains_unknown,
    equal,
    normalize_number,
    out_of_range,
    to_bool,
    to_number,
    to_string,
    type_name,
    unify_for_conditional,
)

# -- the evaluator -------------------------------------------------------------------------

def evaluate(node: ast.Node, ctx: Context) -> Any:
    method = _DISPATCH.get(type(node))
    if method is None:
        raise EvalError("Unsupported expression", f"{type(node).__name__} cannot be evaluated.",
                        node.line)
    return method(node, ctx)


def _literal(node: ast.Literal, ctx: Context) -> Any:
    value = node.value
    if isinstance(value, float) and not math.isfinite(value):  # 1e400 in the source
        err = out_of_range(value)
        raise EvalError(err.summary, err.detail, node.line)
    return value


def _variable(node: ast.Variable, ctx: Context) -> Any:
    return ctx.lookup(node.name, node.line)


def get_attr(obj: Any, name: str, line: int, ctx: Context) -> Any:
    if isinstance(obj, Namespace):
        return obj.attr(name, line, ctx)
    if obj is UNKNOWN:
        return UNKNOWN
    if isinstance(obj, LenientObject):
        return obj.lookup(name, line)
    if isinstance(obj, LazyCollection):
        raise EvalError("Missing resource instance key", f"This has count or for_each set, so "
                        f"its attribute {name!r} must be read from a specific instance, like "
                        "[0] or [\"key\"], or from all of them with [*].", line)
    if isinstance(obj, Mapping) and not isinstance(obj, dict):
        # An engine view of planned values (an object not yet created): unset reads UNKNOWN.
        return obj.get(name)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise EvalError("Unsupported attribute",
                        f"This object does not have an attribute named {name!r}.", line)
    if obj is None:
        raise EvalError("Attempt to get attribute from null value",
                        f"This value is null, so it does not have an attribute {name!r}.", line)
    hint = " Use a splat ([*]) or a for expression to reach into a list." \
        if isinstance(obj, list) else ""
    raise EvalError("Unsupported attribute",
                    f"Can't access attribute {name!r} on a {type_name(obj)}.{hint}", line)


def _get_attr(node: ast.GetAttr, ctx: Context) -> Any:
    return get_attr(evaluate(node.obj, ctx), node.name, node.line, ctx)


def index_value(obj: Any, key: Any, line: int) -> Any:
    if obj is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    if obj is None:
        raise EvalError("Invalid index", "This value is null, so it cannot be indexed.", line)
    if key is None:
        raise EvalError("Invalid index", "Can't use a null value as an index.", line)
    if isinstance(obj, SetValue):
        raise EvalError("Invalid index", "Elements of a set are identified only by their "
                        "value and don't have any separate index or key to select with.", line)
    if isinstance(obj, list):
        number = to_number(key, "index")
        if not isinstance(number, int):
            raise EvalError("Invalid index", "The index must be a whole number.", line)
        if 0 <= number < len(obj):
            return obj[number]
        raise EvalError("Invalid index", f"The given key does not identify an element in this "
                        f"collection value: index {number} is out of range for "
                        f"{len(obj)} elements.", line)
    if isinstance(obj, dict):
        text = to_string(key, "key")
        if text in obj:
            return obj[text]
        if isinstance(obj, LenientObject):
            return obj.lookup(text)
        raise EvalError("Invalid index", f"The given key does not identify an element in this "
                        f"collection value: no key {text!r}.", line)
    if isinstance(obj, str):
        raise EvalError("Invalid index", "A string value cannot be indexed with [...].", line)
    raise EvalError("Invalid index", f"A {type_name(obj)} value cannot be indexed.", line)


def _index(node: ast.Index, ctx: Context) -> Any:
    obj = evaluate(node.obj, ctx)
    key = evaluate(node.key, ctx)
    if isinstance(obj, LazyCollection):
        return obj.instance(key, node.line, ctx)
    return index_value(obj, key, node.line)


def _realize_collection(value: Any, ctx: Context) -> Any:
    if isinstance(value, Realizable):
        return value.whole(ctx)
    if isinstance(value, Namespace):
        raise EvalError("Invalid reference", "This name cannot be used as a value on its "
                        "own; refer to one of its attributes (like var.NAME).", None)
    return value


def _splat(node: ast.Splat, ctx: Context) -> Any:
    source = evaluate(node.source, ctx)
    if isinstance(source, LazyCollection):
        source = source.instances(ctx)
    source = _realize_collection(source, ctx)
    if source is UNKNOWN:
        return UNKNOWN
    if source is None:
        return []
    items = source if isinstance(source, list) else [source]
    return [evaluate(node.each, ctx.bind(**{_SPLAT: item})) for item in items]


_SPLAT = " splat"  # a binding name no identifier can spell


def _splat_item(node: ast.SplatItem, ctx: Context) -> Any:
    return ctx.lookup(_SPLAT, node.line)


def _parens(node: ast.Parens, ctx: Context) -> Any:
    return evaluate(node.expr, ctx)


def _template_wrap(node: ast.TemplateWrap, ctx: Context) -> Any:
    return _realize_collection(evaluate(node.expr, ctx), ctx)


def _unary(node: ast.Unary, ctx: Context) -> Any:
    value = evaluate(node.operand, ctx)
    if node.op == "!":
        result = to_bool(value, "operand of !")
        return UNKNOWN if result is UNKNOWN else not result
    number = to_number(value, "operand of unary -")
    return UNKNOWN if number is UNKNOWN else -number


def _binary(node: ast.Binary, ctx: Context) -> Any:
    left = _realize_collection(evaluate(node.left, ctx), ctx)
    right = _realize_collection(evaluate(node.right, ctx), ctx)
    op = node.op
    try:
        if op in ("==", "!="):
            if contains_unknown(left) or contains_unknown(right):
                return UNKNOWN
            same = equal(left, right)
            return same if op == "==" else not same
        if op in ("&&", "||"):
            a, b = to_bool(left, f"left operand of {op}"), to_bool(right, f"right operand of {op}")
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return (a and b) if op == "&&" else (a or b)
        a = to_number(left, f"left operand of {op}")
        b = to_number(right, f"right operand of {op}")
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        return _arithmetic(op, a, b, node.line)
    except ArithmeticError as exc:  # e.g. huge integers that no float holds
        raise EvalError("Operation failed", f"{op} cannot be computed on these operands "
                        f"({type(exc).__name__}).", node.line) from None
    except EvalError as err:
        raise EvalError(err.summary, err.detail, err.line or node.line) from None


def _decimal_arithmetic(op: str, a: Any, b: Any) -> Any:
    """Terraform computes with 512-bit floats, so 0.1 + 0.2 is 0.3; decimal arithmetic on the
    shortest representations gives the same results for the values configs use."""
    x, y = Decimal(repr(a)), Decimal(repr(b))
    with localcontext() as dctx:
        dctx.prec = 60
        result = {"+": x + y, "-": x - y, "*": x * y, "/": x / y}[op]
    return normalize_number(float(result))


def _arithmetic(op: str, a: Any, b: Any, line: int) -> Any:
    if op in ("+", "-", "*", "/") and (isinstance(a, float) or isinstance(b, float)):
        if op == "/" and b == 0:
            raise EvalError("Operation failed", "Can't divide by zero.", line)
        return _decimal_arithmetic(op, a, b)
    if op == "+":
        return normalize_number(a + b)
    if op == "-":
        return normalize_number(a - b)
    if op == "*":
        return normalize_number(a * b)
    if op in ("/", "%") and b == 0:
        raise EvalError("Operation failed", "Can't divide by zero.", line)
    if op == "/":
        if isinstance(a, int) and isinstance(b, int) and a % b == 0:
            return a // b
        return normalize_number(a / b)
    if op == "%":
        if isinstance(a, int) and isinstance(b, int):
            return int(math.fmod(a, b))
        return normalize_number(math.fmod(a, b))
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    if op == ">=":
        return bool(a >= b)
    raise EvalError("Unsupported operator", f"The operator {op!r} is not supported.", line)


def _conditional(node: ast.Conditional, ctx: Context) -> Any:
    condition = evaluate(node.condition, ctx)
    if condition is None:
        raise EvalError("Null condition", "The condition value is null. Conditions must "
                        "either be true or false.", node.line)
    flag = to_bool(condition, "condition")
    if flag is UNKNOWN:
        # Both branches may be needed later: probing both records their references.
        for branch in (node.then, node.otherwise):
            with contextlib.suppress(EvalError):
                evaluate(branch, ctx)
        return UNKNOWN
    chosen_node, other_node = (node.then, node.otherwise) if flag else (node.otherwise, node.then)
    chosen = _realize_collection(evaluate(chosen_node, ctx), ctx)
    try:
        other = evaluate(other_node, ctx)
    except EvalError:  # HCL reports only the selected branch's errors
        return chosen
    return unify_for_conditional(chosen, other)


def _tuple(node: ast.TupleCons, ctx: Context) -> Any:
    return [_realize_collection(evaluate(item, ctx), ctx) for item in node.items]


def object_key(value: Any, line: int) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        raise EvalError("Invalid object key", "A null value cannot be used as an object key.",
                        line)
    try:
        return to_string(value, "object key")
    except EvalError:
        raise EvalError("Invalid object key", f"A {type_name(value)} cannot be used as an "
                        "object key; keys must be strings.", line) from None


def _object(node: ast.ObjectCons, ctx: Context) -> Any:
    out: dict[str, Any] = {}
    for key_node, value_node in node.items:
        key = object_key(evaluate(key_node, ctx), key_node.line)
        value = _realize_collection(evaluate(value_node, ctx), ctx)
        if key is UNKNOWN:
            return UNKNOWN
        out[key] = value
    return out


def iterate(collection: Any, line: int) -> list[tuple[Any, Any]]:
    """(key, value) pairs in HCL's order: list positions, sorted map keys, set elements."""
    if isinstance(collection, SetValue):
        return [(v, v) for v in collection]
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if collection is None:
        raise EvalError("Iteration over null value", "A null value cannot be used as the "
                        "collection in a 'for' expression.", line)
    raise EvalError("Iteration over non-iterable value", f"A value of type "
                    f"{type_name(collection)} cannot be used as the collection in a 'for' "
                    "expression.", line)


def _for(node: ast.ForExpr, ctx: Context) -> Any:
    collection = _realize_collection(evaluate(node.collection, ctx), ctx)
    if collection is UNKNOWN:
        return UNKNOWN
    items: list[Any] = []
    grouped: dict[str, Any] = {}
    for key, value in iterate(collection, node.line):
        names = {node.value_var: value}
        if node.key_var:
            names[node.key_var] = key
        inner = ctx.bind(**names)
        if node.condition is not None:
            keep = to_bool(evaluate(node.condition, inner), "for expression condition")
            if keep is UNKNOWN:
                return UNKNOWN
            if not keep:
                continue
        result = evaluate(node.value, inner)
        if node.key is None:
            items.append(result)
            continue
        out_key = object_key(evaluate(node.key, inner), node.line)
        if out_key is UNKNOWN:
            return UNKNOWN
        if node.grouping:
            grouped.setdefault(out_key, []).append(result)
        elif out_key in grouped:
            raise EvalError("Duplicate object key", f"Two different items produced the key "
                            f"{out_key!r} in this 'for' expression. To group items by key, "
                            "add an ellipsis (...) after the value expression.", node.line)
        else:
            grouped[out_key] = result
    return items if node.key is None else grouped


def _template(node: ast.Template, ctx: Context) -> Any:
    pieces: list[str] = []
    unknown = False
    for part in node.parts:
        text = _template_part(part, ctx)
        if text is UNKNOWN:
            unknown = True
        else:
            pieces.append(text)
    return UNKNOWN if unknown else "".join(pieces)


def _template_part(part: ast.Node, ctx: Context) -> Any:
    if isinstance(part, ast.Literal) and isinstance(part.value, str):
        return part.value
    if isinstance(part, ast.TemplateIf):
        flag = to_bool(evaluate(part.condition, ctx), "template if condition")
        if flag is UNKNOWN:
            return UNKNOWN
        return _template(ast.Template(part.line, part.then if flag else part.otherwise), ctx)
    if isinstance(part, ast.TemplateFor):
        collection = evaluate(part.collection, ctx)
        if collection is UNKNOWN:
            return UNKNOWN
        out: list[str] = []
        for key, value in iterate(collection, part.line):
            names = {part.value_var: value}
            if part.key_var:
                names[part.key_var] = key
            text = _template(ast.Template(part.line, part.body), ctx.bind(**names))
            if text is UNKNOWN:
                return UNKNOWN
            out.append(text)
        return "".join(out)
    value = evaluate(part, ctx)
    if value is None:
        raise EvalError("Invalid template interpolation value", "The expression result is "
                        "null. Cannot include a null value in a string template.", part.line)
    if isinstance(value, list | dict | Realizable):
        raise EvalError("Invalid template interpolation value", f"Cannot include a "
                        f"{type_name(value)} value in a string template (use jsonencode or "
                        "join).", part.line)
    return to_string(value)


def _call(node: ast.FunctionCall, ctx: Context) -> Any:
    if node.name in ("try", "can"):
        return _try_can(node, ctx)
    impl = ctx.functions.get(node.name)
    if impl is None:
        raise EvalError("Call to unknown function", f"There is no function named "
                        f"{node.name!r} (or albform does not support it; see FUNCTIONS.md).",
                        node.line)
    args = [_realize_collection(evaluate(a, ctx), ctx) for a in node.args]
    if node.expand_final:
        if not args or not isinstance(args[-1], list):
            raise EvalError("Invalid expanding argument value", "The expanding argument "
                            "(indicated by ...) must be of a tuple, list, or set type.",
                            node.line)
        args = args[:-1] + list(args[-1])
    try:
        return impl(args, ctx, node.line)
    except EvalError as err:
        raise EvalError(err.summary, err.detail, err.line or node.line) from None


def _try_can(node: ast.FunctionCall, ctx: Context) -> Any:
    if node.name == "can":
        if len(node.args) != 1:
            raise EvalError("Invalid function arguments", "can() takes exactly one argument.",
                            node.line)
        try:
            value = evaluate(node.args[0], ctx)
        except EvalError:
            return False
        return UNKNOWN if contains_unknown(value) else True
    if not node.args:
        raise EvalError("Invalid function arguments", "try() needs at least one argument.",
                        node.line)
    errors: list[str] = []
    for arg in node.args:
        try:
            value = _realize_collection(evaluate(arg, ctx), ctx)
        except EvalError as err:
            errors.append(err.detail)
            continue
        return UNKNOWN if value is UNKNOWN else value
    raise EvalError("Error in function call", "No expression in try() succeeded: "
                    + " ".join(errors), node.line)


_DISPATCH: dict[type, Callable[[Any, Context], Any]] = {
    ast.Literal: _literal,
    ast.Variable: _variable,
    ast.GetAttr: _get_attr,
    ast.Index: _index,
    ast.Splat: _splat,
    ast.SplatItem: _splat_item,
    ast.Parens: _parens,
    ast.TemplateWrap: _template_wrap,
    ast.Unary: _unary,
    ast.Binary: _binary,
    ast.Conditional: _conditional,
    ast.TupleCons: _tuple,
    ast.ObjectCons: _object,
    ast.ForExpr: _for,
    ast.Template: _template,
    ast.FunctionCall: _call,
}


def evaluate_value(node: ast.Node, ctx: Context) -> Any:
    """Evaluate to a plain value (a resource collection becomes its list/map of objects)."""
    return _realize_collection(evaluate(node, ctx), ctx)


