"""``backend_from_config``: the backend a ``terraform { backend "X" { ... } }`` block selects.

Supported: ``local`` (the default when there is no block), ``http`` and ``pg``, with
Terraform's setting names and environment fallbacks (``TF_HTTP_*``, ``PG_CONN_STR``,
``PG_SCHEMA_NAME``, ``PG_SKIP_*``). A mistake in the block (unknown backend or setting,
missing or mistyped value) raises ``DiagnosticsError`` saying which setting and why; nothing
is connected until the backend is first used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from albform.engine.diagnostics import Diagnostic, DiagnosticsError
from albform.engine.schema import ResourceSchema
from albform.engine.state.backends.base import StateBackend
from albform.engine.state.backends.http import HttpBackend, default_journal_path
from albform.engine.state.backends.local import DEFAULT_STATE_FILE, LocalBackend
from albform.engine.state.backends.pg import DEFAULT_SCHEMA, PgBackend
from albform.engine.state.backends.workspaces import (
    DEFAULT_WORKSPACE,
    DEFAULT_WORKSPACE_DIR,
    DefaultOnly,
    LocalWorkspaces,
    PgWorkspaces,
    WorkspaceStore,
)
from albform.engine.state.decoded_memo import state_memo

SUMMARY = "Invalid backend configuration"
_HTTP_STRINGS = ("address", "update_method", "lock_address", "unlock_address", "lock_method",
                 "unlock_method", "username", "password")
_HTTP_NUMBERS = ("retry_max", "retry_wait_min", "retry_wait_max")
_HTTP_UNSUPPORTED = ("client_ca_certificate_pem", "client_certificate_pem",
                     "client_private_key_pem", "headers")
_PG_SKIPS = ("skip_schema_creation", "skip_table_creation", "skip_index_creation")


def backend_from_config(
    name: str | None,
    settings: Mapping[str, Any] | None,
    workdir: str | os.PathLike[str],
    *,
    schemas: Mapping[str, ResourceSchema] | None = None,
    environ: Mapping[str, str] | None = None,
    workspace: str = DEFAULT_WORKSPACE,
) -> StateBackend:
    """The backend named ``name`` (None means local) configured by ``settings``, holding
    ``workspace``; relative local paths are resolved against ``workdir``."""
    return workspaces_from_config(name, settings, workdir, schemas=schemas,
                                  environ=environ).backend(workspace)


def workspaces_from_config(
    name: str | None,
    settings: Mapping[str, Any] | None,
    workdir: str | os.PathLike[str],
    *,
    schemas: Mapping[str, ResourceSchema] | None = None,
    environ: Mapping[str, str] | None = None,
) -> WorkspaceStore:
    """The workspaces of the backend ``name`` configured by ``settings`` (see
    ``workspaces``); raises ``DiagnosticsError`` for a mistake in the settings."""
    env = os.environ if environ is None else environ
    given = dict(settings or {})
    builders: dict[str, Callable[[_Settings], WorkspaceStore]] = {
        "local": lambda s: _local(s, Path(workdir), schemas),
        "http": lambda s: _http(s, Path(workdir), schemas),
        "pg": lambda s: _pg(s, schemas),
    }
    kind = name or "local"
    if kind not in builders:
        raise _error(f'Unsupported backend type "{kind}": albform supports "local", "http" '
                     'and "pg".')
    return builders[kind](_Settings(kind, given, env))


def _error(detail: str) -> DiagnosticsError:
    return DiagnosticsError([Diagnostic.error(SUMMARY, detail)])


class _Settings:
    """Typed access to one backend block; records which keys were used."""

    def __init__(self, kind: str, given: dict[str, Any], env: Mapping[str, str]) -> None:
        self.kind, self.given, self.env = kind, given, env
        self.used: set[str] = set()

    def raw(self, key: str, env_name: str | None) -> Any:
        self.used.add(key)
        if self.given.get(key) is not None:
            return self.given[key]
        return self.env.get(env_name) if env_name else None

    def string(self, key: str, env_name: str | None = None, default: str | None = None
               ) -> str | None:
        value = self.raw(key, env_name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise _error(f'backend "{self.kind}": "{key}" must be a string, got {value!r:.40}')
        return value

    def flag(self, key: str, env_name: str | None = None) -> bool:
        value = self.raw(key, env_name)
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise _error(f'backend "{self.kind}": "{key}" must be true or false, got {value!r:.40}')

    def number(self, key: str, env_name: str, default: float) -> float:
        value = self.raw(key, env_name)
        if value is None:
            return default
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if number < 0 or isinstance(value, bool):
            raise _error(f'backend "{self.kind}": "{key}" must be a non-negative number, '
                         f"got {value!r:.40}")
        return number

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.given) - self.used)
        if unknown:
            raise _error(f'backend "{self.kind}" has no setting "{unknown[0]}"'
                         + (f' (also: {", ".join(unknown[1:])})' if unknown[1:] else ""))


def _local(s: _Settings, workdir: Path,
           schemas: Mapping[str, ResourceSchema] | None) -> WorkspaceStore:
    path = Path(s.string("path", default=DEFAULT_STATE_FILE) or DEFAULT_STATE_FILE)
    directory = Path(s.string("workspace_dir", default=DEFAULT_WORKSPACE_DIR)
                     or DEFAULT_WORKSPACE_DIR)
    s.reject_unknown()
    return LocalWorkspaces(path if path.is_absolute() else workdir / path,
                           directory if directory.is_absolute() else workdir / directory,
                           lambda p: LocalBackend(p, schemas=schemas,
                                                  memo=state_memo(workdir, p, s.env, schemas)))


def _http(s: _Settings, workdir: Path,
          schemas: Mapping[str, ResourceSchema] | None) -> WorkspaceStore:
    for key in _HTTP_UNSUPPORTED:
        if s.given.get(key) is not None:
            raise _error(f'backend "http": "{key}" is not supported by albform yet')
    text = {key: s.string(key, f"TF_HTTP_{key.upper()}") for key in _HTTP_STRINGS}
    address = text.pop("address")
    if not address:
        raise _error('backend "http": "address" is required (or set TF_HTTP_ADDRESS)')
    retry_max = s.number("retry_max", "TF_HTTP_RETRY_MAX", 2)
    wait_min = s.number("retry_wait_min", "TF_HTTP_RETRY_WAIT_MIN", 1)
    wait_max = s.number("retry_wait_max", "TF_HTTP_RETRY_WAIT_MAX", 30)
    skip_verify = s.flag("skip_cert_verification", "TF_HTTP_SKIP_CERT_VERIFICATION")
    s.reject_unknown()
    return DefaultOnly(lambda: HttpBackend(
        address,
        update_method=text["update_method"] or "POST",
        lock_address=text["lock_address"] or None,
        unlock_address=text["unlock_address"] or None,
        lock_method=text["lock_method"] or "LOCK",
        unlock_method=text["unlock_method"] or "UNLOCK",
        username=text["username"] or None,
        password=text["password"],
        skip_cert_verification=skip_verify,
        retry_max=int(retry_max),
        retry_wait_min=wait_min,
        retry_wait_max=wait_max,
        schemas=schemas,
        journal_path=default_journal_path(address, workdir),
    ))


def _pg(s: _Settings, schemas: Mapping[str, ResourceSchema] | None) -> WorkspaceStore:
    conn_str = s.string("conn_str", "PG_CONN_STR")
    if not conn_str:
        raise _error('backend "pg": "conn_str" is required (or set PG_CONN_STR)')
    schema_name = s.string("schema_name", "PG_SCHEMA_NAME", DEFAULT_SCHEMA) or DEFAULT_SCHEMA
    skip_schema, skip_table, skip_index = (s.flag(key, f"PG_{key.upper()}") for key in _PG_SKIPS)
    s.reject_unknown()
    return PgWorkspaces(lambda workspace: PgBackend(
        conn_str, schema_name=schema_name, workspace=workspace,
        skip_schema_creation=skip_schema, skip_table_creation=skip_table,
        skip_index_creation=skip_index, schemas=schemas))
