"""`zwgk crawl` on the demo portal served on 127.0.0.1: every page, column item and document."""

import json
import re

import pytest

from conftest import FAST, query, run_zwgk
from zwgk.demo.portal import DemoPortal

MODEL = DemoPortal()
# column URL path → (pagination style, items listed)
EXPECTED_COLUMNS = {
    "/zwgk/gzdt/": ("trs", 45),  # createPageHTML, index_1 … index_2
    "/zwgk/tzgg/": ("trs", 30),  # var countPage, .shtml, GBK
    "/col/col1001/": ("hanweb", 37),  # dataproxy.jsp POST, totalRecord in the script
    "/col/col1002/": ("hanweb", 23),  # dataproxy.jsp POST, total only in <totalrecord>
    "/zwgk/zcjd/list.jsp": ("query", 21),  # ?page=N, 共N页
    "/zwgk/rsxx/": ("links", 20),  # 下一页 / 尾页 → list_N.html
    "/zwgk/ndbg/": (None, 3),
    "/zwgk/gkzn/": (None, 0),
    "/zwgk/czxx/": (None, 0),
    "/zwgk/tjxx/": (None, 0),
    "/": (None, 8),  # the home page's latest items
    "/hdjl/szxx/": (None, 12),  # 互动交流 · 市长信箱: 12 letters, each a page of its own
}
LETTERS = {f"/hdjl/szxx/{n}.html" for n in range(1, 13)}  # stored as documents beside the model's 179


def column_identity(path_or_url):
    """Columns are stored under their directory URL (dir/index.html is dir/)."""
    return re.sub(r"/index\.s?html$", "/", path_or_url)


def path(url):
    return "/" + url.split("/", 3)[3]


def test_model_matches_expectations():
    counts = {column_identity(c.url): len(c.docs) for c in MODEL.columns}
    for url, (_pager, n) in EXPECTED_COLUMNS.items():
        if url not in ("/", "/hdjl/szxx/"):  # the home page and the 市长信箱 are not disclosure columns of the model
            assert counts[column_identity(url)] == n, url
    assert len(MODEL.docs) == 179


def test_every_column_and_every_item(demo_db):
    rows = query(demo_db, "select url, pager, (select count(*) from column_items i where i.scan_id = c.scan_id and i.column_url = c.url) from columns c")
    found = {path(url): (pager, n) for url, pager, n in rows}
    assert found == EXPECTED_COLUMNS


def test_column_items_are_the_model_documents(demo_db):
    for col in MODEL.columns:
        listed = {path(u) for (u,) in query(demo_db, "select item_url from column_items where column_url like ?", (f"%{column_identity(col.url)}",))}
        assert listed == {d.url for d in col.docs}, col.slug


def test_items_keep_list_date_and_position(demo_db):
    gzdt = MODEL.by_slug["gzdt"]
    pinned = gzdt.docs[-1]
    rows = query(demo_db, "select item_url, listed_date, page_no, position from column_items where column_url like '%/zwgk/gzdt/' order by page_no, position")
    assert path(rows[0][0]) == pinned.url  # an old item pinned on top of page 1
    assert rows[0][1] == pinned.published.isoformat()
    assert [r[2] for r in rows].count(3) == 5  # 45 items, 20 a page
    newest = max(rows, key=lambda r: r[1])
    assert newest[1] == (MODEL.base_date.fromordinal(MODEL.base_date.toordinal() - 2)).isoformat()


def test_every_document_stored_once(demo_db):
    docs = query(demo_db, "select url, kind from documents")
    assert len(docs) == len({u for u, _ in docs}) == 179 + len(LETTERS)
    assert {path(u) for u, _ in docs} == set(MODEL.docs) | LETTERS
    kinds = {path(u): k for u, k in docs}
    assert sum(1 for k in kinds.values() if k == "interpretation") == 21
    assert all(kinds[d.url] == "interpretation" for d in MODEL.by_slug["zcjd"].docs)


def test_page_kinds(demo_db):
    kinds = dict(query(demo_db, "select kind, count(*) from pages group by kind"))
    assert kinds["home"] == 1
    assert kinds["document"] == 158 + len(LETTERS) and kinds["interpretation"] == 21
    assert kinds["attachment"] == 7  # the 7 served attachments, each read (attachments table)
    status = dict(query(demo_db, "select url, status from pages where kind = 'attachment'"))
    assert sorted(status.values()) == [200] * 7
    assert query(demo_db, "select status from pages where url like '%/missing-notice.pdf'") == [(404,)]
    assert query(demo_db, "select count(*) from attachments where text is not null") == [(6,)]  # the scan has no text


