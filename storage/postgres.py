"""The scan database on a PostgreSQL server (`--db postgresql://…`), shared by many workers.

The crawl itself always writes a local SQLite file (crash-safe, fast, resumable); a finished and
checked scan is then *published* here whole, in one transaction: every row of that scan from
every zwgk table, under a new scan id. Checks and reports query PostgreSQL through
:class:`PgConnection`, which takes the same SQL as SQLite (``?`` parameters, rows readable by
name and by position, ``with conn:`` as one transaction), so their SQL is written once.

zwgk only ever alters a database it created: a server database holding tables but no
``zwgk_meta`` table is refused before anything is written to it.
"""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack
from urllib.parse import urlsplit, urlunsplit

from storage.schema import APPLICATION_ID, META_TABLE, SCHEMA_VERSION, UnusableDatabase
from storage.sqlite import scan_tables

URL_PREFIXES = ("postgresql://", "postgres://")
_TYPES = {"INTEGER": "BIGINT", "INT": "BIGINT", "BIGINT": "BIGINT", "REAL": "DOUBLE PRECISION", "FLOAT": "DOUBLE PRECISION", "TEXT": "TEXT", "": "TEXT"}


def without_password(url: str | None) -> str | None:
    """A database or broker URL as it may be printed or stored: the password replaced by ***."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        if not parts.password:
            return url
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def is_postgres(target: str) -> bool:
    return target.startswith(URL_PREFIXES)


def translate(sql: str) -> str:
    """SQLite-style SQL to psycopg's: ``?`` → ``%s`` outside string literals, ``%`` → ``%%`` everywhere."""
    out = []
    quote = None
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class Row(tuple):
    """A result row readable like sqlite3.Row: ``row[0]``, ``row["url"]``, ``dict(row)``."""

    def __new__(cls, values, index: dict[str, int]):
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return super().__getitem__(self._index[key])
        return super().__getitem__(key)

    def keys(self):
        return list(self._index)


def _row_factory(cursor):
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class PgConnection:
    """The subset of sqlite3.Connection that zwgk's checks and reports use, on PostgreSQL."""

    dialect = "postgresql"

    def __init__(self, url: str):
        import psycopg

        try:
            self.raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory, connect_timeout=15)
        except psycopg.Error as exc:
            raise UnusableDatabase(f"无法连接数据库 cannot connect to database {without_password(url)}: {str(exc).strip().splitlines()[0]}") from None
        self.url = url
        self._transactions: list = []

    row_factory = property(lambda self: None, lambda self, value: None)  # rows are always Row

    def execute(self, sql: str, params=()):
        return self.raw.execute(translate(sql), tuple(params))

    def executemany(self, sql: str, seq):
        cursor = self.raw.cursor()
        cursor.executemany(translate(sql), [tuple(p) for p in seq])
        return cursor

    def __enter__(self):
        tx = self.raw.transaction()
        tx.__enter__()
        self._transactions.append(tx)
        return self

    def __exit__(self, *exc):
        return self._transactions.pop().__exit__(*exc)

    def columns(self, table: str) -> list[str]:
        return columns_of(self, table)

    def close(self) -> None:
        self.raw.close()


def tables(conn: PgConnection) -> set[str]:
    return {r[0] for r in conn.execute(
        "select table_name from information_schema.tables where table_schema = current_schema()")}


def columns_of(conn: PgConnection, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = current_schema() and table_name = ? "
        "order by ordinal_position", (table,))]


def open_pg(url: str, create: bool = True) -> PgConnection:
    """A zwgk database on a PostgreSQL server; refuses a database another application uses."""
    conn = PgConnection(url)
    try:
        have = tables(conn)
        if META_TABLE not in have:
            if have:
                raise UnusableDatabase(f"不是 zwgk 的数据库，不会修改 not a zwgk database (refusing to change it): {without_password(url)} "
                                       f"(tables: {', '.join(sorted(have)[:5])})")
            if not create:
                raise UnusableDatabase(f"数据库中没有扫描 no scans in {without_password(url)}")
            with conn:
                conn.execute("select pg_advisory_xact_lock(?)", (APPLICATION_ID,))  # concurrent creators wait here
                conn.execute(f'CREATE TABLE IF NOT EXISTS "{META_TABLE}" (key TEXT PRIMARY KEY, value TEXT)')
                conn.execute(f'INSERT INTO "{META_TABLE}" VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
                             ("schema_version", str(SCHEMA_VERSION)))
                conn.execute('CREATE TABLE IF NOT EXISTS "scans" ("id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, '
                             '"site" TEXT, "start_urls" TEXT, "started_at" TEXT, "finished_at" TEXT, "status" TEXT, '
                             '"settings" TEXT, "as_of" TEXT, "tool_version" TEXT)')
        else:
            row = conn.execute(f'select value from "{META_TABLE}" where key = ?', ("schema_version",)).fetchone()
            if row and str(row[0]).isdigit() and int(row[0]) > SCHEMA_VERSION:
                raise UnusableDatabase(f"数据库由更新版本的 zwgk 创建 database written by a newer zwgk (schema {row[0]}): {without_password(url)}")
    except BaseException:
        conn.close()
        raise
    return conn


