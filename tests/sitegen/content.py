"""Planted content problems of issue 11 and their look-alikes (test-only), with ground truth.

Rule semantics are taken from rules.yaml and checks/ (what makes a finding, its URL), never from
the crawler:

* ``content.personal_data`` in attachments: a 公示 list attached as .xlsx / .docx / .pdf (text
  layer) / .csv with one unmasked 身份证号 (valid check digit) or 手机号; the finding's URL is the
  attachment's. Look-alike: the same kind of list with masked values and an 18-digit number whose
  check digit is wrong.
* ``content.attachment_image_only``: a scanned PDF (one image XObject per page, no text operator).
* ``content.attachment_unreadable``: a truncated .xlsx/.docx, a .xlsx of garbage, or a .pdf that is
  an HTML error page (served as application/pdf).
* ``content.spam_text``: a gambling brand written as visible footer text on some pages (seed 003:
  "Copyright © 2002-2019 皇冠hg体育赌场 版权所有"); one finding per lexicon term at the first page
  carrying it (the home page first, then by URL), so the ground truth is that page's URL.
  Look-alike: a news article about a crackdown (打击网络赌场 …) whose terms sit next to crackdown
  words.
* ``content.wording``: an institution abolished in the 2018 reform named as current in a document
  dated after it. Look-alikes: a 2015–2017 document naming it within its own date range, and
  「原国家工商行政管理总局」 in a current one.
* ``content.repealed_unmarked``: a later 决定 declares document A 废止 by its 发文字号 and/or
  《title》 while A's page still shows 有效. Look-alike: a document declared in the same sentence
  whose 有效性 reads 已废止/失效.
* ``disclosure.catalogue_missing``: the catalogue's single pages (政府信息公开指南, 政府信息公开制度,
  法定主动公开内容) and the 年报 column are present or not; 政策文件 and 政策解读 are present when
  the site has such a column. One finding per missing type at the audit's start URL (``ORIGIN/``),
  ground truth written ``ORIGIN/#<type>``.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from pathlib import Path

import yaml

from . import files
from .calendar import back_working_days
from .urls import ORIGIN, canon_target

ABOLISHED = ["国家工商行政管理总局", "国家质量监督检验检疫总局", "国家食品药品监督管理总局", "国家卫生和计划生育委员会",
             "国土资源部", "环境保护部", "国家安全生产监督管理总局"]
SPAM_FOOTERS = ["Copyright &copy; 2002-2026 皇冠hg体育赌场 版权所有", "友情链接：开云体育 注册领彩金", "一肖一码 北京赛车pk10 时时彩 在线投注"]
CATALOGUE_DEFAULT = ["信息公开指南", "信息公开制度", "法定主动公开内容", "信息公开年报", "政策文件", "政策解读"]
CT = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "pdf": "application/pdf", "csv": "text/csv"}
SURNAMES = "张王李赵陈林黄吴刘郑"


def id_check(first17: str) -> str:
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(a) * b for a, b in zip(first17, w)) % 11]


def plant_all(g) -> None:
    g.catalogue = {"guide": g.rng.random() < 0.8, "system": g.rng.random() < 0.75, "fdzdgknr": g.rng.random() < 0.75}
    g.home_footer_spam = ""
    plant_repealed(g)
    plant_wording(g)
    plant_crackdown(g)
    plant_attachments(g)
    plant_footer_spam(g)


# ---------------------------------------------------------------------------- helpers

def add_doc(g, col, title: str, day: date, delay: int | None = None):
    """A new document in ``col`` at its date's place in the list (after a pinned first row)."""
    from .site import Doc

    d = Doc(g.new_id(), col, title, day, "table" if col.kind not in ("news", "interp") else "article")
    d.time = f"{g.rng.randint(8, 17):02d}:{g.rng.randint(0, 59):02d}"
    g.used_titles.add(title)
    g.place_doc(d)
    if d.style == "table":
        g.fill_fields(d, delay)
    else:
        d.source = g.city + g.rng.choice(["公安局", "人民政府办公室", "市场监督管理局"])
    k = next((i for i, x in enumerate(col.docs) if x.day < day), len(col.docs))
    col.docs.insert(k, d)
    start = 1 if col.opts.get("pinned") and col.rows else 0
    k = next((i for i in range(start, len(col.rows)) if col.rows[i][2] < day), len(col.rows))
    col.rows.insert(k, (d.href, d.title, d.day))
    return d


def live_columns(g, kinds):
    return [c for c in g.columns if c.kind in kinds and not c.blank]


