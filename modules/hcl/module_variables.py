"""Input variables of one module instance: their values (given, passed by the module call,
or defaulted), converted to their declared ``type``, and their ``validation`` rules.

``decode_variables`` evaluates only static expressions (types, defaults, ``sensitive``,
``nullable``); ``validate_variables`` runs afterwards, in the module's own context, because a
validation condition reads ``var.NAME``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.engine.values import UNKNOWN, Deferred
from albform.modules.hcl.decode import Declarations, Reported, evaluate_static, new_context
from albform.modules.hcl.expressions import Context, EvalError
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.expressions.values import to_bool
from albform.modules.hcl.typeexpr import ANY, TypeSpec, convert, parse_type, resolve_defaults
from albform.modules.hcl.variables import GivenValue, interpret

_VARIABLE_ARGS = {"type", "default", "description", "sensitive", "nullable", "ephemeral"}


@dataclass(slots=True)
class DecodedVariables:
    values: dict[str, Any] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)  # without a usable value (reported)
    sensitive: set[str] = field(default_factory=set)  # declared sensitive = true


def decode_variables(decls: Declarations, root_dir: Path, diags: Diagnostics,
                     given: Mapping[str, GivenValue] | None,
                     inputs: Mapping[str, tuple[Any, SourceRange]] | None,
                     call_site: SourceRange | None,
                     unset_unknown: bool = False) -> DecodedVariables:
    """Every declared variable's value: ``given`` (the root module's -var/.tfvars/TF_VAR_
    values) or ``inputs`` (a module call's arguments) over its default, converted to its type.
    A variable with no value, or one that fails to convert, is reported and left null; with
    ``unset_unknown`` (``validate``) a root variable with no value reads as ``UNKNOWN``
    instead, as ``terraform validate`` checks a module for every possible input."""
    out = DecodedVariables()
    values = out.values
    static = new_context({}, root_dir)
    for name, (filename, block) in decls.variables.items():
        where = SourceRange(filename, block.line)
        source = where
        body = block.body
        for attr in body.attributes:
            if attr.name not in _VARIABLE_ARGS:
                diags.error("Unsupported argument", f"An argument named {attr.name!r} "
                            "is not expected in a variable block."
                            + did_you_mean(attr.name, _VARIABLE_ARGS),
                            subject=SourceRange(filename, attr.line))
        spec: TypeSpec = ANY
        try:
            type_attr = body.attribute("type")
            if type_attr is not None:
                spec = resolve_defaults(parse_type(type_attr.expr),
                                        lambda node: evaluate_static(node, static, "default"))
            sensitive_attr = body.attribute("sensitive")
            if sensitive_attr is not None and to_bool(
                    evaluate_static(sensitive_attr.expr, static, "sensitive")) is True:
                out.sensitive.add(name)
            nullable_attr = body.attribute("nullable")
            nullable = True if nullable_attr is None else bool(
                to_bool(evaluate_static(nullable_attr.expr, static, "nullable")))
            default_attr = body.attribute("default")
            has_default = default_attr is not None
            value: Any = None
            if default_attr is not None:
                source = SourceRange(filename, default_attr.line)
                value = evaluate_static(default_attr.expr, static, "default")
            if given is not None and name in given:
                value = interpret(given[name], spec, name)
                source = given[name].source or where
            elif inputs is not None and name in inputs:
                value, source = inputs[name]
            elif not has_default and unset_unknown and inputs is None:
                values[name] = UNKNOWN
                continue
            elif not has_default:
                diags.error("No value for required variable" if inputs is None else
                            "Missing required argument", f"The input variable "
                            f"{name!r} is not set and has no default value. Set it "
                            + ("with -var, a .tfvars file or TF_VAR_" + name
                               if inputs is None else "in the module block") + ".",
                            subject=call_site or where)
                values[name] = None
                out.missing.add(name)
                continue
            if value is None and not nullable and has_default and default_attr is not None:
                value = evaluate_static(default_attr.expr, static, "default")
            values[name] = convert(value, spec)
        except EvalError as err:
            detail = err.detail if err.summary.startswith("Invalid value for") else \
                f"Variable {name!r}: {err.detail}"
            diags.error("Invalid value for input variable" if err.summary ==
                        "Invalid value" else err.summary, detail,
                        subject=SourceRange(filename, err.line) if err.line
                        else source)
            values[name] = None
            out.missing.add(name)
    if given is not None:
        for name, item in given.items():
            if name in decls.variables:
                continue
            if item.from_file and item.source is None:
                continue  # TF_VAR_ for an undeclared variable is ignored
            if item.from_file:
                diags.warning("Value for undeclared variable", f"A variable named "
                              f"{name!r} was assigned, but the configuration does not "
                              "declare it." + did_you_mean(name, decls.variables),
                              subject=item.source)
            else:
                diags.error("Value for undeclared variable", f"A variable named "
                            f"{name!r} was given with -var, but it is not declared."
                            + did_you_mean(name, decls.variables))
    return out


def validate_variables(decls: Declarations, ctx: Context, diags: Diagnostics) -> None:
    """Report every failed ``validation`` rule; ``ctx`` must already see the variables."""
    for name, (filename, block) in decls.variables.items():
        for rule in block.body.blocks_of("validation"):
            condition = rule.body.attribute("condition")
            message = rule.body.attribute("error_message")
            if condition is None:
                diags.error("Missing required argument", "A validation block needs a "
                            "condition.", subject=SourceRange(filename, rule.line))
                continue
            try:
                ok = evaluate_static(condition.expr, ctx, "validation condition")
                if isinstance(ok, Deferred) or ok is None:
                    continue
                if to_bool(ok, "validation condition") is False:
                    text = evaluate_static(message.expr, ctx, "error_message") \
                        if message else f"Invalid value for variable {name!r}."
                    diags.error("Invalid value for variable", f"{text} (This was "
                                f"checked by the validation rule at {filename}:"
                                f"{rule.line}.)",
                                subject=SourceRange(filename, condition.line))
            except EvalError as err:
                if not isinstance(err, Reported):
                    diags.error(err.summary, err.detail, subject=SourceRange(
                        filename, err.line or condition.line))
