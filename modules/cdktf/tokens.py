"""Tokens: references to other elements that are resolved when the stack is synthesized.

A token is a ``str`` (so it fits any string-typed argument and works inside f-strings) whose
text is a placeholder ``${TfToken[TOKEN.<n>]}``. The placeholder names a registered
``Reference`` (element + attribute path); ``resolve`` replaces every placeholder in a JSON
value by the Terraform expression, e.g. ``"pool ${avi_pool.web.name}"``. Resolution happens at
synth time because a logical id may still change (``override_logical_id``) after the
reference was taken. Placeholders of another process or a stale registry are left as text,
which Terraform then reports; they never silently vanish. The registry lives as long as the
process (as CDKTF's token map does): a synth-once app never notices, a long-running process
building many apps keeps their small ``Reference`` records.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{TfToken\[TOKEN\.(\d+)\]\}")
_counter = itertools.count(1)
_registry: dict[int, Reference] = {}


@dataclass(frozen=True, slots=True)
class Reference:
    """``expression()`` gives the Terraform expression without ``${}``."""

    render: Callable[[], str]

    def expression(self) -> str:
        return self.render()


class Token(str):
    """A string placeholder for a ``Reference``; see the module docstring."""

    __slots__ = ()

    def __new__(cls, ref: Reference) -> Token:
        n = next(_counter)
        _registry[n] = ref
        return super().__new__(cls, f"${{TfToken[TOKEN.{n}]}}")


def token(render: Callable[[], str]) -> str:
    """A new token for the expression ``render()`` (evaluated at synth time)."""
    return Token(Reference(render))


def _resolve_text(text: str) -> str:
    if "${TfToken[" not in text:
        return text

    def sub(match: re.Match[str]) -> str:
        ref = _registry.get(int(match.group(1)))
        return match.group(0) if ref is None else "${" + ref.expression() + "}"

    return _PLACEHOLDER.sub(sub, text)


def resolve(value: Any) -> Any:
    """``value`` with every placeholder replaced; containers are copied, never mutated."""
    if isinstance(value, str):
        return _resolve_text(str(value))
    if isinstance(value, dict):
        return {_resolve_text(str(k)): resolve(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v) for v in value]
    return value
