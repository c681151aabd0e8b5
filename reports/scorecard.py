"""The verdict as the 检查指标 makes it, from a scan's findings and the rules' ``scoring:`` section.

Part one, the 单项否决 items: an item whose rules have at least ``at_least`` findings makes the site
不合格 by itself. Part two, the 扣分指标: 100 points shared among indicators; each problem costs its
rule's weight (a link on the home page its own weight), a page's problems under a ``per: page``
indicator count once (the heaviest), and no indicator loses more than its share. Below
``pass_score`` is 不合格. Nothing here reads the database: the findings are what the checks stored.
"""

from __future__ import annotations

from checks.config import RuleSet

PAGES_SHOWN = 20  # pages a veto item lists (the findings table lists them all)


def _cost(finding: dict, rules: RuleSet) -> float:
    own = finding["evidence"].get("weight")
    if isinstance(own, (int, float)) and not isinstance(own, bool):
        return float(own)
    rule = rules.get(finding["rule"])
    return rule.weight if rule else 0.0


def _pages(findings: list[dict]) -> list[str]:
    pages: dict[str, None] = {}
    for f in findings:
        pages[f["url"]] = None
        for url in f["evidence"].get("pages") or ():
            if isinstance(url, str):
                pages[url] = None
    return list(pages)


def scorecard(findings: list[dict], rules: RuleSet, unreachable: bool = False, ran=None, availability: dict | None = None) -> dict:
    """``{passed, complete, verdict_zh, verdict_en, score, pass_score, vetoes, indicators, lines_zh, lines_en}``:
    every veto item (triggered or not) with the pages it rests on, every indicator with the points
    it lost of its share. ``unreachable``: the site's home page could not be opened (站点无法访问).
    ``availability``: the week of monitored visits (storage.visits.week) the 站点无法访问 item is judged on.
    ``ran``: a predicate telling whether the check ran a rule (None: it ran all); a veto item or an
    indicator whose rules did not all run is "not checked", and without a triggered veto item such
    a check gives no verdict (不完整，不作结论), never 合格."""
    scoring = rules.scoring
    covered = (lambda rule_ids: True) if ran is None else (lambda rule_ids: all(ran(r) for r in rule_ids))
    if unreachable:
        covered = lambda rule_ids: False  # noqa: E731 — nothing of a site that could not be opened was checked
    by_rule: dict[str, list[dict]] = {}
    for f in findings:
        by_rule.setdefault(f["rule"], []).append(f)
    vetoes = []
    if unreachable:
        # one request of this audit: a sample, not the week the 指标 measures (zwgk monitor, availability.unreachable)
        vetoes.append({"item": "站点无法访问（单次抽样）", "item_en": "Site unreachable (single sample)", "triggered": True,
                       "state": "vetoed", "count": 1, "at_least": 1, "rules": [], "pages": []})
    for veto in scoring.vetoes:
        found = [f for rule_id in veto.rules for f in by_rule.get(rule_id, ())]
        triggered = len(found) >= veto.at_least
        # 站点无法访问 is judged on a week of zwgk monitor's visits: with none, the item says 未监测, not 未否决
        unmonitored = (not triggered and "availability.unreachable" in veto.rules and availability is not None
                       and availability.get("visits") == 0)
        checked = covered(veto.rules)
        # what the report's tables say of the item, in this order: vetoed, not checked, not monitored, not vetoed
        state = ("vetoed" if triggered else "not_checked" if not checked else "not_monitored" if unmonitored
                 else "not_vetoed")
        vetoes.append({"item": veto.item_zh, "item_en": veto.item_en, "triggered": triggered,
                       "checked": checked, "unmonitored": unmonitored, "state": state, "count": len(found),
                       "at_least": veto.at_least, "rules": list(veto.rules), "pages": _pages(found)})
    indicators = []
    for ind in scoring.indicators:
        found = [f for rule_id in ind.rules for f in by_rule.get(rule_id, ())]
        if ind.per == "page":
            per_page: dict[str, float] = {}
            for f in found:
                per_page[f["url"]] = max(per_page.get(f["url"], 0.0), _cost(f, rules))
            costs = [c for c in per_page.values() if c > 0]
        else:
            costs = [c for c in (_cost(f, rules) for f in found) if c > 0]
        raw = sum(costs)
        indicators.append({"id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "share": ind.share,
                           "checked": covered(ind.rules),
                           "lost": round(min(raw, ind.share), 2), "capped": raw > ind.share, "problems": len(costs),
                           "rules": list(ind.rules), "per": ind.per})
    score = round(max(0.0, 100 - sum(i["lost"] for i in indicators)), 1)
    triggered = [v for v in vetoes if v["triggered"]]
    complete = all(v.get("checked", True) for v in vetoes) and all(i["checked"] for i in indicators)
    passed = not triggered and complete and score >= scoring.pass_score
    if not triggered and not complete:
        verdict_zh, verdict_en = "不完整，不作结论", "Incomplete: no verdict"
    else:
        verdict_zh, verdict_en = ("合格", "Pass") if passed else ("不合格", "Fail")
    card = {"passed": passed, "complete": complete, "verdict_zh": verdict_zh, "verdict_en": verdict_en,
            "score": score, "pass_score": scoring.pass_score, "vetoes": vetoes, "indicators": indicators,
            "availability": availability, "unreachable": unreachable}
    card["lines_zh"], card["lines_en"] = explain(card, rules)
    return card


