"""What ``init`` and ``workspace select`` leave in a working directory's ``.terraform/``, in
Terraform's own files so that ``terraform`` and albform read each other's choices:

* ``.terraform/environment`` — the selected workspace's name (absent: ``default``);
  ``TF_WORKSPACE`` overrides it;
* ``.terraform/terraform.tfstate`` — the backend ``init`` configured: ``{"version": 3,
  "terraform_version", "backend": {"type", "config", "hash"}}``. Unlike Terraform, albform
  never writes credentials there (``password``, ``conn_str``, ... are stored as null; give
  them through the backend block or the environment, e.g. ``PG_CONN_STR``). albform cannot
  compute Terraform's ``hash`` (``terraform init`` refreshes a record albform wrote); it
  keeps its own digest of the block in ``albform_block_hash``, so a block edited after
  ``init`` is noticed. A record ``terraform init`` wrote is used as Terraform would, as long
  as the block still names the same backend type.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from albform.engine.diagnostics import Diagnostic, DiagnosticsError
from albform.engine.state.backends.local import atomic_write
from albform.engine.state.backends.workspaces import DEFAULT_WORKSPACE
from albform.engine.state.model import TERRAFORM_VERSION

DATA_DIR = ".terraform"
ENVIRONMENT_FILE = "environment"
BACKEND_FILE = "terraform.tfstate"
# Backend settings never written to disk (credentials); init's values for them come back
# from the backend block or the environment.
SECRET_SETTINGS = ("password", "conn_str", "private_key", "token", "secret")


def is_secret(key: str) -> bool:
    return any(secret in key.lower() for secret in SECRET_SETTINGS)


def selected_workspace(workdir: Path, env: Mapping[str, str]) -> str:
    """``TF_WORKSPACE``, else the name ``workspace select`` recorded, else ``default``."""
    if env.get("TF_WORKSPACE"):
        return env["TF_WORKSPACE"]
    try:
        name = (workdir / DATA_DIR / ENVIRONMENT_FILE).read_text().strip()
    except FileNotFoundError:
        return DEFAULT_WORKSPACE
    return name or DEFAULT_WORKSPACE


def select_workspace(workdir: Path, name: str) -> None:
    (workdir / DATA_DIR).mkdir(exist_ok=True)
    atomic_write(workdir / DATA_DIR / ENVIRONMENT_FILE, name.encode(), mode=0o644)


@dataclass(frozen=True)
class BackendRecord:
    """The backend ``init`` configured: its type, its settings (block plus
    ``-backend-config``, credentials left out) and the digest of the block it came from."""

    type: str
    config: Mapping[str, Any]
    block_hash: int | None  # None: written by terraform


def block_hash(backend: tuple[str, Mapping[str, Any]] | None) -> int:
    """A digest of a backend block's type and settings."""
    kind, settings = backend if backend is not None else ("local", {})
    text = json.dumps([kind, dict(settings)], sort_keys=True, default=str)
    return zlib.crc32(text.encode())


def read_backend_record(workdir: Path) -> BackendRecord | None:
    path = workdir / DATA_DIR / BACKEND_FILE
    try:
        data = json.loads(path.read_text())
        backend = data["backend"]
        digest = data.get("albform_block_hash")
        return BackendRecord(str(backend["type"]), dict(backend.get("config") or {}),
                             None if digest is None else int(digest))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise DiagnosticsError([Diagnostic.error(
            "Failed to read the initialized backend",
            f"{path} is not a backend record ({exc}). Run init again.")]) from None


def write_backend_record(workdir: Path, kind: str, settings: Mapping[str, Any],
                         block: tuple[str, Mapping[str, Any]] | None) -> None:
    config = {k: (None if is_secret(k) else v) for k, v in sorted(settings.items())}
    document = {"version": 3, "terraform_version": TERRAFORM_VERSION,
                "backend": {"type": kind, "config": config, "hash": 0},
                "albform_block_hash": block_hash(block)}
    (workdir / DATA_DIR).mkdir(exist_ok=True)
    atomic_write(workdir / DATA_DIR / BACKEND_FILE,
                 (json.dumps(document, indent=2) + "\n").encode(), mode=0o644)


def initialized_backend(workdir: Path, block: tuple[str, Mapping[str, Any]] | None,
                        ) -> tuple[str, Mapping[str, Any]] | None:
    """The backend a command uses: the configuration's block, with the settings ``init``
    added (``-backend-config``). Without an ``init`` record, the block as written. A block
    changed since ``init`` is an error, as in Terraform: the state may have to move."""
    record = read_backend_record(workdir)
    if record is None:
        return block
    was, now = record.type, (block[0] if block is not None else "local")
    if was != now or (record.block_hash is not None and record.block_hash != block_hash(block)):
        reason = ("Backend configuration block has changed" if was == now else
                  f'Backend type changed from "{was}" to "{now}"')
        raise DiagnosticsError([Diagnostic.error(
            'Backend initialization required, please run "albform init"',
            f"Reason: {reason}\n\nThe \"backend\" is the interface that albform uses to store "
            "state,\nperform operations, etc. If this message is showing up, it means that "
            "the\nalbform configuration you're using is using a custom configuration for\nthe "
            "albform backend.\n\nChanges to backend configurations require reinitialization. "
            "This allows\nalbform to set up the new configuration, copy existing state, "
            "etc. Please run\n\"albform init\" with either the \"-reconfigure\" or "
            "\"-migrate-state\" flags to\nuse the current configuration.")])
    given = dict(block[1]) if block is not None else {}
    kept = {k: v for k, v in record.config.items() if v is not None}
    return (record.type, {**given, **kept})
