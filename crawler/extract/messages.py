"""Messages (留言) of a consulting board (政务咨询, 领导信箱 …): when each was left, when and by whom it
was answered, and its status, for 互动回应差 (checks/interaction.py).

Boards show them in two places, and both are read:

- the list: a table whose header cells name the columns (标题 | 留言时间 | 回复时间 | 状态 | 回复单位 —
  header → field), or rows that label their own values (「留言时间：2024-03-05」「回复时间：…」) with the
  status as a coloured label (``<span class="red">未回复</span>``);
- the message's own page: label: value pairs (留言时间：…, 答复单位：…, 办理状态：…) and the reply block
  with its own 「回复时间：」.

Only labelled values are taken: a row with two bare dates does not say which one is the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html

from crawler.dates import iso, parse_datetime
from crawler.extract.links import absolute, base_url, zone_and_hidden
from crawler.extract.listing import row_of
from crawler.text import clean
from crawler.urls import MalformedURL

_B = r"[\s\u00a0\u3000]*"  # blanks inside a label: 「留 言 时 间」
_DATE = r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:：时]\s*\d{2}(?:\s*[:：分]\s*\d{2})?)?"


def _label(*words: str) -> str:
    return "(?:" + "|".join(_B.join(w) for w in words) + ")"


# header words → field; the first field whose words a header cell contains wins (回复单位 before 回复时间)
ASKED_WORDS = ("留言时间", "留言日期", "提问时间", "提问日期", "来信时间", "来信日期", "咨询时间", "咨询日期", "写信时间",
               "写信日期", "提交时间", "提交日期", "诉求时间", "来件时间")  # not 受理时间: 办事指南 pages label office hours so
ANSWERED_WORDS = ("回复时间", "回复日期", "答复时间", "答复日期", "办结时间", "办结日期", "反馈时间", "反馈日期",
                  "处理时间", "回信时间")
REPLIER_WORDS = ("回复单位", "回复部门", "回复机构", "答复单位", "答复部门", "答复机构", "办理单位", "办理部门",
                 "承办单位", "承办部门", "处理单位", "处理部门", "受理单位", "受理部门")
STATUS_WORDS = ("办理状态", "回复状态", "处理状态", "答复状态", "状态", "办理情况", "回复情况")
TITLE_WORDS = ("留言标题", "信件标题", "咨询标题", "来信标题", "标题", "主题", "留言主题", "信件主题", "事项")
HEADER_FIELDS = (("replier", REPLIER_WORDS), ("answered", ANSWERED_WORDS), ("asked", ASKED_WORDS),
                 ("status", STATUS_WORDS), ("title", TITLE_WORDS))

# what a status says (a cell, a label's value, a coloured label on its own)
ANSWERED_STATUS = re.compile(r"^(?:已|已经)?(?:回复|答复|办结|处理|反馈|回信|解决)(?:完毕)?$")
PENDING_STATUS = re.compile(r"^(?:未|尚未|暂未|暂无|还未|待|正在|等待)(?:回复|答复|办结|处理|办理|反馈)$|^(?:办理|处理|受理|转办|交办)中$|^已(?:受理|转办|交办)$")
# a detail page saying in words that there is no reply yet (not a filter tab 「未回复」 of the navigation)
NO_REPLY_YET = re.compile(r"(?:尚未|暂未|暂无|还未|还没有|目前没有)(?:回复|答复|办结)|(?:回复|答复)(?:内容)?\s*[:：]\s*(?:无|暂无)(?:\s|$)")

ASKED_RE = re.compile(_label(*ASKED_WORDS) + r"\s*[:：]?\s*(" + _DATE + ")")
ANSWERED_RE = re.compile(_label(*ANSWERED_WORDS) + r"\s*[:：]?\s*(" + _DATE + ")")
ASKED_LABEL = re.compile(_label(*ASKED_WORDS) + r"\s*[:：]")
ANSWERED_LABEL = re.compile(_label(*ANSWERED_WORDS) + r"\s*[:：]")
STATUS_RE = re.compile(_label(*STATUS_WORDS[:-2]) + r"\s*[:：]?\s*(\S{2,12})")  # 「办理状态 未回复」 in two cells too
REPLIER_RE = re.compile(_label(*REPLIER_WORDS) + r"\s*[:：]\s*([^\s:：]{2,40})")
TITLE_RE = re.compile(_label(*TITLE_WORDS) + r"\s*[:：]\s*([^\n]{2,120}?)(?=\s{2,}|\s*" + _label(*ASKED_WORDS, *ANSWERED_WORDS, *REPLIER_WORDS, *STATUS_WORDS[:-2], "留言人", "来信人", "姓名", "内容", "留言内容") + r"|$)")
HINT = re.compile(_label("留言", "提问", "来信", "咨询", "写信", "回复", "答复", "办结", "诉求", "来件") + _label("时间", "日期", "状态", "单位", "部门"))
MAX_MESSAGES = 500  # rows of one list page


@dataclass
class Message:
    url: str  # the message's own page, or the list page + #N for a row without a link
    title: str
    asked_at: str | None  # ISO date (with the time when written)
    answered_at: str | None
    status: str | None  # as written: 已回复, 办理中 …
    replier: str | None
    source: str  # list | detail
    position: int = 0


# what a board shows for a message whose reply time it leaves blank (a column or a label with no value)
EMPTY_REPLY = "未回复（回复时间为空）"


def status_state(status: str | None) -> str | None:
    """answered | pending | None (not said, or words this reader does not know)."""
    text = re.sub(r"[（(].*$", "", clean(status or "").replace(" ", ""))
    if not text:
        return None
    if PENDING_STATUS.search(text):
        return "pending"
    if ANSWERED_STATUS.search(text):
        return "answered"
    return None


def _said(found: re.Match | None) -> str | None:
    """The status word a labelled status begins with (「状态：办理中回复单位：…」 run together), or None."""
    value = found[1] if found else ""
    return next((value[:n] for n in range(len(value), 1, -1) if status_state(value[:n])), None)


def _date(text: str) -> str | None:
    return iso(parse_datetime(text))


def _status_in(el) -> str | None:
    """A status shown as an element of its own (a coloured label, a cell): its whole text."""
    for sub in el.iter():
        if not isinstance(sub.tag, str):
            continue
        text = clean(sub.text_content()).replace(" ", "")
        if 2 <= len(text) <= 6 and status_state(text):
            return text
    return None


def may_hold_messages(text: str) -> bool:
    """A page whose text names a message's time, status or answering body (cheap test first)."""
    return bool(HINT.search(text))


