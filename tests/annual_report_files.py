"""Annual reports as Word and PDF files, built from the numbers of a real report (DERIVED test files:
no real PDF/DOCX report was found in the public code index, see tests/fixtures/corpus/SOURCES.md).

``T3``/``T2``/``T4`` are the numbers of tests/fixtures/corpus/annual_reports/testcity_2025_filing_fixture.html
(a public repository's copy of a 2021-form report, whose arithmetic holds); a test changes a copy of
them to plant an error. The Word file merges cells as Word users do (the 法人或其他组织 group header
across five columns, each group label down its rows); the PDFs draw the tables with or without
ruling lines (fpdf2, the system's WenQuanYi Zen Hei font)."""

from __future__ import annotations

import atexit
import copy
import functools
import io
import logging
import os
import tempfile

logging.getLogger("fontTools").setLevel(logging.ERROR)  # "BDF NOT subset": the font's bitmap table, not needed

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

# (group label, row label, seven numbers) in the 2021 form's order
T3 = [
    ("", "一、本年新收政府信息公开申请数量", [13612, 252, 0, 45, 128, 32, 14069]),
    ("", "二、上年结转政府信息公开申请数量", [535, 6, 0, 1, 18, 0, 560]),
    ("三、本年度办理结果", "（一）予以公开", [5345, 129, 0, 41, 19, 14, 5548]),
    ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [2120, 39, 0, 1, 6, 2, 2168]),
    ("（三）不予公开", "1.属于国家秘密", [13, 0, 0, 0, 0, 0, 13]),
    ("（三）不予公开", "2.其他法律行政法规禁止公开", [30, 0, 0, 0, 0, 0, 30]),
    ("（三）不予公开", "3.危及“三安全一稳定”", [11, 0, 0, 0, 0, 0, 11]),
    ("（三）不予公开", "4.保护第三方合法权益", [49, 2, 0, 0, 0, 0, 51]),
    ("（三）不予公开", "5.属于三类内部事务信息", [103, 1, 0, 0, 0, 0, 104]),
    ("（三）不予公开", "6.属于四类过程性信息", [84, 1, 0, 0, 0, 0, 85]),
    ("（三）不予公开", "7.属于行政执法案卷", [282, 4, 0, 0, 0, 0, 286]),
    ("（三）不予公开", "8.属于行政查询事项", [147, 0, 0, 0, 1, 2, 150]),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", [3075, 50, 0, 0, 89, 8, 3222]),
    ("（四）无法提供", "2.没有现成信息需要另行制作", [177, 3, 0, 0, 0, 0, 180]),
    ("（四）无法提供", "3.补正后申请内容仍不明确", [19, 0, 0, 0, 0, 0, 19]),
    ("（五）不予处理", "1.信访举报投诉类申请", [199, 1, 0, 0, 3, 0, 203]),
    ("（五）不予处理", "2.重复申请", [147, 1, 0, 0, 0, 0, 148]),
    ("（五）不予处理", "3.要求提供公开出版物", [0, 0, 0, 0, 0, 0, 0]),
    ("（五）不予处理", "4.无正当理由大量反复申请", [100, 1, 0, 0, 0, 0, 101]),
    ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", [5, 0, 0, 0, 0, 0, 5]),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [315, 3, 0, 0, 0, 0, 318]),
    ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [202, 0, 0, 1, 0, 0, 203]),
    ("（六）其他处理", "3.其他", [941, 17, 0, 1, 3, 3, 965]),
    ("三、本年度办理结果", "（七）总计", [13364, 252, 0, 44, 121, 29, 13810]),
    ("", "四、结转下年度继续办理", [783, 6, 0, 2, 25, 3, 819]),
]
T2 = [("规章", [3, 5, 74]), ("行政规范性文件", [564, 984, 4185]), ("行政许可", [11398889]), ("行政处罚", [6937489]),
      ("行政强制", [166105]), ("行政事业性收费", [316441])]
T4 = [376, 97, 196, 121, 790, 16, 1, 12, 27, 56, 74, 1, 30, 51, 156]
PARTS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def numbers():
    """A copy of the real numbers to change."""
    return copy.deepcopy(T3), copy.deepcopy(T2), list(T4)


