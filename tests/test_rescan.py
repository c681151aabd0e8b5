"""Incremental re-scans: a generated portal whose server sends ETag and Last-Modified and answers
304 to If-None-Match / If-Modified-Since, counting the body bytes it sends.

Scan 1 fetches everything. Scan 2 of the unchanged site asks for every page again (conditional)
and gets almost only 304s: under 10 % of the bytes, no page parsed again (but those whose
extraction could not be stored), the same rows and findings, nothing new or fixed in ``zwgk diff``.
Then one document loses its 发文机关, another becomes 404 and a third 500: scan 3 re-parses exactly
these pages and reports the missing field and two broken links, not the old copies. A ``--full``
scan sends no validators and parses everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from email.utils import formatdate
from urllib.parse import urlsplit

import pytest

from conftest import FAST, FAST_WITH_CLOAK, run_zwgk
from test_crash_resume import TABLES
from tests.sitegen import generate, serve
from tests.sitegen.server import _Handler
from tests.sitegen.site import Response

SEED = 0
PUBLISHER_ROW = re.compile(r"<li[^>]*>\s*发文机关[:：].*?</li>", re.S)
_REQUEST = threading.local()  # the headers of the request this server thread is answering


class _ConditionalHandler(_Handler):
    def _answer(self, method: str) -> None:
        _REQUEST.headers = self.headers
        super()._answer(method)


class Conditional:
    """Validators on every GET/HEAD answer of the site (as a static web server sends them), 304
    when the client's validator matches; ``sent`` logs (method, target, status, body bytes)."""

    def __init__(self, server):
        self.sent: list[tuple[str, str, int, int]] = []
        self.modified: dict[str, tuple[str, str]] = {}  # target → (ETag, Last-Modified) of its current body
        self.lock = threading.Lock()
        self.kill: tuple[int, int] | None = None  # (n, pid): SIGKILL that process at the n-th request
        original = server.lookup

        def lookup(host, method, target, form):
            with self.lock:
                if self.kill is not None and len(self.sent) + 1 >= self.kill[0]:
                    os.kill(self.kill[1], signal.SIGKILL)
                    self.kill = None
            resp = original(host, method, target, form)
            if method == "POST" or resp.status != 200:
                return self._log(method, target, resp)
            etag = '"' + hashlib.sha1(resp.body + resp.content_type.encode()).hexdigest()[:20] + '"'
            with self.lock:
                if self.modified.get(target, ("",))[0] != etag:
                    self.modified[target] = (etag, formatdate(time.time(), usegmt=True))
                _etag, last_modified = self.modified[target]
            headers = [*resp.headers, ("ETag", etag), ("Last-Modified", last_modified)]
            asked = _REQUEST.headers
            if (asked.get("If-None-Match") == etag if asked.get("If-None-Match")
                    else asked.get("If-Modified-Since") == last_modified):
                return self._log(method, target, Response(304, b"", resp.content_type, headers))
            return self._log(method, target, Response(resp.status, resp.body, resp.content_type, headers, resp.delay))

        server.lookup = lookup
        server.httpd.RequestHandlerClass = _ConditionalHandler

    def _log(self, method, target, resp):
        self.sent.append((method, target, resp.status, 0 if method == "HEAD" else len(resp.body)))
        return resp

    def take(self) -> list[tuple[str, str, int, int]]:
        sent, self.sent = self.sent, []
        return sent


def scan_rows(db, scan_id: int, findings: bool = True) -> dict[str, set]:
    with sqlite3.connect(db) as conn:
        out = {table: set(conn.execute(f"select {cols} from {table} where scan_id = ?", (scan_id,)).fetchall())
               for table, cols in TABLES.items()}
        if findings:
            out["findings"] = set(conn.execute("select rule, url, fingerprint from findings where scan_id = ?",
                                               (scan_id,)).fetchall())
    return out


def cache_stats(cache_dir) -> list[dict]:
    (path,) = cache_dir.glob("*.db")
    with sqlite3.connect(path) as conn:
        return [json.loads(stats) for (stats,) in conn.execute("select stats from scan_stats order by rowid")]


