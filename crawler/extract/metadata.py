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
inline script; the code→name table in that script is resolved when it can be).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from lxml import etree, html

from crawler.dates import iso, parse_datetime
from crawler.extract.labels import DATE_FIELDS, LABEL_RE, field_for
from crawler.text import clean, squash

SKIP_TEXT = {"script", "style", "noscript", "template", "textarea", "select", "option"}
INLINE = {
    "a", "abbr", "b", "bdi", "big", "em", "font", "i", "label", "small", "span", "strong",
    "sub", "sup", "u", "time", "code", "cite", "q", "s", "mark",
}
# A short word and a colon that is not one of our labels (「文章类型：」, 「地址：」) ends a value.
_OTHER_LABEL = re.compile(r"^[\s\u00a0\u2000-\u200b\u3000]*[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{0,9}[:：]")
# Labels too common in running text to open a field on their own: they count only next to
# another label (a procurement notice's 「名称：」 is not a document title).
WEAK_LABELS = {"名称", "来源", "分类", "摘要", "关键字", "关键词", "时效", "文种", "主题", "公开时间"}
CLUSTER_DISTANCE = 12  # text nodes
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


def _tokens(root) -> list[tuple[str, object]]:
    """(text, owner element) for every non-blank text node, in document order."""
    out: list[tuple[str, object]] = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):  # comments and processing instructions: their tails only
            if el.tail and el.tail.strip():
                out.append((el.tail, el.getparent()))
            continue
        if tag not in SKIP_TEXT and el.text and el.text.strip():
            out.append((el.text, el))
        if el.tail and el.tail.strip():
            parent = el.getparent()
            if parent is not None:
                out.append((el.tail, parent))
    return out


def _block(el):
    while el is not None and isinstance(el.tag, str) and el.tag in INLINE:
        el = el.getparent()
    return el


def _container(owner, label_text: str):
    """The nearest block that holds more than the label itself (td → tr, dt → dl …)."""
    el = _block(owner)
    label_len = len(squash(label_text).replace("：", "").replace(":", ""))
    for _ in range(4):
        parent = el.getparent() if el is not None else None
        if parent is None:
            break
        if len(squash(el.text_content()).replace("：", "").replace(":", "")) > label_len:
            break
        el = parent
    return el


def _script_value(container, scripts: str) -> tuple[str, str] | None:
    """Pingtan: ``<font id="zhuTi"></font>`` + ``if(zhuTi[key].value=="04") $("#zhuTi").html(name)``."""
    for el in container.iter():
        el_id = el.get("id") if isinstance(el.tag, str) else None
        if not el_id or el.text_content().strip():
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


def extract_metadata(root) -> dict[str, Field]:
    """Canonical field → :class:`Field`; the first occurrence of each field wins."""
    tokens = _tokens(root)
    scripts = None
    found: dict[str, Field] = {}
    labels_at = [LABEL_RE.match(text) for text, _ in tokens]
    for i, m in enumerate(labels_at):
        if m is None:
            continue
        text, owner = tokens[i]
        # A whole text node with no colon is a label only when it is all its element holds
        # (``<th>索引号</th>``): otherwise 「名称」 in running text would open a field.
        if m["colon"] is None and clean(owner.text_content()) != clean(text):
            continue
        field = field_for(m["label"])
        if field is None or field in found:
            continue
        if squash(m["label"]) in WEAK_LABELS and not any(
            labels_at[k] is not None
            for k in range(max(0, i - CLUSTER_DISTANCE), min(len(tokens), i + CLUSTER_DISTANCE + 1))
            if k != i
        ):
            continue
        container = _container(owner, m["label"])
        inside = set(container.iter()) if container is not None else {owner}
        parts = [m["rest"]] if m["rest"] else []
        for j in range(i + 1, len(tokens)):
            if labels_at[j] is not None or tokens[j][1] not in inside:
                break
            if parts and _OTHER_LABEL.match(tokens[j][0]):
                break  # the first node is the value even if it has a colon (「示范市工作动态：…」)
            parts.append(tokens[j][0])
        raw = " ".join(p.strip() for p in parts)
        value = clean(_LEADING_COLON.sub("", raw))
        state = "ok" if value else "empty"
        if not value and container is not None:
            if scripts is None:
                scripts = "\n".join(s.text or "" for s in root.iter("script"))
            resolved = _script_value(container, scripts)
            if resolved is not None:
                value, raw = resolved
                state = "script"
        found[field] = Field(field, squash(m["label"]), value, raw, state)
    for label, value, raw in _from_comments(root):
        field = field_for(label)
        if field and field not in found:
            found[field] = Field(field, squash(label), "", raw, "commented_out")
    for field in DATE_FIELDS:
        if field in found and found[field].value:
            found[field].parsed = iso(parse_datetime(found[field].value))
    return found
