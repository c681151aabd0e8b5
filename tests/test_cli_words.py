"""The command line speaks like the rest of the tool: click's own words in Chinese first, a
mistyped rule id answered with the closest ids, --json and --quiet wherever a result is printed,
and `zwgk extract` that summarises a pager instead of listing a million pages."""

import json

import pytest

from conftest import run_zwgk

# every command that prints a result (extract prints JSON only; worker runs until stopped)
RESULT_COMMANDS = [["crawl"], ["audit"], ["check"], ["report"], ["history"], ["diff"], ["rules"], ["demo"],
                   ["batch", "run"], ["batch", "status"]]


@pytest.mark.parametrize("command", RESULT_COMMANDS, ids=" ".join)
def test_every_result_has_json_and_quiet(command):
    text = run_zwgk(*command, "--help").stdout
    assert "--json" in text and "--quiet" in text
    assert text.startswith("用法 Usage:") and "选项 Options:" in text and "显示本帮助并退出" in text


def test_clicks_own_errors_say_it_in_chinese_first():
    proc = run_zwgk("audit", "--bogus", check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("zwgk audit: 没有这个选项 No such option")
    proc = run_zwgk("report", "--lang", "fr", check=False)
    assert proc.returncode == 2 and "取值不在可选范围内" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    proc = run_zwgk("audit", check=False)
    assert proc.returncode == 2 and "缺少参数 Missing argument" in proc.stderr


def test_a_mistyped_rule_is_answered_with_the_closest_ids():
    proc = run_zwgk("rules", "link.broken", check=False)
    assert proc.returncode == 2 and "did you mean: links.broken" in proc.stderr
    proc = run_zwgk("check", "--select", "metadta", "--db", "nothing-here.db", check=False)
    assert proc.returncode == 2 and "did you mean: metadata" in proc.stderr
    assert run_zwgk("rules", "links", "--quiet").stdout.split() == ["links.broken", "links.malformed", "links.blocked"]
    scoring = json.loads(run_zwgk("rules", "--json").stdout)["scoring"]
    assert sum(i["share"] for i in scoring["indicators"]) == 100


def test_extract_summarises_a_pager_that_claims_a_million_pages(tmp_path):
    page = tmp_path / "list.html"
    page.write_text('<html><body><ul><li><a href="/a/t20261101_1.html">通知</a><span>2026-11-01</span></li>'
                    '<li><a href="/a/t20261101_2.html">公告</a><span>2026-11-01</span></li></ul>'
                    '<script>createPageHTML(999999, 0, "index", "html");</script></body></html>', encoding="utf-8")
    proc = run_zwgk("extract", page, "--url", "http://www.example.gov.cn/a/index.html")
    assert len(proc.stdout) < 20_000 and "未给出 --url" not in proc.stderr
    pager = json.loads(proc.stdout)["pagination"]
    assert pager["pages_claimed"] == 999_998 and pager["last_page"]["url"].endswith("/a/index_999998.html")
    assert "未给出 --url" in run_zwgk("extract", page).stderr  # a local file: relative links resolve elsewhere
