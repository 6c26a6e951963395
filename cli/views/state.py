"""Human views of state: address lists and one resource's attributes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def render_state_list(state: Any, prefixes: Sequence[str] = ()) -> str:
    if state is None:
        return ""
    lines = []
    for resource in state.resources:
        text = str(resource.address)
        if prefixes and not any(text == p or text.startswith(p + ".") or
                                text.startswith(p + "[") for p in prefixes):
            continue
        lines.append(text)
    return "".join(line + "\n" for line in lines)


def _masked(value: Any, path: tuple[Any, ...], sensitive: set[tuple[Any, ...]]) -> Any:
    if path in sensitive:
        return "(sensitive value)"
    if isinstance(value, dict):
        return {k: _masked(v, (*path, k), sensitive) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, (*path, i), sensitive) for i, v in enumerate(value)]
    return value


def render_resource(resource: Any) -> str:
    sensitive = {tuple(p) for p in resource.sensitive_attributes}
    attrs = _masked(dict(resource.attributes), (), sensitive)
    lines = [f"# {resource.address}:",
             f'resource "{resource.address.type}" "{resource.address.name}" {{']
    for key in sorted(attrs):
        lines.append(f"    {key} = {json.dumps(attrs[key], indent=None, sort_keys=True)}")
    lines.append("}")
    return "\n".join(lines)
