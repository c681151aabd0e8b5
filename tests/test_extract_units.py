"""Extraction building blocks on small inputs and on the corpus list pages."""

import pytest
from lxml import html

from corpus import HANDAN, PINGTAN, read_corpus
from crawler.dates import iso, parse_datetime, url_date
from crawler.encoding import decode_html
from crawler.extract.columns import infer_column_type
from crawler.extract.links import extract_links
from crawler.extract.listing import extract_list_items
from crawler.extract.metadata import extract_metadata
from crawler.extract.page import extract_page
from crawler.pagination import discover


@pytest.mark.parametrize("text, expected", [
    ("2026-03-11", "2026-03-11"),
    ("2026年3月11日", "2026-03-11"),
    ("2026/03/11", "2026-03-11"),
    ("2026.03.11", "2026-03-11"),
    ("发布时间：2026-03-11 14:05", "2026-03-11 14:05:00"),
    ("2026年03月11日 9时30分", "2026-03-11 09:30:00"),
    ("2026-02-30", None),
    ("索引号 000014349/2018-00222", None),
    ("", None),
])
def test_dates(text, expected):
    assert iso(parse_datetime(text)) == expected


def test_url_date_is_a_separate_fallback():
    assert str(url_date("/gszbm/auto23716/202008/t20200802_1352104.html")) == "2020-08-02"
    assert url_date("/zwgk/content/123.html") is None


@pytest.mark.parametrize("body, content_type, charset, note_part", [
    ('<meta charset="gb2312"><p>王喆</p>'.encode("gbk"), "text/html", "gb18030", ""),
    ('<meta charset="gbk"><p>索引号</p>'.encode("gbk"), "text/html; charset=utf-8", "gb18030", "does not decode"),
    ("<p>索引号</p>".encode("gbk"), None, "gb18030", "body is gb18030"),
    ('<meta charset="gbk"><p>索引号</p>'.encode("utf-8"), None, "utf-8", "body is valid utf-8"),
    ("\ufeff<p>索引号</p>".encode("utf-8"), "text/html; charset=gbk", "utf-8", ""),
])
def test_decoding_whatever_is_declared(body, content_type, charset, note_part):
    decoded = decode_html(body, content_type)
    assert decoded.charset == charset
    assert note_part in decoded.note
    assert "索引号" in decoded.text or "王喆" in decoded.text


def test_declared_charset_is_reported_as_written():
    decoded = decode_html('<meta charset="gb2312"><p>x</p>'.encode(), "text/html; charset=GBK")
    assert decoded.declared == "header:gbk meta:gb2312"


@pytest.mark.parametrize("snippet", [
    "<table><tr><td><b>索 引 号：</b></td><td>X-1</td></tr><tr><td><b>发布日期：</b></td><td>2026年3月11日</td></tr></table>",
    "<ul><li>索&ensp;引&ensp;号：<font>X-1</font></li><li>发布日期：<font>2026-03-11</font></li></ul>",
    "<div><p><strong>索引号</strong>：X-1</p><p><strong>发布日期</strong>：2026-03-11</p></div>",
    "<dl><dt>索引号</dt><dd>X-1</dd><dt>发布日期</dt><dd>2026/03/11</dd></dl>",
    "<table><tr><th>索引號</th><td>X-1</td></tr><tr><th>發布日期</th><td>2026.03.11</td></tr></table>",
    "<div><span>索\u3000引\u3000号:</span><span>X-1</span></div><div><span>发&nbsp;布&nbsp;日&nbsp;期:</span><span>2026-03-11</span></div>",
])
def test_metadata_layouts(snippet):
    f = extract_metadata(html.document_fromstring(f"<html><body>{snippet}<p>正文</p></body></html>"))
    assert f["index_no"].value == "X-1"
    assert f["publish_date"].parsed == "2026-03-11"


def test_value_with_a_colon_and_a_hostile_title_stay_text():
    f = extract_metadata(html.document_fromstring(
        "<table><tr><td>标题：</td><td>示范市：&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>"
        "<tr><td>文号：</td><td>示政发〔2026〕1号</td></tr></table>"))
    assert f["title"].value == "示范市：<script>alert(1)</script>"
    assert f["doc_no"].value == "示政发〔2026〕1号"


def test_malformed_html_does_not_break_extraction():
    f = extract_metadata(html.document_fromstring("<div><p><b>索引号：<td>X-9</p></b><li>发布日期：2026-1-2"))
    assert f["index_no"].value == "X-9"
    assert f["publish_date"].parsed == "2026-01-02"


