"""Saved plans: ``plan -out=FILE`` writes one, ``apply FILE`` reads it back.

A saved plan is a zip (like Terraform's) holding:

* ``plan.json`` — format version, lineage/serial/timestamp, options, the resource changes
  (before/after, attribute changes, reasons...), output changes and drift;
* ``tfstate`` / ``tfstate-prev`` — the refreshed prior state and the stored state, in the
  Terraform v4 codec (serial and lineage as read);
* ``config-source.json`` — the CLI's descriptor of where the configuration came from.

The ``Configuration`` itself is *not* stored: its ``Deferred`` values are code. The CLI
passes ``config_source`` (front end and its arguments) and, at apply, re-loads the
configuration from it; ``load_plan`` returns the plan with ``configuration=None``, that
descriptor, and the digests of every input the configuration was read from
(``Configuration.inputs``, engine/inputs.py), which ``check_inputs_unchanged`` compares with
the re-loaded configuration's. ``UNKNOWN`` is stored as a marker object.
Sensitive values (per ``schemas``, and sensitive output values) are never written: they load
back as ``UNKNOWN`` (outputs in the embedded states as ``None``) — apply takes its values from
the re-loaded configuration, not from the plan. Files are written
atomically (temp file + rename). ``check_plan_fresh`` refuses a plan whose state moved.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from albform.engine.addrs import ResourceAddress
from albform.engine.changes import (
    Action,
    AttributeChange,
    OutputChange,
    Plan,
    PlanOptions,
    ResourceChange,
)
from albform.engine.config import Configuration
from albform.engine.inputs import changed_inputs
from albform.engine.recovery import Recovery
from albform.engine.schema import AttributeSchema, ResourceSchema
from albform.engine.state.codec import decode_state, encode_state
from albform.engine.state.model import State
from albform.engine.values import UNKNOWN

PLANFILE_FORMAT = "albform-plan/2"  # 2: plan.json records the input digests
_MARK = "$albform"


class PlanFileError(ValueError):
    """The file is not a saved plan this version can read; the message says why."""


class StalePlanError(Exception):
    """The state changed since the plan was made; the message is Terraform's detail text
    and ``summary`` its summary line."""

    def __init__(self, summary: str, detail: str) -> None:
        super().__init__(detail)
        self.summary = summary


@dataclass(frozen=True, slots=True)
class SavedPlan:
    plan: Plan
    config_source: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, str] = field(default_factory=dict)


# -- values --------------------------------------------------------------------------------

def _encode(value: Any, fields: Mapping[str, AttributeSchema] | None = None) -> Any:
    if value is UNKNOWN:
        return {_MARK: "unknown"}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            attr = fields.get(k) if fields else None
            if attr is not None and attr.sensitive and v is not None:
                out[k] = {_MARK: "unknown"}
            else:
                out[k] = _encode(v, attr.fields if attr else None)
        # A real object that happens to use our marker key is escaped, never confused.
        return {_MARK: "object", "value": out} if _MARK in value else out
    if isinstance(value, list | tuple):
        return [_encode(v, fields) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        mark = value.get(_MARK)
        if mark == "unknown":
            return UNKNOWN
        if mark == "withheld":
            return None  # a known sensitive output value, never written (see _encode_output)
        if mark == "object":
            return {k: _decode(v) for k, v in value["value"].items()}
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _path(path: tuple[str | int, ...]) -> list[str | int]:
    return list(path)


# -- changes -------------------------------------------------------------------------------

def _encode_change(c: ResourceChange, schema: ResourceSchema | None) -> dict[str, Any]:
    fields = schema.attributes if schema is not None else None
    sensitive = set(schema.sensitive_paths()) if schema is not None else set()
    return {
        "address": str(c.address),
        "action": c.action.value,
        "before": _encode(c.before, fields) if c.before is not None else None,
        "after": _encode(c.after, fields) if c.after is not None else None,
        "attribute_changes": [
            {"path": _path(a.path),
             "before": _encode(a.before) if _plain(a.path) not in sensitive else
             {_MARK: "unknown"},
             "after": _encode(a.after) if _plain(a.path) not in sensitive else
             {_MARK: "unknown"},
             "forces_replacement": a.forces_replacement}
            for a in c.attribute_changes],
        "reason": c.reason,
        "replace_paths": [_path(p) for p in c.replace_paths],
        "provider": c.provider,
        "previous_address": str(c.previous_address) if c.previous_address else None,
        "importing_id": c.importing_id,
        "after_unknown": [_path(p) for p in c.after_unknown],
        "deposed": c.deposed,
    }


def _plain(path: tuple[str | int, ...]) -> tuple[str, ...]:
    return tuple(p for p in path if isinstance(p, str))


def _decode_change(doc: Mapping[str, Any]) -> ResourceChange:
    def address(text: str | None) -> ResourceAddress | None:
        return ResourceAddress.parse(text) if text else None

    return ResourceChange(
        address=ResourceAddress.parse(doc["address"]),
        action=Action(doc["action"]),
        before=_decode(doc["before"]),
        after=_decode(doc["after"]),
        attribute_changes=tuple(
            AttributeChange(tuple(a["path"]), _decode(a["before"]), _decode(a["after"]),
                            bool(a["forces_replacement"]))
            for a in doc["attribute_changes"]),
        reason=doc["reason"],
        replace_paths=tuple(tuple(p) for p in doc["replace_paths"]),
        provider=doc["provider"],
        previous_address=address(doc["previous_address"]),
        importing_id=doc["importing_id"],
        after_unknown=tuple(tuple(p) for p in doc["after_unknown"]),
        deposed=doc.get("deposed"),
    )


def _encode_output(o: OutputChange) -> dict[str, Any]:
    """A sensitive output's value is never written: a known one is marked "withheld" (it
    loads back as null: known, and sensitive), one not known until apply "unknown"."""
    def hidden(value: Any) -> Any:
        if not o.sensitive or value is None:
            return _encode(value)
        return {_MARK: "unknown" if _contains_unknown(value) else "withheld"}

    return {"name": o.name, "action": o.action.value, "sensitive": o.sensitive,
            "before": hidden(o.before), "after": hidden(o.after)}


def _contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return False


def _encode_options(o: PlanOptions) -> dict[str, Any]:
    return {"targets": [str(t) for t in o.targets], "replace": [str(r) for r in o.replace],
            "refresh": o.refresh, "refresh_only": o.refresh_only, "destroy": o.destroy,
            "max_delete_fraction": o.max_delete_fraction, "force": o.force}


def _decode_options(doc: Mapping[str, Any]) -> PlanOptions:
    return PlanOptions(
        targets=tuple(ResourceAddress.parse(t) for t in doc["targets"]),
        replace=tuple(ResourceAddress.parse(r) for r in doc["replace"]),
        refresh=doc["refresh"], refresh_only=doc["refresh_only"], destroy=doc["destroy"],
        max_delete_fraction=doc["max_delete_fraction"], force=doc["force"])


# -- files ---------------------------------------------------------------------------------

def save_plan(plan: Plan, path: str | os.PathLike[str], *,
              config_source: Mapping[str, Any] | None = None,
              schemas: Mapping[str, ResourceSchema] | None = None) -> None:
    """Write ``plan`` to ``path`` atomically; see the module docstring."""
    schemas = schemas or {}
    doc = {
        "format": PLANFILE_FORMAT,
        "lineage": plan.lineage,
        "serial": plan.serial,
        "timestamp": plan.timestamp,
        "errored": plan.errored,
        "complete": plan.complete,
        "options": _encode_options(plan.options),
        "changes": [_encode_change(c, schemas.get(c.type)) for c in plan.changes],
        "output_changes": [_encode_output(o) for o in plan.output_changes],
        "drift": [_encode_change(c, schemas.get(c.type)) for c in plan.drift],
        "recovered": [r.to_json() for r in plan.recovered],
        "journal_digest": plan.journal_digest,
        "inputs": dict(plan.configuration.inputs) if plan.configuration is not None else {},
    }
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w",
                                                         zipfile.ZIP_DEFLATED) as z:
            z.writestr("plan.json", json.dumps(doc, separators=(",", ":")))
            # The codec withholds sensitive attributes and sensitive output values. The plan
            # file is albform's own container: its states keep the engine's values (no
            # provider state form), so ``load_plan`` needs no schemas to read them back.
            engine_schemas = _WithoutStateForm(schemas)
            z.writestr("tfstate", encode_state(plan.prior_state or State(), engine_schemas))
            z.writestr("tfstate-prev",
                       encode_state(plan.prev_run_state or State(), engine_schemas))
            z.writestr("config-source.json", json.dumps(dict(config_source or {})))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _WithoutStateForm(Mapping[str, ResourceSchema]):
    """``schemas`` with no provider state form, looked up lazily (a provider's mapping may
    build each schema on first use)."""

    def __init__(self, schemas: Mapping[str, ResourceSchema]) -> None:
        self._schemas = schemas

    def __getitem__(self, key: str) -> ResourceSchema:
        return replace(self._schemas[key], state_form=None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._schemas)

    def __len__(self) -> int:
        return len(self._schemas)


def is_plan_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a saved plan (a zip) rather than, say, a state file."""
    return zipfile.is_zipfile(path) if os.path.isfile(path) else False


