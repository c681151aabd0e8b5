"""The scan database: one SQLite file holding every scan (documented in README.md).

Tables are plain and named in the domain's words so that a supervisor can open the file in
any SQLite tool. Rows are written in batches inside one transaction each, so an interrupted
crawl leaves a consistent database, and keys make every write idempotent (a resumed crawl that
re-fetches a page replaces its rows instead of duplicating them).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlite_utils

SCHEMA: dict[str, dict] = {
    "scans": {
        "columns": {
            "id": int, "site": str, "start_urls": str, "started_at": str, "finished_at": str,
            "status": str, "settings": str, "as_of": str, "tool_version": str,
        },
        "pk": "id",
    },
    "pages": {
        "columns": {
            "scan_id": int, "url": str, "final_url": str, "method": str, "status": int, "kind": str,
            "content_type": str, "charset": str, "charset_declared": str, "charset_note": str,
            "title": str, "fetched_at": str, "redirects": str, "error": str, "error_kind": str,
            "depth": int, "referer": str, "size": int, "column_url": str, "meta_tags": str,
            "footer": str, "probe": int, "elapsed_ms": int, "request_body": str,
        },
        # a Hanweb dataproxy.jsp POST is identified by its form body too: several columns post
        # to one URL (request_body is '' for GET)
        "pk": ("scan_id", "url", "request_body"),
        "indexes": [("scan_id", "kind"), ("scan_id", "status"), ("scan_id", "column_url")],
    },
    "columns": {
        "columns": {
            "scan_id": int, "url": str, "name": str, "type": str, "type_source": str, "pager": str,
            "declared_pages": int, "declared_records": int, "empty_notice": int, "kind": str,
        },
        "pk": ("scan_id", "url"),
    },
    # other URLs of a column (dir/index.html beside dir/, a search URL serving the same list)
    "column_aliases": {
        "columns": {"scan_id": int, "url": str, "column_url": str, "reason": str},
        "pk": ("scan_id", "url"),
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
        "indexes": [("scan_id", "item_url")],
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
    },
}


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_db(path: str) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    for name, spec in SCHEMA.items():
        table = db[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"], not_null=None)
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            for column, col_type in missing.items():
                table.add_column(column, col_type)
        for index in spec.get("indexes", []):
            table.create_index(list(index), if_not_exists=True)


def create_scan(db: sqlite_utils.Database, site: str, start_urls: list[str], settings: dict, version: str) -> int:
    table = db["scans"]
    table.insert(
        {
            "site": site, "start_urls": json.dumps(start_urls), "started_at": now(),
            "status": "running", "settings": json.dumps(settings, ensure_ascii=False), "tool_version": version,
        }
    )
    return table.last_pk


def finish_scan(db: sqlite_utils.Database, scan_id: int, status: str) -> None:
    db["scans"].update(scan_id, {"status": status, "finished_at": now()})


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
        self.rows: dict[str, list[dict]] = {name: [] for name in SCHEMA if name != "scans"}
        self.pending_pages = 0
        self.written_pages = 0

    def add(self, table: str, rows: list[dict]) -> None:
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
                    columns = list(SCHEMA[table]["columns"])
                    # column_items keeps the first sighting (its page and position); the rest replace
                    verb = "insert or ignore" if table == "column_items" else "insert or replace"
                    sql = f"{verb} into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"
                    self.db.conn.executemany(sql, [[row.get(c) for c in columns] for row in rows])
        self.written_pages += self.pending_pages
        self.pending_pages = 0
        self.rows = {name: [] for name in self.rows}
