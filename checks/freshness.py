"""Freshness: publication within 20 working days (条例第二十六条), stale and blank columns and a
stale home page (检查指标 单项否决)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from checks.registry import Finding, rule
from checks.workdays import UnknownYear


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):  # 31 August − 6 months → 28/29 February
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def limit_start(as_of: date, limit: dict) -> date:
    """The oldest date still fresh under a limit like {days: 14}, {months: 6} or {years: 1}."""
    if "days" in limit:
        return as_of - timedelta(days=int(limit["days"]))
    if "months" in limit:
        return months_before(as_of, int(limit["months"]))
    return months_before(as_of, 12 * int(limit.get("years", 1)))


def describe(limit: dict) -> tuple[str, str]:
    for unit, zh in (("days", "天"), ("months", "个月"), ("years", "年")):
        if unit in limit:
            return f"{limit[unit]}{zh}", f"{limit[unit]} {unit}"
    return "1年", "1 years"


@rule("freshness.publication_delay", "calendar.unknown_year")
def publication_delay(ctx, params):
    """发布日期 − 成文日期 in working days, by the official calendar."""
    limit = params["max_working_days"]
    for url, written, published in ctx.disclosure_dates():
        start, end = date.fromisoformat(written[:10]), date.fromisoformat(published[:10])
        if end <= start:
            continue
        try:
            days = ctx.calendar.working_days_between(start, end)
        except UnknownYear as exc:
            yield Finding(
                "calendar.unknown_year", url,
                f"节假日日历缺少{exc.year}年，无法计算成文日期 {start} 至发布日期 {end} 的工作日",
                f"the holiday calendar has no {exc.year}: cannot count working days from {start} to {end}",
                {"year": exc.year, "written_date": str(start), "publish_date": str(end)}, key=str(exc.year),
            )
            continue
        if days > limit:
            yield Finding(
                "freshness.publication_delay", url,
                f"成文日期 {start}，发布日期 {end}，相隔 {days} 个工作日，超过 {limit} 个工作日",
                f"made {start}, published {end}: {days} working days, more than {limit}",
                {"written_date": str(start), "publish_date": str(end), "working_days": days, "limit": limit},
            )


_MONTH_DAY = re.compile(r"(\d{1,2})\D+(\d{1,2})")


def year_for(month_day: str, as_of: date) -> str | None:
    """A list date written without its year (「03-12」, 「3月5日」): the last such day on or before the
    check date, as a reader of the page takes it (None when it is no day at all)."""
    m = _MONTH_DAY.search(month_day)
    if not m:
        return None
    for year in (as_of.year, as_of.year - 1):
        try:
            day = date(year, int(m[1]), int(m[2]))
        except ValueError:  # 02-29 in a common year
            continue
        if day <= as_of:
            return day.isoformat()
    return None


def _inferred(ctx, column_url: str) -> tuple[str, str]:
    """Words for a newest date whose year the list did not show."""
    if column_url in ctx.memo("year_inferred", set):
        return "（列表日期未写年份，按检查日期推定）", " (the list shows no year; inferred from the check date)"
    return "", ""


def newest_items(ctx) -> dict[str, tuple[str | None, int]]:
    """column URL → (newest listed date or None, number of items); shared by three rules. Items
    whose list shows a date without its year count with the year a reader gives it (year_for):
    such columns are in ``ctx.memo("year_inferred")``."""
    return ctx.memo("newest_items", lambda: _newest_items(ctx))


def _newest_items(ctx) -> dict[str, tuple[str | None, int]]:
    newest = {r["column_url"]: (r["newest"], r["n"]) for r in ctx.rows(
        "select column_url, max(listed_date) as newest, count(*) as n from column_items where scan_id = ? group by column_url")}
    inferred = ctx.memo("year_inferred", set)
    for r in ctx.rows("select column_url, date_text from column_items where scan_id = ? and listed_date is null "
                      "and date_text is not null and date_text != ''"):
        day = year_for(r["date_text"], ctx.as_of)
        latest, count = newest[r["column_url"]]
        if day is not None and (latest is None or day > latest):
            newest[r["column_url"]] = (day, count)
            inferred.add(r["column_url"])
    return newest


@rule("freshness.stale_column")
def stale_column(ctx, params):
    """A column's newest dated item is older than its type's limit; undated items do not count."""
    newest = newest_items(ctx)
    for col in ctx.columns:
        if col["kind"] != "column" or col["type"] in params["skip_types"]:
            continue
        latest, count = newest.get(col["url"], (None, 0))
        if count == 0:
            continue  # blank: freshness.blank_column
        limit = params["limits"].get(col["type"], params["limits"]["default"])
        since = limit_start(ctx.as_of, limit)
        if latest is not None and latest >= since.isoformat():
            continue
        zh, en = describe(limit)
        shown = (latest + _inferred(ctx, col["url"])[0]) if latest else "无（条目均未显示日期）"
        yield Finding(
            "freshness.stale_column", col["url"],
            f"栏目「{col['name']}」（{col['type']}）最新信息日期 {shown}，超过{zh}未更新",
            f"column {col['name']} ({col['type']}): newest item {latest or 'undated'}, not updated within {en}",
            {"column": col["name"], "column_type": col["type"], "newest": latest, "limit": limit,
             "days_since": (ctx.as_of - date.fromisoformat(latest)).days if latest else None, "items": count},
            column_url=col["url"],
        )


@rule("freshness.blank_column", whole_site=True)
def blank_column(ctx, params):
    """A column that exists and lists nothing (single-page columns such as the guide excepted)."""
    newest = newest_items(ctx)
    for col in ctx.columns:
        if col["kind"] != "column":  # the home page, a section index, the catalogue, a script-only list
            continue
        if newest.get(col["url"], (None, 0))[1]:
            continue
        if col["type"] in params["single_page_types"] and not col["empty_notice"]:
            continue
        yield Finding(
            "freshness.blank_column", col["url"],
            f"栏目「{col['name']}」为空白栏目", f"column {col['name']} is blank",
            {"column": col["name"], "column_type": col["type"], "empty_notice": bool(col["empty_notice"])},
            column_url=col["url"],
        )


@rule("freshness.stale_home", whole_site=True)
def stale_home(ctx, params):
    """The home page's newest item is older than max_days."""
    newest = newest_items(ctx)
    for col in ctx.columns:
        if col["kind"] != "home":
            continue
        latest, count = newest.get(col["url"], (None, 0))
        since = ctx.as_of - timedelta(days=params["max_days"])
        if latest is not None and latest >= since.isoformat():
            continue
        yield Finding(
            "freshness.stale_home", col["url"],
            f"首页最新信息日期 {latest or '无'}{_inferred(ctx, col['url'])[0]}，超过 {params['max_days']} 天未更新",
            f"home page newest item {latest or 'none'}{_inferred(ctx, col['url'])[1]}: not updated within {params['max_days']} days",
            {"newest": latest, "items": count, "max_days": params["max_days"]},
        )
