"""HTML pages: site chrome, home, section index, department home, column pages of every kind,
static detail pages and the SPA detail shell.

Every page carries the 指引 meta tags of its kind, a header nav (首页 / 政府信息公开 / 互动交流)
and a footer with 网站标识码 and the ICP number (as text: no off-site link)."""

from __future__ import annotations

import html

from .model import ORIGIN, Column
from .scripts import list_script, nav_call, nav_function

LABEL_PADDING = {"none": lambda s: s, "space": lambda s: " ".join(s) if len(s) == 3 else s,
                 "ideo": lambda s: "　".join(s) if len(s) == 2 else s}


def esc(s) -> str:
    return html.escape(str(s), quote=True)


def href(ctx: dict, path: str) -> str:
    return ORIGIN + path if ctx["link_style"] == "absolute" else path


def page(ctx: dict, title: str, main: str, *, column: Column | None = None, article: dict | None = None,
         head: str = "", tail: str = "", chrome: bool = True) -> bytes:
    metas = [("SiteName", ctx["name"]), ("SiteDomain", ctx["domain"]), ("SiteIDCode", ctx["site_id"])]
    if column is not None:
        metas += [("ColumnName", column.name), ("ColumnDescription", f"{ctx['name']}{column.name}"),
                  ("ColumnKeywords", column.name), ("ColumnType", column.ctype)]
    if article is not None:
        metas += [("ArticleTitle", article["title"]), ("PubDate", article["pubdate"]), ("ContentSource", article["source"])]
    meta = "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in metas)
    top = footer = ""
    if chrome:
        top = (f'<div class="top"><div class="logo">{esc(ctx["name"])}</div><div class="nav">'
               f'<a href="{href(ctx, "/")}">首页</a> <a href="{href(ctx, ctx["section"])}">政府信息公开</a> '
               f'<a href="{href(ctx, ctx["hudong"])}">互动交流</a></div></div>')
        footer = (f'<div class="footer"><p>主办单位：{esc(ctx["name"])}办公室　联系我们</p>'
                  f'<p>网站标识码：{ctx["site_id"]}　{ctx["icp"]}</p></div>')
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n<title>{esc(title)}</title>\n{meta}\n'
            f'<style>.no-data{{color:#999}} .pager a,.pager span,.pager button{{margin:0 3px}}</style>\n{head}</head>\n'
            f'<body>{top}<div class="main">{main}</div>{footer}\n{tail}</body></html>\n').encode("utf-8")


def home(ctx: dict, newest: list) -> bytes:
    items = "".join(f'<li><a href="{href(ctx, d.path)}" target="_blank">{esc(d.title)}</a><span>{d.publish.isoformat()}</span></li>'
                    for d in newest)
    main = (f'<div class="banner"><a href="{href(ctx, ctx["section"])}">政府信息公开</a></div>'
            f'<div class="news"><h3>最新信息</h3><ul>{items}</ul></div>')
    return page(ctx, ctx["name"], main)


def section(ctx: dict, columns: list, depts: list) -> bytes:
    links = "".join(f'<li><a href="{href(ctx, c.path)}">{esc(c.name)}</a></li>' for c in columns)
    dept_links = "".join(f'<li><a href="{href(ctx, d["path"])}">{esc(d["name"])}</a></li>' for d in depts)
    main = (f'<div class="crumb">当前位置：<a href="{href(ctx, "/")}">首页</a> &gt; 政府信息公开</div>'
            f'<div class="gk-nav"><h3>法定主动公开内容</h3><ul>{links}</ul></div>'
            + (f'<div class="gk-depts"><h3>部门信息公开</h3><ul>{dept_links}</ul></div>' if depts else ""))
    return page(ctx, f"政府信息公开 - {ctx['name']}", main)


