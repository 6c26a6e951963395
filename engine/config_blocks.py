"""The configuration as written: each module's blocks and how their arguments were written,
for the plan JSON's ``configuration`` section (``terraform show -json PLANFILE``).

A front end that reads source (the HCL reader) describes every block once, not per instance:
an argument is an ``Expression`` holding the reference strings Terraform lists for it —
already in Terraform's order and forms, repeats kept — and its value when it is a constant
(no variable, no function). The engine only renders these; it never parses references.
Front ends without source (the Kubernetes translator) leave
``Configuration.describe_written`` unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias


@dataclass(frozen=True, slots=True)
class Expression:
    """One argument as written. ``references``: what Terraform lists for the expression
    (``["avi_pool.p.uuid", "avi_pool.p", "var.name"]``); ``constant``: its value, meaningful
    only when ``is_constant`` (an expression that needs nothing to be evaluated)."""

    references: tuple[str, ...] = ()
    constant: Any = None
    is_constant: bool = False


Expressions: TypeAlias = Mapping[str, "Expression | tuple[Expressions, ...]"]
"""Argument name → its ``Expression``; a nested block type → one mapping per block."""


@dataclass(frozen=True, slots=True)
class ResourceBlock:
    """A ``resource`` or ``data`` block of one module (its address is module-relative)."""

    mode: str  # "managed" or "data"
    type: str
    name: str
    provider: str
    expressions: Expressions
    count: Expression | None = None
    for_each: Expression | None = None
    depends_on: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return f"{'data.' if self.mode == 'data' else ''}{self.type}.{self.name}"


@dataclass(frozen=True, slots=True)
class OutputBlock:
    name: str
    expression: Expression
    sensitive: bool = False
    description: str | None = None
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VariableBlock:
    """An input variable's declaration; ``default`` counts only when ``has_default``."""

    name: str
    default: Any = None
    has_default: bool = False
    description: str | None = None
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class ModuleCallBlock:
    """A ``module`` block; ``module`` is the called module's blocks, or None when the
    module is not written in source (albform's built-in front-end modules)."""

    name: str
    source: str | None
    expressions: Expressions
    module: ModuleBlocks | None
    count: Expression | None = None
    for_each: Expression | None = None
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModuleBlocks:
    resources: tuple[ResourceBlock, ...] = ()
    outputs: tuple[OutputBlock, ...] = ()
    variables: tuple[VariableBlock, ...] = ()
    calls: tuple[ModuleCallBlock, ...] = ()
