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

    def by_address(self) -> dict[ResourceAddress, ResourceState]:
        return {r.address: r for r in self.resources}

    def get(self, address: ResourceAddress) -> ResourceState | None:
        for r in self.resources:
            if r.address == address:
                return r
        return None

    def with_resources(self, resources: Iterable[ResourceState]) -> State:
        ordered = tuple(sorted(resources, key=lambda r: r.address.sort_key()))
        return replace(self, resources=ordered)

    def next_serial(self) -> State:
        return replace(self, serial=self.serial + 1)

    @property
    def is_empty(self) -> bool:
        return not self.resources and not self.outputs
