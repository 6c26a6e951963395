"""Root output values after an apply: ``evaluate_outputs(outputs, state)`` resolves each
``OutputConfig`` against the final state and types it the way Terraform's state records
output types (cty type JSON: ``"string"``, ``["list", "string"]``, ``["object", {...}]``).

An output whose value cannot be known (it refers to an object that failed or was never
created) keeps its previous value, with a warning; outputs no longer configured are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.config import OutputConfig
from albform.engine.diagnostics import Diagnostics
from albform.engine.state.model import OutputState, State
from albform.engine.values import contains_placeholder, resolve_deferred


class _Missing(Exception):
    pass


def evaluate_outputs(outputs: Iterable[OutputConfig], state: State,
                     ) -> tuple[dict[str, OutputState], Diagnostics]:
    diagnostics = Diagnostics()
    by_address = state.by_address()

    def resolve(address: ResourceAddress) -> Mapping[str, Any]:
        found = by_address.get(address)
        if found is None:
            raise _Missing(str(address))
        return found.attributes

    result: dict[str, OutputState] = {}
    for output in outputs:
        try:
            value = resolve_deferred(output.value, resolve)
        except _Missing as missing:
            value, reason = None, f"it refers to {missing}, which has no object in the state"
        else:
            reason = "" if not contains_placeholder(value) else "part of it is still unknown"
        if reason:
            diagnostics.warning(
                "Output value not known",
                f"Output {output.name!r} was not updated because {reason}; it keeps its "
                "previous value.", subject=output.source)
            if output.name in state.outputs:
                result[output.name] = state.outputs[output.name]
            continue
        result[output.name] = OutputState(value=value, type=cty_type(value),
                                          sensitive=output.sensitive)
    return result, diagnostics


def cty_type(value: Any) -> Any:
    """Terraform's type JSON for a value built from a literal expression."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return ["tuple", [cty_type(v) for v in value]]
    if isinstance(value, dict):
        return ["object", {k: cty_type(v) for k, v in value.items()}]
    return "dynamic"
