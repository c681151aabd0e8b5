"""Ctrl-C and --resume; name resolution through --resolve and --dns-server."""

import os
import signal
import subprocess
import sys
import time

from conftest import FAST, query, run_zwgk
from services import wait_until


def _stored_pages(db) -> int:
    try:
        return query(db, "select count(*) from pages")[0][0]
    except Exception:  # noqa: BLE001 — not created yet, or its tables not yet
        return 0
from dns_responder import DNSResponder, Zone


def test_ctrl_c_then_resume_loses_and_duplicates_nothing(demo_site, demo_db, tmp_path):
    db = tmp_path / "resume.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "zwgk.cli", "crawl", demo_site["v4"] + "/", "--db", str(db), "--quiet",
         "--delay", "0.05", "--per-host", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "CI": "1"},
    )
    # interrupted once it has stored some pages (a bounded wait: a loaded machine starts slowly)
    wait_until(lambda: _stored_pages(db) > 0 or proc.poll() is not None, "the first pages stored", 90)
    assert proc.poll() is None, "the crawl finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    proc.communicate(timeout=120)
    (status,), = query(db, "select status from scans")
    assert status == "interrupted"
    partial = query(db, "select count(*) from pages")[0][0]
    full = {u for (u,) in query(demo_db, "select url from pages")}
    assert 0 < partial < len(full)

    run_zwgk("crawl", demo_site["v4"] + "/", "--db", db, "--quiet", "--resume", *FAST)
    assert query(db, "select id, status from scans") == [(1, "finished")]
    resumed = [u for (u,) in query(db, "select url from pages")]
    assert len(resumed) == len(set(resumed))
    assert set(resumed) == full
    for table, key in (("documents", "url"), ("column_items", "column_url || item_url"), ("columns", "url"), ("links", "source_url || target_url || tag || position")):
        assert query(db, f"select count(*), count(distinct {key}) from {table}") == query(demo_db, f"select count(*), count(distinct {key}) from {table}"), table


def test_resolve_pins_a_name_like_curl(demo_site, tmp_path):
    port = demo_site["v4"].rsplit(":", 1)[1]
    db = tmp_path / "pinned.db"
    run_zwgk("crawl", f"http://www.demo.test:{port}/", "--db", db, "--quiet", "--max-depth", "1",
             "--no-link-check", "--resolve", f"www.demo.test:{port}:127.0.0.1", *FAST)
    rows = dict(query(db, "select url, status from pages where kind = 'home'"))
    assert rows == {f"http://www.demo.test:{port}/": 200}


def test_dns_server_answers_every_lookup(demo_site, tmp_path):
    port = demo_site["v4"].rsplit(":", 1)[1]
    zone = Zone({("www.demo.test", "A"): ["127.0.0.1"], ("portal.demo.test", "CNAME"): ["www.demo.test."]})
    db = tmp_path / "dns.db"
    with DNSResponder(zone) as (host, dns_port):
        run_zwgk("crawl", f"http://portal.demo.test:{port}/", "http://nowhere.demo.test/", "--db", db, "--quiet",
                 "--max-depth", "1", "--no-link-check", "--dns-server", f"{host}:{dns_port}", *FAST)
    pages = {u: (s, e) for u, s, e in query(db, "select url, status, error_kind from pages where depth = 0")}
    assert pages[f"http://portal.demo.test:{port}/"] == (200, None)  # CNAME followed
    assert pages["http://nowhere.demo.test/"] == (None, "dns")  # NXDOMAIN from our server
    assert ("portal.demo.test.", "A") in zone.queries and ("nowhere.demo.test.", "A") in zone.queries
