"""The no-op memo: the resources the last plan of a state found unchanged, so that the next
plan of the same state skips canonicalising and diffing them again.

A resource is planned as a no-op when its canonical desired attributes
(``Provider.canonicalize`` of its configured attributes, references resolved), compared under
its lifecycle, differ in nothing from its prior object. On a re-plan of unchanged inputs (the
drift job, a plan reviewed again) that is the same question with the same answer for every
resource, and asking it is most of a large plan's own work: a cluster's 56,000 bodies hold
millions of values to walk twice. The memo keeps the answer, per state file, in
``.albform/noop-memo/<hash of the state's path>.bin``.

An entry is ``address → digest`` of what the verdict was made from (type, provider,
lifecycle, configured attributes with references resolved), kept only for verdicts made
against the object as the state file holds it (the refresh found it unchanged). The file
binds the memo format, Python, albform's installation, deepdiff's, the secret digest key in use
(``engine/secrets.py``) and the state file's SHA-256, and holds
the provider's ``canonical_basis`` (the controller facts the canonical forms depended on:
names resolved to ids, the API version). A plan takes a verdict (``planning_resource``) only
when all of these hold, so that canonicalising and diffing could not answer otherwise:

1. the state file is the one the verdict was made against (its SHA-256), no journal intent
   is pending and every configured resource is planned (no ``-target``, ``-destroy``,
   ``-refresh-only``, ``-refresh=false``);
2. the refresh kept the object as the state file holds it (the same mapping);
3. the digest of the resource's type, provider, lifecycle and resolved attributes is the
   entry's (references to other resources resolve to their planned values, which are their
   state's when they are no-ops too);
4. the provider says its basis holds (``CanonicalBasis.basis_holds``: every name resolves
   as it did, on the same controller and API version) and the type is ``memoizable``;
5. nothing else decides for it: no import, no ``moved`` rename, not tainted, not asked to be
   replaced, and no replacement planned so far whose id it could refer to.

The basis is all or nothing: when one name resolves otherwise, every remembered resource is
canonicalised by the planner after the refresh (the helper skipped it, not knowing yet), which
costs what the helper's overlap with the refresh saved; a rare case (an object of a referenced
name replaced behind albform's back), and the next plan's memo is whole again.

The digests are keyed BLAKE2b under the memo's key: configured attributes hold secrets, and an
unkeyed digest of a short password could be searched for. (Whoever holds the user's albform key
could test guesses at a hash's speed, not the state's scrypt's; that key already opens the
cluster memo, which holds the manifests' TLS keys.) Like every memo here the file is
sealed (``engine/sealed_file.py``): an entry made for another state, edited or planted reads
as absent, and a memo that cannot be read or written is not an error (the plan asks).
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import ResourceConfig
from albform.engine.provider import CanonicalBasis
from albform.engine.sealed_file import read_sealed, write_sealed
from albform.engine.secrets import current_key_id
from albform.engine.user_key import derived_key
from albform.engine.workdir import PRIVATE_DIR, installation_fingerprint, package_fingerprint

FORMAT = "albform-noop-memo/1"
MEMO_DIR = Path(PRIVATE_DIR) / "noop-memo"

EntryKey = tuple[Any, ...] | str


def entry_key(address: ResourceAddress) -> EntryKey:
    """``address`` as the memo keys it: its parts for a root module's managed instance (the
    usual case, without formatting the address), its text otherwise."""
    if not address.module and address.mode == "managed":
        return (address.type, address.name, address.key)
    return str(address)


class NoopMemo:
    """The memo of one state file: the verdicts read for the state whose SHA-256 is
    ``state_sha256`` (``remembered``, ``basis``), and ``keep`` for the next plan's."""

    def __init__(self, path: Path, key: bytes, state_sha256: str) -> None:
        self.path = path
        self._key = key
        # What a verdict depends on beyond the state and the resource: albform's code and
        # schemas, deepdiff (the diff of values without a schema), and the secret digest key
        # (a digest made under another key compares as changed: engine/secrets.py).
        self._binding = "|".join((FORMAT, sys.version, installation_fingerprint(),
                                  package_fingerprint("deepdiff", "deepdiff-"),
                                  current_key_id(), state_sha256)).encode()
        self._read: tuple[dict[EntryKey, bytes], Any] | None = None

    @property
    def remembered(self) -> dict[EntryKey, bytes]:
        """The verdicts kept for this state (entry key -> digest); empty when none."""
        return self._entries()[0]

    @property
    def basis(self) -> Any:
        """The provider's basis the verdicts were made on; None when none."""
        return self._entries()[1]

    def _entries(self) -> tuple[dict[EntryKey, bytes], Any]:
        # Read when first asked: a plan that takes no verdict (-target, -destroy...) never
        # reads the file.
        if self._read is None:
            self._read = ({}, None)
            payload = read_sealed(self.path, self._key, self._binding)
            if payload is not None:
                try:
                    entries, basis = marshal.loads(payload)
                    if isinstance(entries, dict):
                        self._read = (entries, basis)
                except (ValueError, TypeError, EOFError):
                    pass  # not of this format: a miss
        return self._read

    def digest(self, rc: ResourceConfig, attributes: Mapping[str, Any]) -> bytes | None:
        """The digest of what ``rc``'s verdict is made from, ``attributes`` being its
        configured attributes with references resolved; None when they hold a value the memo
        cannot digest (an unknown, a value of albform's own type)."""
        lifecycle = rc.lifecycle
        try:
            # Version 0: later versions mark shared and interned strings, which depends on
            # the process (reference counts, what happens to be interned), not the values.
            made_of: Any = (rc.type, rc.provider, lifecycle.create_before_destroy,
                            lifecycle.ignore_changes, lifecycle.ignore_all_changes, attributes)
            data = marshal.dumps(made_of, 0)
        except ValueError:
            return None
        return hashlib.blake2b(data, digest_size=16, key=self._key[:64]).digest()

    def keep(self, verdicts: Mapping[EntryKey, bytes], basis: Any) -> None:
        """Remember ``verdicts`` (entry key → digest of each no-op the last plan made against
        the state file's object) with the provider's ``basis``, for the next plan of the same
        state; nothing when they cannot be kept."""
        try:
            payload = marshal.dumps((dict(verdicts), basis))
        except ValueError:
            return
        write_sealed(self.path, self._key, self._binding, payload)


