"""The self-contained HTML self-inspection report (自查报告): one file, no network, CSS, JS and
SVG charts inline; Chinese by default, English with --lang en. Every string from a crawled page
goes through Jinja's autoescaping, or into the page's JSON block with every ``<`` escaped.

The findings and the document ledger can run to 100 000 rows: they are embedded once as JSON and a
small inline script builds only the rows of the page being read (filters, sorting and paging work
over the whole set). Without JavaScript the first STATIC_ROWS rows of each are rendered here."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import sqlite3
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports import data as report_data
from reports.evidence import for_reader
from reports.failures import failure_words
from reports.times import beijing

TEXT = {
    "zh": {
        "title": "政府网站政务公开自查报告", "site": "网站", "scan": "扫描编号", "scan_time": "扫描时间", "as_of": "检查基准日",
        "pages": "抓取页面", "documents": "公开文件", "columns": "栏目", "verdict": "总体结论", "passed": "合格",
        "failed": "不合格", "score": "得分", "vetoes": "单项否决项", "no_vetoes": "无单项否决项",
        "how_decided": "结论是怎样得出的", "site_code": "网站标识码", "veto_item": "单项否决项", "veto_count": "问题数", "veto_threshold": "否决门槛",
        "veto_result": "结果", "veto_pages": "所在页面", "vetoed": "否决", "not_vetoed": "未否决", "not_checked": "未检查", "not_monitored": "未监测", "not_whole": "未完整检查", "indicators": "扣分指标",
        "indicator": "指标", "share": "分值", "lost": "扣分", "problems": "问题数", "per_page": "（按页面计）", "by_severity": "问题数量",
        "error": "错误", "warning": "警告", "info": "提示", "by_rule": "各规则问题数", "charts": "图表",
        "freshness_chart": "栏目更新情况（距最近更新天数 / 期限）", "delay_chart": "成文至发布间隔（自然日）分布",
        "trend_chart": "历次扫描问题数趋势", "findings": "问题清单", "filter_rule": "规则", "filter_severity": "严重程度",
        "filter_column": "栏目", "filter_text": "搜索", "all": "全部", "rule": "规则", "severity": "严重程度", "page": "页面",
        "fix_page": "整改页面", "involved": "链接目标/涉及网址",
        "message": "问题", "evidence": "证据", "basis": "依据", "todo": "整改要求", "ledger": "公开文件台账",
        "index_no": "索引号", "doc_title": "标题", "publisher": "发文机关", "written": "成文日期", "published": "发布日期",
        "doc_no": "发文字号", "category": "主题分类", "validity": "有效性", "history": "与上次扫描比较", "new": "新增",
        "fixed": "已整改", "still_open": "仍存在", "not_comparable": "无法比较（本次未访问该页面）", "suppressed": "已接受的问题（基线）",
        "reason": "理由", "no_findings": "未发现问题。", "days": "天", "limit": "期限", "blank": "空白", "ipv6": "IPv6 支持情况",
        "shown": "显示", "of": "共", "rows": "条", "print_note": "本报告由 zwgk-audit 自动生成，可离线查看和打印。",
        "previous_scan": "上次扫描", "none": "无", "kind": "类型", "generated_by": "生成工具",
        "matching": "符合条件 {n} 条，共 {total} 条", "pager": "第 {from}–{to} 条，第 {page} / {pages} 页",
        "first": "首页", "prev": "上一页", "next": "下一页", "last": "末页", "go_page": "跳至第", "page_unit": "页",
        "page_size": "每页", "static_only": "未启用 JavaScript，此处只列出前 {n} 条（共 {total} 条）。完整列表请启用 JavaScript 查看，"
                                             "或见同时导出的 findings.json / findings.csv / findings.xlsx（--format json,csv,xlsx）。",
        "partial": "本次扫描未完成（已中断），以下结论只基于已抓取的部分，不能作为完整的自查结论。请用 --resume 继续抓取后重新生成报告。",
        "limited": "本次扫描只抓取了网站的一部分（{why}），不是完整的自查：以下结论只基于已抓取的部分；依赖全站内容的检查"
                   "（栏目是否齐全、年度报告、首页更新、空白栏目）未进行。请去掉抓取上限重新检查。",
        "limit_max_pages": "达到抓取页数上限", "limit_max_depth": "达到链接层级上限",
        "skipped": "以下检查未进行（抓取不完整，或该项测量已关闭、未能进行），不计为合格：", "recheck": "本报告是对扫描 {scan} 的第 {n} 次重新检查（{when}）。扫描时检查的原始结果不变，见检查 0。",
        "selection": "本次检查只运行了部分规则：",
        "unread": "有 {n} 个栏目的列表只由脚本加载，本次未能读取（未使用浏览器渲染，或本机没有可用的 Chromium），这些栏目的文件未检查：",
        "learned": "附录：从浏览器渲染中学到的列表和文件接口", "learned_what": "类型", "learned_list": "栏目列表",
        "learned_detail": "文件页模板", "learned_request": "接口请求", "learned_paging": "翻页参数（k 为页码）",
        "learned_renders": "渲染次数", "learned_pages": "页数/文件数", "learned_wasted": "多余请求", "learned_clicked": "浏览器内逐页点击",
    },
    "en": {
        "title": "Government website disclosure self-inspection report", "site": "Site", "scan": "Scan", "scan_time": "Scanned",
        "as_of": "Audit date", "pages": "Pages crawled", "documents": "Documents", "columns": "Columns", "verdict": "Verdict",
        "passed": "Pass", "failed": "Fail", "score": "Score", "vetoes": "Single-veto items", "no_vetoes": "No single-veto item",
        "how_decided": "How the verdict was made", "site_code": "site code", "veto_item": "Single-veto item", "veto_count": "Findings",
        "veto_threshold": "Vetoed at", "veto_result": "Result", "veto_pages": "Pages", "vetoed": "vetoed",
        "not_vetoed": "not vetoed", "not_checked": "not checked", "not_monitored": "not monitored", "not_whole": "not wholly checked", "indicators": "Scored indicators", "indicator": "Indicator", "share": "Share",
        "lost": "Lost", "problems": "Problems", "per_page": " (pages)",
        "by_severity": "Findings", "error": "error", "warning": "warning", "info": "info", "by_rule": "Findings by rule",
        "charts": "Charts", "freshness_chart": "Column freshness (days since last update / limit)",
        "delay_chart": "Days from 成文日期 to 发布日期", "trend_chart": "Findings over previous scans", "findings": "Findings",
        "filter_rule": "Rule", "filter_severity": "Severity", "filter_column": "Column", "filter_text": "Search", "all": "All",
        "rule": "Rule", "severity": "Severity", "page": "Page",
        "fix_page": "Page to fix", "involved": "Link target / URL involved", "message": "Problem", "evidence": "Evidence", "basis": "Basis",
        "todo": "What to do", "ledger": "Document ledger", "index_no": "Index no.", "doc_title": "Title", "publisher": "Issuer",
        "written": "Written", "published": "Published", "doc_no": "Document no.", "category": "Category", "validity": "Validity",
        "history": "Compared with the previous scan", "new": "New", "fixed": "Fixed", "still_open": "Still open",
        "not_comparable": "Not comparable (page not visited this time)", "suppressed": "Accepted findings (baseline)",
        "reason": "Reason", "no_findings": "No findings.", "days": "days", "limit": "limit", "blank": "blank",
        "ipv6": "IPv6 support", "shown": "Showing", "of": "of", "rows": "rows",
        "print_note": "Generated by zwgk-audit; readable offline and in print.", "previous_scan": "Previous scan",
        "limited": "This scan covered only part of the site ({why}); it is not a complete self-inspection: everything below "
                   "rests on the part crawled, and the checks that need the whole site (required columns, annual report, "
                   "home page updates, blank columns) were not run. Check again without the crawl limit.",
        "limit_max_pages": "the page limit was reached", "limit_max_depth": "the link depth limit was reached",
        "skipped": "Not checked (the crawl was incomplete, or the measurement was switched off or could not run), never counted as passed:", "recheck": "This report is re-check {n} of scan {scan} ({when}). "
                   "The audit's own findings are unchanged (check 0).",
        "selection": "This check ran only some rules:",
        "partial": "This scan did not finish (it was interrupted): everything below rests on the part that was crawled and is "
                   "not a complete self-inspection. Resume it with --resume and generate the report again.",
        "unread": "{n} columns list their items only by script and could not be read this time (rendering was off, or no "
                  "working Chromium on this machine); their documents were not checked:",
        "learned": "Appendix: list and document requests learned by rendering", "learned_what": "Kind", "learned_list": "Column list",
        "learned_detail": "Document page template", "learned_request": "Request", "learned_paging": "Page parameters (k: page number)",
        "learned_renders": "Renders", "learned_pages": "Pages / documents", "learned_wasted": "Wasted requests",
        "learned_clicked": "clicked through in the browser",
        "none": "none", "kind": "Kind", "generated_by": "Generated by",
        "matching": "{n} of {total} rows match", "pager": "rows {from}–{to}, page {page} of {pages}",
        "first": "First", "prev": "Previous", "next": "Next", "last": "Last", "go_page": "Page", "page_unit": "",
        "page_size": "Per page", "static_only": "JavaScript is off: only the first {n} of {total} rows are listed here. Turn "
                                                "JavaScript on for the full list, or see findings.json / findings.csv / "
                                                "findings.xlsx written beside it (--format json,csv,xlsx).",
    },
}

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html", "j2"], default=True),
    trim_blocks=True, lstrip_blocks=True,
)
_env.filters["pretty"] = lambda value: json.dumps(value, ensure_ascii=False, indent=1)


STATIC_ROWS = 200  # rows of each long table rendered into the HTML itself, for a reader without JavaScript
PAGE_SIZES = (50, 100, 200, 500)  # rows per page the reader can choose; PAGE_SIZE at first
PAGE_SIZE = 100
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})

_CSP_SLOT = "zwgk-csp-slot"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)


def content_security_policy(html: str) -> str:
    """A policy that allows nothing but this page's own inline <script> and <style> blocks (by their
    sha256, so an injected block would not run) and data: images: no request leaves the file."""
    allowed: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        allowed[tag].append(f"'sha256-{digest}'")
    sources = {tag: " ".join(hashes) or "'none'" for tag, hashes in allowed.items()}
    return (f"default-src 'none'; script-src {sources['script']}; style-src {sources['style']}; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def table_data(report: dict, t: dict, lang: str) -> dict:
    """What the page's script needs for the findings and ledger tables, as compact arrays: each
    rule's texts once, then one array per finding and per document (column order below). A finding
    comes in the words of reports.evidence: the page to fix, the evidence as labelled lines."""
    zh = lang == "zh"
    rules = {}
    for rule_id in dict.fromkeys(f["rule"] for f in report["findings"]):  # in report order: the same file every time
        rule = report["rules"].get(rule_id)
        rules[rule_id] = ([rule.title_zh if zh else rule.title_en, rule.basis, rule.description_zh if zh else rule.description_en]
                          if rule else ["", "", ""])
    return {
        "text": {key: t[key] for key in ("error", "warning", "info", "evidence", "basis", "todo", "matching", "pager", "involved")}
        | {"colon": "：" if zh else ": "},
        "rules": rules,
        # severity, rule, page to fix, message, evidence ([label, value] lines), fingerprint, column url,
        # the link target or other address concerned ("" when none)
        "findings": [[f["severity"], f["rule"], s["page_to_fix"], s["message"], [list(line) for line in s["evidence"]],
                      f["fingerprint"], f["column_url"] or "", s["involved_url"]]
                     for f in report["findings"] for s in [f.get("shown") or for_reader(f, lang)]],
        # the ledger's cells in its column order, then the document's url
        "documents": [[d["index_no"] or "", d["title"] or d["url"], d["publisher"] or "", d["written_date"] or "",
                       d["publish_date"] or "", d["doc_no"] or "", d["category"] or "", d["validity"] or "", d["kind"] or "",
                       d["url"]] for d in report["documents"]],
    }


JSON_ROWS = 1000  # findings or documents encoded at a time when the page is written


def write_json(out, value: dict) -> None:
    """``value`` as JSON for a <script type="application/json"> block, written to ``out`` a slice of
    rows at a time (at 100 000 findings the JSON is tens of MB: the report process does not hold it,
    nor the page around it, whole). No ``<`` is left, so no text inside can close the block
    (``</script>``) or open a comment; JSON.parse reads the escapes back."""
    def dumps(part) -> str:
        return json.dumps(part, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)

    out.write("{")
    for i, (key, part) in enumerate(value.items()):
        out.write(("," if i else "") + dumps(key) + ":")
        if isinstance(part, list):
            out.write("[")
            for start in range(0, len(part), JSON_ROWS):  # "[a,b]" of each slice, without its brackets
                out.write(("," if start else "") + dumps(part[start:start + JSON_ROWS])[1:-1])
            out.write("]")
        else:
            out.write(dumps(part))
    out.write("}")


def write(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules=None, lang: str = "zh", check_no: int = 0) -> Path:
    """The report page ``out_dir/index.html``: the template around the findings' JSON, which is
    written into the file in slices (write_json); the file appears whole or not at all."""
    if rules is None:
        from checks.engine import rules_for_run

        rules = rules_for_run()
    report = report_data.build(conn, scan_id, rules, check_no)
    for f in report["findings"]:  # once, for the rows rendered here and the script's data
        f["shown"] = for_reader(f, lang)
    # times stored in UTC, shown in Beijing time
    report["scan"] = {**report["scan"], **{key: beijing(report["scan"].get(key), lang)
                                           for key in ("started_at", "finished_at", "checked_at")}}
    for host in (report.get("ipv6") or {}).get("hosts", []):  # the IPv6 table: probe failures in words, not codes
        for key in ("v4_error", "v6_error"):
            if host.get(key):
                host[key] = failure_words(host[key], lang=lang)
    t = TEXT[lang]
    json_slot = f"zwgk-json-{secrets.token_hex(16)}"  # no crawled text can hold it
    page = _env.get_template("report.html.j2").render(
        r=report, t=t, lang=lang, csp=_CSP_SLOT, static_rows=STATIC_ROWS, page_sizes=PAGE_SIZES,
        page_size=PAGE_SIZE, table_json=Markup(json_slot))
    # crawled text is escaped, so every <script>/<style> in the output is the template's own; the
    # JSON block has a type attribute and holds no "<": it takes no part in the policy
    page = page.replace(_CSP_SLOT, content_security_policy(page), 1)
    head, tail = page.split(json_slot, 1)
    path = out_dir / "index.html"
    partial = out_dir / ".index.html.part"
    with open(partial, "w", encoding="utf-8") as out:
        out.write(head)
        write_json(out, table_data(report, t, lang))
        out.write(tail)
    partial.replace(path)
    return path
