"""The disclosure catalogue (主动公开基本目录): the columns every 政府信息公开 platform must have
(平台通知: 政府信息公开指南, 政府信息公开制度, 法定主动公开内容, 政府信息公开年报; 指引's ColumnType
list: 政策文件, 政策解读 …), each present, reached by the crawl from the disclosure home page, and
not empty. Column types come from the crawler (crawler.extract.columns: ColumnType meta, name, URL);
names and synonyms are configurable because the official names are unconfirmed."""

from __future__ import annotations

from checks.registry import Finding, rule


def _matches(column, col_type: str, synonyms: list[str]) -> bool:
    name = column["name"] or ""
    return column["type"] == col_type or any(s and s in name for s in synonyms)


def _item_count(ctx, column_url: str) -> int:
    return ctx.conn.execute("select count(*) from column_items where scan_id = ? and column_url = ?",
                            (ctx.scan_id, column_url)).fetchone()[0]


def _single_pages(ctx, synonyms: list[str]):
    """A 指南 or 制度 is often one article, not a list: a crawled page titled with a synonym, or a
    link whose text is one, that answered 200."""
    found = []
    for s in synonyms:
        like = f"%{s}%"
        for r in ctx.rows("select url, title, status from pages where scan_id = ? and title like ? and probe = 0 "
                          "and kind in ('document', 'column', 'other') order by url, request_body limit 5", (like,)):
            found.append({"url": r["url"], "title": r["title"], "status": r["status"], "via": "title"})
        for r in ctx.rows("select l.target_url as url, l.anchor as anchor, p.status as status from links l "
                          "left join pages p on p.scan_id = l.scan_id and p.url = l.target_url "
                          "where l.scan_id = ? and l.anchor like ? and l.hidden = 0 "
                          "order by l.target_url, l.source_url, l.tag, l.position, p.request_body limit 5", (like,)):
            found.append({"url": r["url"], "title": r["anchor"], "status": r["status"], "via": "link"})
    return found


@rule("disclosure.catalogue_missing")
def catalogue_missing(ctx, params):
    """One finding per required column type that is missing, unreachable or empty, with what the
    crawl found instead."""
    columns = [c for c in ctx.columns if c["kind"] != "home"]
    for col_type, synonyms in params["required_by_type"].items():
        if col_type in params["not_required"]:
            continue
        names = [col_type, *synonyms]
        matched = [c for c in columns if _matches(c, col_type, names)]
        problem = None
        if matched:
            live = [c for c in matched if not c["empty_notice"] and _item_count(ctx, c["url"]) > 0]
            if not live:
                pages = _single_pages(ctx, names)
                if not any(p["status"] == 200 for p in pages):
                    problem = "empty"
        else:
            pages = _single_pages(ctx, names)
            if any(p["status"] == 200 and p["via"] == "title" for p in pages):
                continue  # one page (not a list) that carries the content
            problem = "unreachable" if pages else "missing"
        if problem is None:
            continue
        near = [{"name": c["name"], "type": c["type"], "type_source": c["type_source"], "url": c["url"]}
                for c in columns if any(ch in (c["name"] or "") for ch in ("公开", *names))][:20]
        found_instead = [{"name": c["name"], "type": c["type"], "type_source": c["type_source"], "url": c["url"]}
                         for c in (matched or columns)][:40]
        zh = {"missing": "未找到", "unreachable": "链接无法访问", "empty": "栏目为空"}[problem]
        en = {"missing": "not found", "unreachable": "linked but not reachable", "empty": "empty"}[problem]
        where = matched[0]["url"] if matched else (ctx.start_urls[0] if ctx.start_urls else "")
        yield Finding(
            "disclosure.catalogue_missing", where,
            f"主动公开目录缺少「{col_type}」栏目：{zh}（按 ColumnType、栏目名称及同义词 {'、'.join(synonyms)} 查找）",
            f"disclosure catalogue lacks a {col_type} column: {en} (looked for ColumnType, name and synonyms)",
            {"type": col_type, "problem": problem, "synonyms": synonyms, "matched_columns": [c["url"] for c in matched],
             "similar_columns": near, "found_instead": found_instead,
             "candidate_pages": (_single_pages(ctx, names) if problem != "missing" else [])[:10]},
            key=col_type,
        )