def docx_report(year: int, t3=T3, t2=T2, t4=T4) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(f"示范市{year}年政府信息公开工作年度报告")
    d.add_paragraph(f"本报告中所列数据统计期限为{year}年1月1日至12月31日。")
    d.add_paragraph(PARTS[0])
    d.add_paragraph("本年度政务公开工作有序推进。")
    d.add_paragraph(PARTS[1])
    table = d.add_table(rows=1 + len(t2), cols=4)
    for c, text in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        table.cell(0, c).text = text
    for r, (label, values) in enumerate(t2, 1):
        table.cell(r, 0).text = label
        if len(values) == 1:
            merged = table.cell(r, 1).merge(table.cell(r, 3))
            merged.text = str(values[0])
        else:
            for c, v in enumerate(values, 1):
                table.cell(r, c).text = str(v)
    d.add_paragraph(PARTS[2])
    table = d.add_table(rows=3 + len(t3), cols=9)
    cells = table._cells  # the grid once: table.cell() re-reads it on every call (seconds for this table)
    put = lambda r, c, text: setattr(cells[r * 9 + c], "text", text)  # noqa: E731
    put(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    put(0, 2, "申请人情况")
    put(1, 2, "自然人")
    put(1, 3, "法人或其他组织")
    put(1, 8, "总计")
    for c, name in enumerate(COLUMNS[1:6], 3):
        put(2, c, name)
    spans, groups = [(0, 0, 2, 1), (0, 2, 0, 8), (1, 2, 2, 2), (1, 3, 1, 7), (1, 8, 2, 8)], {}
    for r, (group, label, values) in enumerate(t3, 3):
        if not group or group == "三、本年度办理结果":
            put(r, 0, label)
            spans.append((r, 0, r, 1))
        else:
            if group not in groups:
                put(r, 0, group)
            groups.setdefault(group, [r, r])[1] = r
            put(r, 1, label)
        for c, v in enumerate(values, 2):
            put(r, c, "" if v is None else str(v))
    spans += [(first, 0, last, 0) for first, last in groups.values()]  # each group's label down its rows
    for r0, c0, r1, c1 in spans:  # merged after the text is in: a merge keeps the first cell's text
        table.cell(r0, c0).merge(table.cell(r1, c1))
    d.add_paragraph(PARTS[3])
    table = d.add_table(rows=4, cols=15)
    table.cell(0, 0).merge(table.cell(0, 4)).text = "行政复议"
    table.cell(0, 5).merge(table.cell(0, 14)).text = "行政诉讼"
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for c, name in enumerate(results):
        table.cell(1, c).merge(table.cell(2, c)).text = name
    table.cell(1, 5).merge(table.cell(1, 9)).text = "未经复议直接起诉"
    table.cell(1, 10).merge(table.cell(1, 14)).text = "复议后起诉"
    for c, name in enumerate(results * 2, 5):
        table.cell(2, c).text = name
    for c, v in enumerate(t4):
        table.cell(3, c).text = str(v)
    d.add_paragraph(PARTS[4])
    d.add_paragraph("一是主动公开的及时性有待提高。")
    d.add_paragraph(PARTS[5])
    d.add_paragraph("无。")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


_TEXTS = ["示范市年政府信息公开工作年度报告本报告中所列数据统计期限为月日至。本年度政务公开工作有序推进。一是主动公开的及时性有待提高。无",
          "信息内容本年制发件数本年废止件数现行有效件数行政复议未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计",
          *COLUMNS, *PARTS, *(g + label for g, label, _ in T3), *(n for n, _ in T2), "0123456789-,.暂—"]


@functools.lru_cache(maxsize=1)
def _font() -> str:
    """The Zen Hei font cut down to the characters these reports use (fpdf2 reads the 16 MB font in
    seconds for every PDF; the cut font in milliseconds). Written once per test process."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(FONT, fontNumber=0, lazy=True)
    options = subset.Options()
    options.drop_tables += ["EBDT", "EBLC", "EBSC"]
    cutter = subset.Subsetter(options)
    cutter.populate(text="".join(_TEXTS))
    cutter.subset(font)
    fd, path = tempfile.mkstemp(suffix=".ttf", prefix="zwgk-zenhei-")
    with os.fdopen(fd, "wb") as out:
        font.save(out)
    atexit.register(os.unlink, path)
    return path


def pdf_report(year: int, t3=T3, t2=T2, t4=T4, ruled: bool = True) -> bytes:
    """A landscape A4 report; ``ruled``: the tables have ruling lines (else the cells only sit in columns)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font("zh", "", _font())
    pdf.set_font("zh", size=7)
    border = 1 if ruled else 0
    h = 6
    pdf.add_page()

    def line(text):
        pdf.cell(0, h, text, new_x="LMARGIN", new_y="NEXT")

    def row(cells, widths):
        for text, w in zip(cells, widths):
            pdf.cell(w, h, text, border=border, align="C" if w < 40 else "L")
        pdf.ln(h)

    line(f"示范市{year}年政府信息公开工作年度报告")
    line(f"本报告中所列数据统计期限为{year}年1月1日至12月31日。")
    line(PARTS[0])
    line("本年度政务公开工作有序推进。")
    line(PARTS[1])
    row(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], [60, 30, 30, 30])
    for label, values in t2:
        row([label, *map(str, values)], [60, 30, 30, 30][: 1 + len(values)] if len(values) == 3 else [60, 90])
    line(PARTS[2])
    widths = [120] + [21] * 7
    row(["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"], widths)
    for group, label, values in t3:
        prefix = group if group.startswith("（") else ""
        row([prefix + label, *("" if v is None else str(v) for v in values)], widths)
    pdf.add_page()
    line(PARTS[3])
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    row(["行政复议", "未经复议直接起诉", "复议后起诉"], [90, 90, 90])
    row(results * 3, [18] * 15)
    row([str(v) for v in t4], [18] * 15)
    line(PARTS[4])
    line("一是主动公开的及时性有待提高。")
    line(PARTS[5])
    line("无。")
    return bytes(pdf.output())
