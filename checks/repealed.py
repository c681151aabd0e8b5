"""Repealed documents still shown as valid (已废止文件未标注): regulators list "repealed documents not
marked as repealed" among the quarterly content problems (regulations.md). A document is repealed
when a later document on the same portal declares it 废止/失效 (naming its 发文字号 or its title),
or when its own 有效期至 date has passed; its page must then not read 有效 (or nothing)."""

from __future__ import annotations

import re
from datetime import date

from checks import lexicon
from checks.content import stream
from checks.registry import Finding, rule
from crawler.dates import parse_date
from crawler.text_marks import MarkSpec

BRACKETS = str.maketrans({"[": "〔", "［": "〔", "【": "〔", "(": "〔", "（": "〔", "]": "〕", "］": "〕", "】": "〕", ")": "〕", "）": "〕"})
DOC_NO_RE = re.compile(r"[\u4e00-\u9fa5A-Za-z]{1,15}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号")
TITLE_RE = re.compile(r"《([^《》]{6,120})》")
REPEAL_RE = re.compile(r"废止|失效|停止执行|不再执行")
MARKED_RE = re.compile(r"废止|失效|无效|停止|过期|作废")
EXPIRY_RE = re.compile(r"有效期(?:至|到|截至)\s*((?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?)")
SENTENCE_RE = re.compile(r"[^。；;\n]+")
# a declaration names one of these words in its title or body; an expiry is EXPIRY_RE
REPEALED_MARKS = MarkSpec(literals=("废止", "失效", "停止执行", "不再执行"), patterns=(EXPIRY_RE.pattern,))


def norm_doc_no(value: str) -> str:
    return re.sub(r"\s+|第", "", value).translate(BRACKETS)


def norm_title(value: str) -> str:
    return re.sub(r"\s+", "", value).strip("《》")


def _date(row) -> str:
    return (row["written_date"] or row["publish_date"] or "")[:10]


def _unmarked(validity: str | None) -> bool:
    return not (validity and MARKED_RE.search(validity))


def _declarations(ctx, marked: tuple[str, tuple]):
    """(declaring document row, sentence, cited doc_nos, cited titles) for every repeal sentence."""
    for r in stream(ctx, "select url, title, written_date, publish_date, body_text from documents where scan_id = ? "
                      "and (body_text like '%废止%' or body_text like '%失效%' or body_text like '%停止执行%' "
                      f"or body_text like '%不再执行%' or title like '%废止%' or title like '%失效%') and {marked[0]} order by url",
                    marked[1]):
        texts = [r["title"] or ""] + SENTENCE_RE.findall(r["body_text"] or "")
        for sentence in texts:
            if not REPEAL_RE.search(sentence) or "继续有效" in sentence:  # lists of what stays valid are not repeals
                continue
            doc_nos = {norm_doc_no(m[0]) for m in DOC_NO_RE.finditer(sentence)}
            titles = {norm_title(m[1]) for m in TITLE_RE.finditer(sentence)}
            if doc_nos or titles:
                yield r, sentence.strip(), doc_nos, titles


def _targets(ctx, declarations: list):
    """doc_no → [document rows], cited title → [document rows titled so or citing it as 《title》],
    for the numbers and titles the declarations name; documents in URL order, one pass."""
    doc_nos = {n for _, _, numbers, _ in declarations for n in numbers}
    titles = sorted({t for _, _, _, cited in declarations for t in cited})
    wanted = set(titles)
    quoted = lexicon.automaton([f"《{t}》" for t in titles])
    by_doc_no: dict[str, list] = {}
    by_title: dict[str, list] = {}
    for row in ctx.stream("select url, title, doc_no, validity, written_date, publish_date from documents "
                          "where scan_id = ? order by url"):
        if row["doc_no"] and norm_doc_no(row["doc_no"]) in doc_nos:
            by_doc_no.setdefault(norm_doc_no(row["doc_no"]), []).append(row)
        if row["title"]:
            cited = {titles[index] for _, index in lexicon.hits(quoted, row["title"])}
            if norm_title(row["title"]) in wanted:
                cited.add(norm_title(row["title"]))
            for title in cited:
                by_title.setdefault(title, []).append(row)
    return by_doc_no, by_title


@rule("content.repealed_unmarked")
def repealed_unmarked(ctx, params):
    marked = ctx.marked_only("content.repealed_unmarked", REPEALED_MARKS)
    declarations = list(_declarations(ctx, marked))  # a few sentences per repealing document
    by_doc_no, by_title = _targets(ctx, declarations)
    reported: set[str] = set()
    for declarer, sentence, doc_nos, titles in declarations:
        targets = [(t, "doc_no") for n in doc_nos for t in by_doc_no.get(n, [])]
        for cited in titles:
            targets += [(t, "title") for t in by_title.get(cited, [])]
        for target, how in targets:
            if target["url"] == declarer["url"] or target["url"] in reported or not _unmarked(target["validity"]):
                continue
            if _date(target) and _date(declarer) and _date(declarer) < _date(target):
                continue  # an earlier document cannot repeal a later one: a homonymous title
            reported.add(target["url"])
            shown = target["validity"] or ""
            yield Finding(
                "content.repealed_unmarked", target["url"],
                f"文件已被《{declarer['title']}》宣布废止或失效，但页面有效性{'仍显示「' + shown + '」' if shown else '未标注'}",
                f"declared repealed by {declarer['title']!r}, yet the page shows validity {shown or 'nothing'}",
                {"validity": shown or None, "declared_by": declarer["url"], "declared_by_title": declarer["title"],
                 "declared_on": _date(declarer) or None, "matched_by": how, "sentence": sentence[:200],
                 "doc_no": target["doc_no"], "title": target["title"]},
                key="declared",
            )
    if not params["expiry"]:
        return
    for r in stream(ctx, "select url, title, validity, body_text from documents where scan_id = ? and body_text like '%有效期%' "
                         f"and {marked[0]} order by url", marked[1]):
        if r["url"] in reported or not _unmarked(r["validity"]):
            continue
        m = EXPIRY_RE.search(r["body_text"] or "")
        until = parse_date(m[1]) if m else None
        if until and until < ctx.as_of:
            shown = r["validity"] or ""
            yield Finding(
                "content.repealed_unmarked", r["url"],
                f"文件有效期至 {until}，已过期，但页面有效性{'仍显示「' + shown + '」' if shown else '未标注'}",
                f"valid until {until}, expired, yet the page shows validity {shown or 'nothing'}",
                {"validity": shown or None, "valid_until": until.isoformat(), "sentence": m[0], "title": r["title"]},
                key="expired",
            )
