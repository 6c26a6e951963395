"""Rendering attribute trees the way Terraform's human plan does: one value change → lines.

``ValueRenderer.lines(key, pad, before, after, attr, indent, path)`` returns the lines for
one attribute (``+``/``-``/``~``/unchanged marker, ``old -> new``, ``(known after apply)``,
``(sensitive value)``, ``-> null``, nested ``{ }``/``[ ]`` with ``# (N unchanged ...
hidden)``, ``# forces replacement``). Keys are sorted and padded to the longest key of the
object (hidden ones included, as Terraform does); a key absent or null on both sides is not
an attribute at all. In a resource body (and inside blocks) schema objects and lists of
objects render as nested blocks after the attributes (``servers {``, one per element, a blank
line before each block type, ``# (N unchanged blocks hidden)``), as the Avi provider's
nested blocks appear in Terraform; other nested values render in attribute form. Keyed lists
pair elements by key, other lists by position. A string holding a newline (a PEM certificate,
a DataScript) renders as Terraform's ``<<-EOT`` block, a change to one as a diff of its lines.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from albform.engine.diff import pair_keyed
from albform.engine.schema import SENSITIVE_TEXT, AttributeSchema
from albform.engine.values import UNKNOWN

Path = tuple[str | int, ...]


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
KNOWN_AFTER_APPLY = "(known after apply)"
SENSITIVE = SENSITIVE_TEXT

_ANSI = {"+": "\x1b[32m", "-": "\x1b[31m", "~": "\x1b[33m", "bold": "\x1b[1m",
         "reset": "\x1b[0m"}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def is_null(value: Any) -> bool:
    return value is ABSENT or value is None


def same(a: Any, b: Any) -> bool:
    """Structural equality that does not confuse ``True`` with ``1``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def primitive(value: Any) -> str:
    """A scalar attribute value (``engine/values.py`` lists the kinds) as the plan shows it.
    Anything else is a bug upstream: ``TypeError``, never a Python repr in a plan."""
    if value is UNKNOWN:
        return KNOWN_AFTER_APPLY
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"not a scalar attribute value: {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class ValueRenderer:
    color: bool = False
    replace_paths: frozenset[Path] = frozenset()

    # -- markers --------------------------------------------------------------------------
    def marker(self, symbol: str) -> str:
        """``+ ``, ``- ``, ``~ `` or two spaces, coloured when asked."""
        if symbol == " ":
            return "  "
        if self.color:
            return f"{_ANSI[symbol]}{symbol}{_ANSI['reset']} "
        return f"{symbol} "

    def _forces(self, path: Path) -> str:
        if path not in self.replace_paths:
            return ""
        text = "# forces replacement"
        return f" {_ANSI['-']}{text}{_ANSI['reset']}" if self.color else f" {text}"

    # -- one attribute ----------------------------------------------------------------------
    def lines(self, key: str, pad: int, before: Any, after: Any, attr: AttributeSchema | None,
              indent: int, path: Path, *, show: bool = False, null_suffix: bool = True,
              ) -> list[str]:
        """Lines for ``key``; an empty list when it is unchanged and not ``show``n. A removed
        value ends with ``-> null`` unless ``null_suffix`` is off (a key of an object value,
        as Terraform prints it; attributes of resources and blocks keep it)."""
        if is_null(before) and is_null(after):
            return []
        sensitive = attr is not None and attr.sensitive
        head = " " * indent
        name = f"{key:<{pad}}"
        if same(before, after):
            if not show:
                return []
            text = SENSITIVE if sensitive else None
            return self._value(head, " ", name, before, attr, indent, path, text)
        if is_null(before):
            text = SENSITIVE if sensitive and after is not UNKNOWN else None
            return self._value(head, "+", name, after, attr, indent, path, text)
        if is_null(after):
            text = SENSITIVE if sensitive else None
            out = self._value(head, "-", name, before, attr, indent, path, text)
            if null_suffix:
                out[-1] += " -> null"
            return out
        if sensitive:
            return [f"{head}{self.marker('~')}{name} = {SENSITIVE}{self._forces(path)}"]
        if after is UNKNOWN:
            out = self._value(head, "~", name, before, attr, indent, path, None, nested="-")
            out[-1] += f" -> {KNOWN_AFTER_APPLY}{self._forces(path)}"
            return out
        if isinstance(before, dict) and isinstance(after, dict):
            inner = self.object_lines(before, after, attr.fields if attr else None,
                                      indent + 4, path)
            return [f"{head}{self.marker('~')}{name} = {{", *inner, f"{head}  }}"]
        if isinstance(before, list) and isinstance(after, list):
            inner = self.list_lines(before, after, attr, indent + 4, path)
            return [f"{head}{self.marker('~')}{name} = [", *inner, f"{head}  ]"]
        if isinstance(before, dict | list) or isinstance(after, dict | list):
            out = self._value(head, "~", name, before, attr, indent, path, None, nested="-")
            rendered = self._value(head, " ", "", after, attr, indent, path, None, nested="+")
            out[-1] += " -> " + rendered[0].split(" = ", 1)[1]
            return out + rendered[1:]
        if _multiline(before) or _multiline(after):
            return [f"{head}{self.marker('~')}{name} = <<-EOT{self._forces(path)}",
                    *self._line_diff(str(before), str(after), indent), f"{head}  EOT"]
        return [f"{head}{self.marker('~')}{name} = {primitive(before)} -> "
                f"{primitive(after)}{self._forces(path)}"]

    def _line_diff(self, before: str, after: str, indent: int) -> list[str]:
        """The heredoc body of a changed string: kept lines bare, removed ones ``-``, added
        ones ``+`` (removals of a changed run first, as Terraform's line diff)."""
        old, new = _heredoc_lines(before), _heredoc_lines(after)
        unchanged, marked = " " * (indent + 6), " " * (indent + 4)
        out: list[str] = []
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out += [f"{unchanged}{line}" for line in old[i1:i2]]
                continue
            out += [f"{marked}{self.marker('-')}{line}" for line in old[i1:i2]]
            out += [f"{marked}{self.marker('+')}{line}" for line in new[j1:j2]]
        return out

    def _value(self, head: str, symbol: str, name: str, value: Any,
               attr: AttributeSchema | None, indent: int, path: Path, text: str | None,
               nested: str | None = None) -> list[str]:
        """``name = value`` with every nested line carrying ``nested`` (default ``symbol``)."""
        inner_symbol = symbol if nested is None else nested
        prefix = f"{head}{self.marker(symbol)}{name} = "
        if text is not None:
            return [prefix + text + self._forces(path)]
        if isinstance(value, dict) and value:
            inner = self._fields(value, attr, indent, path, inner_symbol)
            return [prefix + "{", *inner, f"{head}  }}"]
        if isinstance(value, list) and value:
            inner = []
            for i, element in enumerate(value):
                inner += self.element(element, attr, indent + 4, (*path, i), inner_symbol)
            return [prefix + "[", *inner, f"{head}  ]"]
        if isinstance(value, dict):
            return [prefix + "{}" + self._forces(path)]
        if isinstance(value, list):
            return [prefix + "[]" + self._forces(path)]
        if _multiline(value):
            body = " " * (indent + 6)
            return [prefix + "<<-EOT" + self._forces(path),
                    *(body + line for line in _heredoc_lines(value)), f"{head}  EOT"]
        return [prefix + primitive(value) + self._forces(path)]

    def _fields(self, value: Mapping[str, Any], attr: AttributeSchema | None, indent: int,
                path: Path, symbol: str) -> list[str]:
        """An object's non-null fields in key order, names padded to align, shown whole."""
        fields = attr.fields if attr else None
        keys = sorted(k for k in value if not is_null(value[k]))
        pad = max((len(k) for k in keys), default=0)
        inner: list[str] = []
        for k in keys:
            sub = fields.get(k) if fields else None
            inner += self.whole(k, pad, value[k], sub, indent + 4, (*path, k), symbol)
        return inner

    def whole(self, key: str, pad: int, value: Any, attr: AttributeSchema | None, indent: int,
              path: Path, symbol: str) -> list[str]:
        """A value shown in full, every line with ``symbol`` (created, deleted, context)."""
        text = SENSITIVE if attr is not None and attr.sensitive and value is not UNKNOWN \
            else None
        return self._value(" " * indent, symbol, f"{key:<{pad}}", value, attr, indent, path,
                           text)

    def element(self, value: Any, attr: AttributeSchema | None, indent: int, path: Path,
                symbol: str) -> list[str]:
        head = " " * indent
        if isinstance(value, dict) and value:
            inner = self._fields(value, attr, indent, path, symbol)
            return [f"{head}{self.marker(symbol)}{{", *inner, f"{head}  }},"]
        if isinstance(value, list) and value:
            inner = []
            for i, element in enumerate(value):
                inner += self.element(element, None, indent + 4, (*path, i), symbol)
            return [f"{head}{self.marker(symbol)}[", *inner, f"{head}  ],"]
        text = "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) \
            else primitive(value)
        return [f"{head}{self.marker(symbol)}{text}{self._forces(path)},"]

    # -- containers -------------------------------------------------------------------------
    def object_lines(self, before: Mapping[str, Any], after: Mapping[str, Any],
                     fields: Mapping[str, AttributeSchema] | None, indent: int, path: Path,
                     *, important: Sequence[str] = (), blocks: bool = False) -> list[str]:
        """The body of an object. With ``blocks`` (a resource, or inside a block), schema
        objects and lists of objects render as nested blocks after the attributes."""
        keys = sorted(k for k in {**before, **after}
                      if not (is_null(before.get(k, ABSENT)) and is_null(after.get(k, ABSENT))))
        block_keys = [k for k in keys if blocks and _is_block(
            fields.get(k) if fields else None, before.get(k), after.get(k))]
        keys = [k for k in keys if k not in block_keys]
        pad = max((len(k) for k in keys), default=0)
        out: list[str] = []
        hidden = 0
        for k in keys:
            attr = fields.get(k) if fields else None
            lines = self.lines(k, pad, before.get(k, ABSENT), after.get(k, ABSENT), attr,
                               indent, (*path, k), show=k in important, null_suffix=blocks)
            if lines:
                out += lines
            else:
                hidden += 1
        if hidden:
            out.append(f"{' ' * (indent + 2)}# ({plural(hidden, 'unchanged attribute')} hidden)")
        hidden_blocks = 0
        for k in block_keys:
            assert fields is not None
            shown, unchanged = self.block_lines(k, before.get(k), after.get(k), fields[k],
                                                indent, (*path, k))
            if shown and keys:
                out.append("")  # a blank line between the attributes and each block type
            out += shown
            hidden_blocks += unchanged
        if hidden_blocks:
            out += ["", f"{' ' * (indent + 2)}# ({plural(hidden_blocks, 'unchanged block')} "
                        "hidden)"]
        return out

    def block_lines(self, key: str, before: Any, after: Any, attr: AttributeSchema,
                    indent: int, path: Path) -> tuple[list[str], int]:
        """``key { ... }`` once per element of a block (or block list); unchanged elements
        are only counted."""
        if isinstance(before, list) or isinstance(after, list):
            pairs = _align(before or [], after or [], attr)
            paths = [(*path, i) for i in range(len(pairs))]
        else:
            pairs = [(ABSENT if before is None else before, ABSENT if after is None else after)]
            paths = [path]
        out: list[str] = []
        unchanged = 0
        head = " " * indent
        for (b, a), sub in zip(pairs, paths, strict=True):
            if b is not ABSENT and a is not ABSENT and same(b, a):
                unchanged += 1
                continue
            symbol = "+" if b is ABSENT else "-" if a is ABSENT else "~"
            inner = self.object_lines({} if b is ABSENT else b, {} if a is ABSENT else a,
                                      attr.fields, indent + 4, sub, blocks=True)
            out += [f"{head}{self.marker(symbol)}{key} {{{self._forces(sub)}", *inner,
                    f"{head}  }}"]
        return out, unchanged

    def list_lines(self, before: Sequence[Any], after: Sequence[Any],
                   attr: AttributeSchema | None, indent: int, path: Path) -> list[str]:
        pairs = _align(before, after, attr)
        changed = [not (b is not ABSENT and a is not ABSENT and same(b, a)) for b, a in pairs]
        out: list[str] = []
        hidden = 0

        def flush() -> None:
            nonlocal hidden
            if hidden:
                out.append(f"{' ' * (indent + 2)}# ({plural(hidden, 'unchanged element')}"
                           " hidden)")
                hidden = 0

        for i, (b, a) in enumerate(pairs):
            context = (i > 0 and changed[i - 1]) or (i + 1 < len(pairs) and changed[i + 1])
            sub = (*path, i)
            if not changed[i]:
                if context:
                    flush()
                    out += self.element(a, attr, indent, sub, " ")
                else:
                    hidden += 1
                continue
            flush()
            if b is ABSENT:
                out += self.element(a, attr, indent, sub, "+")
            elif a is ABSENT:
                out += self.element(b, attr, indent, sub, "-")
            elif isinstance(b, dict) and isinstance(a, dict):
                inner = self.object_lines(b, a, attr.fields if attr else None, indent + 4, sub)
                head = " " * indent
                out += [f"{head}{self.marker('~')}{{", *inner, f"{head}  }},"]
            elif a is UNKNOWN or isinstance(b, dict | list) or isinstance(a, dict | list):
                out += self.element(b, attr, indent, sub, "-")
                out += self.element(a, attr, indent, sub, "+")
            else:
                out.append(f"{' ' * indent}{self.marker('~')}{primitive(b)} -> "
                           f"{primitive(a)}{self._forces(sub)},")
        flush()
        return out


