"""Lists that only an API or a script shows (issue 13), test-only, from cms-patterns.md:

* ``fujian``: the Fujian provincial "trt" template (Pingtan): the first ``maxStaticIndex`` pages of
  ``prepage`` items written statically in groups of 5 (``ms-visible="$showStatic(n)"``), the rest
  only through ``POST /fjdzapp/search`` (form: channelid = ``SiteInfo.searchId``, classsql
  ``chnlid=<ChnlId>``, sortfield, classcol, classnum, classsort, cache, page, prepage), answering
  ``{"docs"|"data": [{doctitle, chnldocurl|docpuburl, docreltime}], "pageCount", "recordCount"}``;
  detail pages in ``div.index_box`` with 主题分类 filled by script, and the policy ↔ interpretation
  index (channelid 100600, classsql ``(docid2=D)+(reldocid=D)`` → ``srcdoctitle``/``srcdocpuburl``/
  ``docid2``), so some 文件↔解读 links exist only there;
* ``gkmlpt``: the Guangdong 政府信息公开目录平台 on the portal's host: ``/gkmlpt/index`` is a shell
  whose script carries ``SID: '…'`` and the category tree; lists come only from
  ``GET /gkmlpt/api/all/<cat>?page=N&sid=S`` (100 a page; category 0 = all); detail pages
  ``/gkmlpt/content/<a>/<b>/post_<id>.html``;
* ``script``: an unknown CMS whose list page is empty HTML plus a script that fetches JSON from
  ``/cms/api/v1/columns/<id>/articles`` and writes the items.

Documents reachable only through these are marked in the ground truth (``Doc.via``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import escape

from .urls import ORIGIN, canon_target

FJ_REL_CHANNEL = 100600
ZHUTI = [("04", "财政、金融、审计"), ("0401", "财政"), ("12", "城乡建设、环境保护"), ("19", "综合政务"), ("09", "劳动、人事、监察"),
         ("13", "卫生、体育"), ("22", "其他")]
CST = timezone(timedelta(hours=8))


def serve_list_page(g, col, listing: str, extra_meta: dict, index_name: str, tail: str = "") -> None:
    """A column's one list page at its directory (and ``index_name``), linked from the catalogue."""
    meta = {**g.list_meta(col), **extra_meta}
    crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{g.section_link}">政府信息公开</a> &gt; {escape(col.name)}</div>'
    page = g.html_page(f"{col.name}_{g.site_name}", f"{g.header()}\n{crumb}\n<div class=\"main\">{listing}</div>\n{g.footer()}\n{tail}", meta)
    g.serve_html(canon_target(col.dir), page)
    g.serve_html(canon_target(col.dir + index_name), page)
    col.list_pages.append(ORIGIN + canon_target(col.dir))
    col.entry_links = [col.dir]


def _json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------------- Fujian trt

def fujian_setup(g, col) -> None:
    r = g.rng
    col.opts["chnlid"] = r.randint(1000, 9999)
    col.opts["prepage"] = 15
    col.opts["max_static"] = 1 if col.kind == "interp" else r.choice([1, 1, 2])
    col.opts["layout"] = "fujian_li_font"
    col.opts["ext"] = "htm"
    if not hasattr(g, "fj"):
        g.fj = {"search_id": r.choice([200210, 229105]), "dialect": r.choice(["docs", "data"]), "columns": {}, "rels": {}}
    g.fj["columns"][col.opts["chnlid"]] = col


def fujian_count(g, col) -> int:
    static = col.opts["max_static"] * col.opts["prepage"]
    return static + g.rng.randint(4, 18)


def fujian_item(g, d) -> dict:
    key = "chnldocurl" if g.fj["dialect"] == "docs" else "docpuburl"
    return {"docid": str(d.id), "doctitle": d.title, key: ORIGIN + d.target, "docreltime": f"{d.day.isoformat()} {d.time}:00",
            "publishyear": str(d.day.year), "rels": []}


