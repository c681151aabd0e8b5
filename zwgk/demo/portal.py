"""示范市人民政府 — a generated government portal with every pagination style and metadata
layout zwgk must handle, and a few of each defect the checks look for.

Everything is derived from a base date and a size, so the same portal (and the same expected
audit) comes out every time. ``PLANTED`` lists the defects by name for the tests.
"""

from __future__ import annotations

import re

import html as htmlmod
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qs

from checks.workdays import WorkCalendar
from zwgk.demo import files

BASE_DATE = date(2026, 11, 20)  # the portal's "today"; `zwgk demo` audits as of this date
SITE_NAME = "示范市人民政府"
SITE_DOMAIN = "www.demo.gov.cn"
SITE_ID_CODE = "3799000001"

TOPICS = ["城市管理", "教育发展", "医疗卫生", "交通运输", "生态环境", "乡村振兴", "营商环境", "安全生产", "文化旅游", "社会保障"]
CATEGORY_CODES = [("01", "政府组织机构"), ("02", "国民经济管理、国有资产监管"), ("04", "财政、金融、审计"), ("12", "卫生、体育"), ("19", "综合政务")]


@dataclass
class Column:
    slug: str
    name: str
    type: str
    pager: str  # trs | trs_var | hanweb | hanweb_nototal | query | links | static | single | blank
    layout: str  # metadata layout of its documents
    encoding: str  # what its pages are encoded in
    declared: str  # what its pages declare
    count: int
    per_page: int
    newest_days: int  # age of its newest document
    spacing: int  # days between documents
    column_id: int = 0
    docs: list["Doc"] = field(default_factory=list)

    @property
    def url(self) -> str:
        if self.pager.startswith("hanweb"):
            return f"/col/col{self.column_id}/index.html"
        if self.pager == "trs_var":
            return f"/zwgk/{self.slug}/index.shtml"
        if self.pager == "query":
            return f"/zwgk/{self.slug}/list.jsp"
        return f"/zwgk/{self.slug}/index.html"


@dataclass
class Doc:
    id: int
    column: Column
    index: int
    title: str
    written: date
    published: date
    url: str = ""
    defects: set[str] = field(default_factory=set)
    interpretation: "Doc | None" = None  # for a policy: its interpretation
    policy: "Doc | None" = None  # for an interpretation: the policy it explains
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    extra_links: list[tuple[str, str]] = field(default_factory=list)  # (anchor, url) in the body
    pinned: bool = False


def add_working_days(start: date, n: int) -> date:
    return WorkCalendar().add_working_days(start, n)


