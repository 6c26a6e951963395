"""The root names an expression in a module can use, as lazy ``Namespace`` objects.

Each looks values up through a ``ModuleScope`` (implemented by ``decode.ModuleDecoder``):
``var.X``, ``local.X``, ``data.TYPE.NAME``, ``module.NAME``, ``TYPE.NAME``. Unknown names get
Terraform's summaries plus a "Did you mean ...?" suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Protocol

from albform.modules.hcl.expressions import Context, EvalError, Namespace


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return f" Did you mean {match[0]!r}?" if match else ""


class ModuleScope(Protocol):
    def variable(self, name: str, line: int, ctx: Context) -> Any: ...
    def local(self, name: str, line: int, ctx: Context) -> Any: ...
    def resource(self, mode: str, type_name: str, name: str, line: int, ctx: Context,
                 ) -> Any: ...
    def module_call(self, name: str, line: int, ctx: Context) -> Any: ...
    def has_resource_type(self, mode: str, type_name: str) -> bool: ...


class VarNamespace(Namespace):
    def __init__(self, scope: ModuleScope) -> None:
        self.scope = scope

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        return self.scope.variable(name, line, ctx)


class LocalNamespace(Namespace):
    def __init__(self, scope: ModuleScope) -> None:
        self.scope = scope

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        return self.scope.local(name, line, ctx)


class ModuleNamespace(Namespace):
    def __init__(self, scope: ModuleScope) -> None:
        self.scope = scope

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        return self.scope.module_call(name, line, ctx)


class TypeNamespace(Namespace):
    def __init__(self, scope: ModuleScope, mode: str, type_name: str) -> None:
        self.scope = scope
        self.mode = mode
        self.type_name = type_name

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        return self.scope.resource(self.mode, self.type_name, name, line, ctx)


class DataNamespace(Namespace):
    def __init__(self, scope: ModuleScope) -> None:
        self.scope = scope

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        return TypeNamespace(self.scope, "data", name)


class Forbidden(Namespace):
    """A root name that exists but is not usable here (``count`` outside a counted block)."""

    def __init__(self, summary: str, detail: str) -> None:
        self.summary = summary
        self.detail = detail

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        raise EvalError(self.summary, self.detail, line)
