"""Blocks → ``Configuration``: the module decoder.

``ModuleDecoder`` decodes one module (the root or a child call instance) from its parsed
files. Locals, ``count``/``for_each`` expansions and child modules are computed lazily on
first reference (with cycle detection), so declaration order never matters. Each attribute is
evaluated once while *probing*: if it needs resource or data-source attributes, it becomes an
``engine.values.Deferred`` (object and tuple constructors are split so only the leaves that
need resources are deferred); otherwise it is a plain value.

Every user mistake becomes a diagnostic with file:line; decoding continues past errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import MovedBlock, OutputConfig, ResourceConfig
from albform.engine.diagnostics import Diagnostic, Diagnostics, DiagnosticsError, SourceRange
from albform.engine.values import UNKNOWN, Deferred, Resolver
from albform.modules.hcl.direct_refs import Part, direct_deferred, direct_parts
from albform.modules.hcl.expressions import (
    FUNCTIONS,
    Context,
    EvalError,
    Namespace,
    SetValue,
    ast,
    evaluate_value,
)
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.expressions.values import plain, to_number
from albform.modules.hcl.namespaces import (
    Forbidden,
)
from albform.modules.hcl.syntax import Attribute, Block, Body, File

RESOURCE_META = frozenset({"count", "for_each", "depends_on", "lifecycle", "provider",
                           "provisioner", "connection"})
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})

ResourceKey = tuple[str, str, str]  # (mode, type, name)


class Reported(EvalError):
    """An error already added to the diagnostics (e.g. in a local value); callers that meet
    it stop without reporting it again."""


@dataclass
class ModuleResult:
    resources: list[ResourceConfig] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    output_configs: list[OutputConfig] = field(default_factory=list)
    moved: list[MovedBlock] = field(default_factory=list)
    # What the module read besides its .tf files (engine/inputs.py): name -> digest.
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Expansion:
    """The instance keys of a counted/for_each block (``keys is None``: a single instance).
    ``unknown``: count/for_each is not known (``validate`` with unset variables): one
    stand-in instance is checked, reading ``count.index``/``each.*`` as unknown."""

    keys: list[Any] | None
    values: Mapping[Any, Any]
    by_count: bool
    unknown: bool = False


SINGLE = Expansion(None, {}, False)

ModuleLoader = Callable[[str, Path, SourceRange], "tuple[list[File], Path] | None"]
"""Resolves a module ``source`` from a module directory to (files, directory), or reports a
diagnostic itself and returns None."""


@dataclass
class Declarations:
    variables: dict[str, tuple[str, Block]] = field(default_factory=dict)
    locals: dict[str, tuple[str, Attribute]] = field(default_factory=dict)
    resources: dict[ResourceKey, tuple[str, Block]] = field(default_factory=dict)
    outputs: dict[str, tuple[str, Block]] = field(default_factory=dict)
    calls: dict[str, tuple[str, Block]] = field(default_factory=dict)
    providers: list[tuple[str, Block]] = field(default_factory=list)
    terraform: list[tuple[str, Block]] = field(default_factory=list)
    moved: list[tuple[str, Block]] = field(default_factory=list)
    imports: list[tuple[str, Block]] = field(default_factory=list)


def declare(files: list[File], diags: Diagnostics) -> Declarations:
    """Index every top-level block; duplicates and unknown block types are diagnosed."""
    decls = Declarations()
    labels_needed = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1,
                     "provider": 1, "locals": 0, "terraform": 0, "moved": 0, "import": 0}
    for file in files:
        name = file.filename
        for attr in file.body.attributes:
            diags.error("Unsupported argument", f"An argument named {attr.name!r} is not "
                        "expected at the top level of a configuration file.",
                        subject=SourceRange(name, attr.line))
        for block in file.body.blocks:
            where = SourceRange(name, block.line)
            wanted = labels_needed.get(block.type)
            if wanted is None:
                if block.type == "check":
                    diags.warning("Check block ignored", "albform does not evaluate check "
                                  "blocks; their assertions are not run.", subject=where)
                else:
                    diags.error("Unsupported block type", f"Blocks of type {block.type!r} "
                                "are not supported here." + did_you_mean(
                                    block.type, labels_needed), subject=where)
                continue
            if len(block.labels) != wanted:
                diags.error("Missing name for block" if len(block.labels) < wanted else
                            "Extraneous label for block", f"A {block.type!r} block needs "
                            f"exactly {wanted} label(s).", subject=where)
                continue
            _declare_one(decls, name, block, where, diags)
    return decls


def _declare_one(decls: Declarations, filename: str, block: Block, where: SourceRange,
                 diags: Diagnostics) -> None:
    kind = block.type
    if kind in ("resource", "data"):
        key = ("data" if kind == "data" else "managed", block.labels[0], block.labels[1])
        table: dict[Any, tuple[str, Block]] = decls.resources
        label = f"{'data ' if kind == 'data' else ''}{block.labels[0]}.{block.labels[1]}"
        _unique(table, key, (filename, block), label, kind, where, diags)
    elif kind == "variable":
        _unique(decls.variables, block.labels[0], (filename, block), block.labels[0], kind,
                where, diags)
    elif kind == "output":
        _unique(decls.outputs, block.labels[0], (filename, block), block.labels[0], kind,
                where, diags)
    elif kind == "module":
        _unique(decls.calls, block.labels[0], (filename, block), block.labels[0], kind,
                where, diags)
    elif kind == "locals":
        for attr in block.body.attributes:
            if attr.name in decls.locals:
                first = decls.locals[attr.name]
                diags.error("Duplicate local value definition", f"A local value named "
                            f"{attr.name!r} was already defined at {first[0]}:"
                            f"{first[1].line}.", subject=SourceRange(filename, attr.line))
            else:
                decls.locals[attr.name] = (filename, attr)
        for inner in block.body.blocks:
            diags.error("Unsupported block type", "locals blocks contain only attributes.",
                        subject=SourceRange(filename, inner.line))
    elif kind == "provider":
        decls.providers.append((filename, block))
    elif kind == "terraform":
        decls.terraform.append((filename, block))
    elif kind == "moved":
        decls.moved.append((filename, block))
    elif kind == "import":
        decls.imports.append((filename, block))


def _unique(table: dict[Any, tuple[str, Block]], key: Any, entry: tuple[str, Block],
            label: str, kind: str, where: SourceRange, diags: Diagnostics) -> None:
    if key in table:
        first_file, first = table[key]
        diags.error(f"Duplicate {kind} configuration", f"A {kind} {label!r} was already "
                    f"declared at {first_file}:{first.line}. Names must be unique within a "
                    "module.", subject=where)
        return
    table[key] = entry


def make_deferred(expr: ast.Node, ctx: Context, refs: set[ResourceAddress], filename: str,
                  text: str) -> Deferred:
    return Deferred(frozenset(refs), deferred_evaluation(expr, ctx, filename), text)


def deferred_evaluation(expr: ast.Node, ctx: Context, filename: str,
                        ) -> Callable[[Resolver], Any]:
    """The evaluator's evaluation of ``expr`` at plan time: errors become diagnostics at
    ``filename``."""
    def run(resolve: Resolver) -> Any:
        try:
            return plain(evaluate_value(expr, ctx.resolving(resolve)))
        except EvalError as err:
            raise DiagnosticsError([Diagnostic.error(
                err.summary, err.detail,
                subject=SourceRange(filename, err.line or expr.line))]) from None
    return run


def evaluate_attribute(expr: ast.Node, ctx: Context, filename: str, text: str = "") -> Any:
    """A plain value, or a ``Deferred`` (split at object/tuple constructors) when the
    expression needs resource attributes."""
    if isinstance(expr, ast.Literal) and not isinstance(expr.value, float):
        return expr.value  # most arguments: nothing to evaluate, check or defer
    parts = direct_parts(expr, ctx)
    if parts is not None:  # no probe needed (direct_refs, rule 1)
        return _direct(expr, parts, ctx, filename, text)
    if type(expr) is ast.TupleCons:
        items = _direct_items(expr, ctx)
        if items is not None:
            # What the probe of the whole tuple would lead to, without it (see below).
            return [item.value if parts is None  # type: ignore[attr-defined]
                    else _direct(item, parts, ctx, filename, "")
                    for item, parts in zip(expr.items, items, strict=True)]
    refs: set[ResourceAddress] = set()
    value = evaluate_value(expr, ctx.probing(refs))
    if not refs:
        return plain(value)
    if isinstance(expr, ast.ObjectCons) and all(
            isinstance(k, ast.Literal) and isinstance(k.value, str) for k, _ in expr.items):
        return {str(k.value): evaluate_attribute(v, ctx, filename)  # type: ignore[attr-defined]
                for k, v in expr.items}
    if isinstance(expr, ast.TupleCons):
        return [evaluate_attribute(item, ctx, filename) for item in expr.items]
    return make_deferred(expr, ctx, refs, filename, text or "(expression)")


def _direct(expr: ast.Node, parts: list[Part], ctx: Context, filename: str, text: str,
            ) -> Deferred:
    return direct_deferred(parts, type(expr) is not ast.Template,
                           deferred_evaluation(expr, ctx, filename), text or "(expression)",
                           expr=expr, filename=filename)


def _direct_items(expr: ast.TupleCons, ctx: Context) -> list[list[Part] | None] | None:
    """When every item is a literal other than a float (None in the answer) or a direct
    reference (its parts), and one is a reference: the probe of the tuple would find
    references, so the tuple is split, item by item, as evaluate_attribute takes each —
    literals as they are, references without probing. Else None."""
    found: list[list[Part] | None] = []
    for item in expr.items:
        if type(item) is ast.Literal and not isinstance(item.value, float):
            found.append(None)
            continue
        parts = direct_parts(item, ctx)
        if parts is None:
            return None
        found.append(parts)
    return found if any(p is not None for p in found) else None


def evaluate_static(expr: ast.Node, ctx: Context, what: str) -> Any:
    """A value that must be known now (count, for_each, provider, backend...)."""
    refs: set[ResourceAddress] = set()
    value = evaluate_value(expr, ctx.probing(refs))
    if refs:
        raise EvalError(f"Invalid {what} argument", f"The {what} value depends on resource "
                        f"or data source attributes ({', '.join(sorted(map(str, refs)))}) "
                        "that are known only after apply; it must be known when the "
                        "configuration is read.", expr.line)
    return value


def expansion(body: Body, ctx: Context, what: str) -> Expansion:
    """Evaluate ``count`` / ``for_each`` of a resource or module block."""
    count_attr, each_attr = body.attribute("count"), body.attribute("for_each")
    if count_attr and each_attr:
        raise EvalError("Invalid combination of \"count\" and \"for_each\"", f"The {what} "
                        "uses both count and for_each; only one may be set.", count_attr.line)
    if count_attr:
        value = evaluate_static(count_attr.expr, ctx, "count")
        if value is UNKNOWN:
            return Expansion([0], {}, True, unknown=True)
        if value is None:
            raise EvalError("Invalid count argument", "The given count argument value is "
                            "null. An integer is required.", count_attr.line)
        number = to_number(value, "count")
        if not isinstance(number, int) or number < 0:
            raise EvalError("Invalid count argument", "The count argument must be a whole "
                            "number, zero or more.", count_attr.line)
        return Expansion(list(range(number)), {}, True)
    if each_attr:
        refs: set[ResourceAddress] = set()
        value = evaluate_value(each_attr.expr, ctx.probing(refs))
        if refs:
            # Like Terraform: the keys must be known now, the values may come from resources
            # (each.value is then deferred, per key).
            value = evaluate_attribute(each_attr.expr, ctx, "")
            if not isinstance(value, dict) or any(isinstance(k, Deferred) for k in value):
                raise EvalError("Invalid for_each argument", "The for_each keys depend on "
                                f"resource or data source attributes "
                                f"({', '.join(sorted(map(str, refs)))}) that are known only "
                                "after apply. Use a map whose keys are known now; its values "
                                "may refer to resources.", each_attr.line)
            known_keys = sorted(value)
            return Expansion(known_keys, {k: value[k] for k in known_keys}, False)
        if value is UNKNOWN:
            return Expansion(["each.key"], {"each.key": UNKNOWN}, False, unknown=True)
        if isinstance(value, SetValue):
            keys: list[Any] = []
            for item in value:
                if not isinstance(item, str):
                    raise EvalError("Invalid for_each argument", "A for_each set must hold "
                                    "only strings (use toset() on a list of strings).",
                                    each_attr.line)
                keys.append(item)
            return Expansion(keys, {k: k for k in keys}, False)
        if isinstance(value, dict):
            keys = sorted(value)
            return Expansion(keys, {k: value[k] for k in keys}, False)
        kind = "null" if value is None else "tuple" if isinstance(value, list) else \
            type(value).__name__
        raise EvalError("Invalid for_each argument", "The given \"for_each\" argument value "
                        "is unsuitable: the \"for_each\" argument must be a map, or set of "
                        f"strings, and you have provided a value of type {kind}.",
                        each_attr.line)
    return SINGLE


def instance_context(ctx: Context, exp: Expansion, key: Any) -> Context:
    if exp.keys is None:
        return ctx
    if exp.by_count:
        return ctx.with_roots(count={"index": UNKNOWN if exp.unknown else key})
    return ctx.with_roots(each=EachObject(UNKNOWN if exp.unknown else key, exp.values[key]))


class EachObject(Namespace):
    """``each`` of one for_each instance; ``each.value`` may hold deferred parts."""

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def attr(self, name: str, line: int, ctx: Context) -> Any:
        if name == "key":
            return self.key
        if name == "value":
            return ctx.realize(self.value)
        raise EvalError("Invalid \"each\" attribute", f"each has only key and value, not "
                        f"{name!r}.", line)


def base_roots(path_module: str, root_dir: Path, workspace: str = "default",
               ) -> dict[str, Any]:
    return {
        "path": {"module": path_module, "root": ".", "cwd": str(root_dir)},
        "terraform": {"workspace": workspace},
        "count": Forbidden("Reference to \"count\" in non-counted context", "The \"count\" "
                           "object can only be used in blocks that set the count argument."),
        "each": Forbidden("Reference to \"each\" in context without for_each", "The "
                          "\"each\" object can only be used in blocks that set for_each."),
        "self": Forbidden("Invalid \"self\" reference", "\"self\" is only available in "
                          "provisioner and connection blocks, which albform does not run."),
    }


def new_context(roots: dict[str, Any], base_dir: Path, reads: list[Path] | None = None,
                ) -> Context:
    """``reads`` collects the files that file(), templatefile()... read."""
    return Context(roots, FUNCTIONS, base_dir, reads=reads)

