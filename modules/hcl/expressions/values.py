"""HCL values in Python and HCL's conversion rules.

Values are ``None`` (null), ``bool``, ``int``/``float`` (number), ``str``, ``list`` (tuple and
list), ``SetValue`` (a list subclass: a set, kept sorted and free of duplicates), ``dict``
(object and map) and ``UNKNOWN`` (known after apply). Conversions follow HCL: numbers and
bools convert to strings, strings that spell numbers/bools convert back, nothing converts
from null or collections implicitly.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from albform.engine.values import UNKNOWN

_NUMBER_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class EvalError(Exception):
    """A user-facing evaluation error: a fixed summary, a detail sentence and a line."""

    def __init__(self, summary: str, detail: str, line: int | None = None) -> None:
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail
        self.line = line


class SetValue(list[Any]):
    """A set: sorted, without duplicates (HCL orders sets of strings lexically)."""

    @classmethod
    def of(cls, items: list[Any]) -> SetValue:
        unique: list[Any] = []
        for item in items:
            if not any(equal(item, seen) for seen in unique):
                unique.append(item)
        if all(isinstance(i, str) for i in unique) or all(is_number(i) for i in unique):
            unique.sort()
        return cls(unique)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if value is UNKNOWN:
        return "unknown value"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, SetValue):
        return "set"
    if isinstance(value, list):
        return "tuple"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def normalize_number(value: float | int | complex) -> int | float:
    """A computed number as HCL values hold it: whole floats become ints. The one rule for
    range: albform computes with 64-bit floats, so a result beyond them (``pow(10, 400)``,
    ``1e400``) or not a real number is an ``EvalError``, never ``inf``/``nan`` in a value."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise out_of_range(value)
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    elif not isinstance(value, int):
        raise EvalError("Invalid number", f"The result is not a real number ({value!r:.40}).")
    return value


def out_of_range(value: object = None) -> EvalError:
    """The error for a number no 64-bit float holds (``value``, when it says something)."""
    shown = "" if value is None or (isinstance(value, float) and not math.isfinite(value)) \
        else f" ({value!r:.40})"
    return EvalError("Number out of range", f"A number here is too large{shown}: albform "
                     "computes with 64-bit floating point (up to about ±1.8e308), and Avi "
                     "attributes take much smaller numbers.")


def to_number(value: Any, what: str = "value") -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if is_number(value):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_RE.fullmatch(text):
            return normalize_number(float(text)) if any(c in text for c in ".eE") else int(text)
        raise EvalError("Invalid value", f"Cannot convert string {value!r} to a number ({what}).")
    raise EvalError("Invalid value", f"A number is required for the {what}, "
                    f"but a {type_name(value)} was given.")


def to_bool(value: Any, what: str = "value") -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError("Invalid value", f"A bool is required for the {what}, "
                    f"but a {type_name(value)} was given.")


def format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isinf(value) or math.isnan(value):
        return "+Inf" if value > 0 else "-Inf" if value < 0 else "NaN"
    value = normalize_number(value)
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text:  # Terraform never prints exponents: expand the shortest repr exactly
        text = format(Decimal(text), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text


def to_string(value: Any, what: str = "value") -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    if value is None:
        raise EvalError("Invalid value", f"The {what} is null; a string is required.")
    raise EvalError("Invalid value", f"A string is required for the {what}, "
                    f"but a {type_name(value)} was given.")


def equal(a: Any, b: Any) -> bool:
    """HCL equality: values of different kinds are never equal (``1 != "1"``)."""
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return bool(a == b)


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False


def plain(value: Any) -> Any:
    """The value with sets turned into plain lists (for attributes and JSON)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def unify_for_conditional(chosen: Any, other: Any) -> Any:
    """HCL unifies the two result types of ``c ? a : b``: a string branch makes a number or
    bool result a string."""
    if isinstance(other, str) and (is_number(chosen) or isinstance(chosen, bool)):
        return to_string(chosen)
    return chosen
