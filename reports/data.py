"""Everything a report shows, read from the database (no check is recomputed here)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit
import sqlite3
from datetime import date

from checks.config import Rule
from storage.schema import table_columns
from reports import history
from reports.findings_json import findings_of, scan_summary
from reports.scorecard import scorecard
from storage.sqlite import home_unreachable  # noqa: F401 (the reports' name for it)

DELAY_BUCKETS = [(0, 7, "0–7"), (8, 14, "8–14"), (15, 28, "15–28"), (29, 60, "29–60"), (61, 10**6, ">60")]


def site_identity(conn: sqlite3.Connection, scan_id: int, scan: dict) -> dict:
    """Name, address and 网站标识码 of the audited site: the scan's own (a batch's sites file) when
    recorded, else what the home page declares in its meta tags (SiteName, SiteIDCode), else the
    host for the name and nothing for the code."""
    meta: dict = {}
    home = conn.execute("select meta_tags from pages where scan_id = ? and kind = 'home' and meta_tags is not null "
                        "order by depth, url limit 1", (scan_id,)).fetchone()
    if home:
        try:
            meta = json.loads(home[0]) or {}
        except ValueError:
            meta = {}
    url = (scan.get("start_urls") or [""])[0]
    host = urlsplit(url).netloc or scan.get("site") or ""
    name = (scan.get("site_name") or str(meta.get("SiteName") or "")).strip() or host
    code = (scan.get("site_code") or str(meta.get("SiteIDCode") or "")).strip()
    return {"name": name, "url": url, "code": code}


def verdict_of(conn, scan_id: int, rules, findings: list[dict], check_no: int = 0) -> dict:
    """The scorecard of one check of a scan: 站点无法访问 when its home page failed, and the veto
    items and indicators whose rules that check did not run marked not checked."""
    from checks.engine import check_covers, checks_of

    check = next((c for c in checks_of(conn, scan_id) if c["check_no"] == check_no), None)
    return scorecard(findings, rules, unreachable=home_unreachable(conn, scan_id) is not None,
                     ran=(lambda rule_id: check_covers(check, rule_id)) if check else None,
                     availability=availability_week(conn, scan_id, rules, check["as_of"] if check else None))


def availability_week(conn, scan_id: int, rules, as_of: str | None) -> dict | None:
    """The week of monitored home-page visits the check of ``as_of`` judged (None without that rule)."""
    from datetime import date

    from checks.availability import week_of

    rule = rules.get("availability.unreachable") if hasattr(rules, "get") else None
    if rule is None or not as_of:
        return None
    return week_of(conn, scan_id, date.fromisoformat(as_of), rule.params)


def scan_verdict(conn, scan_id: int, rules) -> dict:
    """The scorecard of a scan's audit (check 0)."""
    return verdict_of(conn, scan_id, rules, findings_of(conn, scan_id))


def veto_findings(findings: list[dict], card: dict) -> list[dict]:
    """The findings a triggered single-veto item rests on."""
    rules = {r for v in card["vetoes"] if v["triggered"] for r in v["rules"]}
    return [f for f in findings if f["rule"] in rules]


def column_freshness(conn: sqlite3.Connection, scan_id: int, as_of: date, rules: dict[str, Rule], findings: list[dict]) -> list[dict]:
    """Per column: newest listed date, days since, and its type's limit, for the chart. Whether
    a column is stale or blank is what the checks found, not decided again here."""
    from checks.freshness import limit_start

    params = rules["freshness.stale_column"].params
    stale = {f["url"] for f in findings if f["rule"] == "freshness.stale_column"}
    blank = {f["url"] for f in findings if f["rule"] == "freshness.blank_column"}
    out = []
    for url, name, col_type, kind, newest, n in conn.execute(
        "select c.url, c.name, c.type, c.kind, max(i.listed_date), count(i.item_url) from columns c "
        "left join column_items i on i.scan_id = c.scan_id and i.column_url = c.url where c.scan_id = ? "
        "group by c.url, c.name, c.type, c.kind order by c.type, c.name, c.url", (scan_id,)
    ):
        if kind == "home" or (col_type in params["skip_types"] and url not in blank):
            continue
        limit = params["limits"].get(col_type, params["limits"]["default"])
        out.append({"url": url, "name": name, "type": col_type, "newest": newest,
                    "days": (as_of - date.fromisoformat(newest)).days if newest else None,
                    "limit_days": (as_of - limit_start(as_of, limit)).days, "items": n,
                    "stale": url in stale, "blank": url in blank or n == 0})
    return out


def delay_distribution(conn: sqlite3.Connection, scan_id: int) -> list[dict]:
    """Calendar days from 成文日期 to 发布日期 over all documents that show both."""
    counts = [0] * len(DELAY_BUCKETS)
    for written, published in conn.execute(
        "select written_date, publish_date from documents where scan_id = ? and written_date is not null and publish_date is not null", (scan_id,)
    ):
        days = (date.fromisoformat(published) - date.fromisoformat(written)).days
        if days < 0:
            continue
        for i, (low, high, _label) in enumerate(DELAY_BUCKETS):
            if low <= days <= high:
                counts[i] += 1
                break
    return [{"label": label, "count": counts[i]} for i, (_, _, label) in enumerate(DELAY_BUCKETS)]


