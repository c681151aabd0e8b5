"""``findings.json``: the documented, stable machine format of one scan's findings.

    {"format": "zwgk-findings/1",
     "scan": {"id", "site", "start_urls", "started_at", "finished_at", "status", "as_of", "tool_version"},
     "findings": [{"rule", "severity", "url", "message", "message_en", "evidence", "fingerprint", "column_url",
                   "page_to_fix", "evidence_text", "evidence_text_en"}],
     "suppressed": [... same fields + "accepted_reason" (findings a --baseline accepted)],
     "pages": [{"url", "kind", "status"}],
     "verdict": {"passed", "verdict_zh", "verdict_en", "score", "pass_score", "vetoes": [{"item", "item_en", "triggered",
                 "count", "at_least", "rules", "pages"}], "indicators": [{"id", "name_zh", "name_en", "share", "lost",
                 "capped", "problems", "rules", "per"}], "lines_zh", "lines_en"}}

``verdict`` is the 检查指标 scorecard (reports/scorecard.py) under the rules the report was written with.

``message`` is Chinese, ``message_en`` English; ``evidence`` is rule-specific (documented per
rule by ``zwgk rules ID``) and kept as the check stored it, raw failure details included;
``fingerprint`` is stable across scans of the same site.

Each finding (and suppressed finding) also carries what the reports show a person:
``page_to_fix`` (整改页面: the page to edit; for a broken link, an unreadable attachment or personal
data in an attachment, the first page holding the link, not the target at ``url``) and
``evidence_text`` / ``evidence_text_en`` (the evidence in words, one "label：value" line each,
failures as 连接被拒绝 / HTTP 404 页面不存在 rather than exception names; reports/evidence.py).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from reports.evidence import evidence_text, fix_page

FORMAT = "zwgk-findings/1"


def scan_summary(conn: sqlite3.Connection, scan_id: int, check_no: int = 0) -> dict:
    """The scan and the check shown: ``as_of`` is that check's date, ``check`` its number (0: the
    audit's), ``selection`` the rules it was narrowed to and ``skipped`` the rules it could not run."""
    from checks.engine import checks_of

    conn.row_factory = sqlite3.Row
    scan = conn.execute("select * from scans where id = ?", (scan_id,)).fetchone()
    if scan is None:
        raise KeyError(scan_id)
    check = next((c for c in checks_of(conn, scan_id) if c["check_no"] == check_no), None)
    conn.row_factory = sqlite3.Row
    keys = scan.keys()
    return {
        "id": scan["id"], "site": scan["site"], "start_urls": json.loads(scan["start_urls"]),
        "started_at": scan["started_at"], "finished_at": scan["finished_at"], "status": scan["status"],
        "as_of": check["as_of"] if check else scan["as_of"], "tool_version": scan["tool_version"],
        "limited_by": scan["limited_by"] if "limited_by" in keys else None,
        "interruption": scan["interruption"] if "interruption" in keys else None,  # a failed write, in words
        "site_name": scan["site_name"] if "site_name" in keys else None,
        "site_code": scan["site_code"] if "site_code" in keys else None,
        "check": check_no, "checked_at": check["checked_at"] if check else None,
        "selection": json.loads(check["selection"]) if check and check["selection"] else None,
        "skipped": json.loads(check["skipped"]) if check and check["skipped"] else [],
    }


# the findings of one check of a scan: 0 is the audit's own (older databases: check_no null)
IN_CHECK = "coalesce(check_no, 0) = ?"


def findings_of(conn: sqlite3.Connection, scan_id: int, suppressed: bool = False, check_no: int = 0) -> list[dict]:
    """The findings of one check of the scan (the audit's by default) in report order; with
    suppressed=True the ones a baseline accepted."""
    conn.row_factory = sqlite3.Row
    condition = "suppressed is not null" if suppressed else "suppressed is null"
    out = []
    for r in conn.execute(f"select * from findings where scan_id = ? and {IN_CHECK} and {condition} order by rank",
                          (scan_id, check_no)):
        item = {"rule": r["rule"], "severity": r["severity"], "url": r["url"], "message": r["message_zh"],
                "message_en": r["message_en"], "evidence": json.loads(r["evidence"]), "fingerprint": r["fingerprint"],
                "column_url": r["column_url"]}
        if suppressed:
            item["accepted_reason"] = r["suppressed"]
        out.append(item)
    return out


def document(conn: sqlite3.Connection, scan_id: int, check_no: int = 0, rules=None) -> dict:
    conn.row_factory = sqlite3.Row
    pages = [{"url": r["url"], "kind": r["kind"], "status": r["status"]}
             for r in conn.execute("select url, kind, status from pages where scan_id = ? order by url", (scan_id,))]
    findings = findings_of(conn, scan_id, check_no=check_no)
    out = {"format": FORMAT, "scan": scan_summary(conn, scan_id, check_no), "findings": findings,
           "suppressed": findings_of(conn, scan_id, suppressed=True, check_no=check_no), "pages": pages}
    if rules is not None:
        from reports.data import verdict_of

        out["verdict"] = verdict_of(conn, scan_id, rules, findings, check_no)
    for f in (*out["findings"], *out["suppressed"]):
        f.update(page_to_fix=fix_page(f["rule"], f), evidence_text=evidence_text(f["rule"], f["evidence"], "zh", url=f["url"]),
                 evidence_text_en=evidence_text(f["rule"], f["evidence"], "en", url=f["url"]))
    return out


def write(conn: sqlite3.Connection, scan_id: int, out_dir: Path, check_no: int = 0, rules=None) -> Path:
    path = out_dir / "findings.json"
    path.write_text(json.dumps(document(conn, scan_id, check_no, rules), ensure_ascii=False, indent=1), encoding="utf-8")
    return path
