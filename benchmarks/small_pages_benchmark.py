"""Single-site crawl on small pages (~3 KB, like real list and article pages): zwgk against a bare Scrapy spider.

    pip install -e '.[bench]'          # psutil (Scrapy and lxml come with zwgk)
    python3 benchmarks/small_pages_benchmark.py [--docs 20000] [--repeat 1] [--keep DIR] [--concurrent-items N]
    python3 benchmarks/small_pages_benchmark.py --bare-spider http://127.0.0.1:PORT/   # the spider alone

Beside ``crawl_benchmark.py`` (30–80 KB pages). A generated 政府信息公开 portal of ``--docs``
documents is served by ONE raw-asyncio process on 127.0.0.1 (HTTP/1.1 keep-alive, every answer
rendered once from its URL and then held in memory; its CPU seconds are printed for each run): a
home page → 50 columns ``/col{c}/index.html``, ``index_1.html`` … (20 items a page, pager with
首页/上一页/下一页/尾页) → documents ``/col{c}/{yyyymm}/t{yyyymmdd}_{id}.html`` of ~3 KB (a
10-link nav, breadcrumb, 索引号/主题分类/发文机关/成文日期/发文字号/发布日期 table, title, a few
paragraphs, footer), ``Content-Type: text/html; charset=utf-8``, ETag and Last-Modified.

Runs, interleaved ``--repeat`` times (zwgk, bare, zwgk, bare …), each timed with
``crawl_benchmark.run`` (wall s, CPU s of the child's whole process tree, peak RSS of that tree):

* ``zwgk crawl URL --quiet --delay 0 --per-host 16 --concurrency 32 --workers 1 --no-ipv6
  --no-render --allow-private`` into a new database; pages = rows of ``pages``;
* a bare Scrapy spider (in this file, ``--bare-spider URL``): every page fetched, ``<a href>``
  extracted with ``lxml.html.fromstring(body).iterlinks()``, same-host links followed (Scrapy's
  duplicate filter), nothing stored; CONCURRENT_REQUESTS 32, CONCURRENT_REQUESTS_PER_DOMAIN 16,
  DOWNLOAD_DELAY 0, ROBOTSTXT_OBEY off, LOG_LEVEL WARNING, telnet off, Scrapy's default (asyncio)
  reactor; pages = responses it parsed (the start URL is fetched twice: Scrapy's start requests skip
  the duplicate filter). CONCURRENT_ITEMS is Scrapy's default (100: a hundred asyncio tasks started
  for every response's output) unless ``--concurrent-items N``; zwgk's crawler sets 4.

Prints every run, the medians, and "zwgk / bare Scrapy pages per CPU-s" (target, issue text: ≥ 90 %).
Asserts nothing; exits 0, 1 when a crawler failed, 2 on a bad argument, 130 on Ctrl-C or SIGTERM
(the server and the crawler are stopped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import zlib
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.harness import OneLineParser, ServerProcess, listening, stop_on_sigterm  # noqa: E402

COLUMNS = 50
PER_PAGE = 20
NEWEST = date(2026, 11, 2)
SPAN_DAYS = 3000  # documents spread over ~8 years, newest first
DOC_ID0 = 1000000
DEPTS = ["市政府办公室", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局",
         "公安局", "民政局", "财政局", "人力资源和社会保障局", "自然资源和规划局"]
KINDS = ["通知公告", "政策文件", "工作动态", "规划计划", "财政信息"]
TOPICS = ["综合政务", "国民经济管理", "财政、金融、审计", "国土资源、能源", "城乡建设、环境保护",
          "科技、教育", "文化、卫生、体育", "劳动、人事、监察", "民政、扶贫、救灾", "工业、交通"]
PHRASES = ["为深入贯彻落实党中央、国务院决策部署", "进一步优化营商环境", "切实加强组织领导", "结合本市实际",
           "现就有关事项通知如下", "各区县人民政府", "市政府各部门", "请认真贯彻执行", "强化责任落实",
           "建立健全长效机制", "推动高质量发展", "加大政策宣传力度", "确保各项措施落地见效", "做好信息公开工作",
           "严格按照有关规定", "依法依规开展工作", "统筹推进疫情防控和经济社会发展", "提升政务服务水平",
           "持续深化“放管服”改革", "加强监督检查", "及时报送工作进展情况", "本通知自印发之日起施行",
           "各有关单位要高度重视", "扎实推进各项重点任务", "不断增强人民群众获得感"]
NAV = ["政府信息公开", "政策文件", "政策解读", "政务动态", "通知公告", "政务服务", "互动交流", "专题专栏", "走进示范"]
COLUMN_NAMES = [f"{DEPTS[c % len(DEPTS)]}{KINDS[c // len(DEPTS) % len(KINDS)]}" for c in range(COLUMNS)]
DOC_RE = re.compile(r"/col(\d+)/(\d{6})/t(\d{8})_(\d+)\.html")
LIST_RE = re.compile(r"/col(\d+)/index(?:_(\d+))?\.html")
HTML = "text/html; charset=utf-8"
REQ, OK, NOT_FOUND, NOT_MODIFIED, BYTES = range(5)  # the server's counters


# ---------------------------------------------------------------------------------------- the site
class Site:
    """The layout of a portal of ``docs`` documents; every page is rendered from its URL alone."""

    def __init__(self, docs: int):
        self.docs = docs
        self.columns = min(COLUMNS, docs)

    def in_column(self, c: int) -> int:
        return len(range(c, self.docs, self.columns))

    def list_pages(self, c: int) -> int:
        return max(1, -(-self.in_column(c) // PER_PAGE))

    def pages(self) -> int:
        """Every page a crawler following links reaches: home, list pages, documents."""
        return 1 + sum(self.list_pages(c) for c in range(self.columns)) + self.docs

    @staticmethod
    def when(i: int, docs: int) -> date:
        return NEWEST - timedelta(days=i * SPAN_DAYS // max(docs, 1))

    def doc_url(self, i: int) -> str:
        d = self.when(i, self.docs)
        return f"/col{i % self.columns}/{d:%Y%m}/t{d:%Y%m%d}_{DOC_ID0 + i}.html"

    @staticmethod
    def list_url(c: int, p: int) -> str:
        return f"/col{c}/index.html" if p == 0 else f"/col{c}/index_{p}.html"

    def page(self, path: str) -> tuple[bytes, date] | None:
        """(UTF-8 body, last modified) of a page, None when there is none."""
        if path in ("/", "/index.html"):
            return self.home(), NEWEST
        m = LIST_RE.fullmatch(path)
        if m:
            c, p = int(m[1]), int(m[2] or 0)
            if c < self.columns and (m[2] is None or 1 <= p < self.list_pages(c)):
                return self.list_page(c, p), self.when(c, self.docs)
            return None
        m = DOC_RE.fullmatch(path)
        if m:
            i = int(m[4]) - DOC_ID0
            if 0 <= i < self.docs and self.doc_url(i) == path:
                return self.document(i), self.when(i, self.docs)
        return None

    def frame(self, title: str, crumbs: list[tuple[str, str]], main: str) -> bytes:
        nav = "".join(f'<li><a href="{self.list_url(c * self.columns // 9, 0)}">{name}</a></li>' for c, name in enumerate(NAV[:self.columns]))
        crumb = " &gt; ".join(f'<a href="{u}">{escape(t)}</a>' if u else escape(t) for t, u in crumbs)
        return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}_示范市人民政府</title>'
                f'<meta name="SiteName" content="示范市人民政府"><meta name="SiteIDCode" content="4401000001">'
                f'</head><body>'
                f'<div class="head"><h1 class="logo">示范市人民政府</h1><ul class="nav"><li><a href="/">首页</a></li>{nav}</ul></div>'
                f'<div class="crumb">当前位置：{crumb}</div><div class="main">{main}</div>'
                f'<div class="foot"><p>主办：示范市人民政府办公室　承办：示范市政务服务数据管理局</p>'
                f'<p>网站标识码：4401000001　粤ICP备12345678号　粤公网安备 44010402000001号</p></div></body></html>').encode()

    def home(self) -> bytes:
        cols = "".join(f'<li><a href="{self.list_url(c, 0)}">{escape(COLUMN_NAMES[c])}</a></li>' for c in range(self.columns))
        latest = "".join(f'<li><a href="{self.doc_url(i)}">{escape(self.title(i))}</a><span>{self.when(i, self.docs)}</span></li>'
                         for i in range(min(10, self.docs)))
        return self.frame("首页", [("首页", "")],
                          f'<div class="zwgk"><h2>政府信息公开</h2><ul class="cols">{cols}</ul></div>'
                          f'<div class="news"><h2>最新信息</h2><ul>{latest}</ul></div>')

    def title(self, i: int) -> str:
        rnd = random.Random(i)
        c = i % self.columns
        return f"关于{rnd.choice(PHRASES)[-8:]}的{KINDS[c // len(DEPTS) % len(KINDS)][:2]}（第{i}号）"

    def list_page(self, c: int, p: int) -> bytes:
        ids = range(c + p * PER_PAGE * self.columns, self.docs, self.columns)[:PER_PAGE]
        items = "".join(f'<li><a href="{self.doc_url(i)}" target="_blank">{escape(self.title(i))}</a>'
                        f'<span>{self.when(i, self.docs)}</span></li>' for i in ids)
        n = self.list_pages(c)
        pager = [f"共{n}页", f'<a href="{self.list_url(c, 0)}">首页</a>']
        if p > 0:
            pager.append(f'<a href="{self.list_url(c, p - 1)}">上一页</a>')
        if p + 1 < n:
            pager.append(f'<a href="{self.list_url(c, p + 1)}">下一页</a>')
        pager.append(f'<a href="{self.list_url(c, n - 1)}">尾页</a>')
        return self.frame(COLUMN_NAMES[c], [("首页", "/"), ("政府信息公开", ""), (COLUMN_NAMES[c], "")],
                          f'<h2>{escape(COLUMN_NAMES[c])}</h2><ul class="list">{items}</ul><div class="page">{" ".join(pager)}</div>')

    def document(self, i: int) -> bytes:
        rnd = random.Random(-1 - i)
        c, d = i % self.columns, self.when(i, self.docs)
        written = d - timedelta(days=rnd.randint(0, 9))
        dept = DEPTS[c % len(DEPTS)]
        meta = [("索引号", f"114401000001{c:02d}/{d.year}-{i:05d}"), ("主题分类", TOPICS[i % len(TOPICS)]),
                ("发文机关", dept), ("成文日期", f"{written:%Y年%m月%d日}"),
                ("发文字号", f"示{dept[:2]}〔{d.year}〕{i % 97 + 1}号"), ("发布日期", f"{d:%Y年%m月%d日}")]
        table = "".join(f"<tr><th>{k}：</th><td>{escape(v)}</td></tr>" for k, v in meta)
        paras = "".join("<p>" + "，".join(rnd.choice(PHRASES) for _ in range(rnd.randint(5, 8))) + "。</p>" for _ in range(5))
        return self.frame(self.title(i), [("首页", "/"), (COLUMN_NAMES[c], self.list_url(c, 0)), ("正文", "")],
                          f'<table class="bd1">{table}</table><h1 class="title">{escape(self.title(i))}</h1>'
                          f'<div class="TRS_Editor">{paras}<p style="text-align:right">{escape(dept)}<br>{written:%Y年%m月%d日}</p></div>')


# ---------------------------------------------------------------------------------------- the server
class _Http(asyncio.Protocol):
    """HTTP/1.1 keep-alive; GET and HEAD; 304 on a matching If-None-Match (else If-Modified-Since)."""

    def __init__(self, site: Site, cache: dict, counters):
        self.site, self.cache, self.counters = site, cache, counters
        self.buf = b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    self.transport.close()
                return
            head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
            request, *lines = head.split("\r\n")
            parts = request.split(" ")
            if len(parts) != 3:
                self.transport.close()
                return
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            self.transport.write(self.answer(parts[0], parts[1], headers))
            if headers.get("connection", "").lower() == "close" or parts[2] == "HTTP/1.0":
                self.transport.close()
                return

    def answer(self, method: str, target: str, headers: dict) -> bytes:
        path = target.split("?", 1)[0].split("#", 1)[0]
        entry = self.cache.get(path)
        if entry is None:
            page = self.site.page(path)
            if page is not None:
                body, day = page
                modified = datetime(day.year, day.month, day.day, 8, tzinfo=timezone.utc)
                entry = (body, f'"{zlib.crc32(body):08x}-{len(body):x}"', modified, format_datetime(modified, usegmt=True))
                self.cache[path] = entry
        counters = self.counters
        counters[REQ] += 1
        if method not in ("GET", "HEAD"):
            status, reason, body, extra = 501, "Not Implemented", b"", ""
        elif entry is None:
            status, reason, body, extra = 404, "Not Found", b"<html><body><h1>404</h1></body></html>", ""
        else:
            body, etag, modified, modified_text = entry
            inm, ims = headers.get("if-none-match"), headers.get("if-modified-since")
            fresh = False
            if inm is not None:
                fresh = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            elif ims is not None:
                try:
                    fresh = modified <= parsedate_to_datetime(ims)
                except (TypeError, ValueError):
                    fresh = False
            status, reason = (304, "Not Modified") if fresh else (200, "OK")
            extra = f"ETag: {etag}\r\nLast-Modified: {modified_text}\r\n"
        counters[{200: OK, 304: NOT_MODIFIED}.get(status, NOT_FOUND)] += 1
        if status == 304:
            raw = f"HTTP/1.1 304 Not Modified\r\nServer: nginx\r\n{extra}\r\n".encode("latin-1")
        else:
            ctype = HTML if status != 501 else "text/plain"
            raw = (f"HTTP/1.1 {status} {reason}\r\nServer: nginx\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                   f"{extra}\r\n").encode("latin-1") + (b"" if method == "HEAD" else body)
        counters[BYTES] += len(raw)
        return raw


def _serve(site: Site, sock: socket.socket, counters) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops this process (Ctrl-C reaches the whole group)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    cache: dict = {}

    async def main() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_server(lambda: _Http(site, cache, counters), sock=sock, backlog=1024)
        await asyncio.Event().wait()

    asyncio.run(main())


class Server(ServerProcess):
    """The portal on a 127.0.0.1 port, in its own process; stopped on exit, also on failure."""

    def __init__(self, site: Site):
        sock = listening()
        self.counters = multiprocessing.get_context("fork").Array("q", 5, lock=False)  # one writer (the server's event loop)
        super().__init__(_serve, (site, sock, self.counters), [sock])
        self.port = self.ports[0]
        self.url = f"http://127.0.0.1:{self.port}/"

    def count(self) -> list[int]:
        return list(self.counters)


# ---------------------------------------------------------------------------------------- the bare spider
def bare_spider(url: str, stats_file: str | None, concurrent_items: int | None = None) -> int:
    """Fetch every page reachable from url on its host; count them; store nothing."""
    from urllib.parse import urljoin, urlsplit

    import lxml.html
    import scrapy
    from scrapy.crawler import CrawlerProcess

    host = urlsplit(url).netloc

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = [url]

        def parse(self, response):
            self.crawler.stats.inc_value("bare/pages")
            if not response.headers.get(b"Content-Type", b"").lower().startswith(b"text/html") or not response.body:
                return
            for el, _attr, link, _pos in lxml.html.fromstring(response.body).iterlinks():
                if el.tag == "a":
                    target = urljoin(response.url, link)
                    if urlsplit(target).netloc == host:
                        yield scrapy.Request(target, callback=self.parse)

    settings = {"CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
                "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}
    if concurrent_items is not None:
        settings["CONCURRENT_ITEMS"] = concurrent_items
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    figures = {"pages": stats.get("bare/pages", 0), "responses": stats.get("response_received_count", 0),
               "requests": stats.get("downloader/request_count", 0), "errors": stats.get("log_count/ERROR", 0),
               "finish_reason": stats.get("finish_reason")}
    print(f"bare Scrapy spider: {figures['pages']} pages parsed, {figures['responses']} responses, "
          f"{figures['requests']} requests, {figures['errors']} errors, finish reason {figures['finish_reason']}")
    if stats_file:
        Path(stats_file).write_text(json.dumps(figures))
    return 0 if figures["pages"] and figures["finish_reason"] == "finished" else 1


# ---------------------------------------------------------------------------------------- main
def zwgk_options() -> list[str]:
    return ["--quiet", "--delay", "0", "--per-host", "16", "--concurrency", "32", "--workers", "1",
            "--no-ipv6", "--no-render", "--allow-private"]


def one_run(kind: str, k: int, server: Server, work: Path, concurrent_items: int | None) -> dict:
    from benchmarks.crawl_benchmark import run

    if kind == "zwgk":
        db = work / f"zwgk-{k}.db"  # a new database (and site cache) for every run
        cmd = [sys.executable, "-m", "zwgk.cli", "crawl", server.url, "--db", str(db), *zwgk_options()]
    else:
        stats = work / f"bare-{k}.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--bare-spider", server.url, "--stats-file", str(stats)]
        if concurrent_items is not None:
            cmd += ["--concurrent-items", str(concurrent_items)]
    cpu0, count0 = server.cpu(), server.count()
    wall, cpu, peak = run(cmd, check=False)
    server_cpu, counted = server.cpu() - cpu0, [b - a for a, b in zip(count0, server.count())]
    r = {"kind": kind, "wall": wall, "cpu": cpu, "peak": peak, "server_cpu": server_cpu, "requests": counted[REQ],
         "ok": counted[OK], "not_found": counted[NOT_FOUND], "bytes": counted[BYTES], "load": os.getloadavg()[0], "pages": 0}
    try:
        if kind == "zwgk":
            with sqlite3.connect(db) as conn:
                r["pages"] = conn.execute("select count(*) from pages").fetchone()[0]
        else:
            r["pages"] = json.loads(stats.read_text())["pages"]
    except (OSError, sqlite3.Error, ValueError, KeyError):
        pass
    if not r["pages"]:
        shown = " ".join(cmd[1:]).replace(str(work), "DIR")
        raise RuntimeError(f"{kind} run {k + 1} stored/fetched no pages; run by hand to see why: python {shown}")
    return r


def show(label: str, r: dict) -> str:
    return (f"{label}: {r['pages']} pages, {r['wall']:.1f} s wall = {r['pages'] / r['wall']:.0f} pages/s; "
            f"{r['cpu']:.1f} CPU s = {r['pages'] / r['cpu']:.0f} pages per CPU-s; peak RSS {r['peak']} MiB (tree); "
            f"server {r['server_cpu']:.1f} CPU s, {r['requests']} requests ({r['ok']} × 200, {r['not_found']} other), "
            f"{r['bytes'] / 2**20:.0f} MiB sent; load {r['load']:.1f}")


def median_of(runs: list[dict]) -> dict:
    m = {key: statistics.median(r[key] for r in runs) for key in ("pages", "wall", "cpu", "peak", "server_cpu")}
    m["rate"] = statistics.median(r["pages"] / r["wall"] for r in runs)
    m["per_cpu"] = statistics.median(r["pages"] / r["cpu"] for r in runs)
    return m


def main() -> int:
    ap = OneLineParser(prog="small_pages_benchmark", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20000, help="documents in the generated portal (default 20 000)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each crawler, interleaved (default 1)")
    ap.add_argument("--keep", type=Path, help="keep the databases and spider figures in this new or empty directory")
    ap.add_argument("--bare-spider", metavar="URL", help="run only the bare Scrapy spider on URL and print its page count")
    ap.add_argument("--concurrent-items", type=int, metavar="N",
                    help="the bare spider's CONCURRENT_ITEMS (default: Scrapy's, 100; zwgk's crawler sets 4)")
    ap.add_argument("--stats-file", help=argparse.SUPPRESS)  # --bare-spider: also write its figures here (JSON)
    args = ap.parse_args()
    if args.bare_spider is not None:
        if not re.match(r"https?://[^/]+", args.bare_spider):
            ap.error(f"--bare-spider {args.bare_spider}: not an http(s) URL")
        return bare_spider(args.bare_spider, args.stats_file, args.concurrent_items)
    if args.concurrent_items is not None and not 1 <= args.concurrent_items <= 10000:
        ap.error("--concurrent-items must be 1–10 000")
    if not 1 <= args.docs <= 10_000_000:
        ap.error("--docs must be 1–10 000 000")
    if not 1 <= args.repeat <= 100:
        ap.error("--repeat must be 1–100")
    if args.keep is not None and args.keep.exists() and (not args.keep.is_dir() or any(args.keep.iterdir())):
        ap.error(f"--keep {args.keep}: not an empty directory")

    import psutil

    work = args.keep or Path(tempfile.mkdtemp(prefix="zwgk-smallbench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update({"XDG_CONFIG_HOME": str(work / "xdg-config"), "XDG_DATA_HOME": str(work / "xdg-data"),
                       "XDG_CACHE_HOME": str(work / "xdg-cache")})  # crawl_benchmark.run passes os.environ on
    stop_on_sigterm()
    site = Site(args.docs)
    docs = [len(site.document(i)) for i in range(0, args.docs, max(1, args.docs // 200))]
    lists = [len(site.list_page(c, 0)) for c in range(site.columns)]
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, load {os.getloadavg()[0]:.1f}; "
          f"Python {sys.version.split()[0]}")
    print(f"site: {args.docs} documents in {site.columns} columns, {site.pages()} pages in all (home, "
          f"{site.pages() - 1 - args.docs} list pages, documents); document pages {statistics.mean(docs) / 1024:.1f} KB "
          f"({min(docs) / 1024:.1f}–{max(docs) / 1024:.1f}), list pages {statistics.mean(lists) / 1024:.1f} KB; "
          f"one raw-asyncio server process on 127.0.0.1")
    print(f"zwgk: zwgk crawl URL --db DIR/zwgk-N.db {' '.join(zwgk_options())}")
    print("bare Scrapy: CONCURRENT_REQUESTS 32, CONCURRENT_REQUESTS_PER_DOMAIN 16, DOWNLOAD_DELAY 0, ROBOTSTXT_OBEY off, "
          f"LOG_LEVEL WARNING, telnet off, CONCURRENT_ITEMS {args.concurrent_items or 'default (100)'}, default reactor; "
          "lxml iterlinks, same-host <a> links followed, nothing stored")
    print(f"runs: {args.repeat} × (zwgk, bare Scrapy), interleaved; CPU s and peak RSS of each crawler's process tree", flush=True)
    runs: dict[str, list[dict]] = {"zwgk": [], "bare": []}
    label = {"zwgk": "zwgk crawl", "bare": "bare Scrapy"}
    try:
        with Server(site) as server:
            for k in range(args.repeat):
                for kind in ("zwgk", "bare"):
                    r = one_run(kind, k, server, work, args.concurrent_items)
                    runs[kind].append(r)
                    print(f"run {k + 1} {show(label[kind], r)}", flush=True)
                z, b = runs["zwgk"][-1], runs["bare"][-1]
                print(f"run {k + 1}: zwgk / bare Scrapy pages per CPU-s = {100 * (z['pages'] / z['cpu']) / (b['pages'] / b['cpu']):.0f} %",
                      flush=True)
    except KeyboardInterrupt:
        print("small_pages_benchmark: 已中断 interrupted; server and crawler stopped", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"small_pages_benchmark: {exc}", file=sys.stderr)
        return 1
    finally:
        for child in psutil.Process().children(recursive=True):  # a crawler left running by an interrupt
            try:
                child.terminate()
            except psutil.Error:
                pass
        psutil.wait_procs(psutil.Process().children(recursive=True), timeout=10)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    z, b = median_of(runs["zwgk"]), median_of(runs["bare"])
    n = f"median of {args.repeat}" if args.repeat > 1 else "result"
    for kind, m in (("zwgk crawl", z), ("bare Scrapy", b)):
        print(f"{n} {kind}: {m['pages']:.0f} pages, {m['wall']:.1f} s wall, {m['rate']:.0f} pages/s, {m['cpu']:.1f} CPU s, "
              f"{m['per_cpu']:.0f} pages per CPU-s, peak RSS {m['peak']:.0f} MiB, server {m['server_cpu']:.1f} CPU s")
    ratio = 100 * z["per_cpu"] / b["per_cpu"]
    print(f"zwgk / bare Scrapy pages per CPU-s = {ratio:.0f} % (target ≥ 90 %: {'met' if ratio >= 90 else 'not met'}); "
          f"pages/s {100 * z['rate'] / b['rate']:.0f} %; expected pages {site.pages()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