# ---------------------------------------------------------------------------- content.repealed_unmarked

def plant_repealed(g) -> None:
    r = g.rng
    cands = [d for d in g.table_docs(("notice", "govdoc", "personnel", "finance")) if not d.col.blank
             and "doc_no" in d.fields and "validity" in d.fields and d.written]
    homes = live_columns(g, ("notice", "govdoc", "personnel", "finance"))
    if not cands or not homes or r.random() < 0.4:
        return
    r.shuffle(cands)
    a = cands.pop()
    c = cands.pop() if cands and r.random() < 0.6 else None
    used = {d.fields.get("doc_no") for d in g.all_docs()}
    for d in (a, c):
        if d is None:
            continue
        while True:
            no = f"{g.city[0]}{r.choice(['政', '财', '教', '民'])}{r.choice(['发', '办'])}〔{d.written.year}〕{r.randint(61, 99)}号"
            if no not in used:
                used.add(no)
                d.fields["doc_no"] = no
                break
    latest = max(a.day, c.day if c else a.day)
    day = min(g_as_of(), latest + timedelta(days=r.randint(20, 120)))
    if day - latest < timedelta(days=10):
        return
    col = r.choice(homes)
    b = add_doc(g, col, g.unique_title(lambda: f"{g.city}人民政府关于宣布废止部分文件的决定（{r.randint(1, 9)}）"), day, delay=r.randint(0, 3))
    b.fields["validity"] = "有效"

    def cite(d):
        how = r.choice(["both", "both", "doc_no", "title"])
        return how, {"both": f"《{d.title}》（{d.fields['doc_no']}）", "doc_no": f"{d.fields['doc_no']}文件",
                     "title": f"《{d.title}》"}[how]

    how_a, text_a = cite(a)
    cited = [text_a]
    if c is not None:
        c.fields["validity"] = r.choice(["已废止", "失效", "已失效"])
        how_c, text_c = cite(c)
        cited.append(text_c)
        r.shuffle(cited)
    b.body_extra = [f"为维护法制统一，经清理，{g.city}人民政府决定：{'、'.join(cited)}自本决定印发之日起废止。",
                    "本决定自印发之日起施行。"]
    g.expect("content.repealed_unmarked", g.url(a.target))
    g.traps.append(("repealed_still_valid", g.url(a.target), f"declared 废止 by {g.url(b.target)} ({how_a}); page shows 有效"))
    if c is not None:
        g.lookalikes.append(("content.repealed_unmarked", g.url(c.target), f"declared 废止 ({how_c}), page shows {c.fields['validity']}"))


def g_as_of() -> date:
    from .site import AS_OF
    return AS_OF


# ---------------------------------------------------------------------------- content.wording

def plant_wording(g) -> None:
    r = g.rng
    docs = [d for d in g.all_docs() if d.col.kind not in ("interp", "annual") and not d.col.blank and d.day >= date(2019, 1, 1)]
    planted = None
    if docs and r.random() < 0.5:
        planted = r.choice(docs)
        term = r.choice(ABOLISHED)
        planted.body_extra.append(f"根据{term}有关工作部署，结合我市实际，现将有关事项通知如下。")
        g.expect("content.wording", g.url(planted.target))
        g.traps.append(("abolished_body_as_current", g.url(planted.target), f"{term} in a document dated {planted.day}"))
    cols = live_columns(g, ("notice", "govdoc", "personnel", "finance", "news"))
    if cols and r.random() < 0.6:
        col = r.choice(cols)
        year = r.choice([2015, 2016, 2017])
        day = date(year, r.randint(2, 12), r.randint(1, 28))
        term = r.choice(ABOLISHED)
        topic = r.choice(["企业信用信息公示", "安全生产大检查", "食品安全专项整治", "土地卫片执法检查"])
        title = g.unique_title(lambda: f"{g.city}{r.choice(['人民政府办公室', '市场监督管理局', '安全生产委员会'])}关于做好{year}年度{topic}工作的通知"
                               if col.kind != "news" else f"{g.city}召开{year}年度{topic}工作会议")
        d = add_doc(g, col, title, day, delay=r.randint(0, 5))
        d.body_extra.append(f"按照{term}统一部署，现就做好{year}年度{topic}有关工作通知如下。")
        g.lookalikes.append(("content.wording", g.url(d.target), f"{term} named in a document of {day} (before the 2018 reform)"))
    others = [d for d in docs if d is not planted]
    if others and r.random() < 0.4:
        d = r.choice(others)
        d.body_extra.append(f"本办法所称登记档案，包括原{r.choice(ABOLISHED)}时期形成的档案资料。")
        g.lookalikes.append(("content.wording", g.url(d.target), "原… (historical reference) in a current document"))


