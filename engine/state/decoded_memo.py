"""The decoded-state memo: a state file's decoded ``State``, kept so a re-plan skips decoding.

Decoding a state is the start-up cost of every plan: 50,000 objects are 190 MB of Terraform JSON
and about 3 s of CPU, nearly all of it converting the official provider's state form back to
albform's values (``engine/state/decode.py``). The memo keeps the result in
``.albform/state-memo/<hash of the state's path>.bin`` (never committed: ``engine/workdir.py``)
keyed by the SHA-256 of the state file's bytes; loading it costs a hash of the bytes and an
unmarshal of values already converted (a tenth of the decode). The bytes are read anyway.

The working tree is not trusted (``engine/user_key.py``): an entry is authenticated with
HMAC-SHA256 under a key derived from the user's albform key, and binds the memo format, the
Python version (``marshal``'s format) and a fingerprint of albform's installed files (code and
generated schemas: the decode depends on both), so an upgrade, an edit or another user's entry
is a miss. Any entry that fails a check, or does not rebuild, is a miss: the caller decodes. A
memo that cannot be written is not an error: it is a cache. Secret digests (a ``str``
subclass, which ``marshal`` refuses) are kept as plain strings with their places, and made
digests again on loading (a cluster's TLS keys: without them no cluster state was memoised).

Thread-safety: one memo belongs to one backend, used under its lock.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from albform.engine.addrs import ModuleStep, ResourceAddress
from albform.engine.schema import ResourceSchema
from albform.engine.sealed_file import read_sealed, write_sealed
from albform.engine.secrets import SecretDigest
from albform.engine.state.model import OutputState, ResourceState, State
from albform.engine.user_key import derived_key
from albform.engine.workdir import PRIVATE_DIR, installation_fingerprint

FORMAT = "albform-state-memo/3"  # 3: read marks
MEMO_DIR = Path(PRIVATE_DIR) / "state-memo"


class StateMemo:
    """The memo of one state file (``state_path``) in ``workdir``'s private folder."""

    def __init__(self, workdir: Path, state_path: Path, key: bytes) -> None:
        name = hashlib.sha256(str(Path(state_path).resolve()).encode()).hexdigest()[:32]
        self.path = Path(workdir) / MEMO_DIR / f"{name}.bin"
        self._key = key
        self._last: tuple[bytes, bytes] | None = None
        self.hits = 0  # for tests

    def _binding(self, raw: bytes, sha256: str | None = None) -> bytes:
        if self._last is None or self._last[0] is not raw:  # a miss saves what it loaded
            self._last = (raw, "|".join((FORMAT, sys.version, installation_fingerprint(),
                                         sha256 or hashlib.sha256(raw).hexdigest())).encode())
        return self._last[1]

    def load(self, raw: bytes, sha256: str | None = None) -> State | None:
        """The state ``raw`` decodes to, if the memo holds it; else None. ``sha256``: the
        hex SHA-256 of ``raw`` when the caller has it already (a large state's costs 0.1 s)."""
        payload = read_sealed(self.path, self._key, self._binding(raw, sha256))
        if payload is None:
            return None
        try:
            state = _rebuild(marshal.loads(payload))
        except (ValueError, TypeError, EOFError, IndexError, KeyError):
            return None
        self.hits += 1
        return state

    def save(self, raw: bytes, state: State) -> None:
        """Remember that ``raw`` decodes to ``state`` (nothing when it cannot be kept)."""
        try:
            payload = marshal.dumps(_flatten(state))
        except ValueError:
            return  # a value marshal cannot keep: decode each time
        write_sealed(self.path, self._key, self._binding(raw), payload)


def state_memo(workdir: Path, state_path: Path, env: Mapping[str, str],
               schemas: Mapping[str, ResourceSchema] | None) -> StateMemo | None:
    """The memo of ``state_path`` under the user's albform key, for a backend that decodes
    with the provider's ``schemas`` (the only decode a memo may stand for: without them the
    values stay in the state's form). None without schemas or without a key."""
    if schemas is None:
        return None
    key = derived_key(env, b"albform decoded-state memo")
    return StateMemo(workdir, state_path, key) if key is not None else None


# -- the marshalled form: plain tuples of the model's fields -----------------------------------

def _address(a: ResourceAddress) -> tuple[Any, ...]:
    return (a.type, a.name, a.key, tuple((s.name, s.key) for s in a.module), a.mode)


def _flatten(state: State) -> tuple[Any, ...]:
    outputs = tuple((name, o.value, o.type, o.sensitive) for name, o in state.outputs.items())
    rows = tuple(
        (_address(r.address), *_plain(r.attributes), r.provider,
         tuple(_address(d) for d in r.dependencies), r.sensitive_attributes, r.schema_version,
         r.status, r.create_before_destroy, r.deposed,
         dict(r.adopted_from) if r.adopted_from is not None else None, r.mark, dict(r.extra))
        for r in (*state.resources, *state.deposed))
    return (state.serial, state.lineage, state.terraform_version, state.version,
            dict(state.extra), outputs, rows)


def _rebuild(flat: tuple[Any, ...]) -> State:
    serial, lineage, terraform_version, version, extra, outputs, rows = flat
    addresses: dict[tuple[Any, ...], ResourceAddress] = {}

    def address(t: tuple[Any, ...]) -> ResourceAddress:
        found = addresses.get(t)
        if found is None:
            found = addresses[t] = ResourceAddress(
                t[0], t[1], t[2], tuple(ModuleStep(n, k) for n, k in t[3]), t[4])
        return found

    resources: list[ResourceState] = []
    deposed: list[ResourceState] = []
    for (addr, attributes, digests, provider, deps, sensitive, schema_version, status, cbd,
         key, adopted, mark, more) in rows:
        for path in digests:
            _mark_digest(attributes, path)
        r = ResourceState(address=address(addr), attributes=attributes, provider=provider,
                          dependencies=tuple(address(d) for d in deps),
                          sensitive_attributes=sensitive, schema_version=schema_version,
                          status=status, create_before_destroy=cbd, deposed=key,
                          adopted_from=adopted, mark=mark, extra=more)
        (resources if key is None else deposed).append(r)
    # The memo keeps the decoded order, which is the model's: no sort needed.
    return State(resources=tuple(resources), serial=serial, lineage=lineage,
                 outputs={n: OutputState(v, t, s) for n, v, t, s in outputs},
                 terraform_version=terraform_version, version=version, extra=extra,
                 deposed=tuple(deposed))


# -- secret digests: plain strings in the memo, with their places ------------------------------

_Place = tuple[str | int, ...]


def _plain(attributes: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[_Place, ...]]:
    """``attributes`` as ``marshal`` keeps them, and the places of the digests made plain.
    Most objects hold none: ``marshal`` (C) says so without a walk."""
    out = dict(attributes)
    try:
        marshal.dumps(out)
    except ValueError:
        places: list[_Place] = []
        return _unmark(out, (), places), tuple(places)
    return out, ()


def _unmark(value: Any, path: _Place, places: list[_Place]) -> Any:
    if isinstance(value, SecretDigest):
        places.append(path)
        return str(value)
    if isinstance(value, dict):
        return {k: _unmark(v, (*path, k), places) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmark(v, (*path, i), places) for i, v in enumerate(value)]
    return value


def _mark_digest(attributes: dict[str, Any], path: _Place) -> None:
    """Make the plain string at ``path`` a ``SecretDigest`` again (in place: a fresh load)."""
    node: Any = attributes
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = SecretDigest(node[path[-1]])
