"""What a check reads: the stored scan (never the network, never raw HTML), the audit date and
the holiday calendar. Shared derived data (documents with their columns, policy ↔
interpretation pairs) is computed once per run and cached here."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from functools import cached_property

from checks.workdays import WorkCalendar
from crawler.scope import netloc, site_relative


class ScanContext:
    def __init__(self, conn: sqlite3.Connection, scan_id: int, as_of: date, calendar: WorkCalendar, rules: dict):
        self.conn = conn
        self.conn.row_factory = sqlite3.Row
        self.scan_id = scan_id
        self.as_of = as_of
        self.calendar = calendar
        self.rules = rules
        self._memo: dict = {}

    def rule_params(self, rule_id: str) -> dict:
        return self.rules[rule_id].params

    def memo(self, key: str, compute):
        """Derived data several rules share (computed on first use, once per run)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, (self.scan_id, *params)).fetchall()

    @cached_property
    def scan(self) -> sqlite3.Row:
        return self.conn.execute("select * from scans where id = ?", (self.scan_id,)).fetchone()

    @cached_property
    def start_urls(self) -> list[str]:
        return json.loads(self.scan["start_urls"])

    @cached_property
    def site_hosts(self) -> set[str]:
        return {netloc(u) for u in self.start_urls}

    @cached_property
    def home_urls(self) -> set[str]:
        return {r["url"] for r in self.rows("select url from pages where scan_id = ? and kind = 'home'")}

    @cached_property
    def columns(self) -> list[sqlite3.Row]:
        return self.rows("select * from columns where scan_id = ? order by url")

    @cached_property
    def documents(self) -> dict[str, sqlite3.Row]:
        # every column but body_text, which no check here needs and which dominates the memory
        return {r["url"]: r for r in self.rows(
            "select url, kind, title, index_no, category, publisher, written_date, publish_date, publish_date_source, "
            "doc_no, keywords, validity, column_url from documents where scan_id = ? order by url")}

    @cached_property
    def fields(self) -> dict[str, dict[str, sqlite3.Row]]:
        out: dict[str, dict[str, sqlite3.Row]] = {}
        for r in self.rows("select * from document_fields where scan_id = ?"):
            out.setdefault(r["url"], {})[r["field"]] = r
        return out

    @cached_property
    def document_columns(self) -> dict[str, list[sqlite3.Row]]:
        """document URL → the columns (rows of `columns`) that list it, the home page excluded."""
        by_url = {c["url"]: c for c in self.columns if c["kind"] != "home"}
        out: dict[str, list[sqlite3.Row]] = {}
        for r in self.rows("select column_url, item_url from column_items where scan_id = ?"):
            if r["column_url"] in by_url:
                out.setdefault(r["item_url"], []).append(by_url[r["column_url"]])
        return out

    def fingerprint_url(self, url: str) -> str:
        """Stable across scans: the audited site's URLs without host and port, others without port."""
        try:
            return site_relative(url, self.site_hosts)
        except ValueError:  # a malformed address (links.malformed) is its own fingerprint
            return url
