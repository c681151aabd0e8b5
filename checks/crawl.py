"""Coverage of the crawl itself: a column whose pager declares more records than the crawl
could list (a pagination style zwgk cannot follow, a server that stopped answering, --max-pages).
Said as a finding so that a short column is never mistaken for a complete one."""

from __future__ import annotations

from checks.registry import Finding, rule


@rule("crawl.incomplete_column")
def incomplete_column(ctx, params):
    """Fewer items listed than the column's own pager declares."""
    counts = {r["column_url"]: r["n"] for r in ctx.rows(
        "select column_url, count(*) n from column_items where scan_id = ? group by column_url")}
    for col in ctx.columns:
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