def list_messages(root, page_url: str, encoding: str = "utf-8") -> list[Message]:
    """The messages a list page shows: rows of tables whose header names message fields, then rows
    that label their own times."""
    base = base_url(root, page_url)
    found: list[Message] = []
    done: set = set()
    for table in root.iter("table"):
        if len(found) >= MAX_MESSAGES:
            break
        found += _table_messages(table, base, page_url, encoding, len(found), done)
    cache: dict = {}
    for a in root.iter("a"):
        if len(found) >= MAX_MESSAGES:
            break
        href = a.get("href")
        if not href or zone_and_hidden(a, cache)[0] != "body":
            continue
        near = row_of(a)
        if near in done:
            continue
        row = _labelled_row(near if near is not None else a.getparent())
        if row is None or row in done:
            continue
        done.add(row)
        text = clean(" ".join(row.itertext()))
        asked, answered = ASKED_RE.search(text), ANSWERED_RE.search(text)
        url = _url(base, href, encoding)
        if url is None:
            continue
        status = STATUS_RE.search(text)
        replier = REPLIER_RE.search(text)
        said = _said(status) or _status_in(row)
        if said is None and not answered and ANSWERED_LABEL.search(text):
            said = EMPTY_REPLY
        found.append(Message(url, clean(a.get("title") or "") or clean(a.text_content()),
                             _date(asked[1]) if asked else None, _date(answered[1]) if answered else None,
                             said, replier[1] if replier else None, "list", len(found) + 1))
    return found


def _labelled_row(row):
    """The list row, or the block up to three levels around it that still holds one message only
    (<li><p><a>标题</a></p><p>留言时间：…</p></li>), when its own text labels no time."""
    el = row
    for _ in range(4):
        if el is None or not isinstance(el.tag, str) or el.tag in ("body", "html", "table", "ul", "ol"):
            return None
        if len({a.get("href") for a in el.iter("a") if a.get("href")}) > 1:
            return None
        text = clean(" ".join(el.itertext()))
        if ASKED_RE.search(text) or ANSWERED_RE.search(text):
            return el
        el = el.getparent()
    return None


