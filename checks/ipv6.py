"""IPv6 support (《深入推进IPv6规模部署和应用》 work plans) and name resolution, from what the
IPv6 measurement stored after the crawl."""

from __future__ import annotations

import json

from checks.registry import Finding, rule
from storage.schema import table_columns

LEVEL_ZH = {2: "二级内链", 3: "三级内链"}


def measured(conn, scan_id: int, as_of, params) -> bool:
    """The IPv6 and DNS step ran for this scan (not with --no-ipv6, nor for a site that could not be
    opened): without it these rules are not run (the helpers below read its tables) and are reported
    as not checked, never as passed."""
    return bool(table_columns(conn, "ipv6_summary")) and conn.execute(
        "select 1 from ipv6_summary where scan_id = ? limit 1", (scan_id,)).fetchone() is not None


def _hosts(ctx):
    return ctx.memo("ipv6_hosts", lambda: ctx.rows("select * from dns_records where scan_id = ? order by level, host"))


def _probes(ctx, host: str) -> dict[int, dict]:
    """IP family → the host-level probe; read once for all the rules that compare them."""
    def load():
        out: dict[str, dict[int, dict]] = {}
        for r in ctx.rows("select * from ipv6_probes where scan_id = ? and purpose = 'host' order by host, family, url"):
            out.setdefault(r["host"], {})[r["family"]] = dict(r)
        return out
    return ctx.memo("ipv6_probes", load).get(host, {})


def _summary(ctx) -> dict | None:
    row = ctx.rows("select summary from ipv6_summary where scan_id = ?")
    return json.loads(row[0]["summary"]) if row else None


@rule("dns.failure", judge_if=measured)
def dns_failure(ctx, params):
    """A host the portal uses or links to does not resolve at all."""
    for r in _hosts(ctx):
        if r["error"]:
            yield Finding(
                "dns.failure", f"http://{r['host']}/",
                f"域名 {r['host']} 无法解析（{r['error']}）", f"{r['host']} does not resolve ({r['error']})",
                {"host": r["host"], "error": r["error"], "level": r["level"]}, key=r["host"],
            )


@rule("ipv6.no_aaaa", judge_if=measured)
def no_aaaa(ctx, params):
    """The portal host (error) or a linked host (warning) has no AAAA record."""
    for r in _hosts(ctx):
        if r["error"] or json.loads(r["aaaa"]) or r["source"] == "literal":
            continue
        portal = r["level"] == 0
        yield Finding(
            "ipv6.no_aaaa", f"http://{r['host']}/",
            f"{'门户网站' if portal else '链接的'}域名 {r['host']} 没有 AAAA（IPv6）记录",
            f"{'portal' if portal else 'linked'} host {r['host']} has no AAAA record",
            {"host": r["host"], "a": json.loads(r["a"]), "portal": portal}, key=r["host"],
            severity=None if portal else "warning",
        )


@rule("ipv6.unreachable", judge_if=measured)
def unreachable(ctx, params):
    """AAAA present, but the page does not load over IPv6 while it loads over IPv4."""
    for r in _hosts(ctx):
        probes = _probes(ctx, r["host"])
        v4, v6 = probes.get(4), probes.get(6)
        if not v6 or not v4 or v4["status"] is None or v4["status"] >= 400 or v6["error"] == "no_route":
            continue
        if v6["status"] == v4["status"]:
            continue
        what = v6["error"] or f"HTTP {v6['status']}"
        yield Finding(
            "ipv6.unreachable", v6["url"],
            f"{r['host']} 有 AAAA 记录，但通过 IPv6 访问失败（{what}），IPv4 正常（HTTP {v4['status']}）",
            f"{r['host']} has AAAA but fails over IPv6 ({what}) while IPv4 answers HTTP {v4['status']}",
            {"host": r["host"], "ipv6_address": v6["address"], "ipv6_status": v6["status"], "ipv6_error": v6["error"],
             "ipv4_status": v4["status"], "level": r["level"]}, key=r["host"],
            severity=None if r["level"] == 0 else "warning",
        )


