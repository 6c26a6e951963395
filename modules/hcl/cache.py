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

import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from albform.engine.diagnostics import Diagnostics
from albform.modules.hcl.parse import PARSER_VERSION, parse_hcl
from albform.modules.hcl.syntax import File
from albform.modules.hcl.tfjson import parse_json

_ALLOWED_MODULES = {
    "albform.modules.hcl.syntax",
    "albform.modules.hcl.expressions.ast",
    "albform.engine.diagnostics",
}
_BUILTINS = {"tuple", "list", "dict", "frozenset", "set", "int", "float", "str", "bool"}


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

    def parse_text(self, text: str, filename: str) -> tuple[File | None, Diagnostics]:
        if filename.endswith(".json"):
            return parse_json(text, filename)
        return parse_hcl(text, filename)

    def load(self, path: Path, filename: str) -> tuple[File | None, Diagnostics]:
        try:
            data = path.read_bytes()
        except OSError as err:
            diags = Diagnostics()
            diags.error("Failed to read file", f"Cannot read {filename}: "
                        f"{err.strerror or err}.")
            return None, diags
        self.reads += 1
        digest = hashlib.sha256(b"\0".join(
            [PARSER_VERSION.encode(), filename.encode(), data])).hexdigest()
        if digest in self._memory:
            file, diags = self._memory[digest]
            return file, Diagnostics(diags)
        cached = self._read_disk(digest)
        if cached is not None:
            self._memory[digest] = cached
            return cached[0], Diagnostics(cached[1])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            diags = Diagnostics()
            diags.error("Invalid file encoding", f"{filename} is not UTF-8 text (byte "
                        f"{err.start}).")
            return None, diags
        self.parses += 1
        parsed, diags = self.parse_text(text, filename)
        if parsed is not None and not diags.has_errors():
            self._memory[digest] = (parsed, diags)
            self._write_disk(digest, (parsed, diags))
        return parsed, diags

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