def _sqlite_tables(src: sqlite3.Connection) -> dict[str, tuple[list[tuple[str, str]], list[str]]]:
    """zwgk's tables holding scan rows: name → ([(column, PostgreSQL type)], primary key)."""
    out = {}
    for name in scan_tables(src):
        info = src.execute(f'PRAGMA table_info("{name}")').fetchall()
        cols = [(r[1], _TYPES.get((r[2] or "").upper(), "TEXT")) for r in info]
        pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        out[name] = (cols, pk)
    return out


def _ensure_table(conn: PgConnection, name: str, cols: list[tuple[str, str]], pk: list[str], have: set[str]) -> None:
    if name not in have:
        defs = [f'"{c}" {t}' for c, t in cols]
        if pk:
            defs.append(f'PRIMARY KEY ({", ".join(chr(34) + c + chr(34) for c in pk)})')
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({", ".join(defs)})')
        conn.execute(f'CREATE INDEX IF NOT EXISTS "idx_{name}_scan" ON "{name}" ("scan_id")')
        have.add(name)
        return
    present = set(columns_of(conn, name))
    for c, t in cols:
        if c not in present:  # written by an older zwgk
            conn.execute(f'ALTER TABLE "{name}" ADD COLUMN "{c}" {t}')


def publish_scan(sqlite_path: str, scan_id: int, conn: PgConnection, before_commit=None) -> int | None:
    """Copy one scan of a local SQLite database (every table, findings included) into the server
    database in one transaction; its new scan id. ``before_commit(conn, new_id)`` runs inside that
    transaction and may return False to abandon the copy (the site was already published by another
    worker: a task that runs twice leaves one copy), in which case None is returned."""
    src = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        scan_columns = [r[1] for r in src.execute('PRAGMA table_info("scans")') if r[1] != "id"]
        scan = src.execute(f"select {', '.join(chr(34) + c + chr(34) for c in scan_columns)} from scans where id = ?",
                           (scan_id,)).fetchone()
        if scan is None:
            raise UnusableDatabase(f"没有扫描 {scan_id} no scan {scan_id} in {sqlite_path}")
        layout = _sqlite_tables(src)
        with ExitStack() as stack:
            stack.enter_context(conn)
            conn.execute("select pg_advisory_xact_lock(?)", (APPLICATION_ID + 1,))  # one schema change at a time
            have = tables(conn)
            for name, (cols, pk) in layout.items():
                _ensure_table(conn, name, cols, pk, have)
            present = set(columns_of(conn, "scans"))
            for column in scan_columns:
                if column not in present:  # a server database written by an older zwgk
                    conn.execute(f'ALTER TABLE "scans" ADD COLUMN "{column}" TEXT')
            new_id = conn.execute(
                f'insert into "scans" ({", ".join(chr(34) + c + chr(34) for c in scan_columns)}) '
                f'values ({", ".join("?" * len(scan_columns))}) returning "id"', scan).fetchone()[0]
            cursor = conn.raw.cursor()
            for name, (cols, _pk) in layout.items():
                names = [c for c, _ in cols]
                at = names.index("scan_id")
                quoted = ", ".join(f'"{c}"' for c in names)
                with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
                    for row in src.execute(f'select {quoted} from "{name}" where scan_id = ?', (scan_id,)):
                        row = list(row)
                        row[at] = new_id
                        copy.write_row(row)
            if before_commit is not None and before_commit(conn, new_id) is False:
                raise _Abandon()
        return new_id
    except _Abandon:
        return None
    finally:
        src.close()


class _Abandon(Exception):
    """Roll the publishing transaction back: someone else published this site first."""
