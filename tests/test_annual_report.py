"""The annual disclosure report's content: real reports read as published, with their real errors (five
official reports and one project's test fixture, see tests/fixtures/corpus/SOURCES.md), each relation
broken one at a time in a copy beside look-alikes that add up, the report as an HTML page, a PDF (ruled
and not) and a Word attachment, and one crawl of a small local site."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from annual_report_files import COLUMNS, docx_report, numbers, pdf_report
from checks.engine import rules_for_run, run_checks
from checks.report_format import carryover, format_problems, read_report, relations
from crawler.attachments import parse
from crawler.report_tables import headings, html_report, is_annual_report, report_year
from tests.conftest import FAST, run_zwgk
from tests.http_site import page, serve

CORPUS = Path(__file__).parent / "fixtures" / "corpus" / "annual_reports"


def read_html(html: str | bytes, title: str = ""):
    tables, text = html_report(html if isinstance(html, bytes) else html.encode(), "text/html; charset=utf-8")
    return read_report(tables, headings(text), report_year(title, text))


def keys(report):
    return {p.key for p in format_problems(report)} | {p.key for p in relations(report)}


def shanghai_2019() -> str:
    js = (CORPUS / "shanghai_2019_office_content.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"let content = (\".*\")\s*$", js, re.S)[1])


def report_2025() -> str:
    return (CORPUS / "testcity_2025_filing_fixture.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- real reports

def test_2021_form_html_report_reads_and_adds_up():
    r = read_html(report_2025(), "测试市2025年政府信息公开工作年度报告")
    assert (r.year, r.form, len(r.parts), len(r.t3)) == (2025, "2021", 6, 25)
    assert r.t3["new"]["总计"].value == 14069 and r.t3["total"]["总计"].value == 13810
    assert r.t3["carried_out"]["总计"].value == 819 and r.t3["ot3"]["自然人"].value == 941
    assert [c.value for c in r.t2["行政规范性文件"]] == [564, 984, 4185] and r.t2["行政许可"][0].value == 11398889
    assert [c.value for c in r.t4["行政诉讼（复议后起诉）"].values()] == [74, 1, 30, 51, 156]
    assert keys(r) == set()  # this report's arithmetic holds


def test_2019_form_report_from_a_javascript_string_and_its_real_errors():
    """Shanghai's 2019 report (2019 form: （六）其他处理 without items, table 二 with 新制作/新公开):
    its 总计 column is blank in every result row although the rows have applications — real errors."""
    r = read_html(shanghai_2019())
    assert (r.year, r.form, r.t2_form, len(r.parts), len(r.t3)) == (2019, "2019", "2019", 6, 23)
    assert r.t3["new"]["总计"].value == 859 and r.t3["total"]["总计"].value == 805 and r.t3["carried_out"]["总计"].value == 72
    assert r.t3["open"]["自然人"].value == 258 and r.t3["open"]["总计"].blank
    assert {g: row["总计"].value for g, row in r.t4.items()} == {"行政复议": 7, "行政诉讼（未经复议直接起诉）": 9, "行政诉讼（复议后起诉）": 0}
    assert format_problems(r) == []
    found = {p.key: p for p in relations(r)}
    blank_totals = {"open": 272, "partial": 3, "deny1": 14, "deny5": 5, "deny6": 4, "deny8": 12, "na1": 265, "na2": 47,
                    "na3": 25, "np1": 149, "np2": 9}
    from checks.report_format import LABELS
    assert set(found) == {f"三:{LABELS[k]}:总计" for k in blank_totals} | {"三:三、（七）总计:总计"}
    assert found["三:三、（一）予以公开:总计"].evidence["sum"] == 272 and "空白" in found["三:三、（一）予以公开:总计"].message_zh
    assert found["三:三、（七）总计:总计"].evidence["difference"] == 805
    # 一 + 二 = 三（七） + 四 holds in every column (821 + 18 = 767 + 72)
    assert not any(k.startswith("三:一+二") for k in found)


def test_county_department_page_in_word_markup_with_blank_columns():
    """沭阳县发展和改革局 2023 (2021 form), its page as the county portal's CMS serves it: Word-pasted cells
    (<p><span> runs splitting 自然</span><span>人, 商业 / 企业 in two paragraphs, <o:p>), the five 法人或其他组织
    columns left blank in every row, table 二 with “规范性文件” for 行政规范性文件: it adds up, nothing to report."""
    r = read_html((CORPUS / "shuyang_fgj_2023_page.html").read_bytes(), "沭阳县发展和改革局2023年政府信息公开年度报告")
    assert (r.year, r.form, r.t2_form, len(r.parts), len(r.t3), r.t3_unknown) == (2023, "2021", "2021", 6, 25, [])
    assert [c.value for c in r.t3["new"].values()] == [26, 0, 0, 0, 0, 0, 26] and r.t3["new"]["商业企业"].blank
    assert (r.t3["carried_in"]["总计"].value, r.t3["total"]["总计"].value, r.t3["carried_out"]["总计"].value) == (0, 26, 0)
    assert r.t3["open"]["自然人"].value == 26 and r.t3["open"]["总计"].value == 26
    assert [c.value for c in r.t2["规范性文件"]] == [8, 0, 18]
    assert {g: [c.value for c in row.values()] for g, row in r.t4.items()} == {
        "行政复议": [0, 0, 0, 1, 1], "行政诉讼（未经复议直接起诉）": [0] * 5, "行政诉讼（复议后起诉）": [0] * 5}
    assert keys(r) == set()  # “规范性文件” is the form's 行政规范性文件 row, not a row missing


def converted(name: str, title: str):
    return read_html((CORPUS / f"{name}_converted.html").read_bytes(), title)


def test_markdown_copies_are_converted_as_stored():
    """The three markdown copies (an OCR of one report, two PDF extractions) are read through the HTML
    that md_to_html.py makes of them; converting again gives the stored HTML."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("md_to_html", CORPUS / "md_to_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for md, (html, _) in module.FILES.items():
        assert module.convert(md) == (CORPUS / html).read_text(encoding="utf-8"), md


