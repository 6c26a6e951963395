"""What a configuration was built from: one digest per input a front end read.

Every front end fills ``Configuration.inputs`` — the HCL reader with each ``.tf``/``.tf.json``
file and ``-var-file`` it read, the cluster reader (``modules/k8s``) with each manifest, AKO
settings and facts file, and a digest of what it derived from a live cluster or controller.
A saved plan keeps them; ``apply PLANFILE`` loads the configuration again and refuses when
``changed_inputs`` finds any difference, before anything is sent (applying a plan to a
configuration it was not made from fails half-way with "Inconsistent final plan").

Names are what a user recognises (an absolute path, or ``live cluster (context prod)``);
digests are SHA-256 hex, so nothing read (a secret in a manifest) is kept in the plan.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Inputs = Mapping[str, str]
MISSING = "missing"


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes; ``MISSING`` when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return MISSING


def file_digests(paths: Iterable[Path]) -> dict[str, str]:
    """``{absolute path: digest}`` for each file."""
    return {str(Path(p).resolve()): file_digest(Path(p)) for p in paths}


def value_digest(value: Any) -> str:
    """SHA-256 of a JSON-able value (dataclasses, sets and tuples included), key order and
    set order not counting."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot digest a {type(value).__name__}")


def changed_inputs(saved: Inputs, now: Inputs) -> list[str]:
    """The inputs that differ: changed, no longer read, or read only now (sorted names)."""
    return sorted(name for name in saved.keys() | now.keys()
                  if saved.get(name) != now.get(name))
