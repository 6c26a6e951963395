"""Reconciling the open intents of an interrupted apply (``engine/state/journal.py``) with the
controller, before planning. Called by ``build_plan``; never writes anything.

Each intent's object is read back (one ``read_many`` per type) and compared, by the
provider's ``identity`` of what was read, with every object the state holds (current or
deposed, any address). Then, in journal order:

1. create, object exists, not in state → **adopted** at the intent's address (a current
   object there, being replaced, becomes deposed and the plan deletes it);
2. create, object missing, or already in state → nothing (the intent is dropped);
3. update, object exists and in state → that object's attributes are the ones read
   (**refreshed**); otherwise nothing (refresh and planning converge);
4. delete, object missing and in state → **removed** from the state; object still there →
   nothing (the plan deletes it again).

A failed read makes the plan errored (never a guess). ``Recovery`` values say what was done,
for the plan's renderers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from albform.engine.addrs import ResourceAddress
from albform.engine.config import Configuration
from albform.engine.diagnostics import Diagnostics
from albform.engine.provider import (
    Provider,
    ProviderError,
    ReadRequest,
    ReadResult,
    describe_error,
)
from albform.engine.state.journal import Intent
from albform.engine.state.model import ResourceState, State, new_deposed_key

Outcome = Literal["adopted", "refreshed", "removed", "no effect"]
# Where an object sits in the state: (address, deposed key or None for the current one).
Slot = tuple[ResourceAddress, str | None]


@dataclass(frozen=True, slots=True)
class Recovery:
    """What reconciling one intent did; ``identity`` is the object's (JSON text)."""

    address: ResourceAddress
    operation: str
    outcome: Outcome
    identity: str
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"address": str(self.address), "operation": self.operation,
                "outcome": self.outcome, "identity": self.identity, "name": self.name}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Recovery:
        return cls(ResourceAddress.parse(doc["address"]), doc["operation"], doc["outcome"],
                   doc["identity"], doc.get("name"))


def reconcile(state: State, intents: Sequence[Intent], provider: Provider,
              config: Configuration | None = None,
              ) -> tuple[State, tuple[Recovery, ...], Diagnostics]:
    """``state`` with the outcome of ``intents`` recorded; see the module docstring."""
    diags = Diagnostics()
    if not intents:
        return state, (), diags
    found = _read_back(intents, provider, diags)
    if found is None:
        return state, (), diags
    work = _Reconciliation(state, provider, config)
    recoveries = tuple(work.apply(intent, read) for intent, read in zip(intents, found,
                                                                          strict=True))
    return work.result(), recoveries, diags


def _read_back(intents: Sequence[Intent], provider: Provider, diags: Diagnostics,
               ) -> list[ReadResult] | None:
    by_type: dict[str, list[ReadRequest]] = {}
    for i, intent in enumerate(intents):
        by_type.setdefault(intent.address.type, []).append(
            ReadRequest(intent.address.type, intent.identity, key=i))
    results: dict[object, ReadResult] = {}
    for type_name, requests in by_type.items():
        try:
            answer = provider.read_many(requests)
        except ProviderError as exc:
            diags.error("Failed to reconcile an interrupted apply",
                        f"An earlier apply was interrupted; reading back the {type_name} "
                        f"objects it was writing failed: {describe_error(exc)}. Nothing was "
                        "planned; fix the problem and plan again.")
            return None
        for key, result in answer.results.items():
            diags.extend(result.diagnostics)
            results[key] = result
    return [results.get(i) or ReadResult(None) for i in range(len(intents))]


class _Reconciliation:
    def __init__(self, state: State, provider: Provider, config: Configuration | None) -> None:
        self.state = state
        self.provider = provider
        self.configs = config.by_address() if config is not None else {}
        self.current = state.by_address()
        self.deposed = {(r.address, r.deposed): r for r in state.deposed}
        self._index: dict[str, dict[str, Slot]] = {}

    def _key(self, type_name: str, attributes: Mapping[str, Any]) -> str:
        return json.dumps(self.provider.identity(type_name, attributes), sort_keys=True)

    def _where(self, type_name: str, key: str) -> Slot | None:
        """Where the state holds the object of ``type_name`` with identity ``key``."""
        index = self._index.get(type_name)
        if index is None:
            index = self._index[type_name] = {}
            for r in (*self.current.values(), *self.deposed.values()):
                if r.address.type == type_name:
                    index[self._key(type_name, r.attributes)] = (r.address, r.deposed)
        return index.get(key)

    def apply(self, intent: Intent, read: ReadResult) -> Recovery:
        type_name = intent.address.type
        found = read.attributes
        key = self._key(type_name, found) if found is not None else \
            json.dumps(dict(intent.identity), sort_keys=True)
        slot = self._where(type_name, key)
        outcome: Outcome = "no effect"
        if intent.operation == "create" and found is not None and slot is None:
            self._adopt(intent.address, found, read.mark, key)  # rule 1
            outcome = "adopted"
        elif intent.operation == "update" and found is not None and slot is not None:
            self._put(slot, found, read.mark)  # rule 3
            outcome = "refreshed"
        elif intent.operation == "delete" and found is None and slot is not None:
            self._remove(slot, key)  # rule 4
            outcome = "removed"
        return Recovery(intent.address, intent.operation, outcome, key, intent.name)

    def _adopt(self, address: ResourceAddress, found: Mapping[str, Any], mark: str | None,
               key: str) -> None:
        old = self.current.get(address)
        if old is not None:
            taken = (k for a, k in self.deposed if a == address and k is not None)
            deposed_key = new_deposed_key(taken)
            self.deposed[(address, deposed_key)] = replace(old, deposed=deposed_key)
            self._index[address.type][self._key(address.type, old.attributes)] = \
                (address, deposed_key)
        new = ResourceState(address=address, attributes=dict(found), mark=mark)
        config = self.configs.get(address)
        if config is not None:
            new = replace(new, provider=config.provider,
                          dependencies=tuple(sorted(config.dependencies(),
                                                    key=ResourceAddress.sort_key)),
                          create_before_destroy=config.lifecycle.create_before_destroy)
        elif old is not None:
            new = replace(new, provider=old.provider, dependencies=old.dependencies)
        self.current[address] = new
        self._index[address.type][key] = (address, None)

    def _put(self, slot: Slot, found: Mapping[str, Any], mark: str | None) -> None:
        address, deposed = slot
        if deposed is None:
            self.current[address] = replace(self.current[address], attributes=dict(found),
                                            mark=mark)
        else:
            self.deposed[slot] = replace(self.deposed[slot], attributes=dict(found), mark=mark)

    def _remove(self, slot: Slot, key: str) -> None:
        address, deposed = slot
        if deposed is None:
            del self.current[address]
        else:
            del self.deposed[slot]
        del self._index[address.type][key]

    def result(self) -> State:
        return self.state.with_resources(self.current.values()).with_deposed(
            self.deposed.values())
