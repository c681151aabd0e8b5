"""The content of the annual disclosure report (政府信息公开工作年度报告, 条例第四十九条、第五十条;
年报格式2021): its parts and tables, the arithmetic of its numbers, and the numbers carried from
one year's report to the next. Reads the tables the crawler stored (crawler/report_tables.py);
what the rows mean is checks/report_format.py.

Which reports: every page or attachment the crawl took for an annual report (its title, link text
or file name names one, or it is attached to one). Reports for years before 2019 followed an older
form and are not read. A page that only announces or explains a report (解读, 通知 …), outside the
年报 column and without any of the report's tables, is not taken for a report; a report page whose
tables are in its attachment is checked through the attachment.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from checks.registry import Finding, rule
from checks.report_format import Report, carryover, format_problems, read_report, relations

_NOT_A_REPORT = re.compile(r"解读|通知|关于|图解|问答|说明|征集|目录")
_UNREADABLE = {"image_only": "扫描图片，没有文字层 scanned images without a text layer", "encrypted": "加密 encrypted",
               "corrupt": "文件损坏 damaged file", "empty": "空文件 empty", "wrong_type": "文件类型不符 not the file type its name says",
               "too_large": "文件过大 too large", "timeout": "读取超时 timed out", "unsupported": "格式无法读取 unsupported format"}


def _reports(ctx) -> list[tuple]:
    """[(annual_reports row, Report or None when unreadable)] of the scan, in URL order."""
    return ctx.memo("annual_reports", lambda: _read_all(ctx))


def _read_all(ctx) -> list[tuple]:
    if not ctx.table_columns("annual_reports"):
        return []  # a database written before reports were read
    tables: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for r in ctx.stream("select url, table_no, row_no, cells from report_tables where scan_id = ? order by url, table_no, row_no"):
        tables[r["url"]][r["table_no"]].append(json.loads(r["cells"]))
    rows = ctx.rows("select * from annual_reports where scan_id = ? order by url")
    with_file = {r["source_url"] for r in rows if r["source"] != "html"}  # pages whose report is attached
    listed = {r["item_url"] for r in ctx.rows(
        "select ci.item_url from column_items ci join columns c on c.scan_id = ci.scan_id and c.url = ci.column_url "
        "where ci.scan_id = ? and c.type = '信息公开年报'")}
    out = []
    for row in rows:
        if row["year"] is not None and row["year"] < 2019:
            continue  # the 2008 form: not this format
        if row["problem"]:
            out.append((row, None))
            continue
        if row["source"] == "html" and not row["tables"] and row["url"] in with_file:
            continue  # the page of a report whose tables are its attachment (checked, or said unreadable, there)
        report = read_report([t for _, t in sorted(tables[row["url"]].items())], json.loads(row["headings"] or "[]"), row["year"])
        found_any = report.t2 or report.t3 or report.t4
        if not found_any and (row["url"] not in listed and row["source_url"] not in with_file
                              and _NOT_A_REPORT.search(row["title"] or "")):
            continue  # a notice or an interpretation of the report, not the report
        out.append((row, report))
    return out


def _where(row, report: Report | None) -> str:
    year = row["year"] or (report.year if report else None)
    return f"{year}年度报告" if year else "年度报告"


@rule("disclosure.annual_report_format")
def annual_report_format(ctx, params):
    """A part, a table, rows or columns of the format missing; a report that could not be read."""
    for row, report in _reports(ctx):
        base = {"title": row["title"], "year": row["year"], "source": row["source"], "source_url": row["source_url"]}
        if report is None:
            why = _UNREADABLE.get(row["problem"], row["problem"])
            yield Finding(
                "disclosure.annual_report_format", row["url"],
                f"{_where(row, None)}无法读取（{why.split(' ')[0]}），未能核对其格式和数据",
                f"the annual report could not be read ({why.split(' ', 1)[-1]}); its format and numbers were not checked",
                {**base, "problem": row["problem"], "detail": row["detail"]}, key="unreadable", severity="warning")
            continue
        for problem in format_problems(report):
            yield Finding("disclosure.annual_report_format", row["url"], f"{_where(row, report)}：{problem.message_zh}",
                          problem.message_en, {**base, "form": report.form, **problem.evidence}, key=problem.key)


@rule("disclosure.annual_report_inconsistent")
def annual_report_inconsistent(ctx, params):
    """Every relation between the report's numbers that does not hold, one finding each."""
    for row, report in _reports(ctx):
        if report is None:
            continue
        for problem in relations(report):
            yield Finding("disclosure.annual_report_inconsistent", row["url"], f"{_where(row, report)}：{problem.message_zh}",
                          problem.message_en, {"title": row["title"], "year": row["year"], "form": report.form, **problem.evidence},
                          key=problem.key)


_YEAR = re.compile(r"[（(]?\s*(?:19|20)\d{2}\s*年?度?\s*[）)]?")
_GENERIC = re.compile(r"政府信息公开(?:工作)?(?:年度)?(?:报告|年报)|年度报告|年报|报告|人民政府|附件\s*\d*|"
                      r"[（(]?\d{0,3}[）)]?\.(?:pdf|docx?|xlsx?|wps|html?)$|[《》〈〉“”\"'\s:：、，,。（）()\-—_·]", re.I)


def issuer(title: str | None) -> str:
    """Who a report is of, from its title: what is left without the year and the generic words
    (「市财政局2025年政府信息公开工作年度报告」→ 市财政局; a department's own 「2025年度报告」→ '')."""
    return _GENERIC.sub("", _YEAR.sub("", title or ""))


@rule("disclosure.annual_report_carryover")
def annual_report_carryover(ctx, params):
    """This year's 上年结转 against last year's 结转下年度; 现行有效件数 across the two years — of one
    issuer's reports (a portal carries the reports of many departments): an attachment is named by
    the report page it is attached to."""
    reports = _reports(ctx)
    titles = {row["url"]: row["title"] for row, _ in reports}
    pages = {row["source_url"] for row, _ in reports if row["source"] != "html" and row["source_url"] not in titles}
    if pages:  # the pages the attachments hang on, by their own titles
        marks = ",".join("?" * len(pages))
        titles.update({r["url"]: r["title"] for r in ctx.rows(
            f"select url, title from pages where scan_id = ? and url in ({marks}) and title is not null", tuple(pages))})
    best: dict[tuple[str, int], tuple] = {}
    for row, report in reports:
        if report is None or row["year"] is None or not report.t3:
            continue
        key = (issuer(titles.get(row["source_url"]) if row["source"] != "html" and row["source_url"] in titles
                      else row["title"]), row["year"])
        if key not in best or (row["source"] == "html") < (best[key][0]["source"] == "html"):
            best[key] = (row, report)  # one copy per issuer and year (the attachment before its page)
    for (who, year), (row, report) in sorted(best.items()):
        if (who, year - 1) not in best:
            continue
        last_row, last = best[(who, year - 1)]
        for problem in carryover(report, last):
            yield Finding("disclosure.annual_report_carryover", row["url"], f"{year}年度报告：{problem.message_zh}",
                          problem.message_en, {"title": row["title"], "last_year_url": last_row["url"], **problem.evidence},
                          key=problem.key)
