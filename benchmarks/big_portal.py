"""A large generated 政府信息公开 portal for benchmarks: 20 000 – 100 000+ documents, 30–80 KB pages.

    from benchmarks.big_portal import Portal, serve
    portal = Portal(docs=20000)                           # layout only; pages are rendered per request
    page = portal.get("/zwgk/fgw/tzgg/index.html")        # status, ETag, Last-Modified
    body, ctype = portal.body("/zwgk/fgw/tzgg/index.html", page.where, port)  # only when it is sent

Written from /work/shared/docs/cms-patterns.md and the real pages in tests/fixtures/corpus/, not
from the crawler. ``tests/sitegen`` draws whole small sites (3–8 columns, traps, APIs only a
browser or POSTs reach) and holds every page in memory, so it cannot be scaled to 100 000
documents; this module keeps only the layout (columns and their document ranges) and renders
each page deterministically from its URL, so memory stays flat and a page costs ~0.2 ms.

The site: a city portal (home, 政府信息公开 catalogue, one index page per department, 网站地图
and two static pages) with ``docs // 400`` columns (6–300), each a (department, kind) pair under
``/zwgk/<dept>/<kind>/``, 20 items a list page, in three template families:

* ``trs``: TRS WCM lists, ``index.html`` = page 1, ``index_1.html`` = page 2 … ``index_{N-1}``,
  the stock ``createPageHTML(N, p, "index", "html")`` inline pager *and* the same pager written
  statically by the template (TRS's server-side page navigator), so a crawler that does not run
  scripts reaches the same pages; details ``/<col>/<YYYYMM>/t<YYYYMMDD>_<docid>.html``, metadata
  in a gov.cn-style ``table.bd1``, body in ``div.TRS_Editor``, attachments ``./P0200….pdf``;
* ``plain``: ``index.html``, ``index_2.html`` … (1-based) with 首页/上一页/numbers/下一页/尾页 links;
  details ``/<col>/content_<docid>.html``, metadata in a Fujian-style ``div.index_box`` list;
* ``gbk``: a plain column whose list and detail pages are GBK-encoded (``<meta charset="gbk">``
  or the http-equiv form, and ``charset=GBK`` in Content-Type).

Every page carries a big mega-menu (all departments, the sections of a city portal), a
breadcrumb and a footer with 网站标识码, ICP/公安备案 and off-site links (``OFFSITE_HOSTS``,
resolved to the server by the caller). Document pages have 上一篇/下一篇 links, some an attachment
and a link to an off-site policy page; 工作动态 and 政策解读 use an article header (来源, 发布时间),
the other kinds a 索引号/主题分类/发文机关/成文日期/标题/发文字号/发布日期(/有效性) block.

``serve(portal, sock, counters)`` answers HTTP/1.1 (keep-alive) on an already bound socket with
``ETag`` and ``Last-Modified`` on every 200 and 304 for a matching ``If-None-Match`` (else
``If-Modified-Since``), as nginx does for static files, and adds the bytes it writes to
``counters`` (a ``multiprocessing.Array('q', len(COUNTERS))``).
"""

from __future__ import annotations

import bisect
import random
import re
import socket
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AS_OF = date(2026, 11, 20)
PER_PAGE = 20
CITY, SITE, SITE_CODE, AREA = "龙岩市", "龙岩市人民政府", "3508000001", "350800"
PARTNER_HOST = "www.gov-partner.test"   # 中国政府网-like partner: off-site links in footers and documents
CONAC_HOST = "bszs.conac.test"          # 党政机关网站标识 link in every footer
OFFSITE_HOSTS = (PARTNER_HOST, CONAC_HOST)
# run: set by the caller to start a new run; html_repeat: HTML 200 answers for a path already answered in this run
COUNTERS = ("requests", "bytes", "html_200", "not_modified", "not_found", "other_200", "html_repeat", "run")

DEPTS = [("fgw", "发展和改革委员会"), ("jyj", "教育局"), ("kjj", "科学技术局"), ("gxj", "工业和信息化局"), ("mzj", "民政局"),
         ("sfj", "司法局"), ("czj", "财政局"), ("rsj", "人力资源和社会保障局"), ("zrzyj", "自然资源局"), ("sthjj", "生态环境局"),
         ("zjj", "住房和城乡建设局"), ("jtysj", "交通运输局"), ("slj", "水利局"), ("nyncj", "农业农村局"), ("swj", "商务局"),
         ("wlj", "文化和旅游局"), ("wjw", "卫生健康委员会"), ("tyjrj", "退役军人事务局"), ("yjj", "应急管理局"), ("sjj", "审计局"),
         ("scjgj", "市场监督管理局"), ("tjj", "统计局"), ("ybj", "医疗保障局"), ("lyj", "林业局"), ("rfb", "人民防空办公室"),
         ("xfj", "信访局"), ("sjzx", "大数据管理局"), ("gzw", "国有资产监督管理委员会"), ("jrb", "金融工作办公室"), ("mzzj", "民族宗教事务局")]
