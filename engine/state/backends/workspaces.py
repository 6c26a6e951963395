"""Workspaces: named states of one configuration, stored where Terraform stores them, so a
team sharing a backend with ``terraform`` sees the same workspaces.

* local — ``default`` is the configured state file; workspace ``NAME`` is
  ``<workspace_dir>/NAME/terraform.tfstate`` (``workspace_dir`` defaults to
  ``terraform.tfstate.d``); a workspace exists when its directory does.
* pg — one row of ``<schema>.states`` per workspace name; creating one writes an empty state
  as the row (Terraform's sentinel); ``default`` always exists and cannot be deleted.
* http — only ``default``; any other name fails with Terraform's "workspaces not supported".

A ``WorkspaceStore`` lists, creates and deletes workspaces and opens the backend of one. It
never creates a workspace as a side effect of opening it: callers check ``exists`` first, so
no command silently acts on a state nobody created.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from albform.engine.state.backends.base import BackendError, StateBackend
from albform.engine.state.backends.local import DEFAULT_STATE_FILE, LocalBackend
from albform.engine.state.model import State

DEFAULT_WORKSPACE = "default"
DEFAULT_WORKSPACE_DIR = "terraform.tfstate.d"
NOT_SUPPORTED = "workspaces not supported"  # Terraform's ErrWorkspacesNotSupported text


class WorkspacesNotSupportedError(BackendError):
    """The backend keeps only the ``default`` workspace."""


def invalid_name_message(name: str) -> str | None:
    """Terraform's refusal for a workspace name that is not URL safe or has a path
    separator (it would escape ``terraform.tfstate.d/``), else None."""
    if name and re.fullmatch(r"[A-Za-z0-9._~-]+", name) and name not in (".", ".."):
        return None
    return (f'The workspace name "{name}" is not allowed. The name must contain only URL '
            "safe\ncharacters, and no path separators.")


class WorkspaceStore(Protocol):
    def names(self) -> list[str]:
        """Every workspace: ``default`` first, then the others sorted."""
        ...

    def backend(self, name: str) -> StateBackend:
        """The backend holding workspace ``name`` (whether or not it exists yet)."""
        ...

    def create(self, name: str) -> None: ...

    def delete(self, name: str) -> None:
        """Remove the workspace and its state (callers check emptiness and the lock)."""
        ...


def exists(store: WorkspaceStore, name: str) -> bool:
    return name == DEFAULT_WORKSPACE or name in store.names()


class LocalWorkspaces:
    def __init__(self, default_path: Path, workspace_dir: Path,
                 make: Callable[[Path], LocalBackend]) -> None:
        self._default, self._dir, self._make = default_path, workspace_dir, make

    def names(self) -> list[str]:
        found = sorted(p.name for p in self._dir.iterdir() if p.is_dir()) \
            if self._dir.is_dir() else []
        return [DEFAULT_WORKSPACE, *(n for n in found if n != DEFAULT_WORKSPACE)]

    def backend(self, name: str) -> StateBackend:
        if name == DEFAULT_WORKSPACE:
            return self._make(self._default)
        return self._make(self._dir / name / DEFAULT_STATE_FILE)

    def create(self, name: str) -> None:
        try:
            (self._dir / name).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendError(f"failed to create workspace directory: {exc}") from exc

    def delete(self, name: str) -> None:
        shutil.rmtree(self._dir / name, ignore_errors=False)


class PgWorkspaces:
    def __init__(self, make: Callable[[str], StateBackend]) -> None:
        self._make = make

    def names(self) -> list[str]:
        from albform.engine.state.backends.pg import PgBackend

        probe = self._make(DEFAULT_WORKSPACE)
        assert isinstance(probe, PgBackend)
        try:
            return [DEFAULT_WORKSPACE, *probe.other_workspace_names()]
        finally:
            probe.close()

    def backend(self, name: str) -> StateBackend:
        return self._make(name)

    def create(self, name: str) -> None:
        # Terraform's sentinel: the workspace exists once its row does.
        backend = self._make(name)
        try:
            with backend.locked("workspace-new"):
                if backend.read() is None:
                    backend.write(State())
        finally:
            backend.close()

    def delete(self, name: str) -> None:
        from albform.engine.state.backends.pg import PgBackend

        backend = self._make(name)
        assert isinstance(backend, PgBackend)
        try:
            backend.delete_workspace()
        finally:
            backend.close()


class DefaultOnly:
    """A backend without workspaces (http)."""

    def __init__(self, make: Callable[[], StateBackend]) -> None:
        self._make = make

    def names(self) -> list[str]:
        return [DEFAULT_WORKSPACE]

    def backend(self, name: str) -> StateBackend:
        if name != DEFAULT_WORKSPACE:
            raise WorkspacesNotSupportedError(NOT_SUPPORTED)
        return self._make()

    def create(self, name: str) -> None:
        raise WorkspacesNotSupportedError(NOT_SUPPORTED)

    def delete(self, name: str) -> None:
        raise WorkspacesNotSupportedError(NOT_SUPPORTED)
