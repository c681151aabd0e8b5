"""Everything the audit needs from one fetched page, in one pass over one parsed tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from crawler.dates import iso, parse_datetime, url_date
from crawler.encoding import decode_html
from crawler.extract.columns import infer_column_type
from crawler.extract.errors import soft_404_reason
from crawler.extract.links import FOOTER_MARKER, Link, extract_links
from crawler.extract.listing import DOCUMENT_URL, ListItem, extract_list_items
from crawler.extract.messages import Message, list_messages, may_hold_messages, page_message
from crawler.extract.meta_tags import extract_footer_identity, extract_meta_tags
from crawler.extract.metadata import Field, extract_metadata
from crawler.extract.visible_text import visible_text
from crawler.pagination import PageRequest, Pagination, discover, fujian
from crawler.text import clean
from crawler.text_marks import MarkSpec, marks

ATTACHMENT_EXT = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|wps|et|dps|ofd|zip|rar|7z|tar|gz|txt|csv|rtf|ceb|caj|mp4|mp3|avi|flv|jpg|jpeg|png|gif|bmp)$",
    re.I,
)
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml")
BODY_SELECTORS = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@id='UCAP-CONTENT']",
    "//div[contains(@class, 'trs_editor_view')]",
    "//div[contains(@class, 'TRS_UEDITOR')]",
    "//*[@id='zoom' or @id='Zoom']",
    "//*[@id='wenzhang-content']",
    "//div[contains(@class, 'article_zoom')]",
    "//div[contains(@class, 'article-content') or contains(@class, 'pages_content') or contains(@class, 'zfxxgk_zw_content')]",
    "//*[@id='ivs_content']",
)
INTERPRETATION_TITLE = re.compile(r"解读|答记者问|图解|一图读懂")
INTERPRETATION_URL = re.compile(r"/(?:zcjd|jd|jdhy)/", re.I)
EMPTY_LIST_TEXT = re.compile(r"暂无(?:信息|数据|内容|记录|相关信息)|没有(?:信息|记录|数据)|无相关信息")
MAX_BODY_CHARS = 200_000
PAGE_CHROME = frozenset({"nav", "footer", "header"})  # left out of a page's body when no body container is known
MAX_FOOTER_CHARS = 2_000


@dataclass
class PageExtract:
    url: str
    kind: str  # home | column | document | interpretation | attachment | error | other
    charset: str | None = None
    charset_declared: str | None = None
    charset_note: str | None = None
    title: str = ""
    meta_tags: dict[str, str] = field(default_factory=dict)
    footer: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    pagination: Pagination | None = None
    body_text: str = ""
    doc_title: str = ""
    publish_date: str | None = None
    publish_date_source: str | None = None  # metadata | meta | url (url = fallback only)
    column_name: str | None = None
    column_type: str | None = None
    column_type_source: str | None = None
    empty_list_notice: bool = False
    error_reason: str | None = None  # a soft 404: "title" or "text" (crawler.extract.errors)
    footer_text: str = ""  # the page's footer as text: hijackers write gambling names there (content.spam_text)
    scripted_list: bool = False  # lists nothing itself but its scripts fetch data: a list only a browser shows
    framed_list: bool = False  # lists nothing itself but frames a page of its own site: the frame holds its list
    script_pager: bool = False  # lists items but shows no pager, while a script call with numbers may draw one
    related_lookup: PageRequest | None = None  # Fujian: the request that finds the page's 解读/policy partners
    text_marks: tuple[str, ...] = ()  # the content rules this document's text may concern (crawler.text_marks)
    # a consulting board's messages (留言): the rows of a list page, or the one message a page shows
    messages: list[Message] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "url": self.url,
            "kind": self.kind,
            "charset": self.charset,
            "charset_declared": self.charset_declared,
            "charset_note": self.charset_note,
            "title": self.title,
            "document_title": self.doc_title,
            "publish_date": self.publish_date,
            "publish_date_source": self.publish_date_source,
            "fields": {k: v.as_dict() for k, v in self.fields.items()},
            "meta_tags": self.meta_tags,
            "footer_identity": self.footer,
            "column": {"name": self.column_name, "type": self.column_type, "type_source": self.column_type_source}
            if self.kind in ("column", "home") else None,
            "items": [vars(i) for i in self.items],
            "pagination": {
                "pager": self.pagination.pager,
                "total_pages": self.pagination.total_pages,
                "total_records": self.pagination.total_records,
                # a claim of 999 999 pages is summarised, not listed: the count, the first and the last
                **({"pages": [vars(p) for p in self.pagination.pages]} if len(self.pagination.pages) <= PAGES_LISTED else
                   {"pages_claimed": len(self.pagination.pages), "first_page": vars(self.pagination.pages[0]),
                    "last_page": vars(self.pagination.pages[-1])}),
            } if self.pagination else None,
            "links": [link._asdict() for link in self.links],
            "body_text": self.body_text[:2000],
        }


PAGES_LISTED = 20  # pager pages an extraction lists one by one


def is_attachment_url(url: str) -> bool:
    return bool(ATTACHMENT_EXT.search(urlsplit(url).path))


def is_html(content_type: str | None, url: str) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() in HTML_TYPES
    return not is_attachment_url(url)


def _body_text(root) -> str:
    for xpath in BODY_SELECTORS:
        found = root.xpath(xpath)
        if found:
            return " ".join(visible_text(el) for el in found)[:MAX_BODY_CHARS]
    body = root.find("body")
    if body is None:
        return ""
    return visible_text(body, skip=PAGE_CHROME)[:MAX_BODY_CHARS]


SCRIPT_FETCH = re.compile(r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|post|getJSON)\s*\(|\.load\s*\(\s*['\"]|\baxios\b|/api/|\.json\b"
                          r"|dataproxy|listApi|createElement\s*\(\s*['\"]script['\"]", re.I)


def _fetches_by_script(root, url: str) -> bool:
    """Its scripts fetch data (an inline request, a list/api script), or it waits for a script file
    of its own site to fill an empty list or content container."""
    scripts = list(root.iter("script"))
    if any(SCRIPT_FETCH.search(s.text or "") or s.get("src", "").endswith(("list.js", "api.js")) for s in scripts):
        return True
    host = urlsplit(url).netloc.lower()
    own = [s for s in scripts if s.get("src") and urlsplit(urljoin(url, s.get("src").strip())).netloc.lower() == host]
    return bool(own) and any(_CONTAINER_NAME.search(f"{el.get('id') or ''} {el.get('class') or ''}") and
                             not _NOT_CONTAINER.search(f"{el.get('id') or ''} {el.get('class') or ''}")
                             for el in _EMPTY_CONTAINERS(root))


_CONTAINER_NAME = re.compile(r"list|lst|item|row|data|news|doc|detail|article|art|content|con\b|body|meta|info|result|zw|txt|title|tbody", re.I)
_NOT_CONTAINER = re.compile(r"clear|clr|\bcl\b|line|space|blank|banner|ad\b|logo|icon|img|pic", re.I)
# an empty list or content container with a name: what a page's script file fills
_EMPTY_CONTAINERS = etree.XPath(
    "//body//*[self::ul or self::ol or self::tbody or self::table or self::div or self::section or self::dl]"
    "[not(*) and not(normalize-space())][@id or @class][not(ancestor::header or ancestor::footer or ancestor::nav)]")


_NUMBER_ARGS = re.compile(r"\b[A-Za-z_$][\w$.]*\s*\((?=[^()]*\b\d+\b[^()]*,[^()]*\b\d+\b)[^()]{3,300}\)")


def _pager_script(root) -> bool:
    """An inline script calls a function with two or more numbers (page count, current page,
    record count …): a pager its script draws, e.g. ``renderPg(9, 2, 0)``."""
    return any(_NUMBER_ARGS.search(s.text or "") for s in root.iter("script") if not s.get("src"))


# The elements that can be a footer block: <footer>, or an id or class for FOOTER_MARKER to read
# (XPath picks them in C; walking all elements in Python cost half a millisecond a page).
_FOOTER_CANDIDATES = etree.XPath("descendant-or-self::*[self::footer or @id or @class][not(self::script or self::style)]")


def footer_text(root) -> str:
    """The text of the page's footer blocks (<footer>, or class/id footer, bottom, copyright …)."""
    parts, taken = [], set()
    for el in _FOOTER_CANDIDATES(root):
        marker = f'{el.get("id") or ""} {el.get("class") or ""}'
        if el.tag == "footer" or (marker.strip() and FOOTER_MARKER.search(marker)):
            if not any(a in taken for a in el.iterancestors()):
                taken.add(el)
                parts.append(clean(el.text_content()))
    return " ".join(p for p in parts if p)[:MAX_FOOTER_CHARS]


