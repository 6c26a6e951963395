"""Collection, numeric and type-conversion functions (Terraform semantics)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from albform.modules.hcl.expressions.functions import (
    _fail,
    _int,
    _list,
    _map,
    _num,
    _str,
    register,
)
from albform.modules.hcl.expressions.values import (
    SetValue,
    equal,
    is_number,
    normalize_number,
    to_bool,
    to_number,
    to_string,
    type_name,
)

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
