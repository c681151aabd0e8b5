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
from datetime import datetime, timezone
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

SCHEMA: dict[str, dict] = {
    "scans": {
        "columns": {
            "id": int, "site": str, "start_urls": str, "started_at": str, "finished_at": str,
            "status": str, "settings": str, "as_of": str, "tool_version": str,
            "limited_by": str,  # a partial scan: "max_pages" or "max_depth" (the limit that cut it short)
            # a batch's site: 网站名称 and 网站标识码 from the sites file (zwgk.batch.finish; null otherwise)
            "site_name": str, "site_code": str,
        },
        "pk": "id",
    },
    "pages": {
        "columns": {
            "scan_id": int, "url": str, "final_url": str, "method": str, "status": int, "kind": str,
            "content_type": str, "charset": str, "charset_declared": str, "charset_note": str,
            "title": str, "fetched_at": str, "redirects": str, "error": str, "error_kind": str,
            "depth": int, "referer": str, "size": int, "column_url": str, "meta_tags": str,
            "footer": str, "probe": int, "elapsed_ms": int, "request_body": str, "footer_text": str,
        },
        # a Hanweb dataproxy.jsp POST is identified by its form body too: several columns post
        # to one URL (request_body is '' for GET)
        "pk": ("scan_id", "url", "request_body"),
        "indexes": [("scan_id", "kind"), ("scan_id", "status"), ("scan_id", "column_url")],
    },
    "columns": {
        "columns": {
            "scan_id": int, "url": str, "name": str, "type": str, "type_source": str, "pager": str,
            "declared_pages": int, "declared_records": int, "empty_notice": int, "kind": str, "scripted": int,
        },
        "pk": ("scan_id", "url"),
    },
    # other URLs of a column (dir/index.html beside dir/, a search URL serving the same list)
    "column_aliases": {
        "columns": {"scan_id": int, "url": str, "column_url": str, "reason": str},
        "pk": ("scan_id", "url"),
    },
    # columns whose list exists only in a browser, read from the page Chromium rendered
    # and, when its scripts' own list request was learned, how it was paged without the browser
    "rendered": {
        "columns": {"scan_id": int, "column_url": str, "renders": int, "empty_notice": int, "list_api": str,
                    "api_pages": int, "api_wasted": int, "clicked_pages": int, "error": str, "reused": int},
        "pk": ("scan_id", "column_url"),
    },
    # document pages whose content arrives by script: the request learned from one render
    # (crawler.detail_api), how many pages were read through it and how many were rendered
    "detail_apis": {
        "columns": {"scan_id": int, "template": str, "renders": int, "detail_api": str, "documents": int, "error": str,
                    "reused": int},
        "pk": ("scan_id", "template"),
    },
    # what a column's pager claimed and what was really there (crawler.column_pager)
    "pagers": {
        "columns": {
            "scan_id": int, "column_url": str, "pager": str, "claimed_pages": int, "claimed_records": int,
            "requested": int, "real": int, "wasted": int, "listed_items": int, "overclaimed": int,
        },
        "pk": ("scan_id", "column_url"),
    },
    "column_items": {
        "columns": {
            "scan_id": int, "column_url": str, "item_url": str, "title": str, "listed_date": str,
            "date_text": str, "page_no": int, "position": int,
        },
        "pk": ("scan_id", "column_url", "item_url"),
        # covering: "the columns listing this URL" must not walk the primary key (which also covers
        # it, and which SQLite picks without statistics: settle took > 6 min at 100 000 documents)
        "indexes": [("scan_id", "item_url", "column_url")],
    },
    "documents": {
        "columns": {
            "scan_id": int, "url": str, "kind": str, "title": str, "index_no": str, "category": str,
            "publisher": str, "written_date": str, "publish_date": str, "publish_date_source": str,
            "doc_no": str, "keywords": str, "validity": str, "column_url": str, "body_text": str,
        },
        "pk": ("scan_id", "url"),
        "indexes": [("scan_id", "kind"), ("scan_id", "publish_date")],
    },
    # the content rules a document's text may concern (crawler.text_marks): they read only these
    "text_marks": {
        "columns": {"scan_id": int, "url": str, "rule": str},
        "pk": ("scan_id", "rule", "url"),
    },
    "document_fields": {
        "columns": {
            "scan_id": int, "url": str, "field": str, "label": str, "value": str, "raw_value": str,
            "state": str, "parsed": str,
        },
        "pk": ("scan_id", "url", "field"),
    },
    "links": {
        "columns": {
            "scan_id": int, "source_url": str, "target_url": str, "tag": str, "anchor": str,
            "position": str, "hidden": int, "href": str, "malformed": int,
        },
        "pk": ("scan_id", "source_url", "target_url", "tag", "position"),
        "indexes": [("scan_id", "target_url")],
        # the few hidden (暗链) and malformed links of a scan, without reading all its links
        "partial_indexes": {"hidden": "hidden = 1", "malformed": "malformed = 1"},
    },
    # the text of each attachment (crawler.attachments.attachment_row): segments is JSON
    # [[where, offset into text], …] ("page:3", "sheet:名单 row:4", "paragraph:7"); problem says why
    # there is no text (image_only, empty, wrong_type, encrypted, corrupt, too_large, timeout …)
    "attachments": {
        "columns": {
            "scan_id": int, "url": str, "source_url": str, "content_type": str, "size": int, "kind": str,
            "expected_kind": str, "pages": int, "text": str, "segments": str, "problem": str, "detail": str,
            "elapsed_ms": int,
        },
        "pk": ("scan_id", "url"),
        "indexes": [("scan_id", "problem")],
    },
}


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# zwgk marks the databases it creates (PRAGMA application_id, and a zwgk_meta table with the schema
# version) and never alters a database without that mark: another application's SQLite file given
# as --db is refused before anything is written to it.
APPLICATION_ID = 0x7A77676B  # "zwgk"
SCHEMA_VERSION = 1
META_TABLE = "zwgk_meta"
BUSY_TIMEOUT = 60.0  # seconds a writer waits for another zwgk process
# The tables of a zwgk database written before the mark existed: such a file is adopted (marked)
# when it has zwgk's scans and pages columns and no table zwgk did not create.
_LEGACY_TABLES = frozenset({"scans", "pages", "columns", "column_items", "documents", "document_fields", "links",
                            "findings", "dns_records", "ipv6_probes", "ipv6_summary"})
