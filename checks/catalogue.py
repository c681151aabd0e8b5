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


def _single_pages(ctx, wanted: list[str]) -> dict[str, list[dict]]:
    """A 指南 or 制度 is often one article, not a list: for each name, the first crawled pages
    titled with it, then the first links whose text is it on the home, column and other pages that
    are not documents (the navigation names a column; a document's links are its references), with
    their answers (up to 5 each). One pass over the pages and one over their links for all names."""
    if not wanted:
        return {}
    by_title: dict[str, list[dict]] = {s: [] for s in wanted}
    by_link: dict[str, list[dict]] = {s: [] for s in wanted}
    likes = " or ".join(["{} like ?"] * len(wanted))
    params = tuple(f"%{s}%" for s in wanted)
    titled = ctx.stream(f"select url, title, status, request_body from pages where scan_id = ? and ({likes.format(*['title'] * len(wanted))}) "
                        "and probe = 0 and kind in ('document', 'column', 'other')", params)
    for r in sorted(titled, key=lambda r: (r["url"], r["request_body"] or "")):
        for s in wanted:
            if s in (r["title"] or "") and len(by_title[s]) < 5:
                by_title[s].append({"url": r["url"], "title": r["title"], "status": r["status"], "via": "title"})
    # the links of those pages by the primary key (scan_id, source_url), sorted here: with an
    # ORDER BY SQLite, having no statistics, would walk every link of the scan
    rows = ctx.stream("select l.target_url as url, l.anchor as anchor, p.status as status, l.source_url, l.tag, l.position, "
                      "p.request_body from links l left join pages p on p.scan_id = l.scan_id and p.url = l.target_url "
                      "where l.scan_id = ? and l.source_url in (select s.url from pages s where s.scan_id = ? "
                      "and s.kind in ('home', 'column', 'alias', 'other') and s.probe = 0) "
                      f"and ({likes.format(*['l.anchor'] * len(wanted))}) and l.hidden = 0", (ctx.scan_id, *params))
    for r in sorted(rows, key=lambda r: (r["url"], r["source_url"], r["tag"], r["position"] or "", r["request_body"] or "")):
        for s in wanted:
            if s in (r["anchor"] or "") and len(by_link[s]) < 5:
                by_link[s].append({"url": r["url"], "title": r["anchor"], "status": r["status"], "via": "link"})
    return {s: by_title[s] + by_link[s] for s in wanted}


@rule("disclosure.catalogue_missing", whole_site=True)
def catalogue_missing(ctx, params):
    """One finding per required column type that is missing, unreachable or empty, with what the
    crawl found instead."""
    columns = [c for c in ctx.columns if c["kind"] != "home"]
    required = {col_type: [col_type, *synonyms] for col_type, synonyms in params["required_by_type"].items()
                if col_type not in params["not_required"]}
    matched = {col_type: [c for c in columns if _matches(c, col_type, names)] for col_type, names in required.items()}
    live = {col_type: [c for c in found if not c["empty_notice"] and _item_count(ctx, c["url"]) > 0]
            for col_type, found in matched.items()}
    # the single pages of every name of the types that have no live column, read at once
    found_pages = _single_pages(ctx, list(dict.fromkeys(n for t, names in required.items() if not live[t] for n in names)))
    for col_type, names in required.items():
        synonyms = names[1:]
        pages = [p for n in names for p in found_pages.get(n, [])]
        problem = None
        if matched[col_type]:
            if not live[col_type] and not any(p["status"] == 200 for p in pages):
                problem = "empty"
        else:
            if any(p["status"] == 200 and p["via"] == "title" for p in pages):
                continue  # one page (not a list) that carries the content
            problem = "unreachable" if pages else "missing"
        if problem is None:
            continue
        matched_columns = matched[col_type]
        near = [{"name": c["name"], "type": c["type"], "type_source": c["type_source"], "url": c["url"]}
                for c in columns if any(ch in (c["name"] or "") for ch in ("公开", *names))][:20]
        found_instead = [{"name": c["name"], "type": c["type"], "type_source": c["type_source"], "url": c["url"]}
                         for c in (matched_columns or columns)][:40]
        zh = {"missing": "未找到", "unreachable": "链接无法访问", "empty": "栏目为空"}[problem]
        en = {"missing": "not found", "unreachable": "linked but not reachable", "empty": "empty"}[problem]
        where = matched_columns[0]["url"] if matched_columns else (ctx.start_urls[0] if ctx.start_urls else "")
        yield Finding(
            "disclosure.catalogue_missing", where,
            f"主动公开目录缺少「{col_type}」栏目：{zh}（按 ColumnType、栏目名称及同义词 {'、'.join(synonyms)} 查找）",
            f"disclosure catalogue lacks a {col_type} column: {en} (looked for ColumnType, name and synonyms)",
            {"type": col_type, "problem": problem, "synonyms": synonyms, "matched_columns": [c["url"] for c in matched_columns],
             "similar_columns": near, "found_instead": found_instead,
             "candidate_pages": (pages if problem != "missing" else [])[:10]},
            key=col_type,
        )
