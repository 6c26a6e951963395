"""The parse cache: parsed ``File`` trees keyed by a hash of the file's bytes.

python-hcl2 needs seconds for a large configuration, so each file's tree is stored on disk
(``<config dir>/.albform/cache/<sha256>.pickle``) and in memory. The key covers the parser
version, the file name as shown in diagnostics and the exact bytes, so a changed file (or
albform/python-hcl2 upgrade) is simply a miss. Each file is read exactly once per load.

Cached trees are loaded with an unpickler that accepts only albform's syntax-tree classes, so
a planted cache file cannot run code. Files that failed to parse are not cached. A cache
directory that cannot be written is not an error: loading just stays cold.
"""

from __future__ import annotations

import gc
import hashlib
import io
import multiprocessing
import os
import pickle
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.modules.hcl.parse import PARSER_VERSION, parse_hcl
from albform.modules.hcl.syntax import File
from albform.modules.hcl.tfjson import parse_json

_ALLOWED_MODULES = {
    "albform.modules.hcl.syntax",
    "albform.modules.hcl.expressions.ast",
    "albform.engine.diagnostics",
}
_BUILTINS = {"tuple", "list", "dict", "frozenset", "set", "int", "float", "str", "bool"}


PARALLEL_THRESHOLD = 512 * 1024
"""Characters of uncached native-syntax text above which parsing uses worker processes
(python-hcl2 needs ~6 s per MB; a worker starts in well under a second)."""
MAX_WORKERS = 8


def parse_text(text: str, filename: str) -> tuple[File | None, Diagnostics]:
    if filename.endswith(".json"):
        return parse_json(text, filename)
    return parse_hcl(text, filename)


def _parse_in_worker(job: tuple[str, str]) -> tuple[File | None, list[Any]]:
    gc.disable()  # see load._collector_paused: parse trees are large and acyclic
    file, diags = parse_text(*job)
    return file, list(diags)


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module in _ALLOWED_MODULES or (module == "builtins" and name in _BUILTINS):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"cache entry refers to {module}.{name}")


class ParseCache:
    """Parses files through the cache; ``reads`` and ``parses`` count work for benchmarks."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._memory: dict[str, tuple[File, Diagnostics]] = {}
        self.reads = 0
        self.parses = 0

    def load(self, path: Path, filename: str) -> tuple[File | None, Diagnostics]:
        return self.load_many([(path, filename)])[0]

    def load_many(self, items: Sequence[tuple[Path, str]],
                  ) -> list[tuple[File | None, Diagnostics]]:
        """Each (path, shown name) through the cache; the files that must be parsed are
        parsed in worker processes when there is enough text to repay their start-up."""
        results: list[tuple[File | None, Diagnostics] | None] = []
        misses: list[tuple[int, str, str, str]] = []  # (position, digest, text, filename)
        for path, filename in items:
            found, miss = self._lookup(path, filename)
            if miss is not None:
                misses.append((len(results), *miss))
            results.append(found)
        self.parses += len(misses)
        for (position, digest, _, _), (parsed, diags) in zip(
                misses, self._parse_all([(text, name) for _, _, text, name in misses]),
                strict=True):
            if parsed is not None and not diags.has_errors():
                self._memory[digest] = (parsed, diags)
                self._write_disk(digest, (parsed, diags))
            results[position] = (parsed, diags)
        return [r if r is not None else (None, Diagnostics()) for r in results]

    def _lookup(self, path: Path, filename: str,
                ) -> tuple[tuple[File | None, Diagnostics] | None, tuple[str, str, str] | None]:
        """(result, None) when known or unreadable, else (None, (digest, text, filename))."""
        try:
            data = path.read_bytes()
        except OSError as err:
            diags = Diagnostics()
            diags.error("Failed to read file", f"Cannot read {filename}: "
                        f"{err.strerror or err}.", subject=SourceRange(filename, 1))
            return (None, diags), None
        self.reads += 1
        digest = hashlib.sha256(b"\0".join(
            [PARSER_VERSION.encode(), filename.encode(), data])).hexdigest()
        if digest in self._memory:
            file, diags = self._memory[digest]
            return (file, Diagnostics(diags)), None
        cached = self._read_disk(digest)
        if cached is not None:
            self._memory[digest] = cached
            return (cached[0], Diagnostics(cached[1])), None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            diags = Diagnostics()
            diags.error("Invalid file encoding", f"{filename} is not UTF-8 text (byte "
                        f"{err.start}).", subject=SourceRange(filename, 1 + data.count(
                            b"\n", 0, err.start)))
            return (None, diags), None
        return None, (digest, text, filename)

    def _parse_all(self, jobs: list[tuple[str, str]],
                   ) -> list[tuple[File | None, Diagnostics]]:
        native = sum(len(text) for text, name in jobs if not name.endswith(".json"))
        workers = min(len(jobs), os.cpu_count() or 1, MAX_WORKERS)
        # Workers are forked (they start at once, with python-hcl2 already loaded), which is
        # safe only while this process runs no other thread (e.g. an embedded controller).
        if workers < 2 or native < PARALLEL_THRESHOLD or threading.active_count() > 1 \
                or "fork" not in multiprocessing.get_all_start_methods():
            return [parse_text(text, name) for text, name in jobs]
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                done = list(pool.map(_parse_in_worker, jobs))
        except (OSError, BrokenProcessPool):  # no processes here: parse in this one
            return [parse_text(text, name) for text, name in jobs]
        return [(file, Diagnostics(diags)) for file, diags in done]

    def _entry(self, digest: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{digest}.pickle"

    def _read_disk(self, digest: str) -> tuple[File, Diagnostics] | None:
        entry = self._entry(digest)
        if entry is None:
            return None
        try:
            data = entry.read_bytes()
        except OSError:
            return None
        try:
            value = _SafeUnpickler(io.BytesIO(data)).load()
        except Exception:  # a corrupt or foreign entry is a miss, never a failure
            return None
        if (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], File)
                and isinstance(value[1], list)):
            return value[0], Diagnostics(value[1])
        return None

    def _write_disk(self, digest: str, value: tuple[File, Diagnostics]) -> None:
        entry = self._entry(digest)
        if entry is None:
            return
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                pickle.dump((value[0], list(value[1])), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except OSError:
            return
