"""Assemble the two generated portals the inspection tests audit, deterministic from a seed.

* ``disclosure``: 年报 column full of reports (``annual.py``), 政策文件 / 规范性文件 with a 索引号
  collision and documents quoted under two URLs (``indexno.py``), a 互动交流 page with no 信箱 and no
  咨询 (``interaction.no_channel``), and a home page that changes on every request for honest reasons.
* ``interaction``: the message boards (``board.py``), a home page cloaked for search-engine crawlers,
  news pages hijacked for visitors coming from a search page, and an honest dynamic 办事服务 page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import annual, board, cloak, indexno
from .portal import Expect, Portal

CITIES = [("临川市", "1310000012", "11131000MB0387562K"), ("青阳市", "3411000007", "11341100MB1520943T"),
          ("安平市", "5118000003", "11511800MB0296781X")]


@dataclass
class Site:
    name: str
    routes: dict
    other_hosts: tuple
    expect: list
    reports: dict


def _news(p: Portal, base: str, n: int, last: date, scripts: dict | None = None,
          wrap: dict | None = None) -> list[tuple[str, str, date]]:
    """A 工作动态 column (TRS) with n articles, the newest on ``last``. scripts: index → a script put at the
    end of that page; wrap: index → a function turning the page's bytes into the route's answer."""
    words = ["召开全市安全生产工作会议", "开展春季植树活动", "推进重点项目建设观摩", "部署森林防火工作", "召开优化营商环境推进会",
             "开展食品安全专项检查", "调研乡村振兴工作", "召开政府常务会议", "举行重大项目集中开工仪式", "开展“学雷锋”志愿服务活动"]
    rows = []
    for i in range(n):
        day = last - timedelta(days=4 * i + p.rng.randint(0, 2))
        docid = p.docid()
        path = f"{day:%Y%m}/t{day:%Y%m%d}_{docid}.html"
        title = f"{p.city}{words[i % len(words)]}"
        body = (f"<p>{day.month}月{day.day}日，{title[len(p.city):]}。会议强调，要坚持以人民为中心的发展思想，"
                f"压实工作责任，确保各项任务落地见效。</p>")
        html = p.page(title, f'<h1>{title}</h1><div class="info">发布时间：{day.isoformat()} 来源：{p.city}人民政府办公室</div>'
                      f'<div class="TRS_Editor">{body}</div>', {**p.article_meta(title, day, f"{p.city}人民政府办公室"),
                                                               "ColumnName": "工作动态", "ColumnType": "工作动态"})
        if scripts and i in scripts:
            html = html.replace("</body>", scripts[i] + "</body>")
        p.add(base + path, wrap[i](html.encode()) if wrap and i in wrap else html)
        rows.append(("./" + path, title, day))
    p.trs_column(base, "工作动态", "工作动态", rows, per_page=10)
    return [(base + r[0][2:], r[1], r[2]) for r in rows]


def _single(p: Portal, target: str, name: str, ctype: str, text: str) -> None:
    p.add(target, p.page(name, f"<h2>{name}</h2><div class=\"TRS_Editor\"><p>{text}</p></div>", p.column_meta(name, ctype)))


def _section(p: Portal, columns: list[tuple[str, str]]) -> None:
    _single(p, "/zwgk/zfxxgkzn/index.html", "政府信息公开指南", "信息公开指南",
            f"为了更好地提供政府信息公开服务，编制本指南。受理机构：{p.city}人民政府办公室，办公地址：{p.city}人民路1号，"
            "办公时间：工作日上午8:30-12:00，下午14:30-17:30，联系电话：0310-1234567，传真：0310-1234568。")
    _single(p, "/zwgk/zfxxgkzd/index.html", "政府信息公开制度", "信息公开目录", "政府信息公开保密审查制度、政府信息公开发布协调制度。")
    cols = [("/zwgk/zfxxgkzn/index.html", "政府信息公开指南"), ("/zwgk/zfxxgkzd/index.html", "政府信息公开制度")] + columns
    items = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in cols)
    p.add("/zwgk/index.html", p.page("政府信息公开", f'<h2>政府信息公开</h2><ul class="lm">{items}</ul>',
                                     p.column_meta("政府信息公开", "信息公开目录")))
    p.add("/zwgk/", p.routes[("", "/zwgk/index.html")])


def _home_body(p: Portal, news: list, extra_links: list = ()) -> str:
    items = "".join(f'<li><a href="{t}">{ti}</a><span>{d:%m-%d}</span></li>' for t, ti, d in news[:8])
    more = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in extra_links)
    return (f'<div class="nav"><a href="/xwzx/gzdt/index.html">工作动态</a> <a href="/zwgk/index.html">政府信息公开</a> '
            f'<a href="/hdjl/index.html">互动交流</a> <a href="/bsfw/index.html">办事服务</a></div>'
            f'<div class="news"><h3>工作动态</h3><ul>{items}</ul></div><ul class="quick">{more}</ul>')


def disclosure_site(seed: int) -> Site:
    city, code, credit = CITIES[seed % len(CITIES)]
    p = Portal(seed, city, code, credit)
    news = _news(p, "/xwzx/gzdt/", 12, date(2026, 3, 12))
    annual.plant(p)
    indexno.plant(p)
    _section(p, [("/zwgk/zcwj/index.html", "政策文件"), ("/zwgk/gfxwj/index.html", "行政规范性文件"),
                 ("/zwgk/gknb/index.html", "政府信息公开年报")])
    board.plant_no_channel(p)
    _single(p, "/bsfw/index.html", "办事服务", "办事服务", "个人办事、法人办事、部门服务。")
    home = cloak.dynamic_page(p, f"{city}人民政府", _home_body(p, news), {"ColumnName": "首页", "ColumnType": "首页"}, seed)
    p.add("/", home)
    p.add("/index.html", home)
    p.add("/stat/visit.gif?*", cloak.GIF, ctype="image/gif")
    p.add("/stat/banner.gif", cloak.GIF, ctype="image/gif")
    p.expect.append(Expect("content.cloaked_hijack", ["/"], [], False, "home page changes on every request for honest reasons"))
    return Site("disclosure", p.routes, (), p.expect, p.reports)


def interaction_site(seed: int) -> Site:
    city, code, credit = CITIES[(seed + 1) % len(CITIES)]
    p = Portal(seed + 1, city, code, credit, other_hosts=cloak.SPAM_HOSTS)
    # referrer hijacks: a script redirect in a news article linked from the home page (2), the server's own
    # Referer test on another such article (5), a hex-escaped rewrite on the 互动交流 page (below)
    news = _news(p, "/xwzx/gzdt/", 12, date(2026, 3, 13), {2: cloak.referrer_script()}, {5: cloak.referrer_server})
    p.expect.append(Expect("content.cloaked_hijack", [news[2][0]], list(cloak.SPAM_HOSTS), True,
                           "news page linked from the home page: a script redirect only for a search-engine document.referrer"))
    p.expect.append(Expect("content.cloaked_hijack", [news[5][0]], list(cloak.SPAM_HOSTS), True,
                           "news page linked from the home page: the server answers a script redirect only for a search-engine Referer"))
    for i, (t, _, _) in enumerate(news):
        if i not in (2, 5):
            p.expect.append(Expect("content.cloaked_hijack", [t], [], False, "ordinary news page"))
    _section(p, [])
    board.hub(p, with_channels=True)
    hub = p.routes[("", "/hdjl/index.html")]
    p.routes[("", "/hdjl/index.html")] = type(hub)(200, hub.body.replace(b"</body>", cloak.referrer_rewrite().encode() + b"</body>"))
    p.expect.append(Expect("content.cloaked_hijack", ["/hdjl/index.html"], list(cloak.SPAM_HOSTS) + ["皇冠体育"], True,
                           "互动交流 page (home nav): hex-escaped document.referrer test rewrites the page, then location.replace"))
    board.plant_mailbox(p)
    board.plant_consult(p)
    board.plant_excepted(p)
    p.expect.append(Expect("interaction.no_channel", ["/", "/index.html", "/hdjl/index.html"], [], False,
                           "领导信箱 and 网上咨询 exist"))
    svc = cloak.dynamic_page(p, "办事服务", "<h2>办事服务</h2><ul><li>个人办事</li><li>法人办事</li></ul>",
                             p.column_meta("办事服务", "办事服务"), seed + 7)
    p.add("/bsfw/index.html", svc)
    p.add("/stat/visit.gif?*", cloak.GIF, ctype="image/gif")
    p.add("/stat/banner.gif", cloak.GIF, ctype="image/gif")
    p.expect.append(Expect("content.cloaked_hijack", ["/bsfw/index.html"], [], False,
                           "own ads, clock, session id, counter change on every request"))
    normal_home = p.page(f"{city}人民政府", _home_body(p, news, [("/bsfw/index.html", "办事服务")]),
                         {"ColumnName": "首页", "ColumnType": "首页"}).encode("utf-8")
    home = cloak.cloaked_home(normal_home, p)
    p.add("/", home)
    p.add("/index.html", home)
    for h in cloak.SPAM_HOSTS:
        p.add("/", b"<html><body>offsite</body></html>", host=h)
    return Site("interaction", p.routes, cloak.SPAM_HOSTS, p.expect, p.reports)


def generate(seed: int) -> dict[str, Site]:
    """The seed picks the cities and every drawn number: same seed, same sites."""
    return {"disclosure": disclosure_site(seed), "interaction": interaction_site(seed)}
