"""The annual report's format (年报格式2021, 国办公开办函〔2021〕30号, and the 2019–2020 form before
it), read from the rows of cells the crawler stored (crawler/report_tables.py). Pure functions:
``read_report(tables, headings, year)`` gives a ``Report``; ``relations(report)`` the arithmetic
the numbers break; ``format_problems(report)`` what of the format is missing.

Rows are recognised by the words of their labels, not their numbering or spacing: （一）/(一)/一、,
1./1、, full-width digits, spaces and line breaks inside a label, a label split over merged cells all
read alike (NFKC, whitespace removed). A row whose words are unknown but whose number (1., 2. …) sits
under a known group (（三）不予公开 …) is that group's item of that number.

Cells: a blank cell, "—", "-", "/" or "无" in a count column is 0 (that is how real reports write a
zero; the evidence says the cell was blank); "1,234" is 1234; anything else (a word, "12件", a
fraction) is a non-numeric count, reported and left out of the sums it belongs to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
PARTS = (
    ("一、总体情况", re.compile(r"总体情况")),
    ("二、主动公开政府信息情况", re.compile(r"主动公开政府信息")),
    ("三、收到和处理政府信息公开申请情况", re.compile(r"收到和处理|依申请公开.*情况")),
    ("四、政府信息公开行政复议、行政诉讼情况", re.compile(r"行政复议.*行政诉讼")),
    ("五、存在的主要问题及改进情况", re.compile(r"存在的?主要问题|存在问题|问题及改进")),
    ("六、其他需要报告的事项", re.compile(r"其他需要报告")),
)

_GROUPS = {"deny": "不予公开", "na": "无法提供", "np": "不予处理", "ot": "其他处理"}
_GROUP_ITEMS = {
    "deny": ("属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
             "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"),
    "na": ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"),
    "np": ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请", "要求行政机关确认或重新出具已获取信息"),
    "ot": ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
           "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他"),
}
_GROUP_NO = {"deny": "（三）", "na": "（四）", "np": "（五）", "ot": "（六）"}
LABELS = {"new": "一、本年新收政府信息公开申请数量", "carried_in": "二、上年结转政府信息公开申请数量",
          "open": "三、（一）予以公开", "partial": "三、（二）部分公开", "other": "三、（六）其他处理",
          "total": "三、（七）总计", "carried_out": "四、结转下年度继续办理"}
for _g, _items in _GROUP_ITEMS.items():
    for _i, _name in enumerate(_items, 1):
        LABELS[f"{_g}{_i}"] = f"三、{_GROUP_NO[_g]}{_GROUPS[_g]} {_i}.{_name}"
_SUBITEMS = [f"{g}{i}" for g, items in _GROUP_ITEMS.items() for i in range(1, len(items) + 1)]
# the rows whose sum is （七）总计, by form
ITEMS = {
    "2021": ["open", "partial", *_SUBITEMS],
    "2019": ["open", "partial", *[k for k in _SUBITEMS if k[:2] != "ot"], "other"],
}
ROWS = {form: ["new", "carried_in", *items, "total", "carried_out"] for form, items in ITEMS.items()}

# words of a row's label → its key, most specific first
_KEYWORDS = [
    ("carried_out", r"结转[至到]?下"), ("new", r"新收"), ("carried_in", r"上年结转|上年度结转"),
    ("deny1", r"国家秘密"), ("deny2", r"禁止公开"), ("deny3", r"三安全|一稳定"), ("deny4", r"第三方"),
    ("deny5", r"内部事务"), ("deny6", r"过程性"), ("deny7", r"执法案卷"), ("deny8", r"行政查询"),
    ("na1", r"不掌握"), ("na2", r"现成信息|另行制作"), ("na3", r"仍不明确|补正后"),
    ("np1", r"信访|举报投诉"), ("np2", r"重复申请"), ("np3", r"出版物"), ("np4", r"大量反复"),
    ("np5", r"重新出具|确认或"),
    ("ot1", r"不补正"), ("ot2", r"缴纳费用|收费通知|未缴费|缴费"),
]
_KEYWORDS = [(k, re.compile(p)) for k, p in _KEYWORDS]
_ITEM_NO = re.compile(r"(?:^|[)）])(\d{1,2})[.、,，]?")
_BLANK = re.compile(r"^[\s\-—–/／无_]*$")
_NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})+$|^-?\d+$")


def norm(text: str | None) -> str:
    """A label as compared: NFKC (full-width digits and brackets), no whitespace, no quotes."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\"'“”‘’「」]", "", text)


