"""Coverage of the crawl itself: a column whose pager declares more records than the crawl
could list (a pagination style zwgk cannot follow, a server that stopped answering, --max-pages),
and a pager that claims pages that do not exist. Said as findings so that a short column is
never mistaken for a complete one, and a lying pager is not mistaken for a short crawl."""

from __future__ import annotations

from checks.registry import Finding, rule


@rule("crawl.incomplete_column")
def incomplete_column(ctx, params):
    """Fewer items listed than the column's own pager declares."""
    counts = {r["column_url"]: r["n"] for r in ctx.rows(
        "select column_url, count(*) as n from column_items where scan_id = ? group by column_url")}
    for col in ctx.columns:
        if col["url"] in overclaiming_pagers(ctx):
            continue  # the real end was reached: crawl.pager_overclaim says the claim was false
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