@rule("ipv6.content_mismatch", judge_if=measured)
def content_mismatch(ctx, params):
    """The page loads over both protocols but shows different content."""
    for r in _hosts(ctx):
        probes = _probes(ctx, r["host"])
        v4, v6 = probes.get(4), probes.get(6)
        if not v4 or not v6 or v4["status"] != 200 or v6["status"] != 200:
            continue
        if v4["title"] == v6["title"] and v4["text_hash"] == v6["text_hash"]:
            continue
        yield Finding(
            "ipv6.content_mismatch", v6["url"],
            f"{r['host']} 的 IPv4 与 IPv6 页面内容不一致", f"{r['host']} serves different content over IPv4 and IPv6",
            {"host": r["host"], "ipv4_title": v4["title"], "ipv6_title": v6["title"],
             "ipv4_hash": v4["text_hash"], "ipv6_hash": v6["text_hash"]}, key=r["host"],
        )


@rule("ipv6.link_rate", judge_if=measured)
def link_rate(ctx, params):
    """二级/三级内链 IPv6 support rates below their thresholds."""
    summary = _summary(ctx)
    if not summary:
        return
    for level in (2, 3):
        rate = summary.get(f"level{level}_rate")
        threshold = params[f"level{level}_threshold"]
        if rate is None or rate >= threshold:
            continue
        counts = summary[f"level{level}"]
        failing = [u for u in summary["failing_links"] if u in set(_level_urls(ctx, level))]
        yield Finding(
            "ipv6.link_rate", ctx.start_urls[0],
            f"{LEVEL_ZH[level]} IPv6 支持率 {rate:.1%}（{counts['ok']}/{counts['total']}），低于 {threshold:.0%}",
            f"level-{level} link IPv6 support {rate:.1%} ({counts['ok']}/{counts['total']}), below {threshold:.0%}",
            {"level": level, "rate": rate, "threshold": threshold, **counts, "failing_links": failing}, key=str(level),
        )


def _level_urls(ctx, level: int) -> list[str]:
    return [r["url"] for r in ctx.rows("select distinct url from ipv6_probes where scan_id = ? and purpose = ?", (f"link{level}",))]


@rule("ipv6.dns_chain", judge_if=measured)
def dns_chain(ctx, params):
    """Authoritative name servers of the portal's zone without IPv6 addresses (the full chain)."""
    for r in _hosts(ctx):
        if r["level"] != 0 and not params["linked_hosts"]:
            continue
        servers = json.loads(r["ns"] or "[]")
        without = [s["name"] for s in servers if not s["aaaa"]]
        if without:
            yield Finding(
                "ipv6.dns_chain", f"http://{r['host']}/",
                f"{r['zone']} 的权威域名服务器没有 IPv6 地址：{'、'.join(without)}",
                f"authoritative name servers of {r['zone']} without IPv6: {', '.join(without)}",
                {"host": r["host"], "zone": r["zone"], "name_servers": servers, "without_ipv6": without}, key=r["zone"] or r["host"],
            )


@rule("ipv6.not_measured", judge_if=measured)
def not_measured(ctx, params):
    """This machine has no IPv6 route: what could not be measured, said as such."""
    summary = _summary(ctx)
    hosts = [r["host"] for r in _hosts(ctx) if (_probes(ctx, r["host"]).get(6) or {}).get("error") == "no_route"]
    links = summary.get("not_measured", []) if summary else []
    if hosts or links:
        yield Finding(
            "ipv6.not_measured", ctx.start_urls[0],
            f"本机没有 IPv6 网络路由，{len(hosts)} 个域名、{len(links)} 个链接的 IPv6 访问未能测量（不是网站的问题）",
            f"this machine has no IPv6 route: IPv6 of {len(hosts)} host(s) and {len(links)} link(s) not measured (not the site's fault)",
            {"hosts": hosts, "links": links[:50]},
        )