@dataclass
class Cell:
    raw: str  # as published ("" for a blank cell)
    value: int | None  # None: not a count
    blank: bool = False


def read_cell(raw: str | None) -> Cell:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if _BLANK.match(text):
        return Cell(raw or "", 0, True)
    compact = re.sub(r"\s", "", text).replace("，", ",")
    if _NUMBER.match(compact):
        return Cell(text, int(compact.replace(",", "")))
    return Cell(text, None)


def _numberish(raw: str | None) -> bool:
    cell = read_cell(raw)
    return cell.value is not None


def _group_of(label: str) -> str | None:
    found = None
    for group, word in _GROUPS.items():
        pos = label.rfind(word)
        if pos >= 0 and (found is None or pos > found[1]):
            found = (group, pos)
    return found[0] if found else None


def classify(label: str, group: str | None) -> str | None:
    """The key of a table 三 row from its normalised label and the group it sits under."""
    for key, pattern in _KEYWORDS:
        if pattern.search(label):
            return key
    tail = label.rsplit(_GROUPS.get(group or "", "\0"), 1)[-1] if group else label
    if group == "ot" and re.fullmatch(r"(?:\d[.、]?)?其他(?:情形|原因)?", tail):
        return "ot3"
    if "其他处理" in label and not re.search(r"\d", tail):
        return "other"
    if "部分公开" in label:
        return "partial"
    if "予以公开" in label:
        return "open"
    if re.search(r"总计|合计", label):
        return "total"
    m = _ITEM_NO.search(tail)
    if group and m and 1 <= int(m[1]) <= len(_GROUP_ITEMS[group]):
        return f"{group}{int(m[1])}"
    return None


@dataclass
class Report:
    year: int | None
    headings: list[str]
    parts: list[str] = field(default_factory=list)  # the six parts' names found
    form: str | None = None  # "2021", "2019" or None (table 三 not recognised)
    t3: dict[str, dict[str, Cell]] = field(default_factory=dict)  # row key → column → cell
    t3_columns: list[str] = field(default_factory=list)  # the columns found in its header
    t3_unknown: list[str] = field(default_factory=list)  # rows with numbers whose label is not the format's
    t3_misaligned: list[str] = field(default_factory=list)  # rows whose numbers could not be put in columns
    t2: dict[str, list[Cell]] = field(default_factory=dict)  # 规章 → [制发, 废止, 现行有效] …
    t2_form: str | None = None
    t4: dict[str, dict[str, Cell]] = field(default_factory=dict)  # 行政复议 → 结果维持 → cell
    has_tables: bool = False


T4_GROUPS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
T4_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
_NORMATIVE = {"规范性文件", "行政规范性文件"}
T2_ROWS = {"2021": ("规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费"),
           "2019": ("规章", "规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费")}


def _text_of(table) -> str:
    return norm("".join(c or "" for row in table for c in row))


def _header_columns(rows) -> dict[str, int] | None:
    """Grid positions of the seven columns, read from the header rows (before the first data row)."""
    found: dict[str, int] = {}
    for row in rows:
        for pos, cell in enumerate(row):
            text = norm(cell)
            text = "总计" if text == "合计" else "其他" if re.fullmatch(r"其[他它](?:组织|单位|类型?)?", text) else text
            for name in COLUMNS:
                if name in found:
                    continue
                if text == name or (name not in ("其他", "总计") and name in text and len(text) <= len(name) + 4):
                    found[name] = pos
    if len(found) == len(COLUMNS) and len(set(found.values())) == len(COLUMNS):
        return found
    return found or None


