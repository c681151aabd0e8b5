"""Item pipeline: turns each page item into rows and streams them into SQLite in batches.

Nothing about a page is kept after its batch is written, so memory does not grow with the
number of pages.
"""

from __future__ import annotations

import json
from time import monotonic

from scrapy import signals

from crawler.extract.labels import DATE_FIELDS
from crawler.settle import settle
from crawler.text_marks import page_marks
from crawler.write_errors import WRITE_ERRORS, failed, write_failed
from storage.sqlite import BatchWriter, finish_scan, open_db

DOCUMENT_FIELDS = ("index_no", "category", "publisher", "written_date", "publish_date", "doc_no", "keywords", "validity", "title")
FLUSH_SECONDS = 5.0


class SQLitePipeline:
    def __init__(self, db_path: str, batch_pages: int):
        self.db_path = db_path
        self.batch_pages = batch_pages
        self.last_flush = monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings["ZWGK_DB"], crawler.settings.getint("ZWGK_BATCH_PAGES", 200))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        pipeline.crawler = crawler
        crawler.zwgk_pipeline = pipeline  # run.py's signal handling writes through it
        return pipeline

    def open_spider(self, spider=None):
        self.db = open_db(self.db_path)
        self.writer = BatchWriter(self.db, self.batch_pages)
        self.interrupted = False
        self.text_marks = getattr(self.crawler.spider, "text_marks", {})

    def interrupt(self) -> None:
        """SIGINT/SIGTERM or a failed write (crawler.write_errors): write everything fetched so far
        and mark the scan interrupted now, before in-flight downloads are cancelled."""
        if getattr(self, "writer", None) is None:
            return
        self.interrupted = True
        self._flush()
        self._mark_interrupted()

    def _flush(self) -> bool:
        """Write the buffered rows; on a failed write, stop the crawl (the rows stay buffered, and
        the saved responses rebuild them on --resume)."""
        try:
            self.writer.flush()
            return True
        except WRITE_ERRORS as exc:
            write_failed(exc, "扫描数据库 scan database")
            return False

    def _mark_interrupted(self) -> None:
        try:
            finish_scan(self.db, self.crawler.spider.scan_id, "interrupted", interruption=failed())
        except WRITE_ERRORS as exc:  # the scan stays "running": resumable, never finished
            write_failed(exc, "扫描数据库 scan database")

    def close_spider(self, spider=None):
        if failed() is None:
            self._flush()

    def spider_closed(self, spider, reason):
        # "finished" ends a scan; "max_pages" (or pages left unvisited by --max-depth) ends it
        # partial; "shutdown" is Ctrl-C or a failed write: the scan can be resumed.
        if self.interrupted or failed() is not None:
            self._flush()
            self._mark_interrupted()
        else:
            limited_by = "max_pages" if reason == "max_pages" else spider.cut_short()
            try:
                settle(self.db.conn, spider.scan_id)
                finish_scan(self.db, spider.scan_id, "partial" if limited_by else "finished", limited_by)
            except WRITE_ERRORS as exc:
                write_failed(exc, "扫描数据库 scan database")
                self._mark_interrupted()
        self.db.close()
        self.writer = None  # a late interrupt() (run.py's stop_now) has nothing left to write

    def process_item(self, item, spider=None):
        if failed() is not None:  # the crawl is stopping: --resume rebuilds this page from its saved response
            return item
        if "pager" in item:
            self.writer.add("pagers", [item["pager"]])
            return item
        if "detail_api" in item:
            self.writer.add("detail_apis", [dict(item["detail_api"])])
            return item
        if "alias" in item:
            self.writer.add("column_aliases", [item["alias"]])
            return item
        if "rendered" in item:  # a script-only list: the render (and its learned API), its items
            scan_id = self.crawler.spider.scan_id
            if item.get("column") is not None:
                self._column(scan_id, item["column"])
                self.writer.add_values("links", _link_rows(scan_id, item["column"]["url"], item["column_links"]))
                self._mark(scan_id, item["column"]["url"], _link_texts(item["column_links"]))
            self.writer.add("rendered", [dict(item["rendered"])])
            if item.get("messages"):  # a board whose rows its script writes
                self.writer.add("messages", item["messages"])
            return item
        page = item["page"]
        scan_id, url = page["scan_id"], page["url"]
        self.writer.add("pages", [page])
        shown = _page_texts(page) if not page.get("probe") and page.get("kind") != "attachment" else []
        self._mark(scan_id, url, [*shown, *_link_texts(item.get("links") or ())])
        if item.get("links"):
            self.writer.add_values("links", _link_rows(scan_id, url, item["links"]))
        if item.get("related"):  # links a page gets from a search API at runtime (Fujian 解读)
            self.writer.add_values("links", _link_rows(scan_id, item["related"]["source"], item["related"]["links"]))
            self._mark(scan_id, item["related"]["source"], _link_texts(item["related"]["links"]))
        if item.get("attachment"):
            self.writer.add("attachments", [item["attachment"]])
        if item.get("annual_report"):  # an annual report's tables (crawler.report_tables)
            self.writer.add("annual_reports", [item["annual_report"]["report"]])
            self.writer.add("report_tables", item["annual_report"]["rows"])
        if item.get("column_links"):  # Hanweb records: links of the column page a reader sees them on
            self.writer.add_values("links", _link_rows(scan_id, item["column"]["url"], item["column_links"]))
            self._mark(scan_id, item["column"]["url"], _link_texts(item["column_links"]))
        if item.get("document") is not None:
            self._document(scan_id, url, item["document"], page.get("column_url"))
        if item.get("column") is not None:
            self._column(scan_id, item["column"])
        if item.get("messages"):  # a consulting board's messages (留言), for 互动回应差
            self.writer.add("messages", item["messages"])
        if self.writer.page_done() or monotonic() - self.last_flush > FLUSH_SECONDS:
            self._flush()
            self.last_flush = monotonic()
        return {"url": url, "error_kind": page.get("error_kind")}

    def _mark(self, scan_id: int, url: str, texts) -> None:
        """The rules reading page text that this page's stored title, meta tags, footer or link
        text concerns (crawler.text_marks); a document's own text is marked by its parser."""
        self._add_marks(scan_id, url, page_marks(self.text_marks, texts) if self.text_marks else ())

    def _add_marks(self, scan_id: int, url: str, rules) -> None:
        self.writer.add("text_marks", [{"scan_id": scan_id, "url": url, "rule": rule} for rule in rules])

    def _document(self, scan_id: int, url: str, doc, column_url: str | None) -> None:
        row = {"scan_id": scan_id, "url": url, "kind": doc.kind, "column_url": column_url,
               "body_text": doc.body_text, "publish_date_source": doc.publish_date_source}
        for name in DOCUMENT_FIELDS:
            field = doc.fields.get(name)
            if name in DATE_FIELDS:
                row[name] = field.parsed[:10] if field and field.parsed else None
            else:
                row[name] = field.value if field and field.value else None
        row["title"] = doc.doc_title or None
        row["publish_date"] = doc.publish_date
        self.writer.add("documents", [row])
        self._add_marks(scan_id, url, doc.text_marks)
        self.writer.add("document_fields", [
            {"scan_id": scan_id, "url": url, "field": f.field, "label": f.label, "value": f.value,
             "raw_value": f.raw_value, "state": f.state, "parsed": f.parsed}
            for f in doc.fields.values()
        ])

    def _column(self, scan_id: int, column: dict) -> None:
        page = column.get("page")
        if page is not None:
            pagination = page.pagination
            self.writer.add("columns", [{
                "scan_id": scan_id, "url": column["url"], "name": page.column_name, "type": page.column_type,
                "type_source": page.column_type_source, "kind": page.kind,
                "pager": pagination.pager if pagination else None,
                "declared_pages": pagination.total_pages if pagination else None,
                "declared_records": pagination.total_records if pagination else None,
                "empty_notice": int(page.empty_list_notice), "scripted": int(page.scripted_list),
            }])
        self.writer.add("column_items", [
            {"scan_id": scan_id, "column_url": column["url"], "item_url": i.url, "title": i.title,
             "listed_date": i.listed_date, "date_text": i.date_text, "page_no": column.get("page_no"),
             "position": i.position}
            for i in column["items"]
        ])


def _page_texts(page: dict) -> list[str]:
    """What a visitor or a search engine reads of a page row besides its links: title, meta tag
    values, footer identity values and footer text."""
    texts = [page.get("title") or "", page.get("footer_text") or ""]
    for column in ("meta_tags", "footer"):
        if page.get(column):
            texts += [v for v in json.loads(page[column]).values() if isinstance(v, str)]
    return texts


def _link_texts(links) -> list[str]:
    """The visible link text (hidden links are content.hidden_link's)."""
    return [link.anchor for link in links if link.anchor and not link.hidden]


def _link_rows(scan_id: int, source_url: str, links) -> list[tuple]:
    """Rows of ``links`` in its column order: scan_id, source_url, then a Link's own fields (url as
    target_url, tag, anchor, position, hidden, href, malformed), as they are."""
    return [(scan_id, source_url, *link) for link in links]
