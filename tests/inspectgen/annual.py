"""Plant 政府信息公开工作年度报告 in a portal's 政府信息公开年报 column, with ground truth.

Each report is drawn correct (every relation of regulations.md holds), then at most a few planted
errors are applied, each breaking exactly the relation it names:

* ``row_total``   one row's 总计 typed wrong (the row's sum, and the 总计 column's （七）, disagree);
* ``col_total``   a result cell raised together with its row's 总计: that column's （七）总计 no longer adds up;
* ``balance``     四、结转下年度 raised in one column and the 总计: 一 + 二 ≠ 三（七） + 四 there;
* ``t4``          a 总计 of table 四 ≠ 维持 + 纠正 + 其他 + 尚未审结;
* ``negative`` / ``text``  a count written as −2 / 若干, the totals adding up over the rest;
* ``omit_part`` / ``omit_table``  a part heading / a table left out (format);
* ``carryover``   this year's 二、上年结转 differs from last year's 四、结转下年度 (both reports listed).

Look-alikes that add up: Word-exported HTML with merged header rows and blank cells for 0, numbers
with thousands separators, labels with half-width brackets and spaces, PDFs with and without ruling
lines (one with table 三 running onto a second page under repeated header rows; two with errors run
onto the next page without them, ruled and unruled), a DOCX, a correct 2020-format report (its table 二 has a signed 本年增/减 column), and the
site's 《政府网站工作年度报表》 listed in the same column.
"""

from __future__ import annotations

from datetime import date, timedelta

from .annual_render import docx_bytes, html_body, pdf_bytes
from .annual_tables import draw_report
from .portal import Expect, Portal

BASE = "/zwgk/gknb/"
COLUMN = ("政府信息公开年报", "信息公开年报")

# key, issuer (after the city), year, format, how published, options, planted errors
PLAN = [
    ("gov25", "人民政府", 2025, 2021, "html-word", {"vstyle": "blank", "big": True}, []),
    ("gov24", "人民政府", 2024, 2021, "html", {"big": True}, []),
    ("cz25", "财政局", 2025, 2021, "html", {}, ["carryover"]),
    ("cz24", "财政局", 2024, 2021, "html-word", {}, []),
    ("jy25", "教育局", 2025, 2021, "html", {}, ["row_total"]),
    ("mz25", "民政局", 2025, 2021, "html-gbk", {}, ["col_total"]),
    ("rs25", "人力资源和社会保障局", 2025, 2021, "pdf-ruled", {"split_header": 0}, ["balance"]),
    ("zr25", "自然资源和规划局", 2025, 2021, "pdf-plain", {"split_header": 0}, ["t4"]),
    ("st25", "生态环境局", 2025, 2021, "docx", {}, ["negative"]),
    ("zj25", "住房和城乡建设局", 2025, 2021, "html-gbk", {}, ["text"]),
    ("jt25", "交通运输局", 2025, 2021, "html", {}, ["omit_part"]),
    ("ny25", "农业农村局", 2025, 2021, "docx", {}, ["omit_table"]),
    ("sw25", "商务局", 2025, 2021, "html", {"vstyle": "thousands", "big": True, "loose": True, "heading_space": True}, []),
    ("wj25", "卫生健康委员会", 2025, 2021, "pdf-ruled", {"split_header": 3}, []),
    ("yj25", "应急管理局", 2025, 2021, "pdf-plain", {"vstyle": "thousands", "big": True}, []),
    ("sj25", "市场监督管理局", 2025, 2021, "docx", {"vstyle": "blank"}, []),
    ("tj20", "统计局", 2020, 2020, "html", {}, []),
    ("yb20", "医疗保障局", 2020, 2020, "html-word", {}, ["row_total_r1"]),
    ("sf25", "司法局", 2025, 2021, "html", {}, ["t4_late", "negative_r3"]),
]

# what each planted error must make the report say (one of the tokens), and under which rule
ERRORS = {
    "row_total": ("disclosure.annual_report_inconsistent", ["部分公开"]),
    "row_total_r1": ("disclosure.annual_report_inconsistent", ["予以公开"]),
    "col_total": ("disclosure.annual_report_inconsistent", ["科研机构"]),
    "balance": ("disclosure.annual_report_inconsistent", ["自然人"]),
    "t4": ("disclosure.annual_report_inconsistent", ["行政复议"]),
    "t4_late": ("disclosure.annual_report_inconsistent", ["复议后起诉"]),
    "negative": ("disclosure.annual_report_inconsistent", ["重复申请", "-2"]),
    "negative_r3": ("disclosure.annual_report_inconsistent", ["保护第三方合法权益", "-1"]),
    "text": ("disclosure.annual_report_inconsistent", ["若干"]),
    "omit_part": ("disclosure.annual_report_format", ["存在的主要问题", "第五部分", "五、"]),
    "omit_table": ("disclosure.annual_report_format", ["行政复议", "表四", "第四部分", "四、"]),
    "carryover": ("disclosure.annual_report_carryover", ["2024"]),
}
ANNUAL_RULES = ("disclosure.annual_report_inconsistent", "disclosure.annual_report_format", "disclosure.annual_report_carryover")