KINDS = [("gzdt", "工作动态", "工作动态", "article"), ("tzgg", "通知公告", "通知公告", "table"),
         ("gfxwj", "规范性文件", "政策文件", "table"), ("bmwj", "部门文件", "政策文件", "table"),
         ("zcjd", "政策解读", "政策解读", "article"), ("rsxx", "人事信息", "人事信息", "table"),
         ("czyjs", "财政预决算", "财政信息", "table"), ("ghjh", "规划计划", "规划信息", "table"),
         ("jytabl", "建议提案办理", "建议提案", "table"), ("sjfb", "统计数据", "统计信息", "table")]
FAMILIES = ("trs", "plain", "trs", "gbk", "plain")   # one column in five is GBK
TOPICS = ["农村人居环境整治", "城市更新", "营商环境优化", "安全生产专项整治", "养老服务体系建设", "义务教育优质均衡", "河湖长制",
          "耕地保护", "消费品以旧换新", "就业创业补贴", "公共租赁住房", "医疗保障基金监管", "数字政府建设", "招商引资",
          "秋冬季大气污染防治", "老旧小区改造", "中小企业纾困", "乡村振兴", "科技创新券", "地方标准化", "残疾人两项补贴",
          "道路运输", "森林防火", "食品安全", "防汛抗旱", "文物保护", "全民健身", "社区矫正", "政务服务", "冬春季动物防疫"]
THEMES = ["综合政务", "国民经济管理、国有资产监管", "财政、金融、审计", "国土资源、能源", "农业、林业、水利", "工业、交通",
          "商贸、海关、旅游", "城乡建设、环境保护", "科技、教育", "文化、广电、新闻出版", "卫生、体育", "人口与计划生育、妇女儿童工作",
          "劳动、人事、监察", "公安、安全、司法", "民政、扶贫、救灾", "其他"]
SENTENCES = [
    "为深入贯彻落实党中央、国务院决策部署和省委、省政府工作要求，扎实推进{t}工作，结合我市实际，制定本方案。",
    "各县（市、区）人民政府、市直有关单位要高度重视，加强组织领导，明确责任分工，确保{t}各项任务落到实处。",
    "本办法所称{t}，是指由{c}{a}组织实施，面向辖区内企业、群众和社会组织的相关工作。",
    "{a}要会同有关部门建立健全工作协调机制，定期研究解决{t}中的重大问题，形成工作合力。",
    "坚持以人民为中心的发展思想，坚持问题导向和目标导向，统筹推进{t}与经济社会发展相协调。",
    "到2027年底，全市{t}体系基本健全，重点领域取得明显成效，群众获得感、幸福感、安全感进一步增强。",
    "各地各部门要于每季度末前将{t}工作进展情况书面报送{c}{a}，联系电话：0597-2881234。",
    "市财政每年安排专项资金支持{t}，资金使用严格执行《{c}财政专项资金管理办法》有关规定，专款专用。",
    "对工作推进不力、进度严重滞后的单位，由{c}{a}予以通报，并纳入年度绩效考核。",
    "本次会议传达学习了上级有关会议精神，通报了上半年{t}工作情况，部署了下一阶段重点任务。",
    "会议强调，要进一步提高政治站位，压实主体责任，以钉钉子精神抓好{t}各项工作落实。",
    "检查组采取听取汇报、查阅资料、实地察看等方式，深入基层一线了解{t}推进情况，对发现的问题当场反馈。",
    "申请人可通过{c}政务服务网、“闽政通”移动端或各级政务服务中心窗口提交申请材料，办理时限为5个工作日。",
    "凡符合条件的企业和个人，可自本通知发布之日起30日内，向所在地{a}提出申请，逾期不予受理。",
    "公示期间，如对公示对象有异议，可通过来信、来电、来访等方式向{c}{a}反映，反映情况要实事求是。",
    "本通知自印发之日起施行，有效期五年。此前有关规定与本通知不一致的，以本通知为准。",
    "据统计，今年以来全市共完成{t}项目一百二十六个，完成投资额同比增长百分之十二点三，超额完成年度目标任务。",
    "下一步，{c}{a}将持续深化{t}改革，不断完善制度机制，推动工作再上新台阶。",
    "各有关单位要加强政策宣传解读，通过门户网站、政务新媒体等渠道及时回应社会关切，营造良好舆论氛围。",
    "本政策由{c}{a}负责解释，执行中遇到的问题请及时向{a}反馈。",
]
AGENCIES = [name for _, name in DEPTS]
GMT = timezone.utc
# the inline <style> and <script> a CMS template carries on every page (real pages hold 10–40 KB of them)
STYLE = "\n".join(f".{c} {{margin:0 auto;padding:{n % 7}px {n % 11}px;font-size:{12 + n % 5}px;line-height:{20 + n % 9}px;color:#{(n * 2654435761) % 0xFFFFFF:06x};"
                   f"background:#fff url(/images/{c}_bg.png) no-repeat {n % 50}px center;border-bottom:1px solid #e5e5e5;}}"
                   for n, c in enumerate(f"{a}_{b}" for a in ("header", "nav", "mega", "side", "list", "content", "footer", "crumb", "page", "article")
                                        for b in ("box", "title", "item", "link", "more", "wrap")))
