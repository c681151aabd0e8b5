"""Baseline (accepted findings): a YAML file of findings a supervisor has accepted, each with a
reason and an optional expiry date. Matching findings are kept in the database but marked
suppressed; expired entries stop suppressing and are reported.

    accepted:
      - fingerprint: 3f2a9c0d1e2b4a5c        # from findings.json or the report
        reason: 历史文件，已报备上级
        expires: 2027-06-30
      - rule: links.broken                     # or rule + url (path for the audited site)
        url: /zwgk/old/index.html
        reason: 栏目已撤销，待上级网站更新链接
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml


class BaselineError(ValueError):
    pass


@dataclass
class Entry:
    reason: str
    fingerprint: str | None = None
    rule: str | None = None
    url: str | None = None
    expires: date | None = None
    line: int = 0

    def matches(self, finding: sqlite3.Row) -> bool:
        if self.fingerprint:
            return finding["fingerprint"] == self.fingerprint
        parts = urlsplit(finding["url"])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return finding["rule"] == self.rule and self.url in (finding["url"], path)


def load(path: str | Path) -> list[Entry]:
    path = Path(path)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except OSError as exc:
        raise BaselineError(f"{path}: 无法读取基线文件 cannot read: {exc.strerror or exc}") from None
    except yaml.MarkedYAMLError as exc:
        raise BaselineError(f"{path}:{exc.problem_mark.line + 1 if exc.problem_mark else 1}: YAML syntax error: {exc.problem}") from None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("accepted") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BaselineError(f"{path}:1: accepted: expected a list of accepted findings")
    lines = [n.start_mark.line + 1 for k, v in node.value if k.value == "accepted" for n in v.value] if node else []
    entries = []
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else 1
        where = f"{path}:{line}: accepted[{i}]"
        if not isinstance(item, dict) or not item.get("reason"):
            raise BaselineError(f"{where}: every entry needs a reason")
        if not item.get("fingerprint") and not (item.get("rule") and item.get("url")):
            raise BaselineError(f"{where}: give a fingerprint, or a rule and a url")
        expires = item.get("expires")
        if expires is not None and not isinstance(expires, date):
            try:
                expires = date.fromisoformat(str(expires))
            except ValueError:
                raise BaselineError(f"{where}.expires: expected a date YYYY-MM-DD, got {expires!r}") from None
        entries.append(Entry(str(item["reason"]), item.get("fingerprint"), item.get("rule"), item.get("url"), expires, line))
    return entries


def apply(conn: sqlite3.Connection, scan_id: int, entries: list[Entry], today: date, check_no: int = 0) -> list[Entry]:
    """Mark the matching findings of one check (just written) suppressed; return the expired
    entries (which suppress nothing)."""
    conn.row_factory = sqlite3.Row
    expired = [e for e in entries if e.expires is not None and e.expires < today]
    active = [e for e in entries if e not in expired]
    with conn:
        conn.execute("update findings set suppressed = null where scan_id = ? and coalesce(check_no, 0) = ?", (scan_id, check_no))
        for finding in conn.execute("select * from findings where scan_id = ? and coalesce(check_no, 0) = ?",
                                    (scan_id, check_no)).fetchall():
            entry = next((e for e in active if e.matches(finding)), None)
            if entry is not None:
                conn.execute("update findings set suppressed = ? where scan_id = ? and coalesce(check_no, 0) = ? and fingerprint = ?",
                             (entry.reason, scan_id, check_no, finding["fingerprint"]))
    return expired