# libxml2 stops reading a page nested deeper than 256 elements (2 048 with huge_tree) and keeps
# only what came before: a page nested 10 000 deep gave no links at all, silently. Deeper markup
# is flattened as browsers do (Chromium nests no deeper than 512: the rest becomes siblings).
HUGE_PARSER = html.HTMLParser(huge_tree=True)  # also lifts libxml2's limits on long text nodes
MAX_DEPTH = 512


class Unparsable(Exception):
    """A page lxml cannot read even flattened: recorded as a page error (crawl.unparsable_page)."""


def _parse(text: str):
    try:
        root = html.document_fromstring(text, parser=HUGE_PARSER)
    except (etree.ParserError, ValueError):
        # lxml refuses unicode strings with an XML declaration and empty documents
        root = html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text) or "<html></html>", parser=HUGE_PARSER)
    too_deep = any("Excessive depth" in e.message for e in HUGE_PARSER.error_log)
    return root, too_deep


def parse_html(body: bytes, content_type: str | None):
    decoded = decode_html(body, content_type)
    text = decoded.text
    root, too_deep = _parse(text)
    if too_deep:
        root, too_deep = _parse(flatten(text, MAX_DEPTH))
        if too_deep:
            raise Unparsable(f"nested deeper than libxml2 reads even after flattening to {MAX_DEPTH}")
    return decoded, text, root


VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                       "track", "wbr", "basefont", "bgsound", "frame", "keygen"})


class _Flatten(HTMLParser):
    """Re-writes markup as it came, except that an element opened deeper than ``limit`` becomes a
    sibling of the one before it, as in a browser: the element open at that depth is closed first
    (and its own end tag, when it comes, dropped). Tokenising only (the standard library's
    html.parser has no depth limit): text, comments and scripts are kept as written."""

    KEPT, SIBLING, CLOSED = 0, 1, 2

    def __init__(self, limit: int):
        super().__init__(convert_charrefs=False)
        self.limit, self.out, self.open, self.kept = limit, [], [], 0  # open: [tag, state]
        self.sibling: list | None = None  # the element open at the deepest level

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            self.out.append(self.get_starttag_text())
            return
        if self.kept < self.limit:
            self.kept += 1
            entry = [tag, self.KEPT]
        else:
            if self.sibling is not None:
                self.out.append(f"</{self.sibling[0]}>")
                self.sibling[1] = self.CLOSED
            entry = self.sibling = [tag, self.SIBLING]
        self.open.append(entry)
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        # the element it closes is near the top of the stack (a stray end tag is looked for no further)
        for i in range(len(self.open) - 1, max(-1, len(self.open) - 65), -1):
            if self.open[i][0] == tag:
                closed = self.open[i:]
                del self.open[i:]
                self.kept -= sum(1 for _, state in closed if state == self.KEPT)
                if any(entry is self.sibling for entry in closed):
                    self.sibling = None
                if closed[0][1] != self.CLOSED:
                    self.out.append(f"</{tag}>")
                return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def flatten(text: str, limit: int) -> str:
    """``text`` with no element nested deeper than ``limit``."""
    parser = _Flatten(limit)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def extract_page(
    url: str,
    body: bytes,
    content_type: str | None = None,
    *,
    is_home: bool = False,
    anchor: str | None = None,
    text_marks: dict[str, MarkSpec] | None = None,
) -> PageExtract:
    if not is_html(content_type, url) or (is_attachment_url(url) and not body.lstrip()[:1] == b"<"):
        return PageExtract(url, "attachment")
    decoded, text, root = parse_html(body, content_type)
    page = PageExtract(url, "other", decoded.charset, decoded.declared or None, decoded.note or None)
    title_el = root.find(".//title")
    page.title = clean(title_el.text_content()) if title_el is not None else ""
    page.meta_tags = extract_meta_tags(root)
    page.fields = extract_metadata(root)
    page.links = extract_links(root, url, decoded.charset)
    with_values = sum(1 for f in page.fields.values() if f.value)
    is_document = not is_home and (with_values >= 2 or bool(page.meta_tags.get("ArticleTitle")))
    if not is_document:  # list rows and pagers matter on list pages only (most pages are documents)
        page.items = extract_list_items(root, url, decoded.charset)
        page.pagination = discover(url, text, root)
        if page.pagination and page.pagination.inline_items:
            known = {i.url for i in page.items}
            page.items += [i for i in page.pagination.inline_items if i.url not in known]
    full_text = visible_text(root)
    page.footer = extract_footer_identity(full_text)
    page.footer_text = footer_text(root)
    page.empty_list_notice = not is_document and bool(EMPTY_LIST_TEXT.search(full_text))
    page.scripted_list = not is_document and not page.items and _fetches_by_script(root, url)
    page.script_pager = not is_document and bool(page.items) and page.pagination is None and _pager_script(root)
    host = urlsplit(url).netloc.lower()
    page.framed_list = not is_document and not page.items and not is_home and any(
        link.tag in ("iframe", "frame") and urlsplit(link.url).netloc.lower() == host for link in page.links)

    h1 = root.find(".//h1")
    page.doc_title = (
        (page.fields["title"].value if "title" in page.fields and page.fields["title"].value else "")
        or page.meta_tags.get("ArticleTitle", "")
        or (clean(h1.text_content()) if h1 is not None else "")
        or page.title
    )
    page.error_reason = None if is_home else soft_404_reason(
        page.title, clean(h1.text_content()) if h1 is not None else "", full_text,
        has_content=with_values >= 2 or bool(page.items),
    )
    if page.error_reason:
        page.kind = "error"
    elif is_home:
        page.kind = "home"
    elif is_document:
        page.kind = "document"
    elif (page.items or page.pagination or page.empty_list_notice or page.scripted_list or page.framed_list
          or "ColumnType" in page.meta_tags or "ColumnName" in page.meta_tags):
        page.kind = "column"
    elif DOCUMENT_URL.search(urlsplit(url).path):
        page.kind = "document"
    if page.kind == "document":
        if (
            INTERPRETATION_TITLE.search(page.doc_title)
            or INTERPRETATION_URL.search(urlsplit(url).path)
        ):
            page.kind = "interpretation"
        page.body_text = _body_text(root)
        page.text_marks = marks(text_marks or {}, page.doc_title, page.body_text)
        page.related_lookup = fujian.related_lookup(url, text)
        published = page.fields.get("publish_date")
        if published and published.parsed:
            page.publish_date, page.publish_date_source = published.parsed[:10], "metadata"
        elif parse_datetime(page.meta_tags.get("PubDate")):
            page.publish_date, page.publish_date_source = iso(parse_datetime(page.meta_tags["PubDate"]).date()), "meta"
        elif url_date(url):
            page.publish_date, page.publish_date_source = url_date(url).isoformat(), "url"
    if page.kind not in ("home", "error", "attachment") and may_hold_messages(full_text):
        page.messages = list_messages(root, url, decoded.charset) if not is_document else []
        if not page.messages and not (page.kind == "column" and page.items):
            found = page_message(url, full_text, page.doc_title)
            page.messages = [found] if found is not None else []
    if page.kind in ("column", "home"):
        page.column_name = page.meta_tags.get("ColumnName") or anchor or page.title
        if page.kind == "home":
            page.column_type, page.column_type_source = "首页", "home"
        else:
            page.column_type, page.column_type_source = infer_column_type(
                page.meta_tags.get("ColumnType"), page.column_name, url
            )
    return page
