"""Root-module-only blocks: ``provider "avi"``, ``terraform { backend ... }``, ``moved`` and
``import``. Provider and backend arguments must be known when the configuration is read;
backend arguments may not use variables (as in Terraform)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.config import ImportBlock, MovedBlock
from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.hcl.decode import Declarations, Reported, evaluate_static, new_context
from albform.modules.hcl.expressions import Context, EvalError, ast
from albform.modules.hcl.expressions.suggest import did_you_mean
from albform.modules.hcl.syntax import Block
from albform.modules.hcl.traversal import traversal_address
from albform.provider.schema.official_view import EXTENSION_ENV_VARS, provider_arguments

PROVIDER_ARGS = (*provider_arguments(), "alias")
"""Exactly the official provider's arguments (its Go schema, ``official_view``) and the
``alias`` meta-argument. albform's TLS and timeout settings are environment variables
(``EXTENSION_ENV_VARS``): the official provider would reject them as arguments."""


def _report(diags: Diagnostics, err: EvalError, filename: str, line: int) -> None:
    if not isinstance(err, Reported):
        diags.error(err.summary, err.detail, subject=SourceRange(filename, err.line or line))


def provider_config(decls: Declarations, ctx: Context, diags: Diagnostics) -> dict[str, Any]:
    config: dict[str, Any] = {}
    seen_default = False
    for filename, block in decls.providers:
        where = SourceRange(filename, block.line)
        if block.labels[0] != "avi":
            diags.warning("Provider configuration ignored", f"albform manages only the avi "
                          f"provider; the {block.labels[0]!r} provider block is ignored.",
                          subject=where)
            continue
        if block.body.attribute("alias") is not None:
            diags.warning("Provider alias ignored", "albform uses one controller connection: "
                          "aliased avi provider configurations are not used; resources "
                          "referring to them keep the alias in their provider address.",
                          subject=where)
            continue
        if seen_default:
            diags.error("Duplicate provider configuration", "There is already a default avi "
                        "provider block.", subject=where)
            continue
        seen_default = True
        for attr in block.body.attributes:
            if attr.name not in PROVIDER_ARGS:
                hint = (f" albform reads this setting from the environment: set "
                        f"{EXTENSION_ENV_VARS[attr.name]} (the official vmware/avi provider "
                        "has no such argument)." if attr.name in EXTENSION_ENV_VARS
                        else did_you_mean(attr.name, PROVIDER_ARGS))
                diags.error("Unsupported argument", f'An argument named "{attr.name}" is not '
                            "expected here." + hint, subject=SourceRange(filename, attr.line))
                continue
            try:
                config[attr.name] = evaluate_static(attr.expr, ctx, "provider")
            except EvalError as err:
                _report(diags, err, filename, attr.line)
        for inner in block.body.blocks:
            diags.error("Unsupported block type", f"The avi provider block takes no "
                        f"{inner.type!r} block.", subject=SourceRange(filename, inner.line))
    return config


def early_settings(decls: Declarations, ctx: Context,
                   ) -> tuple[dict[str, Any], tuple[str, dict[str, Any]] | None] | None:
    """``provider_config`` and ``backend`` worked out before the resources are decoded, so
    that the caller can connect and read the state meanwhile; None (wait for the whole
    configuration) unless both come out without error and every provider argument is built
    from literals and input variables alone: those evaluate now as they will later, with no
    side effect (no function reads a file, no local value reports its errors early). The
    configuration's own values are still worked out, and reported, where they always were."""
    for _, block in decls.providers:
        for attr in block.body.attributes:
            for node in ast.walk(attr.expr):
                if isinstance(node, ast.FunctionCall | ast.ForExpr) or (
                        isinstance(node, ast.Variable) and node.name != "var"):
                    return None
    scratch = Diagnostics()
    settings = provider_config(decls, ctx, scratch), backend(decls, scratch)
    return None if scratch.has_errors() else settings


def backend(decls: Declarations, diags: Diagnostics) -> tuple[str, dict[str, Any]] | None:
    chosen: tuple[str, dict[str, Any]] | None = None
    for filename, block in decls.terraform:
        for inner in block.body.blocks:
            where = SourceRange(filename, inner.line)
            if inner.type == "cloud":
                diags.error("Unsupported block type", "HCP Terraform (cloud block) is not "
                            "supported; use a backend block (local, http or pg).",
                            subject=where)
            elif inner.type == "backend":
                if len(inner.labels) != 1:
                    diags.error("Missing name for block", "backend blocks take one label, the "
                                "backend type.", subject=where)
                    continue
                if chosen is not None:
                    diags.error("Duplicate backend configuration", "A module may have only "
                                "one backend.", subject=where)
                    continue
                settings: dict[str, Any] = {}
                static = new_context({}, Path("."))
                for attr in inner.body.attributes:
                    try:
                        settings[attr.name] = evaluate_static(attr.expr, static, "backend")
                    except EvalError as err:
                        diags.error("Variables not allowed" if err.summary in (
                            "Unknown variable", "Reference to undeclared resource")
                            else err.summary, err.detail + " Backend settings must be "
                            "literal values.", subject=SourceRange(filename,
                                                                  err.line or attr.line))
                chosen = (inner.labels[0], settings)
            elif inner.type not in ("required_providers", "provider_meta"):
                diags.warning("Block ignored", f"terraform.{inner.type} is not used by "
                              "albform.", subject=where)
    return chosen


def _address(block: Block, name: str, filename: str, diags: Diagnostics,
             module: tuple[ModuleStep, ...] = ()) -> ResourceAddress | None:
    attr = block.body.attribute(name)
    if attr is None:
        diags.error("Missing required argument", f"A {block.type} block needs a {name!r} "
                    "argument.", subject=SourceRange(filename, block.line))
        return None
    try:
        return traversal_address(attr.expr, module)
    except EvalError as err:
        _report(diags, err, filename, attr.line)
        return None


def moved_blocks(decls: Declarations, diags: Diagnostics,
                 module: tuple[ModuleStep, ...] = ()) -> list[MovedBlock]:
    """``moved`` blocks of one module; addresses are relative to that module."""
    out: list[MovedBlock] = []
    for filename, block in decls.moved:
        source, target = (_address(block, "from", filename, diags, module),
                          _address(block, "to", filename, diags, module))
        if source is not None and target is not None:
            out.append(MovedBlock(source, target, SourceRange(filename, block.line)))
    return out


def import_blocks(decls: Declarations, ctx: Context, diags: Diagnostics) -> list[ImportBlock]:
    out: list[ImportBlock] = []
    for filename, block in decls.imports:
        where = SourceRange(filename, block.line)
        if block.body.attribute("for_each") is not None:
            diags.error("Unsupported argument", "import blocks with for_each are not "
                        "supported; write one import block per resource instance.",
                        subject=where)
            continue
        target = _address(block, "to", filename, diags)
        id_attr = block.body.attribute("id")
        if id_attr is None:
            diags.error("Missing required argument", "An import block needs an id argument.",
                        subject=where)
            continue
        try:
            value = evaluate_static(id_attr.expr, ctx, "import id")
        except EvalError as err:
            _report(diags, err, filename, id_attr.line)
            continue
        if not isinstance(value, str) or not value:
            diags.error("Invalid import id", "The import id must be a non-empty string.",
                        subject=SourceRange(filename, id_attr.line))
            continue
        if target is not None:
            if not target.module and \
                    (target.mode, target.type, target.name) not in decls.resources:
                diags.error("Import to undeclared resource", f"The import target {target} "
                            "has no resource block in the configuration.", subject=where)
                continue
            out.append(ImportBlock(target, value, where))
    return out
