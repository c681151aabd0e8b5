"""The batch ranking page (reports/batch.py) as a supervisor reads and files it: twelve sites with
long Chinese names, long URLs and single-veto items, every rule family a column, at 1 366 × 768 in
Chromium and printed to A4 landscape. What is measured is the rendered page itself: each cell's
lines (one Range per character) and each unbreakable word's width (one Range per word)."""

from __future__ import annotations

import re
import struct

from browser import browser_page
from reports.batch import FAMILIES, BatchInfo, write_batch_outputs

PLACES = [("福建省", "泉州市", "丰泽区", "fengze"), ("广东省", "深圳市", "南山区", "nanshan"),
          ("黑龙江省", "齐齐哈尔市", "建华区", "jianhua"), ("内蒙古自治区", "呼和浩特市", "赛罕区", "saihan"),
          ("新疆维吾尔自治区", "乌鲁木齐市", "沙依巴克区", "shayibake"), ("湖南省", "长沙市", "岳麓区", "yuelu"),
          ("四川省", "成都市", "武侯区", "wuhou"), ("江苏省", "苏州市", "姑苏区", "gusu"), ("浙江省", "杭州市", "西湖区", "xihu"),
          ("广西壮族自治区", "南宁市", "青秀区", "qingxiu"), ("吉林省", "延边朝鲜族自治州", "延吉市", "yanji"),
          ("云南省", "西双版纳傣族自治州", "景洪市", "jinghong")]
RULE_TEXTS = {"content.hidden_link": {"title_zh": "页面含隐藏链接（暗链）", "title_en": "Hidden link", "basis": "", "description_zh": ""},
              "freshness.stale_home": {"title_zh": "首页不更新", "title_en": "Home page not updated", "basis": "", "description_zh": ""}}
BATCH = "20260105-093000-4321"
AS_OF = "2026-01-05"
# A4 landscape less the page's 10 mm margins, in CSS pixels (96 per inch); the margin in PDF points
A4_LANDSCAPE_WIDTH = round((297 - 20) / 25.4 * 96)
MARGIN_PT = 10 / 25.4 * 72

# Per cell of the ranking table: its lines (from one Range per character: how many characters, and
# whether all of them belong to a URL), its content width, and its words (runs of characters with no
# line break opportunity between them: not CJK, not white space) with their width and the lines they fill.
MEASURE = r"""() => {
  const breakable = /[\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/;
  const url = /https?:\/\/[^\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+/g;
  const cells = [];
  for (const cell of document.querySelectorAll("#ranking-table th, #ranking-table td")) {
    if (!cell.getClientRects().length) { continue; }  // a row the screen does not show
    const style = getComputedStyle(cell), box = cell.getBoundingClientRect();
    const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - parseFloat(style.borderLeftWidth)
                  - parseFloat(style.borderRightWidth);
    const chars = [], words = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.data, inUrl = new Set();
      for (const m of text.matchAll(url)) { for (let i = m.index; i < m.index + m[0].length; i++) { inUrl.add(i); } }
      let start = -1;
      for (let i = 0; i <= text.length; i++) {
        const range = document.createRange();
        if (i < text.length && !/\s/.test(text[i])) {
          range.setStart(node, i); range.setEnd(node, i + 1);
          chars.push({top: Math.round(range.getBoundingClientRect().top), url: inUrl.has(i)});
        }
        const inWord = i < text.length && !breakable.test(text[i]);
        if (inWord && start < 0) { start = i; }
        if (!inWord && start >= 0) {
          range.setStart(node, start); range.setEnd(node, i);
          const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
          words.push({text: text.slice(start, i), width: range.getBoundingClientRect().width,
                      lines: new Set(rects.map(r => Math.round(r.top))).size});
          start = -1;
        }
      }
    }
    const lines = [];
    chars.forEach((c, i) => {
      if (i === 0 || Math.abs(c.top - chars[i - 1].top) > 2) { lines.push({n: 0, url: true}); }
      const line = lines[lines.length - 1];
      line.n += 1; line.url = line.url && c.url;
    });
    cells.push({cls: cell.className, text: cell.textContent.trim(), inner: inner, left: box.left, right: box.right,
                lines: lines, words: words});
  }
  const wrap = document.querySelector("#ranking .wrap");
  return {viewport: document.documentElement.clientWidth, cells: cells,
          wrap: {scroll: wrap.scrollWidth, client: wrap.clientWidth}};
}"""


def _sites() -> list[dict]:
    sites = []
    for i, (province, city, county, pinyin) in enumerate(PLACES):
        url = f"http://www.{pinyin}.gov.cn/col/col1229{i:03d}/index.html?uid=4{i}21&pageNum=1&channelid=zfxxgkml"
        site = {"name": f"{province}{city}{county}人民政府办公室门户网站", "code": f"35{i:02d}000{i:03d}", "url": url,
                "organiser": f"{city}{county}人民政府办公室", "report": f"{pinyin}/index.html", "scan_id": i, "previous": None}
        if i == 0:
            sites.append(site | {"status": "unreachable", "report": None,
                                 "error": f"{url}: 连接超时 connection timed out after 30 s"})
            continue
        if i == 1:
            sites.append(site | {"status": "interrupted", "error": "抓取被中断 interrupted", "report": None})
            continue
        vetoes = [{"rule": "content.hidden_link", "url": f"{url}&hidden=1"}, {"rule": "content.hidden_link", "url": url},
                  {"rule": "freshness.stale_home", "url": url}] if i % 3 == 0 else []
        by_family = {f: (i * 37 + j * 11) % (1200 if j % 4 == 0 else 40) for j, f in enumerate(FAMILIES)}
        sites.append(site | {"status": "audited", "error": None, "score": 40.0 + i * 4.5, "passed": not vetoes and i > 6,
                             "vetoes": vetoes, "by_family": by_family,
                             "by_severity": {"error": sum(by_family.values()), "warning": 0, "info": 0}, "findings": [],
                             "previous": {"score": 50.0, "findings": 300, "batch": "20251201-101010-0001"} if i % 2 else None,
                             "rule_texts": RULE_TEXTS})
    return sites


