"""The machine-readable plan: Terraform's ``terraform show -json PLANFILE`` shape, format 1.2.

Keys and ``actions``/``action_reason`` strings follow docs/terraform-compat.md §5.1 exactly, since
PR tools parse them. One deliberate difference: sensitive values (per schema, and sensitive
outputs) are **never** written — they become ``null``, with ``before_sensitive`` /
``after_sensitive`` / ``sensitive_values`` mirror trees marking where they were; the same
holds in ``configuration`` (``json_config``). Unknown values are left out of ``after`` and
marked ``true`` in ``after_unknown``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, OutputChange, Plan, ResourceChange
from albform.engine.render.json_common import address_fields, masked, provider_name
from albform.engine.render.json_config import render_configuration
from albform.engine.schema import ResourceSchema
from albform.engine.state.model import TERRAFORM_VERSION, State, deposed_sort_key
from albform.engine.values import UNKNOWN

FORMAT_VERSION = "1.2"
STATE_FORMAT_VERSION = "1.0"


def _object(value: Mapping[str, Any] | None, schema: ResourceSchema | None,
            ) -> tuple[Any, Any, Any]:
    if value is None:
        return None, False, {}
    shown, sens, unk = masked(dict(value), schema.attributes if schema else None)
    return shown, sens or {}, unk or {}


def _resource_change(c: ResourceChange, schema: ResourceSchema | None) -> dict[str, Any]:
    before, before_sens, _ = _object(c.before, schema)
    after, after_sens, after_unknown = _object(c.after, schema)
    entry = address_fields(c.address)
    if c.previous_address is not None:
        entry["previous_address"] = str(c.previous_address)
    entry["provider_name"] = provider_name(c.provider)
    if c.deposed is not None:
        entry["deposed"] = c.deposed
    change: dict[str, Any] = {
        "actions": c.action.json_actions(),
        "before": before,
        "after": after,
        "after_unknown": after_unknown,
        "before_sensitive": before_sens if c.before is not None else False,
        "after_sensitive": after_sens if c.after is not None else False,
    }
    if c.replace_paths:
        change["replace_paths"] = [list(p) for p in c.replace_paths]
    if c.importing_id is not None:
        change["importing"] = {"id": c.importing_id}
    entry["change"] = change
    if c.reason:
        entry["action_reason"] = c.reason
    return entry


def _module_tree(resources: list[tuple[ResourceAddress, dict[str, Any]]]) -> dict[str, Any]:
    """Terraform's nested ``root_module`` / ``child_modules`` grouping."""
    root: dict[str, Any] = {}
    for address, entry in resources:
        node = root
        for depth in range(1, len(address.module) + 1):
            path = ".".join(str(s) for s in address.module[:depth])
            children = node.setdefault("child_modules", [])
            found = next((m for m in children if m["address"] == path), None)
            if found is None:
                found = {"address": path}
                children.append(found)
            node = found
        node.setdefault("resources", []).append(entry)
    return root


def _values_entry(address: ResourceAddress, provider: str, attrs: Mapping[str, Any],
                  schema: ResourceSchema | None) -> dict[str, Any]:
    values, sens, _ = _object(attrs, schema)
    return {**address_fields(address), "provider_name": provider_name(provider),
            "schema_version": 0, "values": values, "sensitive_values": sens}


def _output_value(o: OutputChange, value: Any) -> tuple[Any, bool]:
    """(value as written, unknown?). A sensitive output's known value is never written:
    null, with ``after_sensitive`` true and ``after_unknown`` false (known and sensitive)."""
    if o.sensitive and value is not None:
        return None, value is UNKNOWN or _has_unknown(value)
    shown, _, unknown = masked(value, None)
    return (None if unknown is True else shown), unknown is True


def _output_change(o: OutputChange) -> dict[str, Any]:
    before, _ = _output_value(o, o.before)
    after, after_unknown = _output_value(o, o.after)
    return {"actions": o.action.json_actions(), "before": before, "after": after,
            "after_unknown": after_unknown, "before_sensitive": o.sensitive,
            "after_sensitive": o.sensitive}


def _has_unknown(value: Any) -> bool:
    return masked(value, None)[2] not in (False, {}, [])