def test_pingtan_static_list_has_all_75_items():
    root = html.document_fromstring(read_corpus("pingtan__zwgk_ghxx_gzjzqk__lists_index.html"))
    items = extract_list_items(root, PINGTAN + "/zwgk/ghxx/gzjzqk/")
    assert len(items) == 75
    assert all(i.listed_date for i in items)
    assert items[2].url == PINGTAN + "/zwgk/ghxx/gzjzqk/202503/t20250321_97999.htm"
    # the list date is not the URL date (t20250408 is listed as 2025-04-03)
    assert items[1].url.endswith("t20250408_98328.htm") and items[1].listed_date == "2025-04-03"


def test_handan_trs_pager_script_gives_all_56_pages():
    text = read_corpus("handan__list.jsp")
    root = html.document_fromstring(text)
    pagination = discover(HANDAN + "/zfwj/jinqixxgk/index.html", text, root)
    assert pagination.pager == "trs"
    assert pagination.total_pages == 56 and pagination.total_records == 6348
    urls = [p.url for p in pagination.pages]  # the claim beyond this page (page 1), made on demand
    assert len(urls) == 55
    assert urls[0] == HANDAN + "/zfwj/jinqixxgk/index_1.html"
    assert urls[-1] == HANDAN + "/zfwj/jinqixxgk/index_55.html"
    assert [p.page_no for p in pagination.pages[:3]] == [2, 3, 4]


def test_handan_home_tabbed_lists_count_hidden_tabs():
    root = html.document_fromstring(read_corpus("handan__index.jsp"))
    items = extract_list_items(root, HANDAN + "/")
    assert [i.listed_date for i in items] == ["2020-07-29", "2020-07-27", "2020-01-23", "2020-04-24"]


@pytest.mark.parametrize("script, pages, last", [
    ('createPageHTML(4, 0, "index", "shtml");', 4, "index_3.shtml"),
    ("var countPage = 3;//共多少页\nvar currentPage = 0; document.write('index_'+n)", 3, "index_2.html"),
    ("new Pager({size: 5, prefix: 'index', suffix: 'htm', current: 0})", 5, "index_4.htm"),
])
def test_trs_pager_variants(script, pages, last):
    text = f"<html><body><ul><li><a href='a.html'>x</a></li></ul><script>{script}</script></body></html>"
    found = discover("http://x.test/col/index.html", text, html.document_fromstring(text))
    # pages 2 … N: page 1 is the column page itself
    assert found.pager == "trs" and len(found.pages) == pages - 1 and found.pages[-1].url.endswith("/col/" + last)


def test_query_and_plain_link_pagers():
    text = "<div>共4页 <a href='?uid=7&pageNum=2'>2</a> <a href='?uid=7&pageNum=2'>下一页</a></div>"
    found = discover("http://x.test/col/list.jsp?uid=7", text, html.document_fromstring(text))
    assert found.pager == "query"
    assert [p.url for p in found.pages][-1] == "http://x.test/col/list.jsp?uid=7&pageNum=4"
    text = "<div><a href='list_2.html'>下一页</a><a href='list_6.html'>尾页</a></div>"
    found = discover("http://x.test/col/index.html", text, html.document_fromstring(text))
    assert found.pager == "links" and [p.page_no for p in found.pages] == [2, 3, 4, 5, 6]


def test_links_position_and_hidden():
    root = html.document_fromstring(
        '<div class="nav"><a href="/a">首页</a></div><div><a href="/b">正文</a><img src="/i.png" alt="图"></div>'
        '<div style="display: none"><a href="http://bad.example.com/">博彩</a></div>'
        '<div class="footer"><a href="javascript:void(0)">x</a><a href="/c">关于</a></div>'
        "<script>var s = '<a href=\"/not-a-link\">';</script>")
    links = {link.url: link for link in extract_links(root, "http://x.test/p/")}
    assert set(links) == {"http://x.test/a", "http://x.test/b", "http://x.test/i.png", "http://bad.example.com/", "http://x.test/c"}
    assert links["http://x.test/a"].position == "nav"
    assert links["http://x.test/b"].position == "body" and not links["http://x.test/b"].hidden
    assert links["http://bad.example.com/"].hidden
    assert links["http://x.test/c"].position == "footer"
    assert links["http://x.test/i.png"].tag == "img" and links["http://x.test/i.png"].anchor == "图"


@pytest.mark.parametrize("meta, name, url, expected", [
    ("政策文件，信息公开", None, "http://x.test/zfwj/", "政策文件"),
    (None, "工作动态", "http://x.test/a/", "工作动态"),
    (None, "栏目", "http://x.test/zwgk/tzgg/index.html", "通知公告"),
    (None, "栏目", "http://x.test/zwgk/abc/", "其他"),
])
def test_column_type_inference(meta, name, url, expected):
    assert infer_column_type(meta, name, url)[0] == expected