def _read_t3(report: Report, tables) -> None:
    group = None
    header: dict[str, int] | None = None
    width = None
    for table in tables:
        text = _text_of(table)
        if "尚未审结" in text or ("自然人" not in text and not re.search(r"予以公开|其他处理|总计", text)
                                   and not any(p.search(text) for _, p in _KEYWORDS)):
            continue  # table 四, or a table with nothing of table 三
        grid = len({len(r) for r in table}) == 1 and len(table[0]) >= 4  # HTML, Word, ruled PDF, sheets
        if grid:
            found = _header_columns(table[:6])
            if found and len(found) >= len(header or {}):
                header, width = found, len(table[0])
            elif width != len(table[0]):
                header = None
        for name in header or {}:
            if name not in report.t3_columns:
                report.t3_columns.append(name)
        pending = ""
        for i, row in enumerate(table):
            names = COLUMNS
            if grid and header:  # by the header: the columns it names, where it names them
                names = [name for name in COLUMNS if name in header]
                positions = [header[name] for name in names]
                numbers = [row[p] for p in positions]
                label = "".join(c for p, c in enumerate(row) if p not in positions and c)
            elif grid:
                numbers, label = row[-7:], "".join(c for c in row[:-7] if c)
            else:  # a line of words: the trailing numbers are its cells
                cells = [c for c in row if c]
                n = 0
                while n < len(cells) and _numberish(cells[len(cells) - 1 - n]):
                    n += 1
                numbers, label = cells[len(cells) - n:], "".join(cells[:len(cells) - n])
            label = norm(label)
            if not label and not any(_numberish(c) for c in numbers):
                continue
            g = _group_of(label)
            if g:
                group = g
            has_numbers = any(c is not None and _numberish(c) for c in numbers) or (
                grid and all(c is None or read_cell(c).value is not None or _BLANK.match(c or "") for c in numbers))
            if not has_numbers or not numbers:
                pending = label
                continue
            key = classify(label, group)
            if key is None and pending:
                key = classify(pending + label, group)
            if key is None and i + 1 < len(table) and not grid:
                nxt = norm("".join(c for c in table[i + 1] if c))
                if nxt and not any(_numberish(c) for c in table[i + 1] if c):
                    key = classify(label + nxt, group)
            pending = ""
            if key is None:
                if len(numbers) == len(names) and any(_numberish(c) for c in numbers if c):
                    report.t3_unknown.append(label or "（无标签）")
                continue
            if key in report.t3:
                continue  # the same row again (a table repeated on the page): the first counts
            if len(numbers) != len(names):
                report.t3_misaligned.append(LABELS[key])
                continue
            report.t3[key] = {name: read_cell(c) for name, c in zip(names, numbers)}
    if not header and report.t3:
        report.t3_columns = list(COLUMNS)  # no header found: the format's order is assumed …
        _total_first(report)  # … unless the numbers say the 总计 column comes first
    if any(k in ("ot1", "ot2", "ot3") for k in report.t3):
        report.form = "2021"
    elif "other" in report.t3:
        report.form = "2019"
    elif report.t3:
        report.form = "2019" if report.year in (2019, 2020) else "2021"


def _total_first(report: Report) -> None:
    """Without a header, the 总计 column is taken to be the last; when in most rows the first number
    is the sum of the six others and the last is not, the table has 总计 first: rotate."""
    first = last = 0
    for row in report.t3.values():
        v = [c.value for c in row.values()]
        if None in v or not any(v):
            continue
        first += v[0] == sum(v[1:]) and v[-1] != sum(v[:-1])
        last += v[-1] == sum(v[:-1])
    if first > max(2, 2 * last):
        for key, row in report.t3.items():
            cells = list(row.values())
            report.t3[key] = dict(zip(COLUMNS, cells[1:] + cells[:1]))