def test_county_government_2025_from_an_ocr_copy():
    """沭阳县人民政府 2025 (2021 form; the OCR copy writes 沐阳): every relation holds."""
    r = converted("shuyang_county_2025", "沭阳县人民政府2025年政府信息公开工作年度报告")
    assert (r.year, r.form, r.t2_form, len(r.parts), len(r.t3)) == (2025, "2021", "2021", 6, 25)
    assert [c.value for c in r.t3["new"].values()] == [705, 3, 0, 0, 5, 0, 713]
    assert (r.t3["carried_in"]["总计"].value, r.t3["total"]["总计"].value, r.t3["carried_out"]["总计"].value) == (36, 718, 31)
    assert [c.value for c in r.t3["ot3"].values()] == [142, 1, 0, 0, 0, 0, 143]
    assert [c.value for c in r.t2["行政规范性文件"]] == [6, 1, 32] and r.t2["行政事业性收费"][0].raw == "4068.208"
    assert {g: row["总计"].value for g, row in r.t4.items()} == {"行政复议": 61, "行政诉讼（未经复议直接起诉）": 3, "行政诉讼（复议后起诉）": 10}
    assert keys(r) == set()


def test_shanghai_commission_2024_from_a_pdf_extraction():
    """上海市科委 2024 (2021 form): the numbers add up; part 五's heading did not survive the PDF
    extraction (the copy has only （一）主要问题 / （二）改进情况), so the format check says so — of the copy."""
    r = converted("shanghai_stcsm_2024", "2024年上海市科委政府信息公开工作年度报告")
    assert (r.year, r.form, r.t2_form, len(r.t3)) == (2024, "2021", "2021", 25)
    assert [c.value for c in r.t3["new"].values()] == [32, 2, 0, 0, 0, 0, 34]
    assert (r.t3["carried_in"]["总计"].value, r.t3["total"]["总计"].value, r.t3["carried_out"]["总计"].value) == (2, 35, 1)
    assert [c.value for c in r.t3["ot1"].values()] == [8, 2, 0, 0, 0, 0, 10] and r.t3["na2"]["总计"].value == 6
    assert [c.value for c in r.t2["规范性文件"]] == [13, 0, 55] and r.t2["行政许可"][0].value == 97
    assert {g: row["总计"].value for g, row in r.t4.items()} == {"行政复议": 1, "行政诉讼（未经复议直接起诉）": 0, "行政诉讼（复议后起诉）": 0}
    assert relations(r) == []
    assert [(p.key, p.evidence["missing"]) for p in format_problems(r)] == [("parts", ["五、存在的主要问题及改进情况"])]


