"""--workers N: pages are extracted in up to N - 1 worker processes (crawler.parse_pool) beside the one
Scrapy process, when they pay. The crawl must store exactly what an in-process crawl stores, and
politeness (--per-host, --delay) holds across the workers because there is still one downloader.
The crawls here send every page to the workers (ZWGK_PARSE_WORKERS=always) so that the workers
themselves are what is tested; the decision is tested on its own."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psutil
import pytest

from conftest import FAST, run_zwgk
from crawler import parse_pool
from crawler.extract.page import extract_page
from tests.sitegen import generate, serve

ALWAYS = {"ZWGK_PARSE_WORKERS": parse_pool.ALWAYS}

# What one crawl of a site stores that a second crawl of it may store differently: clock readings,
# and which of several pages linking one URL was fetched first (its referer, its depth).
VOLATILE = {"fetched_at", "elapsed_ms", "started_at", "finished_at", "referer", "depth", "settings"}
TABLES = ("pages", "columns", "column_aliases", "rendered", "pagers", "column_items", "documents", "document_fields",
          "links", "attachments")


def table_rows(db, table: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute(f'pragma table_info("{table}")') if row[1] not in VOLATILE]
        rows = conn.execute(f'select {", ".join(columns)} from "{table}"').fetchall()
    return sorted(rows, key=repr)


@pytest.mark.parametrize("seed", [3, 11])
def test_two_workers_store_what_one_stores(seed, tmp_path):
    site = generate(seed)
    with serve(site) as srv:
        for workers in (1, 2):
            run_zwgk("crawl", srv.home, "--db", tmp_path / f"w{workers}.db", "--quiet", "--workers", str(workers),
                     *FAST, *srv.resolve_args(), env=ALWAYS)
    for table in TABLES:
        one, two = table_rows(tmp_path / "w1.db", table), table_rows(tmp_path / "w2.db", table)
        assert one == two, f"{table}: {len(one)} rows with --workers 1, {len(two)} with --workers 2; " \
                           f"first difference {next((a, b) for a, b in zip(one + [None], two + [None]) if a != b)}"
    assert len(table_rows(tmp_path / "w2.db", "documents")) > 10


class _Counting(BaseHTTPRequestHandler):
    """A site of 60 linked pages that counts the requests it is answering at once and records when each arrived."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server naming)
        server = self.server
        with server.lock:
            server.active += 1
            server.peak = max(server.peak, server.active)
            server.arrivals.append(time.monotonic())
        try:
            time.sleep(0.02)  # long enough for requests to overlap if the crawler sends them together
            if self.path == "/robots.txt":
                body, status = b"User-agent: *\nAllow: /\n", 200
            else:
                n = int(self.path.strip("/").split(".")[0] or 0) if self.path.strip("/").split(".")[0].isdigit() else 0
                links = "".join(f'<li><a href="/{k}.html">第{k}页 page {k}</a></li>' for k in range(n * 6 + 1, n * 6 + 7) if k < 60)
                body = (f"<html><head><title>页面 {n}</title></head><body><ul>{links}</ul>"
                        f"<p>{'正文 ' * 200}</p></body></html>").encode()
                status = 200
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
        finally:
            with server.lock:  # before the body: a crawler cannot count the request done without it
                server.active -= 1
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def counting_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    httpd.daemon_threads = True
    httpd.lock, httpd.active, httpd.peak, httpd.arrivals = threading.Lock(), 0, 0, []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def test_per_host_holds_across_workers(counting_server, tmp_path):
    db = tmp_path / "polite.db"
    run_zwgk("crawl", f"http://127.0.0.1:{counting_server.server_port}/", "--db", db, "--quiet", "--workers", "2",
             "--per-host", "2", "--delay", "0", "--concurrency", "16", env=ALWAYS)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from pages where status = 200").fetchone()[0] == 60
    assert counting_server.peak == 2  # never more than --per-host requests at once, and the limit was reached


