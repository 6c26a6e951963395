"""The working directory a command runs in, and how it opens its backend and provider.

This is the CLI's wiring point: the backend comes from the configuration's
``terraform { backend "X" {} }`` block plus what ``init`` recorded (local ``terraform.tfstate``
by default, or ``-state``), holding the selected workspace (``TF_WORKSPACE``, else
``.terraform/environment``, else ``default``; see ``working_dir``); the provider from the
``provider "avi"`` block or ``AVI_*`` variables — with no controller configured, the embedded
emulator (persistent under ``.albform/``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from albform.cli.views.diagnostics import show_diagnostics
from albform.engine.diagnostics import Diagnostic
from albform.engine.provider import Provider
from albform.engine.schema import ResourceSchema


@dataclass(frozen=True)
class Workspace:
    workdir: Path
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    state_path: Path | None = None  # -state=PATH overrides the configured backend
    # -backend=NAME / -backend-config=K=V: a backend for sources without a terraform block
    # (cluster commands), or overriding the configured one's settings.
    backend_override: tuple[str, Mapping[str, Any]] | None = None
    # The workspace a saved plan was made in (apply PLANFILE); None: the selected one.
    workspace: str | None = None

    @property
    def workspace_name(self) -> str:
        from albform.cli.working_dir import selected_workspace

        return self.workspace or selected_workspace(self.workdir, self.env)

    def resolve(self, path: str | Path) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.workdir / p

    def open_backend(self, backend: tuple[str, Mapping[str, Any]] | None = None,
                     provider: Provider | None = None) -> Any:
        """The selected workspace's state backend: the ``-state`` file, or the configured
        backend (block ``backend`` plus ``init``'s settings, or local by default).

        A workspace other than ``default`` must exist (``workspace new``): a mistyped
        ``TF_WORKSPACE`` is an error, never a fresh empty state. With ``provider``, its
        schemas tell the state codec which values are sensitive, so they are never written
        (private keys, passwords)."""
        from albform.engine.state.backends.local import LocalBackend
        from albform.engine.state.backends.workspaces import exists
        from albform.engine.state.decoded_memo import state_memo

        schemas = ProviderSchemas(provider) if provider is not None else None
        if self.state_path is not None:
            path = self.resolve(self.state_path)
            return LocalBackend(path, schemas=schemas,
                                memo=state_memo(self.workdir, path, self.env, schemas))
        store = self.workspaces(backend, schemas)
        name = self.workspace_name
        if not exists(store, name):
            from albform.engine.diagnostics import Diagnostic, DiagnosticsError

            raise DiagnosticsError([Diagnostic.error(
                f'Workspace "{name}" doesn\'t exist.',
                'You can create this workspace with the "new" subcommand\nor include the '
                '"-or-create" flag with the "select" subcommand.'
                + (" (It was selected by TF_WORKSPACE.)" if self.env.get("TF_WORKSPACE")
                   else ""))])
        return store.backend(name)

    def workspaces(self, backend: tuple[str, Mapping[str, Any]] | None = None,
                   schemas: Mapping[str, ResourceSchema] | None = None) -> Any:
        """The ``WorkspaceStore`` of the configured backend (see ``open_backend``)."""
        from albform.cli.working_dir import initialized_backend
        from albform.engine.state.backends import workspaces_from_config

        if self.backend_override is not None:
            name, settings = self.backend_override
            if backend is not None and backend[0] == name:
                settings = {**backend[1], **settings}
            backend = (name, settings)
        else:
            backend = initialized_backend(self.workdir, backend)
        if backend is None:
            backend = ("local", {})
        return workspaces_from_config(backend[0], backend[1], self.workdir, schemas=schemas,
                                      environ=self.env)

    def start_emulator_early(self) -> Any:
        """The embedded emulator started now, if it will most likely serve this command
        (``provider.factory.start_early``), to hand to ``open_provider``; None otherwise."""
        from albform.provider.factory import start_early

        return start_early(self.workdir, self.env)

    @contextlib.contextmanager
    def open_provider(self, provider_config: Mapping[str, Any], early: Any = None,
                      ) -> Iterator[Provider]:
        """The provider; ``early``: what ``start_emulator_early`` returned (used or
        abandoned)."""
        from albform.provider.factory import open_provider

        self.warn_unknown_variables()
        with open_provider(provider_config, workdir=self.workdir, env=self.env,
                           announce=announce_controller, early=early) as provider:
            yield provider

    def warn_unknown_variables(self) -> None:
        """Warn of each ``AVI_*`` environment variable albform does not read (before the
        provider is opened, so the warning comes before the controller line)."""
        from albform.provider.client.config import unknown_avi_variables

        for name, suggestion in unknown_avi_variables(self.env):
            hint = f' Did you mean "{suggestion}"?' if suggestion else ""
            show_diagnostics([Diagnostic.warning(
                f"Unknown environment variable {name}",
                f"albform does not read {name}.{hint}"
                + ("" if self.env.get("AVI_CONTROLLER") else " With no AVI_CONTROLLER set, "
                   "albform uses its embedded controller emulator."))])


def announce_controller(line: str) -> None:
    """Which controller a command talks to, before anything else it prints (stderr, so
    ``-json`` output stays one document per line)."""
    click.echo(line, err=True)


class ProviderSchemas(Mapping[str, ResourceSchema]):
    """The provider's schemas as a read-only mapping, built on first use of each type."""

    def __init__(self, provider: Provider) -> None:
        self._provider = provider

    def __getitem__(self, type_name: str) -> ResourceSchema:
        schema = self._provider.schema(type_name)
        if schema is None:
            raise KeyError(type_name)
        return schema

    def __iter__(self) -> Iterator[str]:
        return iter(self._provider.resource_types())

    def __len__(self) -> int:
        return len(self._provider.resource_types())
