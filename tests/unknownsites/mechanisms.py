"""The SPACE of list mechanisms and how one column's mechanism is drawn from it.

A mechanism is a plain dict (printable, part of the ground truth). Its ``kind`` is one of

* ``static``      server-rendered list pages with a plain pager (path- or query-named pages);
* ``scriptpager`` static list pages whose pager is written by an inline script call with
                  drawn argument order/number (``pageNav('pg', 4, 0, 'list', 'shtml', 57)``);
* ``script``      an empty container filled by script from a list API (JSON, JSONP or an HTML
                  fragment; GET or POST; page parameter in the query, a form body, a JSON body or
                  JSON inside another parameter; page numbers 0/1-based, offsets or start/end);
* ``empty``       a ``script`` column whose API answers no items; the script shows a notice;
* ``iframe``      the column page frames a same-site page that holds the list (itself
                  ``static``, ``scriptpager`` or ``script``).

The API-level choices (endpoint, encoding, keys) form an *API style*; a site draws one or two
styles and script columns share them (told apart by their channel id), as one CMS would.
"""

from __future__ import annotations

import random

from .words import made_up_param, word

KIND_WEIGHTS = {"static": 20, "script": 34, "iframe": 13, "empty": 11, "scriptpager": 14}

# every value of every drawn dimension; the self-test checks each appears in seeds 0..49
SPACE = {
    "kind": list(KIND_WEIGHTS),
    "transport": ["xhr", "fetch", "helper", "script-tag"],
    "format": ["json", "jsonp", "html"],
    "method": ["GET", "POST"],
    "place": ["query", "form", "json", "nested-query", "nested-form"],
    "scheme": ["page1", "page0", "offset", "startend"],
    "size": ["client", "server"],
    "total": ["records", "pages", "none"],
    "past_end": ["empty", "first"],
    "pager": ["numbers", "next", "more"],
    "date_format": ["iso", "datetime", "epoch_ms"],
    "url_field": ["url", "id"],
    "page_param": ["common", "made-up"],
    "cache_buster": ["yes", "no"],
    "script_at": ["inline", "file"],
    "notice": ["script-string", "hidden-div", "none"],
    "static_paging": ["path", "query"],
    "frame_inner": ["static", "scriptpager", "script"],
    "detail": ["static", "spa"],
    "site": ["dept_home", "stale_planted", "bad_value_planted"],
}

PAGE_PARAMS = ["page", "pageNo", "pageIndex", "pageNum", "p", "pn", "curPage", "currentPage", "cp",
               "pageNumber", "page_no", "nowPage"]
OFFSET_PARAMS = ["start", "offset", "from", "skip", "first", "begin"]
SIZE_PARAMS = ["pageSize", "size", "rows", "limit", "ps", "perpage", "pagesize", "num", "length"]
START_END = [("startrecord", "endrecord"), ("start", "end"), ("beginNum", "endNum"), ("from", "to"),
             ("rs", "re"), ("startRow", "endRow")]
CHANNEL_PARAMS = ["channelId", "cid", "chnlId", "lanmu", "colId", "catId", "columnid", "nodeId"]
SITE_PARAMS = ["siteId", "sid", "webid", "site", "areaCode"]
CALLBACK_PARAMS = ["callback", "cb", "jsoncallback", "jsonp", "fn"]
NEST_PARAMS = ["params", "data", "q", "query", "condition", "json", "param"]
ITEM_PATHS = [["data", "list"], ["rows"], ["result", "records"], ["items"], ["data", "data", "content"],
              ["datas"], ["obj", "pageData"], ["body", "docs"], ["data"], ["list"], ["resultList"]]
RECORD_KEYS = ["total", "totalCount", "recordCount", "count", "totalElements", "totalRecord", "total_num"]
PAGE_COUNT_KEYS = ["totalPage", "pages", "pageCount", "totalPages", "page_total"]
TITLE_KEYS = ["title", "biaoti", "name", "docTitle", "doctitle", "t"]
URL_KEYS = ["url", "link", "href", "docUrl", "puburl"]
ID_KEYS = ["docId", "id", "articleId", "infoid", "mid"]
DATE_KEYS = ["pubDate", "date", "fbrq", "publishTime", "releaseTime", "createTime", "docreltime"]
PAGER_FNS = ["goPage", "toPage", "jumpTo", "turnPage", "gotoPage", "pageClick"]
NAV_FNS = ["pageNav", "showPager", "wPage", "renderPg", "makePages", "fenye"]


def _pick_param(rng, common: list[str], taken: set[str]) -> tuple[str, str]:
    """A parameter name not yet used: from the common list, or made up (20 %)."""
    for _ in range(50):
        if rng.random() < 0.2:
            name, how = made_up_param(rng), "made-up"
        else:
            name, how = rng.choice(common), "common"
        if name not in taken:
            taken.add(name)
            return name, how
    raise RuntimeError("no free parameter name")


