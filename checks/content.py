"""Content safety: hidden spam links injected into hijacked pages (暗链/黑链), visible spam text
(a gambling brand written into a footer), personal information published without masking
(身份证号、手机号、银行卡号) in pages and attachments, and attachments that cannot be read."""

from __future__ import annotations

import json
import re
from datetime import date
from itertools import groupby
from operator import itemgetter
from urllib.parse import urlsplit

from checks import lexicon
from checks.registry import Finding, rule
from crawler.attachments import locate
from crawler.scope import bare_host, registered_domain
from crawler.text_marks import MarkSpec

ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})((?:19|20)\d{2})(\d{2})(\d{2})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
CARD_RE = re.compile(r"(?<!\d)(?:62|4\d|5[1-5])\d{14,17}(?!\d)")
# every number the three patterns find has 11 digits in a row: the documents worth reading
# (written out: \d{11} takes Python's regex engine half as long again)
PERSONAL_MARKS = MarkSpec(patterns=(r"\d" * 11,))
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(number: str) -> bool:
    """An 18-digit 居民身份证号码 with a valid date and check digit (GB 11643)."""
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    check = "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS)) % 11]
    return number[17].upper() == check


def luhn(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        n = int(digit)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask(value: str) -> str:
    """Shown in reports as regulators ask it to be published: 138****5678, 3701**********1237."""
    keep = 3 if len(value) == 11 else 4
    return value[:keep] + "*" * (len(value) - keep - 4) + value[-4:]


PERSONAL_NAMES = {"id_number": "身份证号", "mobile": "手机号", "bank_card": "银行卡号"}


def find_personal(text: str, kinds) -> list[tuple[str, str, int]]:
    """(kind, masked value, offset) of every unmasked personal number in ``text``; a masked number
    (138****5678) or an 18-digit number with a wrong check digit is not one."""
    found = []
    if "id_number" in kinds:
        found += [("id_number", mask(m[0]), m.start()) for m in ID_RE.finditer(text) if valid_id(m[0])]
    if "mobile" in kinds:
        found += [("mobile", mask(m[0]), m.start()) for m in MOBILE_RE.finditer(text)]
    if "bank_card" in kinds:
        found += [("bank_card", mask(m[0]), m.start()) for m in CARD_RE.finditer(text) if luhn(m[0]) and not valid_id(m[0][:18])]
    return sorted(found, key=lambda f: f[2])


def _personal_finding(url: str, found: list, extra: dict, what_zh: str = "页面", what_en: str = "") -> Finding:
    kinds = sorted({f[0] for f in found})
    items = [{"kind": k, "masked": v, **({"where": w} if w else {})} for k, v, w in found[:20]]
    return Finding(
        "content.personal_data", url,
        f"{what_zh}公开了未脱敏的{'、'.join(PERSONAL_NAMES[k] for k in kinds)}（{len(found)} 处）",
        f"unmasked personal data published{what_en}: {', '.join(kinds)} ({len(found)})",
        {"items": items, "count": len(found), **extra},
    )


@rule("content.personal_data")
def personal_data(ctx, params):
    """Unmasked 身份证号 (valid check digit), 手机号 and 银行卡号 (Luhn) in document text and in the
    text of attachments (附件: the Excel/PDF/Word lists of 公示 notices), with the attachment's sheet
    row, page or paragraph and the page that links it. Only masked values are ever written."""
    kinds = params["kinds"]
    marked, args = ctx.marked_only("content.personal_data", PERSONAL_MARKS)
    for url, text in stream(ctx, f"select url, body_text from documents where scan_id = ? and body_text is not null and {marked} "
                                 "order by url", args):
        found = [(k, v, None) for k, v, _ in find_personal(text, kinds)]
        if found:
            yield _personal_finding(url, found, {})
    for row in attachment_rows(ctx, "text is not null"):
        found = [(k, v, locate(row["segments"], offset)) for k, v, offset in find_personal(row["text"], kinds)]
        if found:
            yield _personal_finding(
                row["url"], found, {"attachment": row["url"], "linked_from": linking_pages(ctx, row["url"], row["source_url"])},
                "附件", " in an attachment")


def stream(ctx, sql: str, params: tuple = ()):
    """Rows one at a time (document bodies and attachment texts of a large scan do not fit in memory
    at once, unlike ``ctx.rows``)."""
    return ctx.stream(sql, params)


def attachment_rows(ctx, where: str = "1 = 1", columns: str = "a.*", join: str = ""):
    """Rows of the attachments table (none in a database written before attachments were read)."""
    if not ctx.table_columns("attachments"):
        return []
    return stream(ctx, f"select {columns} from attachments a {join} where a.scan_id = ? and {where} order by a.url")


def linking_pages(ctx, url: str, source_url: str | None, limit: int = 20) -> list[str]:
    """The pages that link an attachment: the one it was fetched from first, then the others."""
    pages = [source_url] if source_url else []
    for source in dict.fromkeys(source for source, *_ in ctx.links_to(url)):
        if source not in pages:
            pages.append(source)
    return pages[:limit]


@rule("content.hidden_link")
def hidden_link(ctx, params):
    """Links hidden by inline style that carry spam words or lead to an unrelated host (暗链), one
    finding per target with the pages carrying it (an injected template reaches every page).
    Hidden links to the portal's own organisation are menus, not 暗链: its hosts, hosts under the
    same registered domain (jyj.example.gov.cn beside www.example.gov.cn; the portal's domain is
    also taken from its SiteDomain meta tag) and hosts given with --allow-host."""
    spam = re.compile("|".join(map(re.escape, params["spam_words"])))
    own = own_organisation(ctx)
    # by the partial index on hidden links (storage.sqlite), sorted here: with an ORDER BY SQLite,
    # having no statistics, would walk every link of the scan in the order of another index
    rows = sorted(ctx.stream("select source_url, target_url, anchor, position from links where scan_id = ? and hidden = 1 "
                             "and tag = 'a'"), key=lambda r: (r["target_url"], r["source_url"], r["position"] or ""))
    for target, group in groupby(rows, key=lambda r: r["target_url"]):
        host = (urlsplit(target).hostname or "").lower()
        off_site = ctx.fingerprint_url(target).startswith(("http://", "https://"))
        unrelated = off_site and registered_domain(host) not in own
        pages: set[str] = set()
        anchor = None
        for r in group:
            if unrelated or spam.search(r["anchor"] or ""):
                if not pages:
                    anchor = r["anchor"]
                pages.add(r["source_url"])
        if not pages:
            continue
        pages = sorted(pages, key=lambda u: (u not in ctx.home_urls, u))
        yield Finding(
            "content.hidden_link", pages[0],
            f"页面含隐藏链接（暗链）：「{anchor}」→ {target}（{len(pages)} 个页面）",
            f"hidden link: {anchor!r} → {target} ({len(pages)} page(s))",
            {"target": target, "anchor": anchor, "off_site": off_site,
             "spam_words": bool(spam.search(anchor or "")), "pages": pages[:100], "page_count": len(pages),
             "on_home": pages[0] in ctx.home_urls},
            key=target,
        )


def own_organisation(ctx) -> set[str]:
    """Registered domains of the portal: its start hosts, --allow-host hosts, SiteDomain meta."""
    hosts = {urlsplit(u).hostname or "" for u in ctx.start_urls}
    settings = json.loads(ctx.scan["settings"] or "{}")
    hosts |= {bare_host(h) for h in settings.get("allow_hosts") or ()}
    for (tags,) in ctx.conn.execute("select meta_tags from pages where scan_id = ? and kind = 'home'", (ctx.scan_id,)):
        declared = (json.loads(tags) if tags else {}).get("SiteDomain", "")
        hosts |= {d.strip().lower() for d in re.split(r"[,;\s]+", declared) if d.strip()}
    return {registered_domain(h.lower()) for h in hosts if h}


SPAM_COLUMNS = ("term", "category", "status", "source")
SPAM_NAMES = {"gambling": "赌博", "pornography": "色情", "seo": "垃圾推广"}


def spam_marks(params) -> MarkSpec:
    """The spam terms, case-folded as spam_text folds them, in documents and in what every page
    shows (title, meta tags, footer, link text)."""
    entries = lexicon.load("spam.tsv", SPAM_COLUMNS, params["extra_files"], params["silence"])
    return MarkSpec(literals=tuple(e.term.lower() for e in entries), fold_case=True, page_text=True)


def _spam_texts(ctx, might_carry, spec: MarkSpec):
    """(url, [(field, text, excuse) …]) for everything a visitor or a search engine reads, one
    stored row at a time: document titles and bodies, page titles, meta tags, footer identity,
    visible link text, attachments, and the pages' visible/footer text where the crawler stores it.
    ``excuse`` is text whose crackdown words excuse the whole item (a document's title:
    「我市开展打击赌博专项行动」). Most rows carry no term at all: a row where ``might_carry`` finds
    nothing in all its stored text at once is left out."""
    marked = ctx.marked_only("content.spam_text", spec)
    for r in stream(ctx, f"select url, title, body_text from documents where scan_id = ? and {marked[0]} order by url", marked[1]):
        if might_carry(f"{r['title'] or ''}\n{r['body_text'] or ''}"):
            yield r["url"], [("title", r["title"], None), ("body", r["body_text"], r["title"])]
    page_columns = ctx.table_columns("pages")
    extra = [c for c in ("visible_text", "footer_text", "text") if c in page_columns]  # not stored yet: see the report
    pages_marked = ctx.marked_only("content.spam_text", spec, "url")
    for r in stream(ctx, f"select url, title, meta_tags, footer{''.join(', ' + c for c in extra)} from pages "
                      f"where scan_id = ? and probe = 0 and kind != 'attachment' and {pages_marked[0]} order by url, request_body",
                    pages_marked[1]):
        stored = "\n".join(r[c] or "" for c in ("title", "meta_tags", "footer", *extra))
        if "\\" not in stored and not might_carry(stored):
            continue  # JSON without an escape holds its strings as they are
        yield r["url"], [("page_title", r["title"], None),
                         *((f"meta:{name}", value, None) for name, value in (json.loads(r["meta_tags"]) if r["meta_tags"] else {}).items()),
                         *(("footer", value, None) for value in (json.loads(r["footer"]) if r["footer"] else {}).values()),
                         *((column, r[column], None) for column in extra)]
    links_marked = ctx.marked_only("content.spam_text", spec, "source_url")
    anchors = ctx.stream("select source_url, anchor from links where scan_id = ? and hidden = 0 and anchor is not null "
                         f"and anchor != '' and {links_marked[0]} order by source_url, target_url, tag, position", links_marked[1])
    for url, group in groupby(anchors, key=itemgetter(0)):
        text = " | ".join(map(itemgetter(1), group))
        if might_carry(text):
            yield url, [("link_text", text, None)]
    for r in attachment_rows(ctx, "text is not null"):
        if might_carry(r["text"]):
            yield r["url"], [("attachment", r["text"], None)]


def _overlaps_merged(hits, entries) -> list[tuple[int, int, int]]:
    """(start, end, index) of each run of overlapping or touching matches, named by its longest term:
    「皇冠hg体育赌场」 is one spam text, not three findings for 皇冠hg, 体育赌场 and 赌场."""
    runs: list[list] = []
    for start, index in sorted(hits, key=lambda h: (h[0], -len(entries[h[1]].term))):
        end = start + len(entries[index].term)
        if runs and start <= runs[-1][1]:
            run = runs[-1]
            run[1] = max(run[1], end)
            if len(entries[index].term) > len(entries[run[2]].term):
                run[2] = index
        else:
            runs.append([start, end, index])
    return [(start, end, index) for start, end, index in runs]


@rule("content.spam_text")
def spam_text(ctx, params):
    """Gambling, pornography and SEO-spam terms written as visible text (a hijacked footer, title or
    meta keywords), one finding per term with the pages that carry it; a term near a crackdown word
    (打击赌博、扫黄打非 …) is news about the crackdown, not spam."""
    entries = lexicon.load("spam.tsv", SPAM_COLUMNS, params["extra_files"], params["silence"])
    auto = lexicon.automaton([e.term for e in entries], fold_case=True)
    crackdown = lexicon.automaton(params["crackdown_words"])
    window = params["context_chars"]
    by_term: dict[int, list[dict]] = {}  # the first 20 occurrences of each term
    pages_of: dict[int, set[str]] = {}
    seen: set = set()  # (field, term) of the current URL: each source comes in URL order
    current = None
    if auto is None:
        return
    # a term with a quote, a backslash or a control character would be escaped in stored JSON
    verbatim = not any(c in e.term for e in entries for c in '"\\' + "".join(map(chr, range(32))))

    def might_carry(text: str) -> bool:
        return not verbatim or next(auto.iter(text.lower()), None) is not None

    for url, texts in _spam_texts(ctx, might_carry, spam_marks(params)):
        if url != current:
            current = url
            seen.clear()
        for field, text, excuse in texts:
            if not text:
                continue
            folded = text.lower()
            shown = text if len(folded) == len(text) else folded
            for start, end, index in _overlaps_merged(lexicon.hits(auto, folded), entries):
                if (field, index) in seen:
                    continue
                near = folded[max(0, start - window):end + window]
                if any(True for _ in lexicon.hits(crackdown, near)) or (excuse and any(True for _ in lexicon.hits(crackdown, excuse))):
                    continue
                seen.add((field, index))
                pages_of.setdefault(index, set()).add(url)
                found = by_term.setdefault(index, [])
                if len(found) < 20:
                    found.append({"url": url, "field": field, "context": lexicon.context(shown, start, end, window)})
    for index, found in sorted(by_term.items(), key=lambda item: entries[item[0]].term):
        entry = entries[index]
        pages = sorted(pages_of[index], key=lambda u: (u not in ctx.home_urls, u))
        category = entry.fields.get("category", "")
        yield Finding(
            "content.spam_text", pages[0],
            f"页面含{SPAM_NAMES.get(category, '违规')}词语「{entry.term}」（{len(pages)} 个页面）：{found[0]['context']}",
            f"{category or 'spam'} term {entry.term!r} in visible text ({len(pages)} page(s)): {found[0]['context']}",
            {"term": entry.term, "category": category, "status": entry.fields.get("status", ""),
             "source": entry.fields.get("source", ""), "lexicon": entry.origin, "occurrences": found[:20],
             "pages": pages[:100], "page_count": len(pages), "on_home": pages[0] in ctx.home_urls},
            key=entry.term,
        )
