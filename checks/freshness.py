"""Freshness: publication within 20 working days (条例第二十六条), stale and blank columns and a
stale home page (检查指标 单项否决)."""

from __future__ import annotations

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


def newest_items(ctx) -> dict[str, tuple[str | None, int]]:
    """column URL → (newest listed date or None, number of items); shared by three rules."""
    return ctx.memo("newest_items", lambda: {
        r["column_url"]: (r["newest"], r["n"])
        for r in ctx.rows("select column_url, max(listed_date) as newest, count(*) as n from column_items where scan_id = ? group by column_url")
    })


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
        shown = latest or "无（条目均未显示日期）"
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
            f"首页最新信息日期 {latest or '无'}，超过 {params['max_days']} 天未更新",
            f"home page newest item {latest or 'none'}: not updated within {params['max_days']} days",
            {"newest": latest, "items": count, "max_days": params["max_days"]},
        )
