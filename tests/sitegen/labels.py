"""Metadata labels and layouts as real portals write them (test-only tables).

Every spelling below was seen on a real page (see /work/shared/docs/cms-patterns.md §3 and the
corpus): gov.cn ``table.bd1`` (``索 引 号`` with ASCII spaces, ``标　　题`` with U+3000),
Pingtan ``div.index_box`` (``索&ensp;引&ensp;号``), Handan ``<p><strong>文号</strong>：``, the
Traditional-Chinese-with-pinyin pages of seed 002 (``索 引 號(hào)``, ``標(biāo) 題``,
``發(fā)文字號(hào)``) and the synonym tables of other people's crawlers (发布机构/发文单位,
印发日期, 文号, 名称, 有效期, 时效 …).

A label is drawn per field per document (``draw_label``), then decorated: padding between its
characters, a colon (full-width, half-width or none) and, for some layouts, split across
``<span>`` elements. Layouts (``LAYOUTS``) turn a list of (label html, value html) pairs into the
metadata block of a detail page.
"""

from __future__ import annotations

import html
import random

# canonical field → spellings (plain text; padding is applied separately to un-padded ones)
LABELS: dict[str, list[str]] = {
    "index_no": ["索引号", "索 引 号", "索　引　号", "索&ensp;引&ensp;号", "索&nbsp;引&nbsp;号", "索 引 號(hào)", "索引號(hào)"],
    "category": ["主题分类", "主 题 分 类", "主題分類", "分类"],
    "publisher": ["发文机关", "发布机构", "发文单位", "发文机构", "發(fā)文機(jī)關(guān)"],
    "written_date": ["成文日期", "印发日期", "成 文 日 期", "成　文　日　期"],
    "title": ["标题", "标　　题", "名称", "标&ensp;&ensp;&ensp;&ensp;题", "標(biāo) 題", "標(biāo)題"],
    "doc_no": ["发文字号", "文号", "文 号", "發(fā)文字號(hào)", "文&nbsp;&nbsp;号"],
    "publish_date": ["发布日期", "發(fā)布日期", "发 布 日 期", "公开日期"],
    "validity": ["有效性", "有 效 性", "有效期", "时效", "有&ensp;效&ensp;性"],
}

# the order fields appear in (gov.cn and Pingtan order)
FIELD_ORDER = ["index_no", "category", "publisher", "written_date", "title", "doc_no", "publish_date", "validity"]

COLONS = ["：", ":", "："]

# article header (工作动态 / 政策解读 pages): how the date and the source are introduced
DATE_LABELS = ["发布时间：", "时间：", "日期：", "发布日期："]
SOURCE_LABELS = ["来源：", "信息来源：", "文章来源："]


def draw_label(rng: random.Random, field: str, allow_split: bool = True) -> str:
    """An HTML label (without colon) for ``field``; sometimes split across <span>s."""
    text = rng.choice(LABELS[field])
    if allow_split and rng.random() < 0.12 and "&" not in text and "(" not in text and " " not in text and "　" not in text:
        cut = rng.randrange(1, len(text))
        return f"<span>{text[:cut]}</span><span>{text[cut:]}</span>"
    return text


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def layout_govcn(pairs, rng):
    """gov.cn ``table.bd1``: rows of ``<td><b>LABEL：</b></td><td>VALUE</td>``, two pairs a row."""
    rows, cells = [], []
    for label, value in pairs:
        cells.append(f'<td class="label"><b>{label}</b></td><td>{value}</td>')
        if len(cells) == 2:
            rows.append("<tr>" + "".join(cells) + "</tr>")
            cells = []
    if cells:
        rows.append("<tr>" + "".join(cells) + "<td></td><td></td></tr>")
    return '<div class="wrap"><table class="bd1" width="100%" border="0" cellspacing="1" cellpadding="0">\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table></div>"


def layout_fujian(pairs, rng):
    """Pingtan ``div.index_box ul li``: label text then ``<font>value</font>`` (有效性 in ``em.red_base``)."""
    items = []
    for label, value in pairs:
        inner = value if value.startswith(("<em", "<font")) else f"<font>{value}</font>"
        items.append(f'<li class="trt-col-12 trt-col-sm-24">\n                      {label}\n                      \n                        {inner}\n                    </li>')
    return '<div class="index_box shadow_base pad_base">\n<ul class="trt-row">\n' + "\n".join(items) + "\n</ul>\n</div>"


def layout_pstrong(pairs, rng):
    """Handan ``div.top``: ``<p><strong>LABEL</strong>：VALUE</p>`` (the colon after the strong)."""
    out = []
    for label, value in pairs:
        if label.endswith(("：", ":")):
            lab, colon = label[:-1], label[-1]
        else:
            lab, colon = label, ""
        out.append(f"<p><strong>{lab}</strong>{colon}{value}</p>")
    half = (len(out) + 1) // 2
    return ('<div class="top clearfix"><div class="top-l fl">\n' + "\n".join(out[:half]) + '\n</div><div class="top-r fr">\n'
            + "\n".join(out[half:]) + '\n</div><div style="clear: both;"></div></div>')


def layout_dl(pairs, rng):
    """``dl`` with ``dt`` label and ``dd`` value."""
    return '<dl class="xxgk-meta">\n' + "\n".join(f"<dt>{l}</dt><dd>{v}</dd>" for l, v in pairs) + "\n</dl>"


def layout_divspan(pairs, rng):
    """``div.row`` with ``span.tit`` label and ``span.con`` value."""
    return '<div class="xxgk_info">\n' + "\n".join(
        f'<div class="row"><span class="tit">{l}</span><span class="con">{v}</span></div>' for l, v in pairs) + "\n</div>"


LAYOUTS = {
    "govcn_table": layout_govcn,
    "fujian_li_font": layout_fujian,
    "p_strong": layout_pstrong,
    "dl": layout_dl,
    "div_span": layout_divspan,
}


def metadata_block(rng: random.Random, layout: str, fields: dict[str, str], raw: dict | None = None) -> str:
    """The block for ``fields`` (canonical name → plain value; fields absent are simply not written);
    ``raw`` gives a field's value as HTML written as is (Pingtan's script-filled ``<font id="zhuTi">``,
    an empty ``<font></font>``)."""
    raw = raw or {}
    pairs = []
    for name in FIELD_ORDER:
        if name not in fields:
            continue
        label = draw_label(rng, name, allow_split=layout != "p_strong")
        colon = rng.choice(COLONS) if not (layout == "dl" and rng.random() < 0.3) else ""
        value = raw[name] if name in raw else esc(fields[name])
        if name == "validity" and layout == "fujian_li_font":
            value = f'<em class="red_base">{value}</em>'
        pairs.append((label + colon, value))
    return LAYOUTS[layout](pairs, rng)