_LEGACY_COLUMNS = {"scans": {"id", "site", "start_urls", "started_at", "finished_at", "status", "settings"},
                   "pages": {"scan_id", "url", "final_url", "status", "kind", "error", "depth"}}


class UnusableDatabase(Exception):
    """The file given as --db cannot be used as a zwgk scan database (one line, exit code 2)."""


def open_db(path: str, create: bool = True) -> sqlite_utils.Database:
    """zwgk's scan database at ``path``, created and marked if the file does not exist or is empty.

    Refuses (UnusableDatabase) a directory, a file that is not SQLite, and a database zwgk did not
    create; with ``create=False`` a missing file too. Safe with any number of zwgk processes opening
    the same file at once: writers wait for each other (busy timeout) and the schema is created in
    one BEGIN IMMEDIATE transaction, re-checked by whoever comes second.
    """
    if not create:
        verify_db(path)
    elif _file_state(path) == "sqlite":
        _ownership(path)  # read-only look first: a foreign file is refused without a write lock
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
            conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
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


def finish_scan(db: sqlite_utils.Database, scan_id: int, status: str, limited_by: str | None = None) -> None:
    """``finished`` (the whole site), ``partial`` (cut short by ``limited_by``) or ``interrupted``."""
    db["scans"].update(scan_id, {"status": status, "finished_at": now(), "limited_by": limited_by})


def clear_scan_rows(db: sqlite_utils.Database, scan_id: int) -> None:
    """Drop what a scan's interrupted run wrote: a resume rebuilds it whole (crawler.response_cache)."""
    with db.conn:
        for table in SCHEMA:
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

    def page_done(self) -> None:
        self.pending_pages += 1
        if self.pending_pages >= self.batch_pages:
            self.flush()

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


def connect(target: str, create: bool = False):
    """The scan database for checks, reports and batches: a sqlite3 connection (rows as sqlite3.Row,
    waiting for other writers) for a file, a crawler.postgres.PgConnection for ``postgresql://…``;
    both take the same SQL (``?`` parameters, double-quoted names). UnusableDatabase when it cannot be
    used; with ``create=False`` the database must already hold zwgk scans."""
    from crawler.postgres import is_postgres, open_pg

    if is_postgres(target):
        conn = open_pg(target, create)
    elif create:
        conn = open_db(target).conn
    else:
        verify_db(target)
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT)
    if isinstance(conn, sqlite3.Connection):
        conn.row_factory = sqlite3.Row
    _upgrade_findings(conn)
    return conn


def _upgrade_findings(conn) -> None:
    """Findings written by a zwgk before checks were numbered are the audit's own (check 0)."""
    columns = table_columns(conn, "findings")
    if columns and "check_no" not in columns:
        with conn:
            conn.execute('ALTER TABLE "findings" ADD COLUMN "check_no" BIGINT')


def home_unreachable(conn, scan_id: int) -> str | None:
    """Why none of the scan's start pages could be opened (站点无法访问), or None."""
    homes = conn.execute("select url, status, error from pages where scan_id = ? and depth = 0", (scan_id,)).fetchall()
    if homes and all(status is None or status >= 400 for _, status, _ in homes):
        return "; ".join(f"{url}: {error or f'HTTP {status}'}" for url, status, error in homes)
    return None


def table_columns(conn, table: str) -> list[str]:
    """The columns of ``table`` ([] when there is no such table), on SQLite or PostgreSQL."""
    if isinstance(conn, sqlite3.Connection):
        return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    from crawler.postgres import columns_of

    return columns_of(conn, table)


def scan_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables of an SQLite scan database that hold rows of a scan (a scan_id column), scans aside."""
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")]
    return [n for n in names if n != "scans" and "scan_id" in table_columns(conn, n)]