def _read_t2(report: Report, tables) -> None:
    for table in tables:
        text = _text_of(table)
        if report.t2_form is None:
            if re.search(r"制发|现行有效", text):
                report.t2_form = "2021"
            elif re.search(r"新制作|对外公开总数|新公开", text):
                report.t2_form = "2019"
        for row in table:
            cells = [c for c in row if c is not None]
            if not cells:
                continue
            label = norm(cells[0])
            name = next((n for n in ("行政规范性文件", "规范性文件", "规章", "行政许可", "其他对外管理服务事项", "行政处罚",
                                      "行政强制", "行政事业性收费", "政府集中采购") if n in label and len(label) <= len(n) + 6), None)
            if name and name not in report.t2:
                report.t2[name] = [read_cell(c) for c in cells[1:]]


def _read_t4(report: Report, tables) -> None:
    for table in tables:
        text = _text_of(table)
        if "尚未审结" not in text and not ("行政复议" in text and "行政诉讼" in text):
            continue
        values: list[str] = []
        by_label: dict[str, list[str]] = {}
        for row in table:
            cells = [c for c in row if c is not None]
            label = norm("".join(c for c in cells if not _numberish(c) and not _BLANK.match(c or "")))
            if not label and len(cells) >= 5:
                values += cells
            elif label:
                nums = [c for c in cells if _numberish(c) or _BLANK.match(c or "")]
                for group, word in zip(T4_GROUPS, ("行政复议", "直接起诉", "复议后起诉")):
                    if label.endswith(word) and len(nums) == 5:
                        by_label[group] = nums
        if len(values) == 15:
            for g, group in enumerate(T4_GROUPS):
                report.t4[group] = {name: read_cell(values[g * 5 + i]) for i, name in enumerate(T4_COLUMNS)}
            return
        if len(by_label) == 3:
            report.t4 = {g: {name: read_cell(v) for name, v in zip(T4_COLUMNS, by_label[g])} for g in T4_GROUPS}
            return


def read_report(tables: list, headings: list[str], year: int | None) -> Report:
    report = Report(year=year, headings=list(headings), has_tables=bool(tables))
    for name, pattern in PARTS:
        if any(pattern.search(norm(h)) for h in headings):
            report.parts.append(name)
    _read_t3(report, tables)
    _read_t2(report, tables)
    _read_t4(report, tables)
    return report


# ----------------------------------------------------------------------------- what is wrong

@dataclass
class Problem:
    key: str  # what a reviewer ticks off: table/row/column
    message_zh: str
    message_en: str
    evidence: dict