def explain(card: dict, rules: RuleSet, only_losses: bool = False) -> tuple[list[str], list[str]]:
    """The verdict line by line, in Chinese and in English; ``only_losses``: only the veto items
    that were triggered and the indicators that lost points."""
    triggered = [v for v in card["vetoes"] if v["triggered"]]
    pass_score = f"{card['pass_score']:g}"
    if triggered:
        zh = [f"结论：不合格。有 {len(triggered)} 项单项否决，按检查指标不再计分（得分 {card['score']:g} 仅供参考）。"]
        en = [f"Verdict: fail. {len(triggered)} single-veto item(s); by the 检查指标 nothing else is scored "
              f"(the score {card['score']:g} is for reference only)."]
    elif not card.get("complete", True):
        zh = [f"结论：不完整，不作结论。本次检查未运行全部规则（或抓取不完整），未检查的项目不能判为合格（得分 {card['score']:g} 仅供参考）。"]
        en = [f"Verdict: none. This check did not run every rule (or the crawl was partial); what was not checked cannot "
              f"pass (the score {card['score']:g} is for reference only)."]
    elif card["passed"]:
        zh = [f"结论：合格。无单项否决项，得分 {card['score']:g}，不低于 {pass_score} 分。"]
        en = [f"Verdict: pass. No single-veto item; score {card['score']:g}, at least {pass_score}."]
    else:
        zh = [f"结论：不合格。无单项否决项，但得分 {card['score']:g} 低于 {pass_score} 分。"]
        en = [f"Verdict: fail. No single-veto item, but the score {card['score']:g} is below {pass_score}."]
    for v in card["vetoes"]:
        titles_zh = "、".join(rules[r].title_zh for r in v["rules"] if r in rules)
        titles_en = "; ".join(rules[r].title_en for r in v["rules"] if r in rules)
        pages = v["pages"][:PAGES_SHOWN]
        more = len(v["pages"]) - len(pages)
        all_pages = len(v["pages"])
        week = card.get("availability") if "availability.unreachable" in v["rules"] else None
        if week is not None and not v["triggered"] and (week["visits"] == 0 or v.get("checked", True)):
            if only_losses:
                continue
            if week["visits"] == 0:
                zh.append(f"「{v['item']}」未监测：{week['window'][0]} 至 {week['window'][1]} 没有 zwgk monitor 的访问记录，"
                          "只有本次检查的单次抽样，不能按检查指标判定。")
                en.append(f"“{v['item_en']}” not measured: no zwgk monitor visits from {week['window'][0]} to "
                          f"{week['window'][1]}; only this audit's single sample, which the 指标 does not judge by.")
            else:
                zh.append(f"「{v['item']}」未否决：{week['window'][0]} 至 {week['window'][1]} 监测 {week['visits']} 次，"
                          f"失败 {week['failures']} 次（{week['share'] * 100:.1f}%）。")
                en.append(f"“{v['item_en']}” not vetoed: {week['failures']} of {week['visits']} visits failed "
                          f"({week['share'] * 100:.1f}%) from {week['window'][0]} to {week['window'][1]}.")
            continue
        if week is not None and not v["triggered"]:
            zh.append(f"「{v['item']}」监测不完整，不作判定：{week['window'][0]} 至 {week['window'][1]} 共 {week['visits']} 次访问，"
                      "有的日子少于每天 20 次。")
            en.append(f"“{v['item_en']}” measurement incomplete, not judged: {week['visits']} visits from "
                      f"{week['window'][0]} to {week['window'][1]}, some days with fewer than 20.")
            continue
        if not v["triggered"] and not v.get("checked", True):
            zh.append(f"「{v['item']}」未检查：本次检查未运行其规则（{titles_zh}）。")
            en.append(f"“{v['item_en']}” not checked: this check did not run its rules ({titles_en}).")
        elif v["triggered"] and not v["rules"]:
            zh.append(f"单项否决「{v['item']}」：本次检查时首页无法打开（单次抽样；检查指标按一周、每天至少 20 次的监测判定，"
                      "见 zwgk monitor）。")
            en.append(f"Single veto “{v['item_en']}”: the home page could not be opened during this audit (a single "
                      "sample; the 指标 judges a week of at least 20 visits a day, see zwgk monitor).")
        elif v["triggered"]:
            zh.append(f"单项否决「{v['item']}」：{titles_zh} 共 {v['count']} 个问题（达到 {v['at_least']} 个即否决），"
                      f"所在页面：{'、'.join(pages)}{f' 等 {all_pages} 个页面' if more > 0 else ''}")
            en.append(f"Single veto “{v['item_en']}”: {v['count']} finding(s) of {titles_en} (vetoed at {v['at_least']}), "
                      f"on {', '.join(pages)}{f' and {more} more pages' if more > 0 else ''}")
        elif not only_losses:
            zh.append(f"「{v['item']}」未否决：{titles_zh} {v['count']} 个问题（{v['at_least']} 个否决）。")
            en.append(f"“{v['item_en']}” not vetoed: {v['count']} finding(s) of {titles_en} (vetoed at {v['at_least']}).")
    for ind in card["indicators"]:
        if only_losses and not ind["lost"] and ind.get("checked", True):
            continue
        if not ind.get("checked", True):
            zh.append(f"「{ind['name_zh']}」分值 {ind['share']:g}：未全部检查，扣 {ind['lost']:g} 分（只计已检查的规则）。")
            en.append(f"“{ind['name_en']}”: not wholly checked; {ind['lost']:g} of {ind['share']:g} points lost by the rules that ran.")
            continue
        unit_zh, unit_en = ("个页面", "page(s)") if ind["per"] == "page" else ("个问题", "problem(s)")
        cap_zh, cap_en = ("，已扣满该项分值" if ind["capped"] else ""), (", its whole share" if ind["capped"] else "")
        zh.append(f"「{ind['name_zh']}」分值 {ind['share']:g}，扣 {ind['lost']:g} 分（{ind['problems']} {unit_zh}{cap_zh}）。")
        en.append(f"“{ind['name_en']}”: {ind['lost']:g} of {ind['share']:g} points lost ({ind['problems']} {unit_en}{cap_en}).")
    return zh, en