# ---------------------------------------------------------------------------- content.spam_text

def plant_crackdown(g) -> None:
    r = g.rng
    news = live_columns(g, ("news",))
    if not news or not news[0].docs or r.random() >= 0.55:
        return
    col = news[0]
    day = r.choice(col.docs).day
    d = add_doc(g, col, g.unique_title(lambda: f"{g.city}公安局开展打击网络赌场违法犯罪专项行动"), day)
    d.source = f"{g.city}公安局"
    d.body_extra = [
        "近日，市公安局部署开展打击网络赌场违法犯罪专项行动，依法严厉打击利用网络开设赌场、组织参与跨境赌博等违法犯罪活动。",
        "专项行动期间，共破获网络赌博案件12起，查处“六合彩”“时时彩”等非法赌博窝点5个。",
        "公安机关提醒广大群众远离网络赌博，切勿点击来历不明的“真人荷官”“注册送彩金”等广告链接，发现线索请及时举报。",
    ]
    g.lookalikes.append(("content.spam_text", g.url(d.target), "news about a gambling crackdown (打击网络赌场 …)"))


def plant_footer_spam(g) -> None:
    r = g.rng
    docs = [d for d in g.all_docs() if not d.col.blank]
    if not docs or r.random() >= 0.45:
        return
    text = r.choice(SPAM_FOOTERS)
    pages = r.sample(docs, k=min(len(docs), r.randint(1, 3)))
    for d in pages:
        d.footer_spam = text
    if r.random() < 0.3:
        g.home_footer_spam = text
        first = f"{ORIGIN}/"
    else:
        first = min(g.url(d.target) for d in pages)
    g.expect("content.spam_text", first)
    g.traps.append(("footer_spam_text", first, f"「{text}」 in the footer of {len(pages)} page(s)" + (" and the home page" if g.home_footer_spam else "")))


# ---------------------------------------------------------------------------- attachments

def people_rows(g, planted: str | None, int_mobile: bool) -> list[list]:
    r = g.rng
    rows = []
    for i in range(r.randint(3, 6)):
        rows.append([str(i + 1), r.choice(SURNAMES) + "**", f"35{'*' * 13}{r.randint(100, 999)}",
                     f"1{r.choice('3589')}{r.randint(0, 9)}****{r.randint(1000, 9999)}"])
    first = f"350{r.randint(100, 999)}19{r.randint(60, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(100, 999)}"
    wrong = next(c for c in "0123456789X" if c != id_check(first))
    rows.append([str(len(rows) + 1), r.choice(SURNAMES) + "*", first + wrong, "—"])
    if planted == "id":
        first = f"350{r.randint(100, 999)}19{r.randint(60, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(100, 999)}"
        rows.append([str(len(rows) + 1), r.choice(SURNAMES) + "某某", first + id_check(first), "—"])
    elif planted == "mobile":
        mobile = f"1{r.choice('3589')}{r.randint(0, 9)}{r.randint(1000, 9999)}{r.randint(1000, 9999)}"
        rows.append([str(len(rows) + 1), r.choice(SURNAMES) + "某某", "—", int(mobile) if int_mobile else mobile])
    return rows


HEADER = ["序号", "姓名", "身份证号", "联系电话"]


def list_file(g, fmt: str, title: str, rows: list[list]) -> bytes:
    r = g.rng
    if fmt == "xlsx":
        return files.xlsx(title, HEADER, rows, sheet=r.choice(["Sheet1", "公示名单"]))
    if fmt == "docx":
        if r.random() < 0.6:
            return files.docx(title, ["现将有关人员名单公示如下："], HEADER, [[str(c) for c in row] for row in rows])
        return files.docx(title, ["现将有关人员名单公示如下："] + ["　".join(str(c) for c in row) for row in rows])
    if fmt == "pdf":
        return files.pdf_text([title, "现将有关人员名单公示如下：", " ".join(HEADER)] + [" ".join(str(c) for c in row) for row in rows])
    return files.csv_bytes(HEADER, rows, r.choice(["utf-8", "gbk"]))


