"""Policy documents and their interpretations (政策解读 三同步: published together, linking to
each other). Pairs are found by explicit links first, then by title, and the method is kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from checks.registry import Finding, rule
from checks.workdays import UnknownYear

QUOTED = re.compile(r"《([^》]+)》")
INTERPRETATION_WORDS = re.compile(r"^(?:关于|解读[:：]?)|(?:的)?(?:政策)?(?:解读|问答|答记者问|图解)$")


@dataclass
class Pair:
    policy: str
    interpretation: str
    method: str  # link | title
    policy_links: bool  # the policy page links to the interpretation
    interpretation_links: bool


def _is_policy(ctx, url: str, doc, params) -> bool:
    # 规范性文件 carry 规 in their number (X府规〔2026〕9号, X规〔2026〕1号) whatever the column or title
    if doc["doc_no"] and any(re.search(p, doc["doc_no"]) for p in params.get("policy_doc_no_patterns", ())):
        return True
    for col in ctx.document_columns.get(url, []):
        if any(name in (col["name"] or "") for name in params["policy_column_names"]):
            return True
        if col["type"] in params["policy_column_types"] and any(p in (doc["title"] or "") for p in params["policy_title_patterns"]):
            return True
    return False


def _title_core(title: str) -> str:
    quoted = QUOTED.search(title)
    return quoted[1] if quoted else INTERPRETATION_WORDS.sub("", title).strip()


def pairs(ctx) -> tuple[list[str], list[Pair]]:
    """(policy URLs, policy ↔ interpretation pairs); computed once per run."""
    return ctx.memo("linkage", lambda: _find_pairs(ctx))


def _find_pairs(ctx) -> tuple[list[str], list[Pair]]:
    params = ctx.rule_params("linkage.missing_interpretation")
    policies = [u for u, d in ctx.documents.items() if d["kind"] == "document" and _is_policy(ctx, u, d, params)]
    interpretations = [u for u, d in ctx.documents.items() if d["kind"] == "interpretation"]
    policy_set, interp_set = set(policies), set(interpretations)
    links = {(r["source_url"], r["target_url"]) for r in ctx.rows(
        "select source_url, target_url from links where scan_id = ? and tag = 'a'")
        if (r["source_url"] in policy_set and r["target_url"] in interp_set) or (r["source_url"] in interp_set and r["target_url"] in policy_set)}
    found: dict[str, Pair] = {}
    for source, target in sorted(links):
        policy, interp = (source, target) if source in policy_set else (target, source)
        found.setdefault(policy, Pair(policy, interp, "link", (policy, interp) in links, (interp, policy) in links))
    paired_interps = {p.interpretation for p in found.values()}
    for interp in interpretations:
        if interp in paired_interps:
            continue
        core = _title_core(ctx.documents[interp]["title"] or "")
        if len(core) < 4:
            continue
        for policy in policies:
            if policy not in found and core in (ctx.documents[policy]["title"] or ""):
                found[policy] = Pair(policy, interp, "title", False, False)
                break
    return policies, list(found.values())


@rule("linkage.missing_interpretation")
def missing_interpretation(ctx, params):
    """A policy document with no interpretation, by link or by title."""
    policies, found = pairs(ctx)
    paired = {p.policy for p in found}
    for url in policies:
        if url not in paired:
            yield Finding(
                "linkage.missing_interpretation", url,
                f"政策文件未发现对应解读：{ctx.documents[url]['title']}", f"no interpretation found for: {ctx.documents[url]['title']}",
                {"title": ctx.documents[url]["title"], "publish_date": ctx.documents[url]["publish_date"]},
            )


@rule("linkage.one_way")
def one_way(ctx, params):
    """Policy and interpretation exist, but they do not both link to each other."""
    _, found = pairs(ctx)
    for p in found:
        if p.policy_links and p.interpretation_links:
            continue
        if p.policy_links:
            url, zh, en, missing = p.interpretation, "解读页面未链接政策原文", "the interpretation does not link to the policy", "interpretation_to_policy"
        elif p.interpretation_links:
            url, zh, en, missing = p.policy, "政策文件页面未链接解读", "the policy does not link to its interpretation", "policy_to_interpretation"
        else:
            url, zh, en, missing = p.policy, "政策文件与解读互不链接", "neither page links to the other", "both"
        yield Finding(
            "linkage.one_way", url, zh, en,
            {"policy": p.policy, "interpretation": p.interpretation, "matched_by": p.method, "missing": missing},
        )


@rule("linkage.late_interpretation")
def late_interpretation(ctx, params):
    """The interpretation came out more than max_working_days after the policy."""
    _, found = pairs(ctx)
    for p in found:
        policy_date, interp_date = ctx.documents[p.policy]["publish_date"], ctx.documents[p.interpretation]["publish_date"]
        if not policy_date or not interp_date or interp_date <= policy_date:
            continue
        start, end = date.fromisoformat(policy_date), date.fromisoformat(interp_date)
        try:
            days = ctx.calendar.working_days_between(start, end)
        except UnknownYear:
            continue  # reported once per document by freshness.publication_delay's calendar check
        if days > params["max_working_days"]:
            yield Finding(
                "linkage.late_interpretation", p.interpretation,
                f"政策 {start} 发布，解读 {end} 发布，相隔 {days} 个工作日（限 {params['max_working_days']} 个）",
                f"policy published {start}, interpretation {end}: {days} working days (limit {params['max_working_days']})",
                {"policy": p.policy, "policy_date": str(start), "interpretation_date": str(end), "working_days": days,
                 "limit": params["max_working_days"], "matched_by": p.method},
            )
