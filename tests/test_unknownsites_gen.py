"""Self-tests of the tests/unknownsites generator: deterministic, serves what its truth says over
plain urllib, renders what its truth says in Chromium, and covers the whole mechanism space."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter

import pytest

from tests.browser import browser_page
from tests.unknownsites import SPACE, generate, serve
from tests.unknownsites.client import build_request, fetch_page
from tests.unknownsites.site import site_features

HTTP_SEEDS = [0, 3, 7, 11, 19, 23, 31, 42]
NOTICES = ("暂无相关信息", "暂无数据")


def status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_deterministic():
    for seed in (5, 17):
        a, b = generate(seed), generate(seed)
        assert a.truth == b.truth
        assert {p: (r.status, r.body, r.content_type) for p, r in a.routes.items()} == \
               {p: (r.status, r.body, r.content_type) for p, r in b.routes.items()}
        assert sorted(a.handlers) == sorted(b.handlers)
    assert generate(5).truth != generate(6).truth


def test_truth_shape():
    for seed in range(10):
        t = generate(seed).truth
        assert 20 <= len(t["documents"]) <= 70
        assert 3 <= len(t["columns"]) <= 7
        assert set(t["findings"]) == set(t["exact_rules"])
        listed = [u for c in t["columns"] for u in c["docs"]]
        assert sorted(listed) == sorted(t["documents"])
        assert t["findings"]["freshness.blank_column"] == {c["url"] for c in t["columns"] if c["empty"]}
        for c in t["columns"]:
            assert c["pages"] == max(1, -(-len(c["docs"]) // c["size"]))


@pytest.mark.parametrize("seed", HTTP_SEEDS)
def test_served_over_http(seed):
    site = generate(seed)
    t = site.truth
    with serve(site) as srv:
        assert status(srv.home) == 200 and status(srv.url(t["section"])) == 200
        assert status(srv.url("@@ORIGIN@@/no/such/page.html")) == 404
        for url in t["documents"]:
            assert status(srv.url(url)) == 200, url
            assert status(srv.url(url), "HEAD") == 200
        for c in t["columns"]:
            assert status(srv.url(c["url"])) == 200
            for lp in c["list_pages"]:
                assert status(srv.url(lp)) == 200, lp
            api = c["api"]
            if not api:
                continue
            docs = [srv.url(u) for u in c["docs"]]
            for k in range(1, c["pages"] + 1):
                st, rows, total = fetch_page(api, k, srv.url)
                assert st == 200
                assert [r[0] for r in rows] == docs[(k - 1) * c["size"]: k * c["size"]], (c["key"], k)
                titles = [t["documents"][u]["title"] for u in c["docs"][(k - 1) * c["size"]: k * c["size"]]]
                assert [r[1] for r in rows] == titles
            st, rows, _ = fetch_page(api, c["pages"] + 1, srv.url)
            assert [r[0] for r in rows] == ([] if api["past_end"] == "empty" else docs[: c["size"]])
            hits = [h for h in srv.log if h.kind == "api" and h.column == c["key"]]
            assert [h.page for h in hits][-1] == (1 if api["past_end"] == "first" and c["docs"] else c["pages"] + 1)
            if api["method"] == "POST":   # the wrong method is refused
                assert status(build_request(api, 1, srv.url).full_url, "GET") == 405
        assert all(h.status for h in srv.log) and srv.log[0].target == "/"


def _browser_seeds(limit: int = 5) -> list[int]:
    """A few seeds covering the list kinds, transports, formats, places, pagers and notices."""
    wanted = {f for f in (f"{d}:{v}" for d in ("kind", "transport", "format", "place", "pager", "notice",
                                              "frame_inner", "detail") for v in SPACE[d])}
    feats = {s: set(site_features(generate(s))) & wanted for s in range(50)}
    chosen = []
    while wanted and len(chosen) < limit:
        best = max(feats, key=lambda s: (len(feats[s] & wanted), -s))
        chosen.append(best)
        wanted -= feats.pop(best)
    return chosen


VISIBLE_LINKS = """sel => Array.from(document.querySelectorAll(sel + ' a[href]'))
    .filter(a => a.getClientRects().length > 0 && getComputedStyle(a).visibility !== 'hidden').map(a => a.href)"""


def test_rendered_in_chromium():
    with browser_page() as page:
        page.set_default_timeout(8000)
        for seed in _browser_seeds():
            site = generate(seed)
            t = site.truth
            with serve(site) as srv:
                for c in t["columns"]:
                    page.goto(srv.url(c["url"]), wait_until="load")
                    m = c["mechanism"]
                    where = page
                    if c["framed"]:
                        where = page.wait_for_selector("iframe").content_frame()
                        where.wait_for_load_state("load")
                        m = m["inner"]
                    box = "#" + m["box"]
                    want = [srv.url(u) for u in c["docs"][: c["size"]]]
                    if c["empty"]:
                        where.wait_for_function("t => document.body.innerText.includes(t)", arg=m["notice_text"])
                        assert where.evaluate(VISIBLE_LINKS, box) == []
                        continue
                    where.wait_for_function("([sel, n]) => document.querySelectorAll(sel + ' a[href]').length >= n",
                                            arg=[box, len(want)])
                    page.wait_for_timeout(50)
                    assert where.evaluate(VISIBLE_LINKS, box) == want, (seed, c["key"], m["kind"])
                    text = where.evaluate("document.body.innerText")
                    assert not any(n in text for n in NOTICES), (seed, c["key"])
                    if c["spa"]:
                        doc = c["docs"][0]
                        fields = t["documents"][doc]["fields"]
                        page.goto(srv.url(doc), wait_until="load")
                        page.wait_for_function("v => document.body.innerText.includes(v)", arg=fields["索引号"])
                        text = page.evaluate("document.body.innerText")
                        for label, value in fields.items():
                            assert label in text and value in text, (label, value)


def test_mechanism_space_covered():
    hist = Counter()
    for seed in range(50):
        hist.update(site_features(generate(seed)))
    print("\nmechanism histogram over seeds 0..49:")
    for dim, values in SPACE.items():
        print(f"  {dim:14} " + "  ".join(f"{v}={hist[f'{dim}:{v}']}" for v in values))
    missing = [f"{d}:{v}" for d, vs in SPACE.items() for v in vs if hist[f"{d}:{v}"] < 2]
    assert not missing, missing
