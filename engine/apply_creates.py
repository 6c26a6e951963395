"""``CreateKeys``: the key each create of an apply hands ``Provider.prepare_create``, and the
creates whose intents the plan already fixes.

The key is the state's lineage, the address and the identity of the object a replacement
replaces: a create retried after a crash (or after a lost answer) derives the same identity
and meets its own object, which the provider then adopts instead of making a second one.
One exception keeps that from meeting *another* object: an object moved away from this
address (a ``moved`` block, ``state mv``) keeps the uuid its old address's key gave it, and a
new object declared at that address would derive the same one and take the moved object over.
So when the prior state holds the identity a key yields, the key gets ``#1``, ``#2``... until
it yields one nobody holds — decided from the prior state alone, so a retry decides alike.

``ahead`` lists what ``prepare_create`` makes of each plain create's configured values as the
plan has them, for ``StepJournal.record_ahead`` (``engine/apply_journal.py``): the plan's
``after`` is canonical, as the step's values will be, and a value that waits for another step
is unknown there — an identity made of one is unknown, and that create records its own intent
at its step. Only for the types a provider's ``KeyedCreates`` names: those whose identity
``prepare_create`` derives from the key alone, so that an object found with it after a crash
is the one this create made (a pool member is found by its address and port: one that was
there before would be taken for this apply's).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, ResourceChange
from albform.engine.config import ResourceConfig
from albform.engine.provider import KeyedCreates, Provider
from albform.engine.state.model import ResourceState


class CreateKeys:
    """Thread-safe: the walk's workers ask ``key`` at once."""

    def __init__(self, provider: Provider, lineage: str) -> None:
        self._provider = provider
        self._lineage = lineage
        self._prior: tuple[ResourceState, ...] = ()
        self._held: dict[str, frozenset[str]] | None = None
        self._keys: dict[ResourceAddress, str] = {}  # decided ahead, taken again at the step
        self._lock = threading.Lock()

    def prior(self, objects: Iterable[ResourceState]) -> None:
        """The prior state's objects, current and deposed (before the walk starts)."""
        with self._lock:
            self._prior, self._held, self._keys = tuple(objects), None, {}

    def key(self, change: ResourceChange) -> str:
        """The key for ``change``'s create (module docstring)."""
        found = self._keys.get(change.address)
        if found is None:
            found = self._keys[change.address] = self._key(change)
        return found

    def _key(self, change: ResourceChange) -> str:
        replaced = "" if change.before is None else _text(
            self._provider.identity(change.address.type, change.before))
        base = f"{self._lineage}/{change.address}/{replaced}"
        type_name = change.address.type
        held = self._held_identities(type_name)
        key, n = base, 0
        while True:
            identity = self._provider.identity(
                type_name, self._provider.prepare_create(type_name, {}, key))
            if not identity or _text(identity) not in held:
                return key
            n += 1
            key = f"{base}#{n}"

    def ahead(self, changes: Iterable[ResourceChange],
              configs: Mapping[ResourceAddress, ResourceConfig],
              ) -> list[tuple[ResourceAddress, dict[str, Any]]]:
        """``(address, planned)`` of each plain create, for ``StepJournal.record_ahead``;
        nothing when the provider's identities do not follow from the key alone."""
        provider = self._provider
        if not isinstance(provider, KeyedCreates):
            return []
        out = []
        for change in changes:
            config = configs.get(change.address)
            if change.action is not Action.CREATE or change.after is None or config is None \
                    or not provider.keyed_creates(change.address.type):
                continue
            configured = {k: v for k, v in change.after.items() if k in config.attributes}
            out.append((change.address, provider.prepare_create(
                change.address.type, configured, self.key(change))))
        return out

    def _held_identities(self, type_name: str) -> frozenset[str]:
        """The identities of the prior objects of a type; every type's are worked out in one
        pass, when a create first asks."""
        with self._lock:
            if self._held is None:
                held: dict[str, set[str]] = {}
                for r in self._prior:
                    held.setdefault(r.address.type, set()).add(
                        _text(self._provider.identity(r.address.type, r.attributes)))
                self._held = {t: frozenset(ids) for t, ids in held.items()}
            return self._held.get(type_name, frozenset())


def _text(identity: Mapping[str, Any]) -> str:
    """An identity as one comparable string (the form the create key has always used for
    the replaced object: a change here would move every replacement's uuid)."""
    return json.dumps(identity, sort_keys=True)