def test_shanghai_general_office_2025_from_a_pdf_extraction():
    """上海市人民政府办公厅 2025 (2021 form): 1295 new + 189 carried in = 1191 handled + 293 carried over, in
    every column; table 四 55 / 12 / 22. Part 五's heading is lost in the extraction (as above)."""
    r = converted("shanghai_office_2025", "2025年上海市人民政府办公厅政府信息公开工作年度报告")
    assert (r.year, r.form, r.t2_form, len(r.t3)) == (2025, "2021", "2021", 25)
    assert [c.value for c in r.t3["new"].values()] == [1259, 36, 0, 0, 0, 0, 1295]
    assert [c.value for c in r.t3["carried_in"].values()] == [170, 15, 0, 0, 4, 0, 189]
    assert (r.t3["total"]["总计"].value, r.t3["carried_out"]["总计"].value, r.t3["na1"]["总计"].value) == (1191, 293, 513)
    assert [c.value for c in r.t2["规章"]] == [22, None, 235] and r.t2["行政规范性文件"][2].value == 189
    assert {g: [c.value for c in row.values()] for g, row in r.t4.items()} == {
        "行政复议": [40, 0, 10, 5, 55], "行政诉讼（未经复议直接起诉）": [2, 0, 4, 6, 12], "行政诉讼（复议后起诉）": [6, 0, 9, 7, 22]}
    assert relations(r) == []
    assert [p.key for p in format_problems(r)] == ["parts"]


# ----------------------------------------------------------------------------- planted errors

def grid(t3=None, t2=None, t4=None, order=COLUMNS):
    """Tables as the crawler stores an HTML page's: table 三 with its header rows on the grid."""
    d3, d2, d4 = numbers()
    t3, t2, t4 = t3 or d3, t2 or d2, t4 or d4
    idx = [COLUMNS.index(c) for c in order]
    three = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, None, "申请人情况", *[None] * (len(order) - 1)],
             [None, None, None, *("法人或其他组织" if c in COLUMNS[1:6] else c for c in order)],
             [None, None, None, *("" if c in ("自然人", "总计") else c for c in order)]]
    for group, label, values in t3:
        g = group if group.startswith("（") else ""
        three.append([g, label, None, *("" if values[i] is None else str(values[i]) for i in idx)])
    two = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]] + [[n, *map(str, v), *[None] * (3 - len(v))] for n, v in t2]
    four = [["行政复议", *[None] * 4, "行政诉讼", *[None] * 9], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
            [str(v) for v in t4]]
    return [two, three, four]


PARTS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
         "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def check(tables, parts=PARTS, year=2024):
    return keys(read_report(tables, parts, year))


def setcell(t3, label_part, column, value):
    row = next(r for r in t3 if label_part in r[1])
    row[2][COLUMNS.index(column)] = value


