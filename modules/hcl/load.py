"""Entry point: ``load_configuration(path, ...) -> (Configuration, Diagnostics)``.

``path`` is a directory of ``*.tf`` / ``*.tf.json`` files (a module) or one such file.
Variables come from defaults, ``*.tfvars`` files beside the configuration, ``var_files``,
``variables`` (``-var``) and ``TF_VAR_*`` in ``env``. Attribute names are checked against the
provider's schema table. Every mistake is a diagnostic with file:line; the Configuration
holds whatever could be decoded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from albform.engine.collector import collector_paused
from albform.engine.config import Configuration, OutputConfig, VariableConfig
from albform.engine.config_blocks import ModuleBlocks
from albform.engine.diagnostics import Diagnostic, Diagnostics, DiagnosticsError, SourceRange
from albform.engine.inputs import file_digests
from albform.modules.hcl.config_memo import LoadRecord, config_memo
from albform.modules.hcl.decode import declare
from albform.modules.hcl.expressions.context import Reads
from albform.modules.hcl.module_decoder import ModuleDecoder
from albform.modules.hcl.modules import configuration_files, resolve_source
from albform.modules.hcl.rootblocks import (
    backend,
    early_settings,
    import_blocks,
    provider_config,
)
from albform.modules.hcl.schemas import schema_lookup
from albform.modules.hcl.syntax import File
from albform.modules.hcl.variables import collect_values, values_files

if TYPE_CHECKING:
    from albform.modules.hcl.cache import ParseCache

CACHE_DIR = Path(".albform") / "cache"

SettingsKnown = Callable[[dict[str, Any], "tuple[str, dict[str, Any]] | None"], None]
"""Told the root module's provider arguments and backend (``rootblocks.early_settings``)
before its resources are decoded; the Configuration's own are worked out again at the end."""


def _read_module(directory: Path, shown: Path, cache: ParseCache, diags: Diagnostics,
                 ) -> list[File]:
    wanted: list[tuple[Path, str]] = []
    for path in configuration_files(directory):
        if path.name in ("override.tf", "override.tf.json") or path.name.endswith(
                ("_override.tf", "_override.tf.json")):
            diags.error("Unsupported override file", f"{shown / path.name}: override files "
                        "are not supported by albform; merge the settings into the main "
                        "files.", subject=SourceRange(str(shown / path.name), 1))
            continue
        wanted.append((path, str(shown / path.name)))
    files: list[File] = []
    for file, more in cache.load_many(wanted):
        diags.extend(more)
        if file is not None:
            files.append(file)
    return files


def _paused(describe: Callable[[], ModuleBlocks]) -> ModuleBlocks:
    """``describe()`` with the collector paused, as loading is (``engine/collector.py``;
    measured: describing 5,000 resources takes 3-4 s with it running, 0.4-0.8 s without)."""
    with collector_paused():
        return describe()


def load_configuration(path: Path, *, variables: Mapping[str, str] = {},
                       var_files: Sequence[Path] = (),
                       env: Mapping[str, str] = os.environ,
                       cache: ParseCache | None = None,
                       validating: bool = False,
                       workspace: str = "default",
                       settings_known: SettingsKnown | None = None,
                       remember: bool = True,
                       ) -> tuple[Configuration, Diagnostics]:
    """Read the configuration at ``path`` (a module directory or one file); see the module
    docstring. ``cache`` defaults to the on-disk cache under ``<dir>/.albform/cache``.
    ``validating`` (``albform validate``): a root variable without a value or default is not
    an error but reads as unknown, as in ``terraform validate``. ``workspace`` is the value
    of ``terraform.workspace`` (the CLI's selected workspace). ``settings_known`` is called
    (at most once, on this thread) when the provider and backend settings are known early
    (``SettingsKnown``). ``remember``: a module folder loaded with the default cache goes
    through the configuration memo (``config_memo.py``); False reads it in full."""
    # Loading builds hundreds of thousands of small acyclic objects (syntax trees, values):
    # measured, the collector's rescans cost 3-4x the whole load on 5,000 resources.
    with collector_paused():
        return _load(Path(path), variables, var_files, env, cache, validating, workspace,
                     settings_known, remember)