@pytest.mark.parametrize("layout_doc, expected", [
    (("gzdt", 0), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("tzgg", 0), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("zcwj", 0), {"index_no": "ok", "category": "script", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("gfxwj", 0), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("zcjd", 0), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("rsxx", 3), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("ndbg", 0), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("gzdt", 6), {"category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
    (("rsxx", 2), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "ok", "title": "ok", "doc_no": "empty", "publish_date": "ok", "validity": "ok"}),
    (("rsxx", 5), {"index_no": "ok", "category": "ok", "publisher": "ok", "written_date": "commented_out", "title": "ok", "doc_no": "ok", "publish_date": "ok", "validity": "ok"}),
])
def test_metadata_variants_field_states(demo_db, layout_doc, expected):
    slug, index = layout_doc
    doc = next(d for d in MODEL.by_slug[slug].docs if d.index == index)
    states = dict(query(demo_db, "select field, state from document_fields where url like ?", (f"%{doc.url}",)))
    assert states == expected


def test_metadata_values_match_the_model(demo_db):
    for doc in MODEL.docs.values():
        if doc.defects & {"bad_publish_date", "no_written_date", "commented_written_date"}:
            continue
        row = query(demo_db, "select title, written_date, publish_date, publisher from documents where url like ?", (f"%{doc.url}",))
        assert row == [(doc.title, doc.written.isoformat(), doc.published.isoformat(), "示范市人民政府办公室")], doc.url


def test_encodings(demo_db):
    gbk = {path(u): (c, d, n) for u, c, d, n in query(demo_db, "select url, charset, charset_declared, charset_note from pages where charset != 'utf-8'")}
    wrong_header = next(d for d in MODEL.by_slug["tzgg"].docs if d.index == 2).url
    assert gbk[wrong_header] == ("gb18030", "header:utf-8 meta:gbk", "declared utf-8 does not decode, gb18030 does")
    gb2312 = MODEL.by_slug["gfxwj"].docs[0].url
    assert gbk[gb2312][1] == "meta:gb2312"
    body = query(demo_db, "select body_text from documents where url like ?", (f"%{gb2312}",))[0][0]
    assert "王喆" in body  # a GBK-only character on a page declared GB2312
    titles = query(demo_db, "select title from documents where url like '%/zwgk/tzgg/%'")
    assert all(t.startswith("示范市通知公告") for (t,) in titles)


def test_links_errors_redirects_and_robots(demo_db, demo_site):
    pages = {path(u) if u.startswith(demo_site["v4"]) else u: (s, k, e) for u, s, k, e in
             query(demo_db, "select url, status, kind, error_kind from pages")}
    assert pages["/zwgk/missing.html"][0] == 404
    assert pages["/zwgk/error.html"][0] == 500
    assert pages["/loop/a.html"][2] == "redirect_loop"
    assert pages["/admin/"][2] == "robots"
    assert pages["/zwgk/busy.html"][0] == 200  # 429 + Retry-After: waited and retried
    refused = [v for u, v in pages.items() if u.startswith("http://127.0.0.1:") and v[2] == "refused"]
    assert len(refused) == 2  # the hidden gambling link and the dead partner site
    assert pages[demo_site["external"] + "/"][0] == 200  # another host: probed, not crawled
    redirect = query(demo_db, "select final_url, redirects from pages where url like '%/zwgk/gzdt/old.html'")[0]
    assert redirect[0].endswith("/zwgk/gzdt/index.html") and len(json.loads(redirect[1])) == 2
    hidden = query(demo_db, "select target_url, anchor, position from links where hidden = 1")
    assert [(a, p) for _, a, p in hidden] == [("澳门葡京赌场", "body")]


def test_other_hosts_are_not_crawled(demo_db, demo_site):
    external = query(demo_db, "select url, probe from pages where url like ?", (demo_site["external"] + "%",))
    assert external == [(demo_site["external"] + "/", 1)]
    assert query(demo_db, "select count(*) from links where source_url like ?", (demo_site["external"] + "%",)) == [(0,)]


def test_scan_row(demo_db):
    (status, start_urls), = query(demo_db, "select status, start_urls from scans")
    assert status == "finished" and json.loads(start_urls)[0].startswith("http://127.0.0.1:")


def test_max_pages_and_depth_bound_the_crawl(demo_site, tmp_path):
    db = tmp_path / "small.db"
    run_zwgk("crawl", demo_site["v4"] + "/", "--db", db, "--quiet", "--max-depth", "1", "--no-link-check", *FAST)
    kinds = dict(query(db, "select kind, count(*) from pages group by kind"))
    assert "document" in kinds  # the home page's latest items are one hop away
    assert kinds.get("document", 0) + kinds.get("interpretation", 0) < 30
    assert query(db, "select status, limited_by from scans") == [("partial", "max_depth")]  # pages left deeper
    db2 = tmp_path / "tiny.db"
    run_zwgk("crawl", demo_site["v4"] + "/", "--db", db2, "--quiet", "--max-pages", "20", *FAST)
    assert query(db2, "select count(*) from pages")[0][0] == 20  # exact: responses in flight are dropped
    assert query(db2, "select status, limited_by from scans") == [("partial", "max_pages")]  # cut short: not the whole site


def test_bad_input_is_a_clear_error(tmp_path):
    proc = run_zwgk("crawl", "ftp://example.gov.cn/", "--db", tmp_path / "x.db", check=False)
    assert proc.returncode == 2 and "not a valid http(s) URL" in proc.stderr
    proc = run_zwgk("crawl", "http://127.0.0.1:1/", "--db", tmp_path / "x.db", "--resolve", "nonsense", check=False)
    assert proc.returncode == 2 and "HOST:PORT:ADDRESS" in proc.stderr


def test_unreachable_host_is_recorded_not_crashed(tmp_path):
    from zwgk.demo.server import free_port

    db = tmp_path / "down.db"
    run_zwgk("crawl", f"http://127.0.0.1:{free_port()}/", "--db", db, "--quiet", *FAST)
    assert query(db, "select kind, error_kind from pages") == [("other", "refused")]


def test_short_column_is_reported_as_incomplete(tmp_path):
    """The real Pingtan list page (75 static items of 107 declared) served on loopback."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from corpus import corpus_file

    body = corpus_file("pingtan__zwgk_ghxx_gzjzqk__lists_index.html").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            ok = self.path == "/zwgk/ghxx/gzjzqk/"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body) if ok else 0))
            self.end_headers()
            if ok:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db = tmp_path / "pt.db"
    try:
        run_zwgk("crawl", f"http://127.0.0.1:{server.server_address[1]}/zwgk/ghxx/gzjzqk/", "--db", db, "--quiet",
                 "--max-depth", "0", "--no-link-check", *FAST)
    finally:
        server.shutdown()
        server.server_close()
    assert query(db, "select pager, declared_records, declared_pages from columns") == [("fujian", 107, 8)]
    assert query(db, "select count(*) from column_items") == [(75,)]
    out = json.loads(run_zwgk("check", "--db", db, "--select", "crawl", "--as-of", "2026-11-20", "--fail-on", "never", "--json").stdout)
    assert out["by_rule"] == {"crawl.incomplete_column": 1}
    evidence = json.loads(query(db, "select evidence from findings")[0][0])
    assert (evidence["declared"], evidence["found"], evidence["pager"]) == (107, 75, "fujian")


def test_progress_on_a_terminal_and_quiet_in_ci(demo_site, tmp_path):
    import os
    import pty
    import select
    import subprocess
    import sys

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([sys.executable, "-m", "zwgk.cli", "crawl", demo_site["v4"] + "/", "--db", str(tmp_path / "p.db"),
                             "--max-depth", "1", "--no-link-check", "--delay", "0.05", "--per-host", "8"],
                            stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    output = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0
    assert "已抓取 fetched".encode() in output and "pages/s".encode() in output
    quiet = run_zwgk("crawl", demo_site["v4"] + "/", "--db", tmp_path / "q.db", "--max-depth", "1", "--no-link-check", *FAST)
    assert "fetched" not in quiet.stderr  # CI=1 and no terminal: no progress display


def test_allow_host_crawls_a_second_host(demo_site, tmp_path):
    other = demo_site["external"].split("//", 1)[1]  # localhost:PORT, the portal under another name
    db = tmp_path / "allow.db"
    run_zwgk("crawl", demo_site["v4"] + "/", "--db", db, "--quiet", "--max-depth", "3", "--allow-host", other, *FAST)
    row = query(db, "select probe, kind, status from pages where url = ?", (demo_site["external"] + "/",))
    assert row == [(0, "column", 200)]  # fetched and parsed, not merely probed
    assert query(db, "select count(*) from links where source_url = ?", (demo_site["external"] + "/",))[0][0] > 10


def test_unknown_format_fails_before_crawling(tmp_path):
    proc = run_zwgk("audit", "http://127.0.0.1:1/", "--db", tmp_path / "f.db", "--format", "odt", check=False)
    assert proc.returncode == 2 and "unknown format" in proc.stderr
    assert not (tmp_path / "f.db").exists()


def test_start_url_redirecting_to_another_host_is_followed(demo_site, tmp_path):
    """example.gov.cn → www.example.gov.cn: the crawl continues where the start URL leads."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    target = demo_site["v4"]

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(301)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    db = tmp_path / "moved.db"
    try:
        run_zwgk("crawl", f"http://127.0.0.1:{server.server_address[1]}/", "--db", db, "--quiet", "--no-link-check", *FAST)
    finally:
        server.shutdown()
        server.server_close()
    (home,) = query(db, "select final_url, kind from pages where depth = 0")
    assert home == (target + "/", "home")
    assert query(db, "select count(*) from documents")[0][0] == 179 + len(LETTERS)


def test_crawl_over_ipv6_loopback(demo_site, tmp_path):
    if not demo_site["v6"]:
        pytest.skip("the machine has no ::1")
    db = tmp_path / "v6.db"
    run_zwgk("crawl", demo_site["v6"] + "/", "--db", db, "--quiet", "--no-link-check", *FAST)
    assert query(db, "select count(*) from documents") == [(179 + len(LETTERS),)]
    assert query(db, "select url from pages where kind = 'home'") == [(demo_site["v6"] + "/",)]
