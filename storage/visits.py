"""The home-page visits of ``zwgk monitor`` (table ``visits``, storage.schema.VISITS_DDL) and a
site's week of them, the way the 指标 measures 站点无法访问: the visits of the days before the check
date (Beijing days), how many failed, the worst day and examples. The availability checks and the
reports read the week through :func:`week`, so both count the same visits."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta, timezone

from storage.schema import APPLICATION_ID, VISITS_DDL, table_columns

BEIJING = timezone(timedelta(hours=8))
COLUMNS = ("site", "url", "slot", "at", "family", "address", "status", "ttfb_ms", "total_ms", "ok", "error", "final_url",
           "worker")
EXAMPLES = 10  # failed visits a finding shows


def ensure_visits(conn) -> None:
    """The visits table, on SQLite or PostgreSQL (concurrent creators wait for each other there)."""
    with conn:
        if not isinstance(conn, sqlite3.Connection):
            conn.execute("select pg_advisory_xact_lock(?)", (APPLICATION_ID,))
        for ddl in VISITS_DDL:
            conn.execute(ddl)


def record(conn, rows: list[dict]) -> int:
    """Store visits; a visit already stored (same site, moment and family: a task delivered twice)
    is kept as it was. The number of rows written."""
    written = 0
    with conn:
        for row in rows:
            cursor = conn.execute(
                f'insert into visits ({", ".join(COLUMNS)}) values ({", ".join("?" * len(COLUMNS))}) '
                'on conflict ("site", "slot", "family") do nothing', tuple(row.get(c) for c in COLUMNS))
            written += max(cursor.rowcount, 0)
    return written


def visited(conn, site: str, slot: int) -> bool:
    return conn.execute("select 1 from visits where site = ? and slot = ? limit 1", (site, slot)).fetchone() is not None


def utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_utc(text: str) -> datetime:
    return datetime.strptime(text.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)


def window(as_of: date, days: int) -> tuple[datetime, datetime]:
    """The ``days`` whole Beijing days before the check date: [as_of − days 00:00, as_of 00:00) +08:00."""
    end = datetime.combine(as_of, time(0), BEIJING)
    return end - timedelta(days=days), end


def rows_between(conn, sites, start: datetime, end: datetime) -> list:
    sites = sorted(sites)
    if not sites or not table_columns(conn, "visits"):
        return []
    return conn.execute(
        f"select * from visits where site in ({', '.join('?' * len(sites))}) and at >= ? and at < ? order by at, family",
        (*sites, utc_text(start), utc_text(end))).fetchall()


def week(conn, sites, as_of: date, days: int = 7) -> dict:
    """A site's visits in the ``days`` before ``as_of``: ``{visits, failures, share, days, worst_day,
    examples, family, other_family, unmeasured, first, last, window}``. The veto counts the visits over
    IPv4 (the family the 指标's monitoring reaches a portal by; IPv6 has its own indicators), or over
    IPv6 for a site with no IPv4 visit; the other family is summarised beside it."""
    start, end = window(as_of, days)
    rows = [dict(r) for r in rows_between(conn, sites, start, end)]
    measured = [r for r in rows if r["ok"] is not None]
    families = {r["family"] for r in measured if r["address"]}
    family = 4 if 4 in families or not families else 6
    # a name that did not resolve reached no family: a failed visit of the family judged
    counted = [r for r in measured if r["family"] == family or not r["address"]]
    out = {"window": [(start.date()).isoformat(), (end.date() - timedelta(days=1)).isoformat()], "family": family,
           "unmeasured": len(rows) - len(measured), **_tally(counted)}
    other = [r for r in measured if r["family"] != family and r["address"]]
    out["other_family"] = {"family": 10 - family, **_tally(other)} if other else None
    return out


def _tally(rows: list[dict]) -> dict:
    by_day: dict[str, list[int]] = {}
    for r in rows:
        day = parse_utc(r["at"]).astimezone(BEIJING).date().isoformat()
        tally = by_day.setdefault(day, [0, 0])
        tally[0] += 1
        tally[1] += 0 if r["ok"] else 1
    failures = [r for r in rows if not r["ok"]]
    worst = max(sorted(by_day.items()), key=lambda kv: (kv[1][1] / kv[1][0], kv[1][1]), default=None)
    return {
        "visits": len(rows), "failures": len(failures), "share": round(len(failures) / len(rows), 4) if rows else None,
        "days": {day: {"visits": n, "failures": f} for day, (n, f) in sorted(by_day.items())},
        "worst_day": {"day": worst[0], "visits": worst[1][0], "failures": worst[1][1]} if failures else None,
        "examples": [{"at": beijing_text(r["at"]), "url": r["url"], "address": r["address"], "error": r["error"]}
                     for r in failures[:EXAMPLES]],
        "first": beijing_text(rows[0]["at"]) if rows else None, "last": beijing_text(rows[-1]["at"]) if rows else None,
    }


def beijing_text(at: str) -> str:
    return parse_utc(at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def copy_week(src, dst, sites, as_of: date, days: int) -> int:
    """Copy a site's visits of the window from the server database into the local work file the
    checks read (zwgk.pipeline with a PostgreSQL database)."""
    start, end = window(as_of, days)
    rows = [dict(r) for r in rows_between(src, sites, start, end)]
    ensure_visits(dst)
    return record(dst, rows)
