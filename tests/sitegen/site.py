"""``generate(seed) -> Site``: a deterministic, realistic 政府信息公开 portal with ground truth.

What is drawn (all from ``random.Random(seed)``):

* the site: a city from ``CITIES``, a 10-digit 网站标识码, the section path (``/zwgk/``, ``/xxgk/``,
  ``/zfxxgk/``) and a home page that links the section index (directory or ``index.html`` form);
* 3–8 columns. Each column has a content kind from ``KINDS`` (工作动态 news and 政策解读 use an
  article header; the others a metadata block from ``labels.LAYOUTS`` with labels from
  ``labels.LABELS``) and a template family from ``FAMILIES``:

  - ``trs``: TRS static lists, ``index.html`` = page 1, ``index_1.html`` = page 2, pager only as
    inline script (``createPageHTML(N, p, "index", ext)`` or the hand-written Handan
    ``var countPage`` one), detail URLs ``/<col>/<YYYYMM>/t<YYYYMMDD>_<docid>.<ext>``;
  - ``hanweb``: ``/col/col<ID>/index.html`` with the ``<datastore>`` inlining the first page of
    records, a jpage script (``ajaxParam`` object or a ``jpageform_<unitid>`` form), records
    paged by POST to one proxy URL shared by every Hanweb column of the site (so first POSTs
    differ only in the form body); detail URLs ``/art/YYYY/M/D/art_<col>_<id>.html``;
  - ``query``: ``list.jsp?page=N`` / ``list.jsp?uid=U&pageNum=N`` / ``iList.jsp?node_id=…&cur_page=N``
    with ``共N页`` and page links (``&amp;`` in hrefs);
  - ``chain``: each page links only to the next (``下一页``) and sometimes ``尾页``;
  - ``plain``: one list page;
  - ``gbk``: a plain or chain column served in GBK, with a Chinese directory name and detail links
    whose query carries Chinese (``show.jsp?lm=公示&id=N`` → GBK percent-encoding) or whose file
    name is Chinese (UTF-8 percent-encoding in the path).

  - ``fujian`` / ``gkmlpt`` / ``script`` (``platforms.py``, issue 13): lists only the Fujian search
    API, the gkmlpt API or a page script shows; such documents carry ``via`` in the ground truth;

* issue 13's site shapes: a 新闻中心 › 要闻动态 section outside the catalogue (``scope: outside``: no
  metadata.* findings), a section index without a document list, a named portal
  (``www.<city>.gov.test``) whose pages carry a hidden mobile menu linking the departments' hosts
  under the same domain (not 暗链) beside a hidden spam link, an empty Fujian 成文日期
  (metadata.empty_field), a 规范性文件 known only by its number ``X府规〔Y〕9号`` with a one-way
  interpretation link;
* issue 11's content problems (``content.py``, files from ``files.py``);
* traps (``Site.truth.traps``): a TRS ``createPageHTML(999999, …)`` with 2–4 real pages (the rest
  404), a query pager claiming 共50页 that answers page 1 for any page past the end, a Hanweb
  ``<totalrecord>`` larger than the records (later ranges empty), a column linked both as
  ``…/`` and ``…/index.html``, a ``?kw=`` search URL serving a list page, Chinese attachment
  names, ``&amp;`` and ``#fragment`` hrefs, an upper-case off-site host;
* planted defects with their ground truth (rule id → set of URLs) and look-alikes that must not
  be reported (``Site.truth.lookalikes``): see ``Gen.plant_*``.

All dates are relative to ``AS_OF`` (the audit is run with ``--as-of AS_OF``); working days come
from the holiday calendar in ``checks/holidays/`` (``calendar.py``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path

import yaml

from . import content, files, platforms
from . import labels as L
from .calendar import add_working_days, back_working_days, limit_start
from .urls import ORIGIN, PORT, canon_target

AS_OF = date(2026, 11, 20)

PARTNER_HOST = "www.gov-partner.test"   # a legitimate off-site host (visible links, one 404 page)
SPAM_HOST = "www.xpj-yule.test"         # the hijacker's host (hidden links)
OFFSITE_HOSTS = (PARTNER_HOST, SPAM_HOST)

CITIES = [("福州市", "闽", "350100"), ("泉州市", "闽", "350500"), ("邯郸市", "冀", "130400"), ("盘锦市", "辽", "211100"),
          ("定西市", "甘", "621100"), ("绵竹市", "川", "510683"), ("葫芦岛市", "辽", "211400"), ("龙岩市", "闽", "350800")]
PINYIN = {"福州市": "fuzhou", "泉州市": "quanzhou", "邯郸市": "handan", "盘锦市": "panjin", "定西市": "dingxi", "绵竹市": "mianzhu",
          "葫芦岛市": "huludao", "龙岩市": "longyan"}
# the city's departments on their own hosts under the portal's registered domain (a hidden mobile menu links them)
DEPARTMENTS = [("jyj", "市教育局"), ("czj", "市财政局"), ("mzj", "市民政局"), ("rsj", "市人力资源和社会保障局"), ("zrzyj", "市自然资源局")]
AGENCIES = ["财政局", "教育局", "民政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
            "农业农村局", "商务局", "卫生健康委员会", "应急管理局", "市场监督管理局", "统计局", "医疗保障局", "司法局"]
TOPICS = ["农村人居环境整治", "城市更新", "营商环境优化", "安全生产专项整治", "养老服务体系建设", "义务教育优质均衡", "河湖长制",
          "耕地保护", "消费品以旧换新", "就业创业补贴", "公共租赁住房", "medical", "数字政府建设", "招商引资", "秋冬季大气污染防治",
          "老旧小区改造", "中小企业纾困", "乡村振兴", "科技创新券", "地方标准化", "残疾人两项补贴", "道路运输", "森林防火",
          "食品安全", "防汛抗旱", "文物保护", "全民健身", "社区矫正", "政务服务", "冬春季动物防疫"]
TOPICS[TOPICS.index("medical")] = "医疗保障基金监管"
POLICY_SUFFIX = ["管理办法", "实施办法", "暂行办法", "实施细则", "实施意见"]

# content kinds: name choices, ColumnType, page style
KINDS = {
    "news": (["工作动态", "部门动态", "政务要闻"], "工作动态", "article"),
    "notice": (["通知公告", "公示公告"], "通知公告", "table"),
    "policy": (["规范性文件"], "政策文件", "table"),
    "govdoc": (["政府文件", "部门文件"], "政策文件", "table"),
    "personnel": (["人事信息"], "人事信息", "table"),
    "finance": (["财政信息", "财政预决算"], "财政信息", "table"),
    "interp": (["政策解读"], "政策解读", "article"),
    "annual": (["政府信息公开年报", "信息公开年报"], "信息公开年报", "table"),
    "outnews": (["要闻动态"], "工作动态", "article"),   # 新闻中心 › 要闻动态: news outside the disclosure catalogue
}
FAMILIES = ["trs", "hanweb", "query", "chain", "plain", "gbk", "fujian", "gkmlpt", "script"]
PLATFORMS = ("fujian", "gkmlpt", "script")  # lists only an API or a script shows
STALE_DEFAULTS = {"limits": {"工作动态": {"days": 14}, "通知公告": {"months": 6}, "政策文件": {"months": 6}, "default": {"years": 1}},
                  "skip_types": ["首页", "信息公开指南", "信息公开制度"]}
SLUGS = {"news": "gzdt", "notice": "tzgg", "policy": "gfxwj", "govdoc": "zfwj", "personnel": "rsxx", "finance": "czxx", "interp": "zcjd",
         "annual": "gknb", "outnews": "ywdt"}


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list = field(default_factory=list)
    delay: float = 0.0


@dataclass
class Doc:
    id: int
    col: "Column"
    title: str
    day: date
    style: str                     # table | article
    href: str = ""                 # as written in the list (raw)
    target: str = ""               # canonical path?query on the site
    fields: dict = field(default_factory=dict)
    written: date | None = None
    source: str = ""
    extra_html: list = field(default_factory=list)   # appended to the body (related links, defects)
    drop_meta: str | None = None
    body_numbers: str = ""
    time: str = "09:30"
    pair: "Doc | None" = None
    opts_lag: int = 0
    body_extra: list = field(default_factory=list)   # paragraphs inside the body container (TRS_Editor)
    footer_spam: str = ""                            # visible hijack text written into this page's footer
    via: str = ""                                    # how only it is listed (Fujian API, gkmlpt API, rendering); "" = static links
    raw_fields: dict = field(default_factory=dict)   # metadata values written as raw HTML (an empty <font></font>)


@dataclass
class Column:
    key: str
    kind: str
    name: str
    ctype: str
    family: str
    enc: str = "utf-8"
    dir: str = ""                  # directory path (raw), ends with /
    url: str = ""                  # ground-truth column URL (canonical, with ORIGIN)
    entry_links: list = field(default_factory=list)  # hrefs the section index uses
    docs: list = field(default_factory=list)
    rows: list = field(default_factory=list)        # (href, title, day) as listed, broken rows included
    list_pages: list = field(default_factory=list)  # canonical list page URLs (ORIGIN…)
    hanweb_requests: list = field(default_factory=list)
    lying: bool = False
    blank: bool = False
    stale: bool = False
    opts: dict = field(default_factory=dict)


@dataclass
class Truth:
    home: str
    section: str
    columns: list
    documents: dict                 # URL → {"column", "style", "title"}
    findings: dict                  # rule → set of URLs
    lookalikes: list                # (rule, URL, why)
    traps: list                     # (kind, URL, note)
    gbk_pages: list                 # URLs served as GBK
    served_404: list                # URLs planted as dead (status != 200 or soft)
    api_links: list = field(default_factory=list)  # (source, target, how): links only the Fujian interpretation index gives


@dataclass
class Site:
    seed: int
    name: str
    routes: dict                    # (host or "", method, canonical target) → Response
    handlers: list                  # callables (host, method, target, form) → Response | None
    truth: Truth
    resolves: tuple = OFFSITE_HOSTS
    host: str | None = None         # the portal's host name (None: reached as 127.0.0.1)

    def resolve(self, text: str, origin: str, port: int) -> str:
        return text.replace(ORIGIN, origin).replace(PORT, str(port))


def fmt_date(d: date, style: str) -> str:
    return {"iso": d.isoformat(), "cn": f"{d.year}年{d.month}月{d.day}日", "slash": d.strftime("%Y/%m/%d"),
            "dot": d.strftime("%Y.%m.%d"), "bracket": f"[{d.isoformat()}]"}[style]


def id_check(first17: str) -> str:
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(a) * b for a, b in zip(first17, w)) % 11]


class Gen:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.routes: dict = {}
        self.handlers: list = []
        self.findings: dict[str, set] = {}
        self.lookalikes: list = []
        self.traps: list = []
        self.gbk_pages: list = []
        self.served_404: list = []
        self.next_id = self.rng.randint(10000, 90000)
        self.used_titles: set = set()

    # ------------------------------------------------------------------ helpers
    def new_id(self) -> int:
        self.next_id += self.rng.randint(1, 40)
        return self.next_id

    def expect(self, rule: str, url: str) -> None:
        self.findings.setdefault(rule, set()).add(url)

    def add(self, target: str, resp: Response, method: str = "GET", host: str = "") -> None:
        self.routes[(host, method, target)] = resp

    def html_page(self, title: str, body: str, meta: dict, charset: str = "utf-8") -> str:
        tags = "\n".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in meta.items() if v is not None)
        cs = '<meta charset="gbk">' if charset == "gbk" and self.rng.random() < 0.5 else \
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        return (f"<!DOCTYPE html>\n<html>\n<head>\n{cs}\n<title>{escape(title)}</title>\n{tags}\n"
                f'<link rel="stylesheet" href="/images/style.css">\n</head>\n<body>\n{body}\n</body>\n</html>\n')

    def site_meta(self) -> dict:
        return {"SiteName": self.site_name, "SiteDomain": self.host or "127.0.0.1", "SiteIDCode": self.site_code}

    def header(self) -> str:
        home = self.rng.choice(["/", f"{ORIGIN}/", "../../index.html" if False else "/"])
        news = '<li><a href="/xwzx/ywdt/">新闻中心</a></li>' if any(c.kind == "outnews" for c in self.columns) else ""
        menu = ""
        if self.menu:  # the mobile menu, hidden on desktop, linking the departments' own hosts
            menu = ('<div class="m-menu" style="display:none"><ul>' + "".join(
                f'<li><a href="http://{h}.{self.domain}:{PORT}/">{escape(n)}</a></li>' for h, n in DEPARTMENTS) + "</ul></div>")
        return (f'<div class="header"><div class="logo">{self.site_name}</div><ul class="nav">'
                f'<li><a href="{home}">首页</a></li><li><a href="{self.section_link}">政府信息公开</a></li>{news}</ul>{menu}</div>')

    def footer(self, spam: str = "") -> str:
        partner = self.rng.choice([f"http://{PARTNER_HOST}:{PORT}/", f"http://{PARTNER_HOST.upper()}:{PORT}/"])
        hijack = f"<p>{spam}</p>" if spam else ""  # html as the hijacker wrote it
        return (f'<div class="footer"><p><a href="{partner}" target="_blank">中国政府网</a></p>'
                f"<p>主办单位：{self.site_name}办公室　联系电话：0591-87654321</p>"
                f"<p>网站标识码：{self.site_code}　{self.prov}ICP备{self.icp}号　{self.prov}公网安备 {self.police}号</p>{hijack}</div>")

    def unique_title(self, make) -> str:
        for _ in range(200):
            t = make()
            if t not in self.used_titles:
                self.used_titles.add(t)
                return t
        raise RuntimeError("titles exhausted")

    def title_for(self, kind: str) -> str:
        r = self.rng
        city = self.city
        if kind == "outnews":
            return self.unique_title(lambda: r.choice([
                f"{city}召开{r.choice(TOPICS)}工作会议", f"市领导调研{r.choice(TOPICS)}工作",
                f"{city}{r.choice(TOPICS)}工作综述", f"我市举行{r.choice(TOPICS)}新闻发布会"]))
        if kind == "news":
            return self.unique_title(lambda: r.choice([
                f"{city}{r.choice(AGENCIES)}召开{r.choice(TOPICS)}工作推进会",
                f"{city}{r.choice(AGENCIES)}开展{r.choice(TOPICS)}专项督查",
                f"{r.choice(AGENCIES)}赴基层调研{r.choice(TOPICS)}工作",
                f"{city}{r.choice(TOPICS)}工作取得阶段性成效"]))
        if kind == "notice":
            return self.unique_title(lambda: r.choice([
                f"关于开展{r.choice(TOPICS)}工作的通知", f"关于{r.choice(TOPICS)}项目的公告",
                f"{city}{r.choice(AGENCIES)}关于{r.choice(TOPICS)}资金安排情况的公示"]))
        if kind == "policy":
            return self.unique_title(lambda: f"{city}{r.choice(TOPICS)}{r.choice(POLICY_SUFFIX)}")
        if kind == "govdoc":
            return self.unique_title(lambda: r.choice([
                f"{city}人民政府关于印发{r.choice(TOPICS)}工作方案的通知",
                f"{city}人民政府办公室关于做好{r.choice(TOPICS)}工作的通知"]))
        if kind == "personnel":
            return self.unique_title(lambda: f"{city}{r.choice(AGENCIES)}2026年公开招聘工作人员拟聘用人员公示（第{r.randint(1, 30)}批）")
        if kind == "finance":
            return self.unique_title(lambda: f"{city}{r.choice(AGENCIES)}{r.choice(['2026年部门预算', '2025年部门决算', '2026年政府采购意向'])}公开")
        raise KeyError(kind)

    def body_paragraphs(self, title: str, n: int = 3) -> str:
        r = self.rng
        paras = [f"为深入贯彻落实上级决策部署，扎实推进{r.choice(TOPICS)}工作，现就有关事项说明如下。",
                 f"各有关单位要高度重视，加强组织领导，明确责任分工，确保{r.choice(TOPICS)}各项任务落到实处。",
                 f"本文件所称{r.choice(TOPICS)}，是指由{self.city}{r.choice(AGENCIES)}组织实施的相关工作。",
                 "联系电话：0591-87654321（工作日上午8:00—12:00，下午14:30—17:30）。",
                 f"{title}相关情况将在{self.site_name}门户网站政府信息公开专栏持续公开。"]
        return "\n".join(f"<p>{escape(p)}</p>" for p in r.sample(paras, min(n, len(paras))))

    # ------------------------------------------------------------------ site plan
    def build(self) -> Site:
        r = self.rng
        self.city, self.prov, area = r.choice(CITIES)
        self.site_name = f"{self.city}人民政府"
        self.site_code = area[:6] + f"{r.randint(1, 9999):04d}"
        self.icp, self.police = r.randint(10000000, 99999999), f"{area}02{r.randint(100000, 999999)}"
        self.section_dir = r.choice(["/zwgk/", "/xxgk/", "/zfxxgk/"])
        self.section_link = r.choice([self.section_dir, self.section_dir + "index.html"])
        self.area = area
        self.domain = f"{PINYIN[self.city]}.gov.test"
        self.host = f"www.{self.domain}" if r.random() < 0.5 else None
        self.menu = self.host is not None and r.random() < 0.8
        self.section_nolist = r.random() < 0.4

        ncols = r.randint(3, 8)
        kinds = ["news"] + r.sample(["notice", "policy", "govdoc", "personnel", "finance"], k=min(5, ncols - 1))
        if "policy" in kinds and ncols >= 4 and r.random() < 0.75:
            kinds.append("interp")
        kinds = kinds[:ncols] if len(kinds) > ncols else kinds
        if "interp" in kinds and "policy" not in kinds:
            kinds.remove("interp")
        if r.random() < 0.8:  # the 政府信息公开年报 column of the catalogue (missing in some sites)
            kinds.append("annual")
        self.plant_h = r.random() < 0.3  # a 规范性文件 known by its number only (X府规〔2026〕9号) with a one-way interpretation
        if self.plant_h:
            kinds += [k for k in ("policy", "govdoc", "interp") if k not in kinds]
        if r.random() < 0.45:
            kinds.append("outnews")
        n_hanweb = 0 if r.random() < 0.3 else min(r.choice([1, 2, 2, 3, 4]), len(kinds) - 1)
        fams = ["hanweb"] * n_hanweb + [r.choice(["trs", "trs", "query", "chain", "plain", "gbk"]) for _ in range(len(kinds) - n_hanweb)]
        r.shuffle(fams)
        if "gbk" not in fams and r.random() < 0.5:
            fams[fams.index(next(f for f in fams if f != "hanweb"))] = "gbk"
        self.columns: list[Column] = []
        used_names = set()
        for kind, fam in zip(kinds, fams):
            names, ctype, style = KINDS[kind]
            name = r.choice([n for n in names if n not in used_names] or names)
            used_names.add(name)
            self.columns.append(Column(key=SLUGS[kind], kind=kind, name=name, ctype=ctype, family=fam,
                                       enc="gbk" if fam == "gbk" else "utf-8"))
        self.plan_platforms()
        # which column traps / defects (column level)
        self.plan_columns()
        for col in self.columns:
            self.make_docs(col)
        self.plant_linkage()
        self.plant_doc_defects()
        content.plant_all(self)
        self.plant_issue13()
        for col in self.columns:
            for d in col.docs:
                self.render_doc(d)
        for col in self.columns:
            getattr(self, "render_" + col.family if col.family != "gbk" else "render_gbk")(col)
        if hasattr(self, "fj"):
            self.handlers.append(platforms.fujian_handler(self))
        self.render_home_and_section()
        self.render_misc()
        if any(c.family == "hanweb" for c in self.columns):
            self.hanweb_fallback()
        self.expect_freshness()
        content.expect_catalogue(self)
        truth = Truth(
            home=f"{ORIGIN}/", section=f"{ORIGIN}{self.section_dir}", columns=self.columns,
            documents={f"{ORIGIN}{d.target}": {"column": c.url, "style": d.style, "title": d.title, "kind": c.kind, "via": d.via,
                                               "scope": "outside" if c.kind == "outnews" else "disclosure"}
                       for c in self.columns for d in c.docs},
            findings=self.findings, lookalikes=self.lookalikes, traps=self.traps,
            gbk_pages=self.gbk_pages, served_404=self.served_404,
        )
        truth.api_links = [(a, b, "Fujian interpretation index (/fjdzapp/search channelid 100600)") for a, b in self.api_links]
        resolves = OFFSITE_HOSTS + ((self.host,) if self.host else ()) + tuple(f"{h}.{self.domain}" for h, _ in DEPARTMENTS)
        return Site(self.seed, self.site_name, self.routes, self.handlers, truth, resolves=resolves, host=self.host)

    def plan_platforms(self) -> None:
        """Issue 13's list platforms: a Fujian trt column (the 规范性文件 column and its 解读 when the site
        has them), a gkmlpt directory with two categories, a script-only column of an unknown CMS."""
        r, cols = self.rng, self.columns
        self.api_links: list = []
        for c in cols:
            if c.kind == "outnews":  # the news centre is a plain TRS-style section of its own
                c.family, c.enc = r.choice(["trs", "plain", "chain"]), "utf-8"
        if r.random() < 0.35:
            targets = [c for c in cols if c.kind in ("policy", "interp")] or [c for c in cols if c.kind in ("notice", "govdoc")][:1]
            for c in targets:
                c.family, c.enc = "fujian", "utf-8"
                platforms.fujian_setup(self, c)
        if r.random() < 0.35:
            cands = [c for c in cols if c.kind in ("notice", "personnel", "finance") and c.family != "fujian"]
            if len(cands) >= 2:
                for c in r.sample(cands, 2):
                    c.family, c.enc = "gkmlpt", "utf-8"
                    platforms.gkmlpt_setup(self, c)
        if r.random() < 0.3:
            cands = [c for c in cols if c.kind in ("notice", "personnel", "finance", "govdoc", "news") and c.family not in ("fujian", "gkmlpt")]
            if cands:
                c = r.choice(cands)
                c.family, c.enc = "script", "utf-8"
                platforms.script_setup(self, c)

    def plant_issue13(self) -> None:
        """(g) a Fujian detail page whose 成文日期 ``<font></font>`` is empty beside the script-filled
        主题分类 (metadata.empty_field); (h) a 规范性文件 known only by its number (X府规〔Y〕9号, titled
        …保护办法, in a 政府文件 column) whose interpretation link is one-way."""
        r = self.rng
        delayed = self.findings.get("freshness.publication_delay", set())
        fj = [d for d in self.all_docs() if d.col.family == "fujian" and d.style == "table" and self.url(d.target) not in delayed
              and "written_date" in d.fields]
        if fj and r.random() < 0.7:
            d = r.choice(fj)
            d.raw_fields["written_date"] = "<font></font>"
            self.expect("metadata.empty_field", self.url(d.target) + "#written_date")
            self.traps.append(("fujian_empty_written_date", self.url(d.target), "成文日期 <font></font> empty beside the script-filled 主题分类"))
        gov = next((c for c in self.columns if c.kind == "govdoc" and not c.blank), None)
        interp = next((c for c in self.columns if c.kind == "interp"), None)
        if not (self.plant_h and gov and interp):
            return
        day = AS_OF - timedelta(days=r.randint(5, 60))
        p = content.add_doc(self, gov, self.unique_title(lambda: f"{self.city}{r.choice(['饮用水水源', '古树名木', '历史文化街区', '湿地', '传统村落'])}保护办法"),
                            day, delay=r.randint(0, 5))
        p.fields["doc_no"] = f"{self.city[0]}府规〔{p.written.year}〕9号"
        p.fields["validity"] = "有效"
        i = content.add_doc(self, interp, f"关于《{p.title}》的解读", min(AS_OF, add_working_days(day, r.randint(0, 2))))
        i.pair, p.pair = p, i
        if r.random() < 0.5:
            p.extra_html.append(f'<div class="xgjd">相关解读：<a href="{i.target}">{escape(i.title)}</a></div>')
            self.expect("linkage.one_way", self.url(i.target))
        else:
            i.extra_html.append(f'<p>相关文件：<a href="{ORIGIN + p.target}">《{escape(p.title)}》</a></p>')
            self.expect("linkage.one_way", self.url(p.target))
        self.traps.append(("normative_by_number_only", self.url(p.target), f"{p.fields['doc_no']}, title …保护办法, one-way interpretation link"))

    def plan_columns(self) -> None:
        r = self.rng
        cols = self.columns
        for c in cols:
            c.opts["date_style"] = r.choice(["iso", "iso", "iso", "cn", "slash", "bracket"])
            c.opts["row_style"] = r.choice(["li", "li", "tr", "tr_index"]) if c.family != "hanweb" else "li"
            c.opts.setdefault("layout", r.choice(list(L.LAYOUTS)))
        # blank column: a plain (or gbk plain) non-news, non-policy column, in about a third of the sites
        cands = [c for c in cols if c.family in ("plain", "gbk") and c.kind in ("notice", "finance", "personnel", "govdoc")]
        if cands and r.random() < 0.45:
            b = r.choice(cands)
            b.blank = True
            b.opts["gbk_mode"] = "plain"
        # stale column
        cands = [c for c in cols if not c.blank and c.kind not in ("interp", "annual", "outnews") and c.family != "gkmlpt"]
        if r.random() < 0.5:
            r.choice(cands).stale = True
        # look-alike: a 通知公告 column whose newest item is 3–5 months old (fresh under its 6-month limit)
        for c in cols:
            if c.kind == "notice" and not c.stale and not c.blank and r.random() < 0.5:
                c.opts["semi_old"] = True
                self.lookalikes.append(("freshness.stale_column", "column:" + c.name, "通知公告 newest item 100-170 days old (limit 6 months)"))
        # lying pagers
        for c in cols:
            if c.blank:
                continue
            if c.family == "trs" and r.random() < 0.4:
                c.lying = True
            elif c.family == "query" and r.random() < 0.5:
                c.lying = True
            elif c.family == "hanweb" and r.random() < 0.35:
                c.lying = True

    def dates_for(self, col: Column, n: int) -> list[date]:
        r = self.rng
        if col.stale:
            newest = AS_OF - timedelta(days=r.randint(420, 600))
        elif col.opts.get("semi_old"):
            newest = AS_OF - timedelta(days=r.randint(100, 170))
        else:
            newest = AS_OF - timedelta(days=r.randint(0, 9))
        out, d = [], newest
        for _ in range(n):
            out.append(d)
            d -= timedelta(days=r.randint(1, 9 if not col.stale else 20))
        return out

    def make_docs(self, col: Column) -> None:
        r = self.rng
        fam = col.family
        if col.blank:
            n = 0
        elif fam == "fujian":
            n = platforms.fujian_count(self, col)
        elif fam == "gkmlpt":
            n = platforms.gkmlpt_count(self, col)
        elif fam == "script":
            n = r.randint(5, 18)
        elif fam == "hanweb":
            col.opts["perpage"] = r.choice([15, 19, 20])
            n = col.opts["perpage"] + r.randint(1, col.opts["perpage"] + 2)
        elif fam == "trs":
            col.opts["per"] = r.randint(4, 8)
            pages = r.randint(2, 4) if col.lying else r.randint(1, 3)
            n = col.opts["per"] * (pages - 1) + r.randint(1, col.opts["per"])
        elif fam == "query":
            col.opts["per"] = r.randint(4, 7)
            pages = r.randint(2, 3) if col.lying else r.randint(1, 3)
            n = col.opts["per"] * (pages - 1) + r.randint(1, col.opts["per"])
        elif fam in ("chain",) or (fam == "gbk" and r.random() < 0.4 and not col.opts.get("gbk_mode")):
            if fam == "gbk":
                col.opts["gbk_mode"] = "chain"
            col.opts["per"] = r.randint(4, 7)
            n = col.opts["per"] * r.randint(1, 2) + r.randint(1, col.opts["per"])
        else:
            col.opts.setdefault("gbk_mode", "plain")
            n = r.randint(3, 12)
        if col.kind == "policy":
            n = min(n, 12) if fam not in ("hanweb", "fujian") else n
        if col.kind == "annual":  # one report a year, published in January (条例第四十九条: by 31 January)
            n = min(n, 7)
            days = [date(AS_OF.year - k, 1, r.randint(8, 28)) for k in range(n)]
        else:
            days = self.dates_for(col, n)
        style = KINDS[col.kind][2]
        # directory
        if col.kind == "outnews":
            col.dir = "/xwzx/ywdt/"
        elif fam == "hanweb":
            col.opts["colid"] = r.randint(1000, 99999)
            col.opts["unitid"] = r.randint(10000, 99999)
            col.dir = f"/col/col{col.opts['colid']}/"
        elif fam == "gbk":
            zh = {"notice": "通知公告", "finance": "财政信息", "personnel": "人事信息", "govdoc": "政府文件", "policy": "规范性文件",
                  "news": "工作动态", "interp": "政策解读", "annual": "信息公开年报"}[col.kind]
            col.dir = self.section_dir + (zh if r.random() < 0.6 else col.key) + "/"
        elif fam == "gkmlpt":
            col.dir = "/gkmlpt/"
        elif fam == "fujian" and col.kind == "interp":
            col.dir = "/jdhy/zcjd/"   # Pingtan's interpretations live outside the disclosure section
        else:
            col.dir = self.section_dir + col.key + "/"
        ext = col.opts.setdefault("ext", r.choice(["html", "html", "shtml", "htm"]) if fam == "trs" else "html")
        for i, day in enumerate(days):
            title = f"{self.site_name}{day.year - 1}年政府信息公开工作年度报告" if col.kind == "annual" else \
                self.title_for(col.kind) if col.kind != "interp" else ""
            d = Doc(self.new_id(), col, title, day, style)
            d.time = f"{r.randint(8, 17):02d}:{r.randint(0, 59):02d}"
            self.place_doc(d)
            col.docs.append(d)
            if style == "table":
                self.fill_fields(d)
            else:
                d.source = self.city + r.choice(AGENCIES)
        col.rows = [(d.href, d.title, d.day) for d in col.docs]
        # a pinned (置顶) older item first in some fresh columns: the newest is found by date, not position
        if len(col.docs) >= 4 and not col.stale and r.random() < 0.3 and fam not in ("hanweb", "fujian", "gkmlpt", "script"):
            old = col.docs[-1]
            col.rows = [(old.href, old.title, old.day)] + col.rows[:-1]
            col.opts["pinned"] = True
            self.traps.append(("pinned_old_item_first", "column:" + col.name, f"first row dated {old.day}"))
        col.url = f"{ORIGIN}{canon_target(col.dir, 'utf-8')}" if fam != "query" else ""
        if fam == "gkmlpt":
            platforms.gkmlpt_column_url(self, col)

    def place_doc(self, d: Doc) -> None:
        """The document's URL by its column's family (dated URLs depend on ``d.day``)."""
        r, col, day = self.rng, d.col, d.day
        fam, ext = col.family, col.opts.get("ext", "html")
        if fam in ("trs", "fujian"):
            path = f"{col.dir}{day:%Y%m}/t{day:%Y%m%d}_{d.id}.{ext}"
            d.href = r.choice([f"./{day:%Y%m}/t{day:%Y%m%d}_{d.id}.{ext}", path])
        elif fam == "hanweb":
            path = f"/art/{day.year}/{day.month}/{day.day}/art_{col.opts['colid']}_{d.id}.html"
            d.href = path
        elif fam == "gkmlpt":
            path = platforms.gkmlpt_path(d)
            d.href = ORIGIN + path
        elif fam == "script":
            path = f"/site/{col.key}/art/{day:%Y}/{d.id}.html"
            d.href = path
        elif fam == "query":
            path = f"{col.dir}detail.jsp?id={d.id}"
            d.href = r.choice([f"detail.jsp?id={d.id}", path])
        elif fam == "chain":
            path = f"{col.dir}{d.id}.html"
            d.href = path
        elif fam == "gbk":
            if r.random() < 0.5:
                path = f"{col.dir}show.jsp?lm={col.name[:2]}&id={d.id}"
                d.href = f"show.jsp?lm={col.name[:2]}{r.choice(['&', '&amp;'])}id={d.id}"
            else:
                path = f"{col.dir}{day:%Y%m}/{'公告' if col.kind == 'notice' else '文件'}_{d.id}.html"
                d.href = path
        else:
            path = f"{col.dir}content_{d.id}.htm"
            d.href = r.choice([path, f"content_{d.id}.htm", f"{ORIGIN}{path}"])
        d.target = canon_target(path, col.enc)

    def fill_fields(self, d: Doc, delay: int | None = None) -> None:
        r = self.rng
        k = delay if delay is not None else r.choice([0, 1, 2, 3, 5, 8, 10, 12, 15])
        d.written = back_working_days(d.day, k)
        ds = r.choice(["iso", "iso", "cn"])
        d.fields = {
            "index_no": f"{self.area}{r.randint(100, 999)}/{d.day.year}-{r.randint(1, 99999):05d}",
            "category": r.choice(["综合政务", "财政、金融、审计", "城乡建设、环境保护", "劳动、人事、监察", "卫生、体育\\医药管理"]),
            "publisher": self.city + r.choice(AGENCIES),
            "written_date": fmt_date(d.written, ds),
            "title": d.title,
            # 规 in the number marks a 规范性文件 (issue 13): only the 规范性文件 column's documents carry it
            "doc_no": f"{self.city[0]}{r.choice(['政', '财', '教', '民'])}{'规' if d.col.kind == 'policy' else r.choice(['发', '办'])}"
                      f"〔{d.written.year}〕{r.randint(1, 60)}号",
            "publish_date": fmt_date(d.day, ds),
            "validity": r.choice(["有效", "现行有效"]),
        }

    # ------------------------------------------------------------------ defects on documents
    def table_docs(self, kinds=None):
        return [d for c in self.columns for d in c.docs if d.style == "table" and (kinds is None or c.kind in kinds)]

    def all_docs(self):
        return [d for c in self.columns for d in c.docs]

    def url(self, target: str) -> str:
        return ORIGIN + target

    def plant_doc_defects(self) -> None:
        r = self.rng
        docs = self.all_docs()
        table = self.table_docs()
        # metadata.missing_field: a 政策文件 document without 发文字号 or 有效性
        policy_docs = [d for d in table if d.col.ctype == "政策文件"]
        for d in r.sample(policy_docs, k=min(len(policy_docs), r.choice([0, 1, 1, 2]))):
            field_ = r.choice(["doc_no", "validity"])
            del d.fields[field_]
            self.expect("metadata.missing_field", self.url(d.target) + "#" + field_)
        news = [d for d in docs if d.col.kind == "news"]
        if news:
            self.lookalikes.append(("metadata.missing_field", self.url(news[0].target), "工作动态 article without 发文字号"))
        # freshness.publication_delay: > 20 working days, and the look-alike at exactly 20
        cands = [d for d in table if d.fields.get("written_date")]
        r.shuffle(cands)
        if cands and r.random() < 0.7:
            d = cands.pop()
            self.fill_fields_keep(d, r.randint(21, 40))
            self.expect("freshness.publication_delay", self.url(d.target))
        if cands and r.random() < 0.7:
            d = cands.pop()
            self.fill_fields_keep(d, 20)
            self.lookalikes.append(("freshness.publication_delay", self.url(d.target), "exactly 20 working days"))
        # content.personal_data: a 公示 with an unmasked ID number or mobile; masked look-alikes
        gongshi = [d for d in table if d.col.kind in ("personnel", "notice")]
        for d in gongshi:
            d.body_numbers = self.masked_table(planted=None)
        if gongshi and r.random() < 0.6:
            d = r.choice(gongshi)
            d.body_numbers = self.masked_table(planted=r.choice(["id", "mobile"]))
            self.expect("content.personal_data", self.url(d.target))
        for d in gongshi:
            if self.url(d.target) not in self.findings.get("content.personal_data", ()):
                self.lookalikes.append(("content.personal_data", self.url(d.target), "masked ID/mobile, 18 digits with a wrong check digit"))
        # content.hidden_link on one page (document or home); look-alike: visible off-site link in every footer,
        # hidden on-site link without spam words
        style = r.choice(["display:none", "display: none;", "visibility:hidden", "position:absolute;left:-9999px;top:-9999px"])
        self.hidden_on = None
        if (self.menu or r.random() < 0.5) and docs:
            place = r.choice(docs + [None])
            spam = f'<div style="{style}"><a href="http://{SPAM_HOST}:{PORT}/">澳门葡京娱乐城 百家乐</a></div>'
            if place is None:
                self.hidden_on = ("home", spam)
                self.expect("content.hidden_link", f"{ORIGIN}/")
            else:
                place.extra_html.append(spam)
                self.expect("content.hidden_link", self.url(place.target))
        for d in r.sample(docs, k=min(2, len(docs))):
            d.extra_html.append('<a href="/" style="display:none">返回首页</a>')
            self.lookalikes.append(("content.hidden_link", self.url(d.target), "hidden on-site link, no spam words"))
        # identity.missing_meta: an article tag missing on one document
        if r.random() < 0.4 and docs:
            d = r.choice(docs)
            d.drop_meta = r.choice(["ContentSource", "ArticleTitle", "PubDate"])
            self.expect("identity.missing_meta", self.url(d.target))
        # links.broken: dead targets linked from document bodies (or list rows / the home page)
        self.home_extra = []
        kinds = r.sample(["404_page", "410_page", "404_attachment_zh", "soft404", "redirect_home", "offsite_404"], k=r.randint(1, 4))
        for kind in kinds:
            self.plant_broken(kind, docs)
        # look-alike links: served Chinese attachment, fragment, upper-case host
        if docs:
            d = r.choice(docs)
            att = f"/uploadfile/2026/{r.choice(['政府信息公开申请表', '附件1', '专项资金分配表'])}.docx"
            d.extra_html.append(f'<p>附件：<a href="{att}">{att.rsplit("/", 1)[1]}</a></p>')
            form = files.docx(att.rsplit("/", 1)[1][:-5], ["申请人信息（公民）：姓名、证件类型、证件号码、联系电话、通信地址。",
                                                          "申请人信息（法人或者其他组织）：名称、统一社会信用代码、联系人姓名、联系电话。",
                                                          "所需政府信息的名称、文号或者便于行政机关查询的其他特征性描述。"])
            self.add(canon_target(att), Response(200, form, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
            self.lookalikes.append(("links.broken", self.url(canon_target(att)), "Chinese attachment name, served"))
            d2 = r.choice(docs)
            if d2 is not d:
                d.extra_html.append(f'<p>相关：<a href="{d2.href if d2.href.startswith(("/", ORIGIN)) else ORIGIN + d2.target}#top">{escape(d2.title or "相关文件")}</a></p>')
                self.lookalikes.append(("links.broken", self.url(d2.target), "linked with a #fragment"))

    def fill_fields_keep(self, d: Doc, k: int) -> None:
        keep = {f: v for f, v in d.fields.items()}
        missing = [f for f in L.FIELD_ORDER if f not in keep]
        self.fill_fields(d, delay=k)
        for f in missing:
            d.fields.pop(f, None)

    def masked_table(self, planted: str | None) -> str:
        r = self.rng
        rows = []
        for i in range(r.randint(2, 4)):
            name = r.choice("张王李赵陈林黄吴") + "**"
            rows.append(f"<tr><td>{name}</td><td>35{'*' * 13}{r.randint(100, 999)}</td><td>1{r.choice('3589')}{r.randint(0, 9)}****{r.randint(1000, 9999)}</td></tr>")
        # 18 digits, a real-looking date, a wrong check digit
        first = f"350{r.randint(100, 999)}19{r.randint(60, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(100, 999)}"
        wrong = next(c for c in "0123456789X" if c != id_check(first))
        rows.append(f"<tr><td>{r.choice('张王李')}*</td><td>{first}{wrong}</td><td>—</td></tr>")
        if planted == "id":
            first = f"350{r.randint(100, 999)}19{r.randint(60, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(100, 999)}"
            rows.append(f"<tr><td>{r.choice('张王李')}某某</td><td>{first}{id_check(first)}</td><td>—</td></tr>")
        elif planted == "mobile":
            rows.append(f"<tr><td>{r.choice('张王李')}某某</td><td>—</td><td>1{r.choice('3589')}{r.randint(0, 9)}{r.randint(1000, 9999)}{r.randint(1000, 9999)}</td></tr>")
        return '<table class="gs"><tr><th>姓名</th><th>身份证号</th><th>联系电话</th></tr>' + "".join(rows) + "</table>"

    def plant_broken(self, kind: str, docs: list) -> None:
        r = self.rng
        host_doc = r.choice(docs) if docs else None
        where = "doc" if host_doc is not None else "home"
        day = AS_OF - timedelta(days=r.randint(30, 300))
        if kind == "404_page":
            target = canon_target(f"{self.section_dir}tzgg/{day:%Y%m}/t{day:%Y%m%d}_{r.randint(1000, 9999)}.html")
            href, text = target, "关于调整办事指南的通知"
            # sometimes a deleted document still listed in a column
            listable = [c for c in self.columns if c.docs and c.family in ("trs", "plain", "chain", "hanweb") and c.kind != "annual"]
            if listable and r.random() < 0.4:
                col = r.choice(listable)
                if col.family == "hanweb":
                    target = canon_target(f"/art/{day.year}/{day.month}/{day.day}/art_{col.opts['colid']}_{r.randint(1, 999)}.html")
                else:
                    target = canon_target(f"{col.dir}{day:%Y%m}/t{day:%Y%m%d}_{r.randint(1000, 9999)}.html")
                title = self.title_for(col.kind) if col.kind != "interp" else f"关于《{self.city}政策》的解读{r.randint(1, 99)}"
                pos = r.randint(1, len(col.rows))
                # keep the date order: insert with the date of the row before it
                col.rows.insert(pos, (target, title, col.rows[pos - 1][2]))
                self.expect("links.broken", self.url(target))
                self.served_404.append(self.url(target))
                self.traps.append(("deleted_document_still_listed", self.url(target), col.name))
                return
            status = 404
        elif kind == "410_page":
            target = canon_target(f"/old/notice_{r.randint(2015, 2019)}_{r.randint(1, 99)}.html")
            href, text, status = target, "原网站栏目", 410
        elif kind == "404_attachment_zh":
            raw = f"/uploadfile/2026/{r.choice(['依申请公开流程图', '政府信息公开申请表（样表）', '附件2'])}.docx"
            target = canon_target(raw)
            href, text, status = raw, raw.rsplit("/", 1)[1], 404
        elif kind == "soft404":
            target = canon_target(f"{self.section_dir}{r.choice(['ghjh', 'jgzn', 'zdxm'])}/index.html")
            href, text, status = target, r.choice(["规划计划", "机构职能", "重大项目"]), 200
            notice = r.choice(["您访问的页面不存在", "页面不存在", "抱歉，您访问的页面不存在或已被删除"])
            body = self.html_page("页面不存在", f"{self.header()}<div class=\"err\"><h2>{notice}</h2><p><a href=\"/\">返回首页</a></p></div>{self.footer()}",
                                  self.site_meta())
            self.add(target, Response(200, body.encode()))
        elif kind == "redirect_home":
            target = canon_target(f"/art/{day.year}/{day.month}/{day.day}/art_{r.randint(100, 999)}_{r.randint(1000, 9999)}.html")
            href, text, status = target, "关于印发工作要点的通知", 302
            self.add(target, Response(302, b"", "text/html", [("Location", r.choice(["/", f"{ORIGIN}/"]))]))
        else:  # offsite_404 on the partner host (upper-case host in the href)
            path = f"/zhengce/content/{day:%Y%m}/content_{r.randint(100000, 999999)}.htm"
            url = f"http://{PARTNER_HOST}:{PORT}{path}"
            href = f"http://{PARTNER_HOST.upper()}:{PORT}{path}"
            text = "国务院办公厅关于印发有关工作方案的通知"
            self.add(path, Response(404, b"<html><body>404 Not Found</body></html>"), host=PARTNER_HOST)
            self.expect("links.broken", url)
            self.served_404.append(url)
            self._place(where, host_doc, f'<p>相关链接：<a href="{href}" target="_blank">{escape(text)}</a></p>')
            return
        if status in (404, 410):
            self.add(target, Response(status, f"<html><head><title>{status}</title></head><body>{status} Not Found</body></html>".encode()))
        self.expect("links.broken", self.url(target))
        self.served_404.append(self.url(target))
        self._place(where, host_doc, f'<p>相关链接：<a href="{href}">{escape(text)}</a></p>')

    def _place(self, where, doc, html_):
        if where == "doc":
            doc.extra_html.append(html_)
        else:
            self.home_extra.append(html_)

    # ------------------------------------------------------------------ policy ↔ interpretation
    def plant_linkage(self) -> None:
        """Each 政策解读 document explains one 规范性文件 document (title ``关于《…》的解读``), dated 0–3
        working days after it (sometimes later: linkage.late_interpretation; exactly 3 is the
        look-alike); both pages link each other, or only one does (linkage.one_way at the page that
        lacks the link); a 规范性文件 without an interpretation is linkage.missing_interpretation."""
        r = self.rng
        policy = next((c for c in self.columns if c.kind == "policy"), None)
        interp = next((c for c in self.columns if c.kind == "interp"), None)
        if interp is not None:
            pool = list(policy.docs) if policy else []
            r.shuffle(pool)
            for d in interp.docs:
                p = pool.pop() if pool else None
                if p is None:
                    d.title = self.unique_title(lambda: f"一图读懂{self.city}{r.choice(TOPICS)}工作")
                    continue
                d.title = r.choice([f"关于《{p.title}》的解读", f"《{p.title}》政策解读", f"图解：《{p.title}》"])
                self.used_titles.add(d.title)
                d.pair, p.pair = p, d
                lag = r.choice([0, 1, 2, 3, 3]) if r.random() < 0.8 else r.randint(5, 15)
                day = add_working_days(p.day, lag) if lag else p.day
                if day > AS_OF:
                    day, lag = p.day, 0
                d.day = day
                d.opts_lag = lag
            interp.docs.sort(key=lambda d: d.day, reverse=True)
            for d in interp.docs:
                self.place_doc(d)
            interp.rows = [(d.href, d.title, d.day) for d in interp.docs]
        if policy is None:
            return
        for p in policy.docs:
            i = p.pair
            if i is None:
                self.expect("linkage.missing_interpretation", self.url(p.target))
                continue
            if i.opts_lag > 3:
                self.expect("linkage.late_interpretation", self.url(i.target))
            elif i.opts_lag == 3:
                self.lookalikes.append(("linkage.late_interpretation", self.url(i.target), "exactly 3 working days"))
            mode = r.choice(["both", "both", "both", "policy_only", "interp_only"])
            api = policy.family == "fujian" and r.random() < 0.6  # the pair is in the Fujian interpretation index
            if api:
                mode = r.choice(["none", "none", "policy_only", "interp_only", "both"])
                platforms.fujian_relate(self, p, i)
                self.api_links.append((self.url(p.target), self.url(i.target)))
                if interp.family == "fujian":
                    self.api_links.append((self.url(i.target), self.url(p.target)))
            if mode in ("both", "policy_only"):
                p.extra_html.append(f'<div class="xgjd">相关解读：<a href="{ORIGIN + i.target if r.random() < 0.5 else i.target}">{escape(i.title)}</a></div>')
            if mode in ("both", "interp_only"):
                i.extra_html.append(f'<p>相关文件：<a href="{ORIGIN + p.target}">《{escape(p.title)}》</a></p>')
            p2i = mode in ("both", "policy_only") or api
            i2p = mode in ("both", "interp_only") or (api and interp.family == "fujian")
            if p2i and not i2p:
                self.expect("linkage.one_way", self.url(i.target))
            elif i2p and not p2i:
                self.expect("linkage.one_way", self.url(p.target))

    def expect_freshness(self) -> None:
        """freshness.stale_column from the listed dates and the limits in rules.yaml (the ground truth
        follows the rule's documented semantics: newest listed date older than the type's limit)."""
        params = STALE_DEFAULTS
        try:  # rules.yaml is edited by others; its params when it parses, the documented defaults otherwise
            rules = yaml.safe_load((Path(__file__).resolve().parents[2] / "rules.yaml").read_text(encoding="utf-8"))["rules"]
            params = rules["freshness.stale_column"]["params"]
        except Exception:
            pass
        for c in self.columns:
            if c.blank or not c.rows or c.ctype in params["skip_types"]:
                continue
            limit = params["limits"].get(c.ctype, params["limits"]["default"])
            newest = max(day for _, _, day in c.rows)
            if newest < limit_start(AS_OF, limit):
                self.expect("freshness.stale_column", c.url)

    # ------------------------------------------------------------------ rendering
    def doc_meta(self, d: Doc) -> dict:
        m = self.site_meta()
        m.update({"ColumnName": d.col.name, "ArticleTitle": d.title, "PubDate": f"{d.day.isoformat()} {d.time}",
                  "ContentSource": d.fields.get("publisher") or d.source})
        if d.drop_meta:
            m.pop(d.drop_meta)
        return m

    def render_doc(self, d: Doc) -> None:
        r = self.rng
        col = d.col
        crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{self.section_link}">政府信息公开</a> &gt; {escape(col.name)}</div>'
        extra_meta, raw, tail = {}, d.raw_fields, ""
        if col.family == "fujian":
            extra_meta, raw, tail = platforms.fujian_detail_parts(self, d)
        if col.kind == "outnews":
            crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; {escape(col.name)}</div>'
        if d.style == "table":
            meta_block = L.metadata_block(r, col.opts["layout"], d.fields, raw)
            content = (f'{meta_block}\n<div class="article"><h1 id="ti">{escape(d.title)}</h1>\n'
                       f'<div id="UCAP-CONTENT"><div class="TRS_Editor">{self.body_paragraphs(d.title)}{self.extra_paras(d)}{d.body_numbers}</div></div>')
        else:
            dl, sl = r.choice(L.DATE_LABELS), r.choice(L.SOURCE_LABELS)
            shown = f"{d.day.isoformat()} {d.time}" if r.random() < 0.7 else f"{d.day.year}年{d.day.month:02d}月{d.day.day:02d}日"
            content = (f'<div class="article"><h1>{escape(d.title)}</h1>\n<div class="info"><span>{dl}{shown}</span>　<span>{sl}{escape(d.source)}</span></div>\n'
                       f'<div class="TRS_Editor">{self.body_paragraphs(d.title)}{self.extra_paras(d)}</div>')
        content += "\n" + "\n".join(d.extra_html) + "\n</div>"
        page = self.html_page(f"{d.title}_{self.site_name}", f"{self.header()}\n{crumb}\n{content}\n{self.footer(d.footer_spam)}\n{tail}",
                              {**self.doc_meta(d), **extra_meta}, col.enc)
        self.serve_html(d.target, page, col.enc)
        if r.random() < 0.04:  # a slow page now and then: answers arrive out of order
            self.routes[("", "GET", d.target)].delay = round(r.uniform(0.1, 0.4), 2)

    def extra_paras(self, d: Doc) -> str:
        return "".join(f"<p>{escape(p)}</p>" for p in d.body_extra)

    def serve_html(self, target: str, page: str, enc: str = "utf-8", host: str = "") -> None:
        if enc == "gbk":
            ct = self.rng.choice(["text/html", "text/html; charset=GBK", "text/html; charset=gbk"])
            self.add(target, Response(200, page.encode("gbk"), ct), host=host)
            self.gbk_pages.append(ORIGIN + target)
        else:
            self.add(target, Response(200, page.encode("utf-8"), self.rng.choice(["text/html; charset=utf-8", "text/html;charset=UTF-8"])), host=host)

    def list_meta(self, col: Column) -> dict:
        m = self.site_meta()
        m.update({"ColumnName": col.name, "ColumnDescription": f"{self.site_name}{col.name}", "ColumnKeywords": col.name,
                  "ColumnType": col.ctype})
        return m

    def row_html(self, col: Column, href: str, title: str, day: date) -> str:
        ds = fmt_date(day, col.opts["date_style"])
        t = escape(title)
        short = escape(title[:18] + "...") if len(title) > 20 and self.rng.random() < 0.5 else t
        st = col.opts["row_style"]
        if st == "li":
            return f'<li><a href="{href}" target="_blank" title="{t}">{short}</a><span class="date">{ds}</span></li>'
        if st == "tr":
            return f'<tr><td class="bt"><a href="{href}" target="_blank" title="{t}">{short}</a></td><td class="rq">{ds}</td></tr>'
        return (f'<tr><td class="bt"><a href="{href}" target="_blank" title="{t}">{short}</a></td>'
                f'<td>{self.area}{self.rng.randint(100, 999)}/{day.year}-{self.rng.randint(1, 99999):05d}</td><td class="rq">{ds}</td></tr>')

    def list_block(self, col: Column, rows: list) -> str:
        if not rows:
            return '<div class="list"><p class="nodata">暂无信息</p></div>'
        inner = "\n".join(self.row_html(col, *row) for row in rows)
        if col.opts["row_style"] == "li":
            return f'<div class="list"><ul class="xxgk_list">\n{inner}\n</ul></div>'
        head = "<tr><th>名称</th><th>发布日期</th></tr>" if col.opts["row_style"] == "tr" else "<tr><th>名称</th><th>索引号</th><th>发布日期</th></tr>"
        return f'<div class="list"><table class="xxgk_table">\n{head}\n{inner}\n</table></div>'

    def list_page(self, col: Column, rows: list, pager: str, drop: str | None = None) -> str:
        meta = self.list_meta(col)
        if drop:
            meta.pop(drop)
        crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{self.section_link}">政府信息公开</a> &gt; {escape(col.name)}</div>'
        body = f'{self.header()}\n{crumb}\n<div class="main"><h2 class="lm">{escape(col.name)}</h2>\n{self.list_block(col, rows)}\n<div class="page">{pager}</div></div>\n{self.footer()}'
        return self.html_page(f"{col.name}_{self.site_name}", body, meta, col.enc)

    def chunks(self, rows: list, per: int) -> list:
        return [rows[i:i + per] for i in range(0, len(rows), per)] or [[]]

    def column_entry(self, col: Column, page1: str) -> None:
        """How the section index links the column (directory, index.html, or both)."""
        r = self.rng
        if col.family in ("trs",) and r.random() < 0.5:
            col.entry_links = [col.dir, col.dir + page1]
            self.traps.append(("column_linked_twice", col.url, f"{col.dir} and {col.dir}{page1}"))
        elif col.family == "hanweb":
            col.entry_links = [col.dir + "index.html"]
        else:
            col.entry_links = [r.choice([col.dir, col.dir + page1]) if col.family == "trs" else col.dir]

    def render_trs(self, col: Column) -> None:
        r = self.rng
        ext = col.opts["ext"]
        pages = self.chunks(col.rows, col.opts["per"])
        n = len(pages)
        declared = 999999 if col.lying else n
        handwritten = not col.lying and r.random() < 0.4
        for p, rows in enumerate(pages):
            if handwritten:
                pager = (f'<script language="javascript">\n var countnum= {len(col.rows)};\n var currentPage={p};\n var prevPage=currentPage-1\n'
                         f' var nextPage=currentPage+1\n var countPage={declared}\n var endPage=countPage-1\n'
                         ' document.write("<a href=\\"index.' + ext + '\\" target=\\"_self\\" >首页</a>&nbsp;&nbsp;");\n'
                         ' if(countPage>1&&currentPage!=(countPage-1))\n  document.write("<a href=\\"index"+"_"+nextPage+"."+"' + ext + '\\">下一页</a>");\n'
                         '</script>')
            else:
                pager = f'<script type="text/javascript">\ncreatePageHTML({declared}, {p}, "index", "{ext}");\n</script>'
            name = f"index.{ext}" if p == 0 else f"index_{p}.{ext}"
            page = self.list_page(col, rows, pager)
            self.serve_html(canon_target(col.dir + name), page)
            if p == 0:
                self.serve_html(canon_target(col.dir), page)
            col.list_pages.append(ORIGIN + canon_target(col.dir + (name if p else "")))
        self.column_entry(col, f"index.{ext}")
        if col.lying:
            self.expect("crawl.pager_overclaim", col.url)
            self.traps.append(("trs_createPageHTML_999999", col.url, f"{n} real pages, index_{n}.{ext}… 404"))

    def render_fujian(self, col: Column) -> None:
        platforms.render_fujian(self, col)

    def render_gkmlpt(self, col: Column) -> None:
        platforms.render_gkmlpt(self, col)

    def render_script(self, col: Column) -> None:
        platforms.render_script(self, col)

    def render_query(self, col: Column) -> None:
        r = self.rng
        variant = r.choice(["page", "pageNum", "cur_page"])
        pages = self.chunks(col.rows, col.opts["per"])
        n = len(pages)
        declared = 50 if col.lying else n
        if variant == "page":
            base, fixed, param = col.dir + "list.jsp", "", "page"
            entry = base
        elif variant == "pageNum":
            base, fixed, param = col.dir + "list.jsp", f"uid={r.randint(1000, 9999)}", "pageNum"
            entry = f"{base}?{fixed}&{param}=1"
        else:
            base, fixed, param = col.dir + "iList.jsp", f"node_id=GK{col.key}", "cur_page"
            entry = f"{base}?{fixed}&{param}=1"

        def href(k: int, amp: bool = True) -> str:
            q = (fixed + ("&amp;" if amp else "&") if fixed else "") + f"{param}={k}"
            return f"{base.rsplit('/', 1)[1]}?{q}"

        def target(k: int) -> str:
            return canon_target(f"{base}?{(fixed + '&') if fixed else ''}{param}={k}")

        def render(k: int) -> bytes:
            rows = pages[k - 1] if k <= n else pages[0]
            shown = k if k <= n else 1
            links = [f'<a href="{href(1)}">首页</a>']
            if shown > 1:
                links.append(f'<a href="{href(shown - 1)}">上一页</a>')
            for j in range(1, min(declared, 5) + 1):
                links.append(f"<span class=\"cur\">{j}</span>" if j == shown else f'<a href="{href(j)}">{j}</a>')
            if shown < declared:
                links.append(f'<a href="{href(shown + 1)}">下一页</a>')
            links.append(f'<a href="{href(declared)}">尾页</a>')
            pager = f'<span>共{declared}页 当前第{shown}页 共{len(col.rows) if not col.lying else declared * col.opts["per"]}条</span> ' + " ".join(links)
            return self.list_page(col, rows, pager).encode("utf-8")

        page1 = render(1)
        self.add(canon_target(entry), Response(200, page1))
        for k in range(1, n + 1):
            self.add(target(k), Response(200, page1 if k == 1 else render(k)))
            if k > 1:
                col.list_pages.append(ORIGIN + target(k))
        col.list_pages.insert(0, ORIGIN + canon_target(entry))
        col.url = ORIGIN + canon_target(entry)
        col.entry_links = [entry]
        if col.lying:
            want_path = canon_target(base)
            prefix = canon_target(f"{base}?{(fixed + '&') if fixed else ''}{param}=")

            past_end = Response(200, page1)  # any page past the end: page 1's content

            def handler(host, method, tgt, form, _prefix=prefix):
                if host or method not in ("GET", "HEAD") or not tgt.startswith(_prefix):
                    return None
                return past_end
            self.handlers.append(handler)
            self.expect("crawl.pager_overclaim", col.url)
            self.traps.append(("query_pager_claims_50", col.url, f"{n} real pages; pages {n + 1}..50 answer page 1"))
            del want_path
        col.opts["query"] = (variant, base, fixed, param)

    def render_chain(self, col: Column, enc: str = "utf-8") -> None:
        r = self.rng
        pages = self.chunks(col.rows, col.opts["per"])
        n = len(pages)
        last = r.random() < 0.5
        for k, rows in enumerate(pages, 1):
            name = "index.htm" if k == 1 else f"list_{k}.htm"
            links = []
            if k < n:
                links.append(f'<a href="list_{k + 1}.htm">下一页</a>')
                if last:
                    links.append(f'<a href="list_{n}.htm">尾页</a>' if n > 1 else "")
            page = self.list_page(col, rows, " ".join(links))
            self.serve_html(canon_target(col.dir + name), page, enc)
            if k == 1:
                self.serve_html(canon_target(col.dir), page, enc)
            col.list_pages.append(ORIGIN + canon_target(col.dir + (name if k > 1 else "")))
        col.entry_links = [col.dir]

    def render_plain(self, col: Column, enc: str = "utf-8") -> None:
        drop = None
        if col.rows and self.rng.random() < 0.15:
            drop = "ColumnKeywords"
            self.expect("identity.missing_meta", ORIGIN + canon_target(col.dir))
        page = self.list_page(col, col.rows, "", drop=drop)
        self.serve_html(canon_target(col.dir), page, enc)
        self.serve_html(canon_target(col.dir + "index.html"), page, enc)
        col.list_pages.append(ORIGIN + canon_target(col.dir))
        col.entry_links = [col.dir]
        if col.blank:
            self.expect("freshness.blank_column", col.url)

    def render_gbk(self, col: Column) -> None:
        if col.opts.get("gbk_mode") == "chain":
            self.render_chain(col, "gbk")
        else:
            self.render_plain(col, "gbk")

    def render_hanweb(self, col: Column) -> None:
        r = self.rng
        per = col.opts["perpage"]
        colid, unitid = col.opts["colid"], col.opts["unitid"]
        webid = self.hanweb_webid = getattr(self, "hanweb_webid", r.randint(1, 300))
        total = len(col.rows)
        declared = total + r.randint(per, 3 * per) if col.lying else total

        def record(href, title, day):
            cut = title[:16] + "..." if len(title) > 18 else title
            datetag = r.choice(["span", "b"])
            indent = r.choice(["", "\n          "])
            return (f"<record><![CDATA[{indent}<li class=\"clearfix\"><a href=\"{href}\" title=\"{escape(title)}\" target=\"_blank\">"
                    f"{escape(cut)}</a><{datetag}>{day.isoformat()}</{datetag}></li>{indent and chr(10)}]]></record>")

        records = [record(*row) for row in col.rows]
        webname = "%25E5%25B8%2582%25E6%2594%25BF%25E5%25BA%259C"
        nextgroup = (f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={webid}&path=/&columnid={colid}&unitid={unitid}"
                     f"&webname={webname}&permissiontype=0")
        datastore = (f'<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>'
                     f"<recordset>{''.join(records[:per])}</recordset></datastore></script>")
        if r.random() < 0.5:
            cfg = (f"<script type=\"text/javascript\">$(document).ready(function(){{ $('#{unitid}').jpage({{ dataStore: dataStore, "
                   f"proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: {per}, groupSize: 3, barPosition: 'bottom', "
                   f"ajaxParam: {{col: 1, appid: 1, webid: {webid}, path: '/', columnid: {colid}, sourceContentType: 1, unitid: {unitid}, "
                   f"webname: '{self.site_name}', permissiontype: 0}} }}); }});</script>")
        else:
            cfg = (f'<form id="jpageform_{unitid}" method="post" action="/module/web/jpage/dataproxy.jsp">'
                   f'<input type="hidden" name="col" value="1"><input type="hidden" name="appid" value="1">'
                   f'<input type="hidden" name="webid" value="{webid}"><input type="hidden" name="path" value="/">'
                   f'<input type="hidden" name="columnid" value="{colid}"><input type="hidden" name="unitid" value="{unitid}">'
                   f'<input type="hidden" name="webname" value="{self.site_name}"><input type="hidden" name="permissiontype" value="0"></form>'
                   f"<script type=\"text/javascript\">var jpage_{unitid} = {{ proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: {per}, "
                   f"form: 'jpageform_{unitid}' }};</script>")
        listing = f'<div id="{unitid}" class="default_pgContainer">{datastore}</div>\n<script src="/module/web/jpage/jpage.js"></script>\n{cfg}'
        meta = self.list_meta(col)
        crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{self.section_link}">政府信息公开</a> &gt; {escape(col.name)}</div>'
        page = self.html_page(f"{col.name}_{self.site_name}", f"{self.header()}\n{crumb}\n<div class=\"main\"><h2>{escape(col.name)}</h2>{listing}</div>\n{self.footer()}", meta)
        self.serve_html(canon_target(col.dir + "index.html"), page)
        self.serve_html(canon_target(col.dir), page)
        col.list_pages.append(ORIGIN + canon_target(col.dir))
        col.entry_links = [col.dir + "index.html"]
        form = {"col": "1", "appid": "1", "webid": str(webid), "path": "/", "columnid": str(colid), "unitid": str(unitid),
                "webname": self.site_name, "permissiontype": "0"}
        s = per + 1
        while s <= total:
            e = min(s + 3 * per - 1, declared)
            col.hanweb_requests.append((f"{ORIGIN}/module/web/jpage/dataproxy.jsp?startrecord={s}&endrecord={e}&perpage={per}", form))
            s = e + 1

        def xml(recs: list) -> bytes:
            return ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[]]></nextgroup>\n'
                    f"<recordset>\n{chr(10).join(recs)}\n</recordset>\n<totalrecord>{declared}</totalrecord>\n"
                    f"<totalpage>{math.ceil(declared / per)}</totalpage>\n</datastore>\n").encode("utf-8")

        def handler(host, method, tgt, form_, _c=str(colid), _u=str(unitid)):
            if host:
                return None
            path, _, q = tgt.partition("?")
            if path != "/module/web/jpage/dataproxy.jsp":
                return None
            args = dict(p.partition("=")[::2] for p in q.split("&") if p)
            if method == "POST":
                if form_.get("columnid") != _c or form_.get("unitid") != _u:
                    return None
                try:
                    a, b = int(args.get("startrecord", "1")), int(args.get("endrecord", "0"))
                except ValueError:
                    return Response(400, b"bad range", "text/plain")
                return Response(200, xml(records[max(a, 1) - 1:b]), "text/xml;charset=UTF-8")
            if method in ("GET", "HEAD") and args.get("columnid") == _c:
                try:
                    k = int(args.get("page", "1") or 1)
                except ValueError:
                    k = 0
                return Response(200, xml(records[k * per:(k + 1) * per]), "text/xml;charset=UTF-8")
            return None
        self.handlers.append(handler)
        if col.lying:
            self.expect("crawl.pager_overclaim", col.url)
            self.traps.append(("hanweb_totalrecord_lies", col.url, f"{total} records, totalrecord {declared}"))

    def hanweb_fallback(self) -> None:
        """A real dataproxy.jsp answers an unknown column with an empty datastore, not 404."""
        empty = Response(200, b'<?xml version="1.0" encoding="UTF-8"?>\n<datastore><recordset></recordset>'
                              b"<totalrecord>0</totalrecord><totalpage>0</totalpage></datastore>\n", "text/xml;charset=UTF-8")

        def handler(host, method, tgt, form):
            return empty if not host and tgt.partition("?")[0] == "/module/web/jpage/dataproxy.jsp" else None
        self.handlers.append(handler)

    def render_home_and_section(self) -> None:
        r = self.rng
        news = next((c for c in self.columns if c.kind == "news"), self.columns[0])
        latest = "\n".join(f'<li><a href="{ORIGIN + d.target if r.random() < 0.5 else d.target}">{escape(d.title)}</a><span>{d.day.isoformat()}</span></li>'
                           for d in news.docs[:5])
        for d in news.docs[:5]:
            d.via = ""
        gk = ""
        if hasattr(self, "gk"):  # the home page links five of the directory's documents, the rest only the API lists
            shown = sorted((d for c in self.gk["columns"] for d in c.docs), key=lambda d: d.day, reverse=True)[:5]
            gk = '<div class="gkml"><h3>政府信息公开</h3><ul>' + "".join(
                f'<li><a href="{ORIGIN + d.target}">{escape(d.title)}</a><span>{d.day.isoformat()}</span></li>' for d in shown) + "</ul></div>"
            for d in shown:
                d.via = ""
        kw = ""
        static = [c for c in self.columns if c.family in ("trs", "chain") and c.rows]
        if static and r.random() < 0.6:
            c = r.choice(static)
            name = (f"index.{c.opts['ext']}" if c.family == "trs" else "index.htm" if c.family == "chain" else "index.html")
            kwq = f"{c.dir}{name}?kw={c.name[:2]}"
            body = self.routes[("", "GET", canon_target(c.dir + name))]
            self.add(canon_target(kwq), body)
            kw = f'<p class="search"><a href="{kwq}">搜索：{escape(c.name[:2])}</a></p>'
            self.traps.append(("kw_search_url", ORIGIN + canon_target(kwq), f"serves {c.name} page 1; not a separate column"))
        hidden = self.hidden_on[1] if self.hidden_on else ""
        meta = self.site_meta()
        meta.update({"ColumnName": "首页", "ColumnDescription": self.site_name, "ColumnKeywords": self.site_name, "ColumnType": "首页"})
        home = self.html_page(self.site_name, f'{self.header()}\n<div class="news"><h3>{escape(news.name)}</h3><ul>{latest}</ul></div>\n'
                              f'{gk}\n{kw}\n{"".join(self.home_extra)}\n{hidden}\n{self.footer(self.home_footer_spam)}', meta)
        self.serve_html("/", home)
        self.serve_html("/index.html", home)
        items = []
        for c in self.columns:
            if c.kind == "outnews":
                continue  # 新闻中心 is linked from the site's navigation, not from the disclosure catalogue
            for e in c.entry_links:
                items.append(f'<li><a href="{e}">{escape(c.name)}</a></li>')
        meta = self.site_meta()
        meta.update({"ColumnName": "政府信息公开", "ColumnDescription": f"{self.site_name}政府信息公开", "ColumnKeywords": "政府信息公开",
                     "ColumnType": "信息公开目录"})
        # like Handan's 信息公开 home: the column tree plus the newest documents of all columns
        newest = sorted((d for d in self.all_docs() if d.col.family not in PLATFORMS and d.col.kind != "outnews"),
                        key=lambda d: d.day, reverse=True)[:6]
        latest = "".join(f'<li><a href="{ORIGIN + d.target}">{escape(d.title)}</a><span>{d.day.isoformat()}</span></li>' for d in newest)
        items = content.render_catalogue(self, items, latest) + items
        sec = self.html_page(f"政府信息公开_{self.site_name}", f'{self.header()}\n<div class="xxgk-nav"><h2>法定主动公开内容</h2><ul>{"".join(items)}</ul></div>\n'
                             f'{"" if self.section_nolist else f"<div class=zxgk><h3>最新公开</h3><ul>{latest}</ul></div>"}\n{self.footer()}', meta)
        self.serve_html(canon_target(self.section_dir), sec)
        self.serve_html(canon_target(self.section_dir + "index.html"), sec)
        out = next((c for c in self.columns if c.kind == "outnews"), None)
        if out is not None:  # 新闻中心: the news centre's own index, linking its 要闻动态 column
            meta = self.site_meta()
            meta.update({"ColumnName": "新闻中心", "ColumnDescription": f"{self.site_name}新闻中心", "ColumnKeywords": "新闻中心", "ColumnType": "工作动态"})
            block = "".join(f'<li><a href="{ORIGIN + d.target}">{escape(d.title)}</a><span>{d.day.isoformat()}</span></li>' for d in out.docs[:2])  # fewer than a page: not an alias of the column
            page = self.html_page(f"新闻中心_{self.site_name}", f'{self.header()}\n<div class="xwzx"><h3>{escape(out.name)}'
                                  f'<a class="more" href="{out.entry_links[0]}">更多&gt;&gt;</a></h3><ul>{block}</ul></div>\n{self.footer()}', meta)
            self.serve_html("/xwzx/", page)
            self.serve_html("/xwzx/index.html", page)

    def render_misc(self) -> None:
        self.add("/robots.txt", Response(200, b"User-agent: *\nAllow: /\n", "text/plain"))
        for host in OFFSITE_HOSTS:
            self.add("/robots.txt", Response(200, b"User-agent: *\nAllow: /\n", "text/plain"), host=host)
        partner = self.html_page("中国政府网", "<p>中国政府网</p>", {"SiteName": "中国政府网", "SiteDomain": PARTNER_HOST, "SiteIDCode": "bm01000001"})
        self.add("/", Response(200, partner.encode()), host=PARTNER_HOST)
        spam = self.html_page("娱乐城", "<p>澳门葡京娱乐城</p>", {"SiteName": "x", "SiteDomain": SPAM_HOST, "SiteIDCode": "bm00000000"})
        self.add("/", Response(200, spam.encode()), host=SPAM_HOST)
        for h, name in DEPARTMENTS:  # the departments' own sites (same registered domain as the portal)
            host = f"{h}.{self.domain}"
            dept = self.html_page(f"{self.city}{name[1:]}", f"<p>{self.city}{name[1:]}</p>",
                                  {"SiteName": f"{self.city}{name[1:]}", "SiteDomain": host, "SiteIDCode": self.area + f"{self.rng.randint(1, 9999):04d}"})
            self.add("/", Response(200, dept.encode()), host=host)
            self.add("/robots.txt", Response(200, b"User-agent: *\nAllow: /\n", "text/plain"), host=host)


def generate(seed: int) -> Site:
    return Gen(seed).build()
