"""The root names an expression in a module can use, as lazy ``Namespace`` objects.

Each looks values up through a ``ModuleScope`` (implemented by ``decode.ModuleDecoder``):
``var.X``, ``local.X``, ``data.TYPE.NAME``, ``module.NAME``, ``TYPE.NAME``. Unknown names get
Terraform's summaries plus a "Did you mean ...?" suggestion.
"""

from __future__ import annotations

from typing import Any, Protocol

from albform.engine.addrs import ResourceAddress
from albform.engine.values import UNKNOWN
from albform.modules.hcl.expressions import (
    Context,
    EvalError,
    LazyCollection,
    Namespace,
    Realizable,
)
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.expressions.values import to_number, to_string


class ModuleScope(Protocol):
    def variable(self, name: str, line: int, ctx: Context) -> Any: ...
    def local(self, name: str, line: int, ctx: Context) -> Any: ...
    def resource(self, mode: str, type_name: str, name: str, line: int, ctx: Context,
                 ) -> Any: ...
    def module_call(self, name: str, line: int, ctx: Context) -> Any: ...
    def has_resource_type(self, mode: str, type_name: str) -> bool: ...
    def instance_address(self, mode: str, type_name: str, name: str,
                         ) -> ResourceAddress | None: ...


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
        # Names known to be single instances: that never changes once known (declarations
        # are fixed, expansions worked out once), so the scope is asked once per name.
        self._single: dict[str, ResourceAddress] = {}

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        return self.scope.resource(self.mode, self.type_name, name, line, ctx)

    def instance_address(self, name: str) -> ResourceAddress | None:
        """The address of ``TYPE.name`` when it is declared with a single instance already
        known to be single (``direct_refs`` rule 1); else None."""
        found = self._single.get(name)
        if found is None:
            found = self.scope.instance_address(self.mode, self.type_name, name)
            if found is not None:
                self._single[name] = found
        return found


class DataNamespace(Namespace):
    def __init__(self, scope: ModuleScope) -> None:
        self.scope = scope

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        return TypeNamespace(self.scope, "data", name)


class ModuleObject(Namespace, Realizable):
    """``module.NAME`` (one instance): each output is realised only when referenced, so a
    reference depends only on what that output needs."""

    def __init__(self, call: str, outputs: dict[str, Any]) -> None:
        self.call = call
        self.outputs = outputs

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        if name not in self.outputs:
            raise EvalError("Unsupported attribute", f"module.{self.call} has no output named "
                            f"{name!r}." + did_you_mean(name, self.outputs), line)
        return ctx.realize(self.outputs[name])

    def whole(self, ctx: Context) -> Any:
        return ctx.realize(dict(self.outputs))


class ModuleCollection(LazyCollection):
    """``module.NAME`` with count/for_each."""

    def __init__(self, call: str, by_count: bool, instances: dict[Any, ModuleObject]) -> None:
        self.call = call
        self.by_count = by_count
        self.objects = instances

    def instance(self, key: Any, line: int, ctx: Context) -> Any:
        if key is UNKNOWN:
            return UNKNOWN
        lookup = to_number(key, "index") if self.by_count else to_string(key, "key")
        if lookup not in self.objects:
            raise EvalError("Invalid index", f"module.{self.call} has no instance "
                            f"{key!r}.", line)
        return self.objects[lookup]

    def instances(self, ctx: Context) -> list[Any]:
        return list(self.objects.values()) if self.by_count else [self.whole(ctx)]

    def whole(self, ctx: Context) -> Any:
        if self.by_count:
            return [obj.whole(ctx) for obj in self.objects.values()]
        return {str(k): obj.whole(ctx) for k, obj in self.objects.items()}


class Forbidden(Namespace):
    """A root name that exists but is not usable here (``count`` outside a counted block)."""

    def __init__(self, summary: str, detail: str) -> None:
        self.summary = summary
        self.detail = detail

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        raise EvalError(self.summary, self.detail, line)
