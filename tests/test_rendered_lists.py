"""A list that only a browser shows (an unknown CMS whose list page fetches its items as JSON):
rendered once in the system Chromium, its documents crawled; without rendering the column is
reported as script-only, never as 空白栏目."""

from __future__ import annotations

import json
import os
import re

import pytest

from browser import CHROMIUM
from conftest import query, run_zwgk
from http_site import page, serve

META = '<meta name="SiteName" content="示范市人民政府"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3599000001">'
DOCS = 7
LIST_SCRIPT = """<ul id="list"></ul><script>
fetch('/api/list?column=tzgg&page=1').then(r => r.json()).then(data => {
  document.getElementById('list').innerHTML = data.rows.map(
    row => '<li><a href="' + row.link + '">' + row.name + '</a><span>' + row.date + '</span></li>').join('');
});
</script>"""


def answer(method, path, query_string, body):
    if path == "/":
        return 200, {}, page("首页", "<a href='/xxgk/tzgg/'>通知公告</a>", META), 0
    if path == "/xxgk/tzgg/":
        head = META + '<meta name="ColumnName" content="通知公告"><meta name="ColumnType" content="通知公告">'
        return 200, {}, page("通知公告", LIST_SCRIPT, head), 0
    if path == "/api/list":
        rows = [{"name": f"通知{k}", "link": f"/xxgk/tzgg/doc{k}.html", "date": "2026-11-0" + str(k)} for k in range(1, DOCS + 1)]
        return 200, {"Content-Type": "application/json"}, json.dumps({"rows": rows}, ensure_ascii=False).encode(), 0
    if re.fullmatch(r"/xxgk/tzgg/doc\d\.html", path):
        return 200, {}, page("通知", "<h1>通知</h1><p>发布日期：2026-11-02</p>", META + '<meta name="ArticleTitle" content="通知">'), 0
    return 404, {}, page("404", "页面不存在"), 0


def audit(tmp_path, *extra):
    with serve(answer) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp_path / "r.db", "--out", tmp_path / "out", "--format", "json",
                 "--no-ipv6", "--as-of", "2026-11-10", "--quiet", "--fail-on", "never", *extra)
        findings = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
        return server.base, {(f["rule"], f["url"].replace(server.base, "")) for f in findings}


def test_script_only_list_is_rendered_and_crawled(tmp_path):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ZWGK_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    base, findings = audit(tmp_path)
    docs = {u.replace(base, "") for (u,) in query(tmp_path / "r.db", "select item_url from column_items")}
    assert docs == {f"/xxgk/tzgg/doc{k}.html" for k in range(1, DOCS + 1)}
    assert query(tmp_path / "r.db", "select count(*) from documents") == [(DOCS,)]
    assert query(tmp_path / "r.db", "select column_url from rendered") == [(base + "/xxgk/tzgg/",)]
    assert not {f for f in findings if f[0] in ("freshness.blank_column", "crawl.script_only_column")}


def test_without_rendering_the_column_is_script_only_not_blank(tmp_path):
    base, findings = audit(tmp_path, "--no-render")
    assert ("crawl.script_only_column", "/xxgk/tzgg/") in findings
    assert not {f for f in findings if f[0] == "freshness.blank_column"}
    assert query(tmp_path / "r.db", "select kind from columns where url like '%/xxgk/tzgg/'") == [("script_only",)]
