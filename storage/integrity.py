"""Is an SQLite file whole before zwgk trusts it?

The caches beside a scan database (the scan's saved responses, each site's conditional-request
cache) are disposable: one that is damaged is set aside — renamed, never deleted, so it can be
looked at — and the crawl goes on without it, fetching again what it would have replayed. The scan
database itself is not disposable: damage there stops an audit before it writes (one line, exit 2).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from storage.schema import UnusableDatabase
from storage.sqlite import open_read_only, refuse_foreign


def damage(path: str) -> str | None:
    """What is wrong with the SQLite file at ``path`` (header, pages, indexes: SQLite's
    ``quick_check``), or None when it is whole, empty or missing. Read-only."""
    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        return None
    try:
        conn = open_read_only(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)


def set_aside(path: str) -> str | None:
    """Rename a damaged file (with its -wal and -shm) out of the way; the new name, or None when it
    was already gone."""
    stamp = time.strftime("%Y%m%d%H%M%S")
    aside = f"{path}.damaged-{stamp}"
    moved = None
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(path + suffix).rename(aside + suffix)
            moved = moved or aside
        except FileNotFoundError:
            continue
    return moved


def verify_scan_db(path: str) -> None:
    """The scan database before an audit writes to it: UnusableDatabase (one line) when it is not a
    zwgk database or is damaged."""
    refuse_foreign(path)
    problem = damage(path)
    if problem:
        raise UnusableDatabase(f"数据库文件已损坏，未做任何修改 the database file is damaged, nothing was written: {path} "
                               f"({problem.splitlines()[0][:200]})；请从备份恢复或换用新文件 restore it from a backup or use a new file")
