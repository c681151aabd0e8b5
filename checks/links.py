"""Broken and blocked links. The crawler fetched or probed every link target once; this check
only reads those stored responses (one fetcher for all network traffic)."""

from __future__ import annotations

import json

from checks.registry import Finding, rule

ERROR_ZH = {
    "dns": "域名无法解析", "refused": "连接被拒绝", "timeout": "超时", "reset": "连接被重置", "tls": "证书或加密连接错误",
    "redirect": "重定向次数过多", "redirect_loop": "重定向循环", "connect": "无法连接", "too_large": "响应过大",
}
SOFT_404_ZH = {"title": "页面显示“页面不存在”", "text": "页面显示“页面不存在”", "redirect_home": "被重定向到首页"}
SOFT_404_EN = {"title": "the page says it does not exist", "text": "the page says it does not exist",
               "redirect_home": "redirected to the home page"}


MAX_SOURCES = 100  # a broken link in a site-wide template is linked from every page


def _sources(links: list[tuple]) -> list[dict]:
    return [{"url": source, "anchor": anchor, "position": position, "hidden": bool(hidden), "tag": tag}
            for source, anchor, position, hidden, tag in links[:MAX_SOURCES]]


def _linked_targets(ctx, slow_ms: int | None = None):
    return ctx.rows(
        "select p.url, p.status, p.error_kind, p.error, p.redirects, p.elapsed_ms from pages p where p.scan_id = ? "
        "and (p.status >= 400 or p.error_kind is not null or p.elapsed_ms > ?) "
        "and exists (select 1 from links l where l.scan_id = p.scan_id and l.target_url = p.url) order by p.url, p.request_body",
        (slow_ms if slow_ms is not None else 2**62,),
    )


def _reason(page, params: dict, blocked: set) -> tuple[str, str] | None:
    """(中文, English) why a stored answer means a reader cannot use the link, or None."""
    status, error = page["status"], page["error_kind"]
    if error == "soft_404":
        return f"软404：{SOFT_404_ZH.get(page['error'], '错误页面')}", f"soft 404: {SOFT_404_EN.get(page['error'], 'an error page')}"
    if status is not None and status >= 400:
        return None if status in blocked else (f"HTTP {status}", f"HTTP {status}")
    if status is None:
        return (ERROR_ZH.get(error, error), error) if error in params["broken_errors"] else None
    if page["elapsed_ms"] is not None and page["elapsed_ms"] > params["slow_ms"]:
        seconds = page["elapsed_ms"] / 1000
        return f"响应过慢（{seconds:.1f} 秒）", f"slow ({seconds:.1f} s)"
    return None


@rule("links.broken")
def broken(ctx, params):
    """Every link target whose final answer is 4xx/5xx or a network failure, with its linking pages."""
    blocked = set(ctx.rule_params("links.blocked").get("statuses", []))
    for page in _linked_targets(ctx, params["slow_ms"]):
        status, error = page["status"], page["error_kind"]
        reason = _reason(page, params, blocked)
        if reason is None:
            continue  # robots.txt exclusions, blocked answers and the like: not broken
        reason_zh, reason_en = reason
        links = ctx.links_to(page["url"])
        sources = _sources(links)
        count = len({source for source, *_ in links})
        on_home = bool(ctx.home_urls) and bool(ctx.rows(
            f"select 1 from links where scan_id = ? and target_url = ? and source_url in ({','.join('?' * len(ctx.home_urls))}) limit 1",
            (page["url"], *sorted(ctx.home_urls))))
        yield Finding(
            "links.broken", page["url"],
            f"链接不可用（{reason_zh}），{count} 个页面链接到此" + ("，含首页" if on_home else ""),
            f"broken link ({reason_en}), linked from {count} page(s)" + (" including the home page" if on_home else ""),
            {"status": status, "error": "slow" if reason_en.startswith("slow") else error, "detail": page["error"],
             "elapsed_ms": page["elapsed_ms"], "redirects": json.loads(page["redirects"]) if page["redirects"] else None,
             "linked_from": sources, "linked_from_count": count, "on_home": on_home,
             "weight": params["home_weight"] if on_home else None},
        )


@rule("links.blocked")
def blocked(ctx, params):
    """403/429: bot protection or rate limiting, not proof of a dead link."""
    for page in _linked_targets(ctx):
        if page["status"] in params["statuses"]:
            sources = _sources(ctx.links_to(page["url"]))
            yield Finding(
                "links.blocked", page["url"],
                f"目标返回 HTTP {page['status']}（可能为访问限制），请人工复核", f"answered HTTP {page['status']} (blocked?), check by hand",
                {"status": page["status"], "linked_from": sources},
            )


@rule("links.malformed")
def malformed(ctx, params):
    """An href no browser can follow (a bad port, a broken IPv6 literal …), one finding per page and href."""
    # by the partial index on malformed links (storage.sqlite); distinct and sorted here (see hidden_link)
    rows = {tuple(r) for r in ctx.stream("select source_url, target_url, anchor from links where scan_id = ? and malformed = 1")}
    for source, target, anchor in sorted(rows, key=lambda r: (r[0], r[1], r[2] is not None, r[2] or "")):
        yield Finding(
            "links.malformed", source,
            f"页面含无法访问的错误链接地址：{target}", f"malformed link address on the page: {target}",
            {"href": target, "anchor": anchor}, key=target,
        )
