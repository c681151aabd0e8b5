"""Findings a person can act on: evidence in words, the page to fix, failures without exception
class names, times in Beijing time (reports/evidence.py, reports/failures.py, reports/times.py and the
outputs that use them)."""

from __future__ import annotations

import ast
import csv
import inspect
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotSupported,
)
from twisted.internet.error import ConnectionLost, DNSLookupError, TCPTimedOutError
from twisted.python.failure import Failure

from crawler.spiders import disclosure
from reports.evidence import evidence_text, fix_page, readable
from reports.failures import FAILURES, failure_words, readable_error
from reports.tables import FINDING_HEADERS
from reports.times import beijing

# the brief's own pattern for a class name a reader must never see
CLASS_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(Error|Exception)\b")
ROOT = Path(disclosure.__file__).resolve().parents[2]


def _codes_in(function) -> set[str]:
    """The code-like string constants (``redirect_loop``) in a function's source."""
    tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(function)))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and re.fullmatch(r"[a-z][a-z0-9_]*", n.value)}


def stored_codes() -> set[str]:
    """Every failure code the crawler can store, read from its source: what error_kind returns and
    on_error assigns (pages.error_kind), the soft 404 rows, the DNS and IPv6 probe codes of
    crawler/ipv6.py, and the network failures rules.yaml counts as broken links."""
    from checks.config import load_rules

    codes = _codes_in(disclosure.error_kind)
    on_error = ast.parse(inspect.cleandoc("\n" + inspect.getsource(disclosure.DisclosureSpider.on_error)))
    codes |= {n.value.value for n in ast.walk(on_error) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
              and any(isinstance(t, ast.Name) and t.id == "kind" for t in n.targets)}
    spider = Path(disclosure.__file__).read_text(encoding="utf-8")
    codes |= set(re.findall(r'error_kind="(\w+)"', spider))
    ipv6 = (ROOT / "crawler" / "ipv6.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'result\["error"\] = "(\w+)"', ipv6)) | set(re.findall(r'return None, "(\w+)"', ipv6))
    codes |= set(re.findall(r'"(\w+)" if exc\.errno', ipv6)) | set(re.findall(r'else "(no_\w+)"', ipv6))
    codes |= set(load_rules()["links.broken"].params["broken_errors"])
    return codes


def test_failure_words_cover_every_code_the_crawler_stores():
    codes = stored_codes()
    # the source reading works: the codes a reader meets most are among them
    assert {"dns", "refused", "timeout", "reset", "tls", "redirect", "redirect_loop", "soft_404", "nxdomain", "no_route",
            "attachment_not_read", "address_policy", "too_large"} <= codes, codes
    unknown = failure_words("no_such_code")
    for code in sorted(codes):
        assert code == "soft_404" or code in FAILURES, f"failure_words has no words for {code!r}"
        for lang in ("zh", "en"):
            words = failure_words(code, lang=lang)
            assert words and words != code and "_" not in words, (code, lang, words)
            if code != "other":
                assert words != failure_words("no_such_code", lang=lang), (code, lang)
    assert failure_words("redirect_loop") == "重定向循环" and failure_words("redirect") == "重定向次数过多"
    assert failure_words("refused") == "连接被拒绝" and failure_words("dns") == "域名无法解析" and unknown == "访问失败"
    assert failure_words(404) == failure_words("HTTP 404") == "HTTP 404 页面不存在"
    assert failure_words("soft_404", "title") == "软404（页面显示“页面不存在”）"
    assert failure_words("slow", 12_345) == "响应过慢（12.3 秒）" and failure_words("slow", 12_345, "en") == "too slow (12.3 s)"


@pytest.mark.parametrize("exc", [
    DownloadConnectionRefusedError("Connection was refused by other side: 111: Connection refused."),
    CannotResolveHostError("DNS lookup failed: no results for hostname lookup: www.example.gov.cn."),
    DNSLookupError("www.example.gov.cn"), TCPTimedOutError(), DownloadTimeoutError("took longer than 180.0 seconds"),
    ConnectionLost("Connection to the other side was lost"), IgnoreRequest("max redirections reached"),
    NotSupported("Unsupported URL scheme 'mailto'"),
], ids=lambda exc: type(exc).__name__)
def test_a_stored_error_text_reads_as_the_crawler_classified_it(exc):
    """pages.error holds "ExceptionName: message": read back, it gives the words of the code the
    crawler stored beside it, and no class name."""
    stored = f"{type(exc).__name__}: {exc}"
    kind = disclosure.error_kind(Failure(exc))
    assert failure_words(None, stored) == failure_words(kind), (stored, kind)
    shown = readable_error(f"http://www.example.gov.cn/: {stored}")
    assert shown == f"http://www.example.gov.cn/：{failure_words(kind)}"
    assert type(exc).__name__ not in shown and not CLASS_NAME.search(readable_error(stored, "en"))


def test_stored_run_errors_in_words():
    two = "http://a.example/: IgnoreRequest: max redirections reached; http://b.example:8080/: HTTP 503"
    assert readable_error(two) == "http://a.example/：重定向次数过多；http://b.example:8080/：HTTP 503 服务暂不可用"
    assert readable_error("exit 1: ValueError: bad sites file") == "检查进程异常退出（退出码 1）：bad sites file"
    assert readable_error("网站清单第 3 行缺少网址 line 3 has no URL") == "网站清单第 3 行缺少网址 line 3 has no URL"


def test_batch_ranking_says_why_a_site_was_not_audited_in_words():
    from reports.batch import veto_items

    site = {"status": "unreachable", "error": "http://www.example.gov.cn/: DownloadConnectionRefusedError: Connection was "
                                              "refused by other side: 111: Connection refused."}
    assert veto_items(site, "zh") == ["网站无法访问：http://www.example.gov.cn/：连接被拒绝"]
    assert veto_items(site, "en") == ["site unreachable: http://www.example.gov.cn/: connection refused"]


LINK = {"status": None, "error": "redirect_loop", "detail": "IgnoreRequest: max redirections reached", "elapsed_ms": None,
        "redirects": ["http://s/a", "http://s/b", "http://s/a"],
        "linked_from": [{"url": "http://s/page1.html", "anchor": "相关通知", "position": "body", "hidden": False, "tag": "a"},
                        {"url": "http://s/page2.html", "anchor": "相关通知", "position": "body", "hidden": False, "tag": "a"}],
        "linked_from_count": 2, "on_home": False, "weight": None}


def test_a_broken_link_reads_as_where_it_is_what_it_says_where_it_leads_and_why():
    lines = dict(readable("links.broken", LINK, url="http://s/a"))
    assert lines == {"链接所在页面": "http://s/page1.html\nhttp://s/page2.html", "链接文字": "“相关通知”",
                     "链接目标": "http://s/a", "失败原因": "重定向循环",
                     "重定向经过": "http://s/a → http://s/b → http://s/a（共 2 次重定向）"}
    english = dict(readable("links.broken", LINK, "en", url="http://s/a"))
    assert english["Why it fails"] == "redirect loop" and english["Pages holding the link"].startswith("http://s/page1.html")
    assert fix_page("links.broken", {"rule": "links.broken", "url": "http://s/a", "evidence": LINK}) == "http://s/page1.html"
    assert fix_page("metadata.bad_value", {"url": "http://s/doc.html", "evidence": {}}) == "http://s/doc.html"


def evidence_keys_of_the_checks() -> set[str]:
    """The evidence keys the checks write: the dict literals given to Finding(…) and built by the
    evidence helpers (checks/*.py)."""
    keys = set()
    for path in (ROOT / "checks").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            dicts = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding" and len(node.args) >= 5:
                dicts = [node.args[4]]
            elif isinstance(node, ast.FunctionDef) and node.name in ("_evidence", "_finding", "_personal_finding"):
                dicts = list(ast.walk(node))
            keys |= {k.value for d in dicts if isinstance(d, ast.Dict) for k in d.keys if isinstance(k, ast.Constant)}
    return keys


def test_every_evidence_key_the_checks_write_has_words():
    from reports import evidence

    keys = evidence_keys_of_the_checks()
    assert {"linked_from", "anchor", "written_date", "missing_tags", "ipv6_error"} <= keys  # the source reading works
    worded = (set(evidence.LABELS) | {key for _, key in evidence.RULE_LABELS} | evidence.HIDDEN
              | {key for hidden in evidence.RULE_HIDDEN.values() for key in hidden} | {"kind", "masked", "where"})
    assert keys <= worded, sorted(keys - worded)


def test_unknown_evidence_keys_are_flattened_never_json():
    text = evidence_text("some.future_rule", {"hosts": ["a", "b"], "nested": {"x": 1, "y": [1, 2]}, "flag": True, "gone": None})
    assert text == "未能测量的域名：a、b\nnested：x：1；y：1、2\nflag：是"
    assert "{" not in text and "[" not in text


# ---- the demo's outputs ---------------------------------------------------------------------------

def _report_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)[1]
    return json.loads(block)