def render_fujian(g, col) -> None:
    per, max_static = col.opts["prepage"], col.opts["max_static"]
    by_href = {d.href: d for d in col.docs}
    static = col.rows[:per * max_static]
    groups = []
    for i in range(0, len(static), 5):
        lis = []
        for href, title, day in static[i:i + 5]:
            did = by_href[href].id if href in by_href else 0
            lis.append(f'\n  <li>\n    <a href="{href}" target="_blank" title="{escape(title)}">{escape(title)}</a>\n'
                       f'    <em id="rel_{did}"></em>\n    <span class="bf-pass">{day.isoformat()}</span>\n  </li>')
        groups.append(f'<div ms-visible="$showStatic({i + 1})">\n<ul>{"".join(lis)}\n</ul>\n<div class="border_b_dashed"></div>\n</div>')
    for d in col.docs[per * max_static:]:
        d.via = "Fujian /fjdzapp/search API"
    dyn = ('<div ms-visible="!showStatic"><ul ms-if="list.length>0"><li ms-repeat="list"><a ms-attr-title="el.doctitle_cp" '
           'ms-attr-href="el.chnldocurl" Target="_blank" ms-text="el.doctitle|html|showkey"></a>'
           '<span ms-text="el.docreltime | date2(\'yyyy-MM-dd\')" class="bf-pass"></span></li></ul></div>')
    listing = (f'<div class="list_base list_base_date_01 mar_t_base" ms-controller="list" role="viewlist" des="{escape(col.name)}">\n'
               f'<div ms-visible="showStatic">\n{"".join(groups)}\n</div>\n{dyn}\n</div>\n'
               '<div class="page_base mar_t_base" ms-controller="list_pagebar" ms-include-src="pgTemp"></div>')
    scripts = (f"<script>\n    var SiteInfo = {{\n        itpSiteId: 21,\n        searchId: {g.fj['search_id']}, //默认的文档检索频道的ID\n"
               '        defaultPgTemp: "pgBar_pt.html",\n        siteMsgType: "govSite"\n    };\n</script>\n'
               '<script src="/images/model.min.js"></script>\n'
               f"<script>\n\t\tvar pageChnlInfo={{\n\t\t  quickMode:\"动静结合\",\n\t\t  maxStaticIndex: {max_static},\n"
               f"\t\t  classsql: \"\" || \"chnlid={col.opts['chnlid']}\",\n\t\t  recordCount:'{len(col.rows)}',\n"
               f"\t\t  sortfield:'-docorderpri,-docreltime',\n\t\t  prepage:{per},\n\t\t  cache:true\n\t\t}}\n</script>\n"
               "<script type=\"text/javascript\">\n\trequire(['list2.trsapi'], function(listModel) {\n\t\tlistModel({\n"
               "\t\t\tquickMode:pageChnlInfo.quickMode,\n\t\t\tmaxStaticIndex: pageChnlInfo.maxStaticIndex,\n"
               "\t\t\tlistArgs: {\n\t\t\t\tchannelid: SiteInfo.searchId,\n\t\t\t\tclasssql: pageChnlInfo.classsql,\n"
               "\t\t\t\tsortfield: pageChnlInfo.sortfield||'-docorderpri,-docreltime',\n\t\t\t\tclasscol: 'publishyear',\n"
               "\t\t\t\tclasssort: 0\n\t\t\t},\n\t\t\tcache: pageChnlInfo.cache||true,\n\t\t\tlistApi: {\n\t\t\t\turl: \"/fjdzapp/search\"\n\t\t\t},\n"
               "\t\t\tpagebar: {\n\t\t\t\trecordCount: pageChnlInfo.recordCount,\n\t\t\t\tpgTemp: 'pgBar_pt.html',\n"
               "\t\t\t\tprepage: pageChnlInfo.prepage||15,\n\t\t\t\tpgCountMode: 'recordCount'\n\t\t\t}\n\t\t})\n\t})\n</script>")
    serve_list_page(g, col, listing, {"ChnlId": str(col.opts["chnlid"]), "SiteId": "4"}, "index.htm", scripts)
    pages = -(-len(col.rows) // per)
    for k in range(1, pages + 1):
        col.hanweb_requests.append((f"{ORIGIN}/fjdzapp/search", fujian_form(g, col, k)))
    if len(col.rows) > per * max_static:
        g.traps.append(("fujian_api_only_records", col.url, f"{len(col.rows)} records, {len(static)} static, the rest only via POST /fjdzapp/search"))


def fujian_form(g, col, page: int) -> dict:
    return {"channelid": str(g.fj["search_id"]), "classsql": f"chnlid={col.opts['chnlid']}", "sortfield": "-docorderpri,-docreltime",
            "classcol": "publishyear", "classnum": "100", "classsort": "0", "cache": "true", "page": str(page),
            "prepage": str(col.opts["prepage"])}


def fujian_relate(g, policy, interp) -> None:
    """The interpretation index: each side's look-up answers the other document."""
    g.fj["rels"].setdefault(str(policy.id), []).append(interp)
    g.fj["rels"].setdefault(str(interp.id), []).append(policy)


def fujian_handler(g):
    cols = g.fj["columns"]

    def handler(host, method, tgt, form):
        if host or tgt.partition("?")[0] != "/fjdzapp/search":
            return None
        from .site import Response
        args = dict(form)
        if method == "GET":
            from urllib.parse import parse_qsl
            args = dict(parse_qsl(tgt.partition("?")[2], keep_blank_values=True))
        sql = args.get("classsql", "")
        channel = args.get("channelid", "")
        if channel == str(FJ_REL_CHANNEL):
            ids = set(re.findall(r"(?:docid2|reldocid)\s*=\s*(\d+)", sql))
            hits = []
            for i in sorted(ids):
                for other in g.fj["rels"].get(i, []):
                    hits.append({"docid2": str(other.id), "reldocid": i, "srcdoctitle": other.title, "srcdocpuburl": ORIGIN + other.target,
                                 "srcdocpeople": other.fields.get("publisher") or other.source})
            return Response(200, _json({"data": hits, "recordCount": len(hits), "pageCount": 1}), "application/json;charset=UTF-8")
        if channel != str(g.fj["search_id"]):
            return Response(200, _json({g.fj["dialect"]: [], "recordCount": 0, "pageCount": 0}), "application/json;charset=UTF-8")
        m = re.search(r"chnlid\s*=\s*(\d+)", sql)
        if m and int(m[1]) in cols:
            docs = [d for d in sorted(cols[int(m[1])].docs, key=lambda d: (d.day, d.time), reverse=True)]
        elif m:
            docs = []
        else:
            docs = sorted((d for c in cols.values() for d in c.docs), key=lambda d: (d.day, d.time), reverse=True)
        try:
            per = max(1, min(100, int(args.get("prepage") or 15)))
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            return Response(400, b'{"error":"bad page"}', "application/json")
        chunk = docs[(page - 1) * per:page * per]
        body = {g.fj["dialect"]: [fujian_item(g, d) for d in chunk], "recordCount": len(docs), "pageCount": -(-len(docs) // per),
                "page": page, "prepage": per}
        return Response(200, _json(body), "application/json;charset=UTF-8")
    return handler


def fujian_detail_parts(g, d) -> tuple[dict, dict, str]:
    """(extra meta, raw metadata values, trailing scripts) of a Pingtan detail page."""
    code = next((c for c, name in ZHUTI if name == d.fields.get("category")), "22")
    meta = {"DocId": str(d.id), "ChnlId": str(d.col.opts["chnlid"]), "SiteId": "4"}
    raw = {"category": '<font id="zhuTi"></font>'}
    raw.update(d.raw_fields)
    table = ",\n".join(f'\t{{\n\t\tvalue: "{c}",\n\t\tname: "{n}"\n\t}}' for c, n in ZHUTI)
    scripts = (f"<script>\n  var docid = '{d.id}';\n  $.ajax({{\n    url: \"/fjdzapp/search\",\n    type: \"post\",\n    data: {{\n"
               f"      channelid: {FJ_REL_CHANNEL},\n      classsql: \"(docid2=\" + docid + \")+(reldocid=\" + docid + \")\"\n    }},\n"
               "    success: function (s) { for (var m = 0; m < s.data.length; m++) { relnews.list.push({docid: s.data[m].docid2, "
               "title: s.data[m].srcdoctitle, url: s.data[m].srcdocpuburl}); } }\n  });\n"
               f"  var zhuTi = [\n{table}];\n  for (var key in zhuTi) {{\n    if (Object.hasOwnProperty.call(zhuTi, key)) {{\n"
               f"      if(zhuTi[key].value==\"{code}\"){{\n        $(\"#zhuTi\").html(zhuTi[key].name);\n      }}\n    }}\n  }}\n</script>")
    box = ('<div class="trt-row" ms-controller="relnews" ms-class="xl_line:isShow"><div ms-if="list.length>0">文字解读：'
           '<a ms-repeat="list" ms-attr-href="el.url" ms-text="el.title" target="_blank"></a></div></div>')
    return meta, raw, box + "\n" + scripts


# ---------------------------------------------------------------------------- Guangdong gkmlpt

def gkmlpt_setup(g, col) -> None:
    r = g.rng
    if not hasattr(g, "gk"):
        g.gk = {"sid": str(r.randint(700000, 799999)), "columns": []}
    col.opts["catid"] = r.randint(300, 999)
    col.opts["layout"] = "govcn_table"
    col.dir = "/gkmlpt/"
    g.gk["columns"].append(col)


def gkmlpt_count(g, col) -> int:
    return g.rng.randint(101, 112) if g.rng.random() < 0.25 else g.rng.randint(6, 30)


def gkmlpt_path(d) -> str:
    pid = 2_000_000 + d.id
    b = pid // 1000
    return f"/gkmlpt/content/{b // 1000}/{b}/{'post' if d.id % 5 else 'mpost'}_{pid}.html"


def gkmlpt_api(g, cat) -> str:
    return f"/gkmlpt/api/all/{cat}?page=1&sid={g.gk['sid']}"


def gkmlpt_column_url(g, col) -> None:
    col.url = ORIGIN + gkmlpt_api(g, col.opts["catid"])
    col.opts["alt_urls"] = [ORIGIN + gkmlpt_api(g, 0), ORIGIN + "/gkmlpt/index"]


def render_gkmlpt(g, col) -> None:
    col.entry_links = [f"/gkmlpt/index#{col.opts['catid']}"]
    for d in col.docs:
        d.via = "gkmlpt /gkmlpt/api/all API"
    if col is not g.gk["columns"][-1]:
        return
    cats = g.gk["columns"]
    tree = ", ".join(f"{{id: {c.opts['catid']}, name: '{c.name}', parent: 0}}" for c in cats)
    meta = g.site_meta()
    meta.update({"ColumnName": "政府信息公开目录", "ColumnDescription": f"{g.site_name}政府信息公开目录", "ColumnKeywords": "政府信息公开",
                 "ColumnType": "信息公开目录"})
    body = (f'{g.header()}\n<div id="app" class="gkml-main"><div class="tree" id="tree"></div><div class="list" id="list">'
            '<p class="loading">加载中……</p></div></div>\n'
            f"<script>\n  window._CONFIG = {{\n    SID: '{g.gk['sid']}',\n    SITE_NAME: '{g.site_name}',\n    API: '/gkmlpt/api',\n"
            f"    CATEGORIES: [{tree}]\n  }};\n</script>\n<script src=\"/gkmlpt/static/js/manifest.js\"></script>\n"
            f'<script src="/gkmlpt/static/js/app.js"></script>\n{g.footer()}')
    page = g.html_page(f"政府信息公开目录_{g.site_name}", body, meta)
    g.serve_html("/gkmlpt/index", page)
    g.add("/gkmlpt/static/js/app.js", _static_js("gkmlpt app bundle"))
    g.add("/gkmlpt/static/js/manifest.js", _static_js("webpack manifest"))
    sid = g.gk["sid"]
    all_docs = sorted((d for c in cats for d in c.docs), key=lambda d: (d.day, d.time), reverse=True)
    by_cat = {str(c.opts["catid"]): sorted(c.docs, key=lambda d: (d.day, d.time), reverse=True) for c in cats}
    by_cat["0"] = all_docs
    for c in cats:
        n = len(c.docs)
        g.traps.append(("gkmlpt_api_only", c.url, f"{n} documents, {-(-n // 100)} API page(s); category 0 lists {len(all_docs)}"))

    def article(d) -> dict:
        ts = int(datetime(d.day.year, d.day.month, d.day.day, int(d.time[:2]), int(d.time[3:]), tzinfo=CST).timestamp())
        return {"id": 2_000_000 + d.id, "title": d.title, "url": ORIGIN + d.target, "create_time": ts, "publisher": d.fields.get("publisher", ""),
                "identifier": d.fields.get("index_no", ""), "document_number": d.fields.get("doc_no", ""), "category": d.col.name}

    def handler(host, method, tgt, form):
        path, _, q = tgt.partition("?")
        m = re.fullmatch(r"/gkmlpt/api/all/(\d+)", path)
        if host or not m or method not in ("GET", "HEAD"):
            return None
        from .site import Response
        args = dict(p.partition("=")[::2] for p in q.split("&") if p)
        docs = by_cat.get(m[1], []) if args.get("sid") == sid else []
        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            page = 1
        body = {"total": len(docs), "page": page, "size": 100, "articles": [article(d) for d in docs[(page - 1) * 100:page * 100]]}
        return Response(200, _json(body), "application/json;charset=UTF-8")
    g.handlers.append(handler)


def _static_js(what: str):
    from .site import Response
    return Response(200, f"/* {what} (minified bundle not reproduced) */\n!function(){{}}();\n".encode(), "application/javascript")


# ---------------------------------------------------------------------------- script-only list of an unknown CMS

def script_setup(g, col) -> None:
    col.opts["apiid"] = g.rng.randint(100, 999)


def render_script(g, col) -> None:
    api = f"/cms/api/v1/columns/{col.opts['apiid']}/articles"
    size = 50
    for d in col.docs:
        d.via = "rendering (script-only list)"
    js = ("<script>\n(function () {\n"
          f"  var url = '{api}?pageNo=1&pageSize={size}';\n"
          "  fetch(url, {headers: {'Accept': 'application/json'}}).then(function (r) { return r.json(); }).then(function (j) {\n"
          "    var html = '';\n    (j.data.records || []).forEach(function (a) {\n"
          "      html += '<li><a href=\"' + a.link + '\" target=\"_blank\" title=\"' + a.title + '\">' + a.title + '</a><span class=\"date\">' + a.publishTime.substring(0, 10) + '</span></li>';\n"
          "    });\n    document.getElementById('news-list').innerHTML = html;\n"
          "    document.getElementById('total').textContent = j.data.total;\n  });\n})();\n</script>")
    listing = f'<ul id="news-list" class="list"></ul><div class="pager">共 <span id="total"></span> 条</div>\n{js}'
    serve_list_page(g, col, f"<h2>{escape(col.name)}</h2>{listing}", {}, "index.html")
    rows = col.rows

    def handler(host, method, tgt, form, _api=api):
        path, _, q = tgt.partition("?")
        if host or path != _api:
            return None
        from .site import Response
        args = dict(p.partition("=")[::2] for p in q.split("&") if p)
        try:
            k, s = max(1, int(args.get("pageNo") or 1)), max(1, min(100, int(args.get("pageSize") or 10)))
        except ValueError:
            k, s = 1, 10
        recs = [{"title": t, "link": h if h.startswith(("/", ORIGIN)) else col.dir + h, "publishTime": f"{day.isoformat()} 09:00:00"}
                for h, t, day in rows[(k - 1) * s:k * s]]
        return Response(200, _json({"code": 200, "msg": "success", "data": {"records": recs, "total": len(rows), "pageNo": k, "pageSize": s}}),
                        "application/json;charset=UTF-8")
    g.handlers.append(handler)
    g.traps.append(("script_only_list", col.url, f"{len(rows)} items only after running the page's script ({api})"))
