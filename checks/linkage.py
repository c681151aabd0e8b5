"""Policy documents and their interpretations (政策解读 三同步: published together, linking to
each other). Pairs are found by explicit links first, then by title, and the method is kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from checks import lexicon
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


def _is_policy(doc, columns: list, params, doc_no_patterns: list) -> bool:
    # 规范性文件 carry 规 in their number (X府规〔2026〕9号, X规〔2026〕1号) whatever the column or title
    if doc["doc_no"] and any(p.search(doc["doc_no"]) for p in doc_no_patterns):
        return True
    for col in columns:
        if any(name in (col["name"] or "") for name in params["policy_column_names"]):
            return True
        if col["type"] in params["policy_column_types"] and any(p in (doc["title"] or "") for p in params["policy_title_patterns"]):
            return True
    return False


def _title_core(title: str) -> str:
    quoted = QUOTED.search(title)
    return quoted[1] if quoted else INTERPRETATION_WORDS.sub("", title).strip()


@dataclass
class Linkage:
    policies: list[str]  # URLs, in URL order
    pairs: list[Pair]
    documents: dict  # URL → (title, publish_date) of the policies and interpretations


def pairs(ctx) -> Linkage:
    """The policies and their pairs with interpretations; computed once per run."""
    return ctx.memo("linkage", lambda: _find_pairs(ctx))


def _find_pairs(ctx) -> Linkage:
    params = ctx.rule_params("linkage.missing_interpretation")
    doc_no_patterns = [re.compile(p) for p in params.get("policy_doc_no_patterns", ())]
    policies: list[str] = []
    interpretations: list[str] = []
    documents: dict[str, tuple[str | None, str | None]] = {}
    for doc, columns in ctx.documents_with_columns("d.url, d.kind, d.title, d.doc_no, d.publish_date",
                                                   "and d.kind in ('document', 'interpretation')"):
        if doc["kind"] == "interpretation":
            interpretations.append(doc["url"])
        elif _is_policy(doc, columns, params, doc_no_patterns):
            policies.append(doc["url"])
        else:
            continue
        documents[doc["url"]] = (doc["title"], doc["publish_date"])
    policy_set, interp_set = set(policies), set(interpretations)
    # the links from and to the interpretations, looked up by index (hidden, outside the primary
    # key, is read so that SQLite takes the target_url index rather than scanning the primary key)
    interpretation_urls = "select url from documents where scan_id = ? and kind = 'interpretation'"
    links = {(r["source_url"], r["target_url"]) for r in ctx.stream(
        f"select source_url, target_url, hidden from links where scan_id = ? and tag = 'a' and source_url in ({interpretation_urls}) "
        f"union select source_url, target_url, hidden from links where scan_id = ? and tag = 'a' and target_url in ({interpretation_urls})",
        (ctx.scan_id, ctx.scan_id, ctx.scan_id))
        if (r["source_url"] in policy_set and r["target_url"] in interp_set) or (r["source_url"] in interp_set and r["target_url"] in policy_set)}
    found: dict[str, Pair] = {}
    for source, target in sorted(links):
        policy, interp = (source, target) if source in policy_set else (target, source)
        found.setdefault(policy, Pair(policy, interp, "link", (policy, interp) in links, (interp, policy) in links))
    paired_interps = {p.interpretation for p in found.values()}
    cores = {interp: core for interp in interpretations if interp not in paired_interps
             and len(core := _title_core(documents[interp][0] or "")) >= 4}
    # each core → the policies whose title contains it, in URL order: one pass over the titles
    automaton = lexicon.automaton(sorted(set(cores.values())))
    containing: dict[int, list[str]] = {}
    for policy in policies:
        for index in dict.fromkeys(index for _, index in lexicon.hits(automaton, documents[policy][0] or "")):
            containing.setdefault(index, []).append(policy)
    terms = {term: index for index, term in enumerate(sorted(set(cores.values())))}
    for interp, core in cores.items():
        for policy in containing.get(terms[core], []):
            if policy not in found:
                found[policy] = Pair(policy, interp, "title", False, False)
                break
    return Linkage(policies, list(found.values()), documents)


@rule("linkage.missing_interpretation")
def missing_interpretation(ctx, params):
    """A policy document with no interpretation, by link or by title."""
    linkage = pairs(ctx)
    paired = {p.policy for p in linkage.pairs}
    for url in linkage.policies:
        if url not in paired:
            title, published = linkage.documents[url]
            yield Finding(
                "linkage.missing_interpretation", url,
                f"政策文件未发现对应解读：{title}", f"no interpretation found for: {title}",
                {"title": title, "publish_date": published},
            )


@rule("linkage.one_way")
def one_way(ctx, params):
    """Policy and interpretation exist, but they do not both link to each other."""
    for p in pairs(ctx).pairs:
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
    linkage = pairs(ctx)
    for p in linkage.pairs:
        policy_date, interp_date = linkage.documents[p.policy][1], linkage.documents[p.interpretation][1]
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
