"""The verdict as the 检查指标 makes it: veto items decide by themselves, each indicator loses at
most its share, a page's problems under a per-page indicator count once, overlapping spam terms
are one finding. Real crawls of small generated portals on 127.0.0.1."""

import json

import pytest

from checks.config import RulesError, load_rules
from checks.engine import rules_for_run
from conftest import FAST, run_zwgk
from http_site import serve
from reports.scorecard import scorecard

AS_OF = "2026-11-20"
FOOTER_SPAM = "Copyright © 2002-2019 皇冠hg体育赌场 版权所有"


def portal(documents: int, footer: str = "示范市人民政府办公室 主办"):
    """A home page, a disclosure column listing ``documents`` documents, each showing only a title
    and a date (no 索引号, 发文机关, 成文日期: three missing fields on every page)."""
    def html(title: str, body: str) -> bytes:
        return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}"
                f"<div class='footer'>{footer}</div></body></html>").encode()

    def url(i: int) -> str:
        return f"/xxgk/202611/t202611{1 + i % 18:02d}_{i}.html"

    def answer(method, path, query, body):
        if path == "/":
            return 200, {}, html("示范市人民政府", "<a href='/xxgk/'>政府信息公开</a><ul>"
                                 f"<li><a href='{url(17)}'>文件 17</a><span>2026-11-18</span></li></ul>"), 0
        if path == "/xxgk/":
            items = "".join(f"<li><a href='{url(i)}'>关于第{i}项工作的通知</a><span>2026-11-{1 + i % 18:02d}</span></li>"
                            for i in range(documents))
            return 200, {}, html("政策文件", f"<h1>政策文件</h1><ul class='list'>{items}</ul>"), 0
        if path.startswith("/xxgk/202611/t"):
            i = int(path.rsplit("_", 1)[1][:-len(".html")])
            return 200, {}, html(f"关于第{i}项工作的通知", f"<h1>关于第{i}项工作的通知</h1><p>发布日期：2026-11-{1 + i % 18:02d}</p>"
                                 f"<p>{'现将有关事项通知如下。' * 20}</p>"), 0
        return 404, {}, b"not found", 0
    return answer


def audit(server, tmp_path, *extra):
    proc = run_zwgk("audit", server.base + "/", "--db", tmp_path / "s.db", "--as-of", AS_OF, "--no-ipv6", "--fail-on", "never",
                    "--json", "--quiet", *FAST, *extra)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_two_hundred_pages_missing_fields_cost_the_metadata_share_and_no_more(tmp_path):
    with serve(portal(200)) as server:
        result = audit(server, tmp_path)
    assert result["by_rule"]["metadata.missing_field"] >= 600  # three fields on each of 200 pages
    card = result["scorecard"]
    metadata = next(i for i in card["indicators"] if i["id"] == "metadata")
    assert metadata["lost"] == metadata["share"] == 20 and metadata["capped"]
    assert metadata["problems"] >= 200  # one problem per page, not one per missing field
    assert result["score"] > 0 and result["score"] == pytest.approx(100 - sum(i["lost"] for i in card["indicators"]), abs=0.05)
    assert all(i["lost"] <= i["share"] for i in card["indicators"])
    assert "「公开目录与文件元数据」分值 20，扣 20 分" in "\n".join(card["lines_zh"])


def test_a_gambling_term_in_the_footer_fails_the_site_on_its_own(tmp_path):
    with serve(portal(3, footer=FOOTER_SPAM)) as server:
        result = audit(server, tmp_path, "--out", tmp_path / "out", "--format", "html,json")
    assert result["passed"] is False
    spam = [v for v in result["vetoes"] if v["rule"] == "content.spam_text"]
    assert len(spam) == 1  # 「皇冠hg体育赌场」 on every page: one finding, not one per overlapping term
    serious = next(v for v in result["scorecard"]["vetoes"] if v["item"] == "严重错误")
    assert serious["triggered"] and serious["pages"][0].startswith("http://127.0.0.1:")
    assert result["scorecard"]["lines_zh"][0].startswith("结论：不合格")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "单项否决「严重错误」" in page and serious["pages"][0] in page
    saved = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert saved["verdict"]["passed"] is False and saved["verdict"]["score"] == result["score"]


def finding(rule, url, **evidence):
    return {"rule": rule, "url": url, "evidence": evidence}


def test_per_page_indicators_count_a_page_once_and_links_by_their_own_weight():
    rules = rules_for_run()
    found = [finding("metadata.missing_field", "http://a/1", field=f) for f in ("index_no", "publisher", "title")]
    found += [finding("identity.missing_meta", "http://a/1", tag="SiteName"), finding("identity.missing_meta", "http://a/2")]
    found += [finding("links.broken", "http://a/x", weight=1), finding("links.broken", "http://a/y")]
    card = scorecard(found, rules)
    by_id = {i["id"]: i for i in card["indicators"]}
    assert by_id["metadata"]["problems"] == 1 and by_id["metadata"]["lost"] == rules["metadata.missing_field"].weight
    assert by_id["identity"]["problems"] == 2
    assert by_id["links"]["lost"] == pytest.approx(1 + rules["links.broken"].weight)
    assert card["passed"] and not any(v["triggered"] for v in card["vetoes"])
    stale = [finding("freshness.stale_column", f"http://a/c{i}") for i in range(5)]
    assert not any(v["triggered"] for v in scorecard(stale[:4], rules)["vetoes"])  # four stale columns: points, no veto
    card = scorecard(stale, rules)
    assert not card["passed"] and next(v for v in card["vetoes"] if v["rules"] == ["freshness.stale_column"])["triggered"]


def test_a_province_sets_its_own_shares_and_broken_scoring_is_one_line(tmp_path):
    own = tmp_path / "province.yaml"
    base = load_rules(None).scoring
    indicators = [{"id": i.id, "name_zh": i.name_zh, "name_en": i.name_en, "share": i.share, "per": i.per, "rules": i.rules}
                  for i in base.indicators]
    indicators[0]["share"], indicators[1]["share"] = 30, 5
    vetoes = [{"item_zh": v.item_zh, "item_en": v.item_en, "rules": v.rules, "at_least": v.at_least} for v in base.vetoes]
    own.write_text(json.dumps({"scoring": {"pass_score": 70, "vetoes": vetoes, "indicators": indicators}}, ensure_ascii=False),
                   encoding="utf-8")
    mine = load_rules(own, set(rules_for_run()))
    assert mine.scoring.pass_score == 70 and mine.scoring.indicators[0].share == 30
    indicators[0]["share"] = 40
    own.write_text(json.dumps({"scoring": {"pass_score": 60, "vetoes": vetoes, "indicators": indicators}}), encoding="utf-8")
    with pytest.raises(RulesError, match="add up to 110, not 100"):
        load_rules(own)
    indicators[0]["share"] = 30
    vetoes = [v for v in vetoes if "content.spam_text" not in v["rules"]]
    own.write_text(json.dumps({"scoring": {"pass_score": 60, "vetoes": vetoes, "indicators": indicators}}), encoding="utf-8")
    with pytest.raises(RulesError, match="content.hidden_link cites a 单项否决 item"):
        load_rules(own)
    proc = run_zwgk("rules", "--rules", own, check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "province.yaml" in proc.stderr