def noop_memo(workdir: Path, state_path: Path, state_sha256: str | None,
              env: Mapping[str, str]) -> NoopMemo | None:
    """The memo of the state file at ``state_path`` as last read (``state_sha256``), under
    the user's albform key; None without the digest or without a key."""
    if state_sha256 is None:
        return None
    key = derived_key(env, b"albform no-op memo")
    if key is None:
        return None
    name = hashlib.sha256(str(Path(state_path).resolve()).encode()).hexdigest()[:32]
    return NoopMemo(Path(workdir) / MEMO_DIR / f"{name}.bin", key, state_sha256)


REMEMBERED: Any = object()
"""What the planner's desired attributes are (``planning_resource._desired``,
``DesiredAhead.take``) for a resource whose no-op verdict the memo holds: not worked out."""


class Verdicts:
    """One plan's use of the memo with ``provider``: ``digest`` of a resource's resolved
    attributes (None for types the provider does not vouch for), whether the memo holds a
    no-op for that digest (``remembered``), whether the provider's basis still holds
    (``basis_holds``, asked once), and the verdicts this plan makes (``made``), which
    ``keep`` remembers for the next plan."""

    def __init__(self, memo: NoopMemo, provider: CanonicalBasis) -> None:
        self.memo = memo
        self._provider = provider
        self._types: dict[str, bool] = {}
        self._holds: bool | None = None
        self.made: dict[EntryKey, bytes] = {}

    def digest(self, rc: ResourceConfig, attributes: Mapping[str, Any]) -> bytes | None:
        memoizable = self._types.get(rc.type)
        if memoizable is None:
            memoizable = self._types[rc.type] = bool(self._provider.memoizable(rc.type))
        return self.memo.digest(rc, attributes) if memoizable else None

    def remembered(self, rc: ResourceConfig, digest: bytes | None) -> bool:
        return digest is not None and \
            self.memo.remembered.get(entry_key(rc.address)) == digest

    def basis_holds(self) -> bool:
        """Asked once, by the planner after the refresh (whose listings answer it)."""
        if self._holds is None:
            self._holds = self.memo.basis is not None and \
                self._provider.basis_holds(self.memo.basis)
        return self._holds

    def keep(self) -> None:
        """Remember ``made`` with the provider's basis, unless the memo holds them already
        (a re-plan of unchanged inputs: the same verdicts on the same facts)."""
        basis = self._provider.canonical_basis()
        if self.made != self.memo.remembered or not _same_basis(basis, self.memo.basis):
            self.memo.keep(self.made, basis)


def _same_basis(a: Any, b: Any) -> bool:
    """Whether two bases hold the same facts: a basis is a provider's plain values, whose
    lists may come in another order (the facts asked in another order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        if len(a) != len(b):
            return False
        if isinstance(a, list) and all(type(x) is tuple for x in (*a, *b)):
            try:
                return set(a) == set(b)
            except TypeError:  # a tuple holding a list: compared in order below
                pass
        return all(_same_basis(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
