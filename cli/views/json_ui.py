"""Terraform's machine-readable UI (``plan -json``, ``apply -json``, ``destroy -json``): one
JSON object per line, each with ``@level``, ``@message``, ``@module`` (``terraform.ui``),
``@timestamp`` and ``type`` — ``version``, ``refresh_start``/``refresh_complete``,
``resource_drift``, ``planned_change``, ``change_summary``, ``outputs``,
``apply_start``/``apply_complete``/``apply_errored``, ``diagnostic`` — with Terraform's keys
(UI format 1.2). Every line is a whole document: a consumer reads line by line, and a failed
command adds ``diagnostic`` lines, never a second multi-line document.

``JsonUI`` is also the engine ``Hook`` for the progress events (thread-safe). Lines go out
through ``LineWriter`` (``views/lines.py``): flushed as written on a terminal, once a second
otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from albform import __version__
from albform.cli.views.lines import LineWriter
from albform.cli.views.progress import DONE_MESSAGES, START_MESSAGES
from albform.engine.addrs import ResourceAddress
from albform.engine.changes import Action, OutputChange, Plan, ResourceChange
from albform.engine.diagnostics import Diagnostic
from albform.engine.render import render_apply_summary
from albform.engine.state.model import TERRAFORM_VERSION

UI_VERSION = "1.2"

# planned_change "action" and its message verb.
_ACTIONS = {
    Action.NOOP: "noop", Action.CREATE: "create", Action.READ: "read",
    Action.UPDATE: "update", Action.DELETE: "delete",
    Action.DELETE_THEN_CREATE: "replace", Action.CREATE_THEN_DELETE: "replace",
}
# Plan JSON action_reason → the UI's shorter "reason" (Terraform's views/json/change.go).
_REASONS = {
    "replace_because_tainted": "tainted",
    "replace_by_request": "requested",
    "replace_because_cannot_update": "cannot_update",
    "replace_by_triggers": "replace_triggered_by",
}
_HOOK_FAILED = {Action.CREATE: "Creation errored", Action.UPDATE: "Modifications errored",
                Action.DELETE: "Destruction errored", Action.READ: "Read errored"}


# One encoder for every line (``json.dumps`` with separators builds one per call).
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def resource_json(address: ResourceAddress) -> dict[str, Any]:
    """Terraform's ``resource`` object of a UI event."""
    addr = str(address)
    # Two events per applied object: a root module's address is its own "resource".
    return {"addr": addr, "module": address.module_path,
            "resource": str(dataclasses.replace(address, module=())) if address.module
            else addr,
            "implied_provider": address.type.split("_", 1)[0],
            "resource_type": address.type, "resource_name": address.name,
            "resource_key": address.key}


def diagnostic_line(diag: Diagnostic) -> dict[str, Any]:
    from albform.cli.views.diagnostics import diagnostic_json

    label = "Error" if diag.is_error else "Warning"
    return {"@level": "error" if diag.is_error else "warn",
            "@message": f"{label}: {diag.summary}", "@module": "terraform.ui",
            "@timestamp": _now(), "diagnostic": diagnostic_json(diag), "type": "diagnostic"}


