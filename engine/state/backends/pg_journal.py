"""``PgJournal``: the intent journal of a pg state (``engine/state/journal.py``), as rows of
``<schema>.albform_intents(name, seq, entry)`` beside ``states`` — so whoever applies next,
from any machine, reconciles what an interrupted apply left open.

It uses a connection of its own: the state's connection runs the persister thread's write
transactions, and an intent must be committed by itself, before its controller call.
Every group commit is one autocommitted multi-row INSERT. The table is created like
``albform_locks``; with ``skip_table_creation`` it must exist (the error gives the DDL).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from albform.engine.state.journal import (
    GroupCommit,
    Intent,
    JournalError,
    decode_intents,
    encode_intent,
)

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")
_DDL = ("CREATE TABLE IF NOT EXISTS {schema}.albform_intents (name text NOT NULL, "
        "seq bigserial, entry text NOT NULL, PRIMARY KEY (name, seq))")


class PgJournal:
    def __init__(self, conn_str: str, schema_name: str, workspace: str, *,
                 create_table: bool = True) -> None:
        self._conn_str = conn_str
        self._schema = schema_name
        self._workspace = workspace
        self._create_table = create_table
        self._connection: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()
        self._commit = GroupCommit(self._insert)

    def record(self, intent: Intent) -> None:
        self._commit.record(encode_intent(intent))

    def record_all(self, intents: Sequence[Intent]) -> None:
        self._commit.record_all([encode_intent(i) for i in intents])

    def pending(self) -> list[Intent]:
        rows = self._run(lambda c: c.execute(self._sql(
            "SELECT entry FROM {schema}.albform_intents WHERE name = %s ORDER BY seq"),
            (self._workspace,)).fetchall())
        where = f"{self._schema}.albform_intents (workspace {self._workspace!r})"
        return decode_intents("".join(r[0] for r in rows).encode(), where)

    def replace(self, intents: Sequence[Intent]) -> None:
        lines = [encode_intent(i).decode() for i in intents]

        def rewrite(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction():
                conn.execute(self._sql("DELETE FROM {schema}.albform_intents WHERE name = %s"),
                             (self._workspace,))
                if lines:
                    self._insert_rows(conn, lines)

        self._run(rewrite)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _insert(self, lines: list[bytes]) -> None:
        self._run(lambda c: self._insert_rows(c, [line.decode() for line in lines]))

    def _insert_rows(self, conn: psycopg.Connection[Any], lines: list[str]) -> None:
        conn.execute(self._sql("INSERT INTO {schema}.albform_intents (name, entry) "
                               "SELECT %s, e FROM unnest(%s::text[]) WITH ORDINALITY AS t(e, n) "
                               "ORDER BY n"), (self._workspace, lines))

    def _sql(self, text: str) -> Any:
        from psycopg import sql

        return sql.SQL(text).format(schema=sql.Identifier(self._schema))

    def _run(self, action: Callable[[psycopg.Connection[Any]], T]) -> T:
        import psycopg

        with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = self._connect()
                return action(self._connection)
            except psycopg.Error as exc:
                if self._connection is not None and self._connection.broken:
                    self._connection = None
                raise JournalError(f"PostgreSQL intent journal "
                                   f"({self._schema}.albform_intents): {exc}") from exc

    def _connect(self) -> psycopg.Connection[Any]:
        import psycopg

        conn = psycopg.connect(self._conn_str, autocommit=True)
        try:
            if self._create_table:
                conn.execute(self._sql(_DDL))
            else:
                found = conn.execute("SELECT to_regclass(%s)",
                                     (f'"{self._schema}".albform_intents',)).fetchone()
                if not found or not found[0]:
                    raise JournalError(
                        f"the intent journal table {self._schema}.albform_intents does not "
                        "exist and skip_table_creation is set; create it with: "
                        + _DDL.replace("{schema}", self._schema))
        except BaseException:
            conn.close()
            raise
        return conn