def format_problems(report: Report) -> list[Problem]:
    """What of the format is missing. A report in neither form (no part headings to speak of and
    no table 三) is one problem, not one per row."""
    if not report.t3 and len(report.parts) < 3:
        return [Problem("format", "年报不符合年报格式（未找到申请情况表，六个部分中仅找到 "
                        f"{len(report.parts)} 个）", "the report follows neither the 2021 nor the 2019 form "
                        f"(no application table, {len(report.parts)} of six parts found)",
                        {"parts_found": report.parts, "headings": report.headings[:12]})]
    problems = []
    missing_parts = [name for name, _ in PARTS if name not in report.parts]
    if missing_parts:
        problems.append(Problem("parts", "缺少部分：" + "、".join(missing_parts),
                                f"part headings missing: {', '.join(missing_parts)}",
                                {"missing": missing_parts, "headings": report.headings[:12]}))
    if not report.t2:
        problems.append(Problem("table:二", "未找到表二（主动公开政府信息情况）", "table 二 (proactive disclosure) not found", {}))
    else:
        form = report.t2_form or report.form or "2021"
        names = T2_ROWS[form]
        # 规范性文件 and 行政规范性文件 are one row under either name (reports in the 2021 form still write
        # “规范性文件”, e.g. 沭阳县发展和改革局 2023, 上海市科委 2024): not a row missing
        absent = [n for n in names if n not in report.t2 and not (n in _NORMATIVE and _NORMATIVE & report.t2.keys())]
        if absent:
            problems.append(Problem("rows:二", "表二缺少行：" + "、".join(absent), f"table 二 rows missing: {', '.join(absent)}",
                                    {"missing": absent, "form": form}))
    if not report.t3:
        problems.append(Problem("table:三", "未找到表三（收到和处理政府信息公开申请情况）",
                                "table 三 (applications) not found", {"rows_without_known_label": report.t3_unknown[:10]}))
    else:
        absent = [LABELS[k] for k in ROWS[report.form] if k not in report.t3]
        if absent:
            problems.append(Problem("rows:三", f"表三缺少 {len(absent)} 行：" + "；".join(absent),
                                    f"table 三 misses {len(absent)} rows of the {report.form} form",
                                    {"missing": absent, "form": report.form, "unrecognised": report.t3_unknown[:10]}))
        cols = [c for c in COLUMNS if c not in report.t3_columns]
        if cols:
            problems.append(Problem("columns:三", "表三缺少列：" + "、".join(cols), f"table 三 columns missing: {', '.join(cols)}",
                                    {"missing": cols, "found": report.t3_columns}))
        if report.t3_misaligned:
            problems.append(Problem("cells:三", "表三部分行的数字无法对应到七列：" + "；".join(report.t3_misaligned[:8]),
                                    "some rows of table 三 do not have seven number columns",
                                    {"rows": report.t3_misaligned}))
        if report.form == "2019" and (report.year or 0) >= 2021:
            problems.append(Problem("form", f"{report.year}年度报告仍使用2019年旧格式（表三无“其他处理”分项）",
                                    f"the {report.year} report uses the superseded 2019 form", {"year": report.year}))
    if not report.t4:
        problems.append(Problem("table:四", "未找到表四（行政复议、行政诉讼情况，15个数）",
                                "table 四 (review and litigation, 15 numbers) not found", {}))
    return problems


def _sum_problem(key, table, row, column, stated: Cell, parts: list[tuple[str, Cell]], what_zh, what_en):
    expected = sum(c.value for _, c in parts)
    shown = f"{stated.value}" + ("（空白）" if stated.blank else "")
    return Problem(
        key, f"{what_zh}：{row}·{column} 为 {shown}，分项之和为 {expected}，相差 {stated.value - expected}",
        f"{what_en}: {row} / {column} is {stated.value}, its parts add up to {expected} (difference {stated.value - expected})",
        {"table": table, "row": row, "column": column, "stated": stated.value, "stated_raw": stated.raw,
         "parts": {name: c.value for name, c in parts}, "sum": expected, "difference": stated.value - expected})