def test_demo_outputs_show_evidence_in_words_and_the_page_to_fix(audit):
    findings = audit["data"]["findings"]
    broken = [f for f in findings if f["rule"] == "links.broken"]
    assert broken and all(f["evidence"]["linked_from"] for f in broken)
    holding = {f["fingerprint"]: f["evidence"]["linked_from"][0]["url"] for f in broken}
    assert all(holding[f["fingerprint"]] != f["url"] for f in broken)

    # findings.json: machine evidence kept whole, the words beside it
    assert any("Error" in (f["evidence"].get("detail") or "") for f in broken)  # the raw detail stays for machines
    for f in findings:
        assert f["page_to_fix"] == holding.get(f["fingerprint"], f["page_to_fix"])
        assert not CLASS_NAME.search(f["evidence_text"] + f["evidence_text_en"]) and "{" not in f["evidence_text"]

    # CSV and XLSX: the same columns; evidence as lines of words; the page holding the link to fix
    with (audit["out"] / "findings.csv").open(encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    rows = list(csv.reader(text.splitlines(keepends=True)))
    sheet = [["" if v is None else str(v) for v in row]
             for row in load_workbook(audit["out"] / "findings.xlsx")["问题清单"].iter_rows(values_only=True)]
    assert rows[0] == sheet[0] == FINDING_HEADERS
    col = {name.split()[0]: i for i, name in enumerate(FINDING_HEADERS)}
    for table in (rows, sheet):
        assert len(table) == 1 + len(findings)
        for row in table[1:]:
            assert "{" not in row[col["证据"]] and "}" not in row[col["证据"]] and "：" in row[col["证据"]]
            if row[col["指纹"]] in holding:
                assert row[col["整改页面"]] == holding[row[col["指纹"]]]
                assert row[col["链接目标/涉及网址"]] == next(f["url"] for f in broken if f["fingerprint"] == row[col["指纹"]])
                assert "失败原因：" in row[col["证据"]]
    assert not CLASS_NAME.search(text), CLASS_NAME.search(text)
    assert not any(CLASS_NAME.search(cell) for row in sheet for cell in row)
    loop = next(r for r in rows[1:] if "/loop/" in r[col["链接目标/涉及网址"]])
    assert "失败原因：重定向循环" in loop[col["证据"]]

    # the HTML report: the script's data and the rows rendered without JavaScript
    html = (audit["out"] / "index.html").read_text(encoding="utf-8")
    assert not CLASS_NAME.search(html), CLASS_NAME.search(html)
    data = _report_data(html)
    for row in data["findings"]:
        assert all(isinstance(label, str) and "{" not in value for label, value in row[4])
        if row[5] in holding:
            assert row[2] == holding[row[5]]
    assert "链接所在页面" in html and "整改页面" in html


def test_demo_report_shows_beijing_time(audit):
    started = audit["data"]["scan"]["started_at"]
    assert started.endswith("Z")  # stored in UTC, as storage.sqlite.now writes it
    html = (audit["out"] / "index.html").read_text(encoding="utf-8")
    utc = datetime.fromisoformat(started.replace("Z", "+00:00"))
    shown = f"{(utc + timedelta(hours=8)):%Y-%m-%d %H:%M} 北京时间"
    assert beijing(started) == shown and shown in html
    assert started not in html  # the UTC stamp itself is not what the reader sees
    assert beijing("2026-12-07T10:48:00+08:00", "en") == "2026-12-07 10:48 Beijing time (UTC+8)"