def attach(g, d, fmt: str, data: bytes, label: str, content_type: str | None = None) -> str:
    """Serve ``data`` as an attachment of document ``d`` and link it from the page; its URL."""
    r = g.rng
    ext = fmt
    if d.col.family == "trs":
        name = f"P0200{d.day:%Y%m%d}{r.randint(100000000, 999999999)}.{ext}"
        folder = d.target.rsplit("/", 1)[0] + "/"
        target, href = canon_target(folder + name), "./" + name
    else:
        chinese = d.col.enc == "utf-8" and r.random() < 0.4
        name = f"{label}.{ext}" if chinese else f"{d.day:%Y%m%d}{r.randint(1000000, 9999999)}.{ext}"
        raw = f"/uploadfile/{d.day:%Y}/{d.day:%m%d}/{name}"
        target, href = canon_target(raw), raw
    from .site import Response

    g.add(target, Response(200, data, content_type or r.choice([CT.get(fmt, "application/octet-stream"), "application/octet-stream"])))
    d.extra_html.append(f'<div class="fj"><p>附件：<a href="{href}" target="_blank">{escape(label)}.{ext}</a></p></div>')
    return g.url(target)


def plant_attachments(g) -> None:
    r = g.rng
    hosts = [d for d in g.table_docs(("notice", "personnel")) if not d.col.blank] or \
            [d for d in g.table_docs() if not d.col.blank and d.col.kind != "annual"]
    if not hosts:
        return
    if r.random() < 0.7:
        d = r.choice(hosts)
        fmt = r.choice(["xlsx", "xlsx", "docx", "pdf", "csv"])
        kind = r.choice(["id", "mobile"])
        rows = people_rows(g, kind, int_mobile=fmt == "xlsx" and r.random() < 0.5)
        label = r.choice(["拟聘用人员名单", "补贴发放花名册", "低保对象名单", "公示名单"])
        u = attach(g, d, fmt, list_file(g, fmt, d.title[:30], rows), label)
        g.expect("content.personal_data", u)
        g.traps.append(("attachment_unmasked_" + kind, u, f"{fmt} attached to {g.url(d.target)}"))
    if r.random() < 0.8:
        d = r.choice(hosts)
        fmt = r.choice(["xlsx", "docx", "pdf", "csv"])
        u = attach(g, d, fmt, list_file(g, fmt, d.title[:30], people_rows(g, None, False)), r.choice(["公示名单", "拟录用人员名单", "花名册"]))
        g.lookalikes.append(("content.personal_data", u, f"{fmt} list with masked values and a wrong check digit"))
    table = [d for d in g.table_docs() if not d.col.blank]
    if table and r.random() < 0.45:
        d = r.choice(table)
        u = attach(g, d, "pdf", files.pdf_scanned(r.randint(1, 3), g.seed), r.choice(["原件扫描件", "文件扫描件", "盖章件"]), CT["pdf"])
        g.expect("content.attachment_image_only", u)
    if table and r.random() < 0.45:
        d = r.choice(table)
        fmt, how = r.choice([("xlsx", "truncated"), ("docx", "truncated"), ("xlsx", "garbage"), ("pdf", "html")])
        good = files.xlsx("名单", HEADER, people_rows(g, None, False)) if fmt == "xlsx" else files.docx("附件", ["附件正文。"])
        u = attach(g, d, fmt, files.corrupt(how, good), r.choice(["附件1", "明细表", "资金分配表"]), CT[fmt])
        g.expect("content.attachment_unreadable", u)
        g.traps.append(("attachment_corrupt", u, f"{fmt} {how}"))


# ---------------------------------------------------------------------------- the catalogue

def catalogue_types() -> list[str]:
    try:
        rules = yaml.safe_load((Path(__file__).resolve().parents[2] / "rules.yaml").read_text(encoding="utf-8"))["rules"]
        params = rules["disclosure.catalogue_missing"]["params"]
        return [t for t in params["required_by_type"] if t not in (params.get("not_required") or [])]
    except Exception:
        return list(CATALOGUE_DEFAULT)


def expect_catalogue(g) -> None:
    present = {
        "信息公开指南": g.catalogue["guide"],
        "信息公开制度": g.catalogue["system"],
        "法定主动公开内容": g.catalogue["fdzdgknr"],
        "信息公开年报": any(c.kind == "annual" for c in g.columns),
        "政策文件": policy_present(g),
        "政策解读": any(c.kind == "interp" for c in g.columns),
    }
    for t in catalogue_types():
        if present.get(t, False) is True:
            continue
        where = present.get(t) or f"{ORIGIN}/"  # a column URL when the only such column is empty
        g.expect("disclosure.catalogue_missing", f"{where}#{t}")