def plant(p: Portal) -> dict:
    """Add the column, its reports and their expectations to ``p``; returns key → [detail target, file target]."""
    rng = p.rng
    where: dict = {}
    carry: dict = {}
    in_force: dict = {}
    rows = []
    for key, issuer, year, fmt, how, opts, errors in sorted(PLAN, key=lambda x: x[2]):
        overrides = {}
        if "negative" in errors:
            overrides[("r5_2", 5)] = -2
        if "negative_r3" in errors:
            overrides[("r3_4", 0)] = -1
        if "text" in errors:
            overrides[("r1", 4)] = "若干"
        prior = carry.get(issuer)
        r = draw_report(rng, p.city + issuer, year, fmt, big=opts.get("big", False), overrides=overrides,
                        carry_in=prior)
        if "carryover" in errors:   # 上年结转 (自然人) written 3 more than last year's 结转下年度; 一 lowered to match
            r.t3["carry_in"][0] += 3
            r.t3["new"][0] -= 3
            _retotal(r, "carry_in")
            _retotal(r, "new")
        if "row_total" in errors:
            r.t3["r2"][6] += 3
        if "row_total_r1" in errors:
            r.t3["r1"][6] += 5
        if "col_total" in errors:
            r.t3["r1"][2] += 2
            r.t3["r1"][6] += 2
        if "balance" in errors:
            r.t3["carry_out"][0] += 4
            r.t3["carry_out"][6] += 4
        if "t4" in errors:
            r.t4[4] += 2
        if "t4_late" in errors:
            r.t4[14] += 1
        if "omit_part" in errors:
            r.omit_parts = (5,)
        if "omit_table" in errors:
            r.omit_tables = (4,)
        if issuer in in_force:   # 现行有效件数 follows last year's + 本年制发 − 本年废止 (a report pair that agrees)
            for row in ("gz", "gf"):
                r.t2[row][2] = in_force[issuer][row] + r.t2[row][0] - r.t2[row][1]
        in_force[issuer] = {row: r.t2[row][2] for row in ("gz", "gf")}
        carry[issuer] = r.t3["carry_out"][:6]
        if prior and "carryover" not in errors:
            assert r.t3["carry_in"][:6] == prior
        day = date(year + 1, 1, 8) + timedelta(days=rng.randint(0, 20))
        docid = p.docid()
        detail = f"{BASE}{day:%Y%m}/t{day:%Y%m%d}_{docid}.html"
        file_target = _publish(p, r, how, opts, detail, day, docid)
        p.reports[key] = (r, errors)
        where[key] = [detail] + ([file_target] if file_target else [])
        rows.append((detail[len(BASE):], r.title, day))
        for e in errors:
            rule, tokens = ERRORS[e]
            p.expect.append(Expect(rule, where[key], tokens, True, f"{key}: {e}"))
    for key, *_ in PLAN:
        errs = {ERRORS[e][0] for e in next(x for x in PLAN if x[0] == key)[6]}
        for rule in ANNUAL_RULES:
            if rule not in errs:
                p.expect.append(Expect(rule, where[key], [], False, f"{key}: adds up / complete"))
    # the site's own 政府网站工作年度报表 (年报通知 form) in the same column: not a disclosure report
    day = date(2026, 1, 16)
    docid = p.docid()
    t = f"{day:%Y%m}/t{day:%Y%m%d}_{docid}.html"
    title = f"{p.city}人民政府门户网站2025年政府网站工作年度报表"
    table = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in [
        ("网站名称", f"{p.city}人民政府"), ("首页网址", "http://127.0.0.1/"), ("政府网站标识码", p.code),
        ("独立用户访问总量（单位：个）", "1,208,311"), ("网站总访问量（单位：次）", "5,330,129"),
        ("信息发布（单位：条）总数", "4,512"), ("其中：概况类信息更新量", "37"), ("政务动态信息更新量", "3,006"),
        ("信息公开目录信息更新量", "1,469"), ("互动交流 收到留言数量（单位：条）", "860"), ("办结留言数量（单位：条）", "852")])
    p.doc_page(BASE + t, title, day, f"{p.city}人民政府办公室", p.index_no(2026),
               f'<table border="1">{table}</table>', COLUMN)
    rows.append((t, title, day))
    for rule in ANNUAL_RULES:
        p.expect.append(Expect(rule, [BASE + t], [], False, "the site's 网站工作年度报表 is not a disclosure report"))
    rows.sort(key=lambda x: x[2], reverse=True)
    p.trs_column(BASE, *COLUMN, [("./" + h, ti, d) for h, ti, d in rows], per_page=12)
    return where


def _retotal(r, key):
    r.t3[key][6] = sum(r.t3[key][:6])


def _publish(p: Portal, r, how: str, opts: dict, detail: str, day: date, docid: int) -> str | None:
    publisher = r.issuer
    idx = p.index_no(day.year)
    vstyle = opts.get("vstyle", "plain")
    if how.startswith("html"):
        enc = "gbk" if how == "html-gbk" else "utf-8"
        body = html_body(r, vstyle, opts.get("loose", False), True, word=how == "html-word",
                         heading_space=opts.get("heading_space", False))
        p.doc_page(detail, r.title, day, publisher, idx, body, COLUMN, enc=enc)
        return None
    stamp = f"P0{day:%Y%m%d}{docid:05d}{p.rng.randint(100000, 999999)}"
    folder = detail.rsplit("/", 1)[0] + "/"
    if how.startswith("pdf"):
        data, ext, ctype = pdf_bytes(r, how == "pdf-ruled", vstyle, opts.get("split_header")), "pdf", "application/pdf"
    else:
        data, ext = docx_bytes(r, vstyle), "docx"
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    file_target = f"{folder}{stamp}.{ext}"
    p.add(file_target, data, ctype=ctype)
    body = (f"<p>{r.title}详见附件。</p><p>附件：<a href=\"./{stamp}.{ext}\" "
            f"oldsrc=\"W0{stamp[2:]}.{ext}\">{r.title}.{ext}</a></p>")
    p.doc_page(detail, r.title, day, publisher, idx, body, COLUMN)
    return file_target


__all__ = ["ANNUAL_RULES", "PLAN", "plant"]
