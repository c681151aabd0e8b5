"""Coverage of the crawl itself: a column whose pager declares more records than the crawl
could list (a pagination style zwgk cannot follow, a server that stopped answering, --max-pages),
a pager that claims pages that do not exist, a pager that never ends (cut by the crawler), and
a page that could not be parsed. Said as findings so that a short column is never mistaken for a
complete one, and a lying pager is not mistaken for a short crawl."""

from __future__ import annotations

from checks.registry import Finding, rule


@rule("crawl.incomplete_column")
def incomplete_column(ctx, params):
    """Fewer items listed than the column's own pager declares."""
    counts = {r["column_url"]: r["n"] for r in ctx.rows(
        "select column_url, count(*) as n from column_items where scan_id = ? group by column_url")}
    for col in ctx.columns:
        if col["url"] in overclaiming_pagers(ctx) or col["url"] in endless_pagers(ctx):
            continue  # the real end was reached, or there is none: crawl.pager_overclaim / crawl.endless_pager say so
        declared = col["declared_records"]
        found = counts.get(col["url"], 0)
        if not declared or found >= declared * params["min_share"]:
            continue
        yield Finding(
            "crawl.incomplete_column", col["url"],
            f"栏目「{col['name']}」声明 {declared} 条信息，仅列出 {found} 条（分页方式 {col['pager']}），检查结果可能不完整",
            f"column {col['name']} declares {declared} records, {found} listed (pager {col['pager']}): results may be incomplete",
            {"column": col["name"], "declared": declared, "found": found, "pager": col["pager"]}, column_url=col["url"],
        )


def overclaiming_pagers(ctx) -> dict:
    return ctx.memo("overclaiming_pagers", lambda: {
        r["column_url"]: r for r in ctx.rows("select * from pagers where scan_id = ? and overclaimed = 1 order by column_url")})


@rule("crawl.pager_overclaim")
def pager_overclaim(ctx, params):
    """The pager claims more pages or records than the column has: the crawl stopped at the real end."""
    names = {c["url"]: c["name"] for c in ctx.columns}
    for url, p in overclaiming_pagers(ctx).items():
        claim = f"{p['claimed_records']} 条" if p["pager"] == "hanweb" and p["claimed_records"] else f"{p['claimed_pages']} 页"
        claim_en = f"{p['claimed_records']} records" if p["pager"] == "hanweb" and p["claimed_records"] else f"{p['claimed_pages']} pages"
        name = names.get(url) or url
        yield Finding(
            "crawl.pager_overclaim", url,
            f"栏目「{name}」分页声明 {claim}，实际只有 {p['listed_items']} 条信息；多余的分页不存在（已停止请求，浪费 {p['wasted']} 次）",
            f"column {name}: the pager claims {claim_en}, {p['listed_items']} items really listed; "
            f"the pages beyond do not exist ({p['wasted']} wasted requests)",
            {"column": name, "pager": p["pager"], "claimed_pages": p["claimed_pages"], "claimed_records": p["claimed_records"],
             "listed_items": p["listed_items"], "pages_requested": p["requested"], "wasted_requests": p["wasted"]},
            column_url=url,
        )


def endless_pagers(ctx) -> dict:
    return ctx.memo("endless_pagers", lambda: {
        r["column_url"]: r for r in ctx.rows("select * from pagers where scan_id = ? and endless = 1 order by column_url")})


@rule("crawl.endless_pager")
def endless_pager(ctx, params):
    """A pager or 下一页 chain that kept giving pages with nothing new (the same items, or the same
    template with other numbers) and showed no end: the crawl cut it (crawler.column_pager)."""
    names = {c["url"]: c["name"] for c in ctx.columns}
    for url, p in endless_pagers(ctx).items():
        name = names.get(url) or url
        claim = f"，分页声明 {p['claimed_pages']} 页" if p["claimed_pages"] else ""
        claim_en = f", the pager claims {p['claimed_pages']} pages" if p["claimed_pages"] else ""
        yield Finding(
            "crawl.endless_pager", url,
            f"栏目「{name}」的分页没有尽头{claim}：连续多页没有新信息（重复已列出的条目，或同一模板只改了编号），"
            f"已在请求 {p['requested']} 页后停止，列出 {p['listed_items']} 条",
            f"column {name}: the pager never ends{claim_en}; page after page listed nothing new (items already "
            f"listed, or the same template with other numbers), cut after {p['requested']} pages, {p['listed_items']} items listed",
            {"column": name, "pager": p["pager"], "claimed_pages": p["claimed_pages"], "pages_requested": p["requested"],
             "listed_items": p["listed_items"]},
            column_url=url,
        )


@rule("crawl.unparsable_page")
def unparsable_page(ctx, params):
    """A page the crawler fetched but could not parse: its links and content were not checked."""
    for r in ctx.rows("select url, error, status from pages where scan_id = ? and error_kind = 'unparsable' order by url"):
        yield Finding(
            "crawl.unparsable_page", r["url"],
            f"页面无法解析（{r['error']}），其中的链接和内容未检查",
            f"the page could not be parsed ({r['error']}): its links and content were not checked",
            {"status": r["status"], "error": r["error"]},
        )


@rule("crawl.script_only_column")
def script_only_column(ctx, params):
    """A column whose list exists only after its scripts run, and that could not be rendered
    (no Chromium, --no-render, or the render failed): not blank, unread."""
    for col in ctx.columns:
        if col["kind"] != "script_only":
            continue
        yield Finding(
            "crawl.script_only_column", col["url"],
            f"栏目「{col['name']}」的列表由脚本加载，本次未能读取（需要浏览器渲染），该栏目未作更新和完整性检查",
            f"column {col['name']} lists its items only by script and could not be rendered: not checked",
            {"column": col["name"], "column_type": col["type"]}, column_url=col["url"],
        )
