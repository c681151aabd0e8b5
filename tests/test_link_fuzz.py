"""Any href either parses to a canonical URL or is recorded as malformed: no exception escapes
page extraction (which every spider callback runs), whatever the page links.

Hrefs are drawn at random and by mutating real hrefs seen on the corpus pages; they are put in
body links, pager links (下一页, 尾页, page numbers) and a Hanweb nextgroup, so the pagination
adapters see them too. Fixed derandomised examples, so a failure reproduces in CI.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract.page import extract_page
from crawler.scope import Scope
from crawler.urls import canonical, page_identity

REAL_HREFS = [
    "./P020231214328379985986.pdf", "../../zwgk/zfxxgk/gwhwj/hzgfxwj/201603/t20160303_79824.htm",
    "/art/2020/8/2/art_1352_104.html", "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html",
    "index_1.html", "list.jsp?uid=7&amp;pageNum=2", "/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=110",
    "javascript:void(0)", "#top", "mailto:zwgk@example.gov.cn", "http://[::1]:8080/x", "//www.gov.cn/zhengce/",
    "/uploadfile/2026/依申请公开流程图.docx", "show.jsp?lm=公示&id=3", "HTTP://WWW.EXAMPLE.GOV.CN:80/A/B.html#c",
]
MUTATIONS = ["", ":", "::", "[", "]", "%", "%zz", "\\", " ", "\t", "\x00", "@", "#", "?", ":99999", ":-1", "://", "\u3000", "ﬀ", "..", "http:"]

mutated = st.builds(
    lambda base, at, piece: base[:at % (len(base) + 1)] + piece + base[at % (len(base) + 1):],
    st.sampled_from(REAL_HREFS), st.integers(min_value=0, max_value=200), st.sampled_from(MUTATIONS) | st.text(max_size=6),
)
hrefs = st.lists(mutated | st.text(max_size=40) | st.sampled_from(REAL_HREFS), min_size=1, max_size=12)
PAGE_URL = "http://www.example.gov.cn/zwgk/tzgg/index.html"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(hrefs)
def test_no_href_breaks_extraction(links):
    body = "".join(f"<li><a href='{escape(h)}'>文件{i}</a><span>2026-11-0{i % 9 + 1}</span></li>" for i, h in enumerate(links))
    pager = "".join(f"<a href='{escape(h)}'>{label}</a>" for h, label in zip(links, ["下一页", "尾页", "2", "3"]))
    nextgroup = f"<script type='text/xml'><datastore><nextgroup><![CDATA[<a href=\"{links[0]}\">]]></nextgroup></datastore></script>"
    html = f"<html><body><ul>{body}</ul><div>{pager} 共3页</div>{nextgroup}</body></html>".encode("utf-8", "surrogatepass")
    page = extract_page(PAGE_URL, html, "text/html; charset=utf-8")
    scope = Scope([PAGE_URL])
    for link in page.links:
        if link.malformed:
            continue
        assert canonical(link.url) == link.url
        link.url in scope  # noqa: B015 (must not raise)
        page_identity(link.url)
    for item in page.items:
        assert canonical(item.url) == item.url
    if page.pagination is not None:
        for request in list(page.pagination.pages)[:5]:
            assert request.url
