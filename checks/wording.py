"""Serious wording errors (严重表述错误, a single-veto item of 指标2019): abolished institutions
named as current bodies, cross-strait naming that treats 台湾 as a country, and misspelt state and
political names. The lexicon (checks/lexicons/wording.tsv) carries the source of every entry."""

from __future__ import annotations

import re
from datetime import date, timedelta

from checks import lexicon
from checks.content import attachment_rows, stream
from checks.registry import Finding, rule
from crawler.attachments import locate
from crawler.text_marks import MarkSpec

WORDING_COLUMNS = ("wrong", "right", "match", "needs", "category", "since", "status", "source", "note")
# after a ministry's name these make an ordinary word: 农业部门, 文化部分, 监察部署
NOT_A_NAME_AFTER = set("门署分位件队")


def _document_date(row) -> date | None:
    for value in (row["written_date"], row["publish_date"]):
        try:
            return date.fromisoformat((value or "")[:10])
        except ValueError:
            continue
    return None


def _historical_reference(text: str, start: int, end: int, term: str) -> bool:
    """原国家工商总局, a cited title 《国家工商行政管理总局关于…》, a regulation number 国家工商总局令第N号,
    or a ministry name that is part of a longer word (农业部门): correct in a current document."""
    if start and text[start - 1] in "原前":
        return True
    if text.rfind("《", 0, start) > text.rfind("》", 0, start):
        return True
    following = text[end:end + 2]
    if following.startswith(("令", "〔", "[", "（20", "(20")):
        return True
    return term.endswith("部") and following[:1] in NOT_A_NAME_AFTER


class Wording:
    def __init__(self, params):
        entries = lexicon.load("wording.tsv", WORDING_COLUMNS, params["extra_files"], params["silence"])
        self.literals = [e for e in entries if e.fields.get("match", "literal") != "regex"]
        self.patterns = [(e, re.compile(e.term), e.fields.get("needs") or "") for e in entries if e.fields.get("match") == "regex"]
        self.auto = lexicon.automaton([e.term for e in self.literals])
        self.grace = timedelta(days=params["grace_days"])

    def find(self, text: str, when: date | None):
        """(entry, start, end) of each error in a text written on ``when``."""
        for start, index in lexicon.hits(self.auto, text):
            entry = self.literals[index]
            end = start + len(entry.term)
            since = entry.fields.get("since")
            if since:  # an abolished body: an error only when named as current after the reform
                if when is None or when <= date.fromisoformat(since) + self.grace:
                    continue
                if _historical_reference(text, start, end, entry.term):
                    continue
            yield entry, start, end
        for entry, pattern, needs in self.patterns:
            if needs and needs not in text:
                continue
            for m in pattern.finditer(text):
                yield entry, m.start(), m.end()


def wording_marks(params) -> MarkSpec:
    """Every wrong form (whatever its date or context): a literal, or a pattern's needed word
    (Wording.find tries the pattern only where that word is), or else the pattern."""
    entries = lexicon.load("wording.tsv", WORDING_COLUMNS, params["extra_files"], params["silence"])
    regex = [e for e in entries if e.fields.get("match") == "regex"]
    literals = [e.term for e in entries if e not in regex] + [e.fields["needs"] for e in regex if e.fields.get("needs")]
    return MarkSpec(literals=tuple(literals), patterns=tuple(e.term for e in regex if not e.fields.get("needs")))


def _finding(url, entry, text, spans, when, extra):
    wrong = text[spans[0][0]:spans[0][1]]
    right = entry.fields.get("right", "")
    contexts = [lexicon.context(text, s, e, 20) for s, e, _ in spans[:3]]
    evidence = {"wrong": wrong, "right": right, "category": entry.fields.get("category", ""),
                "status": entry.fields.get("status", ""), "source": entry.fields.get("source", ""),
                "note": entry.fields.get("note", ""), "lexicon": entry.origin, "count": len(spans), "contexts": contexts,
                "document_date": when.isoformat() if when else None, **extra}
    if entry.fields.get("since"):
        evidence["abolished_since"] = entry.fields["since"]
    wheres = [w for _, _, w in spans if w]
    if wheres:
        evidence["where"] = sorted(set(wheres))[:20]
    return Finding(
        "content.wording", url,
        f"严重表述错误：「{wrong}」应为「{right}」（{len(spans)} 处）：{contexts[0]}",
        f"serious wording error: {wrong!r} should read {right!r} ({len(spans)}): {contexts[0]}",
        evidence, key=entry.term,
    )


def _grouped(matches):
    by_entry: dict = {}
    for entry, start, end, where in matches:
        by_entry.setdefault(entry.origin, (entry, []))[1].append((start, end, where))
    return by_entry.values()


@rule("content.wording")
def wording(ctx, params):
    """Lexicon matches in document titles and bodies and in attachment text, one finding per
    document and wrong form. A body abolished in a reform is an error only in a document dated after
    the reform (plus grace_days); undated documents are not judged for it."""
    lex = Wording(params)
    marked, args = ctx.marked_only("content.wording", wording_marks(params))
    for r in stream(ctx, "select url, title, body_text, written_date, publish_date from documents "
                         f"where scan_id = ? and {marked} order by url", args):
        when = _document_date(r)
        text = (r["title"] or "") + "\n" + (r["body_text"] or "")
        for entry, spans in _grouped((e, s, t, None) for e, s, t in lex.find(text, when)):
            yield _finding(r["url"], entry, text, spans, when, {})
    # an attachment is as old as the document that publishes it
    for r in attachment_rows(ctx, "a.text is not null", "a.url, a.source_url, a.text, a.segments, d.written_date, d.publish_date",
                             "left join documents d on d.scan_id = a.scan_id and d.url = a.source_url"):
        when = _document_date(r)
        matches = ((e, s, t, locate(r["segments"], s)) for e, s, t in lex.find(r["text"], when))
        for entry, spans in _grouped(matches):
            yield _finding(r["url"], entry, r["text"], spans, when, {"attachment": r["url"], "linked_from": r["source_url"]})