def relations(report: Report) -> list[Problem]:
    """Every relation the report's numbers break, one problem per relation."""
    out: list[Problem] = []
    for key, row in report.t3.items():
        for column, cell in row.items():
            if cell.value is None or cell.value < 0:
                out.append(Problem(f"三:{LABELS[key]}:{column}:value", f"表三 {LABELS[key]}·{column} 不是非负整数：“{cell.raw}”",
                                   f"table 三 {LABELS[key]} / {column} is not a non-negative count: {cell.raw!r}",
                                   {"table": "三", "row": LABELS[key], "column": column, "value": cell.raw}))
    good = lambda c: c is not None and c.value is not None and c.value >= 0  # noqa: E731
    if report.t3_columns == list(COLUMNS) or set(report.t3_columns) == set(COLUMNS):
        for key, row in report.t3.items():
            cells = [row.get(c) for c in COLUMNS]
            if all(good(c) for c in cells) and cells[-1].value != sum(c.value for c in cells[:-1]):
                out.append(_sum_problem(f"三:{LABELS[key]}:总计", "三", LABELS[key], "总计", cells[-1],
                                        list(zip(COLUMNS[:-1], cells[:-1])), "行合计不符", "row total"))
    form = report.form
    for column in COLUMNS:
        col = {k: row.get(column) for k, row in report.t3.items()}
        items = ITEMS.get(form, [])
        if form and "total" in col and all(k in col for k in items) and all(good(col[k]) for k in [*items, "total"]):
            if col["total"].value != sum(col[k].value for k in items):
                out.append(_sum_problem(f"三:{LABELS['total']}:{column}", "三", LABELS["total"], column, col["total"],
                                        [(LABELS[k], col[k]) for k in items], "办理结果总计不符", "（七）总计"))
        keys = ("new", "carried_in", "total", "carried_out")
        if all(k in col and good(col[k]) for k in keys):
            left = col["new"].value + col["carried_in"].value
            right = col["total"].value + col["carried_out"].value
            if left != right:
                out.append(Problem(
                    f"三:一+二=三（七）+四:{column}",
                    f"收支不平衡：{column}列 本年新收 {col['new'].value} + 上年结转 {col['carried_in'].value} = {left}，"
                    f"办理结果总计 {col['total'].value} + 结转下年度 {col['carried_out'].value} = {right}，相差 {left - right}",
                    f"{column}: new + carried in = {left} but handled + carried over = {right} (difference {left - right})",
                    {"table": "三", "column": column, "relation": "一+二=三（七）+四", "new": col["new"].value,
                     "carried_in": col["carried_in"].value, "total": col["total"].value,
                     "carried_out": col["carried_out"].value, "left": left, "right": right, "difference": left - right}))
    for group, row in report.t4.items():
        for column, cell in row.items():
            if cell.value is None or cell.value < 0:
                out.append(Problem(f"四:{group}:{column}:value", f"表四 {group}·{column} 不是非负整数：“{cell.raw}”",
                                   f"table 四 {group} / {column} is not a non-negative count: {cell.raw!r}",
                                   {"table": "四", "row": group, "column": column, "value": cell.raw}))
        cells = [row[c] for c in T4_COLUMNS]
        if all(good(c) for c in cells) and cells[-1].value != sum(c.value for c in cells[:-1]):
            out.append(_sum_problem(f"四:{group}:总计", "四", group, "总计", cells[-1], list(zip(T4_COLUMNS[:-1], cells[:-1])),
                                    "复议诉讼总计不符", "review/litigation total"))
    return out


def carryover(this: Report, last: Report) -> list[Problem]:
    """This year's 上年结转 against last year's 结转下年度, and 现行有效件数 across the two years."""
    out = []
    now, before = this.t3.get("carried_in"), last.t3.get("carried_out")
    if now and before:
        for column in COLUMNS:
            a, b = now.get(column), before.get(column)
            if a and b and a.value is not None and b.value is not None and a.value != b.value:
                out.append(Problem(
                    f"结转:{column}", f"{this.year}年上年结转（{column}）为 {a.value}，{last.year}年报结转下年度为 {b.value}，相差 {a.value - b.value}",
                    f"{column}: carried in {a.value} in {this.year}, but {last.year} carried over {b.value}",
                    {"column": column, "this_year": this.year, "carried_in": a.value, "last_year": last.year,
                     "carried_out_last_year": b.value, "difference": a.value - b.value}))
    if this.t2_form == last.t2_form == "2021":
        for name in ("规章", "行政规范性文件"):
            alias = "规范性文件" if name == "行政规范性文件" else name
            a, b = this.t2.get(name) or this.t2.get(alias), last.t2.get(name) or last.t2.get(alias)
            if not a or not b or len(a) < 3 or len(b) < 3 or any(c.value is None for c in (*a[:3], b[2])):
                continue
            expected = b[2].value + a[0].value - a[1].value
            if a[2].value != expected:
                out.append(Problem(
                    f"现行有效:{name}",
                    f"{name}现行有效件数 {a[2].value}，按{last.year}年 {b[2].value} + 本年制发 {a[0].value} − 本年废止 {a[1].value} 应为 {expected}",
                    f"{name}: {a[2].value} in force, last year's {b[2].value} + {a[0].value} made − {a[1].value} repealed = {expected}",
                    {"row": name, "valid": a[2].value, "valid_last_year": b[2].value, "made": a[0].value,
                     "repealed": a[1].value, "expected": expected, "difference": a[2].value - expected}))
    return out