@pytest.fixture(scope="module")
def rescans(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rescan")
    db, site = tmp / "r.db", generate(SEED)
    with serve(site) as server:
        conditional = Conditional(server)

        def audit(*extra):
            run_zwgk("audit", server.home, "--db", db, "--quiet", "--as-of", "2026-11-20", "--fail-on", "never",
                     "--no-ipv6", "--no-cloak-check", "--format", "json", "--out", tmp / "out", *FAST, *extra, *server.resolve_args())
            return conditional.take()

        first, unchanged = audit(), audit()
        # one document loses its 发文机关, another is deleted, a third fails with 500
        documents = [key for key, resp in site.routes.items()
                     if key[0] == "" and key[1] == "GET" and len(PUBLISHER_ROW.findall(resp.body.decode("utf-8", "replace"))) == 1]
        changed, deleted, failing = documents[:3]
        body = site.routes[changed].body.decode("utf-8")
        site.routes[changed] = Response(200, PUBLISHER_ROW.sub("", body).encode("utf-8"), site.routes[changed].content_type)
        del site.routes[deleted]
        site.routes[failing] = Response(500, b"<html><body>Internal Server Error</body></html>")
        third = audit()
        full = audit("--full")
    return {"db": db, "sent": [first, unchanged, third, full], "changed": changed[2], "deleted": deleted[2],
            "failing": failing[2],
            "stats": cache_stats(tmp / "r.cache")}


def test_rescan_of_an_unchanged_site_revalidates_every_page_and_downloads_almost_nothing(rescans):
    first, unchanged = rescans["sent"][:2]
    assert {(m, t) for m, t, _s, _b in unchanged} == {(m, t) for m, t, _s, _b in first}  # every page asked again
    not_modified = [t for m, t, s, _b in unchanged if s == 304]
    assert len(not_modified) > 100
    first_bytes, again = sum(b for *_x, b in first), sum(b for *_x, b in unchanged)
    assert again < 0.10 * first_bytes, (again, first_bytes)
    stats = rescans["stats"]
    assert stats[1]["httpcache/revalidate"] == len(not_modified)
    # no page whose extraction could be kept is parsed again
    assert stats[1]["zwgk/extract_memo_miss"] == stats[0]["zwgk/extract_memo_unstorable"]
    assert stats[1]["zwgk/extract_memo_hit"] == (stats[0]["zwgk/extract_memo_hit"] + stats[0]["zwgk/extract_memo_miss"]
                                                 - stats[0]["zwgk/extract_memo_unstorable"]) > 100


def test_rescan_of_an_unchanged_site_is_a_complete_scan_with_the_same_findings(rescans):
    db = rescans["db"]
    one, two = scan_rows(db, 1), scan_rows(db, 2)
    assert one["documents"] and one["findings"]
    for table in one:
        assert one[table] == two[table], (table, sorted(one[table] ^ two[table], key=repr)[:5])
    diff = json.loads(run_zwgk("diff", "1", "2", "--db", db, "--json").stdout)
    assert diff["new"] == [] and diff["fixed"] == [] and diff["not_comparable"] == []


def test_a_changed_page_is_parsed_again_and_a_deleted_or_failing_one_is_broken(rescans):
    """Not served from the cache: a 404 or a 500 is what the audit reports, not the old copy."""
    db, changed, deleted, failing = rescans["db"], rescans["changed"], rescans["deleted"], rescans["failing"]
    third = rescans["sent"][2]
    assert [(s, b > 0) for m, t, s, b in third if t == changed and m == "GET"] == [(200, True)]
    assert {s for m, t, s, b in third if t == deleted} == {404}
    stats = rescans["stats"]
    assert {s for m, t, s, b in third if t == failing} == {500}
    # the changed page and the 404 and 500 pages are parsed; every other page comes from the memo
    assert stats[2]["zwgk/extract_memo_miss"] == stats[1]["zwgk/extract_memo_unstorable"] + 3
    diff = json.loads(run_zwgk("diff", "2", "3", "--db", db, "--json").stdout)
    new = {(f["rule"], f["url"].split("/", 3)[3], f["evidence"].get("field")) for f in diff["new"]}
    assert ("metadata.missing_field", changed.lstrip("/"), "publisher") in new
    assert ("links.broken", deleted.lstrip("/"), None) in new and ("links.broken", failing.lstrip("/"), None) in new
    assert {url for _rule, url, _field in new} == {changed.lstrip("/"), deleted.lstrip("/"), failing.lstrip("/")}, new
    with sqlite3.connect(db) as conn:
        for target, status in ((deleted, 404), (failing, 500)):
            assert conn.execute("select status from pages where scan_id = 3 and url like ?",
                                (f"%{target}",)).fetchall() == [(status,)]


def test_full_scan_sends_no_validators_and_parses_everything(rescans):
    full, stats = rescans["sent"][3], rescans["stats"]
    assert full and all(s != 304 for *_x, s, _b in full)
    assert stats[3]["zwgk/extract_memo_hit"] == 0 and stats[3]["httpcache/revalidate"] == 0


def test_kill_9_during_a_rescan_then_resume_equals_the_uninterrupted_scan(tmp_path):
    """--resume replays the killed re-scan's own answers (304s as their stored bodies) and
    revalidates the rest against the site's cache."""
    with serve(generate(SEED)) as server:
        conditional = Conditional(server)
        db = tmp_path / "k.db"
        args = ["crawl", server.home, "--db", db, "--quiet", *FAST, *server.resolve_args()]
        run_zwgk(*args)
        first = conditional.take()
        proc = subprocess.Popen([sys.executable, "-m", "zwgk.cli", *map(str, args)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            conditional.kill = (len(first) // 2, proc.pid)
            assert proc.wait(timeout=240) == -signal.SIGKILL
        finally:
            proc.kill()
        killed = conditional.take()
        assert sum(s == 304 for *_x, s, _b in killed) > 20
        run_zwgk(*args, "--resume")
        resumed = conditional.take()
    # every page fetched before the kill is replayed, every other one revalidated: no page's body comes twice
    assert len(resumed) < len(first) and not [t for m, t, s, _b in resumed if m == "GET" and s == 200]
    with sqlite3.connect(db) as conn:
        assert conn.execute("select id, status from scans").fetchall() == [(1, "finished"), (2, "finished")]
    one, two = scan_rows(db, 1, findings=False), scan_rows(db, 2, findings=False)
    assert one["documents"]
    for table in one:
        assert one[table] == two[table], (table, sorted(one[table] ^ two[table], key=repr)[:5])


def test_a_whole_audit_rescan_with_the_ipv6_step_moves_under_5_percent_of_the_bytes(tmp_path):
    """A second `zwgk audit` (crawl, IPv6 step, the second look for cloaked pages, checks) of a site that
    did not change: the crawl and the IPv6 step ask conditionally (the IPv6 probes with the crawl's
    validators) and move under 5 % of the first audit's body bytes. Counted apart: the cloak step's
    sample, fetched whole on purpose (a hijack module may answer 304 to validators and rewrite only full
    answers), and the Hanweb/Fujian list POSTs, which HTTP has no way to revalidate (6 % of this small
    site's bytes; under 1 % of a real portal's, where documents outweigh list pages)."""
    with serve(generate(SEED)) as server:
        conditional = Conditional(server)
        db = tmp_path / "a.db"

        def audit():
            run_zwgk("audit", server.home, "--db", db, "--quiet", "--as-of", "2026-11-20", "--fail-on", "never",
                     "--format", "json", "--out", tmp_path / "out", *FAST_WITH_CLOAK, *server.resolve_args())
            return conditional.take()

        first, again = audit(), audit()
    with sqlite3.connect(db) as conn:
        sampled = {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "")
                   for (u,) in conn.execute("select distinct url from cloak_views")}
        probes = conn.execute("select count(*), sum(revalidated) from ipv6_probes where scan_id = 2").fetchone()
        ipv6 = [conn.execute("select count(*) from findings where scan_id = ? and rule like 'ipv6.%'", (n,)).fetchone()[0]
                for n in (1, 2)]
    assert 0 < len(sampled) <= 21  # the home page and 20 sampled pages (rules.yaml: content.cloaked_hijack pages)
    first_bytes, again_bytes = (sum(b for m, t, _s, b in sent if t not in sampled and m != "POST") for sent in (first, again))
    assert sum(m == "POST" for m, *_x in again) == sum(m == "POST" for m, *_x in first)  # the same list requests
    assert again_bytes < 0.05 * first_bytes, (again_bytes, first_bytes)
    assert probes[0] >= 10 and probes[1] >= 0.9 * probes[0], probes  # the IPv6 step's link probes revalidated
    assert ipv6[0] == ipv6[1]