def _multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value


def _heredoc_lines(text: str) -> list[str]:
    """A heredoc's lines: the newline ending the last one is the heredoc's own."""
    return text.removesuffix("\n").split("\n")


def _is_block(attr: AttributeSchema | None, before: Any, after: Any) -> bool:
    """Schema objects and lists of objects are blocks, as the Avi provider declares them;
    an unknown or oddly shaped value falls back to the attribute form."""
    if attr is None or attr.fields is None:
        return False
    for value in (before, after):
        if value is None:
            continue
        if isinstance(value, dict):
            continue
        if isinstance(value, list) and all(isinstance(e, dict) for e in value):
            continue
        return False
    return True


def _align(before: Sequence[Any], after: Sequence[Any], attr: AttributeSchema | None,
           ) -> list[tuple[Any, Any]]:
    """Pair list elements: as the diff does for keyed lists (``pair_keyed``; removed ones
    last), else by position."""
    if attr is not None and attr.keyed_by \
            and all(isinstance(e, dict) for e in (*before, *after)):
        partners = pair_keyed(attr, after, before)
        pairs = [(ABSENT if j is None else before[j], a)
                 for a, j in zip(after, partners, strict=True)]
        matched = set(partners)
        return pairs + [(b, ABSENT) for j, b in enumerate(before) if j not in matched]
    n = max(len(before), len(after))
    return [(before[i] if i < len(before) else ABSENT, after[i] if i < len(after) else ABSENT)
            for i in range(n)]