def draw_api_style(rng: random.Random, n: int) -> dict:
    """Everything a list API fixes for all columns it serves."""
    taken = {"_", "t"}
    fmt = rng.choices(["json", "jsonp", "html"], [6, 2, 2])[0]
    method = "GET" if fmt == "jsonp" else rng.choice(["GET", "POST"])
    if method == "GET":
        place = rng.choices(["query", "nested-query"], [3, 1])[0]
    else:
        place = rng.choices(["query", "form", "json", "nested-form"], [1, 3, 3, 2])[0]
    style = {"id": f"api{n}", "format": fmt, "method": method, "place": place,
             "endpoint": rng.choice([f"/api/v{rng.randint(1, 3)}/{word(rng, 1)}", f"/opendata/{word(rng)}.do",
                                     f"/{word(rng)}/ajax/{word(rng, 1)}List", f"/service/{word(rng)}/getList",
                                     f"/{word(rng, 1)}/{word(rng)}.json", f"/interface/{word(rng)}"]) + ("" if n == 0 else str(n))}
    style["chan_param"], _ = _pick_param(rng, CHANNEL_PARAMS, taken)
    style["site_param"] = _pick_param(rng, SITE_PARAMS, taken)[0] if rng.random() < 0.5 else None
    style["site_value"] = str(rng.randint(1, 999))
    style["extra"] = {_pick_param(rng, ["sort", "type", "status", "orderBy"], taken)[0]: rng.choice(["1", "desc", "-pubDate"])} if rng.random() < 0.3 else {}
    if place.startswith("nested"):
        style["nest_param"], _ = _pick_param(rng, NEST_PARAMS, taken)
    scheme = rng.choices(["page1", "page0", "offset", "startend"], [4, 2, 2, 2])[0]
    style["scheme"] = scheme
    if scheme in ("page1", "page0"):
        style["page_param"], style["page_param_kind"] = _pick_param(rng, PAGE_PARAMS, taken)
    elif scheme == "offset":
        style["page_param"], style["page_param_kind"] = _pick_param(rng, OFFSET_PARAMS, taken)
    else:
        a, b = rng.choice(START_END)
        if a in taken or b in taken or rng.random() < 0.15:
            a, b = made_up_param(rng) + "s", made_up_param(rng) + "e"
        taken |= {a, b}
        style["page_param"], style["end_param"], style["page_param_kind"] = a, b, "common"
    # the client sends the size (offset schemes: the limit) or the server fixes it
    if scheme != "startend" and rng.random() < 0.55:
        style["size_param"], _ = _pick_param(rng, SIZE_PARAMS, taken)
    else:
        style["size_param"] = None
    style["cache_buster"] = rng.choice(["_", "_", "t"]) if rng.random() < 0.45 else None
    if fmt == "jsonp":
        style["callback_param"], _ = _pick_param(rng, CALLBACK_PARAMS, taken)
    style["past_end"] = rng.choices(["empty", "first"], [7, 3])[0]
    if fmt == "html":
        style["markup"] = rng.choice(["li", "div"])
        style["total"] = rng.choice([None, {"kind": "records", "input": "totalRecord"},
                                     {"kind": "pages", "input": rng.choice(["pageCount", "totalPage"])}])
        return style
    items = list(rng.choice(ITEM_PATHS))
    style["items_path"] = items
    tk = rng.choices(["records", "pages", None], [4, 2.5, 3.5])[0]
    if tk:
        key = rng.choice(RECORD_KEYS if tk == "records" else PAGE_COUNT_KEYS)
        parent = items[:-1] if (len(items) > 1 and rng.random() < 0.6) else []
        style["total"] = {"kind": tk, "path": parent + [key]}
    else:
        style["total"] = None
    style["noise"] = rng.choice([{}, {"code": 200, "msg": "success"}, {"success": True}, {"code": "0000", "message": "查询成功"}])
    style["title_key"] = rng.choice(TITLE_KEYS)
    style["url_field"] = rng.choices(["url", "id"], [3, 2])[0]
    style["url_key"] = rng.choice(URL_KEYS if style["url_field"] == "url" else ID_KEYS)
    style["url_absolute"] = rng.random() < 0.3
    style["id_as_string"] = rng.random() < 0.4
    style["date_key"] = rng.choice([k for k in DATE_KEYS if k not in (style["title_key"], style["url_key"])])
    style["date_format"] = rng.choice(["iso", "datetime", "epoch_ms"])
    return style


