"""What a check reads: the stored scan (never the network, never raw HTML), the audit date and
the holiday calendar. Shared derived data (documents with their columns, policy ↔
interpretation pairs) is computed once per run and cached here."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from functools import cached_property

from urllib.parse import urlsplit

from checks.workdays import WorkCalendar
from crawler.scope import netloc, site_relative
from crawler.urls import directory_of, page_identity


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

    @cached_property
    def disclosure_documents(self) -> dict[str, sqlite3.Row]:
        """The documents of the 政府信息公开 section: what metadata.* and the disclosure time limits
        apply to. News (新闻中心), 互动 and 办事 pages are documents for links, privacy and content
        rules, but not disclosure documents. The section is found from the portal itself: the
        home page's link named 政府信息公开 (or the like), the section's usual paths, and a page
        that carries a disclosure metadata block (an 索引号 label) is always one. A site where no
        section can be told apart is audited whole."""
        conf = self.rule_params("metadata.missing_field").get("disclosure_section") or {}
        roots = self._section_roots(conf)
        if not roots:
            return self.documents
        with_block = {r["url"] for r in self.rows("select distinct url from document_fields where scan_id = ? and field = 'index_no'")}
        listed: dict[str, set[str]] = {}
        for r in self.rows("select column_url, item_url from column_items where scan_id = ?"):
            listed.setdefault(r["item_url"], set()).add(r["column_url"])

        def inside(url: str) -> bool:
            return any(url.startswith(root) for root in roots)

        # a column is in the section when it lives below it or a page of the section links it
        # (a Hanweb /col/colN/ listed on the 政府信息公开 index)
        columns = {c["url"] for c in self.columns}
        section_columns = {c for c in columns if inside(c)}
        # (body links only: every page's navigation links the news centre too)
        for r in self.rows("select source_url, target_url from links where scan_id = ? and tag = 'a' and position = 'body'"):
            if inside(r["source_url"]):
                target = page_identity(r["target_url"])
                if target in columns:
                    section_columns.add(target)
        return {url: doc for url, doc in self.documents.items()
                if url in with_block or inside(url) or listed.get(url, set()) & section_columns}

    @cached_property
    def disclosure_fields(self) -> dict[str, dict[str, sqlite3.Row]]:
        documents = self.disclosure_documents
        return {url: fields for url, fields in self.fields.items() if url in documents}

    def _section_roots(self, conf: dict) -> list[str]:
        words = re.compile("|".join(map(re.escape, conf.get("entry_words") or ["政府信息公开"])))
        roots = set()
        for r in self.rows("select target_url, anchor from links where scan_id = ? and tag = 'a' and source_url in "
                           f"({','.join('?' * len(self.home_urls))})", tuple(sorted(self.home_urls))) if self.home_urls else []:
            if r["anchor"] and words.search(r["anchor"]) and r["target_url"] not in self.home_urls:
                roots.add(directory_of(r["target_url"]))
        paths = tuple(conf.get("paths") or ())
        if paths:
            for (url,) in self.conn.execute("select url from columns where scan_id = ?", (self.scan_id,)):
                path = urlsplit(url).path
                for prefix in paths:
                    if path.startswith(prefix):
                        roots.add(url[: url.index(path) + len(prefix)] if path in url else url)
        return sorted(roots)

    def fingerprint_url(self, url: str) -> str:
        """Stable across scans: the audited site's URLs without host and port, others without port."""
        try:
            return site_relative(url, self.site_hosts)
        except ValueError:  # a malformed address (links.malformed) is its own fingerprint
            return url

