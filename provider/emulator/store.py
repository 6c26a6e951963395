"""SQLite storage of the emulator: objects, the reference graph, IPAM allocations, settings.

One connection guarded by one re-entrant lock: every read and every write transaction runs
under it, so parallel writers are serialised (SQLite's own rule, made explicit) and a check
followed by a write — "is this name free", "is this address free" — is atomic when done inside
:meth:`Store.transaction`. ``path=None`` keeps everything in memory; a file path persists it
(restart on the same file keeps every object and allocation).

Objects are stored with their canonical body (refs as ``/api/<type>/<uuid>``, no ``url``);
``tenant``, ``name`` and ``cloud`` are columns so lookups and collections are indexed.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # a top-level key of a body


def is_key_name(field: str) -> bool:
    """Whether ``Store.get_fields`` can cut a body by ``field`` (a plain top-level key name)."""
    return _FIELD_NAME.match(field) is not None

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    uuid TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    tenant TEXT NOT NULL,
    name TEXT,
    cloud TEXT,
    system INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_type_seq ON objects(type, seq);
CREATE INDEX IF NOT EXISTS objects_type_tenant_seq ON objects(type, tenant, seq);
DROP INDEX IF EXISTS objects_type_name;
CREATE INDEX IF NOT EXISTS objects_type_name_seq ON objects(type, name, seq);
CREATE TABLE IF NOT EXISTS refs (src TEXT NOT NULL, dst TEXT NOT NULL, PRIMARY KEY (src, dst));
CREATE INDEX IF NOT EXISTS refs_dst ON refs(dst);
CREATE TABLE IF NOT EXISTS ip_alloc (
    vrf TEXT NOT NULL,
    addr TEXT NOT NULL,
    network TEXT NOT NULL,
    owner TEXT NOT NULL,
    vip_id TEXT NOT NULL,
    PRIMARY KEY (vrf, addr)
);
CREATE INDEX IF NOT EXISTS ip_alloc_owner ON ip_alloc(owner);
-- Per (VRF, first address of a range): every address of the range below ``below`` is
-- allocated (``first_free``). Forgotten on any release.
CREATE TABLE IF NOT EXISTS ip_taken_below (
    vrf TEXT NOT NULL, first INTEGER NOT NULL, below INTEGER NOT NULL,
    PRIMARY KEY (vrf, first)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Objects per (type, tenant), kept by triggers so an unfiltered collection's "count" needs no
-- scan (COUNT(*) over 100,000 index entries costs more than serving the page itself).
CREATE TABLE IF NOT EXISTS counts (
    type TEXT NOT NULL, tenant TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (type, tenant)
);
CREATE TRIGGER IF NOT EXISTS objects_count_ins AFTER INSERT ON objects BEGIN
    INSERT INTO counts (type, tenant, n) VALUES (new.type, new.tenant, 1)
        ON CONFLICT (type, tenant) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS objects_count_del AFTER DELETE ON objects BEGIN
    UPDATE counts SET n = n - 1 WHERE type = old.type AND tenant = old.tenant;
END;
CREATE TRIGGER IF NOT EXISTS objects_count_upd AFTER UPDATE OF type, tenant ON objects
WHEN old.type <> new.type OR old.tenant <> new.tenant BEGIN
    UPDATE counts SET n = n - 1 WHERE type = old.type AND tenant = old.tenant;
    INSERT INTO counts (type, tenant, n) VALUES (new.type, new.tenant, 1)
        ON CONFLICT (type, tenant) DO UPDATE SET n = n + 1;
END;
"""


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One object as stored: identity columns plus the canonical JSON body."""

    type: str
    uuid: str
    tenant: str
    name: str | None
    cloud: str | None
    body: dict[str, Any]
    system: bool = False


@dataclass(frozen=True, slots=True)
class Allocation:
    vrf: str
    addr: str
    network: str
    owner: str
    vip_id: str


# Listings whose seqs Store._page_start keeps at once (a refresh walks a few at a time).
_SEQ_LISTINGS = 16


class _Cut:
    """The SELECT columns that cut each body to the top-level ``fields`` it has (JSON1), and
    how to build the ``StoredObject`` from such a row. Fields the store cannot cut by
    (``is_key_name``) are left out: the caller reads the whole body for those."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.names = [f for f in dict.fromkeys(fields) if is_key_name(f)]
        paths = [f'$."{f}"' for f in self.names]
        # Two or more paths make json_extract answer a JSON array: JSON types kept exactly;
        # json_type tells a key stored as null from an absent one.
        present = "".join(", json_type(body, ?)" for _ in paths)
        # No field: the body is not read at all (a constant stands in for the cut).
        extract = f"json_extract(body, '$.uuid', '$.uuid'{', ?' * len(paths)})" if paths \
            else "'[]'"
        self.columns = f"type, uuid, tenant, name, cloud, system, {extract}{present}"
        self.args = (*paths, *paths)

    def row(self, row: Sequence[Any]) -> StoredObject:
        values = json.loads(row[6])[2:]
        body = {f: v for f, v, kind in zip(self.names, values, row[7:], strict=True)
                if kind is not None}
        return StoredObject(type=row[0], uuid=row[1], tenant=row[2], name=row[3], cloud=row[4],
                            system=bool(row[5]), body=body)