def _url(base: str, href: str, encoding: str) -> str | None:
    try:
        return absolute(base, href, encoding)
    except MalformedURL:
        return None


def _cells(tr) -> list:
    return [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _header(tr) -> dict[int, str] | None:
    """Cell index → field, when this row names at least a time or a status and one more field."""
    fields: dict[int, str] = {}
    for i, cell in enumerate(_cells(tr)):
        text = re.sub(r"\s+", "", clean(cell.text_content()))
        if not text or len(text) > 10:
            continue
        for field, words in HEADER_FIELDS:
            if any(w in text for w in words) and field not in fields.values():
                fields[i] = field
                break
    named = set(fields.values())
    # a time of leaving or of reply: 标题 | 发布时间 | 状态 (有效/废止) is a document list
    return fields if named & {"asked", "answered"} and len(named) >= 2 else None


def _table_messages(table, base: str, page_url: str, encoding: str, start: int, done: set) -> list[Message]:
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None and _owner(tr) is table]
    header = None
    out: list[Message] = []
    for tr in rows:
        if header is None:
            header = _header(tr)
            continue
        cells = _cells(tr)
        if not cells:
            continue
        values: dict[str, str] = {}
        for i, field in header.items():
            if i < len(cells):
                values[field] = clean(cells[i].text_content())
        link = next((a for a in tr.iter("a") if a.get("href")), None)
        url = _url(base, link.get("href"), encoding) if link is not None else None
        title = values.get("title") or (clean(link.get("title") or "") or clean(link.text_content()) if link is not None else "")
        asked, answered = _date(values.get("asked", "")), _date(values.get("answered", ""))
        said = _status_in(tr)
        if not asked and not answered and not said:
            continue  # a pager or footer row of the table, a row of only text: no message shows here
        status = values.get("status") if status_state(values.get("status")) else None
        if status is None and values.get("answered") and not answered and status_state(values["answered"]):
            status = values["answered"]  # 「未回复」 written in the reply-time cell
        status = status or values.get("status") or said
        if not status and "answered" in header.values() and not answered:
            status = EMPTY_REPLY
        done.add(tr)
        out.append(Message(url or f"{page_url}#{start + len(out) + 1}", title, asked, answered,
                           status, values.get("replier") or None, "list",
                           start + len(out) + 1))
    return out


def _owner(tr):
    for el in tr.iterancestors():
        if el.tag == "table":
            return el
    return None


def detail_message(url: str, text: str, title: str) -> Message | None:
    """The message a page shows on its own: it labels when it was left (留言时间：); its reply time is
    the labelled one (the reply block's 「回复时间：」), its status a labelled one or a status word on
    in words (尚未回复, 暂无回复: page_message)."""
    asked, answered = ASKED_RE.search(text), ANSWERED_RE.search(text)
    # a dated 留言时间, or its label beside a reply's: 「受理时间：工作日」 on a 办事指南 page is no message
    if not asked and not (ASKED_LABEL.search(text) and ANSWERED_LABEL.search(text)):
        return None
    status = STATUS_RE.search(text)
    replier = REPLIER_RE.search(text)
    named = TITLE_RE.search(text)
    return Message(url, clean(named[1]) if named else title, _date(asked[1]) if asked else None,
                   _date(answered[1]) if answered else None,
                   _said(status), replier[1] if replier else None, "detail")


def page_message(url: str, text: str, title: str) -> Message | None:
    message = detail_message(url, text, title)
    if message is not None and message.status is None and message.answered_at is None:
        said = NO_REPLY_YET.search(text)
        message.status = said[0].strip() if said else EMPTY_REPLY if ANSWERED_LABEL.search(text) else None
    return message


def rendered_messages(page_html: str, url: str) -> list[Message]:
    """The list rows of a page Chromium rendered (a board whose rows its script writes)."""
    if not page_html.strip() or not may_hold_messages(page_html):
        return []
    return list_messages(html.document_fromstring(page_html), url)
