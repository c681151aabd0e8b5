"""``generate(seed)``: draw a portal and build its routes, handlers and ground truth."""

from __future__ import annotations

import random

from . import api, pages
from .documents import (AS_OF, BAD_VALUES, INDEX_SHAPES, SHAPE_WEIGHTS, bad_index, column_dates, make_doc,
                        site_codes)
from .mechanisms import KIND_WEIGHTS, draw_api_style, draw_scriptpager, draw_static, draw_ui
from .model import ORIGIN, Column, Response, Site
from .scripts import nav_function, spa_shell_script
from .words import (COLUMN_NAMES, COLUMN_TYPES, DEPARTMENTS, DEPT_COLUMN_NAMES, ICP_PREFIX, PLACES, ident, word)

EXACT_RULES = ("freshness.blank_column", "freshness.stale_column", "metadata.bad_value")
JS_CT = "application/javascript; charset=utf-8"
SPA_KEYS = {"索引号": ["syh", "indexNo", "index_no", "suoyinhao"], "主题分类": ["ztfl", "category", "subjectName", "theme"],
            "发文机关": ["fwjg", "publisher", "organName", "pubOrg"], "成文日期": ["cwrq", "writtenDate", "makeDate", "wrDate"],
            "发布日期": ["fbrq", "pubDate", "publishTime", "releaseDate"], "发文字号": ["wh", "docNo", "fileNum", "fwzh"],
            "标题": ["title", "biaoti", "docTitle"], "有效性": ["yxx", "validity", "status", "effect"],
            "正文": ["content", "body", "html", "docContent"]}
API_KEYS = ("method", "place", "format", "scheme", "page_param", "end_param", "size_param", "nest_param",
            "callback_param", "cache_buster", "past_end", "items_path", "title_key", "url_key", "url_field",
            "url_template", "date_key", "date_format", "total", "markup", "noise")


