"""The disclosure metadata block of a document page (索引号, 发文机关, 成文日期 …).

One generic algorithm covers the real layouts instead of one template per CMS:

* ``<td><b>索 引 号：</b></td><td>VALUE</td>`` (gov.cn ``table.bd1``),
* ``<li>索&ensp;引&ensp;号：<font>VALUE</font></li>`` (Fujian/Pingtan ``div.index_box``),
* ``<p><strong>索引号</strong>：VALUE</p>`` (Handan), ``<span>索 引 号：<span>VALUE</span></span>``
  (NFRA), ``<dt>索引号</dt><dd>VALUE</dd>``, ``<th>`` headers, Traditional characters.

The text of the page is read as a sequence of text nodes in document order. A node that starts
with a known label opens a field; its value is the rest of that node plus the following nodes
inside the label's *container* (the nearest block element that holds more than the label
itself: the ``li``, the ``p``, the table row) up to the next label.

A label whose value is blank is kept as present-but-empty with the reason: ``empty``,
``commented_out`` (Handan comments out 成文日期) or ``script`` (Pingtan fills 主题分类 from an
inline script; the code→name table in that script is resolved when it can be). A value, or the
script-filled element that stands for it, is looked for only between its label and the next one:
an empty 成文日期 never takes the next field's value.

Labels are also read as article headers write them: several in one text node
(「发布日期:2019-10-22 信息来源:龙城区」), split across ``<span>``s (``<span>发布</span><span>时间</span>``),
with pinyin after the characters (「發(fā)文字號(hào)」), and 时间 / 日期 / 来源 alone.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from lxml import etree, html

from crawler.dates import iso, parse_datetime
from crawler.extract.labels import (
    DATE_FIELDS, HEADER_LABELS, LABEL_PREFIXES, LABEL_RE, LABEL_SPLIT_RE, WEAK_LABELS, base_label, field_for,
    label_text,
)
from crawler.text import clean, squash

SKIP_TEXT = {"script", "style", "noscript", "template", "textarea", "select", "option"}
INLINE = {
    "a", "abbr", "b", "bdi", "big", "em", "font", "i", "label", "small", "span", "strong",
    "sub", "sup", "u", "time", "code", "cite", "q", "s", "mark",
}
# A short word and a colon that is not one of our labels (「文章类型：」, 「地址：」) ends a value.
_OTHER_LABEL = re.compile(r"^[\s\u00a0\u2000-\u200b\u3000]*[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{0,9}[:：]")
# 时间/日期/来源 written on every row of a list (「时间：…」 per item) are not one document's header.
LIST_REPEAT = 3
CLUSTER_DISTANCE = 12  # text nodes
MAX_SPLIT_PARTS = 6  # text nodes one split label may span (「发」「布」「时」「间」)
_LEADING_COLON = re.compile(r"^[\s\u00a0\u2000-\u200b\u3000]*[:：][\s\u00a0\u2000-\u200b\u3000]*")


@dataclass
class Field:
    field: str  # canonical name (index_no, publisher …)
    label: str  # the label as written, blanks squashed
    value: str  # cleaned value ("" when absent)
    raw_value: str  # the value text as found (commented-out text, script code …)
    state: str  # ok | empty | commented_out | script
    parsed: str | None = None  # ISO date for date fields

    def as_dict(self) -> dict:
        return asdict(self)


def _tokens(root) -> tuple[list[tuple[str, object, float]], dict]:
    """(text, owner element, position) for every non-blank text node, in document order, and the
    document-order number of every element. A position sits between element numbers: an element's
    text just after the element, its tail just after its last descendant."""
    order = {el: n for n, el in enumerate(root.iter())}
    keyed = []
    for el, n in order.items():
        if isinstance(el.tag, str) and el.tag not in SKIP_TEXT and el.text and el.text.strip():
            keyed.append(((n, 0, 0), el.text, el, n + 0.5))
        if el.tail and el.tail.strip():  # comments and processing instructions: their tails only
            parent = el.getparent()
            if parent is not None:
                last = el
                while len(last):
                    last = last[-1]
                # after the last descendant's text; nested tails ending there: the innermost first
                keyed.append(((order[last], 1, -n), el.tail, parent, order[last] + 0.5))
    keyed.sort(key=lambda token: token[0])
    return [token[1:] for token in keyed], order


def _split_fields(tokens):
    """One text node per field: 「发布日期:2019-10-22 信息来源:龙城区」 → two nodes (same owner)."""
    out = []
    for text, owner, pos in tokens:
        if ":" in text[1:] or "：" in text[1:]:
            out.extend((part, owner, pos) for part in LABEL_SPLIT_RE.split(text) if part.strip())
        else:
            out.append((text, owner, pos))
    return out


def _common_ancestor(a, b):
    ancestors = {id(el) for el in a.iterancestors()} | {id(a)}
    while b is not None and id(b) not in ancestors:
        b = b.getparent()
    return b if b is not None else a


def _joined_label(tokens, i):
    """(label node, index after it) when a label starts at node i and goes on in the next nodes of the
    same block (``<span>发布</span><span>时间</span>：…``); owned by their common ancestor."""
    text, owner, pos = tokens[i]
    if len(text) > 12 or LABEL_RE.match(text) or label_text(text) not in LABEL_PREFIXES:
        return None
    block, joined = _block(owner), text
    for j in range(i + 1, min(i + MAX_SPLIT_PARTS, len(tokens))):
        if _block(tokens[j][1]) is not block:
            return None
        joined += tokens[j][0]
        if LABEL_RE.match(joined):
            return (joined, _common_ancestor(owner, tokens[j][1]), pos), j + 1
        if len(joined) > 24 or label_text(joined) not in LABEL_PREFIXES:
            return None
    return None


def _join_split_labels(tokens):
    out = []
    i = 0
    while i < len(tokens):
        joined = _joined_label(tokens, i)
        if joined is None:
            out.append(tokens[i])
            i += 1
        else:
            out.append(joined[0])
            i = joined[1]
    return out


def _block(el):
    while el is not None and isinstance(el.tag, str) and el.tag in INLINE:
        el = el.getparent()
    return el


def _container(owner, label: str):
    """The nearest block that holds more than the label itself (td → tr, dt → dl …)."""
    el = _block(owner)
    label_len = len(squash(label).replace("：", "").replace(":", ""))
    for _ in range(4):
        parent = el.getparent() if el is not None else None
        if parent is None:
            break
        if len(squash(el.text_content()).replace("：", "").replace(":", "")) > label_len:
            break
        el = parent
    return el


def _script_value(container, scripts: str, between: tuple[float, float], order: dict) -> tuple[str, str] | None:
    """Pingtan: ``<font id="zhuTi"></font>`` + ``if(zhuTi[key].value=="04") $("#zhuTi").html(name)``.
    Only an element between the label and the next one (document positions ``between``) is the
    field's: the container of an empty field can reach into the next field's row."""
    start, end = between
    for el in container.iter():
        el_id = el.get("id") if isinstance(el.tag, str) else None
        if not el_id or not start < order.get(el, start) < end or el.text_content().strip():
            continue
        ref = re.search(rf"""[#'"]{re.escape(el_id)}['"]""", scripts)
        if not ref:
            continue
        window = scripts[max(0, ref.start() - 400): ref.end() + 50]
        code = re.search(r"""==\s*["']([^"']{1,20})["']""", window)
        if not code:
            return "", f"#{el_id}"
        name = re.search(
            rf"""["']?value["']?\s*:\s*["']{re.escape(code[1])}["']\s*,\s*["']?name["']?\s*:\s*["']([^"']+)["']""",
            scripts,
        )
        return (name[1] if name else ""), f"#{el_id} code {code[1]}"
    return None


def _from_comments(root) -> list[tuple[str, str, str]]:
    """Label/value pairs inside HTML comments: ``<!--<p><strong>成文日期</strong>：…</p>-->``."""
    out = []
    for comment in root.iter(etree.Comment):
        text = comment.text or ""
        if "<" in text:
            try:
                text = html.fragment_fromstring(text, create_parent="div").text_content()
            except (etree.ParserError, ValueError):
                continue
        for line in re.split(r"[\r\n]+", text):
            m = LABEL_RE.match(line.strip())
            if m and m["colon"]:
                out.append((m["label"], clean(m["rest"] or ""), line.strip()))
    return out


def _body_start(tokens) -> int:
    """Index of the first node of the article body: the first sentence (a long node with 「。」)."""
    return next((i for i, (text, _, _) in enumerate(tokens) if "。" in text and len(text) >= 30), len(tokens))


def _header_value(field: str, value: str) -> bool:
    return parse_datetime(value) is not None if field in DATE_FIELDS else bool(value)


def extract_metadata(root) -> dict[str, Field]:
    """Canonical field → :class:`Field`; the first occurrence of each field wins."""
    tokens, order = _tokens(root)
    tokens = _join_split_labels(_split_fields(tokens))
    scripts = None
    found: dict[str, Field] = {}
    labels_at = [LABEL_RE.match(text) for text, _, _ in tokens]
    bases = [base_label(m["label"]) if m else None for m in labels_at]
    repeats = {b: bases.count(b) for b in HEADER_LABELS}
    body_start = None
    for i, m in enumerate(labels_at):
        if m is None:
            continue
        text, owner, pos = tokens[i]
        # A whole text node with no colon is a label only when it is all its element holds
        # (``<th>索引号</th>``) or a colon follows in the next node (``<span>时间</span>：…``):
        # otherwise 「名称」 in running text would open a field.
        if (m["colon"] is None and clean(owner.text_content()) != clean(text)
                and not (i + 1 < len(tokens) and _LEADING_COLON.match(tokens[i + 1][0]))):
            continue
        field = field_for(m["label"])
        if field is None or field in found:
            continue
        base = bases[i]
        if base in HEADER_LABELS and repeats[base] >= LIST_REPEAT:
            continue  # 「时间：…」「来源：…」 on every row of a list
        container = _container(owner, m["label"])
        inside = set(container.iter()) if container is not None else {owner}
        parts = [m["rest"]] if m["rest"] else []
        end = len(tokens)
        for j in range(i + 1, len(tokens)):
            if labels_at[j] is not None or tokens[j][1] not in inside:
                end = j
                break
            if parts and _OTHER_LABEL.match(tokens[j][0]):
                end = j
                break  # the first node is the value even if it has a colon (「示范市工作动态：…」)
            parts.append(tokens[j][0])
        raw = " ".join(p.strip() for p in parts)
        value = clean(_LEADING_COLON.sub("", raw))
        if base in WEAK_LABELS and not any(
            labels_at[k] is not None
            for k in range(max(0, i - CLUSTER_DISTANCE), min(len(tokens), i + CLUSTER_DISTANCE + 1))
            if k != i
        ):
            if body_start is None:
                body_start = _body_start(tokens)
            if not (base in HEADER_LABELS and i < body_start and _header_value(field, value)):
                continue
        state = "ok" if value else "empty"
        if not value and container is not None:
            if scripts is None:
                scripts = "\n".join(s.text or "" for s in root.iter("script"))
            between = (pos, tokens[end][2] if end < len(tokens) else float("inf"))
            resolved = _script_value(container, scripts, between, order)
            if resolved is not None:
                value, raw = resolved
                state = "script"
        found[field] = Field(field, label_text(m["label"]), value, raw, state)
    for label, value, raw in _from_comments(root):
        field = field_for(label)
        if field and field not in found:
            found[field] = Field(field, label_text(label), "", raw, "commented_out")
    for field in DATE_FIELDS:
        if field in found and found[field].value:
            found[field].parsed = iso(parse_datetime(found[field].value))
    return found
