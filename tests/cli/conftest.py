"""Fixtures for CLI tests: run the real ``albform`` entry point in a subprocess; the real
``cdktf`` CLI (npm ``cdktf-cli`` 0.21.0), installed once into a cache folder reused across
runs — ``$ALBFORM_TEST_CACHE`` or ``<repo>/.cache`` (gitignored) — and skipped, with the
reason, when node/npm are absent or the registry cannot be reached."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def out_of_band_client() -> Callable[[Path], contextlib.AbstractContextManager[Any]]:
    """``with out_of_band_client(db_path) as client``: see ``_out_of_band_client``."""
    return _out_of_band_client


@contextlib.contextmanager
def _out_of_band_client(db_path: Path) -> Iterator[Any]:
    """An ``AviClient`` on the emulator database ``db_path``, as someone editing the
    controller behind albform's back (its own emulator process, its own login)."""
    from albform.provider.client import AviClient, ClientConfig
    from albform.provider.emulator import start_emulator

    with start_emulator(db_path=db_path, password="oob-secret") as emu:
        config = ClientConfig.from_provider_args(
            {"avi_controller": emu.url, "avi_username": "admin",
             "avi_password": "oob-secret"}, {})
        with AviClient.connect(config) as client:
            yield client


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The first JSON document on stdout (``show -json`` prints one line)."""
        for line in self.out.splitlines():
            if line.startswith("{"):
                return json.loads(line)
        raise AssertionError(f"no JSON on stdout:\n{self.out}\n{self.err}")

    def ui_lines(self) -> list[Any]:
        """Every stdout line as one JSON document (a ``-json`` run: Terraform's UI)."""
        return [json.loads(line) for line in self.out.splitlines()]


Runner = Callable[..., Result]


@pytest.fixture
def albform(tmp_path: Path) -> Runner:
    """``albform(*args, cwd=..., env=..., input=...)`` → Result. The embedded emulator's
    database lives in the test's temporary directory."""
    base_env = {**os.environ, "ALBFORM_EMULATOR_DB": str(tmp_path / "emulator.db")}
    for key in ("AVI_CONTROLLER", "AVI_USERNAME", "AVI_PASSWORD"):
        base_env.pop(key, None)

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            input: str | None = None, timeout: float = 120) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "albform", *args], cwd=cwd or tmp_path,
            env={**base_env, **(env or {})}, input=input, capture_output=True, text=True,
            timeout=timeout,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def plan_document(albform: Runner) -> Callable[..., Any]:
    """``plan_document(planned, planfile, **run_kw)``: after checking that ``planned`` (a
    ``plan -out=PLANFILE`` run) succeeded, the plan JSON document of ``show -json
    PLANFILE`` (``plan -json`` streams Terraform's UI lines instead)."""
    def shown(planned: Result, planfile: Path, **run_kw: Any) -> Any:
        assert planned.code == 0, planned.out + planned.err
        result = albform("show", "-json", str(planfile), **run_kw)
        assert result.code == 0, result.err
        return result.json()
    return shown


# -- the real cdktf CLI ----------------------------------------------------------------------
CDKTF_CLI_VERSION = "0.21.0"


def _cache_dir() -> Path:
    return Path(os.environ.get("ALBFORM_TEST_CACHE") or REPO / ".cache")


def install_cdktf_cli() -> Path:
    """The ``cdktf`` executable, installing it first if needed (one install at a time)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed to install cdktf-cli")
    prefix = _cache_dir() / f"cdktf-cli-{CDKTF_CLI_VERSION}"
    binary = prefix / "node_modules" / ".bin" / "cdktf"
    prefix.mkdir(parents=True, exist_ok=True)
    with open(prefix.parent / f".cdktf-cli-{CDKTF_CLI_VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            proc = subprocess.run(
                ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                 f"cdktf-cli@{CDKTF_CLI_VERSION}"],
                capture_output=True, text=True, timeout=900)
            if proc.returncode != 0:
                pytest.skip(f"npm could not install cdktf-cli@{CDKTF_CLI_VERSION}: "
                            f"{proc.stderr.strip().splitlines()[-1:]}")
    return binary


@dataclass
class Cdktf:
    """Runs ``cdktf`` with ``TERRAFORM_BINARY_NAME=albform`` (this interpreter's albform)."""

    binary: Path
    env: dict[str, str]

    def __call__(self, *args: str, cwd: Path, timeout: float = 600,
                 ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([str(self.binary), *args], cwd=cwd, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        return proc


@pytest.fixture(scope="session")
def cdktf_binary() -> Iterator[Path]:
    yield install_cdktf_cli()


@pytest.fixture
def cdktf(cdktf_binary: Path, tmp_path: Path) -> Cdktf:
    bindir = Path(sys.executable).parent
    if not (bindir / "albform").exists():
        pytest.skip(f"no albform executable beside {sys.executable} (pip install -e .)")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AVI_", "CDKTF_", "TF_")) and k != "ALBFORM_EMULATOR_DB"}
    env.update(
        PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}",  # `albform` and `python`
        TERRAFORM_BINARY_NAME="albform",
        CHECKPOINT_DISABLE="1",  # no telemetry or version checks: loopback traffic only
        CI="1",  # plain log lines instead of the interactive terminal UI
        HOME=str(tmp_path / "home"),
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
    )
    return Cdktf(cdktf_binary, env)


# -- checkov, a plan-JSON consumer ----------------------------------------------------------------
CHECKOV_SPEC = "checkov>=3.3,<4"


@pytest.fixture(scope="session")
def checkov_binary() -> Iterator[Path]:
    """``checkov`` in its own virtualenv under the test cache (its many pinned dependencies
    stay out of albform's), installed once; skipped with the reason when PyPI is unreachable."""
    venv = _cache_dir() / "checkov-3"
    binary = venv / "bin" / "checkov"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".checkov-3.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            made = subprocess.run([sys.executable, "-m", "venv", str(venv)],
                                  capture_output=True, text=True, timeout=300)
            proc = made if made.returncode != 0 else subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", CHECKOV_SPEC],
                capture_output=True, text=True, timeout=1500)
            if proc.returncode != 0 or not binary.exists():
                pytest.skip(f"could not install {CHECKOV_SPEC}: "
                            f"{proc.stderr.strip().splitlines()[-1:]}")
    yield binary
