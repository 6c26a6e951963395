"""The desired configuration every front end (HCL reader, Kubernetes translator, CDKTF
synth reader) produces, and the engine plans from.

A front end returns ``(Configuration, Diagnostics)``. Attribute values are JSON-like data that
may contain ``UNKNOWN`` and ``Deferred`` (see ``values``). Dependencies are the union of
``depends_on`` and the references inside ``Deferred`` values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config_blocks import ModuleBlocks
from albform.engine.diagnostics import SourceRange
from albform.engine.values import collect_references

AVI_PROVIDER = 'provider["registry.terraform.io/vmware/avi"]'


@dataclass(frozen=True, slots=True)
class Lifecycle:
    prevent_destroy: bool = False
    create_before_destroy: bool = False
    # Attribute paths (into nested blocks and list elements) whose differences are ignored;
    # ("*",) means all. The rule: engine/ignore_changes.py.
    ignore_changes: tuple[tuple[str | int, ...], ...] = ()
    ignore_all_changes: bool = False


@dataclass(frozen=True, slots=True)
class ResourceConfig:
    """One desired resource instance (or data source read when ``address.is_data``)."""

    address: ResourceAddress
    attributes: Mapping[str, Any]
    depends_on: tuple[ResourceAddress, ...] = ()
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    source: SourceRange | None = None
    provider: str = AVI_PROVIDER
    # What to advise when a destroy-then-create replacement of this object is blocked by
    # objects referring to it (``planning_checks.check_replace_referenced``), for a front end
    # that cannot set lifecycle or a new name; None: the engine's advice. A template with
    # ``{address}`` (this object) and ``{targets}`` (``-target='R'`` for each referrer).
    replace_remedy: str | None = None

    @property
    def type(self) -> str:
        return self.address.type

    def dependencies(self) -> set[ResourceAddress]:
        """Explicit ``depends_on`` plus every resource referenced by a ``Deferred`` value."""
        found = collect_references(dict(self.attributes))
        found.update(self.depends_on)
        found.discard(self.address)
        return found


@dataclass(frozen=True, slots=True)
class VariableConfig:
    """A root module input variable and the value it was given (for the plan JSON)."""

    name: str
    value: Any
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class OutputConfig:
    name: str
    value: Any
    sensitive: bool = False
    source: SourceRange | None = None


@dataclass(frozen=True, slots=True)
class MovedBlock:
    from_address: ResourceAddress
    to_address: ResourceAddress
    source: SourceRange | None = None


@dataclass(frozen=True, slots=True)
class ImportBlock:
    to_address: ResourceAddress
    id: str
    source: SourceRange | None = None


@dataclass(frozen=True, slots=True)
class Configuration:
    """Everything a front end asks for. Addresses in ``resources`` are unique."""

    resources: tuple[ResourceConfig, ...] = ()
    outputs: tuple[OutputConfig, ...] = ()
    moved: tuple[MovedBlock, ...] = ()
    imports: tuple[ImportBlock, ...] = ()
    # Raw provider "avi" block arguments (controller, credentials...), evaluated.
    provider_config: Mapping[str, Any] = field(default_factory=dict)
    # Raw terraform { backend "X" { ... } } selection, if the front end had one.
    backend: tuple[str, Mapping[str, Any]] | None = None
    # Every input the front end read, name -> digest (engine/inputs.py): a saved plan
    # refuses to apply once one of them changed.
    inputs: Mapping[str, str] = field(default_factory=dict)
    # What a front end read live (e.g. controller facts) that a saved plan keeps, so its
    # configuration can be loaded again offline (``show -json PLANFILE``): JSON, no secrets.
    recorded_reads: Mapping[str, Any] = field(default_factory=dict)
    # Root module input variables with their values (the plan JSON's ``variables``).
    variables: tuple[VariableConfig, ...] = ()
    # Describes the root module's blocks as written (engine/config_blocks.py), for front
    # ends that read source; the plan JSON's ``configuration`` is rendered from it when
    # present. A function, called only then: describing costs a fifth of a load.
    describe_written: Callable[[], ModuleBlocks] | None = field(default=None, compare=False)

    def by_address(self) -> dict[ResourceAddress, ResourceConfig]:
        return {r.address: r for r in self.resources}

    def merged(self, other: Configuration) -> Configuration:
        """This configuration plus ``other`` (e.g. HCL resources plus a cluster module)."""
        return Configuration(
            resources=self.resources + other.resources,
            outputs=self.outputs + other.outputs,
            moved=self.moved + other.moved,
            imports=self.imports + other.imports,
            provider_config={**other.provider_config, **self.provider_config},
            backend=self.backend or other.backend,
            inputs={**other.inputs, **self.inputs},
            recorded_reads={**other.recorded_reads, **self.recorded_reads},
            variables=self.variables + other.variables,
            describe_written=self.describe_written or other.describe_written,
        )
