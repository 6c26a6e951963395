"""The built-in functions: Terraform's names, arguments and results (checked against
``terraform console`` in the tests). ``FUNCTIONS`` maps a name to ``impl(args, ctx, line)``.

Unless a function is registered with ``shallow=True``, any argument holding ``UNKNOWN``
anywhere makes the result ``UNKNOWN``, as in Terraform. ``try``/``can`` are special forms in
the evaluator. Filesystem and network functions live in ``functions_io``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from albform.engine.values import UNKNOWN
from albform.modules.hcl.expressions.context import Context, FunctionImpl
from albform.modules.hcl.expressions.values import (
    EvalError,
    contains_unknown,
    format_number,
    normalize_number,
    plain,
    to_bool,
    to_number,
    to_string,
    type_name,
)

FUNCTIONS: dict[str, FunctionImpl] = {}

Simple = Callable[..., Any]


def register(name: str, min_args: int, max_args: int | None = None, *, shallow: bool = False,
             ) -> Callable[[Simple], Simple]:
    """Register ``fn(*args)``; ``max_args=None`` means exactly ``min_args``, -1 variadic."""
    upper = min_args if max_args is None else max_args

    def wrap(fn: Simple) -> Simple:
        def impl(args: list[Any], ctx: Context, line: int) -> Any:
            if len(args) < min_args or (upper >= 0 and len(args) > upper):
                expected = (f"{min_args}" if upper == min_args else
                            f"at least {min_args}" if upper < 0 else f"{min_args} to {upper}")
                raise EvalError("Invalid function arguments", f"{name}() takes {expected} "
                                f"argument(s); {len(args)} given.", line)
            if shallow:
                if any(a is UNKNOWN for a in args):
                    return UNKNOWN
            elif any(contains_unknown(a) for a in args):
                return UNKNOWN
            try:
                result = fn(*args)
            except OverflowError:
                raise _fail(name, "the result is too large: albform computes with 64-bit "
                            "floating point (up to about ±1.8e308).") from None
            except (ArithmeticError, ValueError) as exc:
                # Math on user values (log(0), a zero step): a mistake in the configuration,
                # reported like the function's own checks.
                raise _fail(name, f"cannot be computed for these arguments ({exc}).") from None
            if isinstance(result, float | complex):
                result = normalize_number(result)  # the one range rule (values.py)
            return result
        FUNCTIONS[name] = impl
        return fn
    return wrap


def register_ctx(name: str, impl: FunctionImpl) -> None:
    FUNCTIONS[name] = impl


def _fail(name: str, detail: str) -> EvalError:
    return EvalError("Invalid function argument", f"{name}(): {detail}")


def _str(value: Any, name: str) -> str:
    if value is None:
        raise _fail(name, "argument must not be null.")
    result = to_string(value, f"argument of {name}()")
    assert isinstance(result, str)
    return result


def _num(value: Any, name: str) -> Any:
    if value is None:
        raise _fail(name, "argument must not be null.")
    return to_number(value, f"argument of {name}()")


def _int(value: Any, name: str) -> int:
    number = _num(value, name)
    if not isinstance(number, int):
        raise _fail(name, f"{format_number(number)} is not a whole number.")
    return number


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(name, f"a list, tuple or set is required, not a {type_name(value)}.")
    return value


def _map(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(name, f"a map or object is required, not a {type_name(value)}.")
    return value


def json_text(value: Any) -> str:
    text = json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    # Go's encoder escapes HTML-significant characters; Terraform's jsonencode does too.
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# -- strings --------------------------------------------------------------------------------

register("upper", 1)(lambda s: _str(s, "upper").upper())
register("lower", 1)(lambda s: _str(s, "lower").lower())
register("trimspace", 1)(lambda s: _str(s, "trimspace").strip())
register("strrev", 1)(lambda s: _str(s, "strrev")[::-1])
register("chomp", 1)(lambda s: re.sub(r"(\r\n|\n|\r)+$", "", _str(s, "chomp")))
register("startswith", 2)(lambda s, p: _str(s, "startswith").startswith(_str(p, "startswith")))
register("endswith", 2)(lambda s, p: _str(s, "endswith").endswith(_str(p, "endswith")))
register("strcontains", 2)(lambda s, p: _str(p, "strcontains") in _str(s, "strcontains"))
register("trimprefix", 2)(lambda s, p: _str(s, "trimprefix").removeprefix(_str(p, "trimprefix")))
register("trimsuffix", 2)(lambda s, p: _str(s, "trimsuffix").removesuffix(_str(p, "trimsuffix")))
register("trim", 2)(lambda s, cut: _str(s, "trim").strip(_str(cut, "trim")))
register("title", 1)(lambda s: re.sub(r"(?<![A-Za-z0-9])([a-z])", lambda m: m.group(1).upper(),
                                      _str(s, "title")))


@register("indent", 2)
def _indent(spaces: Any, text: Any) -> str:
    pad = " " * _int(spaces, "indent")
    lines = _str(text, "indent").split("\n")
    return "\n".join([lines[0]] + [pad + ln for ln in lines[1:]])


@register("split", 2)
def _split(sep: Any, text: Any) -> list[str]:
    separator, value = _str(sep, "split"), _str(text, "split")
    if value == "":
        return [""]
    if separator == "":
        return list(value)
    return value.split(separator)


@register("join", 2, -1)
def _join(sep: Any, *lists: Any) -> str:
    separator = _str(sep, "join")
    items: list[str] = []
    for lst in lists:
        for item in _list(lst, "join"):
            if item is None:
                raise _fail("join", "element is null.")
            items.append(_str(item, "join"))
    return separator.join(items)


def _go_regex(pattern: str) -> re.Pattern[str]:
    # RE2 and Python agree on the common syntax; named groups differ: (?P<n>) works in both.
    try:
        return re.compile(pattern)
    except re.error as err:
        raise _fail("regex", f"invalid regular expression {pattern!r}: {err}.") from None


@register("replace", 3)
def _replace(text: Any, search: Any, replacement: Any) -> str:
    value, pattern, repl = _str(text, "replace"), _str(search, "replace"), \
        _str(replacement, "replace")
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        compiled = _go_regex(pattern[1:-1])
        return compiled.sub(lambda m: _go_expand(m, repl), value)
    return value.replace(pattern, repl)


_GO_REF = re.compile(r"\$(?:\$|\{(\w+)\}|(\w+))")


def _go_expand(m: re.Match[str], template: str) -> str:
    """Go's Regexp.Expand: ``$1``/``${1}``/``$name``; ``$name`` takes the longest run of
    word characters (so ``$1_`` names group "1_"); unknown groups expand to nothing."""
    def ref(r: re.Match[str]) -> str:
        if r.group(0) == "$$":
            return "$"
        name = r.group(1) or r.group(2)
        if name.isdigit():
            index = int(name)
            return (m.group(index) or "") if index <= (m.re.groups) else ""
        return (m.group(name) or "") if name in m.re.groupindex else ""
    return _GO_REF.sub(ref, template)


def _match_value(m: re.Match[str]) -> Any:
    if m.re.groupindex:
        return {name: m.group(name) for name in m.re.groupindex}
    if m.re.groups:
        return [g if g is not None else None for g in m.groups()]
    return m.group(0)


@register("regex", 2)
def _regex(pattern: Any, text: Any) -> Any:
    m = _go_regex(_str(pattern, "regex")).search(_str(text, "regex"))
    if m is None:
        raise _fail("regex", "pattern did not match any part of the given string.")
    return _match_value(m)


@register("regexall", 2)
def _regexall(pattern: Any, text: Any) -> list[Any]:
    compiled = _go_regex(_str(pattern, "regexall"))
    return [_match_value(m) for m in compiled.finditer(_str(text, "regexall"))]


@register("substr", 3)
def _substr(text: Any, offset: Any, length: Any) -> str:
    value, start, count = _str(text, "substr"), _int(offset, "substr"), _int(length, "substr")
    if start < 0:
        start = max(len(value) + start, 0)
    if start > len(value):
        raise _fail("substr", "offset is beyond the end of the string.")
    return value[start:] if count < 0 else value[start:start + count]


_VERB = re.compile(r"%(?:\[(\d+)\])?([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _format_one(verb: str, flags: str, width: str | None, precision: str | None,
                value: Any) -> str:
    spec_flags = flags.replace("#", "")
    if verb in ("v", "s"):
        if verb == "v" and "#" in flags:
            text = json_text(value)
        elif isinstance(value, list | dict) or value is None:
            if verb == "s":
                raise _fail("format", f"unsupported value for \"%s\": {type_name(value)}.")
            text = json_text(value)
        else:
            text = _str(value, "format")
        if precision is not None:
            text = text[:int(precision)]
    elif verb == "q":
        text = json_text(_str(value, "format"))
    elif verb == "t":
        text = "true" if to_bool(value, "format %t") else "false"
    elif verb in "dbox":
        number = _int(value, "format")
        text = format(number, {"d": "d", "b": "b", "o": "o", "x": "x"}[verb])
    elif verb == "X":
        text = format(_int(value, "format"), "X")
    elif verb in "eEfgG":
        real = float(_num(value, "format"))
        digits = "6" if precision is None and verb != "g" and verb != "G" else precision
        text = format(real, f".{digits}{verb}" if digits is not None else verb)
        if verb in "gG" and precision is None:
            text = format_number(normalize_number(real))
    else:
        raise _fail("format", f"unsupported format verb %{verb}.")
    if "+" in spec_flags and verb in "deEfgG" and not text.startswith("-"):
        text = "+" + text
    if width:
        size = int(width)
        if "-" in spec_flags:
            text = text.ljust(size)
        elif "0" in spec_flags and verb not in "sqvt":
            sign = text[0] if text[:1] in "+-" else ""
            text = sign + text[len(sign):].rjust(size - len(sign), "0")
        else:
            text = text.rjust(size)
    return text


@register("format", 1, -1, shallow=True)
def _format(spec: Any, *args: Any) -> Any:
    pattern = _str(spec, "format")
    out: list[str] = []
    pos = 0
    next_arg = 0
    for m in _VERB.finditer(pattern):
        out.append(pattern[pos:m.start()])
        pos = m.end()
        index, flags, width, precision, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if index:
            next_arg = int(index) - 1
        if next_arg >= len(args):
            raise _fail("format", f"not enough arguments for the verbs in {pattern!r}.")
        value = args[next_arg]
        next_arg += 1
        if contains_unknown(value):
            return UNKNOWN
        out.append(_format_one(verb, flags, width, precision, value))
    out.append(pattern[pos:])
    if "%" in pattern[pos:].replace("%%", ""):
        raise _fail("format", f"unrecognised format verb in {pattern!r}.")
    return "".join(out)


@register("formatlist", 1, -1)
def _formatlist(spec: Any, *args: Any) -> list[Any]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise _fail("formatlist", "all list arguments must have the same length.")
    count = lengths.pop() if lengths else 1
    return [_format(spec, *[a[i] if isinstance(a, list) else a for a in args])
            for i in range(count)]