class JsonUI:
    def __init__(self) -> None:
        self._lines = LineWriter()

    def _emit(self, kind: str, message: str, level: str = "info", **fields: Any) -> None:
        self._lines.write(_COMPACT.encode(self._line(kind, message, level, **fields)))

    @staticmethod
    def _line(kind: str, message: str, level: str = "info", **fields: Any) -> dict[str, Any]:
        return {"@level": level, "@message": message, "@module": "terraform.ui",
                "@timestamp": _now(), **fields, "type": kind}

    # -- whole-command events -----------------------------------------------------------
    def version(self) -> None:
        self._emit("version", f"albform {__version__} (Terraform {TERRAFORM_VERSION})",
                   terraform=TERRAFORM_VERSION, albform=__version__, ui=UI_VERSION)

    def diagnostics(self, diags: Iterable[Diagnostic]) -> None:
        for diag in diags:
            self._lines.write(_COMPACT.encode(diagnostic_line(diag)))
        self._lines.flush()

    def plan(self, plan: Plan) -> None:
        """Drift, planned changes, the summary line and the planned outputs."""
        for c in plan.drift:
            self._change("resource_drift", c, "Drift detected")
        for c in plan.changes:
            if c.is_change and not (c.address.is_data and c.action is Action.NOOP):
                self._change("planned_change", c, "Plan to")
        s = plan.summary()
        self._summary("plan", s, f"Plan: {s.add} to add, {s.change} to change, "
                                 f"{s.destroy} to destroy." if not s.imported else
                      f"Plan: {s.imported} to import, {s.add} to add, {s.change} to change, "
                      f"{s.destroy} to destroy.")
        if plan.output_changes:
            self._emit("outputs", f"Outputs: {len(plan.output_changes)}", outputs={
                o.name: {"sensitive": o.sensitive, "action": _output_action(o)}
                for o in plan.output_changes})

    def applied(self, outcome: Any, *, destroy: bool) -> None:
        s = outcome.summary
        self._summary("destroy" if destroy else "apply", s,
                      render_apply_summary(outcome, destroy=destroy))
        outputs: Mapping[str, Any] = getattr(outcome.state, "outputs", {}) or {}
        if outputs and not destroy:
            self._emit("outputs", f"Outputs: {len(outputs)}", outputs={
                name: {"sensitive": o.sensitive, "type": o.type}
                | ({} if o.sensitive else {"value": o.value})
                for name, o in sorted(outputs.items())})

    def _change(self, kind: str, c: ResourceChange, verb: str) -> None:
        action = _ACTIONS[c.action]
        if c.previous_address is not None and c.action is Action.NOOP:
            action = "move"
        elif c.importing_id is not None and c.action is Action.NOOP:
            action = "import"
        change: dict[str, Any] = {"resource": resource_json(c.address), "action": action}
        if c.previous_address is not None:
            change["previous_resource"] = resource_json(c.previous_address)
        if c.reason:
            change["reason"] = _REASONS.get(c.reason, c.reason)
        if c.importing_id is not None:
            change["importing"] = {"id": c.importing_id}
        self._emit(kind, f"{c.address}: {verb} {action}" if kind == "planned_change"
                   else f"{c.address}: {verb} ({action})", change=change)

    def _summary(self, operation: str, s: Any, message: str) -> None:
        self._emit("change_summary", message, changes={
            "add": s.add, "change": s.change, "import": s.imported, "remove": s.destroy,
            "operation": operation})

    # -- engine Hook ----------------------------------------------------------------------
    def pre_refresh_all(self, addresses: Sequence[ResourceAddress]) -> None:
        # A refresh_start line per object, in one write (see ProgressView.pre_refresh_all).
        if addresses:
            self._lines.write("\n".join(_COMPACT.encode(self._line(
                "refresh_start", f"{a}: Refreshing state...",
                hook={"resource": resource_json(a)})) for a in addresses))

    def post_refresh(self, address: ResourceAddress, gone: bool) -> None:
        self._emit("refresh_complete", f"{address}: Refresh complete",
                   hook={"resource": resource_json(address)})

    def pre_apply(self, address: ResourceAddress, action: Action) -> None:
        if action in START_MESSAGES:
            self._emit("apply_start", f"{address}: {START_MESSAGES[action]}",
                       hook={"resource": resource_json(address), "action": _ACTIONS[action]})

    def post_apply(self, address: ResourceAddress, action: Action, error: str | None,
                   elapsed: float) -> None:
        if action not in DONE_MESSAGES:
            return
        hook = {"resource": resource_json(address), "action": _ACTIONS[action],
                "elapsed_seconds": int(elapsed)}
        if error is None:
            self._emit("apply_complete",
                       f"{address}: {DONE_MESSAGES[action]} after {int(elapsed)}s", hook=hook)
        else:
            self._emit("apply_errored", f"{address}: {_HOOK_FAILED[action]} after "
                       f"{int(elapsed)}s", level="error", hook=hook)

    def state_persisted(self, serial: int) -> None:
        pass

    def message(self, text: str) -> None:
        self._emit("log", text)


def _output_action(o: OutputChange) -> str:
    return _ACTIONS[o.action]
