"""albform.engine: the provider-agnostic core — addresses, configuration, state and its
backends, the dependency graph, diff, plan, apply, drift and plan rendering.

It imports no front end, no provider and no CLI (an import-linter contract checks that).
"""

from albform.engine.addrs import AddressError, ModuleStep, ResourceAddress
from albform.engine.changes import (
    Action,
    AttributeChange,
    OutputChange,
    Plan,
    PlanOptions,
    PlanSummary,
    ResourceChange,
)
from albform.engine.config import (
    AVI_PROVIDER,
    Configuration,
    ImportBlock,
    Lifecycle,
    MovedBlock,
    OutputConfig,
    ResourceConfig,
)
from albform.engine.diagnostics import (
    Diagnostic,
    Diagnostics,
    DiagnosticsError,
    Severity,
    SourceRange,
)
from albform.engine.provider import (
    ApplyResult,
    Provider,
    ProviderError,
    ReadManyResult,
    ReadRequest,
    ReadResult,
)
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.values import UNKNOWN, Deferred

__all__ = [
    "AVI_PROVIDER",
    "UNKNOWN",
    "Action",
    "AddressError",
    "ApplyResult",
    "AttributeChange",
    "AttributeSchema",
    "Configuration",
    "Deferred",
    "Diagnostic",
    "Diagnostics",
    "DiagnosticsError",
    "ImportBlock",
    "Lifecycle",
    "ModuleStep",
    "MovedBlock",
    "OutputChange",
    "OutputConfig",
    "Plan",
    "PlanOptions",
    "PlanSummary",
    "Provider",
    "ProviderError",
    "ReadManyResult",
    "ReadRequest",
    "ReadResult",
    "ResourceAddress",
    "ResourceChange",
    "ResourceConfig",
    "ResourceSchema",
    "Severity",
    "SourceRange",
]
