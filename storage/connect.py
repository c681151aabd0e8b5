"""Opening the scan database for checks, reports and batches: an SQLite file or a PostgreSQL server,
through one connection type that takes the same SQL."""

from __future__ import annotations

import sqlite3

from storage.postgres import is_postgres, open_pg
from storage.schema import table_columns
from storage.sqlite import BUSY_TIMEOUT, on_read_only_storage, open_db, open_read_only, verify_db


def connect(target: str, create: bool = False):
    """The scan database for checks, reports and batches: a sqlite3 connection (rows as sqlite3.Row,
    waiting for other writers) for a file, a storage.postgres.PgConnection for ``postgresql://…``;
    both take the same SQL (``?`` parameters, double-quoted names). UnusableDatabase when it cannot be
    used; with ``create=False`` the database must already hold zwgk scans."""
    if is_postgres(target):
        conn = open_pg(target, create)
    elif create:
        conn = open_db(target).conn
    else:
        verify_db(target)
        # an archived database on read-only storage is still read (report, history, diff)
        conn = open_read_only(target) if on_read_only_storage(target) else sqlite3.connect(target, timeout=BUSY_TIMEOUT)
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
