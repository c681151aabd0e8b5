"""The seeded loop over unknown-platform portals (tests/unknownsites, written without reading the
crawler): every list mechanism drawn from a space — XHR/fetch/JSONP/HTML fragments, GET or POST, the
page parameter under any name in the query, a form, a JSON body or JSON inside a parameter, 0/1-based
pages, offsets, start/end records, totals or none, lists inside same-site iframes, SPA details,
empty notices inside scripts, pager calls with extra arguments.

Per seed, with the system Chromium: every document and every static list page is reached; each
column's documents are listed under that column; the findings of ``truth["exact_rules"]`` are
exactly the planted ones; no column's list API is asked for more than two pages that list nothing
new; the renders are printed. Column URLs are compared as the crawler names a page (``dir/`` and
``dir/index.shtml`` are one page).

The default run (and CI) takes seeds 0..5, about a minute; ``ZWGK_UNKNOWN_SEEDS=50``
runs the issue's whole loop (about ten minutes on two cores). A failure names, per seed, every
document, list page and finding it misses or adds (``python3 -m tests.unknownsites SEED`` serves
that site by hand).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from conftest import FAST, query
from browser import needs_browser
from crawler.urls import page_identity
from tests.unknownsites import generate, serve

SEEDS = range(int(os.environ.get("ZWGK_UNKNOWN_SEEDS") or 6))


def audit(srv, site, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "zwgk.cli", "audit", srv.home, "--db", str(tmp_path / "scan.db"), "--out", str(out),
           "--format", "json", "--no-ipv6", "--no-cloak-check", "--as-of", str(site.truth["as_of"]), "--quiet", "--fail-on", "never", *FAST]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"zwgk audit exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return tmp_path / "scan.db", json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]


@pytest.mark.parametrize("seed", SEEDS)
def test_unknown_platform_site(seed, tmp_path):
    needs_browser()
    site = generate(seed)
    t = site.truth
    with serve(site) as srv:
        db, findings = audit(srv, site, tmp_path)
        log = list(srv.log)
        url = srv.url
        problems = []
        docs = {url(u) for u in t["documents"]}
        got_docs = {u for (u,) in query(db, "select url from documents")}
        if docs - got_docs:
            problems.append(f"documents missing: {len(docs - got_docs)} of {len(docs)}: {sorted(docs - got_docs)[:5]}")
        pages = {u for (u,) in query(db, "select url from pages where status = 200")}
        listed: dict = {}
        for col, item in query(db, "select column_url, item_url from column_items"):
            listed.setdefault(col, set()).add(item)
        for c in t["columns"]:
            lost = {url(p) for p in c["list_pages"]} - pages
            if lost:
                problems.append(f"column {c['name']} ({c['key']}): list pages not fetched: {sorted(lost)[:4]}")
            want = {url(d) for d in c["docs"]}
            have = listed.get(page_identity(url(c["url"])), set())
            if want - have:
                problems.append(f"column {c['name']} ({c['key']}, {c['mechanism'].get('kind')}): {len(want - have)} of "
                                f"{len(want)} documents not listed under {url(c['url'])}")
        for rule in t["exact_rules"]:
            want = {page_identity(url(u)) for u in t["findings"].get(rule, ())}
            have = {page_identity(f["url"]) for f in findings if f["rule"] == rule and not (f.get("evidence") or {}).get("veto")}
            if want != have:
                problems.append(f"{rule}: missing {sorted(want - have)}, unexpected {sorted(have - want)}")
        wasted = Counter(h.column for h in log if h.kind == "api" and not h.items)
        for column, n in wasted.items():
            if n > 2 + 1:  # the render's own empty answer of an empty list aside
                problems.append(f"column {column}: {n} API requests listed nothing")
        lists = query(db, "select coalesce(sum(renders), 0) from rendered")[0][0]
        details = query(db, "select coalesce(sum(renders), 0) from detail_apis")[0][0]
        print(f"seed {seed}: {len(t['columns'])} columns, {len(docs)} documents, renders {lists + details} "
              f"({lists} of lists and pagers, {details} of detail pages)")
    assert not problems, f"seed {seed} (python3 -m tests.unknownsites {seed}):\n  " + "\n  ".join(problems)
