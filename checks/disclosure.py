"""The annual disclosure report (政府信息公开工作年度报告, 条例第四十九条)."""

from __future__ import annotations

import re
from datetime import date

from checks.registry import Finding, rule

REPORT_TITLE = re.compile(r"(?:年度报告|年报)")


def _deadline(year: int, month_day: str) -> date:
    month, day = (int(x) for x in month_day.split("-"))
    return date(year, month, day)


def _last_year_report(ctx):
    """(report columns, the previous year's report item or None, its publication date)."""
    return ctx.memo("last_year_report", lambda: _find_last_year_report(ctx))


def _find_last_year_report(ctx):
    year = ctx.as_of.year - 1
    columns = [c for c in ctx.columns if c["type"] == "信息公开年报"]
    for col in columns:
        for item in ctx.rows("select ci.item_url, ci.title, ci.listed_date, d.publish_date from column_items ci "
                             "left join documents d on d.scan_id = ci.scan_id and d.url = ci.item_url "
                             "where ci.scan_id = ? and ci.column_url = ? order by ci.position, ci.page_no, ci.item_url", (col["url"],)):
            if f"{year}年" in (item["title"] or "") and REPORT_TITLE.search(item["title"] or ""):
                published = item["publish_date"] or item["listed_date"]
                return columns, item, published
    return columns, None, None


@rule("disclosure.annual_report_missing", whole_site=True)
def annual_report_missing(ctx, params):
    """No report for the previous year in the 年报 column, once the deadline has passed."""
    year = ctx.as_of.year - 1
    if ctx.as_of <= _deadline(ctx.as_of.year, params["deadline"]):
        return
    columns, item, _ = _last_year_report(ctx)
    if item is None:
        where = columns[0]["url"] if columns else ctx.start_urls[0]
        yield Finding(
            "disclosure.annual_report_missing", where,
            f"未找到{year}年度政府信息公开工作年度报告" + ("" if columns else "（未发现年报栏目）"),
            f"no {year} disclosure annual report found" + ("" if columns else " (no annual report column)"),
            {"year": year, "report_columns": [c["url"] for c in columns]}, key=str(year),
        )


@rule("disclosure.annual_report_late")
def annual_report_late(ctx, params):
    """The previous year's report was published after the deadline."""
    year = ctx.as_of.year - 1
    _, item, published = _last_year_report(ctx)
    deadline = _deadline(year + 1, params["deadline"])
    if item is not None and published and published[:10] > deadline.isoformat():
        yield Finding(
            "disclosure.annual_report_late", item["item_url"],
            f"{year}年度报告发布于 {published[:10]}，晚于 {deadline}", f"the {year} report was published {published[:10]}, after {deadline}",
            {"year": year, "publish_date": published[:10], "deadline": str(deadline), "title": item["title"]}, key=str(year),
        )
