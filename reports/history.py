"""Scan history: which findings are new, fixed, still open, or not comparable between two scans.

Findings are matched by fingerprint (rule + the URL without host/port + key evidence). A finding
can only be "fixed" when the newer scan visited its page again; otherwise it is "not comparable".
"""

from __future__ import annotations

import json
import sqlite3

from crawler.scope import netloc, site_relative


def _site_hosts(conn: sqlite3.Connection, scan_id: int) -> set[str]:
    (start_urls,) = conn.execute("select start_urls from scans where id = ?", (scan_id,)).fetchone()
    return {netloc(u) for u in json.loads(start_urls)}


def scans_of_site(conn: sqlite3.Connection, site: str | None = None) -> list[dict]:
    conn.row_factory = sqlite3.Row
    sql = ("select s.*, (select count(*) from pages p where p.scan_id = s.id) pages, "
           "(select count(*) from documents d where d.scan_id = s.id) documents, "
           "(select count(*) from findings f where f.scan_id = s.id and coalesce(f.check_no, 0) = 0 and f.suppressed is null) findings "
           "from scans s")
    rows = conn.execute(sql + (" where s.site = ? order by s.id" if site else " order by s.id"), (site,) if site else ()).fetchall()
    return [dict(r) for r in rows]


def previous_scan(conn: sqlite3.Connection, scan_id: int) -> int | None:
    row = conn.execute(
        "select id from scans where site = (select site from scans where id = ?) and id < ? and status = 'finished' "
        "and exists (select 1 from findings f where f.scan_id = scans.id and coalesce(f.check_no, 0) = 0) order by id desc limit 1",
        (scan_id, scan_id),
    ).fetchone()
    return row[0] if row else None


def _findings(conn: sqlite3.Connection, scan_id: int) -> dict[str, dict]:
    conn.row_factory = sqlite3.Row
    return {r["fingerprint"]: dict(r) for r in conn.execute(
        "select * from findings where scan_id = ? and coalesce(check_no, 0) = 0 and suppressed is null", (scan_id,))}


def compare(conn: sqlite3.Connection, old: int, new: int) -> dict[str, list[dict]]:
    """The audits' findings of two scans of one site compared. A newer scan that did not crawl the
    whole site (partial, interrupted) fixes nothing, nor does a check that did not run the rule
    (--select/--ignore, skipped): what it lacks is "not comparable"."""
    from checks.engine import check_covers, checks_of

    before, after = _findings(conn, old), _findings(conn, new)
    (whole,) = conn.execute("select status = 'finished' from scans where id = ?", (new,)).fetchone()
    audit = next((c for c in checks_of(conn, new) if c["check_no"] == 0), None)
    old_hosts, new_hosts = _site_hosts(conn, old), _site_hosts(conn, new)
    visited = {site_relative(u, new_hosts): u for (u,) in conn.execute("select url from pages where scan_id = ?", (new,))}
    result = {"new": [], "fixed": [], "still_open": [], "not_comparable": []}
    for fp, f in after.items():
        result["still_open" if fp in before else "new"].append(f)
    for fp, f in before.items():
        if fp in after:
            continue
        ran = bool(whole) and check_covers(audit, f["rule"])
        reached = ran and site_relative(f["url"], old_hosts) in visited
        if ran and not reached:
            # A link finding is about its linking pages too: when all of them were crawled again
            # and none links the target any more, the link was removed, which fixes it.
            linking = [site_relative(u, old_hosts) for u in _linking_pages(json.loads(f["evidence"] or "{}"))]
            if linking and all(u in visited for u in linking):
                target = site_relative(f["url"], old_hosts)
                still = conn.execute(
                    f"select target_url from links where scan_id = ? and source_url in ({','.join('?' * len(linking))})",
                    (new, *(visited[u] for u in linking))).fetchall()
                reached = all(site_relative(t, new_hosts) != target for (t,) in still)
        result["fixed" if reached else "not_comparable"].append(f)
    for group in result.values():
        group.sort(key=lambda f: (f["rule"], f["url"]))
    return result


def _linking_pages(evidence: dict) -> list[str]:
    """The pages a link finding lists as carrying the link; [] when the list is cut short."""
    for key, count in (("linked_from", "linked_from_count"), ("pages", "page_count")):
        pages = evidence.get(key)
        if isinstance(pages, list) and pages:
            urls = [p.get("url") if isinstance(p, dict) else p for p in pages]
            urls = [u for u in urls if isinstance(u, str)]
            return urls if evidence.get(count, len(urls)) <= len(urls) else []
    return []


def trend(conn: sqlite3.Connection, scan_id: int, limit: int = 12) -> list[dict]:
    """Findings per severity for the recent scans of the same site, oldest first."""
    rows = conn.execute(
        "select s.id, s.started_at, f.severity, count(f.rule) from scans s left join findings f on f.scan_id = s.id "
        "and coalesce(f.check_no, 0) = 0 and f.suppressed is null "
        "where s.site = (select site from scans where id = ?) and s.id <= ? and exists (select 1 from findings x where x.scan_id = s.id) "
        "group by s.id, f.severity order by s.id",
        (scan_id, scan_id),
    ).fetchall()
    by_scan: dict[int, dict] = {}
    for sid, started, severity, n in rows:
        entry = by_scan.setdefault(sid, {"scan": sid, "started_at": started, "error": 0, "warning": 0, "info": 0})
        if severity:
            entry[severity] = n
    return list(by_scan.values())[-limit:]


def as_json(result: dict[str, list[dict]]) -> dict:
    return {k: [{"rule": f["rule"], "severity": f["severity"], "url": f["url"], "message": f["message_zh"],
                 "fingerprint": f["fingerprint"], "evidence": json.loads(f["evidence"])} for f in v] for k, v in result.items()}
