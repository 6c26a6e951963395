"""The state model: every managed object the engine knows exists, with lineage and serial.

``State`` is an immutable value. Terraform's v4 file groups instances under resources; here
each instance is one ``ResourceState`` and the codec does the grouping. ``serial`` increases
with every persisted change; ``lineage`` identifies one state's history and never changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import AVI_PROVIDER

STATE_VERSION = 4
TERRAFORM_VERSION = "1.11.4"


def new_lineage() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class ResourceState:
    address: ResourceAddress
    attributes: Mapping[str, Any]
    provider: str = AVI_PROVIDER
    dependencies: tuple[ResourceAddress, ...] = ()
    sensitive_attributes: tuple[tuple[str | int, ...], ...] = ()
    schema_version: int = 0
    # "tainted" marks an object whose create failed half-way: the next plan replaces it.
    status: str | None = None
    create_before_destroy: bool = False
    # The key (8 hex digits) of a *deposed* object: the old object of a create_before_destroy
    # replacement, kept in state from before the new one is created until it is deleted, so
    # that a crash in between never forgets it. ``None`` for the current object.
    deposed: str | None = None
    # The values the configured attributes had when the object was imported (adopted), as a
    # restore point: ``None`` for an attribute the object did not have. Deleting an object
    # the provider cannot delete (a built-in) puts these back instead of leaving the
    # configuration's values behind. ``None`` for objects albform created.
    adopted_from: Mapping[str, Any] | None = None
    # The provider's read mark of ``attributes`` (``engine/provider.py``): opaque, kept in the
    # instance's ``private`` blob (``state/private.py``), never shown. Whatever replaces
    # ``attributes`` sets it too (None when the provider gave none), so that a mark always
    # describes the attributes beside it.
    mark: str | None = None
    # Instance keys of a state file this version does not model (``private``, 1.12+
    # ``identity``...); the codec writes them back unchanged.
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutputState:
    value: Any
    type: Any = "string"
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class State:
    resources: tuple[ResourceState, ...] = ()
    serial: int = 0
    lineage: str = field(default_factory=new_lineage)
    outputs: Mapping[str, OutputState] = field(default_factory=dict)
    terraform_version: str = TERRAFORM_VERSION
    version: int = STATE_VERSION
    # Top-level keys of a file this version does not know; written back unchanged.
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Deposed objects (``ResourceState.deposed`` set), in (address, key) order. They are kept
    # apart from ``resources`` so that every address maps to at most one current object there
    # (``by_address``/``get``); an address may have several deposed objects besides.
    deposed: tuple[ResourceState, ...] = ()

    def by_address(self) -> dict[ResourceAddress, ResourceState]:
        return {r.address: r for r in self.resources}

    def has_marks(self) -> bool:
        """Whether any object, current or deposed, carries a read mark."""
        return any(r.mark is not None for r in self.resources) or any(
            r.mark is not None for r in self.deposed)

    def get(self, address: ResourceAddress) -> ResourceState | None:
        for r in self.resources:
            if r.address == address:
                return r
        return None

    def with_resources(self, resources: Iterable[ResourceState]) -> State:
        ordered = tuple(sorted(resources, key=lambda r: r.address.sort_key()))
        return replace(self, resources=ordered)

    def with_deposed(self, deposed: Iterable[ResourceState]) -> State:
        return replace(self, deposed=tuple(sorted(deposed, key=deposed_sort_key)))

    def next_serial(self) -> State:
        return replace(self, serial=self.serial + 1)

    def same_content(self, other: State) -> bool:
        """Whether both hold the same objects and outputs, whatever their lineage, serial
        and writer (Terraform's ``StatesMarshalEqual``)."""
        return replace(other, lineage=self.lineage, serial=self.serial,
                       terraform_version=self.terraform_version) == self

    @property
    def is_empty(self) -> bool:
        return not self.resources and not self.outputs and not self.deposed


def deposed_sort_key(r: ResourceState) -> tuple[object, ...]:
    return (r.address.sort_key(), r.deposed or "")


def new_deposed_key(taken: Iterable[str] = ()) -> str:
    """A fresh deposed key: 8 lowercase hex digits (Terraform's form), unique among ``taken``."""
    used = set(taken)
    while True:
        key = uuid.uuid4().hex[:8]
        if key not in used:
            return key