def dept_home(ctx: dict, dept: dict, columns: list) -> bytes:
    links = "".join(f'<a class="dept-col" href="{href(ctx, c.path)}">{esc(c.name)}</a> ' for c in columns)
    main = (f'<div class="crumb"><a href="{href(ctx, "/")}">首页</a> &gt; <a href="{href(ctx, ctx["section"])}">政府信息公开</a>'
            f' &gt; {esc(dept["name"])}</div><h2>{esc(dept["name"])}</h2>'
            f'<p class="intro">{esc(dept["name"])}负责本部门政府信息公开工作。</p><div class="dept-nav">{links}</div>')
    fake = Column(key="", name="部门首页", ctype="首页", dir="", mech={}, size=1, publisher="")
    return page(ctx, f"{dept['name']} - {ctx['name']}", main, column=fake)


def simple(ctx: dict, title: str, text: str) -> bytes:
    return page(ctx, title, f"<h2>{esc(title)}</h2><p>{esc(text)}</p>")


# ---- lists -------------------------------------------------------------------------------------

def items_html(ctx: dict, col: Column, docs: list, box_id: str) -> str:
    markup, cut = col.mech.get("markup", "li"), col.mech.get("truncate", False)

    def text(t):
        return esc(t[:16] + "…") if cut and len(t) > 17 else esc(t)

    def a(d):
        return f'<a href="{href(ctx, d.path)}" target="_blank" title="{esc(d.title)}">{text(d.title)}</a>'

    if markup == "tr":
        rows = "".join(f"<tr><td>{a(d)}</td><td>{d.publish.isoformat()}</td></tr>" for d in docs)
        return f'<table id="{box_id}" class="list">{rows}</table>'
    if markup == "div":
        rows = "".join(f'<div class="item">{a(d)}<em>{d.publish.isoformat()}</em></div>' for d in docs)
        return f'<div id="{box_id}" class="list">{rows}</div>'
    rows = "".join(f"<li>{a(d)}<span>{d.publish.isoformat()}</span></li>" for d in docs)
    return f'<ul id="{box_id}" class="list">{rows}</ul>'


def plain_pager(m: dict, k: int, pages: int, records: int, url) -> str:
    ui, out = m["pager_ui"], []
    if ui != "numbers" and k > 1:
        out.append(f'<a href="{url(k - 1)}">上一页</a>')
    if ui != "next-only":
        out += [f'<span class="cur">{i}</span>' if i == k else f'<a href="{url(i)}">{i}</a>' for i in range(1, pages + 1)]
    else:
        out.append(f"<span>第{k}页</span>")
    if ui != "numbers" and k < pages:
        out.append(f'<a href="{url(k + 1)}">下一页</a>')
    if m.get("shows") == "共N页":
        out.append(f"<span>共{pages}页</span>")
    elif m.get("shows") == "共N条":
        out.append(f"<span>共{records}条</span>")
    return '<div class="pager">' + " ".join(out) + "</div>"


def frame(ctx: dict, col: Column, title: str, main: str, framed: bool, tail: str = "", head: str = "") -> bytes:
    if framed:   # a framed page: the list only, no site chrome
        return page(ctx, title, main, column=col, chrome=False, tail=tail, head=head)
    side = "".join(f'<li><a href="{href(ctx, c.path)}">{esc(c.name)}</a></li>' for c in ctx["siblings"](col))
    wrapped = (f'<div class="crumb">当前位置：<a href="{href(ctx, "/")}">首页</a> &gt; '
               f'<a href="{href(ctx, ctx["section"])}">政府信息公开</a> &gt; {esc(col.name)}</div>'
               f'<div class="side"><ul>{side}</ul></div><div class="right"><h2 class="col-title">{esc(col.name)}</h2>{main}</div>')
    return page(ctx, f"{col.name} - {ctx['name']}", wrapped, column=col, tail=tail, head=head)


def static_list_page(ctx: dict, col: Column, m: dict, k: int, docs: list, url, framed: bool) -> bytes:
    main = items_html(ctx, col, docs, m["box"]) + plain_pager(m, k, col.pages, len(col.docs), url)
    return frame(ctx, col, col.name, main, framed)