def test_each_relation_broken_alone():
    assert check(grid()) == set()
    t3, _, _ = numbers()
    setcell(t3, "予以公开", "总计", 5549)  # a row total (and so the 总计 column's （七）)
    assert check(grid(t3)) == {"三:三、（一）予以公开:总计", "三:三、（七）总计:总计"}
    t3, _, _ = numbers()
    setcell(t3, "结转下年度", "自然人", 784)
    setcell(t3, "结转下年度", "总计", 820)  # carried over more than came in
    assert check(grid(t3)) == {"三:一+二=三（七）+四:自然人", "三:一+二=三（七）+四:总计"}
    t3, _, _ = numbers()
    setcell(t3, "3.其他", "自然人", 940)
    setcell(t3, "3.其他", "总计", 964)  # the rows no longer add up to （七）总计
    found = {p.key: p for p in relations(read_report(grid(t3), PARTS, 2024))}
    assert set(found) == {"三:三、（七）总计:自然人", "三:三、（七）总计:总计"}
    assert found["三:三、（七）总计:自然人"].evidence["difference"] == 1
    _, _, t4 = numbers()
    t4[4] = 791
    assert check(grid(t4=t4)) == {"四:行政复议:总计"}
    t3, _, _ = numbers()
    setcell(t3, "予以公开", "科研机构", "暂无")  # not a count: said, and left out of its sums
    assert check(grid(t3)) == {"三:三、（一）予以公开:科研机构:value"}
    t3, _, _ = numbers()
    setcell(t3, "部分公开", "社会公益组织", -3)
    assert check(grid(t3)) == {"三:三、（二）部分公开:社会公益组织:value"}


def test_look_alikes_that_add_up_give_nothing():
    t3, t2, t4 = numbers()
    relabel = {"一、本年新收政府信息公开申请数量": "一、本 年 新 收 政府信息公开申请数量", "（一）予以公开": "(一)予以公开",
               "1.属于国家秘密": "１．属于国家秘密", "2.其他法律行政法规禁止公开": "2、其他法律、行政法规禁止公开",
               "3.其他": "3. 其他", "2.重复申请": "（2）重复申请", "四、结转下年度继续办理": "四、结转下一年度继续办理",
               "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关\n确认或重新出具已获取信息"}
    t3 = [(g, relabel.get(label, label), [f"{v:,}" if v > 999 else (v or "—") for v in values]) for g, label, values in t3]
    assert check(grid(t3)) == set()
    # the 总计 column first, the applicant columns after it: read by the header, not by position
    assert check(grid(order=["总计", *COLUMNS[:-1]])) == set()


