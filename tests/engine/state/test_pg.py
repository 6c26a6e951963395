"""PgBackend against a real PostgreSQL server: the conformance suite, Terraform's table layout
and, with the terraform binary, state and locks shared with Terraform's own pg backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from albform.engine.state.backends.base import BackendError
from albform.engine.state.backends.pg import PgBackend
from albform.engine.state.backends.testing import (
    check_backend,
    check_journal,
    check_locking,
    sample_state,
)
from albform.engine.state.codec import decode_state
from albform.engine.state.lock import (
    LockError,
    LockInfo,
    StateLockedError,
    acquire_with_retry,
)
from albform.engine.state.model import State

pytestmark = pytest.mark.postgres


@pytest.fixture
def clients(pg_server: Any, pg_schema: str) -> Iterator[list[PgBackend]]:
    made: list[PgBackend] = []
    yield made
    for client in made:
        client.close()


def test_pg_backend_conforms(pg_server: Any, pg_schema: str,
                             clients: list[PgBackend]) -> None:
    def factory() -> PgBackend:
        clients.append(PgBackend(pg_server.conn_str(), schema_name=pg_schema))
        return clients[-1]

    check_backend(factory)
    check_locking(factory)


def test_pg_journal_conforms(pg_server: Any, pg_schema: str,
                             clients: list[PgBackend]) -> None:
    def factory() -> PgBackend:
        clients.append(PgBackend(pg_server.conn_str(), schema_name=pg_schema))
        return clients[-1]

    check_journal(factory)


def test_layout_is_terraforms(pg_server: Any, pg_schema: str,
                              clients: list[PgBackend]) -> None:
    backend = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    clients.append(backend)
    backend.write(sample_state(serial=3))
    with psycopg.connect(pg_server.conn_str()) as conn:
        columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'states' ORDER BY ordinal_position",
            (pg_schema,)).fetchall()
        assert columns == [("id", "bigint"), ("name", "text"), ("data", "text")]
        default = conn.execute(
            "SELECT column_default FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'states' AND column_name = 'id'", (pg_schema,)).fetchone()
        assert default == ("nextval('global_states_id_seq'::regclass)",)
        name, data = conn.execute(
            f'SELECT name, data FROM "{pg_schema}".states').fetchone() or ("", "")
        assert name == "default" and decode_state(data.encode()) == sample_state(serial=3)
        index = conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s "
                             "AND indexname = 'states_by_name'", (pg_schema,)).fetchone()
        assert index == ("states_by_name",)


def test_a_lock_survives_only_as_long_as_its_session(pg_server: Any, pg_schema: str,
                                                     clients: list[PgBackend]) -> None:
    first = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    second = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    clients += [first, second]
    first.write(sample_state())
    first.lock(LockInfo.new("OperationTypeApply"))
    with pytest.raises(StateLockedError, match="Workspace is already locked: default"):
        second.lock(LockInfo.new("OperationTypePlan"))
    first.close()  # the process died: its session and lock are gone; the record is stale
    # The server ends the closed session asynchronously: allow it a moment.
    lock_id = acquire_with_retry(second, LockInfo.new("OperationTypePlan"), 10,
                                 sleep=lambda _: time.sleep(0.02))
    second.unlock(lock_id)


def test_an_unreachable_server_is_a_backend_error() -> None:
    backend = PgBackend("host=127.0.0.1 port=1 user=x dbname=x connect_timeout=2")
    with pytest.raises(BackendError, match="PostgreSQL state backend"):
        backend.read()


# -- oracle: Terraform's own pg backend on the same database ------------------------------------

def _terraform(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1"}
    return subprocess.run([terraform, *args], cwd=workdir, capture_output=True, text=True,
                          timeout=180, env=env)


def _pg_workdir(tmp_path: Path, pg_server: Any, schema: str, body: str = "") -> Path:
    (tmp_path / "main.tf").write_text(
        'terraform {\n  backend "pg" {\n'
        f'    conn_str    = "{pg_server.url()}"\n    schema_name = "{schema}"\n  }}\n}}\n'
        + body)
    done = _terraform(tmp_path, "init", "-input=false", "-no-color")
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path


@pytest.mark.terraform
def test_terraform_reads_what_we_wrote_and_we_read_what_it_wrote(
        tmp_path: Path, pg_server: Any, pg_schema: str, clients: list[PgBackend]) -> None:
    # Terraform first (state naming vmware/avi would make its init fetch that provider).
    workdir = _pg_workdir(tmp_path, pg_server, pg_schema,
                          'resource "terraform_data" "t" {\n  input = "x"\n}\n')
    done = _terraform(workdir, "apply", "-auto-approve", "-input=false", "-no-color")
    assert done.returncode == 0, done.stdout + done.stderr
    backend = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    clients.append(backend)
    theirs = backend.read()
    assert theirs is not None and [str(r.address) for r in theirs.resources] == [
        "terraform_data.t"]
    ours = replace(theirs, serial=theirs.serial + 1).with_resources(
        [*theirs.resources, *sample_state().resources])
    backend.write(ours)
    listed = _terraform(workdir, "state", "list", "-no-color")
    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.split()) == sorted(str(r.address) for r in ours.resources)


@pytest.mark.terraform
def test_terraform_and_albform_exclude_each_other(
        tmp_path: Path, pg_server: Any, pg_schema: str, clients: list[PgBackend]) -> None:
    workdir = _pg_workdir(tmp_path, pg_server, pg_schema)
    backend = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    clients.append(backend)
    backend.write(State(serial=1))
    with backend.locked("OperationTypeApply"):
        done = _terraform(workdir, "plan", "-input=false", "-no-color", "-lock-timeout=0s")
        assert done.returncode == 1
        assert "Error acquiring the state lock" in done.stderr
        assert "Workspace is already locked: default" in done.stderr
    done = _terraform(workdir, "plan", "-input=false", "-no-color", "-lock-timeout=0s")
    assert done.returncode == 0, done.stderr


def test_a_new_workspace_is_guarded_by_the_creation_lock(
        pg_server: Any, pg_schema: str, clients: list[PgBackend]) -> None:
    first = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    second = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    clients += [first, second]
    lock_id = first.lock(LockInfo.new("OperationTypeApply", info="creating"))
    with pytest.raises(StateLockedError, match="Already locked for workspace creation") as err:
        second.lock(LockInfo.new("OperationTypePlan"))
    assert err.value.holder.id == lock_id and err.value.holder.path == "-1"
    first.write(sample_state())  # the row appears while the creation lock is still held
    with pytest.raises(StateLockedError, match="already locked for workspace creation"):
        second.lock(LockInfo.new("OperationTypePlan"))
    first.unlock(lock_id)
    second.unlock(second.lock(LockInfo.new("OperationTypePlan")))


def test_a_lock_taken_by_another_tool_has_no_holder_record(
        pg_server: Any, pg_schema: str, clients: list[PgBackend]) -> None:
    backend = PgBackend(pg_server.conn_str(), schema_name=pg_schema)
    clients.append(backend)
    backend.write(sample_state())
    with psycopg.connect(pg_server.conn_str(), autocommit=True) as terraform_like:
        row = terraform_like.execute(
            f'SELECT id, pg_try_advisory_lock(id) FROM "{pg_schema}".states '
            "WHERE name = 'default'").fetchone()
        assert row is not None and row[1] is True
        with pytest.raises(StateLockedError, match="Workspace is already locked") as err:
            backend.lock(LockInfo.new("OperationTypeApply"))
        assert "recorded no lock info" in err.value.holder.info
        with pytest.raises(LockError, match="no albform lock record"):
            backend.force_unlock("anything")
        terraform_like.execute("SELECT pg_advisory_unlock(%s)", (row[0],))
    backend.unlock(backend.lock(LockInfo.new("OperationTypeApply")))


def test_without_the_record_table_locks_still_exclude(
        pg_server: Any, pg_schema: str, clients: list[PgBackend]) -> None:
    # A user allowed only Terraform's table: create it the way Terraform does, skip ours.
    with psycopg.connect(pg_server.conn_str(), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{pg_schema}"')
        admin.execute("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint")
        admin.execute(f'CREATE TABLE "{pg_schema}".states (id bigint NOT NULL DEFAULT '
                      "nextval('public.global_states_id_seq') PRIMARY KEY, name text UNIQUE, "
                      "data text)")

    def factory() -> PgBackend:
        clients.append(PgBackend(pg_server.conn_str(), schema_name=pg_schema,
                                 skip_table_creation=True))
        return clients[-1]

    check_backend(factory)
    first, second = factory(), factory()
    lock_id = first.lock(LockInfo.new("OperationTypeApply"))
    with pytest.raises(StateLockedError) as err:
        second.lock(LockInfo.new("OperationTypePlan"))
    assert "recorded no lock info" in err.value.holder.info
    first.unlock(lock_id)
    second.unlock(second.lock(LockInfo.new("OperationTypePlan")))