def test_extract_command_prints_what_it_found(tmp_path):
    import json

    from conftest import run_zwgk
    from corpus import corpus_file

    proc = run_zwgk("extract", corpus_file("handan__details.jsp"), "--url",
                    HANDAN + "/gszbm/auto23716/202008/t20200802_1352104.html")
    result = json.loads(proc.stdout)
    assert result["kind"] == "document" and result["charset"] == "utf-8"
    assert result["fields"]["index_no"]["value"] == "000014348/2020-35147"
    assert result["fields"]["written_date"]["state"] == "commented_out"
    assert result["meta_tags"]["SiteIDCode"] == "1304000009"
    assert result["publish_date"] == "2020-08-02" and result["publish_date_source"] == "metadata"
    gbk = tmp_path / "page.html"
    gbk.write_bytes('<html><head><meta charset="gbk"><title>测试</title></head><body><p>索引号：A-1</p><p>发布日期：2026年3月1日</p></body></html>'.encode("gbk"))
    result = json.loads(run_zwgk("extract", gbk).stdout)
    assert result["charset"] == "gb18030" and result["title"] == "测试" and result["fields"]["index_no"]["value"] == "A-1"
    missing = run_zwgk("extract", tmp_path / "nope.html", check=False)
    assert missing.returncode == 2 and "no such file" in missing.stderr


# ---- issue 19: block and cell boundaries separate text; what a browser never shows is not text

def test_visible_text_separates_cells_and_blocks_but_not_inline_markup():
    from crawler.extract.visible_text import visible_text
    root = html.fromstring("<div><table><tr><td>男532510198910185748</td><td>13555614818</td><td>综合管理</td></tr></table>"
                           "<p>电话<b>1</b>3</p><p>下一段</p><!-- 注释 -->尾</div>")
    assert visible_text(root) == "男532510198910185748 13555614818 综合管理 电话13 下一段 尾"


def test_visible_text_leaves_out_scripts_templates_and_hidden_elements():
    from crawler.extract.visible_text import visible_text
    root = html.fromstring("<html><head><title>t</title></head><body><ul id='list'></ul>"
                           "<script>if (!rows.length) list.innerHTML = '<li>暂无相关信息</li>';</script>"
                           "<template><li>暂无数据</li></template><div hidden>暂无记录</div>"
                           "<p style='display: none'>没有信息</p><noscript>请启用脚本</noscript><p>正文</p></body></html>")
    assert visible_text(root) == "正文"


def test_stored_body_text_keeps_an_id_number_and_a_mobile_in_adjacent_cells_apart():
    page = extract_page("http://127.0.0.1/zwgk/gsgg/202603/t20260301_1.html",
                        ("<html><head><title>公示</title></head><body><div id='zoom'><table><tr><td>张三</td><td>男532510198910185748</td>"
                         "<td>13555614818</td><td>综合管理</td></tr></table></div></body></html>").encode(), "text/html; charset=utf-8")
    assert "532510198910185748 13555614818" in page.body_text


def test_an_empty_notice_inside_a_script_is_not_the_page_s_empty_notice():
    body = ("<html><head><title>通知公告</title></head><body><ul id='list'></ul><script>"
            "fetch('/api/list?page=1').then(r => r.json()).then(d => { if (!d.rows.length) list.innerHTML = '暂无相关信息'; });"
            "</script></body></html>").encode()
    page = extract_page("http://127.0.0.1/xxgk/tzgg/", body, "text/html; charset=utf-8")
    assert not page.empty_list_notice and page.scripted_list


@pytest.mark.parametrize("script, expected", [
    ('createPageHTML(4, 0, "index", "html");', (4, "index", "html", None)),
    ("createPageHTML('page_div', 4, 1, 'index', 'shtml', 57);", (4, "index", "shtml", 57)),  # container id first
    ("pageNav('pager', '4', 0, 'list', 'shtml', 57)", (4, "list", "shtml", 57)),  # another name, a quoted count
    ("createPageHTML(0, 1, 'index', 'htm', 3)", (1, "index", "htm", 3)),
    ("setTimeout(1, 'a', 'b')", None),
    ("show(5, 'index', 'html', 2)", None),  # a "record count" below the page count is not one
])
def test_pager_calls_are_read_by_what_each_argument_is(script, expected):
    from crawler.pagination.trs import pager_call
    assert pager_call(script) == expected


def test_a_pager_call_s_base_name_must_be_the_page_s_own():
    from crawler.pagination.trs import pager_call
    call = "createPageHTML('page_div', 4, 1, 'index', 'shtml', 57);"
    assert pager_call(call, "http://127.0.0.1/zwgk/tzgg/") == (4, "index", "shtml", 57)
    assert pager_call(call, "http://127.0.0.1/zwgk/tzgg/index_2.shtml") == (4, "index", "shtml", 57)
    # pageNav('zhu', 1, 'pg_box', 'shtml', 2): the name before the extension is a container, not zhu.shtml's base
    assert pager_call("pageNav('zhu', 1, 'pg_box', 'shtml', 2);", "http://127.0.0.1/xxgk/lim/zhu.shtml") is None
