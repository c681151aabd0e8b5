"""The tables of a 政府信息公开工作年度报告 (国办公开办函〔2021〕30号 format and the 2019–2020 one), as data.

``Report`` holds the numbers; ``table2/3/4`` turn them into rows of ``Cell`` (text, colspan, rowspan)
the way the official templates merge them (the 申请人情况 / 法人或其他组织 group headers, the
三、本年度办理结果 and （三）不予公开 … label cells spanning rows); ``annual_render`` writes those rows
as HTML, PDF and DOCX. A value is an int, ``None`` (a blank cell: 0) or a string written as is (a
planted non-numeric count).
"""

from __future__ import annotations

from dataclasses import dataclass, field

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
COLUMNS = APPLICANTS + ["总计"]

R3 = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息",
      "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
R4 = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
R5 = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"]
R6_2021 = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
           "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]


def result_rows(fmt: int) -> list[tuple[str, str, str]]:
    """(key, group label, item label) of the rows under 三、本年度办理结果, in order, without （七）总计."""
    rows = [("r1", "（一）予以公开", ""), ("r2", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "")]
    rows += [(f"r3_{i + 1}", "（三）不予公开", t) for i, t in enumerate(R3)]
    rows += [(f"r4_{i + 1}", "（四）无法提供", t) for i, t in enumerate(R4)]
    rows += [(f"r5_{i + 1}", "（五）不予处理", t) for i, t in enumerate(R5)]
    if fmt >= 2021:
        rows += [(f"r6_{i + 1}", "（六）其他处理", t) for i, t in enumerate(R6_2021)]
    else:
        rows += [("r6", "（六）其他处理", "")]
    return rows


@dataclass
class Report:
    issuer: str              # 「XX市财政局」
    year: int                # the year reported on
    fmt: int                 # 2021 (30号 format) or 2020 (the earlier one)
    t3: dict                 # row key → list of 7 values (six applicant columns + 总计)
    t4: list                 # 15 values: 复议 (维持, 纠正, 其他, 尚未审结, 总计), 直接起诉 (…), 复议后起诉 (…)
    t2: dict = field(default_factory=dict)
    omit_parts: tuple = ()   # part numbers (1–6) whose heading is left out
    omit_tables: tuple = ()  # table numbers (2, 3, 4) left out

    @property
    def title(self) -> str:
        return f"{self.issuer}{self.year}年政府信息公开工作年度报告"


def num(v) -> int:
    """The value a correct reader takes from a cell: blank is 0; a planted string is not a number."""
    if v is None:
        return 0
    if isinstance(v, int):
        return v
    raise ValueError(v)


def draw_report(rng, issuer: str, year: int, fmt: int, big: bool = False, carry_in: list | None = None,
                overrides: dict | None = None) -> Report:
    """A report whose every relation holds. ``carry_in``: the six applicant columns of 二、上年结转 (last
    year's 结转下年度); ``overrides``: (row key, column index) → value written before the totals are added
    (a negative count, a non-numeric one), the totals then add up over the others."""
    scale = 40 if big else 1
    keys = [k for k, _, _ in result_rows(fmt)]
    t3: dict = {k: [0] * 6 for k in keys}
    for c in range(6):
        weight = 6 if c == 0 else 2
        t3["r1"][c] = rng.randint(1, 12) * weight * scale
        t3["r2"][c] = rng.randint(0, 4) * scale
        for k in keys[2:]:
            t3[k][c] = rng.choice([0, 0, 0, 1, 2]) * (scale if rng.random() < 0.5 else 1)
    for (k, c), v in (overrides or {}).items():
        t3[k][c] = v
    r7 = [sum(_safe(t3[k][c]) for k in keys) for c in range(6)]
    out = [rng.randint(0, 3) for _ in range(6)]
    cin = list(carry_in) if carry_in else [rng.randint(0, 3) for _ in range(6)]
    cin = [min(ci, r7[c] + out[c]) for c, ci in enumerate(cin)]
    new = [r7[c] + out[c] - cin[c] for c in range(6)]
    rows = {"new": new, "carry_in": cin, **t3, "r7": r7, "carry_out": out}
    full = {k: v + [sum(_safe(x) for x in v)] for k, v in rows.items()}
    t4 = []
    for _ in range(3):
        four = [rng.randint(0, 3), rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 2)]
        t4 += four + [sum(four)]
    t2 = {"gz": [rng.randint(0, 3), rng.randint(0, 1)], "gf": [rng.randint(2, 15), rng.randint(0, 4)],
          "xk": rng.randint(50, 4000), "cf": rng.randint(10, 900), "qz": rng.randint(0, 40),
          "sf": round(rng.uniform(1, 500), 2)}
    t2["gz"].append(rng.randint(5, 40))
    t2["gf"].append(rng.randint(20, 120))
    return Report(issuer, year, fmt, full, t4, t2)