class Store:
    """Thread-safe SQLite store; use :meth:`transaction` for multi-step atomic changes."""

    def __init__(self, path: str | Path | None = None) -> None:
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            # Recount once per open: cheap, and repairs files written before the triggers.
            self._db.executescript(
                "BEGIN; DELETE FROM counts; INSERT INTO counts (type, tenant, n)"
                " SELECT type, tenant, COUNT(*) FROM objects GROUP BY type, tenant; COMMIT;")
            row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM objects").fetchone()
            self._seq = int(row[0])
        # Store._page_start: every seq of a listing, kept while the database is unchanged.
        self._seqs: dict[tuple[str, tuple[Any, ...]], list[int]] = {}
        self._seqs_generation: tuple[int, int] | None = None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and one SQLite transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    # -- objects ---------------------------------------------------------------------------

    @staticmethod
    def _row(row: Sequence[Any]) -> StoredObject:
        return StoredObject(
            type=row[0], uuid=row[1], tenant=row[2], name=row[3], cloud=row[4],
            system=bool(row[5]), body=json.loads(row[6]),
        )

    _COLUMNS = "type, uuid, tenant, name, cloud, system, body"

    def get(self, uuid: str) -> StoredObject | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._COLUMNS} FROM objects WHERE uuid = ?", (uuid,)
            ).fetchone()
        return None if row is None else self._row(row)

    def get_fields(self, uuid: str, fields: Iterable[str]) -> StoredObject | None:
        """``get`` with the body cut to the top-level ``fields`` it has, cut by SQLite (JSON1)
        instead of decoding the whole body: a client checking a VRF of thousands of static
        routes for ``_last_modified`` gets a few bytes at the cost of a few bytes."""
        cut = _Cut(fields)
        with self._lock:
            row = self._db.execute(f"SELECT {cut.columns} FROM objects WHERE uuid = ?",
                                   (*cut.args, uuid)).fetchone()
        return None if row is None else cut.row(row)

    def locate(self, uuid: str) -> tuple[str, str] | None:
        """An object's (type, tenant), without decoding its body: checking a reference needs
        no more, and the objects most referred to (a VRF holding a cluster's thousands of
        static routes) have the largest bodies."""
        with self._lock:
            row = self._db.execute(
                "SELECT type, tenant FROM objects WHERE uuid = ?", (uuid,)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def name_of(self, uuid: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT name FROM objects WHERE uuid = ?", (uuid,)).fetchone()
        return None if row is None else row[0]

    def by_name(self, obj_type: str, name: str, *, fields: Iterable[str] | None = None,
                ) -> list[StoredObject]:
        """The objects of ``obj_type`` named ``name``, oldest first; with ``fields``, their
        bodies cut to those top-level fields as ``get_fields`` cuts them (``()``: no body
        read at all, for a look-up that needs only an object's uuid, tenant or cloud)."""
        args: tuple[str, ...] = ()
        if fields is None:
            columns, make = self._COLUMNS, self._row
        else:
            cut = _Cut(fields)
            columns, args, make = cut.columns, cut.args, cut.row
        with self._lock:
            rows = self._db.execute(
                f"SELECT {columns} FROM objects WHERE type = ? AND name = ? ORDER BY seq",
                (*args, obj_type, name),
            ).fetchall()
        return [make(r) for r in rows]

    def put(self, obj: StoredObject) -> None:
        """Insert or replace (keeps the original ordering position on replace)."""
        with self.transaction():
            self._seq += 1
            self._db.execute(
                "INSERT INTO objects (uuid, type, tenant, name, cloud, system, seq, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET"
                " type = excluded.type, tenant = excluded.tenant, name = excluded.name,"
                " cloud = excluded.cloud, system = excluded.system, body = excluded.body",
                (obj.uuid, obj.type, obj.tenant, obj.name, obj.cloud, int(obj.system), self._seq,
                 json.dumps(obj.body, separators=(",", ":"))),
            )

    def bulk_put(self, objs: Iterable[StoredObject], refs: Iterable[tuple[str, str]] = ()) -> None:
        """Fast load for benchmarks and fixtures: many objects and ref edges in one go."""
        with self.transaction():
            rows = []
            for obj in objs:
                self._seq += 1
                rows.append((obj.uuid, obj.type, obj.tenant, obj.name, obj.cloud,
                             int(obj.system), self._seq,
                             json.dumps(obj.body, separators=(",", ":"))))
            self._db.executemany(
                "INSERT INTO objects (uuid, type, tenant, name, cloud, system, seq, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.executemany("INSERT OR IGNORE INTO refs (src, dst) VALUES (?, ?)", refs)

    def delete(self, uuid: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM objects WHERE uuid = ?", (uuid,))
            self._db.execute("DELETE FROM refs WHERE src = ?", (uuid,))

    def query(
        self,
        obj_type: str,
        *,
        tenants: Sequence[str] | None = None,
        where: Sequence[str] = (),
        params: Sequence[Any] = (),
        limit: int | None = None,
        offset: int = 0,
        order: str = "seq",
        fields: Iterable[str] | None = None,
    ) -> tuple[int, list[StoredObject]]:
        """Objects of a type (in ``tenants``, None = all) matching SQL conditions:
        (total count, one page). With ``fields``, each body is cut to those top-level keys
        as ``get_fields`` cuts it: a refresh asking a page of 200 objects for their
        ``_last_modified`` costs no decoding of 200 whole bodies."""
        # A ``uuid.in`` page names its rows: found by primary key. The unary ``+`` keeps SQLite
        # from choosing the (type, tenant) index instead, which scans every object of the type
        # for each page — a refresh of N objects in pages of 200 would cost N²/200 row reads.
        plus = "+" if any(w.startswith("uuid IN") for w in where) else ""
        conds = [f"{plus}type = ?"]
        args: list[Any] = [obj_type]
        if tenants is not None:
            conds.append(f"{plus}tenant IN ({','.join('?' * len(tenants))})")
            args.extend(tenants)
        clause = " AND ".join([*conds, *where])
        args.extend(params)
        cut = _Cut(fields) if fields is not None else None
        columns = self._COLUMNS if cut is None else cut.columns
        with self._lock:
            if where:
                total = int(self._db.execute(
                    f"SELECT COUNT(*) FROM objects WHERE {clause}", args).fetchone()[0])
            else:
                total = self._count(obj_type, tenants)
            start = self._page_start(clause, args, order, offset) if limit else None
            if cut is not None:
                args = [*cut.args, *args]
            if limit is None:
                sql = f"SELECT {columns} FROM objects WHERE {clause} ORDER BY {order}"
            elif start is not None:
                # Keyset: the page starts at a known seq, no OFFSET walk over the pages before.
                sql = (f"SELECT {columns} FROM objects WHERE rowid IN ("
                       f"SELECT rowid FROM objects WHERE ({clause}) AND seq >= ? ORDER BY seq"
                       f" LIMIT ?) ORDER BY seq")
                args = [*args, start, limit]
            else:
                # Page on rowids first: OFFSET then walks an index, not the bodies it skips.
                sql = (f"SELECT {columns} FROM objects WHERE rowid IN ("
                       f"SELECT rowid FROM objects WHERE {clause} ORDER BY {order}"
                       f" LIMIT ? OFFSET ?) ORDER BY {order}")
                args = [*args, limit, offset]
            rows = self._db.execute(sql, args).fetchall()
        make = self._row if cut is None else cut.row
        return total, [make(r) for r in rows]

    def _page_start(self, clause: str, args: Sequence[Any], order: str,
                    offset: int) -> int | None:
        """The seq of the row at ``offset`` in ``clause``'s seq order, or None to page by
        OFFSET (another order, the first page, past the end, or seqs not unique: databases
        shared by processes can repeat one). Every seq of a listing is read once and kept
        until the database changes (this connection's changes or another's commit), so a
        walk over numbered pages costs one index scan, not one per page growing with the
        page number. Call with the lock held."""
        if order != "seq" or offset <= 0:
            return None
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        generation = (self._db.total_changes, version)
        if self._seqs_generation != generation:
            self._seqs.clear()
            self._seqs_generation = generation
        key = (clause, tuple(args))
        seqs = self._seqs.get(key)
        if seqs is None:
            if len(self._seqs) >= _SEQ_LISTINGS:
                self._seqs.clear()
            listed = [r[0] for r in self._db.execute(
                f"SELECT seq FROM objects WHERE {clause} ORDER BY seq", args)]
            seqs = listed if len(set(listed)) == len(listed) else []
            self._seqs[key] = seqs
        return seqs[offset] if offset < len(seqs) else None

    def _count(self, obj_type: str, tenants: Sequence[str] | None) -> int:
        sql, args = "SELECT COALESCE(SUM(n), 0) FROM counts WHERE type = ?", [obj_type]
        if tenants is not None:
            sql += f" AND tenant IN ({','.join('?' * len(tenants))})"
            args.extend(tenants)
        return int(self._db.execute(sql, args).fetchone()[0])

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM objects").fetchone()[0])

    # -- reference graph -------------------------------------------------------------------

    def set_refs(self, src: str, dsts: Iterable[str]) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM refs WHERE src = ?", (src,))
            self._db.executemany(
                "INSERT OR IGNORE INTO refs (src, dst) VALUES (?, ?)",
                [(src, d) for d in set(dsts) if d != src],
            )

    def referrers(self, dst: str) -> list[StoredObject]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join('o.' + c.strip() for c in self._COLUMNS.split(','))}"
                " FROM refs r JOIN objects o ON o.uuid = r.src WHERE r.dst = ? ORDER BY o.seq",
                (dst,),
            ).fetchall()
        return [self._row(r) for r in rows]

    # -- IPAM allocations ------------------------------------------------------------------

    def allocations(self, *, owner: str | None = None, vrf: str | None = None) -> list[Allocation]:
        conds, args = [], []
        if owner is not None:
            conds.append("owner = ?")
            args.append(owner)
        if vrf is not None:
            conds.append("vrf = ?")
            args.append(vrf)
        sql = "SELECT vrf, addr, network, owner, vip_id FROM ip_alloc"
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY rowid", args).fetchall()
        return [Allocation(*r) for r in rows]

    def first_free(self, vrf: str, first: int, last: int) -> str | None:
        """The lowest address of ``first``..``last`` (as integers) that no allocation in
        ``vrf`` holds, or None. Remembers where the answer was (``ip_taken_below``), so the
        next call for the range starts there: a run of N allocations costs N lookups, not
        N²/2 (a cluster's 10,000 VsVips drawing from one VIP network). Call it inside the
        transaction that allocates the answer."""
        with self.transaction():
            row = self._db.execute("SELECT below FROM ip_taken_below WHERE vrf = ? AND first = ?",
                                   (vrf, first)).fetchone()
            value = max(first, int(row[0])) if row else first
            found = None
            while value <= last and found is None:
                addr = str(ipaddress.ip_address(value))
                if self._db.execute("SELECT 1 FROM ip_alloc WHERE vrf = ? AND addr = ?",
                                    (vrf, addr)).fetchone() is None:
                    found = addr
                else:
                    value += 1
            self._db.execute("INSERT OR REPLACE INTO ip_taken_below (vrf, first, below)"
                             " VALUES (?, ?, ?)", (vrf, first, value))
            return found

    def allocate(self, alloc: Allocation) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT INTO ip_alloc (vrf, addr, network, owner, vip_id) VALUES (?, ?, ?, ?, ?)",
                (alloc.vrf, alloc.addr, alloc.network, alloc.owner, alloc.vip_id),
            )

    def release(self, owner: str, vip_ids: Iterable[str] | None = None) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM ip_taken_below")  # a freed address may be below
            if vip_ids is None:
                self._db.execute("DELETE FROM ip_alloc WHERE owner = ?", (owner,))
            else:
                self._db.executemany(
                    "DELETE FROM ip_alloc WHERE owner = ? AND vip_id = ?",
                    [(owner, v) for v in vip_ids],
                )

    # -- settings --------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def delete_meta(self, key: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