def test_html_variants_totals_first_split_labels_and_table_four_by_rows():
    """总计 first under a three-row header (法人或其他组织 over five columns, 自然<br>人), group labels in
    rowspan cells beside item labels cut by <br>, numbers in <p><span> with commas, blanks as &nbsp;,
    and table 四 as three rows of five: read alike, nothing to report."""
    t3, _, t4 = numbers()
    order = [COLUMNS[-1], *COLUMNS[:-1]]
    head = ("<tr><td rowspan='3' colspan='2'>项目</td><td rowspan='3'>总计</td><td colspan='6'>申请人情况</td></tr>"
            "<tr><td rowspan='2'>自然<br>人</td><td colspan='5'>法人或其他组织</td></tr>"
            "<tr><td>商业<br/>企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>")
    sizes = {g: sum(1 for x, _, _ in t3 if x == g) for g, _, _ in t3 if g.startswith("（")}
    body, seen = "", set()
    for group, label, values in t3:
        cells = "".join(f"<td><p><span>{values[COLUMNS.index(c)]:,}</span></p></td>" if values[COLUMNS.index(c)]
                        else "<td>&nbsp;</td>" for c in order)
        if group in sizes:
            first = "" if group in seen else f"<td rowspan='{sizes[group]}'>{group}</td>"
            seen.add(group)
            body += f"<tr>{first}<td>{label[:4]}<br>{label[4:]}</td>{cells}</tr>"
        else:
            body += f"<tr><td colspan='2'>{label}</td>{cells}</tr>"
    four = "<tr><td></td>" + "".join(f"<td>{c}</td>" for c in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")) + "</tr>"
    for n, name in enumerate(("行政复议", "未经复议直接起诉", "复议后起诉")):
        four += f"<tr><td>{name}</td>" + "".join(f"<td>{v}</td>" for v in t4[n * 5:n * 5 + 5]) + "</tr>"
    r = read_html(f"<div>三、收到和处理政府信息公开申请情况</div><table>{head}{body}</table><table>{four}</table>")
    assert len(r.t3) == 25 and r.t3_columns[0] == "总计" and len(r.t4) == 3
    assert r.t3["new"]["总计"].value == 14069 and r.t4["行政诉讼（复议后起诉）"]["总计"].value == 156
    assert relations(r) == []


def test_format_problems_are_named_and_a_foreign_table_is_one_finding():
    t3, _, _ = numbers()
    t3 = [r for r in t3 if "出版物" not in r[1] and "行政查询" not in r[1]]
    found = {p.key: p for p in format_problems(read_report(grid(t3), PARTS[:4] + PARTS[5:], 2024))}
    assert set(found) == {"parts", "rows:三"}
    assert found["parts"].evidence["missing"] == ["五、存在的主要问题及改进情况"]
    assert any("出版物" in m for m in found["rows:三"].evidence["missing"]) and len(found["rows:三"].evidence["missing"]) == 2
    # a row missing: （七）总计 is not compared with an incomplete sum (no false finding)
    assert not any(k.startswith("三:三、（七）") for k in keys(read_report(grid(t3), PARTS, 2024)))
    # a column left out: named, and the sums that need it are not made up
    no_research = read_report(grid(order=[c for c in COLUMNS if c != "科研机构"]), PARTS, 2024)
    assert keys(no_research) == {"columns:三"} and len(no_research.t3) == 25
    foreign = [[["项目", "数量"], ["收到来信", "12"], ["办结", "10"]]]
    assert [p.key for p in format_problems(read_report(foreign, ["一、工作概况"], 2024))] == ["format"]
    # a 2023 report in the 2019 form (no items under （六）其他处理)
    old = [r for r in numbers()[0] if r[0] != "（六）其他处理"]
    old.insert(-2, ("三、本年度办理结果", "（六）其他处理", [1458, 20, 0, 2, 3, 3, 1486]))
    assert check(grid(old), year=2023) == {"form"}


def test_carryover_across_two_years():
    this = read_report(grid(), PARTS, 2025)
    t3, t2, _ = numbers()
    t3[-1] = ("", "四、结转下年度继续办理", [535, 6, 0, 1, 18, 0, 560])  # = this year's 上年结转
    t2[0] = ("规章", [2, 0, 76])  # 76 + 3 − 5 = 74
    t2[1] = ("行政规范性文件", [500, 100, 4605])  # 4605 + 564 − 984 = 4185
    assert carryover(this, read_report(grid(t3, t2), PARTS, 2024)) == []
    t3[-1][2][0], t2[0][1][2] = 536, 70
    found = {p.key: p for p in carryover(this, read_report(grid(t3, t2), PARTS, 2024))}
    assert set(found) == {"结转:自然人", "现行有效:规章"}
    assert found["现行有效:规章"].evidence["expected"] == 68


# ----------------------------------------------------------------------------- files

@pytest.mark.parametrize("make", [docx_report, pdf_report, lambda y, *a: pdf_report(y, *a, ruled=False)],
                         ids=["docx", "pdf-ruled", "pdf-plain"])
def test_word_and_pdf_reports(make):
    result = parse(make(2024), None, tables=True)
    r = read_report(result.tables, headings(result.text), report_year("", result.text))
    assert (r.year, r.form, len(r.parts), len(r.t3), len(r.t4)) == (2024, "2021", 6, 25, 3)
    assert keys(r) == set()
    t3, t2, t4 = numbers()
    setcell(t3, "予以公开", "总计", 5549)
    result = parse(make(2024, t3, t2, t4), None, tables=True)
    assert keys(read_report(result.tables, headings(result.text), 2024)) == {"三:三、（一）予以公开:总计", "三:三、（七）总计:总计"}


def test_spreadsheet_report():
    """A report kept as a workbook, one table a sheet (merged cells read as empty)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    t3, _, _ = numbers()
    setcell(t3, "结转下年度", "总计", 818)
    for n, table in enumerate(grid(t3), 1):
        sheet = book.create_sheet(f"表{n}")
        for row in table:
            sheet.append([int(c) if c and c.isdigit() else c for c in row])
    out = io.BytesIO()
    book.save(out)
    result = parse(out.getvalue(), None, tables=True)
    r = read_report(result.tables, PARTS, 2024)
    assert len(r.t3) == 25 and keys(r) == {"三:四、结转下年度继续办理:总计", "三:一+二=三（七）+四:总计"}


def test_what_names_an_annual_report():
    assert is_annual_report("测试市2025年政府信息公开工作年度报告_测试市人民政府")
    assert is_annual_report(None, "/files/2024年政府信息公开年报.pdf")
    assert not is_annual_report("2024年政府工作报告", "关于印发年度工作要点的通知")


# ----------------------------------------------------------------------------- one crawl

AS_OF = date(2026, 3, 1)


def _site():
    t3, t2, t4 = numbers()  # 2024 and 2023: their numbers chain into 2025's (the real report's)
    t3[0] = ("", t3[0][1], [13364, 252, 0, 44, 121, 29, 13810])
    t3[-1] = ("", t3[-1][1], [535, 6, 0, 1, 18, 0, 560])
    t2_2024 = [("规章", [2, 0, 76]), ("行政规范性文件", [500, 100, 4605]), *t2[2:]]
    t2_2023 = [("规章", [1, 1, 70]), ("行政规范性文件", [400, 50, 4205]), *t2[2:]]  # 规章: 70 + 2 − 0 ≠ 76 (planted)
    planted = copy.deepcopy(t3)
    setcell(planted, "予以公开", "总计", 5549)  # planted in the 2024 PDF
    from zwgk.demo.files import scanned_pdf

    files = {"/files/2024.pdf": pdf_report(2024, planted, t2_2024, t4), "/files/2023.docx": docx_report(2023, t3, t2_2023, t4),
             "/files/2022.pdf": scanned_pdf()}
    items = [("2025.html", "测试市2025年政府信息公开工作年度报告", "2026-01-20"),
             ("2024.html", "测试市2024年政府信息公开工作年度报告", "2025-01-20"),
             ("2023.html", "测试市2023年政府信息公开工作年度报告", "2024-01-20"),
             ("2022.html", "测试市2022年政府信息公开工作年度报告", "2023-01-20")]
    attach = {"2024.html": "/files/2024.pdf", "2023.html": "/files/2023.docx", "2022.html": "/files/2022.pdf"}
    ctype = {".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

    def answer(method, path, query, body):
        if path == "/":
            return 200, {}, page("测试市人民政府", "<a href='/ndbg/'>政府信息公开年报</a> <a href='/jd/1.html'>"
                                 "关于测试市2025年政府信息公开工作年度报告的解读</a>"), 0
        if path == "/ndbg/":
            lis = "".join(f"<li><a href='/ndbg/{u}'>{t}</a><span>{d}</span></li>" for u, t, d in items)
            return 200, {}, page("政府信息公开年报", f"<h2>政府信息公开年报</h2><ul class='list'>{lis}</ul>"), 0
        if path == "/ndbg/2025.html":
            return 200, {}, report_2025().encode(), 0
        name = path.rsplit("/", 1)[-1]
        if path.startswith("/ndbg/") and name in attach:
            title = next(t for u, t, _ in items if u == name)
            return 200, {}, page(title, f"<h1>{title}</h1><p>发布日期：2025-01-20</p><p>附件：<a href='{attach[name]}'>"
                                        f"{title}{attach[name][-5:].lstrip('/')}</a></p>"), 0
        if path == "/jd/1.html":
            return 200, {}, page("关于测试市2025年政府信息公开工作年度报告的解读", "<h1>解读</h1><p>年报解读正文。</p>"), 0
        if path in files:
            return 200, {"Content-Type": ctype[path[path.rindex("."):]]}, files[path], 0
        return 404, {}, page("404", "页面不存在"), 0

    return answer


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("ndbg") / "r.db"
    with serve(_site()) as server:
        run_zwgk("crawl", server.base + "/", "--db", db, "--quiet", "--no-ipv6", "--no-render", *FAST)
    select = ("disclosure.annual_report_format", "disclosure.annual_report_inconsistent", "disclosure.annual_report_carryover")
    found = run_checks(str(db), 1, rules_for_run(), as_of=AS_OF, select=select, workers=1)
    return {"db": db, "base": server.base, "findings": [{**f, "url": f["url"][len(server.base):]} for f in found]}


def test_crawl_stores_reports_and_their_tables(crawled):
    with sqlite3.connect(crawled["db"]) as conn:
        reports = {u[len(crawled["base"]):]: (s, y, t, p) for u, s, y, t, p in
                   conn.execute("select url, source, year, tables, problem from annual_reports")}
        rows = conn.execute("select count(*) from report_tables").fetchone()[0]
    assert reports["/ndbg/2025.html"] == ("html", 2025, 3, None)
    assert reports["/files/2024.pdf"][:2] == ("pdf", 2024) and reports["/files/2023.docx"][:3] == ("docx", 2023, 3)
    assert reports["/files/2022.pdf"][3] == "image_only"
    assert rows > 60


def test_crawl_findings_with_their_evidence(crawled):
    got = {(f["rule"], f["url"], f["evidence"].get("row") or f["evidence"].get("problem") or f["evidence"].get("column"))
           for f in crawled["findings"]}
    assert got == {
        ("disclosure.annual_report_inconsistent", "/files/2024.pdf", "三、（一）予以公开"),
        ("disclosure.annual_report_inconsistent", "/files/2024.pdf", "三、（七）总计"),
        ("disclosure.annual_report_format", "/files/2022.pdf", "image_only"),  # said, not passed
        ("disclosure.annual_report_carryover", "/files/2024.pdf", "规章"),
    }
    row = next(f for f in crawled["findings"] if f["evidence"].get("row") == "三、（一）予以公开")
    assert row["evidence"]["stated"] == 5549 and row["evidence"]["sum"] == 5548 and row["evidence"]["difference"] == 1
    unread = next(f for f in crawled["findings"] if f["rule"] == "disclosure.annual_report_format")
    assert unread["severity"] == "warning"


def test_rules_command_lists_the_report_rules():
    out = run_zwgk("rules").stdout
    for rule in ("disclosure.annual_report_format", "disclosure.annual_report_inconsistent", "disclosure.annual_report_carryover"):
        assert rule in out


def test_the_carryover_compares_one_issuers_reports():
    """A portal carries many departments' reports: a year is compared with the same issuer's year
    before (the title without its year and generic words; an attachment by the page it hangs on)."""
    from checks.annual_report import issuer

    assert issuer("青阳市财政局2025年政府信息公开工作年度报告") == issuer("青阳市财政局2024年度政府信息公开工作年度报告") == "青阳市财政局"
    assert issuer("青阳市生态环境局2025年政府信息公开工作年度报告.docx") != issuer("青阳市财政局2024年政府信息公开工作年度报告")
    assert issuer("测试市2024年政府信息公开工作年度报告4.pdf") == issuer("测试市（2023年）政府信息公开工作年报") == "测试市"
    assert issuer("2025年度报告.pdf") == issuer("2024年政府信息公开工作年度报告") == ""
