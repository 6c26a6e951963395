"""``module`` blocks: where a module's source is, and decoding each instance of a call.

Supported sources: local paths (``./x``, ``../x``, relative to the calling module), the
modules shipped with albform (``albform/<name>``, from ``albform/modules/hcl_modules``) and
the built-in front-end modules ``albform/ako`` (one cluster, AKO) and ``albform/amko``
(GslbServices across member clusters, AMKO).
Registry, git and URL sources are diagnosed as unsupported: albform runs offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.diagnostics import SourceRange
from albform.modules.hcl import ako_module, amko_module
from albform.modules.hcl.blocks import BodyDecoder
from albform.modules.hcl.decode import (
    MODULE_META,
    Expansion,
    ModuleResult,
    Reported,
    declare,
    evaluate_attribute,
    evaluate_static,
    instance_context,
    new_context,
)
from albform.modules.hcl.dependencies import depends_on_addresses
from albform.modules.hcl.expressions import EvalError
from albform.modules.hcl.expressions.suggest import did_you_mean

if TYPE_CHECKING:
    from albform.modules.hcl.module_decoder import ModuleDecoder

SHIPPED_MODULES = Path(__file__).resolve().parent.parent / "hcl_modules"
# Modules implemented in Python (front ends contributing translated objects), by source.
BUILTIN_MODULES = {ako_module.SOURCE: ako_module.decode_ako_call,
                   amko_module.SOURCE: amko_module.decode_amko_call}


def configuration_files(directory: Path) -> list[Path]:
    """The ``.tf`` and ``.tf.json`` files of a module directory, in name order."""
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and p.name.endswith((".tf", ".tf.json"))
                  and not p.name.startswith("."))


MAX_DEPTH = 16


def shipped_module_names() -> list[str]:
    if not SHIPPED_MODULES.is_dir():
        return ["ako"]
    return sorted(["ako", *(p.name.replace("_", "-") for p in SHIPPED_MODULES.iterdir()
                            if p.is_dir() and any(p.glob("*.tf")))])


def resolve_source(source: str, module_dir: Path) -> tuple[Path | None, str]:
    """(directory, "") for a supported source, else (None, reason)."""
    if source.startswith(("./", "../")) or source in (".", ".."):
        return (module_dir / source).resolve(), ""
    if source.startswith("albform/"):
        name = source.removeprefix("albform/")
        folder = SHIPPED_MODULES / name.replace("-", "_")
        if folder.is_dir():
            return folder, ""
        return None, (f"albform ships no module named {name!r}; shipped modules: "
                      f"{', '.join(shipped_module_names()) or 'none'}."
                      + did_you_mean(name, shipped_module_names()))
    return None, (f"The module source {source!r} is not supported: albform runs offline and "
                  "reads only local modules (\"./path\", \"../path\") and the modules it ships "
                  "(\"albform/<name>\").")


def decode_call(parent: ModuleDecoder, name: str, filename: str, block: Any,
                exp: Expansion) -> dict[Any, ModuleResult]:
    where = SourceRange(filename, block.line)
    diags = parent.diags
    if len(parent.module_path) >= MAX_DEPTH:
        diags.error("Module nesting too deep", f"Module calls are nested more than "
                    f"{MAX_DEPTH} levels deep; a module probably calls itself.", subject=where)
        return {}
    source_attr = block.body.attribute("source")
    if source_attr is None:
        diags.error("Missing required argument", f"module {name!r} needs a source argument.",
                    subject=where)
        return {}
    try:
        source = evaluate_static(source_attr.expr, new_context({}, parent.root_dir), "source")
    except EvalError as err:
        diags.error("Invalid module source", "The module source must be a literal string: "
                    + err.detail, subject=SourceRange(filename, source_attr.line))
        return {}
    if not isinstance(source, str):
        diags.error("Invalid module source", "The module source must be a string.",
                    subject=SourceRange(filename, source_attr.line))
        return {}
    version_attr = block.body.attribute("version")
    if version_attr is not None:
        diags.error("Invalid registry module source", "A version argument is only for "
                    "registry modules, which albform does not support.",
                    subject=SourceRange(filename, version_attr.line))
    builtin = BUILTIN_MODULES.get(source)
    parent.called[name] = (source, None, None)
    if builtin is not None:
        cluster_depends_on = depends_on_addresses(parent, block, BodyDecoder(diags, filename))
        return builtin(parent, name, filename, block, exp,
                       cluster_depends_on + parent.extra_depends_on)
    loaded = parent.loader(source, parent.module_dir, SourceRange(filename, source_attr.line))
    if loaded is None:
        return {}
    files, module_dir = loaded
    decls = declare(files, diags)
    parent.called[name] = (source, decls, None)
    decoder = BodyDecoder(diags, filename)
    for attr in block.body.attributes:
        if attr.name not in MODULE_META and attr.name not in decls.variables:
            diags.error("Unsupported argument", f"An argument named {attr.name!r} is not "
                        f"expected here: module {name!r} declares no such variable."
                        + did_you_mean(attr.name, decls.variables),
                        subject=SourceRange(filename, attr.line))
    for inner in block.body.blocks:
        diags.error("Unsupported block type", f"module blocks take no nested blocks "
                    f"({inner.type!r}).", subject=SourceRange(filename, inner.line))
    extra: tuple[ResourceAddress, ...] = depends_on_addresses(parent, block, decoder) \
        + parent.extra_depends_on
    from albform.modules.hcl.module_decoder import ModuleDecoder
    results: dict[Any, ModuleResult] = {}
    for key in (exp.keys if exp.keys is not None else [None]):
        ctx = instance_context(parent.ctx, exp, key)
        inputs: dict[str, tuple[Any, SourceRange]] = {}
        for attr in block.body.attributes:
            if attr.name in MODULE_META or attr.name not in decls.variables:
                continue
            try:
                inputs[attr.name] = (evaluate_attribute(attr.expr, ctx, filename, attr.text),
                                     SourceRange(filename, attr.line))
            except EvalError as err:
                if not isinstance(err, Reported):
                    diags.error(err.summary, err.detail,
                                subject=SourceRange(filename, err.line or attr.line))
                inputs[attr.name] = (None, SourceRange(filename, attr.line))
        child = ModuleDecoder(decls, root_dir=parent.root_dir, module_dir=module_dir,
                              module_path=(*parent.module_path, ModuleStep(name, key)),
                              diags=diags, loader=parent.loader, schema=parent.schema,
                              inputs=inputs, extra_depends_on=extra, call_site=where,
                              workspace=parent.workspace, reads=parent.reads)
        results[key] = child.decode()
        parent.called[name] = (source, decls, child)
    return results
