"""What a saved plan file records about the inputs it was made from, without secrets:
``-var`` values as salted digests (apply asks for them again and checks them), and the
``-backend``/``-state`` choice without credentials (apply writes where the plan was made)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from albform.cli.working_dir import is_secret
from albform.cli.workspace import Workspace


def _variable_digest(value: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", value.encode(), salt, 100_000).hex()


def without_variable_values(record: dict[str, Any]) -> dict[str, Any]:
    """A source record for a plan file: ``-var`` values (often credentials) are replaced by
    salted digests, so apply can tell a different value from the one planned with."""
    params = dict(record.get("params") or {})
    values = params.get("variables") or {}
    if not values:
        return record
    salt = os.urandom(16)
    params["variables"] = {}
    params["variable_digests"] = {"salt": salt.hex(), "values": {
        name: _variable_digest(str(value), salt) for name, value in values.items()}}
    return {**record, "params": params}


def with_variable_values(record: Mapping[str, Any], given: Mapping[str, str],
                          env: Mapping[str, str]) -> dict[str, Any]:
    """The source record with the ``-var`` values back (from ``given`` or ``TF_VAR_*``);
    ValueError naming the variable when one is missing or differs from the planned value."""
    params = dict(record.get("params") or {})
    digests = params.pop("variable_digests", None)
    if not digests:
        return dict(record)
    salt = bytes.fromhex(digests["salt"])
    values: dict[str, str] = {}
    for name, digest in sorted(digests["values"].items()):
        value = given.get(name, env.get(f"TF_VAR_{name}"))
        if value is None:
            raise ValueError(
                f'The plan was made with -var {name}=...; plan files do not keep variable '
                f"values (they may be credentials). Give it again with -var {name}=... or "
                f"TF_VAR_{name}.")
        if not hmac.compare_digest(_variable_digest(value, salt), digest):
            raise ValueError(f'The value given for variable "{name}" differs from the one '
                             "the plan was made with. Run plan again.")
        values[name] = value
    return {**record, "params": {**params, "variables": values}}


def backend_record(ws: Workspace) -> dict[str, Any]:
    """The workspace and the ``-backend``/``-state`` choice a plan was made with, without
    credentials (apply takes them from the environment, e.g. ``TF_HTTP_PASSWORD``,
    ``PG_CONN_STR``, or from ``-backend-config`` again), so that ``apply PLANFILE`` writes
    to the same place (Terraform records the backend and workspace in the plan)."""
    workspace = {"workspace": ws.workspace_name}
    if ws.state_path is not None:
        return {"backend": {"state": str(ws.resolve(ws.state_path))}, **workspace}
    if ws.backend_override is None:
        return workspace
    name, settings = ws.backend_override
    kept = {k: v for k, v in settings.items() if not is_secret(k)}
    return {"backend": {"name": name, "settings": kept}, **workspace}


def check_plan_workspace(ws: Workspace, record: Any) -> str | None:
    """Why ``apply PLANFILE`` must not run in ``ws`` (another workspace is selected than
    the one the plan was made in), or None. Plans saved before workspaces have none."""
    if isinstance(record, str) and record != ws.workspace_name:
        return (f'The plan was made in workspace "{record}", but workspace '
                f'"{ws.workspace_name}" is selected. Select "{record}" (or set TF_WORKSPACE) '
                "to apply it, or plan again in this workspace.")
    return None


def with_plan_backend(ws: Workspace, record: Any) -> Workspace:
    """The saved plan's backend unless this command names one itself."""
    if not isinstance(record, dict) or ws.state_path is not None \
            or ws.backend_override is not None:
        return ws
    if record.get("state"):
        return dataclasses.replace(ws, state_path=Path(str(record["state"])))
    if record.get("name"):
        return dataclasses.replace(ws, backend_override=(str(record["name"]),
                                                         dict(record.get("settings") or {})))
    return ws
