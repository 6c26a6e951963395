"""Secret digests and read marks in a state file: they travel in the instance's ``private`` blob.

Terraform's v4 instances carry ``private``: provider-private bytes, base64 in the JSON, never
shown by ``terraform state show``. albform keeps the ``SecretDigest`` of every sensitive value
it sent there, as ``{"albform_secret_digests": [[<path>, <digest>], ...]}`` (paths as lists of
names and list indexes), so the value's place in ``attributes`` stays empty and is listed in
``sensitive_attributes`` like any withheld secret; and the provider's read mark of the
attributes (``ResourceState.mark``) as ``{"albform_read_mark": "<mark>"}``. Other keys of a
JSON ``private`` (a provider that wrote the state before) are kept; a non-JSON ``private`` is
kept as is and then holds no digests (the secret is then not compared, ``engine.secrets``
rule) and no mark (the object is then read in full).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Mapping
from typing import Any

from albform.engine.secrets import SecretDigest
from albform.engine.values import PLAIN_TYPES

PRIVATE_KEY = "albform_secret_digests"
MARK_KEY = "albform_read_mark"
Path = tuple[str | int, ...]


def split_digests(attributes: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[tuple[Path,
                                                                                     str]]]:
    """``attributes`` without its digests (a copy only if there are any), and the digests."""
    found: list[tuple[Path, str]] = []

    # Every instance of every state write is walked: plain scalars (most values) are passed
    # over by their exact type (a ``SecretDigest`` is a ``str`` subclass, so not one of
    # them) before a path is built or an isinstance asked.
    def walk(node: Any, at: Path) -> None:
        if isinstance(node, SecretDigest):
            found.append((at, str(node)))
        elif isinstance(node, Mapping):
            for key, value in node.items():
                if type(value) not in PLAIN_TYPES:
                    walk(value, (*at, key))
        elif isinstance(node, list | tuple):
            for index, value in enumerate(node):
                if type(value) not in PLAIN_TYPES:
                    walk(value, (*at, index))

    walk(attributes, ())
    if not found:
        return attributes, found
    stripped: Any = copy.deepcopy(dict(attributes))
    for path, _ in found:
        parent = stripped
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
    return stripped, found


def encode_private(existing: Any, digests: list[tuple[Path, str]],
                   mark: str | None = None) -> Any:
    """The ``private`` value to write: ``existing`` with ``digests`` and ``mark`` merged in."""
    if not digests and mark is None:
        return existing
    doc: dict[str, Any] = {}
    if existing is not None:
        found = _decoded(existing)
        if found is None:
            return existing  # foreign bytes: not ours to rewrite (module docstring)
        doc = found
    if digests:
        doc[PRIVATE_KEY] = [[list(path), digest] for path, digest in digests]
    if mark is not None:
        doc[MARK_KEY] = mark
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode("ascii")


def decode_private(private: Any) -> tuple[list[tuple[Path, SecretDigest]], str | None, Any]:
    """(the digests ``private`` holds, its read mark, what remains of it: ``None`` when
    nothing)."""
    doc = _decoded(private) if private is not None else None
    if doc is None or (PRIVATE_KEY not in doc and MARK_KEY not in doc):
        return [], None, private
    mark = doc.pop(MARK_KEY, None)
    if not isinstance(mark, str):
        mark = None
    digests: list[tuple[Path, SecretDigest]] = []
    entries = doc.pop(PRIVATE_KEY, None)
    for entry in entries if isinstance(entries, list) else []:
        if (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], list)
                and entry[0] and isinstance(entry[1], str)
                and all(isinstance(s, str | int) and not isinstance(s, bool)
                        for s in entry[0])):
            digests.append((tuple(entry[0]), SecretDigest(entry[1])))
    if not doc:
        return digests, mark, None
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return digests, mark, base64.b64encode(text.encode()).decode("ascii")


def place_digests(attributes: dict[str, Any], digests: list[tuple[Path, SecretDigest]],
                  ) -> dict[str, Any]:
    """``attributes`` with each digest at its path; a path whose parent is gone is skipped
    (the secret is then not compared)."""
    for path, digest in digests:
        parent: Any = attributes
        for step in path[:-1]:
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        last = path[-1]
        if isinstance(parent, dict) and isinstance(last, str) and parent.get(last) is None:
            parent[last] = digest
    return attributes


def _decoded(private: Any) -> dict[str, Any] | None:
    if not isinstance(private, str):
        return None
    try:
        doc = json.loads(base64.b64decode(private, validate=True))
    except (binascii.Error, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