def _check_layout(measured: dict, width: int) -> None:
    cells = measured["cells"]
    assert len(cells) == 22 * (1 + len(PLACES))  # 8 columns, 12 rule families, findings, trend
    for cell in cells:
        where = f"{cell['cls']!r} {cell['text'][:40]!r}"
        # the page fits: no column beyond the page, none needing the scrollbar
        assert 0 <= cell["left"] and cell["right"] <= width + 0.5, where
        for word in cell["words"]:
            if "://" in word["text"]:
                continue  # URLs break anywhere by design: one would otherwise be wider than its column
            assert word["lines"] == 1 and word["width"] <= cell["inner"] + 0.5, f"{where}: {word}"
        # Chinese breaks between any two characters, but no cell is so narrow that it stacks them one a
        # line (a character before a URL too long for the rest of its line may stand alone, once)
        single = [line["n"] == 1 and not line["url"] for line in cell["lines"]]
        assert not any(a and b for a, b in zip(single, single[1:])), f"{where}: lines {cell['lines']}"
        if "c-name" in cell["cls"].split() and cell["text"] != "网站名称":  # a name keeps 8 characters a line
            assert all(line["n"] >= 8 for line in cell["lines"][:-1]), f"{where}: lines {cell['lines']}"
    assert measured["wrap"]["scroll"] <= measured["wrap"]["client"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _pdf_text(path, left_px: float = 0, right_px: float = 10**6) -> list[str]:
    """Each page's text (pypdf, white space removed) printed between two x positions of the page in
    CSS pixels, read top to bottom: with the bounds of one table column, its cells one after another,
    whichever order the PDF draws the lines of a table row in."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        runs = []

        def visit(text, cm, tm, font, size):
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if MARGIN_PT + left_px * 0.75 <= x < MARGIN_PT + right_px * 0.75:  # a CSS pixel prints as 0.75 pt
                runs.append((-y, x, text))

        page.extract_text(visitor_text=visit)
        pages.append(re.sub(r"\s+", "", "".join(text for *_, text in sorted(runs))))
    return pages


def test_ranking_reads_at_1366_and_prints_on_a4_landscape(tmp_path):
    sites = _sites()
    resume = (f"zwgk batch /home/inspector/2026年第一季度检查/网站清单.csv --db /home/inspector/2026年第一季度检查/zwgk.db "
              f"--out /home/inspector/2026年第一季度检查/批量报告 --as-of {AS_OF} --batch {BATCH}")
    index = write_batch_outputs(tmp_path / "out", sites, batch=BatchInfo(BATCH, ("2026-01-05", "2026-01-06"), (AS_OF,), resume))["index"]
    with browser_page() as page:
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(index.as_uri())
        _check_layout(page.evaluate(MEASURE), 1366)
        shot = tmp_path / "ranking-1366.png"
        page.screenshot(path=str(shot), full_page=True)
        width, height = _png_size(shot.read_bytes())
        assert width == 1366 and height > 768 and shot.stat().st_size > 100_000  # the whole table, not a blank page

        # the screen shows the sites that failed only (the unreachable one among them); the print lists all twelve
        page.select_option("#f-verdict", "failed")
        failed = sum(1 for s in sites if s.get("passed") is False or s["status"] == "unreachable")
        assert page.locator("#ranking-table tbody tr:visible").count() == failed < len(sites)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_LANDSCAPE_WIDTH, "height": 740})
        assert page.locator("#ranking-table tbody tr:visible").count() == len(sites)
        printed = page.evaluate(MEASURE)
        _check_layout(printed, A4_LANDSCAPE_WIDTH)
        pdf = tmp_path / "ranking.pdf"
        page.pdf(path=str(pdf), format="A4", landscape=True)

    pages = _pdf_text(pdf)
    text = "".join(pages)
    names = [c for c in printed["cells"] if "c-name" in c["cls"].split()]
    column = "".join(_pdf_text(pdf, min(c["left"] for c in names), max(c["right"] for c in names)))
    assert len(pages) >= 2 and all(p.count("网站名称") == 1 for p in pages)  # the table's header on every page
    for site in sites:
        assert site["name"] in column and site["code"] in text
    assert f"批次：{BATCH}" in text and f"检查基准日：{AS_OF}" in text and "检查日期（北京时间）：2026-01-05至2026-01-06" in text
    assert "本批次尚有1个网站未完成检查" in text and re.sub(r"\s+", "", resume) in text
    assert text.count("新增网站") == sum(1 for s in sites if not s["previous"])  # the last column, on every row
    assert not any(word in text for word in ("上一页", "下一页", "每页", "搜索", "⇅"))  # no controls on paper
