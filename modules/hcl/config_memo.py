"""The configuration memo: a root module's decoded ``Configuration``, kept so that loading
unchanged inputs again skips the parse and the decode (``load.load_configuration`` asks it
first). 50,000 resources take ~4 s to read even from the parse cache (trees, then the decode);
their entry, ``.albform/config-memo/<name>.bin``, rebuilds the same Configuration in ~0.6 s.

An entry stands for a load when (``ConfigMemo.load``)

* its binding matches: memo format, Python version (``marshal``), albform's installation
  fingerprint (code and schema table), the installed parser (python-hcl2, Lark), the
  configuration's path (as given and absolute: file
  names are shown as given), the working
  directory (module files are named relative to it), the workspace, ``validating``, the var
  files given and the API-extras switch (``schemas.api_extras_enabled``);
* every folder read still lists the same configuration files, the same variable files are
  found (``variables.values_files``), and every file read — configuration and variable files,
  local modules, what file()/templatefile() read, in the configuration, its templates and
  its variable files — has the digest the entry recorded (these are
  ``Configuration.inputs``, ``engine/inputs.py``), and every folder and file, as the load
  named it, still resolves through the same symbolic links to the same place.

Never kept (``unkept_because``), as the result would then depend on what the binding does not
cover: a load with any diagnostic (warnings too), ``-var`` or ``TF_VAR_`` values, a call of a
function that looks at the host (``expressions.files.READS_HOST``, noted as it is called:
templates and variable files too), a built-in module (AKO/AMKO
read clusters and controllers), a value that is not plain data, or a ``Deferred`` other than a
direct reference: the evaluator's closures are code; a direct reference is data
(``direct_refs``). It is remade by ``direct_refs.direct_deferred`` itself; the evaluator's
fallback of each is remade on first use from its expression, kept in the entry, in a context
that names the instances it refers to (rule 1 held when it was decoded).

Secrets: an entry holds values worked out from files only — ``-var``/``TF_VAR_`` values are
refused, and a load reading a variable file or a file() outside the configuration's folder is
not kept (local modules' .tf files may be outside it: they are configuration, not values)
— so nothing lands in ``.albform/`` that is not already in clear text beside it.
Trust, as ``cache.py`` and ``engine/state/decoded_memo.py``: the working tree is not trusted;
an entry is ``marshal`` data (no code runs) authenticated by HMAC-SHA256 under a key derived
from the user's albform key; an entry failing any check, or not rebuilding, is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.config import (
    Configuration,
    ImportBlock,
    Lifecycle,
    MovedBlock,
    OutputConfig,
    ResourceConfig,
    VariableConfig,
)
from albform.engine.diagnostics import SourceRange
from albform.engine.inputs import file_digest
from albform.engine.sealed_file import read_sealed, write_sealed
from albform.engine.user_key import derived_key
from albform.engine.values import PLAIN_TYPES, UNKNOWN, Resolver
from albform.engine.workdir import (
    PRIVATE_DIR,
    installation_fingerprint,
    package_fingerprint,
)
from albform.modules.hcl.blocks import NO_LIFECYCLE
from albform.modules.hcl.decode import deferred_evaluation
from albform.modules.hcl.direct_refs import (
    DirectDeferred,
    Part,
    direct_deferred,
    expression_lines,
    expression_of,
)
from albform.modules.hcl.expressions import Context, ast
from albform.modules.hcl.expressions.context import ATTRIBUTE_NAMES
from albform.modules.hcl.expressions.functions import FUNCTIONS
from albform.modules.hcl.module_decoder import attribute_names
from albform.modules.hcl.modules import BUILTIN_MODULES, configuration_files
from albform.modules.hcl.namespaces import TypeNamespace
from albform.modules.hcl.schemas import api_extras_enabled
from albform.modules.hcl.syntax import Body, File
from albform.modules.hcl.tree_codec import builder
from albform.modules.hcl.variables import values_files

FORMAT = "albform-config-memo/2"
MEMO_DIR = Path(PRIVATE_DIR) / "config-memo"

Early = tuple[dict[str, Any], "tuple[str, dict[str, Any]] | None"]
"""The root module's provider arguments and backend known before the decode
(``load.SettingsKnown``)."""


@dataclass(frozen=True, slots=True)
class LoadRecord:
    """What a load read besides its result, for the entry: the module folders it listed
    (resolved, the root's first), the configuration files among the files read, the files
    parsed, every path as the load named it (folders as written, files read: their symbolic
    links are checked again) and the functions that looked at the host
    (``expressions.context.Reads.host``)."""

    folders: tuple[Path, ...]
    config_files: frozenset[Path]
    files: tuple[File, ...]
    paths: tuple[Path, ...] = ()
    looked_at_host: frozenset[str] = frozenset()


class ConfigMemo:
    """The memo of one kind of load of ``root_dir`` (its arguments are in the binding), kept
    at ``path``."""

    def __init__(self, path: Path, root_dir: Path, var_files: Sequence[Path], binding: bytes,
                 key: bytes) -> None:
        self.path = path
        self.root_dir = root_dir
        self._var_files = list(var_files)
        self._binding = binding
        self._key = key
        self.hits = 0  # for tests

    def load(self) -> Entry | None:
        """The entry, once it is known to stand for a load now (module docstring); else None.
        The Configuration itself is rebuilt by ``Entry.configuration``."""
        payload = read_sealed(self.path, self._key, self._binding)
        if payload is None:
            return None
        try:
            flat = marshal.loads(payload)
            if not self._current(flat[0], flat[1], flat[2]):
                return None
            early = _Rebuild(self.root_dir).value(*flat[4])
        except (ValueError, TypeError, EOFError, IndexError, KeyError, AttributeError):
            return None
        return Entry(self, flat, early)

    def _current(self, seen: Any, found_values: Any, inputs: Any) -> bool:
        listing, links = seen
        try:
            if [str(p) for p in values_files(self.root_dir, self._var_files)] != found_values:
                return False
            for folder, names in listing:
                if [p.name for p in configuration_files(Path(folder))] != names:
                    return False
            # A symbolic link pointed elsewhere changes what is read without changing the
            # bytes of the file the entry digested.
            if any(os.path.realpath(named) != target for named, target in links):
                return False
        except OSError:
            return False
        return all(file_digest(Path(name)) == digest for name, digest in inputs.items())

    def save(self, config: Configuration, early: Early | None, record: LoadRecord) -> None:
        """Keep ``config`` (loaded as ``record`` tells) unless ``unkept_because`` says why
        not; nothing happens when it cannot be written (a cache)."""
        if unkept_because(config, record, self.root_dir) is not None:
            return
        try:
            flat = _flatten(config, early, record, self.root_dir, self._var_files)
            payload = marshal.dumps(flat)
        except (_NotKept, ValueError):
            return
        write_sealed(self.path, self._key, self._binding, payload)


class Entry:
    """A current entry: the early settings at once (``early``: the caller can start opening
    with them), the Configuration when asked."""

    def __init__(self, memo: ConfigMemo, flat: tuple[Any, ...], early: Early | None) -> None:
        self._memo = memo
        self._flat = flat
        self.early = early

    def configuration(self) -> Configuration | None:
        """The Configuration; None when the entry does not rebuild (then the caller loads)."""
        try:
            config = _Rebuild(self._memo.root_dir).configuration(self._flat)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return None
        self._memo.hits += 1
        return config


def config_memo(root_dir: Path, *, variables: Mapping[str, str], var_files: Sequence[Path],
                env: Mapping[str, str], validating: bool, workspace: str,
                ) -> ConfigMemo | None:
    """The memo of this load of the module folder ``root_dir``; None when it may not be kept
    (``-var`` or ``TF_VAR_`` values: module docstring) or there is no user key."""
    if variables or any(k.startswith("TF_VAR_") and len(k) > 7 for k in env):
        return None
    key = derived_key(env, b"albform configuration memo")
    if key is None:
        return None
    load = "\0".join((str(root_dir), str(root_dir.resolve()), str(Path.cwd()), workspace,
                      str(validating), str(api_extras_enabled(env)),
                      *(str(p.resolve()) for p in var_files)))
    # One entry per kind of load (a workspace's does not push out another's); an upgrade or
    # a new Python writes over the entry it invalidates.
    name = hashlib.sha256(load.encode()).hexdigest()[:32]
    binding = "\0".join((FORMAT, sys.version, installation_fingerprint(), _parsers(),
                         load)).encode()
    return ConfigMemo(root_dir / MEMO_DIR / f"{name}.bin", root_dir, var_files, binding, key)


@functools.cache
def _parsers() -> str:
    """The installed python-hcl2 and Lark: a hit skips parsing, so an entry made by another
    parser must miss (``package_fingerprint``)."""
    return "\0".join((package_fingerprint("hcl2", "python_hcl2-"),
                      package_fingerprint("lark", "lark-")))


# -- what is never kept --------------------------------------------------------------------------

def unkept_because(config: Configuration, record: LoadRecord, root_dir: Path) -> str | None:
    """Why a clean load (no diagnostics) may not be kept, or None (module docstring; the
    values themselves are checked as they are flattened)."""
    if config.recorded_reads:
        return "the configuration recorded live reads"
    if record.looked_at_host:
        return f"{', '.join(sorted(record.looked_at_host))}() looked at the host"
    inside = root_dir.resolve()
    for name in config.inputs:
        path = Path(name)
        if path not in record.config_files and not path.is_relative_to(inside):
            return f"{name} is read from outside the configuration's folder"
    for file in record.files:
        if _calls_builtin_module(file.body):
            return "a built-in module reads clusters"
    return None


def _calls_builtin_module(body: Body) -> bool:
    """Whether a module block calls a built-in module (or one whose source is not a
    literal: the load then fails, and nothing is kept anyway)."""
    for block in body.blocks:
        if block.type == "module":
            source = block.body.attribute("source")
            if source is None or not isinstance(source.expr, ast.Literal) \
                    or source.expr.value in BUILTIN_MODULES:
                return True
    return False


# -- the marshalled form ------------------------------------------------------------------------

class _NotKept(Exception):
    """A value the memo cannot keep (not plain data, or code)."""


def _source(s: SourceRange | None) -> tuple[Any, ...] | None:
    return None if s is None else (s.filename, s.start_line, s.end_line, s.start_column)


_Place = tuple[Any, ...]


class _Flatten:
    """A Configuration as ``marshal`` data; each address is its index in one table."""

    def __init__(self) -> None:
        self.table: dict[ResourceAddress, int] = {}

    def address(self, a: ResourceAddress) -> int:
        found = self.table.get(a)
        if found is None:
            found = self.table[a] = len(self.table)
        return found

    def addresses(self) -> list[tuple[Any, ...]]:
        return [(a.type, a.name, a.key, tuple((s.name, s.key) for s in a.module), a.mode)
                for a in self.table]

    def value(self, value: Any) -> tuple[Any, tuple[tuple[_Place, Any], ...]]:
        """``value`` as plain data, and the places of what is not (``UNKNOWN``, deferred)."""
        places: list[tuple[_Place, Any]] = []
        return self._plain(value, (), places), tuple(places)

    def _plain(self, value: Any, path: _Place, places: list[tuple[_Place, Any]]) -> Any:
        kind = type(value)
        if kind in PLAIN_TYPES:
            return value
        # Scalars, most of every body, are kept without a call or a path.
        if kind is dict:
            return {k: v if type(v) in PLAIN_TYPES else self._plain(v, (*path, k), places)
                    for k, v in value.items()}
        if kind is list:
            return [v if type(v) in PLAIN_TYPES else self._plain(v, (*path, i), places)
                    for i, v in enumerate(value)]
        if kind is tuple:  # (a backend's name and settings): kept only when plain throughout
            inner: list[tuple[_Place, Any]] = []
            kept = tuple(self._plain(v, (), inner) for v in value)
            if inner:
                raise _NotKept("a placeholder in a tuple")
            return kept
        if value is UNKNOWN:
            places.append((path, None))
            return None
        if kind is DirectDeferred and value.expr is not None:
            parts = tuple(p if isinstance(p, str) else (self.address(p[0]), p[1])
                          for p in value.parts)
            lines = expression_lines(value.expr)
            same = lines.count(lines[0]) == len(lines)  # mostly: one line for all
            places.append((path, (parts, value.whole, lines[0] if same else lines,
                                  value.filename, value.text)))
            return None
        raise _NotKept(kind.__name__)

    def configuration(self, config: Configuration, early: Early | None,
                      ) -> tuple[Any, ...]:
        address, value = self.address, self.value
        resources = tuple(
            (address(r.address), *value(dict(r.attributes)),
             tuple(address(d) for d in r.depends_on),
             (r.lifecycle.prevent_destroy, r.lifecycle.create_before_destroy,
              r.lifecycle.ignore_changes, r.lifecycle.ignore_all_changes),
             _source(r.source), r.provider, r.replace_remedy)
            for r in config.resources)
        outputs = tuple((o.name, *value(o.value), o.sensitive, _source(o.source))
                        for o in config.outputs)
        moved = tuple((address(m.from_address), address(m.to_address), _source(m.source))
                      for m in config.moved)
        imports = tuple((address(i.to_address), i.id, _source(i.source))
                        for i in config.imports)
        variables = tuple((v.name, *value(v.value), v.sensitive) for v in config.variables)
        rest = (value(early), resources, outputs, moved, imports,
                value(dict(config.provider_config)), value(config.backend), variables)
        return (self.addresses(), *rest)  # the table once every address is in it


def _flatten(config: Configuration, early: Early | None, record: LoadRecord, root_dir: Path,
             var_files: Sequence[Path]) -> tuple[Any, ...]:
    listing = tuple((str(folder), [p.name for p in configuration_files(folder)])
                    for folder in record.folders)
    links = tuple((str(p), os.path.realpath(p)) for p in dict.fromkeys(record.paths))
    found_values = [str(p) for p in values_files(root_dir, var_files)]
    return ((listing, links), found_values, dict(config.inputs),
            *_Flatten().configuration(config, early))


_config = builder(ResourceConfig)
_source_range = builder(SourceRange)


class _Rebuild:
    """Builds a Configuration from its marshalled form; one address object per address, as
    the decoder shares them (the planner's maps find them by identity)."""

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir
        self._addresses: list[ResourceAddress] = []
        self._lifecycles: dict[tuple[Any, ...], Lifecycle] = {
            (False, False, (), False): NO_LIFECYCLE}

    def source(self, t: tuple[Any, ...] | None) -> SourceRange | None:
        return None if t is None else _source_range(*t)

    def lifecycle(self, t: tuple[Any, ...]) -> Lifecycle:
        found = self._lifecycles.get(t)
        if found is None:
            found = self._lifecycles[t] = Lifecycle(*t)
        return found

    def value(self, plain: Any, places: Iterable[tuple[_Place, Any]]) -> Any:
        """``plain`` with each place's value put back (in place: a fresh unmarshal)."""
        for path, made in places:
            made = UNKNOWN if made is None else self.deferred(*made)
            if not path:
                return made
            node = plain
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = made
        return plain

    def deferred(self, parts: tuple[Any, ...], whole: bool, lines: Any, filename: str,
                 text: str) -> DirectDeferred:
        addresses = self._addresses
        made: tuple[Part, ...] = tuple(
            p if type(p) is str else (addresses[p[0]], p[1]) for p in parts)
        fallback = _Fallback(made, whole, lines, filename, self.root_dir)
        return direct_deferred(made, whole, fallback, text, filename=filename)

    def configuration(self, flat: tuple[Any, ...]) -> Configuration:
        (_, _, inputs, table, _, resources, outputs, moved, imports, provider_config,
         backend, variables) = flat
        addresses = self._addresses
        addresses.extend(ResourceAddress(t[0], t[1], t[2],
                                         tuple(ModuleStep(n, k) for n, k in t[3]), t[4])
                         for t in table)
        source, value = self.source, self.value
        built = [_config(addresses[addr], value(attrs, places),
                         tuple(addresses[d] for d in depends_on), self.lifecycle(lifecycle),
                         source(where), provider, remedy)
                 for (addr, attrs, places, depends_on, lifecycle, where, provider,
                      remedy) in resources]
        config = Configuration(
            resources=tuple(built),
            outputs=tuple(OutputConfig(name, value(v, places), sensitive, source(where))
                          for name, v, places, sensitive, where in outputs),
            moved=tuple(MovedBlock(addresses[a], addresses[b], source(where))
                        for a, b, where in moved),
            imports=tuple(ImportBlock(addresses[a], str(i), source(where))
                          for a, i, where in imports),
            provider_config=value(*provider_config),
            backend=value(*backend),
            inputs=inputs,
            variables=tuple(VariableConfig(name, value(v, places), sensitive)
                            for name, v, places, sensitive in variables),
        )
        return config


# -- the evaluator's fallback of a remade direct reference ----------------------------------

class _Fallback:
    """``deferred_evaluation`` of the reference's expression, made again on first use
    (``direct_refs.expression_of``) in a context with a namespace per type referred to, naming
    exactly the instances the reference found when decoded (``direct_refs`` rule 1: single
    instances, no binding shadowing them)."""

    __slots__ = ("_evaluate", "_filename", "_lines", "_parts", "_root_dir", "_whole")

    def __init__(self, parts: tuple[Part, ...], whole: bool, lines: Any, filename: str,
                 root_dir: Path) -> None:
        self._parts = parts
        self._whole = whole
        self._lines = lines
        self._filename = filename
        self._root_dir = root_dir
        self._evaluate: Any = None

    def __call__(self, resolve: Resolver) -> Any:
        if self._evaluate is None:
            refs = [p for p in self._parts if not isinstance(p, str)]
            lines = self._lines if isinstance(self._lines, tuple) else \
                (self._lines,) * (len(self._parts) - len(refs) + 3 * len(refs)
                                  + (not self._whole))
            scope = _Instances({(a.type, a.name): a for a, _ in refs})
            roots: dict[str, Any] = {t: TypeNamespace(scope, "managed", t)
                                     for t, _ in scope.addresses}
            roots[ATTRIBUTE_NAMES] = attribute_names
            self._evaluate = deferred_evaluation(
                expression_of(self._parts, self._whole, lines),
                Context(roots, FUNCTIONS, self._root_dir), self._filename)
        return self._evaluate(resolve)


class _Instances:
    """The ``ModuleScope`` of a remade direct reference: the resources it names."""

    def __init__(self, addresses: dict[tuple[str, str], ResourceAddress]) -> None:
        self.addresses = addresses

    def resource(self, mode: str, type_name: str, name: str, line: int, ctx: Context,
                 ) -> Any:
        return ctx.resource(self.addresses[(type_name, name)])

    def instance_address(self, mode: str, type_name: str, name: str,
                         ) -> ResourceAddress | None:
        return self.addresses.get((type_name, name))

    def has_resource_type(self, mode: str, type_name: str) -> bool:
        return any(t == type_name for t, _ in self.addresses)

    def variable(self, name: str, line: int, ctx: Context) -> Any:
        raise AssertionError("a direct reference reads no variable")

    def local(self, name: str, line: int, ctx: Context) -> Any:
        raise AssertionError("a direct reference reads no local value")

    def module_call(self, name: str, line: int, ctx: Context) -> Any:
        raise AssertionError("a direct reference reads no module")
