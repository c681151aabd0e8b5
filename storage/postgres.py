"""The scan database on a PostgreSQL server (`--db postgresql://…`), shared by many workers.

The crawl itself always writes a local SQLite file (crash-safe, fast, resumable); a finished and
checked scan is then *published* here whole, in one transaction: every row of that scan from
every zwgk table, under a new scan id. Checks and reports query PostgreSQL through
:class:`PgConnection`, which takes the same SQL as SQLite (``?`` parameters, rows readable by
name and by position, ``with conn:`` as one transaction), so their SQL is written once.

zwgk's tables live in a schema of their own, ``zwgk`` unless the URL names another
(``?options=-csearch_path%3Dother``); other applications' tables in other schemas are never looked
at. zwgk only ever alters a schema it created: one holding tables but no ``zwgk_meta`` table is
refused before anything is written to it. Before a crawl, the rights zwgk will need (CONNECT, CREATE
on the database or the schema, USAGE, SELECT/INSERT/UPDATE on its tables) are checked, and a missing
one is named in one line.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import ExitStack
from urllib.parse import urlsplit, urlunsplit

from storage.schema import APPLICATION_ID, META_TABLE, SCHEMA, SCHEMA_VERSION, UnusableDatabase
from storage.sqlite import scan_tables

URL_PREFIXES = ("postgresql://", "postgres://")
DEFAULT_SCHEMA = "zwgk"
_TYPES = {"INTEGER": "BIGINT", "INT": "BIGINT", "BIGINT": "BIGINT", "REAL": "DOUBLE PRECISION", "FLOAT": "DOUBLE PRECISION", "TEXT": "TEXT", "": "TEXT"}
_PY_TYPES = {int: "BIGINT", float: "DOUBLE PRECISION", str: "TEXT", bytes: "BYTEA"}
# the batch tables (zwgk batch); the same SQL creates them in an SQLite file
BATCH_DDL = (
    'CREATE TABLE IF NOT EXISTS "batches" ("id" TEXT PRIMARY KEY, "created_at" TEXT, "sites_file" TEXT, "settings" TEXT, '
    '"broker" TEXT)',
    'CREATE TABLE IF NOT EXISTS "batch_sites" ("batch_id" TEXT, "site_key" TEXT, "position" BIGINT, "name" TEXT, '
    '"code" TEXT, "url" TEXT, "organiser" TEXT, "site" TEXT, "status" TEXT, "scan_id" BIGINT, "error" TEXT, '
    '"score" DOUBLE PRECISION, "passed" BIGINT, "findings" BIGINT, "vetoes" BIGINT, "attempts" BIGINT, "worker" TEXT, '
    '"heartbeat" DOUBLE PRECISION, "queued_at" TEXT, "started_at" TEXT, "finished_at" TEXT, '
    'PRIMARY KEY ("batch_id", "site_key"))',
)
# tables the checks add to a scan (checks.engine), created in the schema when a scan is first published
LATE_TABLES = ("findings", "scan_checks")
# a server that is down, restarting or unreachable, as libpq words it: worth waiting for
_UNAVAILABLE = ("connection refused", "could not connect", "timeout expired", "timed out", "starting up", "shutting down",
                "no route to host", "network is unreachable", "server closed the connection", "connection reset",
                "recovery mode", "terminating connection", "too many clients", "could not receive data", "could not send data",
                "connection is lost", "connection is closed", "consuming input failed", "sending query failed",
                "the database system is")


class DatabaseUnavailable(UnusableDatabase):
    """The server cannot be reached just now (down, restarting): a batch waits and tries again."""


def unavailable(exc: BaseException) -> bool:
    """Whether a psycopg error means the server is down or the connection was lost (not a refusal)."""
    import psycopg

    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, psycopg.InterfaceError) and "closed" in str(exc):
        return True
    if isinstance(exc, (psycopg.errors.AdminShutdown, psycopg.errors.CrashShutdown, psycopg.errors.CannotConnectNow)):
        return True
    if not isinstance(exc, psycopg.OperationalError):
        return False
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith("08")  # connection exception
    text = str(exc).lower()  # libpq's own words: no SQLSTATE for a server that never answered
    return any(words in text for words in _UNAVAILABLE)


def schema_of(url: str) -> tuple[str, str]:
    """The schema zwgk uses in the database at ``url`` (the first of the URL's own search_path, else
    ``zwgk``) and the connection string that makes it the search path."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    options = conninfo_to_dict(url).get("options") or ""
    named = re.search(r"search_path\s*=\s*([^\s,]+)", options)
    if named:
        return named.group(1).strip('"'), url
    return DEFAULT_SCHEMA, make_conninfo(url, options=f"{options} -c search_path={DEFAULT_SCHEMA}".strip())


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

        self.schema = DEFAULT_SCHEMA
        try:
            self.schema, conninfo = schema_of(url)
            self.raw = psycopg.connect(conninfo, autocommit=True, row_factory=_row_factory, connect_timeout=15)
        except psycopg.Error as exc:
            text = " ".join(str(exc).split())
            if "permission denied for database" in text:
                raise UnusableDatabase(f"数据库用户没有连接该数据库的权限（需要 CONNECT）the user lacks the CONNECT privilege on "
                                       f"the database: {without_password(url)}") from None
            lines = [line for line in str(exc).strip().splitlines() if line.strip()]
            error = DatabaseUnavailable if unavailable(exc) else UnusableDatabase
            raise error(f"无法连接数据库 cannot connect to database {without_password(url)}: "
                        f"{lines[0].strip() if lines else 'no detail'}") from None
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
    """The tables (and views) in zwgk's schema, whoever may read them."""
    return {r[0] for r in conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = ? and c.relkind in ('r', 'p', 'v', 'm', 'f')", (conn.schema,))}


def columns_of(conn: PgConnection, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = ? and c.relname = ? and a.attnum > 0 and not a.attisdropped order by a.attnum", (conn.schema, table))]


def open_pg(url: str, create: bool = True) -> PgConnection:
    """A zwgk database on a PostgreSQL server, in zwgk's own schema; refuses a schema another application
    uses. With ``create`` (a crawl or a batch will write), the schema and every table are created
    when missing, and the rights zwgk will need are checked first (UnusableDatabase naming the right)."""
    conn = PgConnection(url)
    try:
        if conn.schema == DEFAULT_SCHEMA and not _exists(conn, DEFAULT_SCHEMA) and _has_meta(conn, "public"):
            conn.schema = "public"  # written by a zwgk that kept its tables in public: stay there
            conn.execute("select set_config('search_path', 'public', false)")
        exists = _exists(conn, conn.schema)
        if exists and not _granted(conn, "has_schema_privilege(?, 'USAGE')", conn.schema):
            raise _missing_right(conn, "USAGE", f"模式 {conn.schema}", f"schema {conn.schema}")
        have = tables(conn) if exists else set()
        if META_TABLE not in have:
            if have:
                raise UnusableDatabase(f"不是 zwgk 的数据库，不会修改 not a zwgk database (refusing to change it): {without_password(url)} "
                                       f"(schema {conn.schema}, tables: {', '.join(sorted(have)[:5])})")
            if not create:
                raise UnusableDatabase(f"数据库中没有扫描 no scans in {without_password(url)}")
            if not exists and not _granted(conn, "has_database_privilege(current_database(), 'CREATE')"):
                raise _missing_right(conn, "CREATE", f"数据库，建立模式 {conn.schema} 需要",
                                     f"the database, to create schema {conn.schema}")
            if exists and not _granted(conn, "has_schema_privilege(?, 'CREATE')", conn.schema):
                raise _missing_right(conn, "CREATE", f"模式 {conn.schema}", f"schema {conn.schema}")
            _create(conn)
        else:
            row = conn.execute(f'select value from "{META_TABLE}" where key = ?', ("schema_version",)).fetchone()
            if row and str(row[0]).isdigit() and int(row[0]) > SCHEMA_VERSION:
                raise UnusableDatabase(f"数据库由更新版本的 zwgk 创建 database written by a newer zwgk (schema {row[0]}): {without_password(url)}")
            if create:
                _check_rights(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _exists(conn: PgConnection, schema: str) -> bool:
    return conn.execute("select 1 from pg_namespace where nspname = ?", (schema,)).fetchone() is not None


def _has_meta(conn: PgConnection, schema: str) -> bool:
    return conn.execute("select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? "
                        "and c.relname = ?", (schema, META_TABLE)).fetchone() is not None


def _granted(conn: PgConnection, test: str, *params) -> bool:
    return bool(conn.execute(f"select {test}", params).fetchone()[0])


def _missing_right(conn: PgConnection, right: str, on_zh: str, on_en: str) -> UnusableDatabase:
    user = conn.execute("select current_user").fetchone()[0]
    return UnusableDatabase(f"数据库用户 {user} 缺少 {right} 权限（{on_zh}）user {user} lacks the {right} privilege on "
                            f"{on_en}: {without_password(conn.url)}")


def _create(conn: PgConnection) -> None:
    """zwgk's schema with every table a scan and a batch are kept in, in one transaction."""
    with conn:
        conn.execute("select pg_advisory_xact_lock(?)", (APPLICATION_ID,))  # concurrent creators wait here
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{conn.schema}"')
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{META_TABLE}" (key TEXT PRIMARY KEY, value TEXT)')
        conn.execute(f'INSERT INTO "{META_TABLE}" VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
                     ("schema_version", str(SCHEMA_VERSION)))
        scans = [f'"{c}" {_PY_TYPES.get(t, "TEXT")}' for c, t in SCHEMA["scans"]["columns"].items() if c != "id"]
        conn.execute('CREATE TABLE IF NOT EXISTS "scans" ("id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, '
                     f'{", ".join(scans)})')
        have = tables(conn)
        for name, spec in SCHEMA.items():
            if name != "scans":
                pk = [spec["pk"]] if isinstance(spec["pk"], str) else list(spec["pk"])
                _ensure_table(conn, name, [(c, _PY_TYPES.get(t, "TEXT")) for c, t in spec["columns"].items()], pk, have)
        for ddl in BATCH_DDL:
            conn.execute(ddl)


def _check_rights(conn: PgConnection) -> None:
    """The rights a crawl's publishing and a batch need on zwgk's tables, before the crawl starts."""
    for right in ("SELECT", "INSERT", "UPDATE"):
        row = conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? "
            "and c.relkind in ('r', 'p') and not has_table_privilege(c.oid, ?) order by c.relname limit 1",
            (conn.schema, right)).fetchone()
        if row:
            raise _missing_right(conn, right, f"表 {conn.schema}.{row[0]}", f"table {conn.schema}.{row[0]}")
    present: dict[str, set[str]] = {}
    owned: dict[str, bool] = {}
    for table, column, own in conn.execute(
            "select c.relname, a.attname, pg_has_role(c.relowner, 'USAGE') from pg_attribute a join pg_class c on "
            "c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and c.relkind in ('r', 'p') "
            "and a.attnum > 0 and not a.attisdropped", (conn.schema,)):
        present.setdefault(table, set()).add(column)
        owned[table] = own
    for name, spec in SCHEMA.items():  # columns a newer zwgk adds to a table: only its owner may
        new = [c for c in spec["columns"] if name in present and c not in present[name]]
        if new and not owned[name]:
            raise _missing_right(conn, "ALTER", f"表 {conn.schema}.{name} 的所有者才能增加列 {new[0]}",
                                 f"table {conn.schema}.{name}, whose owner alone may add column {new[0]}")
    missing = [name for name in LATE_TABLES if name not in present]
    if missing and not _granted(conn, "has_schema_privilege(?, 'CREATE')", conn.schema):
        raise _missing_right(conn, "CREATE", f"模式 {conn.schema}（建立表 {missing[0]}）",
                             f"schema {conn.schema} (to create table {missing[0]})")


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
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            raise UnusableDatabase(f"数据库用户权限不足，扫描未能发布 the database user lacks a privilege, the scan was not published: "
                                   f"{str(exc).strip().splitlines()[0]}") from None
        raise
    finally:
        src.close()


class _Abandon(Exception):
    """Roll the publishing transaction back: someone else published this site first."""
