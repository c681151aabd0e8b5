"""The parts every generated portal shares: its routes, the page skeleton with the 网页设计规范 meta
tags and footer, metadata blocks in three real layouts (gov.cn ``table.bd1``, Fujian ``index_box``
with ``&ensp;``-padded labels, ``<p><strong>`` pairs), TRS static column lists (``index.html`` /
``index_1.html`` with the ``createPageHTML`` script pager), unique 索引号, and the manifest of what
was planted (``Expect``: a rule that must report a thing, or must not).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from html import escape

from .server import Response


@dataclass
class Expect:
    rule: str
    where: list           # URLs (targets on the portal, "/…") that name the planted thing; one must appear in the finding
    tokens: list = field(default_factory=list)   # text one of which the finding's message/evidence must carry
    present: bool = True  # False: a look-alike, no finding of ``rule`` may name ``where``
    why: str = ""


def fmt_date(d: date, style: str) -> str:
    return {"iso": d.isoformat(), "cn": f"{d.year}年{d.month:02d}月{d.day:02d}日", "slash": d.strftime("%Y/%m/%d"),
            "dot": d.strftime("%Y.%m.%d")}[style]


class Portal:
    def __init__(self, seed: int, city: str, code: str, credit: str, other_hosts: tuple = ()):
        self.rng = random.Random(seed)
        self.city, self.code, self.credit = city, code, credit
        self.routes: dict = {}
        self.other_hosts = other_hosts
        self.expect: list[Expect] = []
        self.reports: dict = {}   # annual report key → (Report, planted errors), for the generator's self-check
        self._serial = 0
        self._docid = 7000

    # --- routes -------------------------------------------------------------------------
    def add(self, target: str, body, enc: str = "utf-8", ctype: str | None = None, host: str = "") -> None:
        if callable(body) or isinstance(body, Response):
            self.routes[(host, target)] = body
            return
        data = body.encode(enc, "xmlcharrefreplace") if isinstance(body, str) else body
        self.routes[(host, target)] = Response(200, data, ctype or f"text/html; charset={enc}")

    def docid(self) -> int:
        self._docid += self.rng.randint(1, 9)
        return self._docid

    def index_no(self, year: int) -> str:
        self._serial += self.rng.randint(1, 4)
        return f"{self.credit}/{year}-{self._serial:05d}"

    # --- pages ----------------------------------------------------------------------------
    def page(self, title: str, body: str, meta: dict | None = None, enc: str = "utf-8", head: str = "") -> str:
        tags = {"SiteName": f"{self.city}人民政府", "SiteDomain": "127.0.0.1", "SiteIDCode": self.code, **(meta or {})}
        metas = "".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in tags.items())
        return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={enc}">'
                f"<title>{escape(title)}</title>{metas}{head}</head><body>"
                f'<div class="header"><a href="/">{self.city}人民政府</a> <a href="/zwgk/index.html">政府信息公开</a> '
                f'<a href="/hdjl/index.html">互动交流</a></div>{body}'
                f'<div class="footer">主办：{self.city}人民政府办公室 网站标识码：{self.code} '
                f'<span>冀ICP备05001234号</span> 冀公网安备 13040202000123号</div></body></html>')

    def article_meta(self, title: str, day: date, source: str) -> dict:
        return {"ArticleTitle": title, "PubDate": f"{day.isoformat()} 09:30", "ContentSource": source}

    def column_meta(self, name: str, ctype: str) -> dict:
        return {"ColumnName": name, "ColumnDescription": name, "ColumnKeywords": name, "ColumnType": ctype}

    def metadata_block(self, fields: list[tuple[str, str]], layout: str) -> str:
        """fields: (label, value) in the order a portal prints them."""
        if layout == "govcn":
            cells = [f'<td><b>{lab}：</b></td><td>{escape(val)}</td>' for lab, val in fields]
            rows = ["<tr>" + "".join(cells[i:i + 2]) + "</tr>" for i in range(0, len(cells), 2)]
            return '<table class="bd1" width="100%">' + "".join(rows) + "</table>"
        if layout == "fujian":
            items = "".join(f'<li>{"&ensp;".join(lab)}：<font>{escape(val)}</font></li>' for lab, val in fields)
            return f'<div class="index_box"><ul>{items}</ul></div>'
        return '<div class="xxgk-info">' + "".join(f"<p><strong>{lab}：</strong>{escape(val)}</p>" for lab, val in fields) + "</div>"

    def doc_page(self, target: str, title: str, day: date, publisher: str, index_no: str, body_html: str,
                 column: tuple[str, str], enc: str = "utf-8", layout: str | None = None, doc_no: str = "",
                 written: date | None = None) -> None:
        layout = layout or self.rng.choice(["govcn", "fujian", "pstrong"])
        fields = [("索引号", index_no), ("发布机构", publisher), ("成文日期", fmt_date(written or day, "cn")),
                  ("发布日期", fmt_date(day, "iso")), ("标题", title)]
        if doc_no:
            fields += [("发文字号", doc_no), ("有效性", "有效")]
        html = self.page(title, f'<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; {column[0]}</div>'
                         f"{self.metadata_block(fields, layout)}<h1>{escape(title)}</h1>"
                         f'<div class="TRS_Editor">{body_html}</div>',
                         {**self.article_meta(title, day, publisher), "ColumnName": column[0], "ColumnType": column[1]}, enc)
        self.add(target, html, enc)

    def trs_column(self, base: str, name: str, ctype: str, rows: list[tuple[str, str, date]], per_page: int = 10,
                   date_style: str = "iso") -> list[str]:
        """A TRS static list under ``base`` (ends with /): rows (href relative to base, title, day), newest first.
        Returns the list pages' targets."""
        pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]
        targets = []
        for p, chunk in enumerate(pages):
            items = "".join(f'<li><a href="{href}" target="_blank" title="{escape(t)}">{escape(t)}</a>'
                            f"<span>{fmt_date(d, date_style)}</span></li>" for href, t, d in chunk)
            pager = (f'<script type="text/javascript">var currentPage = {p};var countPage = {len(pages)};'
                     f'createPageHTML(countPage, currentPage, "index", "html");</script>')
            html = self.page(name, f'<h2 class="lm">{name}</h2><ul class="list">{items}</ul><div class="page">{pager}</div>',
                             self.column_meta(name, ctype))
            target = base + ("index.html" if p == 0 else f"index_{p}.html")
            self.add(target, html)
            targets.append(target)
        self.add(base, self.routes[("", base + "index.html")])
        return targets
