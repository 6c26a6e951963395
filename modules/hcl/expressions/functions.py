"""The built-in functions: Terraform's names, arguments and results (checked against
``terraform console`` in the tests). ``FUNCTIONS`` maps a name to ``impl(args, ctx, line)``.

Unless a function is registered with ``shallow=True``, any argument holding ``UNKNOWN``
anywhere makes the result ``UNKNOWN``, as in Terraform. ``try``/``can`` are special forms in
the evaluator. Filesystem and network functions live in ``functions_io``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

import yaml

from albform.engine.values import UNKNOWN
from albform.modules.hcl.expressions.evaluate import Context, FunctionImpl
from albform.modules.hcl.expressions.values import (
    EvalError,
    SetValue,
    contains_unknown,
    equal,
    format_number,
    is_number,
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
            return fn(*args)
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
            text = _json(value)
        elif isinstance(value, list | dict) or value is None:
            if verb == "s":
                raise _fail("format", f"unsupported value for \"%s\": {type_name(value)}.")
            text = _json(value)
        else:
            text = _str(value, "format")
        if precision is not None:
            text = text[:int(precision)]
    elif verb == "q":
        text = _json(_str(value, "format"))
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


# -- collections ----------------------------------------------------------------------------

@register("length", 1, shallow=True)
def _length(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | dict):
        return len(value)
    raise _fail("length", f"cannot take the length of a {type_name(value)}.")


@register("concat", 0, -1, shallow=True)
def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        out.extend(_list(lst, "concat"))
    return out


@register("contains", 2)
def _contains(lst: Any, value: Any) -> bool:
    return any(equal(item, value) for item in _list(lst, "contains"))


@register("distinct", 1)
def _distinct(lst: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(lst, "distinct"):
        if not any(equal(item, seen) for seen in out):
            out.append(item)
    return out


@register("element", 2, shallow=True)
def _element(lst: Any, index: Any) -> Any:
    items = _list(lst, "element")
    if not items:
        raise _fail("element", "cannot use element function with an empty list.")
    i = _int(index, "element")
    if i < 0:
        raise _fail("element", "cannot use element function with a negative index.")
    return items[i % len(items)]


@register("flatten", 1, shallow=True)
def _flatten(lst: Any) -> list[Any]:
    out: list[Any] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item)
    walk(_list(lst, "flatten"))
    return out


@register("index", 2)
def _index(lst: Any, value: Any) -> int:
    for i, item in enumerate(_list(lst, "index")):
        if equal(item, value):
            return i
    raise _fail("index", "item not found.")


register("keys", 1, shallow=True)(lambda m: sorted(_map(m, "keys")))
register("values", 1, shallow=True)(lambda m: [_map(m, "values")[k] for k in sorted(m)])


@register("lookup", 2, 3, shallow=True)
def _lookup(m: Any, key: Any, *default: Any) -> Any:
    mapping, name = _map(m, "lookup"), _str(key, "lookup")
    if name in mapping:
        return mapping[name]
    if default:
        return default[0]
    raise _fail("lookup", f"the given key {name!r} is not in the map, and no default was "
                "given.")


@register("merge", 0, -1, shallow=True)
def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        out.update(_map(m, "merge"))
    return out


@register("one", 1)
def _one(lst: Any) -> Any:
    items = _list(lst, "one")
    if len(items) > 1:
        raise _fail("one", f"must be a list, set, or tuple value with either zero or one "
                    f"elements; this has {len(items)}.")
    return items[0] if items else None


@register("range", 1, 3)
def _range(*args: Any) -> list[Any]:
    numbers = [_num(a, "range") for a in args]
    start: Any = 0
    step: Any = 1
    if len(numbers) == 1:
        end = numbers[0]
    else:
        start, end = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else (1 if end >= start else -1)
    if step == 0:
        raise _fail("range", "step must not be zero.")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise _fail("range", "step has the wrong sign for the given start and end.")
    out: list[Any] = []
    value = start
    while (step > 0 and value < end) or (step < 0 and value > end):
        out.append(normalize_number(value))
        value += step
        if len(out) > 1024:
            raise _fail("range", "more than 1024 values would be produced.")
    return out


register("reverse", 1)(lambda lst: list(reversed(_list(lst, "reverse"))))


@register("slice", 3, shallow=True)
def _slice(lst: Any, start: Any, end: Any) -> list[Any]:
    items, a, b = _list(lst, "slice"), _int(start, "slice"), _int(end, "slice")
    if a < 0 or b > len(items) or a > b:
        raise _fail("slice", f"invalid range [{a}:{b}] for a list of {len(items)}.")
    return items[a:b]


@register("sort", 1)
def _sort(lst: Any) -> list[str]:
    return sorted(_str(v, "sort") for v in _list(lst, "sort"))


@register("zipmap", 2, shallow=True)
def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    k, v = _list(keys, "zipmap"), _list(values, "zipmap")
    if len(k) != len(v):
        raise _fail("zipmap", "the number of keys and values must match.")
    return {_str(a, "zipmap"): b for a, b in zip(k, v, strict=True)}


@register("coalesce", 1, -1, shallow=True)
def _coalesce(*args: Any) -> Any:
    for arg in args:
        if arg is not None and arg != "":
            return arg
    raise _fail("coalesce", "no non-null, non-empty-string arguments.")


@register("coalescelist", 1, -1, shallow=True)
def _coalescelist(*args: Any) -> Any:
    for arg in args:
        if _list(arg, "coalescelist"):
            return arg
    raise _fail("coalescelist", "no non-empty list arguments.")


register("compact", 1)(lambda lst: [v for v in _list(lst, "compact")
                                    if v is not None and v != ""])
register("alltrue", 1)(lambda lst: all(to_bool(v) for v in _list(lst, "alltrue")))
register("anytrue", 1)(lambda lst: any(to_bool(v) for v in _list(lst, "anytrue")))


@register("sum", 1)
def _sum(lst: Any) -> Any:
    items = _list(lst, "sum")
    if not items:
        raise _fail("sum", "cannot sum an empty list.")
    total: Any = 0
    for item in items:
        total += _num(item, "sum")
    return normalize_number(total)


@register("chunklist", 2)
def _chunklist(lst: Any, size: Any) -> list[Any]:
    items, n = _list(lst, "chunklist"), _int(size, "chunklist")
    if n < 0:
        raise _fail("chunklist", "the size argument must be positive.")
    if n == 0:
        return [items]
    return [items[i:i + n] for i in range(0, len(items), n)]


@register("matchkeys", 3)
def _matchkeys(values: Any, keys: Any, search: Any) -> list[Any]:
    v, k, s = _list(values, "matchkeys"), _list(keys, "matchkeys"), _list(search, "matchkeys")
    if len(v) != len(k):
        raise _fail("matchkeys", "length of keys and values should be equal.")
    return [val for val, key in zip(v, k, strict=True) if any(equal(key, x) for x in s)]


@register("transpose", 1)
def _transpose(m: Any) -> dict[str, Any]:
    out: dict[str, list[str]] = {}
    for key, lst in sorted(_map(m, "transpose").items()):
        for item in _list(lst, "transpose"):
            out.setdefault(_str(item, "transpose"), []).append(key)
    return {k: sorted(v) for k, v in out.items()}


register("setunion", 1, -1)(lambda *s: SetValue.of([x for lst in s
                                                    for x in _list(lst, "setunion")]))
register("setintersection", 1, -1)(
    lambda first, *rest: SetValue.of([x for x in _list(first, "setintersection")
                                      if all(any(equal(x, y) for y in _list(r, "setintersection"))
                                             for r in rest)]))
register("setsubtract", 2)(
    lambda a, b: SetValue.of([x for x in _list(a, "setsubtract")
                              if not any(equal(x, y) for y in _list(b, "setsubtract"))]))


@register("setproduct", 1, -1)
def _setproduct(*sets: Any) -> list[Any]:
    out: list[list[Any]] = [[]]
    for s in sets:
        out = [[*prefix, x] for prefix in out for x in _list(s, "setproduct")]
    return list(out)


# -- numbers --------------------------------------------------------------------------------

register("abs", 1)(lambda n: abs(_num(n, "abs")))
register("ceil", 1)(lambda n: math.ceil(_num(n, "ceil")))
register("floor", 1)(lambda n: math.floor(_num(n, "floor")))
register("signum", 1)(lambda n: (lambda x: (x > 0) - (x < 0))(_num(n, "signum")))
register("log", 2)(lambda n, b: normalize_number(math.log(_num(n, "log"), _num(b, "log"))))
register("pow", 2)(lambda a, b: normalize_number(float(_num(a, "pow")) ** _num(b, "pow")))


def _extreme(name: str, pick: Callable[..., Any]) -> None:
    def impl(*args: Any) -> Any:
        return pick(_num(a, name) for a in args)
    register(name, 1, -1)(impl)


_extreme("max", max)
_extreme("min", min)


@register("parseint", 2)
def _parseint(text: Any, base: Any) -> int:
    b = _int(base, "parseint")
    if not 2 <= b <= 62:
        raise _fail("parseint", "base must be between 2 and 62.")
    try:
        return int(_str(text, "parseint"), b)
    except ValueError:
        raise _fail("parseint", f"cannot parse {text!r} as a base {b} integer.") from None


# -- type conversions -------------------------------------------------------------------------

def _tostring(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list | dict):
        raise _fail("tostring", f"cannot convert {type_name(value)} to string.")
    return to_string(value)


register("tostring", 1)(_tostring)
register("tonumber", 1)(lambda v: None if v is None else to_number(v, "argument of tonumber()"))
register("tobool", 1)(lambda v: None if v is None else to_bool(v, "argument of tobool()"))
register("tolist", 1, shallow=True)(lambda v: None if v is None else list(_list(v, "tolist")))


@register("toset", 1, shallow=True)
def _toset(value: Any) -> Any:
    if value is None:
        return None
    items = _list(value, "toset")
    if any(isinstance(i, str) for i in items) and any(is_number(i) or isinstance(i, bool)
                                                     for i in items):
        items = [to_string(i) for i in items]  # unify to string, as Terraform does
    return SetValue.of(items)


@register("tomap", 1, shallow=True)
def _tomap(value: Any) -> Any:
    if value is None:
        return None
    mapping = _map(value, "tomap")
    kinds = {type_name(v) for v in mapping.values() if v is not None}
    if "string" in kinds and kinds <= {"string", "number", "bool"}:
        return {k: None if v is None else to_string(v) for k, v in mapping.items()}
    return dict(mapping)


register("sensitive", 1, shallow=True)(lambda v: v)
register("nonsensitive", 1, shallow=True)(lambda v: v)
register("issensitive", 1, shallow=True)(lambda v: False)


# -- encoding -------------------------------------------------------------------------------

def _json(value: Any) -> str:
    text = json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    # Go's encoder escapes HTML-significant characters; Terraform's jsonencode does too.
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


register("jsonencode", 1)(_json)


def _from_json(value: Any) -> Any:
    if isinstance(value, float):
        return normalize_number(value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    return value


@register("jsondecode", 1)
def _jsondecode(text: Any) -> Any:
    try:
        return _from_json(json.loads(_str(text, "jsondecode")))
    except json.JSONDecodeError as err:
        raise _fail("jsondecode", f"invalid JSON: {err.msg} at character {err.pos}.") from None


@register("base64encode", 1)
def _b64encode(text: Any) -> str:
    return base64.b64encode(_str(text, "base64encode").encode()).decode()


@register("base64decode", 1)
def _b64decode(text: Any) -> str:
    try:
        return base64.b64decode(_str(text, "base64decode"), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise _fail("base64decode", "the argument is not valid base64 of UTF-8 text.") from None


@register("urlencode", 1)
def _urlencode(text: Any) -> str:
    from urllib.parse import quote_plus  # Go's url.QueryEscape: space is "+"
    return quote_plus(_str(text, "urlencode"), safe="-._~")


@register("csvdecode", 1)
def _csvdecode(text: Any) -> list[Any]:
    import csv
    import io
    rows = list(csv.reader(io.StringIO(_str(text, "csvdecode"))))
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    for row in body:
        if len(row) != len(header):
            raise _fail("csvdecode", "all rows must have as many fields as the header row.")
    return [dict(zip(header, row, strict=True)) for row in body]


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    return json.dumps(value, ensure_ascii=False)


def _yaml(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        if not value:
            return [pad + "{}"]
        for key in sorted(value):
            item = value[key]
            head = f"{pad}{json.dumps(key, ensure_ascii=False)}:"
            if isinstance(item, dict | list) and item:
                lines.append(head)
                lines.extend(_yaml(item, indent + (2 if isinstance(item, dict) else 0)))
            else:
                lines.append(f"{head} {_yaml(item, 0)[0]}")
        return lines
    if isinstance(value, list):
        if not value:
            return [pad + "[]"]
        for item in value:
            if isinstance(item, dict | list) and item:
                inner = _yaml(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {_yaml(item, 0)[0]}")
        return lines
    return [pad + _yaml_scalar(value)]


register("yamlencode", 1)(lambda v: "\n".join(_yaml(plain(v), 0)) + "\n")


class _YamlLoader(yaml.SafeLoader):
    """YAML 1.1 as go-cty-yaml (Terraform's yamldecode) reads it: y/Y/n/N are booleans."""


def _yaml_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() in ("y", "yes", "true", "on")


_YamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"),
                                  list("yYnN"))
_YamlLoader.add_constructor("tag:yaml.org,2002:bool", _yaml_bool)


@register("yamldecode", 1)
def _yamldecode(text: Any) -> Any:
    try:
        return _from_json(yaml.load(_str(text, "yamldecode"), Loader=_YamlLoader))
    except yaml.YAMLError as err:
        raise _fail("yamldecode", f"invalid YAML: {err}.") from None


# -- hashes ---------------------------------------------------------------------------------

def _hash(name: str, algorithm: str, b64: bool = False) -> None:
    def impl(text: Any) -> str:
        digest = hashlib.new(algorithm, _str(text, name).encode())
        return base64.b64encode(digest.digest()).decode() if b64 else digest.hexdigest()
    register(name, 1)(impl)


for _name, _algorithm in (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"),
                          ("sha512", "sha512")):
    _hash(_name, _algorithm)
_hash("base64sha256", "sha256", b64=True)
_hash("base64sha512", "sha512", b64=True)

# Values that differ on every run are "known after apply", as in a Terraform plan.
register("uuid", 0)(lambda: UNKNOWN)
register("timestamp", 0)(lambda: UNKNOWN)


