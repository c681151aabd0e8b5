"""``findings.json``: the documented, stable machine format of one scan's findings.

    {"format": "zwgk-findings/1",
     "scan": {"id", "site", "start_urls", "started_at", "finished_at", "status", "as_of", "tool_version"},
     "findings": [{"rule", "severity", "url", "message", "message_en", "evidence", "fingerprint"}],
     "suppressed": [... same fields + "accepted_reason" (findings a --baseline accepted)],
     "pages": [{"url", "kind", "status"}]}

``message`` is Chinese, ``message_en`` English; ``evidence`` is rule-specific (documented per
rule by ``zwgk rules ID``); ``fingerprint`` is stable across scans of the same site.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

FORMAT = "zwgk-findings/1"


def scan_summary(conn: sqlite3.Connection, scan_id: int) -> dict:
    conn.row_factory = sqlite3.Row
    scan = conn.execute("select * from scans where id = ?", (scan_id,)).fetchone()
    if scan is None:
        raise KeyError(scan_id)
    return {
        "id": scan["id"], "site": scan["site"], "start_urls": json.loads(scan["start_urls"]),
        "started_at": scan["started_at"], "finished_at": scan["finished_at"], "status": scan["status"],
        "as_of": scan["as_of"], "tool_version": scan["tool_version"],
    }


def findings_of(conn: sqlite3.Connection, scan_id: int, suppressed: bool = False) -> list[dict]:
    """The scan's findings in report order; with suppressed=True the ones a baseline accepted."""
    conn.row_factory = sqlite3.Row
    condition = "suppressed is not null" if suppressed else "suppressed is null"
    out = []
    for r in conn.execute(f"select * from findings where scan_id = ? and {condition} order by rank", (scan_id,)):
        item = {"rule": r["rule"], "severity": r["severity"], "url": r["url"], "message": r["message_zh"],
                "message_en": r["message_en"], "evidence": json.loads(r["evidence"]), "fingerprint": r["fingerprint"],
                "column_url": r["column_url"]}
        if suppressed:
            item["accepted_reason"] = r["suppressed"]
        out.append(item)
    return out


def document(conn: sqlite3.Connection, scan_id: int) -> dict:
    conn.row_factory = sqlite3.Row
    pages = [{"url": r["url"], "kind": r["kind"], "status": r["status"]}
             for r in conn.execute("select url, kind, status from pages where scan_id = ? order by url", (scan_id,))]
    return {"format": FORMAT, "scan": scan_summary(conn, scan_id), "findings": findings_of(conn, scan_id),
            "suppressed": findings_of(conn, scan_id, suppressed=True), "pages": pages}


def write(conn: sqlite3.Connection, scan_id: int, out_dir: Path) -> Path:
    path = out_dir / "findings.json"
    path.write_text(json.dumps(document(conn, scan_id), ensure_ascii=False, indent=1), encoding="utf-8")
    return path
