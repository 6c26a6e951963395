"""The provider protocol: how the engine reads and changes real objects.

The Avi provider (``albform.provider``) implements it over the controller's REST API; tests use
the in-memory fake in ``engine/testing/fake_provider.py``. Every method is called from worker
threads of the graph walk, possibly concurrently for different objects, so implementations
must be thread-safe.

Failure semantics (as Pulumi states them):
* ``create`` that raises must not have left an object behind, unless it returns the partial
  object through ``ProviderError.partial_state`` (then the engine records it in state);
* after ``delete`` raises, the object is assumed to still exist; deleting an object that is
  already gone is success;
* ``read`` returns ``ReadResult(attributes=None)`` when the object no longer exists (drift),
  never raises for that.

Read marks (the provider's, opaque to the engine, like the private data a Terraform provider
keeps per instance): every read, create, update and import answer may carry a ``mark`` saying
which version of the object its attributes describe; the engine stores it with the instance
(``ResourceState.mark``, never shown) and passes it back in ``ReadRequest.mark``. A refresh
answer with ``unchanged=True`` says the object is still the one the request's attributes
and mark describe: the engine then keeps its state as it is (no comparison). A provider that
has no marks leaves them ``None`` and always answers in full.

Crash safety (``engine/recovery.py``): before each write the engine journals the object's
``identity``; for a create that identity is fixed beforehand by ``prepare_create``, so a
create whose answer was lost (timeout, crash) can be found again and adopted, never
duplicated.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from albform.engine.diagnostics import Diagnostics
from albform.engine.schema import ResourceSchema


class ProviderError(Exception):
    """A provider operation failed. ``retriable`` says whether trying again may succeed;
    ``status`` and ``detail`` carry the API's answer for the user."""

    def __init__(self, message: str, *, retriable: bool = False, status: int | None = None,
                 detail: str = "", partial_state: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.retriable = retriable
        self.status = status
        self.detail = detail
        self.partial_state = partial_state


def object_id(provider: Provider, type_name: str, attributes: Mapping[str, Any]) -> str | None:
    """The id of an object (its schema's ``id_attribute`` value), what ``ref_id`` answers."""
    schema = provider.schema(type_name)
    value = attributes.get(schema.id_attribute if schema is not None else "id")
    return value if isinstance(value, str) and value else None


def describe_error(exc: ProviderError) -> str:
    """The error for a diagnostic: its message plus the status and the API's text, each only
    when the message does not already carry it (clients often put both in the message)."""
    text = str(exc)
    if exc.status and f"HTTP {exc.status}" not in text:
        text += f" (HTTP {exc.status})"
    if exc.detail and exc.detail not in text:
        text += f": {exc.detail}"
    return text


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """Refresh one managed object: its type, its last known attributes (from state) and the
    read mark stored with them (None: none)."""

    type_name: str
    attributes: Mapping[str, Any]
    key: object = None  # opaque correlation key, returned as-is in ``ReadManyResult``
    mark: str | None = None


@dataclass(frozen=True, slots=True)
class ReadResult:
    """``attributes`` is None when the object no longer exists. ``mark``: the read mark of
    ``attributes`` (None: none). ``unchanged``: the object is still the one the request
    described (``attributes`` and ``mark`` are then the request's; the engine keeps its
    state object as it is)."""

    attributes: Mapping[str, Any] | None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    mark: str | None = None
    unchanged: bool = False


@dataclass(frozen=True, slots=True)
class ReadManyResult:
    results: Mapping[object, ReadResult]
    api_calls: int = 0


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """The object as it exists after create/update (all computed values known), and the read
    mark of those attributes (None: none)."""

    attributes: Mapping[str, Any]
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    mark: str | None = None


@runtime_checkable
class Provider(Protocol):
    """What the engine needs from a provider."""

    def resource_types(self) -> Collection[str]:
        """Every managed resource type name this provider offers (``avi_pool``...)."""
        ...

    def schema(self, type_name: str) -> ResourceSchema | None:
        """The schema of a resource or data source type, or None if unknown."""
        ...

    def canonicalize(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """Bring configured values into the form ``read`` returns (refs as urls, enums...),
        so that the diff compares like with like. Must not perform writes; may read."""
        ...

    def ref_id(self, value: object) -> str | None:
        """The id (the value of its schema's ``id_attribute``) of the object a reference
        value names, in whatever form this provider writes references; ``None`` when
        ``value`` is not a resolved reference. The engine never parses references itself:
        this is how it sees which objects a stored or planned value still refers to. Pure:
        no I/O."""
        ...

    def read(self, request: ReadRequest) -> ReadResult:
        ...

    def read_many(self, requests: Sequence[ReadRequest]) -> ReadManyResult:
        """Refresh many objects in as few API calls as possible."""
        ...

    def read_data_source(self, type_name: str, query: Mapping[str, Any]) -> ReadResult:
        """Look up an existing object (``data "avi_cloud" "x" { name = "..." }``)."""
        ...

    def identity(self, type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """The few attributes that find this object again through ``read`` (Avi: its uuid
        and tenant), JSON-able; two objects of a type are the same iff their identities are
        equal. Must not perform calls."""
        ...

    def prepare_create(self, type_name: str, planned: Mapping[str, Any],
                       key: str) -> dict[str, Any]:
        """``planned`` with the new object's identity fixed before ``create`` is called,
        derived from ``key`` (unique per state lineage, address and replaced object) when
        the provider can: a create retried with the same ``key`` then meets its own object
        (adopted by ``create``) instead of making a second one. Must not perform calls."""
        ...

    def create(self, type_name: str, planned: Mapping[str, Any]) -> ApplyResult:
        """Create the object. When an object with the identity ``prepare_create`` fixed
        already exists (an earlier attempt went through), it is adopted: brought to
        ``planned`` and returned, not reported as a conflict."""
        ...

    def update(self, type_name: str, prior: Mapping[str, Any],
               planned: Mapping[str, Any]) -> ApplyResult:
        ...

    def delete(self, type_name: str, prior: Mapping[str, Any], *,
               original: Mapping[str, Any] | None = None) -> None:
        """Delete the object; an object already gone is success. An object the provider
        cannot delete (a controller's built-in) is left in place: with ``original`` (the
        values its configured attributes had before albform imported it, ``None`` for one
        it did not have; passed only when the state recorded them) those values are put
        back, otherwise it is only forgotten."""
        ...

    def import_resource(self, type_name: str, identifier: str) -> ReadResult:
        """Read an existing object by uuid, url or name, for ``import``."""
        ...


@runtime_checkable
class KeyedCreates(Protocol):
    """What a provider offers so that an apply may record its creates' intents before its
    first call (``engine/apply_journal.py``, "intents recorded ahead"). Optional: without
    it each create records its own intent as its step runs.

    The contract: for a type ``keyed_creates`` says yes, ``prepare_create`` fixes the new
    object's identity from the key alone (never from a counter, a call or the values), so an
    object found with that identity after a crash can only be the one this create made."""

    def keyed_creates(self, type_name: str) -> bool:
        """Whether ``type_name``'s creates keep the contract above."""
        ...


@runtime_checkable
class CanonicalBasis(Protocol):
    """What a provider offers so that a plan may reuse the last plan's no-op verdicts
    (``engine/noop_memo.py``) instead of canonicalising and diffing again. Optional: a
    provider without it is always asked ``canonicalize``.

    The contract: for a type ``memoizable`` says yes, ``canonicalize(type, attributes)`` is a
    function of ``attributes`` and of the controller facts ``canonical_basis`` describes
    (names resolved to ids, the API version...), nothing else."""

    def memoizable(self, type_name: str) -> bool:
        """Whether ``type_name``'s canonical forms follow the contract above."""
        ...

    def canonical_basis(self) -> Any:
        """Every controller fact the canonical forms made so far by this provider depend on,
        as plain values ``marshal`` keeps (strings, numbers, tuples, lists, dicts); a list of
        tuples is a set of facts (its order means nothing)."""
        ...

    def basis_holds(self, basis: Any) -> bool:
        """Whether the facts ``basis`` (an earlier ``canonical_basis``, maybe another
        process's) are still what this provider would find now. May read; never writes.
        Facts asked here count as used by this provider (its next ``canonical_basis``)."""
        ...