def policy_present(g):
    """True, False (no such column: finding at the start URL) or the URL of the blank 政策文件 column
    (the rule's "empty": the column's own title does not name a synonym, so no page stands in for it)."""
    cols = [c for c in g.columns if c.ctype == "政策文件"]
    if not cols:
        return False
    if any(not c.blank for c in cols) or any(s in c.name for c in cols for s in ("政策文件", "政府文件", "规范性文件")):
        return True
    return min(c.url for c in cols)


def single_page(g, path: str, name: str, ctype: str, title: str, paras: list[str]) -> None:
    day = g_as_of() - timedelta(days=g.rng.randint(30, 400))
    meta = g.site_meta()
    meta.update({"ColumnName": name, "ColumnDescription": f"{g.site_name}{name}", "ColumnKeywords": name, "ColumnType": ctype,
                 "ArticleTitle": title, "PubDate": f"{day.isoformat()} 10:00", "ContentSource": f"{g.site_name}办公室"})
    crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{g.section_link}">政府信息公开</a> &gt; {escape(name)}</div>'
    body = (f'{g.header()}\n{crumb}\n<div class="article"><h1>{escape(title)}</h1>\n<div class="info"><span>发布时间：{day.isoformat()}</span></div>\n'
            f'<div class="TRS_Editor">{"".join(f"<p>{escape(p)}</p>" for p in paras)}</div></div>\n{g.footer()}')
    page = g.html_page(f"{title}_{g.site_name}", body, meta)
    g.serve_html(canon_target(path), page)
    g.serve_html(canon_target(path + "index.html"), page)


def column_blocks(g) -> str:
    """Each column with its three newest items (what a 法定主动公开内容 page shows beside the tree)."""
    out = []
    for c in g.columns:
        if not c.docs or not c.entry_links or c.family in ("fujian", "gkmlpt", "script") or c.kind == "outnews":
            continue
        items = "".join(f'<li><a href="{ORIGIN + d.target}">{escape(d.title)}</a><span>{d.day.isoformat()}</span></li>' for d in c.docs[:3])
        out.append(f'<div class="lmblock"><h3>{escape(c.name)}<a class="more" href="{c.entry_links[0]}">更多&gt;&gt;</a></h3><ul>{items}</ul></div>')
    return "\n".join(out)


def render_catalogue(g, column_items: list[str], latest_html: str) -> list[str]:
    """The catalogue's own pages; the section index's links to them."""
    links = []
    sec = g.section_dir
    if g.catalogue["guide"]:
        single_page(g, sec + "xxgkzn/", "政府信息公开指南", "信息公开指南", f"{g.site_name}政府信息公开指南", [
            "一、主动公开：本机关主动公开的政府信息，通过本网站政府信息公开专栏、政府公报、新闻发布会等途径公开。",
            "二、依申请公开：公民、法人或者其他组织可以向本机关申请获取相关政府信息，申请应当采用书面形式。",
            f"三、受理机构：{g.site_name}办公室，办公地址：市行政中心1号楼，办公时间：工作日上午8:00—12:00，下午14:30—17:30，"
            "联系电话：0591-87654321，传真：0591-87654322。"])
        links.append(f'<li><a href="{sec}xxgkzn/">政府信息公开指南</a></li>')
    if g.catalogue["system"]:
        single_page(g, sec + "xxgkzd/", "政府信息公开制度", "信息公开制度", f"{g.site_name}政府信息公开制度", [
            "第一条 为规范本机关政府信息公开工作，根据《中华人民共和国政府信息公开条例》，制定本制度。",
            "第二条 本机关政府信息公开工作实行保密审查、依申请公开办理、考核评议和责任追究等制度。"])
        links.append(f'<li><a href="{sec}xxgkzd/">政府信息公开制度</a></li>')
    if g.catalogue["fdzdgknr"]:
        meta = g.site_meta()
        meta.update({"ColumnName": "法定主动公开内容", "ColumnDescription": f"{g.site_name}法定主动公开内容",
                     "ColumnKeywords": "法定主动公开内容", "ColumnType": "信息公开目录"})
        body = (f'{g.header()}\n<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{g.section_link}">政府信息公开</a> &gt; 法定主动公开内容</div>\n'
                f'<div class="xxgk-tree"><h2>法定主动公开内容</h2><ul>{"".join(column_items)}</ul></div>\n'
                f'{column_blocks(g)}\n{g.footer()}')
        page = g.html_page(f"法定主动公开内容_{g.site_name}", body, meta)
        g.serve_html(canon_target(sec + "fdzdgknr/"), page)
        g.serve_html(canon_target(sec + "fdzdgknr/index.html"), page)
        links.append(f'<li><a href="{sec}fdzdgknr/">法定主动公开内容</a></li>')
    return links