def load_plan(path: str | os.PathLike[str]) -> SavedPlan:
    """Read a saved plan; ``PlanFileError`` (with the reason) for anything else."""
    try:
        with zipfile.ZipFile(path) as z:
            doc = json.loads(z.read("plan.json"))
            prior = decode_state(z.read("tfstate"))
            prev = decode_state(z.read("tfstate-prev"))
            source = json.loads(z.read("config-source.json"))
    except FileNotFoundError as exc:
        raise PlanFileError(f"The saved plan {path} does not exist.") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanFileError(f"{path} is not a saved albform plan: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != PLANFILE_FORMAT:
        raise PlanFileError(f"{path} is a plan of another format ({doc.get('format')!r}); "
                            f"this version reads {PLANFILE_FORMAT!r}. Run plan again.")
    try:
        plan = Plan(
            changes=tuple(_decode_change(c) for c in doc["changes"]),
            prior_state=prior,
            prev_run_state=prev,
            configuration=None,
            options=_decode_options(doc["options"]),
            output_changes=tuple(
                OutputChange(o["name"], Action(o["action"]), _decode(o["before"]),
                             _decode(o["after"]), o["sensitive"])
                for o in doc["output_changes"]),
            drift=tuple(_decode_change(c) for c in doc["drift"]),
            lineage=doc["lineage"], serial=doc["serial"], errored=doc["errored"],
            complete=doc["complete"], timestamp=doc["timestamp"],
            recovered=tuple(Recovery.from_json(r) for r in doc.get("recovered", [])),
            journal_digest=doc.get("journal_digest", ""))
        inputs = {str(k): str(v) for k, v in doc["inputs"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanFileError(f"{path} is a damaged saved plan: {exc!r}") from exc
    return SavedPlan(plan, source, inputs)


def check_inputs_unchanged(saved: Mapping[str, str], configuration: Configuration) -> None:
    """Raise ``StalePlanError`` naming the inputs (files, a live cluster...) that differ
    between the plan and the configuration loaded again to apply it."""
    changed = changed_inputs(saved, configuration.inputs)
    if changed:
        shown = "\n".join(f"  {name}" for name in changed[:20])
        more = f"\n  ... and {len(changed) - 20} more" if len(changed) > 20 else ""
        raise StalePlanError(
            "Saved plan does not match the configuration",
            f"The configuration was read from inputs that changed after this plan was "
            f"saved:\n{shown}{more}\nApplying it could only fail half-way. Run plan again.")


def check_plan_fresh(plan: Plan, current: State) -> None:
    """Raise ``StalePlanError`` unless ``current`` is the state the plan was made from.
    A plan made against no state (serial 0, nothing stored: its lineage was only a fresh
    default) only compares serials, as Terraform does for an empty lineage."""
    prev: State | None = plan.prev_run_state
    first_plan = plan.serial == 0 and (plan.lineage == "" or prev is None or prev.is_empty)
    if not first_plan and plan.lineage != current.lineage:
        raise StalePlanError(
            "Saved plan does not match the given state",
            "The given plan file can not be applied because it was created from a different "
            f"state (lineage {plan.lineage}, the current state has {current.lineage}).")
    if plan.serial != current.serial:
        raise StalePlanError(
            "Saved plan is stale",
            "The given plan file can no longer be applied because the state was changed by "
            "another operation after the plan was created.")