def _load(path: Path, variables: Mapping[str, str], var_files: Sequence[Path],
          env: Mapping[str, str], cache: ParseCache | None, validating: bool,
          workspace: str = "default", settings_known: SettingsKnown | None = None,
          remember: bool = True) -> tuple[Configuration, Diagnostics]:
    path = Path(path)
    # The memo stands in for the parse and the decode when every input is unchanged
    # (config_memo.py); a caller with its own parse cache (tests, benchmarks) reads as asked.
    memo = config_memo(path, variables=variables, var_files=var_files, env=env,
                       validating=validating, workspace=workspace) \
        if remember and cache is None and path.is_dir() else None
    entry = memo.load() if memo is not None else None
    if entry is not None:
        if settings_known is not None and entry.early is not None:
            # Told before the rebuild: the refresh's reads start while it runs.
            settings_known(*entry.early)
            settings_known = None  # at most once, even if the entry does not rebuild
        found = entry.configuration()
        if found is not None:
            return replace(found, describe_written=lambda: _described_again(
                path, variables, var_files, env, validating, workspace, found.inputs),
            ), Diagnostics()
    # Imported here: python-hcl2 is a fifth of a second to import, which a memo hit saves.
    from albform.modules.hcl.cache import ParseCache

    diags = Diagnostics()
    if path.is_file():
        root_dir, shown = path.parent, path.parent
        if cache is None:
            cache = ParseCache(root_dir / CACHE_DIR)
        file, more = cache.load(path, str(path))
        diags.extend(more)
        files = [file] if file is not None else []
    elif path.is_dir():
        root_dir, shown = path, path
        if cache is None:
            cache = ParseCache(root_dir / CACHE_DIR)
        files = _read_module(root_dir, shown, cache, diags)
        if not files and not diags:
            diags.error("No configuration files", f"{path} contains no .tf or .tf.json files.")
    else:
        diags.error("No configuration files", f"{path} does not exist.")
        return Configuration(), diags
    if diags.has_errors():
        # As Terraform: files that do not parse make every later message a guess.
        return Configuration(), diags

    # Every file read, for the configuration's input digests (engine/inputs.py): the
    # configuration and variable files, local modules' files, and (through the contexts) files
    # that file(), templatefile()... read.
    read = Reads([*(root_dir / Path(f.filename).name for f in files),
                  *values_files(root_dir, [Path(p) for p in var_files])])

    # For the memo: the module folders listed (resolved), the configuration files among the
    # files read (not the variable files: they may come from anywhere and hold secrets), and
    # each folder as written, whose symbolic links the memo checks again.
    folders, config_files = [root_dir], {Path(p).resolve() for p in read[:len(files)]}
    folders_written = [root_dir]
    loaded = list(files)

    def loader(source: str, module_dir: Path, where: SourceRange,
               ) -> tuple[list[File], Path] | None:
        directory, reason = resolve_source(source, module_dir)
        if directory is None:
            diags.error("Unsupported module source", reason, subject=where)
            return None
        if not directory.is_dir():
            diags.error("Module not found", f"The module directory {directory} does not "
                        "exist.", subject=where)
            return None
        try:
            shown_dir = Path(os.path.relpath(directory, Path.cwd()))
        except ValueError:
            shown_dir = directory
        if len(str(shown_dir)) > len(str(directory)):
            shown_dir = directory
        assert cache is not None
        before = len(diags.errors())
        module_files = _read_module(directory, shown_dir, cache, diags)
        if len(diags.errors()) > before:
            return None  # syntax errors in the module: its calls are not decoded
        read.extend(directory / Path(f.filename).name for f in module_files)
        folders.append(directory)
        folders_written.append(module_dir / source)
        config_files.update((directory / Path(f.filename).name).resolve()
                            for f in module_files)
        loaded.extend(module_files)
        return module_files, directory

    given, more = collect_values(root_dir, variables, var_files, env, reads=read)
    diags.extend(more)
    decls = declare(files, diags)
    root = ModuleDecoder(decls, root_dir=root_dir, module_dir=root_dir, module_path=(),
                         diags=diags, loader=loader, schema=schema_lookup(env),
                         given=given, unset_unknown=validating, workspace=workspace,
                         reads=read)
    early = None
    if (settings_known is not None or memo is not None) and not diags.has_errors():
        early = early_settings(decls, root.ctx)
        if early is not None and settings_known is not None:
            settings_known(*early)
    result = root.decode()
    config = Configuration(
        resources=tuple(result.resources),
        outputs=tuple(OutputConfig(o.name, o.value, o.sensitive, o.source)
                      for o in result.output_configs),
        moved=tuple(result.moved),
        imports=tuple(import_blocks(decls, root.ctx, diags)),
        provider_config=provider_config(decls, root.ctx, diags),
        backend=backend(decls, diags),
        inputs={**file_digests(read), **result.inputs},
        variables=tuple(VariableConfig(name, value, sensitive)
                        for name, value, sensitive in root.variable_values()),
        describe_written=lambda: _paused(root.describe),
    )
    if memo is not None and not diags and not result.inputs:
        memo.save(config, early, LoadRecord(
            tuple(folders), frozenset(config_files), tuple(loaded),
            paths=(*folders_written, *read), looked_at_host=frozenset(read.host)))
    return config, diags


def _described_again(path: Path, variables: Mapping[str, str], var_files: Sequence[Path],
                     env: Mapping[str, str], validating: bool, workspace: str,
                     inputs: Mapping[str, str]) -> ModuleBlocks:
    """The root module's blocks as written, for a configuration the memo gave (it keeps no
    syntax): the files are read again, and must be the ones the memo stood for."""
    config, diags = load_configuration(path, variables=variables, var_files=var_files,
                                       env=env, validating=validating, workspace=workspace,
                                       remember=False)
    if diags.has_errors() or config.inputs != inputs or config.describe_written is None:
        raise DiagnosticsError([Diagnostic.error(
            "Configuration changed during the run", f"The files of {path} changed while "
            "albform was working on them; run the command again.")])
    return config.describe_written()

