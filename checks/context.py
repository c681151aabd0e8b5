"""What a check reads: the stored scan (never the network, never raw HTML), the audit date and
the holiday calendar. What grows with the site (documents, their fields and columns, links) is
streamed in URL order and never kept whole, so that a check of 100 000 documents stays flat in
memory; small shared data (columns, the disclosure section, policy ↔ interpretation pairs) is
computed once per run and cached here. The SQL runs unchanged on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from functools import cached_property, lru_cache
from itertools import groupby
from operator import itemgetter

from urllib.parse import urlsplit

from checks.workdays import WorkCalendar
from crawler.scope import netloc, site_relative
from storage.schema import table_columns
from crawler.urls import DIRECTORY_INDEX, directory_of, page_identity


def _identity(url: str) -> str:
    """page_identity of a stored (canonical) URL, without parsing the many it leaves as they are."""
    return page_identity(url) if "?" in url or "#" in url or DIRECTORY_INDEX.search(url) else url


class ScanContext:
    def __init__(self, conn: sqlite3.Connection, scan_id: int, as_of: date, calendar: WorkCalendar, rules: dict):
        self.conn = conn
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
        """A small result whole (columns, hosts, the sources of one link); see ``stream``."""
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

    def stream(self, sql: str, params: tuple = ()):
        """Rows one at a time, for results that grow with the site (documents, fields, links):
        a check keeps what it needs of a row, never the whole result.

        A query that picks a few rows out of a whole table by a column with no index (hidden,
        malformed, an anchor LIKE) says ``scan_id + 0 = ?``: SQLite, having no statistics, would
        otherwise walk the scan_id index and look up every row of the scan (ten times slower than
        reading the table in order); PostgreSQL reads such a query sequentially anyway."""
        return self.conn.execute(sql, (self.scan_id, *params))

    def marked_only(self, rule_id: str, spec, url_column: str = "url") -> tuple[str, tuple]:
        """(SQL condition on ``url_column``, its parameters) keeping the documents whose text the
        crawl found may concern ``rule_id`` (crawler.text_marks) when it searched with this run's
        ``spec``; a condition every document meets when it did not (a scan crawled with another
        lexicon, by a check-only rule selection, or before marks existed): then all are read."""
        if not self.marks_apply(rule_id, spec):
            return "1 = 1", ()
        return f"{url_column} in (select m.url from text_marks m where m.scan_id = ? and m.rule = ?)", (self.scan_id, rule_id)

    def marks_apply(self, rule_id: str, spec) -> bool:
        """Whether the crawl marked this scan's pages for ``rule_id`` with ``spec`` (see marked_only)."""
        recorded = (json.loads(self.scan["settings"] or "{}").get("text_marks") or {}).get(rule_id)
        return recorded == spec.digest and bool(self.table_columns("text_marks"))

    def links_to(self, url: str) -> list[tuple]:
        """The distinct (source_url, anchor, position, hidden, tag) of the links to ``url``, by source.
        Deduplicated and sorted here: with DISTINCT or ORDER BY in the query, SQLite (having no
        statistics) scans the whole primary key for its order instead of using the target_url index."""
        rows = {tuple(r) for r in self.stream("select source_url, anchor, position, hidden, tag from links "
                                              "where scan_id = ? and target_url = ?", (url,))}
        return sorted(rows, key=lambda r: (r[0], r[4], r[2], r[1] is not None, r[1] or "", r[3]))

    def table_columns(self, table: str) -> set[str]:
        """The columns of ``table``, or nothing when a database written by an older zwgk lacks it."""
        return self.memo(f"columns:{table}", lambda: set(table_columns(self.conn, table)))

    def documents_with_columns(self, columns: str, where: str = "", params: tuple = ()):
        """(document row, [rows of `columns` that list it, the home page excluded]) in URL order;
        ``columns`` are the documents table's (as d.name), ``where`` narrows them (and d.…)."""
        by_url = {c["url"]: c for c in self.columns if c["kind"] != "home"}
        # (ci.position is read so that SQLite, having no statistics, takes the item_url index rather
        # than scanning the primary key, which covers column_url and item_url but is ordered by column)
        rows = self.stream(f"select {columns}, ci.column_url as listed_in, ci.position from documents d "
                           "left join column_items ci on ci.scan_id = d.scan_id and ci.item_url = d.url "
                           f"where d.scan_id = ? {where} order by d.url", params)
        for _, group in groupby(rows, key=itemgetter(0)):  # d.url comes first
            group = list(group)
            yield group[0], [by_url[url] for url in sorted(r["listed_in"] for r in group if r["listed_in"] in by_url)]

    @cached_property
    def disclosure_filter(self) -> tuple[str, tuple]:
        """(SQL condition on the documents table as ``d``, its parameters) that holds for the
        documents of the 政府信息公开 section: what metadata.* and the disclosure time limits apply
        to. News (新闻中心), 互动 and 办事 pages are documents for links, privacy and content rules,
        but not disclosure documents. The section is found from the portal itself: the home page's
        link named 政府信息公开 (or the like), the section's usual paths, and a page that carries a
        disclosure metadata block (an 索引号 label) is always one. A site where no section can be
        told apart is audited whole."""
        conf = self.rule_params("metadata.missing_field").get("disclosure_section") or {}
        roots = self._section_roots(conf)
        if not roots:
            return "1 = 1", ()

        def inside(url: str) -> bool:
            return any(url.startswith(root) for root in roots)

        # a column is in the section when it lives below it or a page of the section links it
        # (a Hanweb /col/colN/ listed on the 政府信息公开 index)
        columns = {c["url"] for c in self.columns}
        section_columns = {c for c in columns if inside(c)}
        # (body links of its home, column and other pages, not documents: every page's navigation
        # links the news centre too, and a document's links are its references)
        below = " or ".join(["substr({0}, 1, ?) = ?"] * len(roots))
        below_params = tuple(x for root in roots for x in (len(root), root))
        # (no DISTINCT: SQLite, having no statistics, would walk all the scan's links for its order)
        for (target,) in self.stream("select target_url from links where scan_id = ? and tag = 'a' and position = 'body' "
                                     "and source_url in (select s.url from pages s where s.scan_id = ? and s.probe = 0 "
                                     f"and s.kind in ('home', 'column', 'alias', 'other') and ({below.format('s.url')}))",
                                     (self.scan_id, *below_params)):
            target = _identity(target)
            if target in columns:
                section_columns.add(target)
        listed = ""
        if section_columns:
            listed = (" or exists (select 1 from column_items x where x.scan_id = d.scan_id and x.item_url = d.url "
                      f"and x.column_url in ({', '.join('?' * len(section_columns))}))")
        return ("(exists (select 1 from document_fields x where x.scan_id = d.scan_id and x.url = d.url and x.field = 'index_no') "
                f"or {below.format('d.url')}{listed})", below_params + tuple(sorted(section_columns)))

    def disclosure_fields(self, fields: tuple[str, ...], where: str = ""):
        """The rows of document_fields naming one of ``fields`` on the disclosure documents, in
        URL order (``where`` narrows them further, as f.…)."""
        section, params = self.disclosure_filter
        return self.stream(f"select f.* from document_fields f join documents d on d.scan_id = f.scan_id and d.url = f.url "
                           f"where f.scan_id = ? and f.field in ({', '.join('?' * len(fields))}) {where} and {section} "
                           "order by f.url, f.field", (*fields, *params))

    def disclosure_dates(self):
        """(url, 成文日期, 发布日期) of the disclosure documents where both were read as dates."""
        section, params = self.disclosure_filter
        for r in self.stream("select w.url, w.parsed as written, p.parsed as published from document_fields w "
                             "join document_fields p on p.scan_id = w.scan_id and p.url = w.url and p.field = 'publish_date' "
                             "join documents d on d.scan_id = w.scan_id and d.url = w.url "
                             "where w.scan_id = ? and w.field = 'written_date' and w.parsed is not null and w.parsed != '' "
                             f"and p.parsed is not null and p.parsed != '' and {section} order by w.url", params):
            yield r["url"], r["written"], r["published"]

    def _section_roots(self, conf: dict) -> list[str]:
        words = re.compile("|".join(map(re.escape, conf.get("entry_words") or ["政府信息公开"])))
        roots = set()
        for r in self.rows("select target_url, anchor from links where scan_id = ? and tag = 'a' and source_url in "
                           f"({','.join('?' * len(self.home_urls))})", tuple(sorted(self.home_urls))) if self.home_urls else []:
            if r["anchor"] and words.search(r["anchor"]) and r["target_url"] not in self.home_urls:
                roots.add(directory_of(r["target_url"]))
        paths = tuple(conf.get("paths") or ())
        if paths:
            for url in sorted(c["url"] for c in self.columns):
                path = urlsplit(url).path
                for prefix in paths:
                    if path.startswith(prefix):
                        roots.add(url[: url.index(path) + len(prefix)] if path in url else url)
        return sorted(roots)

    def fingerprint_url(self, url: str) -> str:
        """Stable across scans: the audited site's URLs without host and port, others without port."""
        return self._fingerprint_url(url)

    @cached_property
    def _fingerprint_url(self):
        # the findings of one page come one after another (several fields, several rules' passes
        # in URL order): a short memory saves most of the parsing
        @lru_cache(maxsize=256)
        def relative(url: str) -> str:
            try:
                return site_relative(url, self.site_hosts)
            except ValueError:  # a malformed address (links.malformed) is its own fingerprint
                return url
        return relative