def build(conn: sqlite3.Connection, scan_id: int, rules: dict[str, Rule], check_no: int = 0) -> dict:
    """What the reports show of one check of a scan (0: the audit's own)."""
    conn.row_factory = sqlite3.Row
    scan = scan_summary(conn, scan_id, check_no)
    as_of = date.fromisoformat(scan["as_of"]) if scan["as_of"] else date.today()
    findings = findings_of(conn, scan_id, check_no=check_no)
    suppressed = findings_of(conn, scan_id, suppressed=True, check_no=check_no)
    kinds = dict(conn.execute("select kind, count(*) from pages where scan_id = ? group by kind", (scan_id,)).fetchall())
    by_rule: dict[str, dict] = {}
    for f in findings:
        entry = by_rule.setdefault(f["rule"], {"rule": f["rule"], "count": 0, "severity": f["severity"]})
        entry["count"] += 1
    by_severity = {s: sum(1 for f in findings if f["severity"] == s) for s in ("error", "warning", "info")}
    card = verdict_of(conn, scan_id, rules, findings, check_no)
    previous = history.previous_scan(conn, scan_id)
    documents = [dict(r) for r in conn.execute(
        "select url, kind, title, index_no, category, publisher, written_date, publish_date, doc_no, validity "
        "from documents where scan_id = ? order by publish_date desc, url", (scan_id,))]
    ipv6 = None
    if table_columns(conn, "ipv6_summary"):
        row = conn.execute("select summary from ipv6_summary where scan_id = ?", (scan_id,)).fetchone()
        ipv6 = json.loads(row[0]) if row else None
    return {
        "scan": scan,
        "site": site_identity(conn, scan_id, scan),
        "as_of": as_of.isoformat(),
        "pages": sum(kinds.values()),
        "kinds": kinds,
        "documents_count": len(documents),
        "columns_count": conn.execute("select count(*) from columns where scan_id = ?", (scan_id,)).fetchone()[0],
        "findings": findings,
        "suppressed": suppressed,
        "by_rule": sorted(by_rule.values(), key=lambda r: -r["count"]),
        "by_severity": by_severity,
        "vetoes": veto_findings(findings, card),
        "score": card["score"],
        "passed": card["passed"],
        "scorecard": card,
        "rules": rules,
        "columns": column_freshness(conn, scan_id, as_of, rules, findings),
        "delays": delay_distribution(conn, scan_id),
        "documents": documents,
        "trend": history.trend(conn, scan_id),
        "previous": previous,
        "diff": history.compare(conn, previous, scan_id) if previous else None,
        "ipv6": ipv6,
        "unread_columns": unread_columns(conn, scan_id),
        "learned": learned_apis(conn, scan_id),
    }


def unread_columns(conn: sqlite3.Connection, scan_id: int) -> list[dict]:
    """Columns whose list only a browser shows and that could not be read (no browser, or it failed)."""
    return [{"url": r[0], "name": r[1]} for r in conn.execute(
        "select url, name from columns where scan_id = ? and kind = 'script_only' order by url", (scan_id,))]


def learned_apis(conn: sqlite3.Connection, scan_id: int) -> list[dict]:
    """What the crawler learned from rendering: each column's list request and each detail page
    template's document request (the report's appendix)."""
    out = []
    if {"list_api", "renders"} <= set(table_columns(conn, "rendered")):
        for url, renders, api, pages, wasted, clicked in conn.execute(
                "select column_url, renders, list_api, api_pages, api_wasted, clicked_pages from rendered where scan_id = ? "
                "order by column_url", (scan_id,)):
            scheme = json.loads(api) if api else None
            out.append({"what": "list", "url": url, "renders": renders, "pages": pages or clicked or 1, "wasted": wasted,
                        "request": f"{scheme['method']} {scheme['url']}" if scheme else "",
                        "paging": ", ".join(f"{'.'.join([p[1], *map(str, p[2])]).strip('.')} = {p[3]} + {p[4]}·(k−1)"
                                            for p in scheme["page_params"]) if scheme else "",
                        "clicked": bool(clicked)})
    if table_columns(conn, "detail_apis"):
        for template, renders, api, documents in conn.execute(
                "select template, renders, detail_api, documents from detail_apis where scan_id = ? order by template", (scan_id,)):
            scheme = json.loads(api) if api else None
            out.append({"what": "detail", "url": template, "renders": renders, "pages": documents, "wasted": 0,
                        "request": f"{scheme['method']} {scheme['url']}" if scheme else "", "paging": "", "clicked": False})
    return out