def scriptpager_page(ctx: dict, col: Column, m: dict, k: int, docs: list, framed: bool, file_path: str | None) -> bytes:
    values = {"pages": col.pages, "current": k - 1 + m["current_base"], "container": m["pager_box"],
              "records": len(col.docs), "size": col.size, "base": m["base"], "ext": m["ext"]}
    call = nav_call(m, values)
    if file_path:
        define = f'<script src="{file_path}"></script>'
    else:
        define = f"<script>\n{nav_function(m)}</script>"
    pager = (f'<div id="{m["pager_box"]}" class="pager"></div>' if "container" in m["args"] else "")
    if "container" in m["args"]:
        main = items_html(ctx, col, docs, m["box"]) + pager + define + f"<script>{call}</script>"
    else:
        main = items_html(ctx, col, docs, m["box"]) + define + f"<script>{call}</script>"
    return frame(ctx, col, col.name, main, framed)


def script_list_page(ctx: dict, col: Column, m: dict, framed: bool, file_path: str | None) -> tuple[bytes, str]:
    """(page, script text); the script goes inline or into ``file_path``."""
    ids = {"box": m["box"], "pager": m["pager_box"], "notice": m["notice_box"]}
    code = list_script(col, m, ids)
    tag = m["container_tag"]
    main = f'<{tag} id="{ids["box"]}" class="list"></{tag}>'
    if m["notice"] == "hidden-div":
        main += f'<div id="{ids["notice"]}" class="no-data" style="display:none">{m["notice_text"]}</div>'
    main += f'<div id="{ids["pager"]}" class="pager"></div>'
    tail = f'<script src="{file_path}"></script>' if file_path else f"<script>\n{code}</script>"
    return frame(ctx, col, col.name, main, framed, tail=tail), code


def iframe_outer(ctx: dict, col: Column, src: str) -> bytes:
    main = (f'<iframe id="{col.mech["frame_id"]}" src="{src}" width="100%" height="{col.mech["frame_height"]}" '
            f'frameborder="0" scrolling="no" title="{esc(col.name)}"></iframe>')
    return frame(ctx, col, col.name, main, False)


# ---- details -----------------------------------------------------------------------------------

def meta_block(fields: dict, markup: str, padding: str) -> str:
    pad = LABEL_PADDING[padding]
    items = list(fields.items())
    if markup == "table2":
        rows = "".join(f"<tr><td class=\"lb\">{pad(k)}：</td><td>{esc(v)}</td></tr>" for k, v in items)
        return f'<table class="xxgk-meta">{rows}</table>'
    if markup == "table4":
        rows = "".join("<tr>" + "".join(f"<td><b>{pad(k)}：</b></td><td>{esc(v)}</td>" for k, v in items[i:i + 2]) + "</tr>"
                       for i in range(0, len(items), 2))
        return f'<table class="bd1">{rows}</table>'
    if markup == "dl":
        return '<dl class="doc-info">' + "".join(f"<dt>{pad(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"
    return '<ul class="info-box">' + "".join(f"<li><label>{pad(k)}：</label><span>{esc(v)}</span></li>" for k, v in items) + "</ul>"


def detail(ctx: dict, col: Column, doc) -> bytes:
    body = "".join(f"<p>{esc(s)}</p>" for s in doc.body)
    main = (f'<div class="crumb"><a href="{href(ctx, "/")}">首页</a> &gt; <a href="{href(ctx, ctx["section"])}">政府信息公开</a>'
            f' &gt; <a href="{href(ctx, col.path)}">{esc(col.name)}</a></div>'
            + meta_block(doc.fields, ctx["meta_markup"], ctx["label_padding"])
            + f'<h1 class="doc-title">{esc(doc.title)}</h1><div class="{ctx["body_class"]}">{body}</div>')
    art = {"title": doc.title, "pubdate": f"{doc.publish.isoformat()} 09:{doc.id % 60:02d}", "source": col.publisher}
    return page(ctx, f"{doc.title} - {ctx['name']}", main, article=art)


def spa_shell(ctx: dict, spa: dict, code: str) -> bytes:
    main = ('<h1 id="d-title" class="doc-title"></h1><table id="d-meta" class="xxgk-meta"></table>'
            '<div id="d-body" class="article-body"></div>')
    tail = f'<script src="{spa["script_file"]}"></script>' if spa["script_file"] else f"<script>\n{code}</script>"
    return page(ctx, ctx["name"], main, tail=tail)
