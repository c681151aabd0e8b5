"""What a zwgk scan database is, whichever server keeps it: its tables and their columns, the mark
zwgk leaves on a database it created, and the one error for a database zwgk cannot use."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

SCHEMA: dict[str, dict] = {
    "scans": {
        "columns": {
            "id": int, "site": str, "start_urls": str, "started_at": str, "finished_at": str,
            "status": str, "settings": str, "as_of": str, "tool_version": str,
            "limited_by": str,  # a partial scan: "max_pages" or "max_depth" (the limit that cut it short)
            "interruption": str,  # an interrupted scan stopped by a failed write: why, in words (磁盘已满 …)
            # a batch's site: 网站名称 and 网站标识码 from the sites file (zwgk.batch.finish; null otherwise)
            "site_name": str, "site_code": str,
        },
        "pk": "id",
    },
    "pages": {
        "columns": {
            "scan_id": int, "url": str, "final_url": str, "method": str, "status": int, "kind": str,
            "content_type": str, "charset": str, "charset_declared": str, "charset_note": str,
            "title": str, "fetched_at": str, "redirects": str, "error": str, "error_kind": str,
            "depth": int, "referer": str, "size": int, "column_url": str, "meta_tags": str,
            "footer": str, "probe": int, "elapsed_ms": int, "request_body": str, "footer_text": str,
        },
        # a Hanweb dataproxy.jsp POST is identified by its form body too: several columns post
        # to one URL (request_body is '' for GET)
        "pk": ("scan_id", "url", "request_body"),
        "indexes": [("scan_id", "kind"), ("scan_id", "status"), ("scan_id", "column_url")],
    },
    "columns": {
        "columns": {
            "scan_id": int, "url": str, "name": str, "type": str, "type_source": str, "pager": str,
            "declared_pages": int, "declared_records": int, "empty_notice": int, "kind": str, "scripted": int,
        },
        "pk": ("scan_id", "url"),
    },
    # other URLs of a column (dir/index.html beside dir/, a search URL serving the same list)
    "column_aliases": {
        "columns": {"scan_id": int, "url": str, "column_url": str, "reason": str},
        "pk": ("scan_id", "url"),
    },
    # columns whose list exists only in a browser, read from the page Chromium rendered
    # and, when its scripts' own list request was learned, how it was paged without the browser
    "rendered": {
        "columns": {"scan_id": int, "column_url": str, "renders": int, "empty_notice": int, "list_api": str,
                    "api_pages": int, "api_wasted": int, "clicked_pages": int, "error": str, "reused": int},
        "pk": ("scan_id", "column_url"),
    },
    # document pages whose content arrives by script: the request learned from one render
    # (crawler.detail_api), how many pages were read through it and how many were rendered
    "detail_apis": {
        "columns": {"scan_id": int, "template": str, "renders": int, "detail_api": str, "documents": int, "error": str,
                    "reused": int},
        "pk": ("scan_id", "template"),
    },
    # what a column's pager claimed and what was really there (crawler.column_pager)
    "pagers": {
        "columns": {
            "scan_id": int, "column_url": str, "pager": str, "claimed_pages": int, "claimed_records": int,
            "requested": int, "real": int, "wasted": int, "listed_items": int, "overclaimed": int,
            "endless": int,  # cut: page after page listed nothing new and nothing showed where it ends
        },
        "pk": ("scan_id", "column_url"),
    },
    "column_items": {
        "columns": {
            "scan_id": int, "column_url": str, "item_url": str, "title": str, "listed_date": str,
            "date_text": str, "page_no": int, "position": int,
        },
        "pk": ("scan_id", "column_url", "item_url"),
        # covering: "the columns listing this URL" must not walk the primary key (which also covers
        # it, and which SQLite picks without statistics: settle took > 6 min at 100 000 documents)
        "indexes": [("scan_id", "item_url", "column_url")],
    },
    # the messages (留言) of consulting boards (crawler.extract.messages): source "list" is a list row
    # (list_url its page), "detail" the message's own page; times as written, read to ISO (null: not shown)
    "messages": {
        "columns": {
            "scan_id": int, "url": str, "source": str, "column_url": str, "list_url": str, "title": str,
            "asked_at": str, "answered_at": str, "status": str, "replier": str, "position": int,
        },
        "pk": ("scan_id", "url", "source"),
    },
    "documents": {
        "columns": {
            "scan_id": int, "url": str, "kind": str, "title": str, "index_no": str, "category": str,
            "publisher": str, "written_date": str, "publish_date": str, "publish_date_source": str,
            "doc_no": str, "keywords": str, "validity": str, "column_url": str, "body_text": str,
        },
        "pk": ("scan_id", "url"),
        "indexes": [("scan_id", "kind"), ("scan_id", "publish_date")],
    },
    # the content rules a document's text may concern (crawler.text_marks): they read only these
    "text_marks": {
        "columns": {"scan_id": int, "url": str, "rule": str},
        "pk": ("scan_id", "rule", "url"),
    },
    "document_fields": {
        "columns": {
            "scan_id": int, "url": str, "field": str, "label": str, "value": str, "raw_value": str,
            "state": str, "parsed": str,
        },
        "pk": ("scan_id", "url", "field"),
    },
    "links": {
        "columns": {
            "scan_id": int, "source_url": str, "target_url": str, "tag": str, "anchor": str,
            "position": str, "hidden": int, "href": str, "malformed": int,
        },
        "pk": ("scan_id", "source_url", "target_url", "tag", "position"),
        "indexes": [("scan_id", "target_url")],
        # the few hidden (暗链) and malformed links of a scan, without reading all its links
        "partial_indexes": {"hidden": "hidden = 1", "malformed": "malformed = 1"},
    },
    # the second look for cloaked hijacks (crawler.cloak): each sampled page seen again as a search
    # engine's crawler (view ua:baidu …), from a search results page (referer:baidu …, render:baidu …)
    # and normally (normal, normal:render), with what the view adds to its normal view (compared_with):
    # text segments, links (JSON [{url, anchor}]), the text it lacks, an off-site redirect (not followed)
    "cloak_views": {
        "columns": {
            "scan_id": int, "url": str, "view": str, "status": int, "final_url": str, "redirect_to": str,
            "text_hash": str, "added_text": str, "removed_text": str, "added_links": str, "compared_with": str,
            "page_text": str, "error": str, "elapsed_ms": int,
        },
        "pk": ("scan_id", "url", "view"),
    },
    # the text of each attachment (crawler.attachments.attachment_row): segments is JSON
    # [[where, offset into text], …] ("page:3", "sheet:名单 row:4", "paragraph:7"); problem says why
    # there is no text (image_only, empty, wrong_type, encrypted, corrupt, too_large, timeout …)
    "attachments": {
        "columns": {
            "scan_id": int, "url": str, "source_url": str, "content_type": str, "size": int, "kind": str,
            "expected_kind": str, "pages": int, "text": str, "segments": str, "problem": str, "detail": str,
            "elapsed_ms": int,
        },
        "pk": ("scan_id", "url"),
        "indexes": [("scan_id", "problem")],
    },
    # annual disclosure reports (政府信息公开工作年度报告) whose content was read (crawler.report_tables):
    # an HTML page or an attachment; headings is JSON [line, …] (the part headings found), problem
    # why its tables could not be read (the attachment's problem, or the table reader's error)
    "annual_reports": {
        "columns": {"scan_id": int, "url": str, "source_url": str, "source": str, "title": str, "year": int,
                    "headings": str, "tables": int, "problem": str, "detail": str},
        "pk": ("scan_id", "url"),
    },
    # their tables as rows of cells: cells is JSON [text or null, …] on the table's grid (null: a
    # position covered by a merged cell to its left or above)
    "report_tables": {
        "columns": {"scan_id": int, "url": str, "table_no": int, "row_no": int, "cells": str},
        "pk": ("scan_id", "url", "table_no", "row_no"),
    },
}


# the home-page visits of `zwgk monitor` (站点无法访问 is measured over a week): per site, not per
# scan — a site's scans find them by site (host[:port]) and date. One row per visit and IP family;
# ``slot`` is the scheduled moment's number (a visit delivered twice is stored once); ``at`` is the
# visit's moment, UTC ISO 8601; ``ok`` 1 opened, 0 failed, null not measured (no IPv6 route on the monitoring machine).
# The same SQL creates the table in SQLite and PostgreSQL (storage.visits.ensure_visits).
VISITS_DDL = (
    'CREATE TABLE IF NOT EXISTS "visits" ("site" TEXT, "url" TEXT, "slot" BIGINT, "at" TEXT, "family" BIGINT, '
    '"address" TEXT, "status" BIGINT, "ttfb_ms" BIGINT, "total_ms" BIGINT, "ok" BIGINT, "error" TEXT, "final_url" TEXT, '
    '"worker" TEXT, PRIMARY KEY ("site", "slot", "family"))',
    'CREATE INDEX IF NOT EXISTS "idx_visits_site_at" ON "visits" ("site", "at")',
)


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# zwgk marks the databases it creates (PRAGMA application_id, and a zwgk_meta table with the schema
# version) and never alters a database without that mark: another application's SQLite file given
# as --db is refused before anything is written to it.
APPLICATION_ID = 0x7A77676B  # "zwgk"
SCHEMA_VERSION = 1
META_TABLE = "zwgk_meta"


class UnusableDatabase(Exception):
    """The file given as --db cannot be used as a zwgk scan database (one line, exit code 2)."""


def table_columns(conn, table: str) -> list[str]:
    """The columns of ``table`` ([] when there is no such table), on SQLite or PostgreSQL."""
    if isinstance(conn, sqlite3.Connection):
        return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    return conn.columns(table)  # storage.postgres.PgConnection
