"""站点无法访问 measured over a week (指标2019 单项否决): ≥ 20 timed visits a day to the home page,
a visit failing when the page has not opened within 15 s, the site vetoed at ≥ 5 % failed visits.
The visits are those ``zwgk monitor`` stored (table ``visits``): they belong to a site, not to a
scan, so a scan's check finds them by the site's host[:port] and the check date — the whole Beijing
days before it (``window_days``, default 7; storage.visits.week).

How a week is judged:
- no visit in the window: the site was not monitored; nothing is reported here and the scorecard
  says that the week was not measured (the audit's one home-page request is only a sample);
- failures ≥ ``share`` × max(visits, the visits required): 站点无法访问 — also before the week is
  complete, since even if every missing visit had succeeded the share would reach the threshold;
- otherwise, when a day of the window has fewer than ``visits_per_day`` visits, the measurement is
  incomplete and the rule is not judged (the engine records it as skipped: the verdict says 不完整,
  never 合格) — a week with gaps cannot show that a site was reachable;
- otherwise not vetoed; ``availability.slow`` warns of failures below the threshold, of slow visits
  and of visits failing over the other IP family.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from checks.registry import Finding, rule
from crawler.scope import netloc


def sites_of(start_urls: list[str], site: str | None) -> set[str]:
    out = {netloc(u).lower() for u in start_urls} | {urlsplit(u).netloc.lower() for u in start_urls}
    return out | ({site.lower()} if site else set())


def _week(conn, start_urls: list[str], site: str | None, as_of: date, params: dict) -> dict:
    from storage.visits import week

    return week(conn, sites_of(start_urls, site), as_of, int(params.get("window_days", 7)))


def _required(params: dict) -> int:
    return int(params.get("window_days", 7)) * int(params.get("visits_per_day", 20))


def vetoed(w: dict, params: dict) -> bool:
    return w["visits"] > 0 and w["failures"] >= float(params.get("share", 0.05)) * max(w["visits"], _required(params))


def incomplete_days(w: dict, params: dict) -> list[str]:
    """The days of the window with fewer visits than the 指标 asks for."""
    first, last = (date.fromisoformat(d) for d in w["window"])
    per_day = int(params.get("visits_per_day", 20))
    days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    return [d for d in days if w["days"].get(d, {}).get("visits", 0) < per_day]


def week_of(conn, scan_id: int, as_of: date, params: dict) -> dict:
    """The week of visits a scan's check judges (storage.visits.week), by the scan's site."""
    import json

    scan = conn.execute("select site, start_urls from scans where id = ?", (scan_id,)).fetchone()
    return _week(conn, json.loads(scan["start_urls"]), scan["site"], as_of, params)


def judgeable(conn, scan_id: int, as_of: date, params: dict) -> bool:
    """False when the site was monitored but the week is incomplete and not already vetoed: the
    rule is then skipped (not checked), never passed."""
    w = week_of(conn, scan_id, as_of, params)
    return w["visits"] == 0 or vetoed(w, params) or not incomplete_days(w, params)


def _pct(share) -> str:
    return f"{share * 100:.1f}%" if share is not None else "—"


@rule("availability.unreachable", judge_if=judgeable)
def unreachable(ctx, params):
    w = _week(ctx.conn, ctx.start_urls, ctx.scan["site"], ctx.as_of, params)
    if not vetoed(w, params):
        return
    worst = w["worst_day"]
    short = incomplete_days(w, params)
    family = f"IPv{w['family']}"
    yield Finding(
        "availability.unreachable", ctx.start_urls[0],
        f"{w['window'][0]} 至 {w['window'][1]} 监测 {w['visits']} 次（{family}），首页未能在时限内打开 {w['failures']} 次"
        f"（{_pct(w['share'])}），达到 {float(params.get('share', 0.05)) * 100:g}% 即单项否决“站点无法访问”；"
        f"失败最多的一天 {worst['day']}：{worst['failures']}/{worst['visits']} 次"
        + (f"（其中 {len(short)} 天访问不足 {params.get('visits_per_day', 20)} 次，补足也不会低于门槛）" if short else ""),
        f"{w['window'][0]} to {w['window'][1]}: the home page failed to open in {w['failures']} of {w['visits']} visits "
        f"({family}, {_pct(w['share'])}); the single veto 站点无法访问 applies at {float(params.get('share', 0.05)) * 100:g}%; "
        f"worst day {worst['day']}: {worst['failures']} of {worst['visits']}",
        {"visits": w["visits"], "failures": w["failures"], "share": w["share"], "family": w["family"],
         "window": w["window"], "worst_day": worst, "days": w["days"], "examples": w["examples"],
         "incomplete_days": short},
    )


@rule("availability.slow")
def slow(ctx, params):
    """Below the veto: failed visits, slow visits, or visits failing over the other IP family."""
    veto = ctx.rule_params("availability.unreachable") if "availability.unreachable" in ctx.rules else {}
    veto = {**veto, **{k: v for k, v in params.items() if k in ("window_days",)}}
    w = _week(ctx.conn, ctx.start_urls, ctx.scan["site"], ctx.as_of, veto)
    if not w["visits"] or vetoed(w, veto):
        return
    slow_ms = int(params.get("slow_ms", 5000))
    from storage.visits import rows_between, window, beijing_text

    start, end = window(ctx.as_of, int(veto.get("window_days", 7)))
    slow_rows = [r for r in rows_between(ctx.conn, sites_of(ctx.start_urls, ctx.scan["site"]), start, end)
                 if r["ok"] and (r["total_ms"] or 0) > slow_ms]
    other = w["other_family"] or {}
    if not w["failures"] and not slow_rows and not other.get("failures"):
        return
    parts_zh, parts_en = [], []
    if w["failures"]:
        parts_zh.append(f"首页未能打开 {w['failures']}/{w['visits']} 次（{_pct(w['share'])}，未达否决门槛）")
        parts_en.append(f"{w['failures']} of {w['visits']} visits failed ({_pct(w['share'])}, below the veto)")
    if slow_rows:
        parts_zh.append(f"{len(slow_rows)} 次打开超过 {slow_ms / 1000:g} 秒")
        parts_en.append(f"{len(slow_rows)} visits took over {slow_ms / 1000:g} s")
    if other.get("failures"):
        parts_zh.append(f"IPv{other['family']} 访问失败 {other['failures']}/{other['visits']} 次")
        parts_en.append(f"{other['failures']} of {other['visits']} IPv{other['family']} visits failed")
    yield Finding(
        "availability.slow", ctx.start_urls[0],
        f"{w['window'][0]} 至 {w['window'][1]} 监测 {w['visits']} 次：" + "；".join(parts_zh),
        f"{w['window'][0]} to {w['window'][1]}, {w['visits']} visits: " + "; ".join(parts_en),
        {"visits": w["visits"], "failures": w["failures"], "share": w["share"], "window": w["window"],
         "worst_day": w["worst_day"], "examples": w["examples"], "other_family": w["other_family"],
         "slow": [{"at": beijing_text(r["at"]), "total_ms": r["total_ms"], "family": r["family"]} for r in slow_rows[:10]],
         "slow_count": len(slow_rows)},
    )
