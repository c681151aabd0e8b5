"""Names are data, never paths (issue 21): a real `zwgk batch` of one tiny local site under hostile
网站标识码 and names — 300 characters, "../../x" next to "x", "..", "😀", full-width "３３０１", an RTL
override, a formula, a name longer than an Excel cell — ranks every site, writes each report in a
folder of its own inside --out that its ranking row links to, and writes the workbook. A sites file
with a control character, or with the same site twice once normalised (ABC/abc, ３３０１/3301), is
refused in one line, exit 2, before any request reaches the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import unquote

import pytest
import yaml
from lxml import html as lxml_html
from openpyxl import load_workbook

from tests.conftest import FAST
from tests.http_site import page, serve

HOSTILE = [  # (网站标识码, 网站名称): six sites, every one a hostile code and a hostile name
    ("9" * 300, "长" * 40_000),  # a name longer than an Excel cell
    ("../../x", "a/b\\c:d*e?f[1]'"),  # what a sheet name may not hold
    ("x", "x"),
    ("..", "=HYPERLINK(\"http://evil.example/\")"),
    ("😀", "😀" * 40),  # 80 UTF-16 units: longer than a sheet name
    ("３３０１", "\u202e全角标识码\u2028换行"),  # RTL override, line separator
]


def answer(method, path, query, body):
    if path.startswith("/s") and path.endswith("/"):
        return 200, {}, page("示范网站", "<h1>示范网站</h1><p>政务公开</p>"), 0
    return 404, {}, page("404", "页面不存在"), 0


def zwgk(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "zwgk.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "CI": "1"})


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_hostile_names_each_get_a_row_a_report_folder_of_their_own_and_the_workbook(tmp_path):
    out = tmp_path / "batch" / "out"
    with serve(answer) as server:
        sites = [{"name": name, "code": code, "url": f"{server.base}/s{i}/"} for i, (code, name) in enumerate(HOSTILE)]
        (tmp_path / "sites.yaml").write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True, width=1 << 20),
                                             encoding="utf-8")
        proc = zwgk("batch", tmp_path / "sites.yaml", "--db", tmp_path / "b.db", "--out", out, "--no-ipv6", "--no-render",
                    "--parallel", "4", "--format", "html", "--json", "--quiet", *FAST)
    assert proc.returncode in (0, 1), f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    result = json.loads(proc.stdout)
    assert sorted(s["code"] for s in result["sites"]) == sorted(code for code, _ in HOSTILE)
    assert {s["status"] for s in result["sites"]} == {"audited"}, [(s["code"], s["error"]) for s in result["sites"] if s["status"] != "audited"]

    # one folder per site, each a child of --out; nothing written beside it
    folders = [(out / s["report"]).parent for s in result["sites"]]
    assert len(set(folders)) == len(HOSTILE)
    for folder in folders:
        assert folder.resolve().parent == out.resolve() and len(folder.name.encode()) <= 105
    assert sorted(p.name for p in (tmp_path / "batch").iterdir()) == ["out"] and not (tmp_path / "x").exists()
    assert (out / "x" / "index.html").is_file()  # a plain code keeps its own name

    # the ranking: every site a row, each row linking to the report of that very site
    doc = lxml_html.fromstring((out / "index.html").read_text(encoding="utf-8"))
    rows = doc.xpath("//table[@id='ranking-table']/tbody/tr")
    assert len(rows) == len(HOSTILE)
    for row in rows:
        name, code = (row.xpath(f"./td[{n}]")[0].text_content() for n in (2, 3))
        (href,) = row.xpath("./td[2]/a/@href")
        report = out / unquote(href)
        assert report.resolve().parent.parent == out.resolve() and report.is_file()
        heading = lxml_html.fromstring(report.read_text(encoding="utf-8")).get_element_by_id("site").text_content()
        assert f"{name}（网站标识码 {code}）" in heading, (code, href)  # "x" is not "../../x"
    assert sorted(r.xpath("./td[3]")[0].text_content() for r in rows) == sorted(code for code, _ in HOSTILE)

    # the workbook: the summary lists every site by its code, one sheet per site, names Excel accepts
    book = load_workbook(out / "问题清单.xlsx", read_only=True)
    assert len(book.sheetnames) == 1 + len(HOSTILE)
    assert all(_utf16(name) <= 31 and not set("[]:*?/\\") & set(name) for name in book.sheetnames)
    summary = list(book["汇总"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(summary) if r[0] == "排名 Rank")
    listed = summary[header + 1:]
    assert sorted(r[2] for r in listed) == sorted(code for code, _ in HOSTILE)
    assert all(r[1] is not None and _utf16(r[1]) <= 32767 for r in listed)
    assert any(r[1] == "'=HYPERLINK(\"http://evil.example/\")" for r in listed)  # text, not a formula


CONTROL = [
    ("list.csv", "网站名称,网站标识码,首页网址\n甲,1100000001,{base}/s0/\n乙\x00,1100000002,{base}/s1/\n", "row 3", "U+0000"),
    ("sites.yaml", 'sites:\n  - {{name: 甲, code: "1", url: "{base}/s0/"}}\n  - {{name: 乙, code: "2\\x85", url: "{base}/s1/"}}\n',
     "site 2", "U+0085"),
    ("sites.yaml", 'sites:\n  - {{name: 甲, code: "1", url: "{base}/s0/\\a"}}\n', "site 1", "U+0007"),
]
DUPLICATES = [
    ("list.csv", "网站名称,网站标识码,首页网址\n甲,ABC,{base}/s0/\n乙,abc,{base}/s1/\n", ("row 3", "row 2", "abc", "ABC")),
    ("sites.yaml", 'sites:\n  - {{name: 甲, code: "３３０１", url: "{base}/s0/"}}\n  - {{name: 乙, code: "x", url: "{base}/s1/"}}\n'
     '  - {{name: 丙, code: "3301", url: "{base}/s2/"}}\n', ("site 3", "site 1", "3301", "３３０１")),
]


@pytest.mark.parametrize("name, text, words", [(n, t, (w, c)) for n, t, w, c in CONTROL] + DUPLICATES)
def test_control_characters_and_duplicates_are_refused_before_anything_is_fetched(tmp_path, name, text, words):
    with serve(answer) as server:
        (tmp_path / name).write_text(text.format(base=server.base), encoding="utf-8")
        proc = zwgk("batch", tmp_path / name, "--db", tmp_path / "b.db", "--out", tmp_path / "out", "--no-ipv6", *FAST)
        assert server.requests == []
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert all(word in proc.stderr for word in words) and "Error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "\x00" not in proc.stderr and not (tmp_path / "b.db").exists() and not (tmp_path / "out").exists()


def test_one_cell_rule_for_every_workbook():
    """The single-site workbook and the batch's write cells alike (reports.tables.safe_cell): a page's
    text with characters XML cannot hold, a formula, or more than a cell holds never stops the file."""
    from openpyxl import Workbook

    from reports.tables import EXCEL_CELL_MAX, safe_cell

    values = ["正文\x00\x0b含控制字符", "=HYPERLINK(\"http://x\")", "😀" * 20000, "\ud800孤立代理项", 12, None]
    cells = [safe_cell(v) for v in values]
    assert cells[0] == "正文\ufffd\ufffd含控制字符" and cells[1].startswith("'=")
    assert len(cells[2].encode("utf-16-le")) // 2 <= EXCEL_CELL_MAX and cells[2].endswith("…")
    assert cells[4:] == [12, None]
    sheet = Workbook().active
    sheet.append(cells)  # openpyxl refuses what XML cannot hold: nothing left here to refuse
