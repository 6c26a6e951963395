"""``ModuleDecoder``: one module instance (the root module or one instance of a ``module``
call) decoded into resources and output values.

Locals, ``count``/``for_each`` expansions and child modules are memoised and computed on first
use; a value that is needed while it is being computed is a cycle and is reported as one.
Input variables are decoded and validated by ``module_variables``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.config import AVI_PROVIDER, OutputConfig, ResourceConfig
from albform.engine.config_blocks import ModuleBlocks
from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.engine.values import collect_references
from albform.modules.hcl.blocks import NO_LIFECYCLE, BodyDecoder, Fields
from albform.modules.hcl.decode import (
    MODULE_META,
    RESOURCE_META,
    SINGLE,
    Declarations,
    Expansion,
    ModuleLoader,
    ModuleResult,
    Reported,
    base_roots,
    evaluate_attribute,
    evaluate_static,
    expansion,
    instance_context,
    new_context,
)
from albform.modules.hcl.expressions import Context, EvalError, ResourceCollection, ast
from albform.modules.hcl.expressions.context import ATTRIBUTE_NAMES, MISSING_ROOT
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.expressions.values import to_bool
from albform.modules.hcl.module_variables import decode_variables, validate_variables
from albform.modules.hcl.namespaces import (
    DataNamespace,
    LocalNamespace,
    ModuleCollection,
    ModuleNamespace,
    ModuleObject,
    TypeNamespace,
    VarNamespace,
)
from albform.modules.hcl.schemas import (
    EXTRAS_HINT,
    ApiOnlyType,
    UnknownType,
    fields_for,
    known_types,
)
from albform.modules.hcl.syntax import Block
from albform.modules.hcl.traversal import ignore_changes_paths
from albform.modules.hcl.variables import GivenValue
from albform.modules.hcl.written import describe_module

SchemaLookup = Callable[[str, str], "Fields | None"]
"""(mode, type) → the attribute schema of that resource type, or None when unknown."""

_OUTPUT_ARGS = {"value", "description", "sensitive", "depends_on", "ephemeral"}


class ModuleDecoder:
    def __init__(self, decls: Declarations, *, root_dir: Path, module_dir: Path,
                 module_path: tuple[ModuleStep, ...], diags: Diagnostics,
                 loader: ModuleLoader, schema: SchemaLookup,
                 given: Mapping[str, GivenValue] | None = None,
                 inputs: Mapping[str, tuple[Any, SourceRange]] | None = None,
                 extra_depends_on: tuple[ResourceAddress, ...] = (),
                 call_site: SourceRange | None = None,
                 unset_unknown: bool = False, workspace: str = "default",
                 reads: list[Path] | None = None) -> None:
        self.decls = decls
        self.root_dir = root_dir
        self.module_dir = module_dir
        self.module_path = module_path
        self.diags = diags
        self.loader = loader
        self.schema = schema
        self.extra_depends_on = extra_depends_on
        self.workspace = workspace  # terraform.workspace, the same in every module
        self._locals: dict[str, Any] = {}
        self._expansions: dict[Any, Expansion] = {}
        self._addresses: dict[tuple[str, str, str], ResourceAddress] = {}
        self._children: dict[str, tuple[Expansion, dict[Any, ModuleResult]]] = {}
        # Module call name -> (literal source, the called module's declarations and one
        # instance's decoder when written in source): what describe() shows.
        self.called: dict[str, tuple[str | None, Declarations | None,
                                     ModuleDecoder | None]] = {}
        self._active: set[Any] = set()
        relative = module_dir.resolve().relative_to(root_dir.resolve()) \
            if module_dir.resolve().is_relative_to(root_dir.resolve()) else module_dir
        roots = base_roots(str(relative) if str(relative) != "." else ".", root_dir,
                           workspace)
        roots.update(var=VarNamespace(self), local=LocalNamespace(self),
                     data=DataNamespace(self), module=ModuleNamespace(self))
        for mode, type_name, _ in decls.resources:
            if mode == "managed":
                roots[type_name] = TypeNamespace(self, "managed", type_name)
        roots[MISSING_ROOT] = self._missing_root
        roots[ATTRIBUTE_NAMES] = attribute_names
        self.reads = reads  # files read by functions, in every module (engine/inputs.py)
        self.ctx: Context = new_context(roots, root_dir, reads)
        decoded = decode_variables(decls, root_dir, diags, given, inputs, call_site,
                                   unset_unknown)
        self._vars = decoded.values
        self._missing = decoded.missing
        self._sensitive_vars = decoded.sensitive
        validate_variables(decls, self.ctx, diags)

    def variable_values(self) -> list[tuple[str, Any, bool]]:
        """(name, value, sensitive) of every variable this module declares."""
        return [(name, self._vars.get(name), name in self._sensitive_vars)
                for name in self.decls.variables]

    @property
    def where_name(self) -> str:
        return "the root module" if not self.module_path else \
            ".".join(str(s) for s in self.module_path)

    # -- root names ------------------------------------------------------------------------------
    def _missing_root(self, name: str, line: int) -> Any:
        types = {t for m, t, _ in self.decls.resources if m == "managed"}
        roots = ["var", "local", "data", "module", "path", "count", "each", *types]
        if "_" in name and not name.startswith(("var", "local")):
            raise EvalError("Reference to undeclared resource", f"A managed resource of type "
                            f"{name!r} has not been declared in {self.where_name}."
                            + did_you_mean(name, roots), line)
        raise EvalError("Unknown variable", f"There is no variable named {name!r}."
                        + did_you_mean(name, roots), line)

    def variable(self, name: str, line: int, ctx: Context) -> Any:
        if name not in self._vars:
            raise EvalError("Reference to undeclared input variable", f"An input variable "
                            f"with the name {name!r} has not been declared. Declare it with a "
                            f"variable \"{name}\" {{}} block." + did_you_mean(name, self._vars),
                            line)
        if name in self._missing:
            raise Reported("No value for required variable", name, line)
        return ctx.realize(self._vars[name])

    def local(self, name: str, line: int, ctx: Context) -> Any:
        if name not in self._locals:
            if name not in self.decls.locals:
                raise EvalError("Reference to undeclared local value", f"A local value with "
                                f"the name {name!r} has not been declared."
                                + did_you_mean(name, self.decls.locals), line)
            key = ("local", name)
            if key in self._active:
                raise EvalError("Cycle in local values", f"local.{name} refers to itself, "
                                "directly or through other values.", line)
            filename, attr = self.decls.locals[name]
            self._active.add(key)
            try:
                self._locals[name] = evaluate_attribute(attr.expr, self.ctx, filename, attr.text)
            except EvalError as err:
                if not isinstance(err, Reported):
                    self.diags.error(err.summary, err.detail,
                                     subject=SourceRange(filename, err.line or attr.line))
                raise Reported(err.summary, err.detail, line) from None
            finally:
                self._active.discard(key)
        return ctx.realize(self._locals[name])

    def has_resource_type(self, mode: str, type_name: str) -> bool:
        return any(m == mode and t == type_name for m, t, _ in self.decls.resources)

    def resource(self, mode: str, type_name: str, name: str, line: int, ctx: Context) -> Any:
        key = (mode, type_name, name)
        if key not in self.decls.resources:
            names = [n for m, t, n in self.decls.resources if m == mode and t == type_name]
            raise EvalError("Reference to undeclared resource", f"A "
                            f"{'data' if mode == 'data' else 'managed'} resource "
                            f"\"{type_name}\" \"{name}\" has not been declared in "
                            f"{self.where_name}."
                            + did_you_mean(name, names), line)
        address = self._address(key)
        exp = self.expansion_of(key, line)
        if exp.keys is None:
            return ctx.resource(address)
        return ResourceCollection(address, exp.keys, exp.by_count)

    def _address(self, key: tuple[str, str, str]) -> ResourceAddress:
        """One address object per resource: every reference to it and its configuration
        share it, so the planner's maps find it by identity (no field comparison)."""
        address = self._addresses.get(key)
        if address is None:
            mode, type_name, name = key
            address = self._addresses[key] = ResourceAddress(
                type_name, name, None, self.module_path, "data" if mode == "data" else "managed")
        return address

    def instance_address(self, mode: str, type_name: str, name: str,
                         ) -> ResourceAddress | None:
        """The address of a declared resource whose expansion is known to be a single
        instance; None otherwise (``direct_refs`` rule 1)."""
        key = (mode, type_name, name)
        exp = self._expansions.get(key)
        if exp is None or exp.keys is not None or key not in self.decls.resources:
            return None
        return self._address(key)

    def expansion_of(self, key: Any, line: int) -> Expansion:
        if key not in self._expansions:
            if key in self._active:
                raise EvalError("Cycle in count/for_each", "The count or for_each of this "
                                "block refers to itself.", line)
            filename, block = self.decls.resources[key] if key in self.decls.resources \
                else self.decls.calls[key[2]]
            self._active.add(key)
            try:
                self._expansions[key] = expansion(block.body, self.ctx, "block")
            except EvalError as err:
                if not isinstance(err, Reported):
                    self.diags.error(err.summary, err.detail,
                                     subject=SourceRange(filename, err.line or block.line))
                self._expansions[key] = Expansion([], {}, True)
            finally:
                self._active.discard(key)
        return self._expansions[key]

    def module_call(self, name: str, line: int, ctx: Context) -> Any:
        if name not in self.decls.calls:
            raise EvalError("Reference to undeclared module", f"No module call named {name!r} "
                            f"is declared in {self.where_name}."
                            + did_you_mean(name, self.decls.calls), line)
        exp, results = self.child(name, line)
        if not results and exp.keys != []:
            # The call itself failed (reported there): stay quiet about its outputs.
            raise Reported("Module not loaded", name, line)
        if exp.keys is None:
            return ModuleObject(name, results[None].outputs)
        return ModuleCollection(name, exp.by_count, {
            k: ModuleObject(name, results[k].outputs) for k in exp.keys if k in results})

    # -- resources -------------------------------------------------------------------------------
    def decode(self) -> ModuleResult:
        from albform.modules.hcl.rootblocks import moved_blocks
        result = ModuleResult()
        for key, (filename, block) in self.decls.resources.items():
            result.resources.extend(self._resource(key, filename, block))
        result.moved.extend(moved_blocks(self.decls, self.diags, self.module_path))
        for name in self.decls.calls:
            _, children = self.child(name, self.decls.calls[name][1].line)
            for child in children.values():
                result.resources.extend(child.resources)
                result.moved.extend(child.moved)
                result.inputs.update(child.inputs)
        if self.module_path:
            self._child_only_checks()
        for name, (filename, block) in self.decls.outputs.items():
            output = self._output(name, filename, block)
            if output is not None:
                result.outputs[name] = output.value
                result.output_configs.append(output)
        return result

    def _resource(self, key: tuple[str, str, str], filename: str, block: Block,
                  ) -> list[ResourceConfig]:
        mode, type_name, _ = key
        address = self._address(key)
        decoder = BodyDecoder(self.diags, filename, address)
        where = SourceRange(filename, block.line)
        if not type_name.startswith("avi_"):
            self.diags.error("Unsupported resource type", f"albform manages only NSX-ALB "
                             f"resources of the vmware/avi provider (avi_*); "
                             f"{type_name!r} belongs to another provider.", subject=where,
                             address=address)
            return []
        try:
            fields = self.schema(mode, type_name)
        except UnknownType as exc:
            what = "data source" if mode == "data" else "resource type"
            hint = EXTRAS_HINT.format(what="object type") if isinstance(exc, ApiOnlyType) \
                else did_you_mean(type_name, known_types())
            self.diags.error("Invalid data source" if mode == "data" else
                             "Invalid resource type", f"The avi provider does not support "
                             f"{what} {type_name!r}." + hint, subject=where, address=address)
            return []
        exp = self.expansion_of(key, block.line)
        # Most blocks set only arguments: no lifecycle, provisioner or connection block, no
        # depends_on or provider, so each of the steps below would find nothing.
        plain = not block.body.blocks and all(
            a.name not in RESOURCE_META for a in block.body.attributes)
        if plain:
            lifecycle, depends_on, provider = NO_LIFECYCLE, self.extra_depends_on, AVI_PROVIDER
        else:
            lifecycle = decoder.lifecycle(block.body, self.ctx)
            depends_on = self._depends_on(block, decoder) + self.extra_depends_on
            provider = self._provider_of(block, decoder)
        for unsupported in ("provisioner", "connection"):
            for inner in block.body.blocks_of(unsupported):
                self.diags.error("Unsupported block type", f"{unsupported} blocks are not "
                                 "supported by albform.", subject=SourceRange(filename,
                                                                               inner.line),
                                 address=address)
        out: list[ResourceConfig] = []
        for instance_key in (exp.keys if exp.keys is not None else [None]):
            ctx = instance_context(self.ctx, exp, instance_key)
            instance = address.instance(instance_key)
            decoder.address = instance
            attributes = decoder.body(block.body, ctx, skip=RESOURCE_META, fields=fields,
                                      kind=f"{'data ' if mode == 'data' else ''}{type_name}",
                                      line=block.line)
            if any(ref.resource() == address for ref in collect_references(attributes)):
                self.diags.error("Self-referential block", f"Configuration for {address} may "
                                 "not refer to itself.", subject=where, address=instance)
                continue
            out.append(ResourceConfig(instance, attributes, depends_on, lifecycle, where,
                                      provider))
        if fields is not None and not plain:
            self._check_ignore_changes(block, fields, filename, address)
        return out

    def _check_ignore_changes(self, block: Block, fields: Fields, filename: str,
                              address: ResourceAddress) -> None:
        for lifecycle in block.body.blocks_of("lifecycle"):
            attr = lifecycle.body.attribute("ignore_changes")
            if attr is None:
                continue
            try:
                _, paths = ignore_changes_paths(attr.expr)
            except EvalError:
                continue  # reported while decoding the lifecycle block
            for path in paths:
                if path and isinstance(path[0], str) and path[0] not in fields:
                    self.diags.error("Unsupported attribute", f"ignore_changes names "
                                     f"{path[0]!r}, which {address.type} does not have."
                                     + did_you_mean(path[0], fields),
                                     subject=SourceRange(filename, attr.line), address=address)

    def _depends_on(self, block: Block, decoder: BodyDecoder) -> tuple[ResourceAddress, ...]:
        from albform.modules.hcl.dependencies import depends_on_addresses
        return depends_on_addresses(self, block, decoder)

    def _provider_of(self, block: Block, decoder: BodyDecoder) -> str:
        attr = block.body.attribute("provider")
        if attr is None:
            return AVI_PROVIDER
        from albform.modules.hcl.traversal import traversal_steps
        try:
            steps = traversal_steps(attr.expr)
        except EvalError as err:
            decoder.report(err, attr.line)
            return AVI_PROVIDER
        if steps[0] != "avi" or len(steps) > 2:
            decoder.diags.error("Invalid provider reference", "Resources can use only the avi "
                                "provider (provider = avi or avi.ALIAS).",
                                subject=decoder.where(attr.line), address=decoder.address)
            return AVI_PROVIDER
        return AVI_PROVIDER if len(steps) == 1 else f"{AVI_PROVIDER}.{steps[1]}"

    def _output(self, name: str, filename: str, block: Block) -> OutputConfig | None:
        where = SourceRange(filename, block.line)
        for attr in block.body.attributes:
            if attr.name not in _OUTPUT_ARGS:
                self.diags.error("Unsupported argument", f"An argument named {attr.name!r} is "
                                 "not expected in an output block."
                                 + did_you_mean(attr.name, _OUTPUT_ARGS),
                                 subject=SourceRange(filename, attr.line))
        value_attr = block.body.attribute("value")
        if value_attr is None:
            self.diags.error("Missing required argument", f"Output {name!r} needs a value "
                             "argument.", subject=where)
            return None
        try:
            value = evaluate_attribute(value_attr.expr, self.ctx, filename, value_attr.text)
            sensitive_attr = block.body.attribute("sensitive")
            sensitive = bool(to_bool(evaluate_static(sensitive_attr.expr, self.ctx,
                                                     "sensitive"))) if sensitive_attr else False
            source = self._sensitive_source(value_attr.expr, set())
            if source and not sensitive:
                self.diags.error("Output refers to sensitive values", f"Output {name!r} "
                                 f"uses {source}, which is sensitive. Outputs holding "
                                 "sensitive data must say so: add sensitive = true to the "
                                 "output block.", subject=SourceRange(filename, value_attr.line))
                return None
        except EvalError as err:
            if not isinstance(err, Reported):
                self.diags.error(err.summary, err.detail,
                                 subject=SourceRange(filename, err.line or value_attr.line))
            return None
        return OutputConfig(name, value, sensitive, where)

    def _child_only_checks(self) -> None:
        for filename, block in self.decls.imports:
            self.diags.error("Invalid import block", "import blocks are allowed only in the "
                             "root module.", subject=SourceRange(filename, block.line))
        for filename, block in self.decls.providers:
            self.diags.warning("Provider configuration ignored", "Provider blocks inside a "
                               "module are not used: the root module's avi provider block "
                               "configures the connection.",
                               subject=SourceRange(filename, block.line))

    def _sensitive_source(self, expr: ast.Node, seen: set[str]) -> str | None:
        """The first sensitive thing ``expr`` uses: a sensitive variable, sensitive(), or a
        local value built from one (checked statically, through locals)."""
        for node in ast.walk(expr):
            if isinstance(node, ast.FunctionCall) and node.name == "sensitive":
                return "sensitive()"
            if not (isinstance(node, ast.GetAttr) and isinstance(node.obj, ast.Variable)):
                continue
            root, name = node.obj.name, node.name
            if root == "var" and name in self._sensitive_vars:
                return f"var.{name}"
            if root == "local" and name in self.decls.locals and name not in seen:
                seen.add(name)
                found = self._sensitive_source(self.decls.locals[name][1].expr, seen)
                if found:
                    return f"local.{name} ({found})"
        return None

    def describe(self) -> ModuleBlocks:
        """This module's blocks as written, with its calls' modules (``written``)."""
        calls: dict[str, tuple[str | None, ModuleBlocks | None]] = {}
        for name, (source, decls, child) in self.called.items():
            module = child.describe() if child is not None else \
                describe_module(decls, {}, self._fields_of) if decls is not None else None
            calls[name] = (source, module)
        return describe_module(self.decls, calls, self._fields_of)

    def _fields_of(self, mode: str, type_name: str) -> Fields | None:
        """The type's argument schema; None for a type the provider lacks (reported)."""
        try:
            return self.schema(mode, type_name)
        except UnknownType:
            return None

    # -- child modules -------------------------------------------------------------------------
    def child(self, name: str, line: int) -> tuple[Expansion, dict[Any, ModuleResult]]:
        if name in self._children:
            return self._children[name]
        key = ("module", name)
        if key in self._active:
            raise EvalError("Cycle in module calls", f"module.{name} depends on its own "
                            "outputs.", line)
        self._active.add(key)
        try:
            self._children[name] = self._decode_child(name)
        finally:
            self._active.discard(key)
        return self._children[name]

    def _decode_child(self, name: str) -> tuple[Expansion, dict[Any, ModuleResult]]:
        from albform.modules.hcl.modules import decode_call
        filename, block = self.decls.calls[name]
        try:
            exp = expansion(block.body, self.ctx, "module")
        except EvalError as err:
            if not isinstance(err, Reported):
                self.diags.error(err.summary, err.detail,
                                 subject=SourceRange(filename, err.line or block.line))
            return SINGLE, {}
        return exp, decode_call(self, name, filename, block, exp)


__all__ = ["MODULE_META", "ModuleDecoder", "SchemaLookup"]


def attribute_names(address: ResourceAddress) -> Collection[str] | None:
    """The attributes a reference to ``address`` may read; None when unchecked."""
    try:
        fields = fields_for(address.mode, address.type)
    except UnknownType:
        return None
    return None if fields is None else fields.keys()