class DemoPortal:
    """The portal's pages as a function of (method, path, query, form)."""

    def __init__(self, base_date: date = BASE_DATE, scale: int = 1, dead_port: int = 9, external_port: int = 0):
        self.base_date = base_date
        self.dead_port = dead_port
        self.external_port = external_port  # served on "localhost": another host for the crawl
        self.busy_hits = 0
        s = scale
        self.columns = [
            Column("gzdt", "工作动态", "工作动态", "trs", "table", "utf-8", "utf-8", 45 * s, 20, 2, 3),
            Column("tzgg", "通知公告", "通知公告", "trs_var", "trad", "gbk", "gbk", 30 * s, 12, 200, 5),
            Column("zcwj", "政策文件", "政策文件", "hanweb", "li", "utf-8", "utf-8", 37 * s, 15, 5, 7, column_id=1001),
            Column("gfxwj", "规范性文件", "政策文件", "hanweb_nototal", "div", "gbk", "gb2312", 23 * s, 5, 12, 9, column_id=1002),
            Column("zcjd", "政策解读", "政策解读", "query", "dl", "utf-8", "utf-8", 0, 10, 0, 0),
            Column("rsxx", "人事信息", "人事信息", "links", "p", "utf-8", "utf-8", 20 * s, 8, 30, 10),
            Column("ndbg", "政府信息公开年报", "信息公开年报", "static", "spaced", "utf-8", "utf-8", 3, 10, 0, 0),
            Column("gkzn", "政府信息公开指南", "信息公开指南", "single", "table", "utf-8", "utf-8", 0, 10, 0, 0),
            Column("czxx", "财政信息", "财政信息", "blank", "table", "utf-8", "utf-8", 0, 10, 0, 0),
            Column("tjxx", "统计信息", "统计信息", "blank", "table", "utf-8", "utf-8", 0, 10, 0, 0),
        ]
        self.by_slug = {c.slug: c for c in self.columns}
        self.docs: dict[str, Doc] = {}
        self._ordered: dict[str, list[Doc]] = {}
        self._build()

    # -- the site model ------------------------------------------------------------------

    def _doc_url(self, col: Column, doc_id: int, published: date) -> str:
        if col.pager == "trs":
            return f"/zwgk/{col.slug}/{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.html"
        if col.pager == "trs_var":
            return f"/zwgk/{col.slug}/{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.shtml"
        if col.pager.startswith("hanweb"):
            return f"/art/{published.year}/{published.month}/{published.day}/art_{col.column_id}_{doc_id}.html"
        return f"/zwgk/{col.slug}/content/{doc_id}.html"

    def _add(self, col: Column, index: int, title: str, written: date, published: date) -> Doc:
        doc_id = 10000 + len(self.docs) + 1
        doc = Doc(doc_id, col, index, title, written, published)
        doc.url = self._doc_url(col, doc_id, published)
        col.docs.append(doc)
        self.docs[doc.url] = doc
        return doc

    def _build(self) -> None:
        base = self.base_date
        for col in self.columns:
            if col.pager in ("query", "static", "single", "blank"):
                continue
            for i in range(col.count):
                published = base - timedelta(days=col.newest_days + i * col.spacing)
                written = published - timedelta(days=2 + i % 5)
                topic = TOPICS[i % len(TOPICS)]
                if col.slug == "gfxwj":
                    title = f"示范市人民政府办公室关于印发《示范市{topic}管理办法（第{i + 1}号）》的通知"
                elif col.slug == "zcwj":
                    title = f"示范市人民政府关于做好{topic}工作的通知（{i + 1}）"
                else:
                    title = f"示范市{col.name}：{topic}工作情况（第{i + 1}期）"
                self._add(col, i, title, written, published)
        self._plant_defects()
        self._build_interpretations()
        self._build_annual_reports()
        self.attachments = {url for d in self.docs.values() for _, url in d.attachments if "missing" not in url}

    def _plant_defects(self) -> None:
        gzdt, tzgg, zcwj, gfxwj, rsxx = (self.by_slug[s].docs for s in ("gzdt", "tzgg", "zcwj", "gfxwj", "rsxx"))
        gzdt[4].written = gzdt[4].published - timedelta(days=45)
        gzdt[4].defects.add("late")
        zcwj[2].written = zcwj[2].published - timedelta(days=40)
        zcwj[2].defects.add("late")
        # The 20-working-day limit across the 2026 Spring Festival (holiday 2-15…2-23, make-up
        # working Saturdays 2-14 and 2-28): exactly 20 working days is in time, 21 is late.
        tzgg[20].written = date(2026, 2, 10)
        tzgg[20].published = add_working_days(date(2026, 2, 10), 20)
        tzgg[21].written = date(2026, 2, 10)
        tzgg[21].published = add_working_days(date(2026, 2, 10), 21)
        tzgg[21].defects.add("late")
        for d in (tzgg[20], tzgg[21]):
            del self.docs[d.url]
            d.url = self._doc_url(d.column, d.id, d.published)
            self.docs[d.url] = d
        gzdt[6].defects.add("no_index_no")
        zcwj[4].defects.add("no_written_date")
        rsxx[2].defects.add("empty_doc_no")
        rsxx[5].defects.add("commented_written_date")
        gzdt[8].written = gzdt[8].published + timedelta(days=3)
        gzdt[8].defects.add("written_after_published")
        tzgg[3].defects.add("bad_publish_date")
        rsxx[7].defects.add("odd_index_no")
        rsxx[0].defects.add("pubdate_format")
        rsxx[1].defects.add("pubdate_format")
        gzdt[10].defects.add("no_content_source")
        gzdt[1].attachments.append(("工作方案.pdf", f"{gzdt[1].url.rsplit('/', 1)[0]}/P020261118000001.pdf"))
        zcwj[0].attachments.append(("政策全文.docx", "/files/zcwj/policy-0.docx"))
        gfxwj[1].attachments.append(("附件：统计表.xlsx", "/files/gfxwj/table-1.xlsx"))  # masked data only: no finding
        tzgg[5].attachments.append(("拟聘用人员名单.xlsx", "/files/tzgg/list-5.xlsx"))
        tzgg[5].defects.add("personal_data_attachment")  # an unmasked ID number in the attached list
        tzgg[0].attachments.append(("公告原件.pdf", "/files/tzgg/missing-notice.pdf"))
        tzgg[0].defects.add("broken_attachment")
        tzgg[1].extra_links.append(("相关通知", "/zwgk/missing.html"))
        tzgg[1].defects.add("broken_internal")
        gzdt[2].extra_links += [("数据专栏", "/zwgk/error.html"), ("上级网站", "EXTERNAL/"),
                                ("合作网站", f"http://127.0.0.1:{self.dead_port}/"), ("旧版栏目", "/zwgk/gzdt/old.html"),
                                ("循环链接", "/loop/a.html"), ("繁忙页面", "/zwgk/busy.html")]
        gzdt[2].defects.update({"broken_500", "broken_refused", "redirect_loop"})
        gzdt[3].defects.add("personal_data")
        # content rules, each beside a look-alike that must not be reported
        gzdt[5].defects.add("spam_footer")  # a hijacked footer: gambling text written as visible text
        gzdt[7].title = "示范市开展打击赌博违法犯罪专项行动"  # news of a crackdown: not spam
        gzdt[7].defects.add("crackdown_news")
        zcwj[1].defects.add("abolished_institution")  # 国家工商行政管理总局 named as current in 2026
        zcwj[2].defects.add("former_institution")  # 「原国家工商行政管理总局」: correct usage
        zcwj[3].defects.add("repealed_unmarked")  # declared repealed below, still shows 有效
        zcwj[5].defects.add("repealed_marked")  # declared repealed in the same sentence, shows 已废止
        zcwj[0].defects.add("repeals")  # the newest policy repeals two earlier ones
        gzdt[0].pinned = False
        gzdt[-1].pinned = True  # an old item pinned to the top of page 1

    def _build_interpretations(self) -> None:
        zcjd = self.by_slug["zcjd"]
        for policy in self.by_slug["gfxwj"].docs:
            if policy.index in (3, 7):
                policy.defects.add("no_interpretation")
                continue
            delay = 20 if policy.index == 5 else 1
            published = policy.published + timedelta(days=delay)
            title = f"《{policy.title.split('《')[1].split('》')[0]}》政策解读"
            interp = self._add(zcjd, len(zcjd.docs), title, published, published)
            interp.policy, policy.interpretation = policy, interp
            if policy.index == 5:
                interp.defects.add("late_interpretation")
            if policy.index == 9:
                policy.defects.add("policy_not_linking_interpretation")
            if policy.index == 11:
                interp.defects.add("interpretation_not_linking_policy")
        zcjd.docs.sort(key=lambda d: d.published, reverse=True)
        zcjd.count = len(zcjd.docs)

    def _build_annual_reports(self) -> None:
        col = self.by_slug["ndbg"]
        last = self.base_date.year - 1
        for i, year in enumerate((last, last - 1, last - 2)):
            # the latest report came out late (after 31 January); the earlier ones in time
            published = date(year + 1, 2, 10) if i == 0 else date(year + 1, 1, 20)
            doc = self._add(col, i, f"示范市人民政府{year}年政府信息公开工作年度报告", published - timedelta(days=3), published)
            doc.attachments.append((f"{year}年年报.pdf", f"/files/ndbg/{year}.pdf"))
            if i == 0:
                doc.defects.add("annual_report_late")
        col.count = 3

    # -- rendering -----------------------------------------------------------------------

    def ordered(self, col: Column) -> list[Doc]:
        """The column's list order: pinned items first, then newest first (cached)."""
        if col.slug not in self._ordered:
            docs = sorted(col.docs, key=lambda d: d.published, reverse=True)
            self._ordered[col.slug] = [d for d in docs if d.pinned] + [d for d in docs if not d.pinned]
        return self._ordered[col.slug]

    def _page(self, title: str, metas: dict[str, str], body: str, declared: str = "utf-8", footer: bool = True) -> str:
        head = "".join(f'<meta name="{k}" content="{htmlmod.escape(v)}">\n' for k, v in metas.items())
        foot = (
            f'<div class="footer"><p>主办：{SITE_NAME}办公室 网站标识码：{SITE_ID_CODE} '
            f'鲁ICP备12345678号-1 鲁公网安备 37010202000001号</p></div>'
            if footer else '<div class="footer"><p>主办：示范市人民政府办公室</p></div>'
        )
        nav = (
            '<div class="nav"><ul><li><a href="/index.html">首页</a></li><li><a href="/zwgk/index.html">政府信息公开</a></li>'
            + "".join(f'<li><a href="{c.url}">{c.name}</a></li>' for c in self.columns)
            + "</ul></div>"
        )
        return (
            f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">\n'
            f"<title>{htmlmod.escape(title)}</title>\n{head}</head>\n<body>\n{nav}\n"
            f'<div class="main">{body}</div>\n{foot}\n</body></html>'
        )

    def _site_meta(self) -> dict[str, str]:
        return {"SiteName": SITE_NAME, "SiteDomain": SITE_DOMAIN, "SiteIDCode": SITE_ID_CODE}

    def _column_meta(self, col: Column) -> dict[str, str]:
        meta = self._site_meta() | {"ColumnName": col.name, "ColumnDescription": f"{SITE_NAME}{col.name}栏目",
                                    "ColumnKeywords": f"{col.name},政府信息公开", "ColumnType": col.type}
        if col.slug == "tzgg":
            del meta["ColumnDescription"]  # planted: a column page without ColumnDescription
        return meta

    def _row(self, doc: Doc) -> str:
        return (f'<li><a href="{doc.url}" title="{htmlmod.escape(doc.title)}" target="_blank">{htmlmod.escape(doc.title)}</a>'
                f'<span class="date">{doc.published:%Y-%m-%d}</span></li>')

    def home(self) -> str:
        latest = sorted((self.ordered(c)[0:20] for c in self.columns), key=len)  # newest of each column
        latest = sorted((d for group in latest for d in group), key=lambda d: d.published, reverse=True)[:8]
        body = (
            '<div class="news"><h2>最新信息</h2><ul>' + "".join(self._row(d) for d in latest) + "</ul></div>"
            '<div class="links"><a href="/zwgk/index.html">政府信息公开专栏</a> <a href="/hdjl/szxx/index.html">市长信箱</a> '
            '<a href="/admin/">后台管理</a></div>'
            # planted: a hidden gambling link, the kind hijackers inject (暗链)
            f'<div style="display:none"><a href="http://127.0.0.1:{self.dead_port}/bc/">澳门葡京赌场</a></div>'
        )
        return self._page(SITE_NAME, self._site_meta() | {"ColumnName": "首页", "ColumnType": "首页"}, body)

    def mailbox(self) -> str:
        """互动交流 · 市长信箱: every letter of the last months answered within days (互动回应差 not planted)."""
        rows = []
        for i in range(12):
            asked = self.base_date - timedelta(days=9 + i * 13)
            answered = asked + timedelta(days=3 + i % 6)
            topic = TOPICS[i % len(TOPICS)]
            rows.append(f'<tr><td><a href="/hdjl/szxx/{i + 1}.html">关于{topic}的咨询</a></td><td>{asked:%Y-%m-%d}</td>'
                        f"<td>{answered:%Y-%m-%d}</td><td>市{topic}主管部门</td><td>已回复</td></tr>")
        body = ('<h2>市长信箱</h2><table class="letters"><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>回复单位</th>'
                "<th>状态</th></tr>" + "".join(rows) + "</table>")
        return self._page("市长信箱", self._site_meta() | {"ColumnName": "市长信箱", "ColumnDescription": "市长信箱来信及答复",
                                                          "ColumnKeywords": "市长信箱,互动交流", "ColumnType": "咨询投诉"}, body)

    def letter(self, number: int) -> str | None:
        if not 1 <= number <= 12:
            return None
        i = number - 1
        asked = self.base_date - timedelta(days=9 + i * 13)
        answered = asked + timedelta(days=3 + i % 6)
        topic = TOPICS[i % len(TOPICS)]
        body = (f"<h1>关于{topic}的咨询</h1><p>留言时间：{asked:%Y-%m-%d}</p><p>您好，想了解本市{topic}方面的办理流程。</p>"
                f'<div class="reply"><p>回复单位：市{topic}主管部门</p><p>回复时间：{answered:%Y-%m-%d}</p>'
                "<p>您好，相关流程已在政务服务网公布，欢迎咨询。</p></div>")
        return self._page(f"关于{topic}的咨询", self._site_meta() | {
            "ColumnName": "市长信箱", "ArticleTitle": f"关于{topic}的咨询", "PubDate": f"{answered:%Y-%m-%d} 16:00",
            "ContentSource": f"市{topic}主管部门"}, body)

    def disclosure_home(self) -> str:
        body = '<div class="column-nav"><h2>政府信息公开</h2><div class="cols">' + "".join(
            f'<div class="col"><a href="{c.url}">{c.name}</a></div>' for c in self.columns
        ) + "</div></div>"
        return self._page(f"政府信息公开_{SITE_NAME}", self._site_meta(), body)

    def column_page(self, col: Column, page: int) -> str | None:
        docs = self.ordered(col)
        pages = max(1, -(-len(docs) // col.per_page))
        if page >= pages and not (page == 0):
            return None
        chunk = docs[page * col.per_page:(page + 1) * col.per_page]
        rows = "<ul class=\"list\">" + "".join(self._row(d) for d in chunk) + "</ul>"
        if col.pager == "trs":
            pager = f'<div class="page"><script>createPageHTML({pages}, {page}, "index", "html");</script></div>'
        elif col.pager == "trs_var":
            pager = (f'<div class="page"><script>var countnum= {len(docs)};\nvar currentPage={page};\nvar countPage={pages}\n'
                     'if(countPage>1){document.write("<a href=\\"index_"+(currentPage+1)+".shtml\\">下一页</a>");}</script></div>')
        elif col.pager == "links":
            pager = '<div class="page">'
            pager += '<a href="index.html">首页</a> ' if page else ""
            if page + 1 < pages:
                pager += f'<a href="list_{page + 2}.html">下一页</a> <a href="list_{pages}.html">尾页</a>'
            pager += "</div>"
        elif col.pager == "query":
            links = " ".join(f'<a href="list.jsp?page={n}">{n}</a>' for n in range(1, pages + 1) if n != page + 1)
            nxt = f' <a href="list.jsp?page={page + 2}">下一页</a>' if page + 1 < pages else ""
            pager = f'<div class="page">共{pages}页 {links}{nxt}</div>'
        else:
            pager = ""
        title = f"{col.name}_{SITE_NAME}"
        return self._page(title, self._column_meta(col), f"<h2>{col.name}</h2>{rows}{pager}", col.declared)

    def hanweb_column(self, col: Column) -> str:
        docs = self.ordered(col)
        first = docs[: col.per_page]
        records = "".join(f"<record><![CDATA[{self._row(d)}]]></record>" for d in first)
        unit = col.column_id + 50000
        params = f"col=1&appid=1&webid=1&path=/&columnid={col.column_id}&sourceContentType=1&unitid={unit}&webname=示范市&permissiontype=0"
        store = (f'<div id="{unit}"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&{params}"></a>]]></nextgroup>'
                 f"<recordset>{records}</recordset></datastore></script></div>")
        total = f"totalRecord: {len(docs)}," if col.pager == "hanweb" else ""
        group = 1 if col.pager == "hanweb" else 2
        script = (f"<script>$('#{unit}').jpage({{ dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', "
                  f"perPage: {col.per_page}, {total} groupSize: {group}, "
                  f"ajaxParam: {{col:1, appid:1, webid:1, path:'/', columnid:{col.column_id}, sourceContentType:1, unitid:{unit}, webname:'示范市', permissiontype:0}} }});</script>")
        return self._page(f"{col.name}_{SITE_NAME}", self._column_meta(col), f"<h2>{col.name}</h2>{store}{script}", col.declared)

    def hanweb_data(self, query: dict, form: dict) -> str | None:
        try:
            start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
            column_id, unit = int(form["columnid"][0]), int(form["unitid"][0])
        except (KeyError, ValueError):
            return None
        col = next((c for c in self.columns if c.column_id == column_id and unit == column_id + 50000), None)
        if col is None:
            return None
        docs = self.ordered(col)
        records = "".join(f"<record><![CDATA[{self._row(d)}]]></record>" for d in docs[start - 1:end])
        pages = -(-len(docs) // col.per_page)
        return (f'<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>{records}</recordset>'
                f"<totalrecord>{len(docs)}</totalrecord><totalpage>{pages}</totalpage></datastore>")

    @staticmethod
    def doc_no(doc: Doc) -> str:
        return f"示政办发〔{doc.written.year}〕{doc.id % 1000}号"  # one number per document, as on a real portal

    def _meta_block(self, doc: Doc, layout: str) -> str:
        i = doc.index
        index_no = f"{SITE_ID_CODE[:9]}/{doc.published.year}-{doc.id:05d}"
        if "odd_index_no" in doc.defects:
            index_no = "暂无"
        category_code, category = CATEGORY_CODES[i % len(CATEGORY_CODES)]
        doc_no = self.doc_no(doc)
        written = f"{doc.written:%Y-%m-%d}"
        published = "2026-13-45" if "bad_publish_date" in doc.defects else f"{doc.published:%Y-%m-%d}"
        fields = [("索引号", index_no), ("主题分类", category), ("发文机关", f"{SITE_NAME}办公室"), ("成文日期", written),
                  ("标题", doc.title), ("发文字号", doc_no), ("发布日期", published),
                  ("有效性", "已废止" if "repealed_marked" in doc.defects else "有效")]
        if "no_index_no" in doc.defects:
            fields = [f for f in fields if f[0] != "索引号"]
        if "no_written_date" in doc.defects:
            fields = [f for f in fields if f[0] != "成文日期"]
        if "empty_doc_no" in doc.defects:
            fields = [(k, "" if k == "发文字号" else v) for k, v in fields]
        if layout == "table":  # gov.cn table.bd1: labels with ASCII spaces and U+3000
            spaced = {"索引号": "索 引 号", "标题": "标\u3000\u3000题"}
            cells = "".join(f"<tr><td><b>{spaced.get(k, k)}：</b></td><td>{htmlmod.escape(v)}</td></tr>" for k, v in fields)
            return f'<table class="bd1">{cells}</table>'
        if layout == "trad":  # Traditional-character labels in th/td
            trad = {"索引号": "索引號", "主题分类": "主題分類", "发文机关": "發文機關", "成文日期": "成文日期", "标题": "標題",
                    "发文字号": "發文字號", "发布日期": "發布日期", "有效性": "有效性"}
            cells = "".join(f"<tr><th>{trad[k]}</th><td>{htmlmod.escape(v)}</td></tr>" for k, v in fields)
            return f'<table class="xxgk">{cells}</table>'
        if layout == "li":  # Fujian/Pingtan: &ensp; padding, <font> values, 主题分类 filled by script
            pad = {"索引号": "索&ensp;引&ensp;号", "标题": "标&ensp;&ensp;&ensp;&ensp;题", "有效性": "有&ensp;效&ensp;性"}
            items = []
            for k, v in fields:
                if k == "主题分类":
                    items.append('<li>主题分类：<font id="zhuTi"></font></li>')
                elif k == "有效性":
                    items.append(f'<li>{pad[k]}：<em class="red_base">{v}</em></li>')
                else:
                    items.append(f"<li>{pad.get(k, k)}：<font>{htmlmod.escape(v)}</font></li>")
            table = ", ".join(f'{{value: "{c}", name: "{n}"}}' for c, n in CATEGORY_CODES)
            script = (f"<script>var zhuTi = [{table}];\nfor (var key in zhuTi) {{ if (zhuTi[key].value==\"{category_code}\") "
                      '{ $("#zhuTi").html(zhuTi[key].name); } }</script>')
            return f'<div class="index_box"><ul>{"".join(items)}</ul></div>{script}'
        if layout == "div":  # label/value spans, ASCII colons
            rows = "".join(f'<div class="row"><span class="label">{k}:</span><span class="value">{htmlmod.escape(v)}</span></div>' for k, v in fields)
            return f'<div class="meta">{rows}</div>'
        if layout == "dl":
            synonyms = {"发文机关": "发布机构", "标题": "名称", "发文字号": "文号", "有效性": "时效"}
            rows = "".join(f"<dt>{synonyms.get(k, k)}</dt><dd>{htmlmod.escape(v)}</dd>" for k, v in fields)
            return f'<dl class="xxgk-meta">{rows}</dl>'
        if layout == "p":  # Handan: <p><strong>LABEL</strong>：VALUE</p>, some commented out
            parts = []
            for k, v in fields:
                line = f"<p><strong>{k}</strong>：{htmlmod.escape(v)}</p>"
                if k == "成文日期" and "commented_written_date" in doc.defects:
                    line = f"<!--{line}-->"
                parts.append(line)
            return f'<div class="top">{"".join(parts)}</div>'
        # spaced: labels padded with NBSP and written 年月日
        nbsp = {k: "&nbsp;".join(k) for k, _ in fields}
        cn = {"成文日期": f"{doc.written.year}年{doc.written.month}月{doc.written.day}日",
              "发布日期": f"{doc.published.year}年{doc.published.month}月{doc.published.day}日"}
        rows = "".join(f'<li><span>{nbsp[k]}：</span>{htmlmod.escape(cn.get(k, v))}</li>' for k, v in fields)
        return f'<ul class="info">{rows}</ul>'

    def document(self, doc: Doc) -> str:
        col = doc.column
        meta = self._site_meta() | {"ColumnName": col.name, "ArticleTitle": doc.title,
                                    "PubDate": f"{doc.published:%Y-%m-%d} 09:30", "ContentSource": f"{SITE_NAME}办公室"}
        if "pubdate_format" in doc.defects:
            meta["PubDate"] = f"{doc.published.year}年{doc.published.month:02d}月{doc.published.day:02d}日"
        if "no_content_source" in doc.defects:
            del meta["ContentSource"]
        paragraphs = [f"为进一步做好{TOPICS[doc.index % len(TOPICS)]}工作，现将有关事项通知如下。",
                      "一、提高思想认识。各部门要把这项工作摆在突出位置。", "二、加强组织领导。"]
        if col.declared == "gb2312":
            # 喆 is in GBK but not in GB2312: readable only when GB2312 is decoded as GB18030
            paragraphs.append("联系人：王喆，联系电话：0531-12345678。")
        if "personal_data" in doc.defects:
            paragraphs.append("联系人：张三，身份证号：370102198001011237，手机：13812345678。")
        if "crackdown_news" in doc.defects:
            paragraphs.append("公安机关严厉打击网络赌场、跨境赌博等违法犯罪活动，已查处赌博案件12起。")
        if "abolished_institution" in doc.defects:
            paragraphs.append("企业登记材料按国家工商行政管理总局的规定报送。")
        if "former_institution" in doc.defects:
            paragraphs.append("原国家工商行政管理总局的有关职责已划入国家市场监督管理总局。")
        if "repeals" in doc.defects:
            repealed = [d for d in self.by_slug["zcwj"].docs if {"repealed_unmarked", "repealed_marked"} & d.defects]
            named = "、".join(f"《{d.title}》（{self.doc_no(d)}）" for d in repealed)
            paragraphs.append(f"本通知自印发之日起施行，{named}同时废止。")
        links = list(doc.extra_links)
        if doc.interpretation is not None and "policy_not_linking_interpretation" not in doc.defects:
            links.append(("相关解读：" + doc.interpretation.title, doc.interpretation.url))
        if doc.policy is not None and "interpretation_not_linking_policy" not in doc.defects:
            links.append(("原文链接：" + doc.policy.title, doc.policy.url))
        ext = f"http://localhost:{self.external_port}" if self.external_port else f"http://127.0.0.1:{self.dead_port}"
        body_links = "".join(f'<p><a href="{u.replace("EXTERNAL", ext)}">{htmlmod.escape(a)}</a></p>' for a, u in links)
        files = "".join(f'<li><a href="{u}">{htmlmod.escape(n)}</a></li>' for n, u in doc.attachments)
        body = (
            self._meta_block(doc, col.layout)
            + f'<h1 class="title">{htmlmod.escape(doc.title)}</h1>'
            + '<div class="TRS_Editor">' + "".join(f"<p>{p}</p>" for p in paragraphs) + body_links + "</div>"
            + (f'<ul class="attachments">{files}</ul>' if files else "")
            + ('<div class="copyright">Copyright © 2002-2026 皇冠hg体育赌场 版权所有</div>' if "spam_footer" in doc.defects else "")
        )
        return self._page(doc.title, meta, body, col.declared)

    def guide(self) -> str:
        col = self.by_slug["gkzn"]
        body = ("<h1>示范市人民政府信息公开指南</h1><div class=\"TRS_Editor\"><p>一、主动公开：本机关主动公开的政府信息包括机构职能、政策文件等。</p>"
                "<p>二、依申请公开：申请人可通过网络、信函、当面等方式提出申请。受理机构：示范市人民政府办公室，地址：示范市人民路1号，"
                "办公时间：工作日9:00-17:00，联系电话：0531-12345678，传真：0531-12345679。</p></div>")
        return self._page(f"{col.name}_{SITE_NAME}", self._column_meta(col), body, footer=False)

    def blank(self, col: Column) -> str:
        return self._page(f"{col.name}_{SITE_NAME}", self._column_meta(col), f"<h2>{col.name}</h2><p class=\"empty\">暂无信息</p>")

    # -- routing -------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str = "", body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one request."""
        q = parse_qs(query)
        html_type = "text/html; charset=utf-8"
        if path in ("/", "/index.html"):
            return 200, {"Content-Type": html_type}, self.home().encode()
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /admin/\n"
        if path == "/zwgk/index.html" or path == "/zwgk/":
            return 200, {"Content-Type": html_type}, self.disclosure_home().encode()
        if path in ("/hdjl/szxx/", "/hdjl/szxx/index.html"):
            return 200, {"Content-Type": html_type}, self.mailbox().encode()
        if re.fullmatch(r"/hdjl/szxx/\d+\.html", path):
            letter = self.letter(int(path.rsplit("/", 1)[1].split(".")[0]))
            if letter is not None:
                return 200, {"Content-Type": html_type}, letter.encode()
        if path == "/zwgk/error.html":
            return 500, {"Content-Type": html_type}, "<h1>服务器内部错误</h1>".encode()
        if path == "/zwgk/gzdt/old.html":
            return 301, {"Location": "/zwgk/gzdt/index.html"}, b""
        if path == "/loop/a.html":
            return 302, {"Location": "/loop/b.html"}, b""
        if path == "/loop/b.html":
            return 302, {"Location": "/loop/a.html"}, b""
        if path == "/zwgk/busy.html":
            self.busy_hits += 1
            if self.busy_hits == 1:
                return 429, {"Retry-After": "1", "Content-Type": html_type}, b"busy"
            return 200, {"Content-Type": html_type}, self._page("繁忙测试", self._site_meta(), "<p>ok</p>").encode()
        if path.endswith("/module/web/jpage/dataproxy.jsp") and method == "POST":
            xml = self.hanweb_data(q, parse_qs(body.decode("utf-8", "replace")))
            if xml is None:
                return 400, {"Content-Type": "text/plain"}, b"bad jpage request"
            return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode()
        for col in self.columns:
            page = self._column_route(col, path, q)
            if page is not None:
                return 200, {"Content-Type": "text/html" if col.encoding != "utf-8" else html_type}, page.encode(col.encoding)
        doc = self.docs.get(path)
        if doc is not None:
            text = self.document(doc).encode(doc.column.encoding)
            if doc.column.slug == "tzgg" and doc.index == 2:
                # planted: a GBK page served with a wrong HTTP charset
                return 200, {"Content-Type": "text/html; charset=utf-8"}, text
            return 200, {"Content-Type": "text/html" if doc.column.encoding != "utf-8" else html_type}, text
        if path in self.attachments:
            return 200, {"Content-Type": files.TYPES[path.rsplit(".", 1)[-1]]}, self.attachment_body(path)
        return 404, {"Content-Type": html_type}, "<h1>404 页面不存在</h1>".encode()

    def attachment_body(self, path: str) -> bytes:
        """Real files: the oldest annual report is a scan without a text layer (planted:
        content.attachment_image_only); the 公示 list carries one unmasked ID number (planted:
        content.personal_data); the statistics table shows masked values only."""
        if path == "/files/tzgg/list-5.xlsx":
            return files.xlsx("名单", [["序号", "姓名", "身份证号", "联系电话"],
                                       ["1", "张三", "370102198001011237", "138****5678"],
                                       ["2", "李四", "370102********1234", "139****1234"]])
        if path.endswith(".xlsx"):
            return files.xlsx("统计表", [["单位", "联系人", "身份证号"], ["示范市教育局", "王五", "370102********5678"]])
        if path.endswith(".docx"):
            return files.docx(["示范市人民政府关于印发政策全文的通知", "第一条 为规范管理，制定本办法。"])
        if path == f"/files/ndbg/{self.base_date.year - 3}.pdf":
            return files.scanned_pdf()
        return files.text_pdf([f"Demo City document {path.rsplit('/', 1)[-1]}", "Government information disclosure."])

    def _column_route(self, col: Column, path: str, q: dict) -> str | None:
        if col.pager == "blank" and path == col.url:
            return self.blank(col)
        if col.pager == "single" and path == col.url:
            return self.guide()
        if col.pager.startswith("hanweb"):
            return self.hanweb_column(col) if path == col.url else None
        prefix = f"/zwgk/{col.slug}/"
        if not path.startswith(prefix):
            return None
        name = path[len(prefix):]
        if col.pager in ("trs", "static") and name in ("", "index.html"):
            return self.column_page(col, 0)
        if col.pager == "trs" and name.startswith("index_") and name.endswith(".html") and name[6:-5].isdigit():
            return self.column_page(col, int(name[6:-5]))
        if col.pager == "trs_var" and name in ("", "index.shtml"):
            return self.column_page(col, 0)
        if col.pager == "trs_var" and name.startswith("index_") and name.endswith(".shtml") and name[6:-6].isdigit():
            return self.column_page(col, int(name[6:-6]))
        if col.pager == "links" and name in ("", "index.html"):
            return self.column_page(col, 0)
        if col.pager == "links" and name.startswith("list_") and name.endswith(".html") and name[5:-5].isdigit():
            n = int(name[5:-5])
            return self.column_page(col, n - 1) if n >= 2 else None
        if col.pager == "query" and name == "list.jsp":
            page = int(q.get("page", ["1"])[0]) if q.get("page", ["1"])[0].isdigit() else 1
            return self.column_page(col, max(page, 1) - 1)
        return None