def draw_ui(rng: random.Random, style: dict, empty: bool) -> dict:
    """The page-level choices of a script-filled list: transport, pager, notice, where the script lives."""
    if style["format"] == "jsonp":
        transport = rng.choices(["script-tag", "xhr", "fetch"], [3, 1, 1])[0]
    else:
        transport = rng.choice(["xhr", "fetch", "helper"])
    known = bool(style.get("total"))
    pager = rng.choices(["numbers", "next", "more"], [5, 3, 2] if known else [0, 5, 4])[0]
    if empty:
        notice = rng.choices(["script-string", "hidden-div"], [6, 4])[0]
    else:
        notice = rng.choices(["script-string", "hidden-div", "none"], [35, 15, 50])[0]
    return {"transport": transport, "pager": pager, "pager_fn": rng.choice(PAGER_FNS + [word(rng, 1) + "Go"]),
            "shows": (rng.choice([None, "共N页", "共N条"] if style["total"]["kind"] == "records" else [None, "共N页"])
                      if known and pager != "more" else None),
            "script_at": rng.choices(["inline", "file"], [6, 4])[0],
            "notice": notice, "notice_text": rng.choices(["暂无相关信息", "暂无数据"], [7, 3])[0],
            "container_tag": ("ul" if style.get("markup") == "li" else "div") if style["format"] == "html" else rng.choice(["ul", "div"])}


def draw_static(rng: random.Random) -> dict:
    if rng.random() < 0.7:
        first, other = rng.choice([("index.html", "index_{k}.html"), ("list.htm", "list-{k}.htm"), ("", "{k}.html"),
                                   ("index.shtml", "index_{km1}.shtml"), ("p1.html", "p{k}.html"), ("", "page/{k}/")])
        return {"kind": "static", "static_paging": "path", "first": first, "other": other,
                "page_url": f"page 1 = column URL, page k>=2 = {other} ({'{km1}=k-1' if 'km1' in other else 'k 1-based'})",
                "pager_ui": rng.choice(["numbers+next", "next-only", "numbers"]), "shows": rng.choice([None, "共N页", "共N条"])}
    param = rng.choice(["page", "pn", "pageNum", "curpage", "p", "ye"]) if rng.random() < 0.8 else made_up_param(rng)
    zero = rng.random() < 0.3
    return {"kind": "static", "static_paging": "query", "first": rng.choice(["list.do", "list.jsp", "col.aspx", "lists.php"]),
            "param": param, "zero_based": zero, "past_end": rng.choices(["empty", "first"], [7, 3])[0],
            "page_url": f"page 1 = column URL, page k = ?{param}={'k-1' if zero else 'k'}",
            "pager_ui": rng.choice(["numbers+next", "next-only", "numbers"]), "shows": rng.choice([None, "共N页", "共N条"])}


def draw_scriptpager(rng: random.Random) -> dict:
    base = rng.choice(["list", "index", "lb", "more", word(rng, 1)])
    ext = rng.choice(["shtml", "html", "htm"])
    naming = rng.choice(["{base}_{k}.{ext}", "{base}_{km1}.{ext}", "{base}-{k}.{ext}", "{base}{k}.{ext}"])
    args = ["pages", "current"] + [a for a, p in (("container", 0.6), ("records", 0.5), ("size", 0.3)) if rng.random() < p]
    if rng.random() < 0.5:
        args += ["base", "ext"]
    rng.shuffle(args)
    return {"kind": "scriptpager", "fn": rng.choice(NAV_FNS + [word(rng, 1) + "Pg"]), "args": args,
            "current_base": rng.choice([0, 1]), "base": base, "ext": ext, "naming": naming,
            "script_at": rng.choices(["inline", "file"], [7, 3])[0], "quote": rng.choice(["single", "double"]),
            "page_url": f"page 1 = {base}.{ext}, page k>=2 = {naming} ({'{km1}=k-1' if 'km1' in naming else 'k 1-based'})"}


def features(mech: dict) -> list[str]:
    """``dimension:value`` strings of one column's mechanism, for the histogram."""
    out = [f"kind:{mech['kind']}"]
    if mech["kind"] == "iframe":
        inner = mech["inner"]
        out.append(f"frame_inner:{inner['kind']}")
        out += [f for f in features(inner) if not f.startswith("kind:")]
        return out
    if mech["kind"] == "static":
        out.append(f"static_paging:{mech['static_paging']}")
        if mech["static_paging"] == "query":
            out.append(f"past_end:{mech['past_end']}")
    if mech["kind"] == "scriptpager":
        out.append(f"script_at:{mech['script_at']}")
    if mech["kind"] in ("script", "empty"):
        for dim in ("transport", "format", "method", "place", "scheme", "past_end", "pager", "script_at",
                    "notice", "page_param"):
            key = "page_param_kind" if dim == "page_param" else dim
            out.append(f"{dim}:{mech[key]}")
        out.append(f"size:{'client' if mech['size_param'] else 'server'}")
        out.append(f"cache_buster:{'yes' if mech['cache_buster'] else 'no'}")
        out.append(f"total:{mech['total']['kind'] if mech.get('total') else 'none'}")
        if mech["format"] != "html":
            out += [f"date_format:{mech['date_format']}", f"url_field:{mech['url_field']}"]
    return out
