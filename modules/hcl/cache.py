"""The parse cache: parsed ``File`` trees keyed by a hash of the file's bytes.

python-hcl2 needs seconds for a large configuration, so each file's tree is stored on disk
(``<config dir>/.albform/cache/<sha256>.json``) and in memory. The name covers albform's
version, the parser's version and code, the file name as shown in diagnostics and the exact
bytes, so a changed file (or an upgrade) is simply a miss. Each file is read once per load.

The working tree is not trusted: whoever can write ``.albform/`` must not change what gets
planned, nor run code. So an entry is data only (``tree_codec``: JSON, no pickle), sealed
(``engine/sealed_file.py``) for what it was made from (format, versions, the source's sha256
and name) with HMAC-SHA256 under a key that lives outside the working tree, in the user's
cache directory (``$XDG_CACHE_HOME/albform/parse-cache.key``, mode 0600, made on first use).
An entry failing any check is ignored and re-parsed. Where no key can be kept (no writable
home) the disk cache is off and loading stays cold. Files that failed to parse are not cached.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from albform import __version__
from albform.engine.diagnostics import Diagnostics, SourceRange
from albform.engine.sealed_file import read_sealed, write_sealed
from albform.engine.user_key import default_key_path, read_or_create_key
from albform.modules.hcl import parse, syntax, tfjson, tree_codec
from albform.modules.hcl.expressions import ast
from albform.modules.hcl.parse import PARSER_VERSION, parse_hcl
from albform.modules.hcl.syntax import File
from albform.modules.hcl.tfjson import parse_json
from albform.modules.hcl.tree_codec import TreeFormatError, decode_file, encode_file

FORMAT = "albform-parse-cache/2"


def _code_fingerprint() -> str:
    """A hash of the code that shapes a tree: editing the parser invalidates old entries even
    when no version number moved (editable installs, development)."""
    digest = hashlib.sha256()
    for module in (parse, tfjson, syntax, ast, tree_codec):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


BINDING = f"{FORMAT}|albform-{__version__}|{PARSER_VERSION}|{_code_fingerprint()}"


PARALLEL_THRESHOLD = 512 * 1024
"""Characters of uncached native-syntax text above which parsing uses worker processes
(python-hcl2 needs ~6 s per MB; a worker starts in well under a second)."""
MAX_WORKERS = 8


def parse_text(text: str, filename: str) -> tuple[File | None, Diagnostics]:
    if filename.endswith(".json"):
        return parse_json(text, filename)
    return parse_hcl(text, filename)


def _parse_in_worker(job: tuple[str, str]) -> tuple[File | None, list[Any]]:
    gc.disable()  # a worker's parse trees are large and acyclic (engine/collector.py)
    file, diags = parse_text(*job)
    return file, list(diags)


class ParseCache:
    """Parses files through the cache; ``reads`` and ``parses`` count work for benchmarks."""

    def __init__(self, directory: Path | None, key_path: Path | None = None) -> None:
        """``directory`` None: memory only. ``key_path``: the MAC key (module docstring);
        by default in the user's cache directory."""
        self._key = None if directory is None else read_or_create_key(
            key_path if key_path is not None else default_key_path())
        self.directory = directory if self._key is not None else None
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
        source = hashlib.sha256(data).hexdigest()
        digest = hashlib.sha256(b"\0".join(
            [BINDING.encode(), filename.encode(), source.encode()])).hexdigest()
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
        return None if self.directory is None else self.directory / f"{digest}.json"

    def _binding(self, digest: str) -> str:
        return f"{BINDING}|{digest}"

    def _read_disk(self, digest: str) -> tuple[File, Diagnostics] | None:
        entry = self._entry(digest)
        if entry is None or self._key is None:
            return None
        # Not sealed by this user's albform for these bytes and this parser: ignored, re-parsed.
        payload = read_sealed(entry, self._key, self._binding(digest).encode())
        if payload is None:
            return None
        try:
            return decode_file(json.loads(payload))
        except (ValueError, TreeFormatError):
            return None

    def _write_disk(self, digest: str, value: tuple[File, Diagnostics]) -> None:
        entry = self._entry(digest)
        if entry is None or self._key is None:
            return
        try:
            tree = encode_file(*value)
        except TreeFormatError:
            return  # not representable (a diagnostic naming an address): not cached
        payload = json.dumps(tree, separators=(",", ":"), ensure_ascii=False).encode()
        write_sealed(entry, self._key, self._binding(digest).encode(), payload)
