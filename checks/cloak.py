"""Cloaked hijacks (搜索引擎劫持): what a search engine's crawler, or a visitor arriving from a search
results page, is shown that an ordinary visitor is not — gambling text, links to unrelated hosts,
a redirect to another host — from the second look the crawler stored (crawler.cloak, table
``cloak_views``). Ordinary differences between two looks (dates, counters, session ids, the site's
own rotating blocks and services) carry none of the three and are never findings; a view that
could not be fetched is stored with its error and judged nothing."""

from __future__ import annotations

import json
from itertools import groupby
from urllib.parse import urlsplit

from checks import lexicon
from checks.content import SPAM_COLUMNS, SPAM_NAMES, _overlaps_merged, own_organisation
from checks.registry import Finding, rule
from crawler.scope import registered_domain
from storage.schema import table_columns

VIEW_ZH = {
    "ua:baidu": "百度爬虫（Baiduspider）", "ua:sogou": "搜狗爬虫（Sogou web spider）", "ua:360": "360搜索爬虫（360Spider）",
    "referer:baidu": "从百度搜索结果进入的访问者", "referer:sogou": "从搜狗搜索结果进入的访问者", "referer:so": "从360搜索结果进入的访问者",
    "render:baidu": "从百度搜索结果进入的浏览器访问者", "render:sogou": "从搜狗搜索结果进入的浏览器访问者",
    "render:so": "从360搜索结果进入的浏览器访问者", "render:ua:baidu": "百度爬虫（Baiduspider，浏览器渲染）",
}
VIEW_EN = {
    "ua:baidu": "Baiduspider", "ua:sogou": "Sogou web spider", "ua:360": "360Spider",
    "referer:baidu": "a visitor from a Baidu results page", "referer:sogou": "a visitor from a Sogou results page",
    "referer:so": "a visitor from a 360 Search results page", "render:baidu": "a browser coming from a Baidu results page",
    "render:sogou": "a browser coming from a Sogou results page", "render:so": "a browser coming from a 360 Search results page",
    "render:ua:baidu": "Baiduspider rendering the page",
}
EXCERPT = 60


def unrelated(host: str, own: set[str]) -> bool:
    """A host that is not the portal's organisation: not under its registered domains (m.example.gov.cn
    beside www.example.gov.cn) and not a government host (.gov.cn names are issued to government bodies
    only: a county portal sending visitors to its city's portal is not a hijack)."""
    host = host.lower().rstrip(".")
    return bool(host) and registered_domain(host) not in own and host != "gov.cn" and not host.endswith(".gov.cn")


def looked_again(conn, scan_id: int, as_of, params) -> bool:
    """The second look ran for this scan (not with --no-cloak-check, nor on a scan crawled before it
    existed): without it the rule is reported as not checked, never as passed."""
    return bool(table_columns(conn, "cloak_views")) and conn.execute(
        "select 1 from cloak_views where scan_id = ? limit 1", (scan_id,)).fetchone() is not None


@rule("content.cloaked_hijack", judge_if=looked_again)
def cloaked_hijack(ctx, params):
    """A page that shows a search engine's crawler (or a visitor arriving from a search results page)
    spam-lexicon text, links to unrelated hosts, or a redirect to an unrelated host, none of which
    its normal view has: one finding per page, with every view concerned."""
    if not ctx.table_columns("cloak_views"):
        return
    entries = lexicon.load("spam.tsv", SPAM_COLUMNS, params["extra_files"], params["silence"])
    auto = lexicon.automaton([e.term for e in entries], fold_case=True)
    crackdown = lexicon.automaton(params["crackdown_words"])
    window = params["context_chars"]
    own = own_organisation(ctx) | {registered_domain(urlsplit(u).hostname or "") for u in ctx.start_urls}
    rows = ctx.rows("select * from cloak_views where scan_id = ? order by url, view")
    for url, group in groupby(rows, key=lambda r: r["url"]):
        group = list(group)
        normals = {r["view"]: r for r in group if r["compared_with"] is None}
        seen = []
        for row in group:
            base = normals.get(row["compared_with"] or "")
            if row["compared_with"] is None or row["error"] or base is None or base["error"]:
                continue
            problems = _problems(row, base, own, auto, entries, crackdown, window, params)
            if problems:
                seen.append({"view": row["view"], "seen_as": f"{VIEW_ZH.get(row['view'], row['view'])} / {VIEW_EN.get(row['view'], row['view'])}",
                             "compared_with": row["compared_with"], "status": row["status"], **problems})
        if seen:
            yield _finding(url, seen, ctx)