def test_delay_holds_across_workers(counting_server, tmp_path):
    run_zwgk("crawl", f"http://127.0.0.1:{counting_server.server_port}/", "--db", tmp_path / "delay.db", "--quiet",
             "--workers", "2", "--per-host", "2", "--delay", "0.2", "--max-pages", "12", env=ALWAYS)
    arrivals = counting_server.arrivals
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert len(gaps) >= 10
    # --delay is a floor: no random jitter (Scrapy's own spaces them by 0.5 to 1.5 times --delay); the
    # margin is for the time a request takes from the crawler's queue to the server on a busy machine
    # (one request held up on its way on a loaded machine arrives late and shortens the gap after it: at most one)
    assert sorted(gaps)[1] >= 0.2 * 0.75 and sorted(gaps)[len(gaps) // 2] >= 0.2, gaps


def test_defaults_are_polite():
    """A user who gives no option crawls a real site politely: 2 requests at a time per host, at
    least 0.5 s apart — from the command line (crawl, audit, batch) and from the library alike."""
    from crawler.run import CrawlOptions, scrapy_settings
    from zwgk.cli import main

    for path in (["crawl"], ["audit"], ["batch", "run"]):
        command = main
        for name in path:
            command = command.commands[name]
        defaults = {p.name: p.default for p in command.params}
        assert (defaults["per_host"], defaults["delay"]) == (2, 0.5), path
    opts = CrawlOptions(start_urls=["http://127.0.0.1:9/"], db="unused.db")
    assert (opts.per_host, opts.delay) == (2, 0.5)
    settings = scrapy_settings(opts, 1)
    assert (settings["CONCURRENT_REQUESTS_PER_DOMAIN"], settings["DOWNLOAD_DELAY"]) == (2, 0.5)
    # no random jitter: the delay is a floor (test_delay_holds_across_workers measures it)
    assert settings.get("DOWNLOAD_DELAY_JITTER") == 0 or settings.get("RANDOMIZE_DOWNLOAD_DELAY") is False


@pytest.mark.parametrize("signum, group", [(signal.SIGTERM, False), (signal.SIGINT, True), (signal.SIGKILL, False)])
def test_workers_end_with_the_crawl(signum, group, counting_server, tmp_path):
    """A crawl stopped by SIGTERM, or by Ctrl-C (SIGINT to the whole process group, workers
    included), is interrupted and resumable; a crawl killed outright leaves no parse worker
    behind either: they watch the crawl's process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "zwgk.cli", "crawl", f"http://127.0.0.1:{counting_server.server_port}/", "--db",
         str(tmp_path / "stop.db"), "--quiet", "--workers", "3", "--per-host", "1", "--delay", "0.3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "CI": "1", **ALWAYS}, start_new_session=True)
    try:
        crawl = psutil.Process(proc.pid)
        workers = []
        for _ in range(600):  # bounded wait for the two parse workers
            workers = [p for p in crawl.children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
            if len(workers) == 2:
                break
            time.sleep(0.05)
        assert len(workers) == 2
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == {signal.SIGTERM: 143, signal.SIGINT: 130, signal.SIGKILL: -signal.SIGKILL}[signum], err
        assert b"Traceback" not in err
        psutil.wait_procs(workers, timeout=30)
        assert not [p for p in workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if signum != signal.SIGKILL:
        with sqlite3.connect(tmp_path / "stop.db") as conn:
            assert conn.execute("select status from scans").fetchone()[0] == "interrupted"


def test_workers_only_when_they_pay():
    """Small pages, or a process with time to spare, are parsed in the crawl's process (no worker is
    even started); a large page while this process is busy parsing goes to a worker, whose
    extraction equals the in-process one."""
    import asyncio

    small = ("<html><head><title>小</title></head><body>" + "<p>正文</p>" * 50 + "</body></html>").encode()
    large = ("<html><head><title>大</title></head><body>" + "".join(
        f'<li><a href="/a/{i}.html">第{i}篇</a> 2026-11-{i % 28 + 1:02d}</li>' for i in range(600)) + "</body></html>").encode()
    assert len(small) < parse_pool.MIN_OFFLOAD_BYTES < len(large)
    pool = parse_pool.ParsePool(1)
    try:
        async def run():
            for body in (small, large):  # idle: both here
                await pool.extract("http://127.0.0.1/x.html", body, "text/html; charset=utf-8")
            assert pool.executor is None and pool.in_process == 2
            pool.load = parse_pool.LOAD_SECONDS  # this process spent the last seconds parsing
            await pool.extract("http://127.0.0.1/x.html", small, "text/html; charset=utf-8")
            assert pool.executor is None and pool.in_process == 3  # small: still here
            for _ in range(200):  # the worker starting: the page is parsed here meanwhile (bounded wait)
                pool.load = parse_pool.LOAD_SECONDS
                page, packed = await pool.extract("http://127.0.0.1/x.html", large, "text/html; charset=utf-8")
                if pool.offloaded:
                    return page, packed
                await asyncio.sleep(0.05)
            raise AssertionError("the worker never took a page")

        page, packed = asyncio.run(run())
        assert packed is not None and page == extract_page("http://127.0.0.1/x.html", large, "text/html; charset=utf-8")
    finally:
        pool.close()