def _safe(v) -> int:
    try:
        return num(v)
    except ValueError:
        return 0


def row_order(fmt: int) -> list[str]:
    return ["new", "carry_in"] + [k for k, _, _ in result_rows(fmt)] + ["r7", "carry_out"]


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


def value_text(v, style: str) -> str:
    """How a count is written: ``plain``; ``blank`` (0 left empty, as many reports do); ``thousands`` (1,234)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if style == "blank" and v == 0:
        return ""
    if style == "thousands":
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def loosen(label: str) -> str:
    """Labels as some reports type them: half-width brackets, a space after 、 and inside short words."""
    out = label.replace("（", "(").replace("）", ") ").replace("、", "、 ")
    return out.replace("总计", "总　计")


def table3(r: Report, vstyle: str = "plain", loose: bool = False, group_header: bool = True) -> list[list[Cell]]:
    lab = loosen if loose else (lambda s: s)
    rows: list[list[Cell]] = []
    if group_header:
        rows.append([Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), Cell("申请人情况", 7)])
        rows.append([Cell("自然人", 1, 2), Cell("法人或其他组织", 5), Cell("总计", 1, 2)])
        rows.append([Cell(c) for c in APPLICANTS[1:]])
    else:
        rows.append([Cell("", 3)] + [Cell(c) for c in COLUMNS])
    vals = lambda key: [Cell(value_text(v, vstyle)) for v in r.t3[key]]  # noqa: E731
    rows.append([Cell(lab("一、本年新收政府信息公开申请数量"), 3)] + vals("new"))
    rows.append([Cell(lab("二、上年结转政府信息公开申请数量"), 3)] + vals("carry_in"))
    results = result_rows(r.fmt)
    sizes: dict = {}
    for _, g, _ in results:
        sizes[g] = sizes.get(g, 0) + 1
    seen: set = set()
    for i, (key, group, item) in enumerate(results):
        row = [Cell(lab("三、本年度办理结果"), 1, len(results) + 1)] if i == 0 else []
        if not item:
            row.append(Cell(lab(group), 2))
        else:
            if group not in seen:
                row.append(Cell(lab(group), 1, sizes[group]))
            row.append(Cell(item))
        seen.add(group)
        rows.append(row + vals(key))
    rows.append([Cell(lab("（七）总计"), 2)] + vals("r7"))
    rows.append([Cell(lab("四、结转下年度继续办理"), 3)] + vals("carry_out"))
    return rows


def table4(r: Report, vstyle: str = "plain") -> list[list[Cell]]:
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [[Cell("行政复议", 5), Cell("行政诉讼", 10)],
            [Cell(t, 1, 2) for t in five] + [Cell("未经复议直接起诉", 5), Cell("复议后起诉", 5)],
            [Cell(t) for t in five * 2],
            [Cell(value_text(v, vstyle)) for v in r.t4]]


def table2(r: Report, vstyle: str = "plain") -> list[list[Cell]]:
    t = r.t2
    v = lambda x, span=1: Cell(value_text(x, vstyle), span)  # noqa: E731
    if r.fmt >= 2021:
        return [[Cell("第二十条第（一）项", 4)], [Cell(x) for x in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")],
                [Cell("规章")] + [v(x) for x in t["gz"]], [Cell("行政规范性文件")] + [v(x) for x in t["gf"]],
                [Cell("第二十条第（五）项", 4)], [Cell("信息内容"), Cell("本年处理决定数量", 3)], [Cell("行政许可"), v(t["xk"], 3)],
                [Cell("第二十条第（六）项", 4)], [Cell("信息内容"), Cell("本年处理决定数量", 3)], [Cell("行政处罚"), v(t["cf"], 3)],
                [Cell("行政强制"), v(t["qz"], 3)],
                [Cell("第二十条第（八）项", 4)], [Cell("信息内容"), Cell("本年收费金额（单位：万元）", 3)],
                [Cell("行政事业性收费"), Cell(f'{t["sf"]:.2f}', 3)]]
    head5 = [Cell(x) for x in ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")]
    return [[Cell("第二十条第（一）项", 4)], [Cell(x) for x in ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量")],
            [Cell("规章")] + [v(x) for x in t["gz"]], [Cell("规范性文件")] + [v(x) for x in t["gf"]],
            [Cell("第二十条第（五）项", 4)], head5,
            [Cell("行政许可"), v(t["xk"] // 10), v(2), v(t["xk"])], [Cell("其他对外管理服务事项"), v(6), v(0), v(t["qz"] + 3)],
            [Cell("第二十条第（六）项", 4)], head5,
            [Cell("行政处罚"), v(40), v(0), v(t["cf"])], [Cell("行政强制"), v(5), v(-1), v(t["qz"])],
            [Cell("第二十条第（八）项", 4)], [Cell("信息内容"), Cell("上一年项目数量"), Cell("本年增/减", 2)],
            [Cell("行政事业性收费"), v(3), v(0, 2)],
            [Cell("第二十条第（九）项", 4)], [Cell("信息内容"), Cell("采购项目数量"), Cell("采购总金额", 2)],
            [Cell("政府集中采购"), v(t["xk"] % 30 + 4), Cell(f'{t["sf"] * 3:.2f}', 2)]]


def place(rows: list[list[Cell]]) -> tuple[list[tuple[int, int, Cell]], int, int]:
    """HTML table layout: each cell's (row, column) in the grid, skipping slots taken by row spans above."""
    taken: set = set()
    out = []
    ncols = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            ncols = max(ncols, c)
    return out, len(rows), ncols


