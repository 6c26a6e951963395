"""Type constraints of ``variable`` blocks (``string``, ``list(object({a = number}))``,
``optional(T, default)``...) and HCL's conversion of a value to such a type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from albform.engine.values import UNKNOWN, Deferred
from albform.modules.hcl.expressions import EvalError, SetValue, ast
from albform.modules.hcl.expressions.values import to_bool, to_number, to_string, type_name

_PRIMITIVES = {"string", "number", "bool", "any"}


@dataclass(frozen=True, slots=True)
class TypeSpec:
    kind: str  # string number bool any list set map object tuple
    element: TypeSpec | None = None
    fields: dict[str, TypeSpec] = field(default_factory=dict)
    optional: dict[str, Any] = field(default_factory=dict)  # field -> default (None if none)
    items: tuple[TypeSpec, ...] = ()

    def __str__(self) -> str:
        if self.kind in _PRIMITIVES:
            return self.kind
        if self.kind in ("list", "set", "map"):
            return f"{self.kind}({self.element})"
        if self.kind == "tuple":
            return f"tuple([{', '.join(map(str, self.items))}])"
        inner = ", ".join(f"{k} = {v}" for k, v in self.fields.items())
        return f"object({{{inner}}})"


ANY = TypeSpec("any")


def parse_type(node: ast.Node) -> TypeSpec:
    """The type a ``type = ...`` expression denotes; ``EvalError`` for anything else."""
    if isinstance(node, ast.Variable) and node.name in _PRIMITIVES:
        return TypeSpec(node.name)
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        # Terraform 0.11 quoted types and JSON syntax strings: "string", "list", "map(string)"
        legacy = {"list": "list(any)", "map": "map(any)"}.get(node.value, node.value)
        from albform.modules.hcl.expressions import HCLSyntaxError, parse_expression
        try:
            inner = parse_expression(legacy, node.line)
        except HCLSyntaxError:
            inner = node
        if not isinstance(inner, ast.Literal):
            return parse_type(inner)
    if isinstance(node, ast.TemplateWrap):
        return parse_type(node.expr)
    if isinstance(node, ast.FunctionCall):
        if node.name in ("list", "set", "map") and len(node.args) == 1:
            return TypeSpec(node.name, element=parse_type(node.args[0]))
        if node.name == "tuple" and len(node.args) == 1 and isinstance(node.args[0],
                                                                       ast.TupleCons):
            return TypeSpec("tuple", items=tuple(parse_type(i) for i in node.args[0].items))
        if node.name == "object" and len(node.args) == 1 and isinstance(node.args[0],
                                                                        ast.ObjectCons):
            fields: dict[str, TypeSpec] = {}
            optional: dict[str, Any] = {}
            for key, value in node.args[0].items:
                if not (isinstance(key, ast.Literal) and isinstance(key.value, str)):
                    raise EvalError("Invalid type specification", "Object attribute names "
                                    "must be plain names.", key.line)
                if isinstance(value, ast.FunctionCall) and value.name == "optional":
                    if not 1 <= len(value.args) <= 2:
                        raise EvalError("Invalid type specification", "optional() takes a "
                                        "type and an optional default value.", value.line)
                    fields[key.value] = parse_type(value.args[0])
                    optional[key.value] = (value.args[1] if len(value.args) == 2 else None)
                else:
                    fields[key.value] = parse_type(value)
            return TypeSpec("object", fields=fields, optional=optional)
    raise EvalError("Invalid type specification", "A type constraint must be string, number, "
                    "bool, any, list(T), set(T), map(T), object({...}) or tuple([...]).",
                    node.line)


def convert(value: Any, spec: TypeSpec, path: str = "") -> Any:
    """``value`` converted to ``spec`` (HCL's rules), or ``EvalError`` naming the path."""
    if value is None or value is UNKNOWN or isinstance(value, Deferred) or spec.kind == "any":
        return value
    where = f" at {path}" if path else ""
    try:
        if spec.kind == "string":
            if isinstance(value, list | dict):
                raise EvalError("Invalid value", f"string required{where}, got "
                                f"{type_name(value)}.")
            return to_string(value)
        if spec.kind == "number":
            return to_number(value)
        if spec.kind == "bool":
            return to_bool(value)
    except EvalError as err:
        raise EvalError("Invalid value", f"{err.detail.rstrip('.')}{where}.") from None
    assert spec.element is not None or spec.kind in ("object", "tuple")
    if spec.kind in ("list", "set"):
        if not isinstance(value, list):
            raise EvalError("Invalid value", f"{spec.kind} required{where}, got "
                            f"{type_name(value)}.")
        assert spec.element is not None
        items = [convert(v, spec.element, f"{path}[{i}]") for i, v in enumerate(value)]
        return SetValue.of(items) if spec.kind == "set" else items
    if spec.kind == "map":
        if not isinstance(value, dict):
            raise EvalError("Invalid value", f"map required{where}, got {type_name(value)}.")
        assert spec.element is not None
        return {k: convert(v, spec.element, f"{path}[{k!r}]") for k, v in value.items()}
    if spec.kind == "tuple":
        if not isinstance(value, list) or len(value) != len(spec.items):
            raise EvalError("Invalid value", f"tuple of {len(spec.items)} elements "
                            f"required{where}.")
        return [convert(v, t, f"{path}[{i}]") for i, (v, t) in
                enumerate(zip(value, spec.items, strict=True))]
    if not isinstance(value, dict):
        raise EvalError("Invalid value", f"object required{where}, got {type_name(value)}.")
    out: dict[str, Any] = {}
    for name, field_spec in spec.fields.items():
        if name in value:
            out[name] = convert(value[name], field_spec, f"{path}.{name}".lstrip("."))
        elif name in spec.optional:
            out[name] = spec.optional[name]  # a default, already a value (see resolve)
        else:
            raise EvalError("Invalid value", f"attribute {name!r} is required{where}.")
    return out


def resolve_defaults(spec: TypeSpec, evaluate_default: Any) -> TypeSpec:
    """``spec`` with optional() default expressions replaced by their values."""
    if spec.kind in ("list", "set", "map") and spec.element is not None:
        return TypeSpec(spec.kind, element=resolve_defaults(spec.element, evaluate_default))
    if spec.kind == "tuple":
        return TypeSpec("tuple", items=tuple(resolve_defaults(i, evaluate_default)
                                             for i in spec.items))
    if spec.kind == "object":
        fields = {k: resolve_defaults(v, evaluate_default) for k, v in spec.fields.items()}
        optional = {k: (None if d is None else convert(evaluate_default(d), fields[k]))
                    for k, d in spec.optional.items()}
        return TypeSpec("object", fields=fields, optional=optional)
    return spec