class Builder:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.routes: dict = {}
        self.handlers: dict = {}
        self.styles: list = []
        self.used_words: set = set()

    # ---- helpers ----------------------------------------------------------------------------
    def word(self, parts: int = 2) -> str:
        while True:
            w = word(self.rng, parts)
            if w not in self.used_words:
                self.used_words.add(w)
                return w

    def add(self, path: str, body: bytes, ctype: str = "text/html; charset=utf-8", info: dict | None = None) -> None:
        assert path not in self.routes and path not in self.handlers, path
        self.routes[path] = Response(200, body, ctype, info=info)

    def handle(self, path: str, fn) -> None:
        assert path not in self.routes and path not in self.handlers, path
        self.handlers[path] = fn

    # ---- drawing ----------------------------------------------------------------------------
    def draw_site(self) -> None:
        rng = self.rng
        prov, city, region = rng.choice(PLACES)
        self.region = region
        w = self.word()
        section = rng.choice(["/zwgk/", "/xxgk/", f"/portal/xxgk/{self.word(1)}/", "/opendata/", f"/govinfo/{self.word(1)}/",
                              "/gk/", "/zfxxgk/", f"/{self.word(1)}/gk/"])
        self.section_dir = section
        self.ctx = {"name": f"{city}人民政府", "city": city, "short": city[0], "domain": f"www.{w}.gov.cn",
                    "site_id": region + f"{rng.randint(1, 60):04d}", "icp": f"{ICP_PREFIX[prov]}ICP备{rng.randint(10000000, 99999999)}号",
                    "section": section + rng.choice(["", "index.html", "index.shtml"]), "hudong": f"/{self.word(1)}/hdjl.html",
                    "link_style": rng.choice(["root", "root", "absolute"]), "date_style": rng.choice(["iso", "iso", "cn"]),
                    "meta_markup": rng.choice(["table2", "table4", "dl", "ul"]),
                    "label_padding": rng.choice(["none", "none", "space", "ideo"]),
                    "body_class": rng.choice(["zw-content", "article-body", "TextBox", "con_text", "xl-nr"]),
                    "codes": site_codes(rng, region)}
        self.shapes = rng.choices(list(SHAPE_WEIGHTS), list(SHAPE_WEIGHTS.values()), k=rng.choice([1, 1, 2]))
        self.detail_dir = rng.choice(["content", "art", self.word(1)])
        # SPA detail shell (used by the columns whose details are SPA)
        sw = self.word(1)
        self.spa = {"shell": rng.choice([f"{section}{sw}/detail.html", "/doc/view", f"/{sw}/article.html", f"/{sw}/content"]),
                    "id_param": rng.choice(["id", "docid", "docId", "aid", "infoId"]),
                    "api": rng.choice(["/api/doc", f"/{sw}/api/{self.word(1)}", f"/rest/{sw}/info", f"/{sw}/getDoc.do"]),
                    "method": rng.choice(["GET", "POST"]), "path": rng.choice([["data"], [], ["result", "doc"], ["obj"]]),
                    "date_format": rng.choice(["iso", "datetime", "epoch_ms"]), "transport": rng.choice(["xhr", "fetch"]),
                    "api_param": rng.choice(["id", "docId", "infoid", "articleId"]),
                    "keys": {label: rng.choice(opts) for label, opts in SPA_KEYS.items()},
                    "script_file": rng.choice([None, f"/static/js/{sw}_detail.js"])}
        self.spa["place"] = "query" if self.spa["method"] == "GET" else rng.choice(["form", "json"])
        # departments
        self.depts = []
        if rng.random() < 0.35:
            dk = self.word(1)
            self.depts.append({"key": dk, "name": city + rng.choice(DEPARTMENTS), "dir": f"{section}bm/{dk}/"})
            self.depts[0]["path"] = self.depts[0]["dir"] + rng.choice(["", "index.html"])

    def draw_columns(self) -> None:
        rng = self.rng
        n_main = rng.randint(3, 5) if self.depts else rng.randint(3, 7)
        names = rng.sample(COLUMN_NAMES, n_main)
        specs = [(n, None) for n in names] + [(n, d["key"]) for d in self.depts for n in rng.sample(DEPT_COLUMN_NAMES, 2)]
        cols = []
        for name, dept in specs:
            if dept:
                kind = rng.choices(["script", "empty"], [KIND_WEIGHTS["script"], KIND_WEIGHTS["empty"]])[0]
            else:
                kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
            key = self.word(1)
            base = next(d["dir"] for d in self.depts if d["key"] == dept) if dept else self.section_dir
            publisher = (next(d["name"] for d in self.depts if d["key"] == dept) if dept
                         else f"{self.ctx['city']}{rng.choice(['人民政府', '人民政府办公室'] + DEPARTMENTS)}")
            col = Column(key=key, name=name, ctype=COLUMN_TYPES[name], dir=f"{base}{key}/", mech={"kind": kind},
                         size=rng.choice([5, 6, 7, 8, 10, 10, 12, 15, 20]), publisher=publisher, dept=dept,
                         chan=rng.choice([f"c{rng.randint(10, 999)}", str(rng.randint(1000, 99999)), self.word(1)]))
            cols.append(col)
        # at most two empty columns and at least two with documents
        empties = [c for c in cols if c.mech["kind"] == "empty"]
        for c in empties[2:] + empties[: max(0, 2 - (len(cols) - len(empties[:2])))]:
            c.mech["kind"] = "script"
        self.columns = cols

    def draw_documents(self) -> None:
        rng = self.rng
        full = [c for c in self.columns if c.mech["kind"] != "empty"]
        counts = {c.key: rng.randint(4, 18) for c in full}
        while sum(counts.values()) > 70:
            counts[max(counts, key=counts.get)] -= 1
        while sum(counts.values()) < 20:
            counts[rng.choice(full).key] += 1
        stale = rng.choice(full) if rng.random() < 0.3 else None
        ids = rng.sample(range(10000, 9999999), sum(counts.values()))
        serial, used = rng.randint(1, 400), set()
        for c in full:
            c.stale = c is stale
            c.spa = rng.random() < 0.2
            for d in column_dates(rng, counts[c.key], c.stale):
                serial += 1
                doc = make_doc(rng, self.ctx, c, d, serial, rng.choice(self.shapes), used)
                doc.id, doc.spa = ids.pop(), c.spa
                if c.spa:   # the shell shows ISO dates
                    doc.fields["成文日期"], doc.fields["发布日期"] = doc.written.isoformat(), doc.publish.isoformat()
                c.docs.append(doc)
        self.bad = []
        alldocs = [d for c in full for d in c.docs]
        if rng.random() < 0.5:
            for doc in rng.sample(alldocs, rng.randint(1, 3)):
                kind = rng.choice(BAD_VALUES)
                doc.fields["索引号"] = bad_index(rng, kind, doc.fields["索引号"], doc.publish)
                doc.index_shape = f"bad:{kind}"
                self.bad.append(doc)

    def draw_mechanisms(self) -> None:
        for c in self.columns:
            kind = c.mech["kind"]
            if kind == "iframe":
                inner_kind = self.rng.choices(["static", "scriptpager", "script"], [3, 2, 4])[0]
                c.mech = {"kind": "iframe", "frame_id": ident(self.rng, "ifr"), "frame_height": self.rng.choice([600, 800, 1200]),
                          "inner": self.list_mech(c, inner_kind)}
            else:
                c.mech = self.list_mech(c, kind)
            # the detail URL: SPA shell, or a static pattern; ids only when the list API sends ids
            api_mech = c.mech.get("inner", c.mech)
            id_only = api_mech.get("url_field") == "id"
            if c.spa:
                c.detail = f"{self.spa['shell']}?{self.spa['id_param']}={{id}}"
            else:
                pattern = self.rng.choice([f"{c.dir}{{yyyymm}}/{self.rng.choice(['c', 'art', 'doc', ''])}{{id}}.html",
                                           f"{c.dir}{{id}}.html", f"/{self.detail_dir}/doc_{{id}}.htm",
                                           f"/{self.detail_dir}/{{yyyy}}/{{mmdd}}/{{id}}.shtml"])
                if id_only and "{yyyy" in pattern:
                    pattern = f"{c.dir}{{id}}.html"
                c.detail = pattern
            if id_only:
                api_mech["url_template"] = c.detail
            for d in c.docs:
                d.path = c.detail.format(id=d.id, yyyymm=d.publish.strftime("%Y%m"), yyyy=d.publish.year,
                                         mmdd=d.publish.strftime("%m%d"))
                d.url = ORIGIN + d.path

    def list_mech(self, c: Column, kind: str) -> dict:
        rng = self.rng
        ids = {"box": ident(rng, "lst_"), "pager_box": ident(rng, "pg_"), "notice_box": ident(rng, "nd_")}
        common = {"markup": rng.choice(["li", "li", "tr", "div"]), "truncate": rng.random() < 0.2}
        if kind == "static":
            return {**draw_static(rng), **common, **ids}
        if kind == "scriptpager":
            return {**draw_scriptpager(rng), **common, **ids}
        if self.styles and rng.random() < 0.45:
            style = rng.choice(self.styles)
        else:
            style = draw_api_style(rng, len(self.styles))
            self.styles.append(style)
            style["columns"] = {}
        style["columns"][c.chan] = c
        ui = draw_ui(rng, style, kind == "empty")
        consts = {style["chan_param"]: c.chan, **style["extra"]}
        outer = {}
        if style["site_param"]:
            if style["place"].startswith("nested") or (style["place"] in ("form", "json") and rng.random() < 0.3):
                outer[style["site_param"]] = style["site_value"]
            else:
                consts[style["site_param"]] = style["site_value"]
        m = {k: v for k, v in style.items() if k not in ("columns", "site_value", "extra")}
        return {**m, **ui, "kind": kind, "chan": c.chan, "inner_consts": consts, "outer_consts": outer,
                "helper": rng.choice(["$m", "$q", "Z", "ajx"]), **ids}

    # ---- building ---------------------------------------------------------------------------
    def siblings(self, col: Column) -> list:
        return [c for c in self.columns if c.dept == col.dept]

    def build_list(self, c: Column, m: dict, base: str, framed: bool) -> tuple[str, list]:
        """Register the list pages of ``m`` under folder ``base``; (first page path, static list page paths)."""
        ctx, rng = self.ctx, self.rng
        if m["kind"] == "static" and m["static_paging"] == "path":
            def url(k):
                return base + (m["first"] if k == 1 else m["other"].format(k=k, km1=k - 1))
            for k in range(1, c.pages + 1):
                self.add(url(k), pages.static_list_page(ctx, c, m, k, c.page_docs(k), lambda i: pages.href(ctx, url(i)), framed),
                         info={"kind": "list", "column": c.key, "page": k, "items": len(c.page_docs(k))})
            return url(1), [url(k) for k in range(1, c.pages + 1)]
        if m["kind"] == "static":
            first = base + m["first"]

            def url(k):
                return first if k == 1 else f"{first}?{m['param']}={k - 1 if m['zero_based'] else k}"
            self.handle(first, api.query_list(c, m, lambda k, docs: pages.static_list_page(
                ctx, c, m, k, docs, lambda i: pages.href(ctx, url(i)), framed)))
            return first, [url(k) for k in range(1, c.pages + 1)]
        if m["kind"] == "scriptpager":
            naming = m["naming"].replace("{base}", m["base"]).replace("{ext}", m["ext"])

            def url(k):
                return base + (f"{m['base']}.{m['ext']}" if k == 1 else naming.format(k=k, km1=k - 1))
            file_path = None
            if m["script_at"] == "file":
                file_path = f"/static/js/{self.word(1)}_page.js"
                self.add(file_path, nav_function(m).encode(), JS_CT)
            m["script_file"] = file_path
            for k in range(1, c.pages + 1):
                self.add(url(k), pages.scriptpager_page(ctx, c, m, k, c.page_docs(k), framed, file_path),
                         info={"kind": "list", "column": c.key, "page": k, "items": len(c.page_docs(k))})
            return url(1), [url(k) for k in range(1, c.pages + 1)]
        # script-filled
        first = base + rng.choice(["index.html", "list.html", "", "col.shtml"])
        file_path = f"/static/js/{self.word(1)}_list.js" if m["script_at"] == "file" else None
        m["script_file"] = file_path
        body, code = pages.script_list_page(ctx, c, m, framed, file_path)
        self.add(first, body)
        if file_path:
            self.add(file_path, code.encode(), JS_CT)
        return first, []

    def build(self) -> Site:
        ctx = self.ctx
        ctx["siblings"] = self.siblings
        for c in self.columns:
            if c.mech["kind"] == "iframe":
                inner_base = c.dir + self.rng.choice(["lb/", "frm/", "list/"])
                src, list_pages = self.build_list(c, c.mech["inner"], inner_base, True)
                c.mech["src"] = src
                c.path = c.dir + self.rng.choice(["index.html", ""])
                self.add(c.path, pages.iframe_outer(ctx, c, pages.href(ctx, src)))
            else:
                c.path, list_pages = self.build_list(c, c.mech, c.dir, False)
            c.list_pages = list_pages
        # list APIs
        for style in self.styles:
            self.handle(style["endpoint"], api.list_api(style, style["columns"]))
        # details
        spa_docs = {}
        for c in self.columns:
            for d in c.docs:
                if c.spa:
                    spa_docs[str(d.id)] = d
                else:
                    self.add(d.path, pages.detail(ctx, c, d))
        if spa_docs:
            code = spa_shell_script(self.spa)
            shell = self.spa["shell"]
            self.add(shell, pages.spa_shell(ctx, self.spa, code))
            if self.spa["script_file"]:
                self.add(self.spa["script_file"], code.encode(), JS_CT)
            self.handle(self.spa["api"], api.spa_api(self.spa, spa_docs))
        # home, section index, department home, 互动交流
        main = [c for c in self.columns if not c.dept]
        newest = sorted((d for c in self.columns for d in c.docs), key=lambda d: d.publish, reverse=True)[:6]
        self.add("/", pages.home(ctx, newest))
        self.add(ctx["section"], pages.section(ctx, main, self.depts))
        if ctx["section"] != self.section_dir:
            self.add(self.section_dir, pages.section(ctx, main, self.depts))
        for dept in self.depts:
            self.add(dept["path"], pages.dept_home(ctx, dept, [c for c in self.columns if c.dept == dept["key"]]))
        self.add(ctx["hudong"], pages.simple(ctx, "互动交流", "如有意见建议，请通过政务服务热线反映。"))
        return Site(seed=self.seed, name=ctx["name"], routes=self.routes, handlers=self.handlers,
                    truth=self.truth(), columns=self.columns)

    # ---- ground truth -----------------------------------------------------------------------
    def api_truth(self, c: Column, m: dict) -> dict | None:
        if m["kind"] not in ("script", "empty"):
            return None
        out = {k: m[k] for k in API_KEYS if k in m}
        out.update({"endpoint": ORIGIN + m["endpoint"], "size": c.size, "consts": m["inner_consts"],
                    "outer": m["outer_consts"], "pages": c.pages})
        return out

    def truth(self) -> dict:
        o = lambda p: ORIGIN + p
        documents, columns, lookalikes = {}, [], []
        for c in self.columns:
            for d in c.docs:
                documents[d.url] = {"column": c.key, "title": d.title, "fields": dict(d.fields), "spa": d.spa,
                                    "index_shape": d.index_shape}
            m = c.mech.get("inner", c.mech)
            columns.append({"key": c.key, "name": c.name, "url": o(c.path), "mechanism": c.mech,
                            "docs": [d.url for d in c.docs], "pages": c.pages, "list_pages": [o(p) for p in c.list_pages],
                            "api": self.api_truth(c, m), "empty": c.empty, "framed": c.mech["kind"] == "iframe",
                            "size": c.size, "dept": c.dept, "stale": c.stale, "spa": c.spa, "ctype": c.ctype,
                            "newest": c.docs[0].publish.isoformat() if c.docs else None})
            if m["kind"] == "script" and m["notice"] != "none":
                lookalikes.append(("freshness.blank_column", o(c.path),
                                   f"{len(c.docs)} items; '{m['notice_text']}' is only in the "
                                   + ("script source" if m["notice"] == "script-string" else "hidden notice element")))
            if m["kind"] == "script" or c.mech["kind"] == "iframe":
                lookalikes.append(("freshness.blank_column", o(c.path),
                                   f"{len(c.docs)} items, listed by " + ("an iframe" if c.mech["kind"] == "iframe" else "script")))
            if c.empty:
                lookalikes.append(("freshness.stale_column", o(c.path), "blank column: blank_column, not stale_column"))
        for dept in self.depts:
            lookalikes.append(("freshness.blank_column", o(dept["path"]), "department home page: links its 2 lists, not a column"))
        seen = set()
        for c in self.columns:
            for d in c.docs:
                if d.index_shape.startswith("bad:") or d.index_shape in seen:
                    continue
                seen.add(d.index_shape)
                lookalikes.append(("metadata.bad_value", d.url, f"索引号 {d.fields['索引号']} has a real shape ({d.index_shape})"))
        findings = {r: set() for r in EXACT_RULES}
        findings["freshness.blank_column"] = {o(c.path) for c in self.columns if c.empty}
        findings["freshness.stale_column"] = {o(c.path) for c in self.columns if c.stale}
        findings["metadata.bad_value"] = {d.url for d in self.bad}
        return {"as_of": AS_OF.isoformat(), "home": o("/"), "section": o(self.ctx["section"]), "documents": documents,
                "columns": columns, "findings": findings, "lookalikes": lookalikes, "exact_rules": EXACT_RULES,
                "departments": [{"name": d["name"], "url": o(d["path"]),
                                 "columns": [c.key for c in self.columns if c.dept == d["key"]]} for d in self.depts],
                "index_shapes": list(self.shapes),
                "spa": ({"shell": o(self.spa["shell"]), "api": o(self.spa["api"]), "method": self.spa["method"],
                         "place": self.spa["place"], "api_param": self.spa["api_param"], "id_param": self.spa["id_param"],
                         "path": self.spa["path"], "keys": self.spa["keys"]} if any(c.spa for c in self.columns) else None)}


def generate(seed: int) -> Site:
    b = Builder(seed)
    b.draw_site()
    b.draw_columns()
    b.draw_documents()
    b.draw_mechanisms()
    return b.build()


def site_features(site: Site) -> list[str]:
    """``dimension:value`` strings of every column plus the site-level draws, for the histogram."""
    from .mechanisms import features
    t, out = site.truth, []
    for c in t["columns"]:
        out += features(c["mechanism"])
        if not c["empty"]:
            out.append(f"detail:{'spa' if c['spa'] else 'static'}")
    out += ["site:dept_home"] * bool(t["departments"])
    out += ["site:stale_planted"] * bool(t["findings"]["freshness.stale_column"])
    out += ["site:bad_value_planted"] * bool(t["findings"]["metadata.bad_value"])
    return out
