"""The scan database: one SQLite file holding every scan (documented in README.md).

Tables are plain and named in the domain's words so that a supervisor can open the file in
any SQLite tool. Rows are written in batches inside one transaction each, so an interrupted
crawl leaves a consistent database, and keys make every write idempotent (a resumed crawl that
re-fetches a page replaces its rows instead of duplicating them).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path


def _import_sqlite_utils():
    """sqlite-utils imports pandas and numpy whenever they are installed, for value types zwgk never
    writes: 12–40 MB more in every crawl, check and report process (and OpenBLAS threads). It is
    imported with them hidden (those not yet imported), and sees neither."""
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # an import of it raises ImportError, which sqlite-utils expects
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            del sys.modules[name]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils()

from storage.schema import (  # noqa: E402
    APPLICATION_ID, META_TABLE, SCHEMA, SCHEMA_VERSION, UnusableDatabase, now, table_columns)



BUSY_TIMEOUT = 60.0  # seconds a writer waits for another zwgk process
# The tables of a zwgk database written before the mark existed: such a file is adopted (marked)
# when it has zwgk's scans and pages columns and no table zwgk did not create.
_LEGACY_TABLES = frozenset({"scans", "pages", "columns", "column_items", "documents", "document_fields", "links",
                            "findings", "dns_records", "ipv6_probes", "ipv6_summary"})
_LEGACY_COLUMNS = {"scans": {"id", "site", "start_urls", "started_at", "finished_at", "status", "settings"},
                   "pages": {"scan_id", "url", "final_url", "status", "kind", "error", "depth"}}


def open_db(path: str, create: bool = True) -> sqlite_utils.Database:
    """zwgk's scan database at ``path``, created and marked if the file does not exist or is empty.

    Refuses (UnusableDatabase) a directory, a file that is not SQLite, and a database zwgk did not
    create; with ``create=False`` a missing file too. Safe with any number of zwgk processes opening
    the same file at once: writers wait for each other (busy timeout) and the schema is created in
    one BEGIN IMMEDIATE transaction, re-checked by whoever comes second.
    """
    if not create:
        verify_db(path)
    else:
        refuse_foreign(path)  # read-only look first: a foreign file is refused without a write lock
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise UnusableDatabase(f"无法打开数据库 cannot open database {path}: {exc}") from None
    try:
        _retry_locked(lambda: _claim(conn, path))
        _retry_locked(lambda: _enable_wal(conn))
        conn.execute("PRAGMA synchronous=NORMAL")
    except UnusableDatabase:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise UnusableDatabase(f"无法使用数据库 cannot use database {path}: {exc}") from None
    conn.isolation_level = ""  # Python's default: `with conn:` is one transaction (BatchWriter)
    return sqlite_utils.Database(conn)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns and indexes (``if not exists``: safe against a concurrent creator;
    the caller holds the write transaction)."""
    from sqlite_utils.db import COLUMN_TYPE_MAPPING

    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    for name, spec in SCHEMA.items():
        columns = spec["columns"]
        pk = (spec["pk"],) if isinstance(spec["pk"], str) else tuple(spec["pk"])
        defs = [f'"{c}" {COLUMN_TYPE_MAPPING[t]}' + (" PRIMARY KEY" if pk == (c,) and t is int else "")
                for c, t in columns.items()]
        if len(pk) > 1 or columns.get(pk[0]) is not int:
            defs.append(f"PRIMARY KEY ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in pk)})")
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{name}" (\n   ' + ",\n   ".join(defs) + "\n)")
        have = {row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')}
        for column, col_type in columns.items():
            if column not in have:  # a database written by an older zwgk
                conn.execute(f'ALTER TABLE "{name}" ADD COLUMN "{column}" {COLUMN_TYPE_MAPPING[col_type]}')
        for index in spec.get("indexes", []):
            conn.execute(f'CREATE INDEX IF NOT EXISTS "idx_{name}_{"_".join(index)}" ON "{name}" '
                         f'({", ".join(f"{chr(34)}{c}{chr(34)}" for c in index)})')
        for index, where in spec.get("partial_indexes", {}).items():
            conn.execute(f'CREATE INDEX IF NOT EXISTS "idx_{name}_{index}" ON "{name}" ("scan_id") WHERE {where}')
    conn.execute(f'CREATE TABLE IF NOT EXISTS "{META_TABLE}" (key TEXT PRIMARY KEY, value TEXT)')
    conn.execute(f'INSERT OR REPLACE INTO "{META_TABLE}" VALUES (?, ?)', ("schema_version", str(SCHEMA_VERSION)))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def on_read_only_storage(path: str) -> bool:
    """The database's folder cannot be written (a read-only mount, an archive): SQLite cannot make
    the files a reader of a WAL database needs beside it."""
    return not os.access(Path(path).resolve().parent, os.W_OK)


def open_read_only(path: str) -> sqlite3.Connection:
    """A connection that only reads; on read-only storage the file is read as it is (``immutable``:
    a database zwgk closed there has nothing pending in a WAL file)."""
    uri = Path(path).resolve().as_uri()
    if on_read_only_storage(path):
        return sqlite3.connect(uri + "?immutable=1", uri=True)
    return sqlite3.connect(uri + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT)


def refuse_foreign(path: str) -> None:
    """UnusableDatabase for a path that is not (and cannot become) a zwgk database: a directory,
    another application's file, a file that is not SQLite. Nothing is written."""
    if _file_state(path) == "sqlite":
        _ownership(path)


def verify_db(path: str) -> str:
    """Check, without writing or creating anything, that ``path`` is a zwgk database; its state
    ("zwgk" or "legacy": from before the mark, adopted by the next crawl). For read-only commands."""
    state = _file_state(path)
    if state == "missing":
        raise UnusableDatabase(f"数据库不存在 no such database: {path}")
    if state == "empty":
        raise UnusableDatabase(f"数据库是空文件，没有扫描 empty database, no scans: {path}")
    owner = _ownership(path)
    if owner == "new":
        raise UnusableDatabase(f"数据库中没有扫描 no scans in {path}")
    return owner


def _file_state(path: str) -> str:
    """"missing", "empty" or "sqlite" (a file SQLite itself will tell apart); UnusableDatabase for what
    cannot be a database. Never opens the file: closing a descriptor of a database file releases every
    POSIX lock this process holds on it (other zwgk connections in the same process would be
    corrupted), so the header is read by SQLite in _ownership."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        raise UnusableDatabase(f"无法访问数据库 cannot access database {path}: {exc.strerror}") from None
    if p.is_dir():
        raise UnusableDatabase(f"数据库路径是目录 database path is a directory: {path}")
    if not p.is_file():
        raise UnusableDatabase(f"数据库路径不是普通文件 database path is not a regular file: {path}")
    if not os.access(path, os.R_OK):
        raise UnusableDatabase(f"无法读取数据库 cannot read database {path}: Permission denied")
    if st.st_size == 0:
        return "empty"
    return "sqlite"


def _ownership(path: str, conn: sqlite3.Connection | None = None) -> str:
    """"zwgk", "legacy" or "new" (no schema yet); UnusableDatabase for another application's database."""
    own = conn is None
    try:
        if own:
            conn = open_read_only(path)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")
                      if not r[0].startswith("sqlite_")}
            version = None
            if META_TABLE in tables:
                row = conn.execute(f'select value from "{META_TABLE}" where key = ?', ("schema_version",)).fetchone()
                version = int(row[0]) if row and str(row[0]).isdigit() else None
            columns = {t: {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')} for t in _LEGACY_COLUMNS if t in tables}
        finally:
            if own:
                conn.close()
    except sqlite3.OperationalError as exc:
        raise UnusableDatabase(f"无法读取数据库 cannot read database {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise UnusableDatabase(f"不是 SQLite 数据库 not an SQLite database: {path}") from None
        raise UnusableDatabase(f"不是 SQLite 数据库或已损坏 not an SQLite database, or a damaged one: {path} ({exc})") from None
    foreign = f"不是 zwgk 的数据库，不会修改 not a zwgk database (refusing to change it): {path}"
    if app_id not in (0, APPLICATION_ID):
        raise UnusableDatabase(f"{foreign} (application_id {app_id:#x})")
    if app_id == APPLICATION_ID or META_TABLE in tables:
        if version is not None and version > SCHEMA_VERSION:
            raise UnusableDatabase(f"数据库由更新版本的 zwgk 创建 database written by a newer zwgk (schema {version}): {path}")
        return "zwgk"
    if not tables:
        return "new"
    legacy = (tables <= _LEGACY_TABLES | set(SCHEMA) and all(need <= columns.get(t, set()) for t, need in _LEGACY_COLUMNS.items()))
    if legacy:
        return "legacy"
    raise UnusableDatabase(f"{foreign} (tables: {', '.join(sorted(tables)[:5])})")


def _claim(conn: sqlite3.Connection, path: str) -> None:
    """Mark and complete the schema in one write transaction; a concurrent creator waits for it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        _ownership(path, conn)  # again, under the write lock: the file may have changed since
        ensure_schema(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _enable_wal(conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise sqlite3.OperationalError("database is locked")  # another connection was in the way: retry


def _retry_locked(step, seconds: float = BUSY_TIMEOUT) -> None:
    """Run ``step``, retrying while another process holds the lock (switching to WAL, for one, does not
    wait on the busy timeout)."""
    deadline = time.monotonic() + seconds
    delay = 0.01
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def create_scan(db: sqlite_utils.Database, site: str, start_urls: list[str], settings: dict, version: str) -> int:
    table = db["scans"]
    table.insert(
        {
            "site": site, "start_urls": json.dumps(start_urls), "started_at": now(),
            "status": "running", "settings": json.dumps(settings, ensure_ascii=False), "tool_version": version,
        }
    )
    return table.last_pk


def finish_scan(db: sqlite_utils.Database, scan_id: int, status: str, limited_by: str | None = None,
                interruption: str | None = None) -> None:
    """``finished`` (the whole site), ``partial`` (cut short by ``limited_by``) or ``interrupted``
    (by a signal, or by ``interruption``: a failed write, in words)."""
    db["scans"].update(scan_id, {"status": status, "finished_at": now(), "limited_by": limited_by,
                                 "interruption": interruption})


def clear_scan_rows(db: sqlite_utils.Database, scan_id: int) -> None:
    """Drop what a scan's interrupted run wrote: a resume rebuilds it whole (crawler.response_cache).
    A check of the interrupted part (--report-partial, zwgk check) goes with it: it described rows
    that no longer exist, and the finished scan's own check (check 0) is the one made after it."""
    with db.conn:
        for table in [*SCHEMA, "findings", "scan_checks"]:
            if table != "scans" and db[table].exists():
                db.conn.execute(f"delete from [{table}] where scan_id = ?", (scan_id,))


def resumable_scan(db: sqlite_utils.Database, start_urls: list[str]) -> int | None:
    """The newest scan of the same start URLs that did not finish."""
    rows = db.execute(
        "select id from scans where start_urls = ? and status in ('running', 'interrupted') order by id desc limit 1",
        [json.dumps(start_urls)],
    ).fetchall()
    return rows[0][0] if rows else None


class BatchWriter:
    """Buffers rows per table and writes them in one transaction per batch."""

    def __init__(self, db: sqlite_utils.Database, batch_pages: int = 200):
        self.db = db
        self.batch_pages = batch_pages
        self.columns = {name: list(SCHEMA[name]["columns"]) for name in SCHEMA if name != "scans"}
        self.rows: dict[str, list] = {name: [] for name in self.columns}
        self.pending_pages = 0
        self.written_pages = 0

    def add(self, table: str, rows: list[dict]) -> None:
        columns = self.columns[table]
        self.rows[table].extend([row.get(c) for c in columns] for row in rows)

    def add_values(self, table: str, rows: list[tuple]) -> None:
        """Rows given as tuples in the table's column order (the many links of a page)."""
        self.rows[table].extend(rows)

    def page_done(self) -> bool:
        """Count a page; True when the buffer is due to be written (flush)."""
        self.pending_pages += 1
        return self.pending_pages >= self.batch_pages

    def flush(self) -> None:
        if not any(self.rows.values()):
            return
        # Plain executemany on the declared columns: sqlite-utils' insert_all re-inspects every
        # row for its types, which costs more than the crawl's parsing at hundreds of pages/s.
        with self.db.conn:
            for table, rows in self.rows.items():
                if rows:
                    columns = self.columns[table]
                    names, marks = ", ".join(f"[{c}]" for c in columns), ", ".join("?" * len(columns))
                    if table == "column_items":
                        # an item listed on several pages (pinned on top) keeps its earliest place,
                        # whichever page arrived first
                        sql = (f"insert into column_items ({names}) values ({marks}) on conflict (scan_id, column_url, item_url) "
                               "do update set page_no = excluded.page_no, position = excluded.position, title = excluded.title, "
                               "listed_date = excluded.listed_date, date_text = excluded.date_text "
                               "where (coalesce(excluded.page_no, 0), excluded.position) < (coalesce(page_no, 0), position)")
                    else:
                        sql = f"insert or replace into [{table}] ({names}) values ({marks})"
                    self.db.conn.executemany(sql, rows)
        self.written_pages += self.pending_pages
        self.pending_pages = 0
        self.rows = {name: [] for name in self.rows}


def home_unreachable(conn, scan_id: int) -> str | None:
    """Why none of the scan's start pages could be opened (站点无法访问), or None."""
    homes = conn.execute("select url, status, error from pages where scan_id = ? and depth = 0", (scan_id,)).fetchall()
    if homes and all(status is None or status >= 400 for _, status, _ in homes):
        return "; ".join(f"{url}: {error or f'HTTP {status}'}" for url, status, error in homes)
    return None


def scan_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables of an SQLite scan database that hold rows of a scan (a scan_id column), scans aside."""
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")]
    return [n for n in names if n != "scans" and "scan_id" in table_columns(conn, n)]
