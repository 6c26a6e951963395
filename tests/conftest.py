"""Shared fixtures. Network traffic in tests goes to loopback only."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session", autouse=True)
def shared_stays_read_only() -> Iterator[None]:
    """``../shared`` is read-only reference material: no test may leave anything in it
    (e.g. a parse cache written next to a corpus configuration)."""
    if not SHARED.is_dir():
        yield
        return
    before = {p for p in SHARED.rglob("*")}
    yield
    added = sorted(str(p) for p in SHARED.rglob("*") if p not in before)
    assert not added, f"tests wrote into ../shared: {added[:5]}"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ``../shared`` reference folder; tests needing it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference material) is not beside the checkout")
    return SHARED


# -- the real terraform binary as an oracle ----------------------------------------------------

TerraformRun = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def terraform() -> TerraformRun:
    """``terraform(workdir, *args, env={...})``: run the real ``terraform`` there, offline and
    without the user's CLI configuration, ``-no-color`` appended; skips when it is absent."""
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform is not on PATH")

    def run(workdir: Path, *args: str, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        full = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1",
                "CHECKPOINT_DISABLE": "1", **(env or {})}
        return subprocess.run([binary, *args, "-no-color"], cwd=workdir, capture_output=True,
                              text=True, timeout=180, env=full)

    return run


# -- a real PostgreSQL server (pg state backend tests, drift-job tests) -------------------------
# Started once per session with initdb/pg_ctl in a temporary directory; skipped with the reason
# when the server binaries are absent (.ci/run installs them from Debian).

def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str

    def conn_str(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname=postgres " \
               "connect_timeout=10"

    def url(self) -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/postgres?sslmode=disable"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
                    "/usr/lib/postgresql/*/bin; install the 'postgresql' package")
    # initdb refuses to run as root: run the server as an unprivileged account.
    run_as: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            try:
                owner = pwd.getpwnam(name)
                break
            except KeyError:
                continue
        if owner is None:
            pytest.skip("running as root and no unprivileged account to run PostgreSQL")
        run_as = ["runuser", "-u", owner.pw_name, "--"]
    root = Path(tempfile.mkdtemp(prefix="albform-pg-"))
    data = root / "data"
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    user = "albform"

    def run(*args: str) -> None:
        done = subprocess.run([*run_as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
            "--no-sync", "-E", "UTF8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
            "-o", f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off", "start")
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc}")
    try:
        yield PgServer("127.0.0.1", port, user)
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_schema() -> str:
    """A schema name no other test uses, so each test starts from an empty state."""
    return f"t_{uuid.uuid4().hex[:12]}"