def breaches(r: Report) -> set[tuple]:
    """The examiner's own reading of regulations.md's relations over a report's numbers: a set of
    ("row", key) / ("col", column) / ("balance", column) / ("t4", group) / ("negative" | "text", key, column).
    A blank is 0; a non-numeric cell counts as 0 in the sums and is a breach of its own."""
    out: set = set()
    keys = [k for k, _, _ in result_rows(r.fmt)]
    for key, vals in r.t3.items():
        for c, v in enumerate(vals):
            if isinstance(v, str):
                out.add(("text", key, c))
            elif isinstance(v, int) and v < 0:
                out.add(("negative", key, c))
        if _safe(vals[6]) != sum(_safe(v) for v in vals[:6]):
            out.add(("row", key))
    for c in range(7):
        col = {k: _safe(v[c]) for k, v in r.t3.items()}
        if col["r7"] != sum(col[k] for k in keys):
            out.add(("col", c))
        if col["new"] + col["carry_in"] != col["r7"] + col["carry_out"]:
            out.add(("balance", c))
    for g in range(3):
        five = r.t4[5 * g:5 * g + 5]
        if five[4] != sum(five[:4]):
            out.add(("t4", g))
        if any(v < 0 for v in five):
            out.add(("negative", "t4", g))
    return out
