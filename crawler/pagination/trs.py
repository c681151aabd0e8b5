"""TRS WCM static lists: ``index.html`` is page 1, ``index_1.html`` page 2 … ``index_{N-1}``.

The pager is an inline script, so the links exist only in a browser: the page count is read
from the script itself — the stock ``createPageHTML(N, cur, "index", "html")`` or any call of that
meaning whatever its name, number and order of arguments (``pager_call``), the hand-written
``var countPage = N`` (Handan) or a ``new Pager({size: N, prefix: 'index', suffix: 'html'})``.
"""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urljoin, urlsplit

from crawler.pagination import PageRange, PageRequest, Pagination, matching
from crawler.urls import page_identity

# any script call whose arguments hold numbers, a base name and a page extension:
# createPageHTML(4, 0, "index", "html"), createPageHTML('page_div', 4, 1, 'index', 'shtml', 57), pageNav(…)
PAGER_CALL = re.compile(r"\b[A-Za-z_$][\w$.]*\s*\(([^()]{3,300})\)")
_ARG = re.compile(r"""\s*(?:(?P<q>['"])(?P<s>[^'"]*)(?P=q)|(?P<n>\d+))\s*$""")
PAGE_EXTS = {"html", "htm", "shtml", "jsp", "php", "asp", "aspx"}
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
COUNT_RECORDS = re.compile(r"\b(?:countnum|recordCount|countNum)\s*[=:]\s*['\"]?(\d+)", re.I)
PAGER_OBJ = re.compile(r"new\s+Pager\(\s*\{([^}]*)\}", re.S)


def _ext_of(url: str, text: str = "") -> str:
    """The list pages' extension: the page's own, else what its pager script writes
    (``index.htm`` in a 首页 link, ``"."+"shtml"``), else html."""
    m = (re.search(r"\.(s?html?)$", urlsplit(url).path) or re.search(r"\bindex(?:_\d+)?\.(s?html?)\b", text)
         or re.search(r"""\.["']\s*\+\s*["'](s?html?)\b""", text))
    return m[1] if m else "html"


def _pagination(url: str, count: int, prefix: str, ext: str, total_records: int | None) -> Pagination:
    """Page 1 is ``prefix.ext`` (this page, unless the column page is another file), page k is
    ``prefix_{k-1}.ext``; the script's count is a claim, followed lazily by the spider."""
    make = partial(_page, url, prefix, ext)
    # page 1 is this page, also when it was reached as dir/ or with a search query (?kw=)
    first = 1 if page_identity(make(1).url) != page_identity(urljoin(url, urlsplit(url).path)) else 2
    own = re.compile(re.escape(urljoin(url, prefix)) + r"(?:_\d+)?\." + re.escape(ext) + "$")
    return Pagination("trs", PageRange(first, count, make), count, total_records, owns=matching(own))


def _page(url: str, prefix: str, ext: str, k: int) -> PageRequest:
    return PageRequest(urljoin(url, f"{prefix}.{ext}" if k == 1 else f"{prefix}_{k - 1}.{ext}"), k)


def pager_call(text: str, url: str | None = None) -> tuple[int, str, str, int | None] | None:
    """(page count, base name, extension, record count or None) of a pager call, read by what each
    argument is whatever their number and order: the extension is a quoted html/shtml/jsp …, the
    base name the quoted name before it, the numbers before the base name are the page count (the
    larger) and the current page (0 or 1 on the first page), a number after the extension the record
    count. Other quoted arguments (a container id) are passed over. Given the page's ``url``, the
    base name must be the page's own file name (``index`` for a directory): otherwise the call is
    not read here (what its pages are called is then seen in the rendered page)."""
    stem = None
    if url is not None:
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0] if name else "index"
    for m in PAGER_CALL.finditer(text):
        args = [_ARG.match(a) for a in m[1].split(",")]
        if len(args) < 3 or not all(args):
            continue
        ext_at = next((i for i, a in enumerate(args) if a["s"] is not None and a["s"].lower() in PAGE_EXTS), None)
        if ext_at is None or ext_at == 0 or args[ext_at - 1]["s"] is None or not re.fullmatch(r"[\w.-]+", args[ext_at - 1]["s"]):
            continue
        if stem is not None and re.sub(r"_\d+$", "", stem) != args[ext_at - 1]["s"]:
            continue
        before = [n for n in map(_number, args[:ext_at - 1]) if n is not None]
        after = [n for n in map(_number, args[ext_at + 1:]) if n is not None]
        if not before:
            continue
        count = max(before)
        records = max(after) if after else None
        if records is not None and records < count:
            continue  # not a record count: not a pager call as known
        return max(count, 1), args[ext_at - 1]["s"], args[ext_at]["s"], records
    return None


def _number(arg: re.Match) -> int | None:
    """An argument's number, written as a number or as a quoted one ("4")."""
    text = arg["n"] or (arg["s"] if arg["s"] and arg["s"].isdigit() else None)
    return int(text) if text else None


def detect(url: str, text: str, root) -> Pagination | None:
    records = COUNT_RECORDS.search(text)
    total_records = int(records[1]) if records else None
    call = pager_call(text, url)
    if call:
        count, base, ext, records = call
        return _pagination(url, count, base, ext, records if records is not None else total_records)
    m = PAGER_OBJ.search(text)
    if m:
        conf = dict(re.findall(r"(\w+)\s*:\s*['\"]?([\w.-]+)['\"]?", m[1]))
        count = next((int(conf[k]) for k in ("size", "count", "pageCount", "total") if conf.get(k, "").isdigit()), None)
        if count:
            return _pagination(url, count, conf.get("prefix", "index"), conf.get("suffix", _ext_of(url, text)), total_records)
    m = COUNT_PAGE.search(text)
    if m and ("index_" in text or "currentPage" in text):  # Handan writes "index"+"_"+nextPage
        # the extension as the pager script itself writes it (not the navigation's links)
        return _pagination(url, int(m[1]), "index", _ext_of(url, text[m.start():m.start() + 3000]), total_records)
    return None
