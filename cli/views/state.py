"""Human views of state: address lists and one resource's attributes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.edit import selects


def render_state_list(state: Any, prefixes: Sequence[str] = ()) -> str:
    if state is None:
        return ""
    lines = []
    for resource in state.resources:
        text = str(resource.address)
        if prefixes and not any(selects(p, text) for p in prefixes):
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


def render_state(state: Any, schemas: Mapping[str, ResourceSchema] | None = None) -> str:
    """``show`` of a state: every resource as ``state show`` prints it, then the outputs
    (sensitive ones masked); ``No state.`` when there is none, as Terraform."""
    if state is None or state.is_empty:
        return "No state."
    parts = [render_resource(r, (schemas or {}).get(r.address.type))
             for r in state.resources]
    if state.outputs:
        lines = ["Outputs:", ""]
        for name, out in sorted(state.outputs.items()):
            shown = "(sensitive value)" if out.sensitive else json.dumps(out.value)
            lines.append(f"{name} = {shown}")
        parts.append("\n".join(lines))
    return "\n\n\n".join(parts)


def render_resource(resource: Any, schema: ResourceSchema | None = None) -> str:
    """Terraform's ``state show`` layout: attributes first (aligned, null ones left out),
    then nested blocks — a schema object or list of objects is a block per element, after a
    blank line — with lists and maps spread over lines as Terraform prints them."""
    sensitive = {tuple(p) for p in resource.sensitive_attributes}
    attrs = _masked(dict(resource.attributes), (), sensitive)
    return "\n".join([f"# {resource.address}:",
                      f'resource "{resource.address.type}" "{resource.address.name}" {{',
                      *_body(attrs, schema.attributes if schema else None, 4), "}"])


def _is_block(value: Any, attr: AttributeSchema | None) -> bool:
    if attr is not None and attr.fields is None:
        return False  # a map or a list of scalars: an attribute
    if isinstance(value, dict):
        return attr is not None  # without a schema a dict is a map attribute
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _body(obj: Mapping[str, Any], fields: Mapping[str, AttributeSchema] | None,
          indent: int) -> list[str]:
    pad = " " * indent
    plain: list[tuple[str, Any]] = []
    blocks: list[tuple[str, Any, AttributeSchema | None]] = []
    for key in sorted(obj):
        value = obj[key]
        if value is None:
            continue
        attr = fields.get(key) if fields else None
        if _is_block(value, attr):
            blocks.append((key, value, attr))
        else:
            plain.append((key, value))
    width = max((len(k) for k, _ in plain), default=0)
    lines = []
    for key, value in plain:
        text = _value(value, indent)
        lines.append(f"{pad}{key:<{width}} = {text}")
    for key, value, attr in blocks:
        for element in value if isinstance(value, list) else [value]:
            lines += ["", f"{pad}{key} {{",
                      *_body(element, attr.fields if attr else None, indent + 4), f"{pad}}}"]
    return lines


def _value(value: Any, indent: int) -> str:
    pad = " " * indent
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}    {_value(v, indent + 4)}," for v in value]
        return "\n".join(["[", *items, f"{pad}]"])
    if isinstance(value, dict):
        if not value:
            return "{}"
        width = max(len(json.dumps(k)) for k in value)
        items = [f"{pad}    {json.dumps(k):<{width}} = {_value(v, indent + 4)}"
                 for k, v in sorted(value.items())]
        return "\n".join(["{", *items, f"{pad}}}"])
    if value == "(sensitive value)":
        return str(value)
    return json.dumps(value)
