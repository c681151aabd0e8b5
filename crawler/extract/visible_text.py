"""The text a reader sees in an element: what a browser shows, with every block and table-cell
boundary kept as a space.

``text_content()`` joins the text of adjacent cells and paragraphs with nothing between them
(``<td>男532510198910185748</td><td>13555614818</td>`` reads as one 29-digit run, so neither the ID
number nor the mobile number is found), and it reads the source of scripts, styles and templates
as if it were on the page (a 「暂无相关信息」 a script writes only when its list comes back empty
made a full column look empty). Here a block or cell boundary is a space, inline markup joins text
as the browser does (``<b>1</b>3`` is "13"), and what is never shown is left out: ``<script>``,
``<style>``, ``<template>``, ``<noscript>`` (a browser running scripts does not show it), comments,
and elements hidden by the ``hidden`` attribute or an inline ``display:none`` /
``visibility:hidden``.
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.text import clean

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "option", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "body", "html", "iframe", "img", "input", "select", "textarea", "button", "label",
})
NEVER_SHOWN = frozenset({"script", "style", "template", "noscript", "head"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def is_hidden(el) -> bool:
    """Hidden by its own attributes (the ``hidden`` attribute or an inline style)."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


def visible_text(el, skip: frozenset = frozenset()) -> str:
    """The text of ``el`` as a reader sees it, blanks collapsed (``crawler.text.clean``); elements
    whose tag is in ``skip`` are left out too."""
    parts: list[str] = []
    walk = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    for event, node in walk:
        tag = node.tag
        if not isinstance(tag, str):  # a comment or processing instruction: only its tail is text
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        tag = tag.lower()
        if event == "start":
            if tag in NEVER_SHOWN or tag in skip or is_hidden(node):
                walk.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                parts.append(" ")
            if node.text:
                parts.append(node.text)
        else:
            if tag in BLOCK_TAGS:
                parts.append(" ")
            if node is not el and node.tail:
                parts.append(node.tail)
    return clean("".join(parts))