SCRIPT = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span class=\\"now\\">首页</span>&nbsp;");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
  if(nCurrIndex > 0){ var p = nCurrIndex-1; document.write("<a href=\\""+_sPageName+(p?"_"+p:"")+"."+_sPageExt+"\\">上一页</a>&nbsp;"); }
  if(nCurrIndex+1 < _nPageCount) document.write("<a href=\\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a>&nbsp;");
  document.write("<a href=\\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\\">尾页</a>");
}
$(function(){ $(".nav li").hover(function(){ $(this).addClass("on").siblings().removeClass("on"); $(".mega").show(); },
  function(){ $(".mega").hide(); });
  $(".side li").click(function(){ $(this).toggleClass("open"); });
  var fontSize = 16; $(".info a").click(function(){ fontSize = {"大": 18, "中": 16, "小": 14}[$(this).text()]; $(".TRS_Editor p").css("font-size", fontSize + "px"); });
});"""
PDF_TEXT = "Attachment of a generated government document."


def _pdf() -> bytes:
    """A small valid one-page PDF (so a crawler that reads attachments parses it without errors)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({PDF_TEXT}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


PDF = _pdf()


@dataclass(frozen=True)
class Column:
    dir: str          # /zwgk/<dept>/<kind>/
    dept: str         # department name
    dept_abbr: str
    name: str
    ctype: str
    style: str        # table | article
    family: str       # trs | plain | gbk
    first: int        # global index of its first (newest) document
    count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PER_PAGE))

    def list_path(self, p: int) -> str:
        """Path of list page p (0-based)."""
        if p == 0:
            return self.dir + "index.html"
        return self.dir + (f"index_{p}.html" if self.family == "trs" else f"index_{p + 1}.html")


@dataclass
class Page:
    status: int
    content_type: str
    body: bytes
    etag: str = ""
    last_modified: datetime | None = None
    where: tuple[str, int, int] | None = None   # what Portal.locate found; None: the body is given