def _problems(row, base, own, auto, entries, crackdown, window, params) -> dict:
    found: dict = {}
    target = row["redirect_to"]
    if target:
        host = (urlsplit(target).hostname or "").lower()
        normal_host = (urlsplit(base["redirect_to"] or "").hostname or "").lower()
        if unrelated(host, own) and host != normal_host:
            found["redirect_to"] = target
            found["normal_redirect_to"] = base["redirect_to"]
            found["normal_final_url"] = base["final_url"]
    added = row["added_text"] or ""
    normal_text = (base["page_text"] or "").lower()
    terms: list[str] = []
    contexts: list[str] = []
    category = ""
    folded = added.lower()
    for start, end, index in _overlaps_merged(lexicon.hits(auto, folded), entries):  # 皇冠hg体育赌场: one spam text
        term = entries[index].term
        if term.lower() in normal_text or term in terms:
            continue  # the normal view has it too: content.spam_text's business, not a cloak
        if any(True for _ in lexicon.hits(crackdown, folded[max(0, start - window):end + window])):
            continue
        terms.append(term)
        category = category or entries[index].fields.get("category", "")
        context = lexicon.context(added, start, end, window)
        if context not in contexts:
            contexts.append(context)
    if terms:
        # (the kind in words, both languages: it sits inside a view's evidence)
        found.update(spam_terms=terms[:20], spam_category=f"{SPAM_NAMES.get(category, '违规')} {category or 'spam'}",
                     contexts=contexts[:5])
    links = [{"url": link["url"], "anchor": link["anchor"], **({"frame": True} if link.get("frame") else {})}
             for link in json.loads(row["added_links"] or "[]")
             if link.get("new_host") and unrelated(urlsplit(link["url"]).hostname or "", own)]
    spam_anchor = any(next(lexicon.hits(auto, (link.get("anchor") or "").lower()), None) for link in links)
    framed = any(link.get("frame") for link in links)  # a frame of another host laid over the page
    if links and (len(links) >= params["min_foreign_links"] or spam_anchor or framed or terms):
        found["added_links"] = links[:30]
        found["added_link_count"] = len(links)
    if found:
        found["added_excerpt"] = _excerpt(added)
        found["normal_excerpt"] = _excerpt(row["removed_text"] or "")
    return found


def _excerpt(text: str, chars: int = 300) -> str:
    text = " | ".join(line for line in text.splitlines() if line.strip())
    return text if len(text) <= chars else text[:chars] + "…"


def _finding(url: str, seen: list[dict], ctx) -> Finding:
    first = seen[0]
    views_zh = "、".join(dict.fromkeys(VIEW_ZH.get(v["view"], v["view"]) for v in seen))
    views_en = ", ".join(dict.fromkeys(VIEW_EN.get(v["view"], v["view"]) for v in seen))
    what_zh, what_en = [], []
    redirect = next((v["redirect_to"] for v in seen if v.get("redirect_to")), None)
    if redirect:
        what_zh.append(f"被跳转到站外网站 {redirect}")
        what_en.append(f"sent to another host, {redirect}")
    terms = list(dict.fromkeys(t for v in seen for t in v.get("spam_terms", [])))
    if terms:
        kind_zh, kind_en = next(v["spam_category"] for v in seen if v.get("spam_terms")).split(" ", 1)
        what_zh.append(f"看到普通访问者看不到的{kind_zh}词语「{'」「'.join(terms[:5])}」")
        what_en.append(f"shown {kind_en} terms ordinary visitors do not see: {', '.join(terms[:5])}")
    frame = next((link["url"] for v in seen for link in v.get("added_links", []) if link.get("frame")), None)
    if frame:
        what_zh.append(f"看到嵌入的站外网页 {frame}")
        what_en.append(f"shown a frame of another host, {frame}")
    links = max((v.get("added_link_count", 0) for v in seen), default=0)
    if links:
        what_zh.append(f"看到 {links} 个指向无关网站的额外链接")
        what_en.append(f"shown {links} extra link(s) to unrelated hosts")
    return Finding(
        "content.cloaked_hijack", url,
        f"疑似搜索引擎劫持：{views_zh}{'，'.join(what_zh)}（普通访问者看到的是正常页面）",
        f"possible cloaked hijack: {views_en} {'; '.join(what_en)} (ordinary visitors see the normal page)",
        {"views": seen, "first_view": first["view"], "on_home": url in ctx.home_urls},
        key=url,
    )
