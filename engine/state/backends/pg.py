"""``PgBackend``: state in PostgreSQL, in the layout of Terraform's ``pg`` backend, so both
tools can share a database (and a lock).

Layout (Terraform's): schema ``terraform_remote_state``, sequence
``public.global_states_id_seq``, table ``states(id bigint PK, name text UNIQUE, data text)``,
index ``states_by_name``; one row per workspace (``default``). The lock is Terraform's too:
session-level advisory locks on the row id plus ``-1`` (the "workspace creation" lock), so
albform and ``terraform`` exclude each other. Session locks belong to a connection, so each
client pins one connection for its lifetime.

Addition: Terraform stores no lock record, so nobody can tell who holds a lock. albform keeps
one in ``albform_locks(name, info)`` beside ``states`` — metadata only, like the local backend's
info file: the advisory lock is the truth and a stale record blocks nobody. It lets a lock
error name the holder and lets ``force_unlock(ID)`` end the holder's session after checking
the ID. The intent journal is a table beside them too (``pg_journal.py``). psycopg is
imported lazily (the ``[postgres]`` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from tenacity import (
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_fixed,
)

from albform.engine.schema import ResourceSchema
from albform.engine.state.backends.base import BackendError, StateBackend, check_write
from albform.engine.state.backends.pg_journal import PgJournal
from albform.engine.state.codec import (
    EncodeCache,
    StateFormatError,
    decode_state,
    encode_state,
    prepare_instance,
)
from albform.engine.state.lock import LockError, LockInfo, StateLockedError
from albform.engine.state.model import ResourceState, State

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")
DEFAULT_SCHEMA = "terraform_remote_state"
CREATION_LOCK = -1
_UNKNOWN_HOLDER = "lock held by a session that recorded no lock info (e.g. terraform itself)"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise BackendError(
            "the pg backend needs psycopg: pip install 'albform[postgres]'") from exc
    return psycopg


class _ConnectionLost(Exception):
    """The server dropped the pinned connection (no lock held): reconnect and try again."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class PgBackend(StateBackend):
    def __init__(self, conn_str: str, *, schema_name: str = DEFAULT_SCHEMA,
                 workspace: str = "default", skip_schema_creation: bool = False,
                 skip_table_creation: bool = False, skip_index_creation: bool = False,
                 schemas: Mapping[str, ResourceSchema] | None = None) -> None:
        self._conn_str = conn_str
        self.schema_name = schema_name
        self.workspace = workspace
        self._skip = (skip_schema_creation, skip_table_creation, skip_index_creation)
        self._schemas = schemas
        # Rewrites during an apply re-encode only the instances changed since the last.
        self._encoded = EncodeCache()
        self._connection: psycopg.Connection[Any] | None = None
        self._held: tuple[str, int] | None = None  # (lock ID, advisory key)
        # False when albform_locks is absent (skip_table_creation): locks still work, but
        # conflicts cannot name the holder and force_unlock cannot check an ID.
        self._records = True
        self.lock_path = ""
        self._journal: PgJournal | None = None

    def journal(self) -> PgJournal:
        if self._journal is None:
            self._run(lambda c: None)  # the schema exists before the journal's table
            self._journal = PgJournal(self._conn_str, self.schema_name, self.workspace,
                                      create_table=not self._skip[1])
        return self._journal

    # -- connection -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the pinned connection (releasing any lock this client holds)."""
        if self._journal is not None:
            self._journal.close()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._held = None

    def __enter__(self) -> PgBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, action: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run ``action`` on the pinned connection, reconnecting once if the server dropped
        it — unless this client held a lock, which went with the connection."""
        pg = _psycopg()

        def once() -> T:
            try:
                return action(self._connect())
            except pg.OperationalError as exc:
                lost = self._connection is not None and (self._connection.broken
                                                         or self._connection.closed)
                if not lost:
                    raise BackendError(f"PostgreSQL state backend: {exc}") from exc
                self._connection = None
                if self._held is not None:
                    self._held = None
                    raise BackendError(
                        "PostgreSQL connection lost while holding the state lock; the lock "
                        f"is released and the operation was not completed: {exc}") from exc
                raise _ConnectionLost(exc) from exc
            except pg.Error as exc:
                raise BackendError(f"PostgreSQL state backend: {exc}") from exc

        try:
            return Retrying(stop=stop_after_attempt(2), reraise=True,
                            retry=retry_if_exception_type(_ConnectionLost))(once)
        except _ConnectionLost as exc:
            raise BackendError(f"PostgreSQL state backend: {exc.cause}") from exc.cause

    def _connect(self) -> psycopg.Connection[Any]:
        if self._connection is None:
            pg = _psycopg()
            connection = pg.connect(self._conn_str, autocommit=True)
            try:
                self._create_layout(connection)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _create_layout(self, conn: psycopg.Connection[Any]) -> None:
        from psycopg import sql

        skip_schema, skip_table, skip_index = self._skip
        schema = sql.Identifier(self.schema_name)
        if not skip_schema:
            # Look first: a user without CREATE privilege can still use an existing schema.
            found = conn.execute("SELECT count(1) FROM information_schema.schemata "
                                 "WHERE schema_name = %s", (self.schema_name,)).fetchone()
            if not found or found[0] < 1:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        if not skip_table:
            conn.execute("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint")
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}.states (id bigint NOT NULL DEFAULT "
                "nextval('public.global_states_id_seq') PRIMARY KEY, name text UNIQUE, "
                "data text)").format(schema))
            conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {}.albform_locks "
                                 "(name text PRIMARY KEY, info text NOT NULL)").format(schema))
        else:
            found = conn.execute("SELECT to_regclass(%s)",
                                 (f'"{self.schema_name}".albform_locks',)).fetchone()
            self._records = bool(found and found[0])
        if not skip_index:
            conn.execute(sql.SQL("CREATE UNIQUE INDEX IF NOT EXISTS states_by_name "
                                 "ON {}.states (name)").format(schema))

    def _sql(self, text: str) -> Any:
        from psycopg import sql

        return sql.SQL(text).format(schema=sql.Identifier(self.schema_name))

    # -- state ----------------------------------------------------------------------------------
    def read(self) -> State | None:
        row = self._run(lambda c: c.execute(
            self._sql("SELECT data FROM {schema}.states WHERE name = %s"),
            (self.workspace,)).fetchone())
        return self._decode(row[0]) if row and row[0] else None

    def prepare(self, resource: ResourceState) -> None:
        prepare_instance(resource, self._schemas, self._encoded)

    def write(self, state: State, *, force: bool = False) -> None:
        encoded = encode_state(state, self._schemas, cache=self._encoded)
        data = encoded.decode("utf-8")

        def store(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction():
                row = conn.execute(self._sql(
                    "SELECT data FROM {schema}.states WHERE name = %s FOR UPDATE"),
                    (self.workspace,)).fetchone()
                stored = self._decode(row[0]) if row and row[0] else None
                if check_write(stored, state, new_data=encoded,
                               stored_data=row[0].encode("utf-8") if row and row[0] else None,
                               force=force):
                    conn.execute(self._sql(
                        "INSERT INTO {schema}.states (name, data) VALUES (%s, %s) "
                        "ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data"),
                        (self.workspace, data))

        self._run(store)

    # -- workspaces (one row each; see ``workspaces``) --------------------------------------------
    def other_workspace_names(self) -> list[str]:
        """Workspaces besides ``default``, sorted (Terraform's listing query)."""
        rows = self._run(lambda c: c.execute(self._sql(
            "SELECT name FROM {schema}.states WHERE name != 'default' ORDER BY name"),
        ).fetchall())
        return [str(r[0]) for r in rows]

    def delete_workspace(self) -> None:
        """Delete this workspace's row (never ``default``'s, as Terraform refuses)."""
        if self.workspace == "default":
            raise BackendError("can't delete default state")
        self._run(lambda c: c.execute(self._sql("DELETE FROM {schema}.states WHERE name = %s"),
                                      (self.workspace,)))

    def _decode(self, data: str) -> State:
        try:
            return decode_state(data.encode("utf-8"), self._schemas)
        except StateFormatError as exc:
            raise StateFormatError(
                f"workspace {self.workspace!r} in {self.schema_name}.states: {exc}") from exc

    # -- lock -----------------------------------------------------------------------------------
    def lock(self, info: LockInfo) -> str:
        if self._held is not None:
            raise StateLockedError(self._holder(), "state is already locked by this client")
        key, reason = self._run(self._try_advisory_locks)
        if key is None:
            raise StateLockedError(self._holder(), reason)
        self._held = (info.id, key)
        if self._records:
            record = info.with_path(str(key))
            self._run(lambda c: c.execute(self._sql(
                "INSERT INTO {schema}.albform_locks (name, info) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET info = EXCLUDED.info"),
                (self.workspace, record.to_json())))
        return info.id

    def _try_advisory_locks(self, conn: psycopg.Connection[Any]) -> tuple[int | None, str]:
        # Terraform's query: the row lock and the creation lock in one statement.
        row = conn.execute(self._sql(
            "SELECT s.id, pg_try_advisory_lock(s.id), pg_try_advisory_lock(-1) "
            "FROM {schema}.states s WHERE s.name = %s"), (self.workspace,)).fetchone()
        if row is None:
            created = conn.execute("SELECT pg_try_advisory_lock(-1)").fetchone()
            if not created or not created[0]:
                return None, f"Already locked for workspace creation: {self.workspace}"
            return CREATION_LOCK, ""
        row_id, got_row, got_create = row
        if not got_row:
            if got_create:
                conn.execute("SELECT pg_advisory_unlock(-1)")
            return None, f"Workspace is already locked: {self.workspace}"
        if not got_create:
            conn.execute("SELECT pg_advisory_unlock(%s)", (row_id,))
            return None, ("Cannot lock workspace; already locked for workspace creation: "
                          f"{self.workspace}")
        conn.execute("SELECT pg_advisory_unlock(-1)")
        return int(row_id), ""

    def unlock(self, lock_id: str) -> None:
        if self._held is None:
            raise LockError(f"workspace {self.workspace!r} is not locked by this client")
        held_id, key = self._held
        if lock_id != held_id:
            raise LockError(f"lock ID {lock_id!r} does not match the existing lock ID "
                            f"{held_id!r}", lock_id=held_id)

        def release(conn: psycopg.Connection[Any]) -> None:
            self._delete_record(conn, lock_id)
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

        self._run(release)
        self._held = None

    def force_unlock(self, lock_id: str) -> None:
        if self._held is not None and self._held[0] == lock_id:
            self.unlock(lock_id)
            return
        record = self._record()
        if record is None:
            raise LockError(
                f"workspace {self.workspace!r} has no albform lock record; nothing to unlock "
                "(a lock taken by terraform itself ends with its database session)")
        if record.id != lock_id:
            raise LockError(f"lock ID {lock_id!r} does not match the existing lock ID "
                            f"{record.id!r}", lock_id=record.id)
        self._run(lambda c: self._end_holder(c, _key_of(record), lock_id))

    def _end_holder(self, conn: psycopg.Connection[Any], key: int, lock_id: str) -> None:
        # A session lock can only be released by its session: end that session, and poll
        # until no session holds the lock.
        def none_left() -> bool:
            pids = _holder_pids(conn, key)
            for pid in pids:
                conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
            return not pids

        ended = Retrying(stop=stop_after_attempt(50), wait=wait_fixed(0.05),
                         retry=retry_if_result(lambda done: not done),
                         retry_error_callback=lambda state: False)(none_left)
        if not ended:
            raise LockError(f"could not end the session holding lock {lock_id!r}")
        self._delete_record(conn, lock_id)

    def _delete_record(self, conn: psycopg.Connection[Any], lock_id: str) -> None:
        if not self._records:
            return
        conn.execute(self._sql("DELETE FROM {schema}.albform_locks WHERE name = %s "
                               "AND info::jsonb ->> 'ID' = %s"), (self.workspace, lock_id))

    def _record(self) -> LockInfo | None:
        self._run(lambda c: None)  # connect first: that settles whether records exist
        if not self._records:
            return None
        row = self._run(lambda c: c.execute(self._sql(
            "SELECT info FROM {schema}.albform_locks WHERE name = %s"),
            (self.workspace,)).fetchone())
        if not row:
            return None
        try:
            return LockInfo.from_json(row[0])
        except LockError:
            return None

    def _holder(self) -> LockInfo:
        record = self._record()
        # A record whose advisory lock nobody holds is stale (its holder died): ignore it.
        if record is not None and self._run(
                lambda c: _holder_pids(c, _key_of(record))):
            return record
        return LockInfo(id="", operation="", info=_UNKNOWN_HOLDER, version="")


def _key_of(record: LockInfo) -> int:
    try:
        return int(record.path)
    except ValueError:
        return CREATION_LOCK


def _holder_pids(conn: psycopg.Connection[Any], key: int) -> list[int]:
    """Backend pids of other sessions holding the bigint advisory lock ``key``."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF  # pg_locks splits the key into two unsigned oids
    rows = conn.execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
        "database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid = %s::oid AND objid = %s::oid AND objsubid = 1 "
        "AND pid <> pg_backend_pid()", (unsigned >> 32, unsigned & 0xFFFFFFFF)).fetchall()
    return [int(r[0]) for r in rows]