class Portal:
    def __init__(self, docs: int, seed: int = 1):
        self.docs, self.seed = docs, seed
        n_cols = min(max(6, docs // 400), len(DEPTS) * len(KINDS))
        cols, start = [], 0
        for i in range(n_cols):
            abbr, dept = DEPTS[i // len(KINDS) % len(DEPTS)]
            slug, name, ctype, style = KINDS[i % len(KINDS)]
            count = docs // n_cols + (1 if i < docs % n_cols else 0)
            cols.append(Column(f"/zwgk/{abbr}/{slug}/", CITY + dept, abbr, name, ctype, style, FAMILIES[i % len(FAMILIES)], start, count))
            start += count
        self.columns = cols
        self.firsts = [c.first for c in cols]
        self.by_dir = {c.dir: c for c in cols}
        self.depts = sorted({(c.dept_abbr, c.dept) for c in cols}, key=lambda d: [a for a, _ in DEPTS].index(d[0]))
        rng = random.Random(seed)
        self.sentences = [s.format(t=rng.choice(TOPICS), c=CITY, a=rng.choice(AGENCIES))
                          for s in SENTENCES for _ in range(12)]
        self.nav = self._nav()
        self.footer = self._footer()

    # ------------------------------------------------------------------ documents
    def column_of(self, i: int) -> Column:
        return self.columns[bisect.bisect_right(self.firsts, i) - 1]

    def day(self, i: int) -> date:
        col = self.column_of(i)
        k = i - col.first   # newest first, spread over ~4 years
        return AS_OF - timedelta(days=(k * 1460) // max(col.count, 1) + (i % 3))

    @staticmethod
    def docid(i: int) -> int:
        return 1_000_000 + 7 * i

    def doc_path(self, i: int) -> str:
        col, d = self.column_of(i), self.day(i)
        if col.family == "trs":
            return f"{col.dir}{d:%Y%m}/t{d:%Y%m%d}_{self.docid(i)}.html"
        return f"{col.dir}content_{self.docid(i)}.html"

    def title(self, i: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + i)
        col, t, a = self.column_of(i), rng.choice(TOPICS), rng.choice(AGENCIES)
        n = self.docid(i) % 97
        return {"工作动态": f"{CITY}{a}召开{t}工作推进会（{n}）", "通知公告": f"关于开展{t}工作的通知（第{n}号）",
                "规范性文件": f"{CITY}{t}管理办法（{n}）", "部门文件": f"{col.dept}关于印发{t}工作方案的通知（{n}）",
                "政策解读": f"《{CITY}{t}实施意见》政策解读（{n}）", "人事信息": f"{col.dept}2026年公开招聘工作人员拟聘用人员公示（第{n}批）",
                "财政预决算": f"{col.dept}2026年部门预算公开（{n}）", "规划计划": f"{CITY}{t}“十五五”专项规划（{n}）",
                "建议提案办理": f"关于市政协十届{n}次会议第{self.docid(i) % 900 + 100}号提案的答复", "统计数据": f"{CITY}{t}统计数据（第{n}期）"}[col.name]

    # ------------------------------------------------------------------ chrome (same on every page)
    def _nav(self) -> str:
        depts = "".join(f'<li><a href="/zwgk/{a}/index.html" title="{escape(CITY + n)}">{escape(n)}</a></li>' for a, n in self.depts)
        first = {}
        for c in self.columns:
            first.setdefault(c.name, c)
        kinds = "".join(f'<li><a href="{c.dir}index.html">{escape(name)}</a></li>' for name, c in first.items())
        sections = []
        for head, items in (("走进龙岩", ["龙岩概况", "历史沿革", "行政区划", "自然地理", "人口民族", "经济发展", "城市名片", "旅游景点"]),
                            ("政务服务", ["个人办事", "法人办事", "部门服务", "主题服务", "便民服务", "办件查询", "好差评", "证照办理"]),
                            ("互动交流", ["市长信箱", "在线访谈", "征集调查", "留言选登", "常见问题", "12345热线", "意见征集", "网上调查"])):
            li = "".join(f'<li><a href="/wzdt.html#{escape(x)}">{escape(x)}</a><p>{escape(x)}相关信息和服务事项的集中展示入口，方便社会公众查询办理。</p></li>'
                         for x in items)
            sections.append(f'<div class="mega-col"><h4>{escape(head)}</h4><ul>{li}</ul></div>')
        return (f'<div class="topbar"><span>欢迎访问{SITE}门户网站</span><a href="/wzdt.html">网站地图</a><a href="/lxwm.html">联系我们</a>'
                f'<a href="http://{PARTNER_HOST}:PORT/">中国政府网</a></div>'
                f'<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{SITE}"></a></div>'
                f'<form class="search" action="http://{PARTNER_HOST}:PORT/search/"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>'
                f'<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/index.html">政府信息公开</a></li>'
                f'<li><a href="/wzdt.html">网站地图</a></li></ul>'
                f'<div class="mega"><div class="mega-col"><h4>部门信息公开</h4><ul>{depts}</ul></div>'
                f'<div class="mega-col"><h4>法定主动公开内容</h4><ul>{kinds}</ul></div>{"".join(sections)}</div>')

    def _footer(self) -> str:
        links = "".join(f'<li><a href="http://{PARTNER_HOST}:PORT/{p}" target="_blank">{escape(n)}</a></li>'
                        for p, n in (("", "中国政府网"), ("fj/", "福建省人民政府"), ("gwy/", "国务院部门网站"), ("sx/", "省内市县网站")))
        return (f'<div class="footer"><ul class="friend">{links}</ul>'
                f'<p><a href="/lxwm.html">联系我们</a> | <a href="/mzsm.html">免责声明</a> | <a href="/wzdt.html">网站地图</a></p>'
                f"<p>主办单位：{SITE}办公室　承办单位：{CITY}大数据管理局　联系电话：0597-2881234　邮编：364000</p>"
                f"<p>地址：{CITY}新罗区九一北路68号　网站标识码：{SITE_CODE}　闽ICP备05012345号　闽公网安备 35080202000123号</p>"
                f'<p><a href="http://{CONAC_HOST}:PORT/bszs/bs.html?id={SITE_CODE}" target="_blank"><img src="/images/dzjg.png" alt="党政机关"></a>'
                f"建议使用1366×768分辨率，IE9以上版本浏览器访问本网站</p></div>")

    def html(self, title: str, meta: dict, body: str, charset: str = "utf-8") -> str:
        tags = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items())
        cs = '<meta charset="gbk">' if charset == "gbk" and len(title) % 2 else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        return (f"<!DOCTYPE html>\n<html>\n<head>\n{cs}\n<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n"
                f"<title>{escape(title)}</title>\n<meta name=\"SiteName\" content=\"{SITE}\">\n<meta name=\"SiteDomain\" content=\"127.0.0.1\">\n"
                f"<meta name=\"SiteIDCode\" content=\"{SITE_CODE}\">\n{tags}"
                f'<link rel="stylesheet" href="/images/base.css">\n<style>\n{STYLE}\n</style>\n<script src="/images/jquery-1.9.1.min.js"></script>\n'
                f"<script>\n{SCRIPT}\n</script>\n"
                "<script>var _hmt = _hmt || [];(function(){var hm=document.createElement('script');hm.async=true;"
                "var s=document.getElementsByTagName('script')[0];s.parentNode.insertBefore(hm,s);})();</script>\n"
                f"</head>\n<body>\n{self.nav}\n{body}\n{self.footer}\n</body>\n</html>\n")

    def text(self, rng: random.Random, chars: int) -> str:
        out, n = [], 0
        while n < chars:
            para = "".join(rng.choice(self.sentences) for _ in range(rng.randint(3, 7)))
            out.append(f'<p style="text-indent:2em;">{para}</p>')
            n += len(para)
        return "\n".join(out)

    # ------------------------------------------------------------------ pages
    def render_doc(self, i: int) -> tuple[str, str]:
        """(html, charset) of document i."""
        col, d, title = self.column_of(i), self.day(i), self.title(i)
        rng = random.Random(self.seed * 7_000_003 + i)
        k = i - col.first
        enc = "gbk" if col.family == "gbk" else "utf-8"
        number = f"{'闽龙' if col.style == 'table' else ''}{col.dept_abbr}〔{d.year}〕{self.docid(i) % 300 + 1}号"
        written = d - timedelta(days=rng.randint(1, 9))
        crumbs = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/index.html">政府信息公开</a> &gt; ' \
                 f'<a href="/zwgk/{col.dept_abbr}/index.html">{escape(col.dept)}</a> &gt; <a href="{col.dir}index.html">{escape(col.name)}</a></div>'
        if col.style == "article":
            head = f'<div class="article-head"><h1>{escape(title)}</h1><div class="info">来源：{escape(col.dept)}　发布时间：{d.isoformat()} 09:30　' \
                   f'<span>字号：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a></span></div></div>'
        else:
            fields = [("索引号", f"{AREA}{col.dept_abbr.upper()}-{d.year}-{self.docid(i) % 100000:05d}"), ("主题分类", rng.choice(THEMES)),
                      ("发文机关", col.dept), ("成文日期", written.isoformat()), ("标题", title), ("发文字号", number),
                      ("发布日期", d.isoformat())] + ([("有效性", "有效")] if col.name == "规范性文件" else [])
            if col.family == "trs":
                rows = "".join(f"<tr><td><b>{a}：</b></td><td>{escape(b)}</td>" + (f"<td><b>{c}：</b></td><td>{escape(e)}</td></tr>" if c else "</tr>")
                               for (a, b), (c, e) in zip(fields[::2], fields[1::2] + [("", "")]))
                head = f'<table class="bd1" width="100%" cellspacing="1" cellpadding="0">{rows}</table><h1 class="title">{escape(title)}</h1>'
            else:
                lis = "".join(f'<li class="trt-col-12">{"&ensp;".join(a) if len(a) == 3 else a}：<font>{escape(b)}</font></li>' for a, b in fields)
                head = f'<div class="index_box"><ul class="trt-row">{lis}</ul></div><h1 class="title">{escape(title)}</h1>'
        target = rng.randint(30_000, 80_000)
        extra = []
        if i % 4 == 0:
            pdf = f"P0200{d:%Y%m%d}{self.docid(i)}.pdf"
            extra.append(f'<p>附件：<a href="./{pdf}">{escape(title[:20])}.pdf</a></p>' if col.family == "trs"
                         else f'<p>附件：<a href="{col.dir}files/{pdf}">{escape(title[:20])}.pdf</a></p>')
        if i % 10 == 0:
            extra.append(f'<p>相关政策：<a href="http://{PARTNER_HOST}:PORT/zhengce/content_{i % 20}.htm" target="_blank">国务院关于{rng.choice(TOPICS)}的指导意见</a></p>')
        prev = f'<a href="{self.doc_path(i - 1)}">上一篇：{escape(self.title(i - 1))}</a>' if k > 0 else "上一篇：没有了"
        nxt = f'<a href="{self.doc_path(i + 1)}">下一篇：{escape(self.title(i + 1))}</a>' if k + 1 < col.count else "下一篇：没有了"
        body = (f'{crumbs}\n<div class="content">{head}\n<div class="TRS_Editor">\n@TEXT@\n{"".join(extra)}</div>\n'
                f'<div class="fanye"><p>{prev}</p><p>{nxt}</p></div>'
                f'<div class="print"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div></div>')
        meta = {"ColumnName": col.name, "ColumnType": col.ctype, "ArticleTitle": title, "PubDate": f"{d.isoformat()} 09:30",
                "ContentSource": col.dept}
        page = self.html(f"{title}_{SITE}", meta, body, enc)
        chars = max(500, (target - len(page.encode(enc, "xmlcharrefreplace"))) // (2 if enc == "gbk" else 3))
        return page.replace("@TEXT@", self.text(rng, chars)), enc

    def sidebar(self, col: Column) -> str:
        own = "".join(f'<li{" class=on" if c is col else ""}><a href="{c.dir}index.html">{escape(c.name)}</a></li>'
                      for c in self.columns if c.dept_abbr == col.dept_abbr)
        guide = "".join(f"<li><span>{escape(x)}</span><p>{escape(x)}：{escape(col.dept)}依照《中华人民共和国政府信息公开条例》编制并公开，"
                        f"内容包括机构设置、工作职责、办公地址、办公时间、联系电话、传真号码、通信地址等，公民、法人和其他组织可以依法申请获取。</p></li>"
                        for x in ("信息公开指南", "信息公开制度", "信息公开年报", "依申请公开", "机构职能", "领导之窗"))
        topics = "".join(f'<li><a href="/wzdt.html#{escape(t)}" title="{escape(t)}专题">{escape(t)}专题</a>'
                         f"<p>聚焦{escape(t)}，集中发布政策文件、工作动态、政策解读和办事指南，回应社会关切。</p></li>" for t in TOPICS[:16])
        return f'<div class="side"><h3>{escape(col.dept)}</h3><ul>{own}</ul><ul class="guide">{guide}</ul><h3>专题专栏</h3><ul class="topics">{topics}</ul></div>'

    def render_list(self, col: Column, p: int) -> tuple[str, str]:
        enc = "gbk" if col.family == "gbk" else "utf-8"
        lo = col.first + p * PER_PAGE
        rows = "".join(f'<li><a href="{self.doc_path(i)}" target="_blank" title="{escape(self.title(i))}">{escape(self.title(i))}</a>'
                       f"<span>{self.day(i).isoformat()}</span></li>" for i in range(lo, min(lo + PER_PAGE, col.first + col.count)))
        n = col.pages
        window = range(max(0, p - 4), min(n, p + 5))
        links = [f'<a href="{col.list_path(0)}">首页</a>', f'<a href="{col.list_path(p - 1)}">上一页</a>' if p else "<span>上一页</span>"]
        links += [f"<span class=now>{q + 1}</span>" if q == p else f'<a href="{col.list_path(q)}">{q + 1}</a>' for q in window]
        links += [f'<a href="{col.list_path(p + 1)}">下一页</a>' if p + 1 < n else "<span>下一页</span>", f'<a href="{col.list_path(n - 1)}">尾页</a>']
        pager = f'<div class="page">{"&nbsp;".join(links)}<span>共{n}页 {col.count}条</span></div>'
        if col.family == "trs":
            pager = f'<script language="JavaScript">createPageHTML({n}, {p}, "index", "html");</script>\n' + pager
        body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/index.html">政府信息公开</a> &gt; '
                f'<a href="/zwgk/{col.dept_abbr}/index.html">{escape(col.dept)}</a> &gt; {escape(col.name)}</div>\n'
                f'{self.sidebar(col)}\n<div class="list"><h2>{escape(col.name)}</h2><ul>{rows}</ul>\n{pager}</div>')
        meta = {"ColumnName": col.name, "ColumnDescription": f"{col.dept}{col.name}", "ColumnKeywords": col.name, "ColumnType": col.ctype}
        return self.html(f"{col.name}_{col.dept}_{SITE}", meta, body, enc), enc

    def render_index(self, path: str) -> str | None:
        """Home, catalogue, department index and static pages (UTF-8)."""
        latest = "".join(f'<li><a href="{self.doc_path(c.first + j)}">{escape(self.title(c.first + j))}</a><span>{self.day(c.first + j)}</span></li>'
                         for c in self.columns[:8] for j in range(min(3, c.count)))
        tree = "".join(f'<div class="dept"><h3><a href="/zwgk/{a}/index.html">{escape(CITY + n)}</a></h3><ul>'
                       + "".join(f'<li><a href="{c.dir}index.html">{escape(c.name)}</a></li>' for c in self.columns if c.dept_abbr == a)
                       + "</ul></div>" for a, n in self.depts)
        if path in ("/", "/index.html"):
            return self.html(SITE, {"ColumnName": "首页", "ColumnType": "首页"},
                             f'<div class="banner"><img src="/images/banner.jpg" alt=""></div><div class="news"><h3>最新信息</h3><ul>{latest}</ul></div>')
        if path in ("/zwgk/", "/zwgk/index.html", "/wzdt.html"):
            name = "网站地图" if path == "/wzdt.html" else "政府信息公开"
            return self.html(f"{name}_{SITE}", {"ColumnName": name, "ColumnType": "信息公开目录"},
                             f'<div class="xxgk-nav"><h2>法定主动公开内容</h2>{tree}</div><div class="zxgk"><h3>最新公开</h3><ul>{latest}</ul></div>')
        m = re.fullmatch(r"/zwgk/(\w+)/(?:index\.html)?", path)
        if m:
            cols = [c for c in self.columns if c.dept_abbr == m[1]]
            if not cols:
                return None
            block = "".join(f'<div class="col"><h3><a href="{c.dir}index.html">{escape(c.name)}</a></h3><ul>'
                            + "".join(f'<li><a href="{self.doc_path(c.first + j)}">{escape(self.title(c.first + j))}</a></li>' for j in range(min(5, c.count)))
                            + "</ul></div>" for c in cols)
            return self.html(f"{cols[0].dept}_{SITE}", {"ColumnName": cols[0].dept, "ColumnType": "部门信息公开"}, block)
        if path in ("/lxwm.html", "/mzsm.html"):
            name = "联系我们" if path == "/lxwm.html" else "免责声明"
            return self.html(f"{name}_{SITE}", {"ColumnName": name, "ColumnType": name}, f"<h2>{name}</h2>" + self.text(random.Random(len(path)), 6000))
        return None

    DOC = re.compile(r"(/zwgk/\w+/\w+/)(?:(\d{6})/t(\d{8})_(\d+)\.html|content_(\d+)\.html)")
    LIST = re.compile(r"(/zwgk/\w+/\w+/)index(?:_(\d+))?\.html")
    ATTACHMENT = re.compile(r"(/zwgk/\w+/\w+/)(?:\d{6}/|files/)P0200\d{8}(\d+)\.pdf")

    def locate(self, path: str) -> tuple[str, int, int] | None:
        """('doc', i, 0) | ('list', column index, page) | ('pdf', i, 0) | ('index', 0, 0) for an existing page, else None."""
        for kind, rx in (("doc", self.DOC), ("pdf", self.ATTACHMENT)):
            m = rx.fullmatch(path)
            if m:
                raw = m[4] or m[5] if kind == "doc" else m[2]
                i = (int(raw) - 1_000_000) // 7
                if (int(raw) - 1_000_000) % 7 or not 0 <= i < self.docs or self.column_of(i).dir != m[1]:
                    return None
                if kind == "doc" and self.doc_path(i) != path:
                    return None
                if kind == "pdf" and (i % 4 or not path.endswith(f"P0200{self.day(i):%Y%m%d}{raw}.pdf")):
                    return None
                return kind, i, 0
        m = self.LIST.fullmatch(path)
        if m and m[1] in self.by_dir:
            col = self.by_dir[m[1]]
            p = 0 if m[2] is None else int(m[2]) - (0 if col.family == "trs" else 1)
            if m[2] is not None and (p < 1 or p >= col.pages or col.list_path(p) != path):
                return None
            return "list", self.columns.index(col), p
        if path.startswith("/images/") or path == "/robots.txt":
            return "asset", 0, 0
        return ("index", 0, 0) if self.render_index(path) is not None else None

    def last_modified(self, where: tuple[str, int, int]) -> datetime:
        kind, i, p = where
        if kind in ("doc", "pdf"):
            d = self.day(i)
        elif kind == "list":
            col = self.columns[i]
            d = self.day(col.first + p * PER_PAGE)
        else:
            d = AS_OF
        return datetime(d.year, d.month, d.day, 1, 30, tzinfo=GMT)

    def etag(self, path: str) -> str:
        return f'"{self.seed:x}-{self.docs:x}-{zlib.crc32(path.encode()):08x}"'

    def get(self, path: str, host: str = "") -> Page:
        """Status, ETag and Last-Modified of a path (a page's body is rendered by ``body`` only when it is sent)."""
        if host in OFFSITE_HOSTS:
            body = f"<html><head><meta charset=utf-8><title>{host}</title></head><body><p>{host} {escape(path)}</p></body></html>".encode()
            return Page(200, "text/html; charset=utf-8", body, self.etag(host + path), datetime(2026, 1, 1, tzinfo=GMT))
        where = self.locate(path)
        if where is None:
            return Page(404, "text/html", b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>")
        return Page(200, "", b"", self.etag(path), self.last_modified(where), where)

    def body(self, path: str, where: tuple[str, int, int], port: int) -> tuple[bytes, str]:
        kind, i, p = where
        if kind == "pdf":
            return PDF, "application/pdf"
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if kind == "asset":
            return b"/* static asset */\n" * 20, "text/css" if path.endswith(".css") else "application/octet-stream"
        if kind == "doc":
            text, enc = self.render_doc(i)
        elif kind == "list":
            text, enc = self.render_list(self.columns[i], p)
        else:
            text, enc = self.render_index(path), "utf-8"
        text = text.replace(":PORT/", f":{port}/")
        return text.encode(enc, "xmlcharrefreplace"), f"text/html; charset={'GBK' if enc == 'gbk' else 'UTF-8'}"


def unchanged(page, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """Whether a conditional request's validators match the page (answer 304)."""
    if if_none_match is not None:
        return page.etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*"
    if if_modified_since is not None:
        try:
            return page.last_modified <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def answer(self, head: bool) -> None:
        portal: Portal = self.server.portal  # type: ignore[attr-defined]
        counters = self.server.counters      # type: ignore[attr-defined]
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        page = portal.get(path, host)
        status, body, ctype, kind = page.status, page.body, page.content_type, "not_found"
        if status == 200:
            if unchanged(page, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")):
                status, body, kind = 304, b"", "not_modified"
            else:
                if page.where is None:
                    kind = "other_200"
                else:
                    body, ctype = portal.body(path, page.where, port)
                    kind = "html_200" if ctype.startswith("text/html") else "other_200"
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
        lines = [f"HTTP/1.1 {status} {reason}", "Server: big-portal/1"]
        if status != 304:
            lines.append(f"Content-Type: {ctype}")
            lines.append(f"Content-Length: {len(body)}")
        if status in (200, 304):
            lines += [f"ETag: {page.etag}", f"Last-Modified: {format_datetime(page.last_modified, usegmt=True)}"]
        lines.append("LinkChecker: lift the request rate limit")  # documented: a host sending this header may be fetched faster
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else body)
        self.wfile.write(raw)
        seen = self.server.seen  # type: ignore[attr-defined]
        with counters.get_lock():
            counters[0] += 1
            counters[1] += len(raw)
            counters[COUNTERS.index(kind)] += 1
            if kind == "html_200":
                run = counters[COUNTERS.index("run")]
                if seen[0] != run:
                    seen[:] = [run, set()]
                if path in seen[1]:
                    counters[COUNTERS.index("html_repeat")] += 1
                seen[1].add(path)


def serve(portal: Portal, sock: socket.socket, counters) -> None:
    """Answer requests on the bound, listening ``sock`` until the process is stopped."""
    httpd = ThreadingHTTPServer(sock.getsockname(), _Handler, bind_and_activate=False)
    httpd.socket.close()
    httpd.socket = sock
    httpd.daemon_threads = True
    httpd.portal, httpd.counters, httpd.seen = portal, counters, [-1, set()]  # type: ignore[attr-defined]
    httpd.serve_forever(poll_interval=0.2)
