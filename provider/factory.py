"""``open_provider``: the Avi provider for a ``provider "avi"`` block, connected and closed.

With a controller configured (``avi_controller`` or ``AVI_CONTROLLER``) it connects to it
through ``albform.provider.client`` (arguments and ``AVI_*`` env vars as the official
provider reads them; TLS verification on). With none, it starts the embedded controller
emulator on 127.0.0.1 in a child process (``provider/emulator/process.py``: its work then runs
on another core than the apply's walk; it never outlives albform), persisting to
``<workdir>/.albform/emulator.db`` so the emulated controller and albform's state stay
consistent from one run to the next (or to ``ALBFORM_EMULATOR_DB`` when set, so several
working directories share one emulated controller), and stops it on exit. The embedded
emulator gets a fresh random admin password each run (handed to the child over a pipe): only
albform knows it, and no secret has to be stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from albform.engine.workdir import ensure_private_dir
from albform.provider.client import AviClient, AviSession, ClientConfig
from albform.provider.emulator.process import StartingEmulator
from albform.provider.resources.provider import AviProvider
from albform.provider.resources.registry import TypeRegistry
from albform.provider.resources.schemas import SchemaCatalog
from albform.provider.schema.table import load_table

EMULATOR_DB = Path(".albform") / "emulator.db"
# Arguments the embedded emulator has no use for (there is no remote controller to reach).
_REMOTE_ONLY = ("avi_controller", "avi_username", "avi_password", "avi_authtoken",
                "avi_ca_bundle", "avi_insecure")
_LOCAL_ENV = ("AVI_TENANT", "AVI_VERSION", "AVI_API_TIMEOUT")


def _given(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if v is not None and v != ""}


def _quiet(line: str) -> None:
    pass


def emulator_db(workdir: Path, env: Mapping[str, str]) -> Path:
    """Where the embedded emulator keeps its controller (module docstring)."""
    # ALBFORM_EMULATOR_DB lets several working directories share one emulated controller
    # (the lb-demo walkthrough sets the controller up in one directory, the cluster in another).
    db_env = env.get("ALBFORM_EMULATOR_DB")
    return Path(db_env) if db_env else Path(workdir) / EMULATOR_DB


def start_early(workdir: Path, env: Mapping[str, str]) -> StartingEmulator | None:
    """The embedded emulator started before the configuration is read, when it will most
    likely serve the command: no ``AVI_CONTROLLER`` and a database already there (a command
    run here before used it; no file is made for a configuration that names a controller).
    Its start-up (imports, database) then overlaps the configuration's loading; hand it to
    ``open_provider``, which abandons it if the configuration names a controller after all.
    The caller abandons it too when it never opens the provider (``abandon`` is idempotent)."""
    db_path = emulator_db(workdir, env)
    if env.get("AVI_CONTROLLER") or not db_path.is_file():
        return None
    return StartingEmulator(db_path=db_path, password=secrets.token_urlsafe(24))


@contextmanager
def open_provider(provider_config: Mapping[str, Any], *, workdir: Path,
                  env: Mapping[str, str], announce: Callable[[str], None] = _quiet,
                  early: StartingEmulator | None = None) -> Iterator[AviProvider]:
    """An ``AviProvider`` for the ``provider "avi"`` arguments; see the module docstring.
    ``announce`` gets one line saying which controller it is (URL, version and tenant, or the
    embedded emulator and its database) once it is reachable. ``early``: an emulator
    ``start_early`` started, used if the embedded emulator serves (abandoned otherwise)."""
    args = _given(provider_config)
    remote = bool(args.get("avi_controller") or env.get("AVI_CONTROLLER"))
    if early is not None and (remote or early.db_path != emulator_db(workdir, env)):
        early.abandon()
        early = None
    if remote:
        config = ClientConfig.from_provider_args(args, env)
        with _client(config) as client:
            # Log in now: a TLS, network or credential problem is then one error about the
            # controller, not a failure of whichever resource first needed it.
            client.session.login()
            version = client.session.controller_version or "version unknown"
            announce(f"Avi controller {config.base_url} (version {version}, tenant "
                     f"{config.tenant})")
            yield AviProvider(client, load_table(), default_tenant=config.tenant)
        return
    db_env = env.get("ALBFORM_EMULATOR_DB")
    db_path = emulator_db(workdir, env)
    ensure_private_dir(db_path.parent)  # .albform/ with its .gitignore
    if early is None:
        early = StartingEmulator(db_path=db_path, password=secrets.token_urlsafe(24))
    password = early.password
    with early.ready() as emulator:
        shared = ("shared through ALBFORM_EMULATOR_DB" if db_env else
                  "one per working directory; set ALBFORM_EMULATOR_DB=PATH to share one")
        shown = db_path.resolve() if db_env else _in_workdir(db_path, workdir)
        announce(f"Avi controller: the embedded emulator (no AVI_CONTROLLER set), database "
                 f"{shown} ({shared})")
        local = {k: v for k, v in args.items() if k not in _REMOTE_ONLY}
        passed_env = {k: v for k, v in env.items() if k in _LOCAL_ENV}
        config = ClientConfig.from_provider_args(
            {**local, "avi_controller": emulator.url, "avi_password": password}, passed_env)
        with _client(config) as client:
            yield AviProvider(client, load_table(), default_tenant=config.tenant)


def _in_workdir(path: Path, workdir: Path) -> Path:
    return path.resolve().relative_to(Path(workdir).resolve())


def _client(config: ClientConfig) -> AviClient:
    return AviClient(AviSession(config))


def offline_schemas() -> SchemaCatalog:
    """The provider's schemas without a controller, for commands that only read saved plans
    and states (``show``): the same masking of secrets as plan and apply."""
    return SchemaCatalog(TypeRegistry.from_table(load_table()))