def _without_paths(value: Any, paths: Sequence[tuple[str | int, ...]]) -> Any:
    """``value`` with every listed path set to null (the state's own sensitive paths: a
    second guard for types the caller gave no schema for)."""
    if not paths:
        return value
    out = copy.deepcopy(value)
    for path in paths:
        node = out
        for step in path[:-1]:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = None
                break
        last = path[-1] if path else None
        in_dict = isinstance(node, dict) and last in node
        in_list = isinstance(node, list) and isinstance(last, int) and last < len(node)
        if in_dict or in_list:
            node[path[-1]] = None
    return out


def _state_values(state: State, schemas: Mapping[str, ResourceSchema]) -> dict[str, Any]:
    # Deposed objects follow their address's current object, with ``deposed_key`` (as
    # ``terraform show -json`` lists them).
    objects = sorted((*state.resources, *state.deposed), key=deposed_sort_key) \
        if state.deposed else state.resources
    resources = [(r.address, _values_entry(
        r.address, r.provider, _without_paths(r.attributes, r.sensitive_attributes),
        schemas.get(r.address.type)) | ({"deposed_key": r.deposed} if r.deposed else {}))
        for r in objects]
    outputs = {name: {"sensitive": o.sensitive, "value": None if o.sensitive else o.value,
                      "type": o.type}
               for name, o in state.outputs.items()}
    return {"outputs": outputs, "root_module": _module_tree(resources)}


def render_state_json(state: State | None,
                      schemas: Mapping[str, ResourceSchema]) -> dict[str, Any]:
    """``state`` as ``terraform show -json`` prints a state (format 1.0); sensitive values
    null, as everywhere here. No state: only ``format_version``, as Terraform."""
    if state is None or state.is_empty:
        return {"format_version": STATE_FORMAT_VERSION}
    return {"format_version": STATE_FORMAT_VERSION,
            "terraform_version": state.terraform_version,
            "values": _state_values(state, schemas)}


def render_plan_json(plan: Plan, schemas: Mapping[str, ResourceSchema]) -> dict[str, Any]:
    """``plan`` as Terraform's plan JSON document (a dict ready for ``json.dumps``)."""
    listed = [c for c in plan.changes
              if not (c.address.is_data and c.action is Action.NOOP)]
    planned = [(c.address, _values_entry(c.address, c.provider, c.after,
                                         schemas.get(c.type)))
               for c in plan.changes if c.after is not None and c.action is not Action.READ]
    if plan.options.refresh_only and plan.prior_state is not None:
        # Nothing changes but the state: the planned values are the refreshed objects.
        planned = [(r.address, _values_entry(r.address, r.provider, r.attributes,
                                             schemas.get(r.address.type)))
                   for r in plan.prior_state.resources]
    planned_outputs = {}
    for o in plan.output_changes:
        if o.action is Action.DELETE:
            continue
        value, unknown = _output_value(o, o.after)
        planned_outputs[o.name] = {"sensitive": o.sensitive} | (
            {} if unknown else {"value": value})
    planned_values: dict[str, Any] = {"outputs": planned_outputs} if planned_outputs else {}
    planned_values["root_module"] = _module_tree(planned)
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
    }
    if plan.configuration is not None and plan.configuration.variables:
        # A sensitive variable's value is never written (null), as every secret here.
        doc["variables"] = {v.name: {"value": None if v.sensitive else masked(v.value, None)[0]}
                            for v in plan.configuration.variables}
    doc["planned_values"] = planned_values
    if plan.drift:
        doc["resource_drift"] = [_resource_change(c, schemas.get(c.type)) for c in plan.drift]
    if plan.recovered:  # albform's own key: how an interrupted apply was reconciled
        doc["recovered_intents"] = [r.to_json() for r in plan.recovered]
    doc["resource_changes"] = [_resource_change(c, schemas.get(c.type)) for c in listed]
    if plan.output_changes:  # Terraform leaves the key out when there are no outputs
        doc["output_changes"] = {o.name: _output_change(o) for o in plan.output_changes}
    prior: State | None = plan.prior_state
    if prior is not None and not prior.is_empty:
        doc["prior_state"] = {"format_version": STATE_FORMAT_VERSION,
                              "terraform_version": prior.terraform_version,
                              "values": _state_values(prior, schemas)}
    doc["configuration"] = render_configuration(plan.configuration, schemas)
    if plan.drift:
        doc["relevant_attributes"] = [
            {"resource": str(c.address), "attribute": list(a.path)}
            for c in plan.drift for a in c.attribute_changes]
    doc["timestamp"] = plan.timestamp
    doc["applyable"] = plan.has_changes()
    doc["complete"] = plan.complete
    doc["errored"] = plan.errored
    return doc
