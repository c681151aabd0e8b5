"""Text normalisation shared by the extractors: real portals pad text with every kind of
blank (ASCII spaces in 「索 引 号」, ``&ensp;`` on the Fujian template, U+3000 on gov.cn, NBSP),
and some render pinyin in parentheses after each character (「索 引 號(hào)」)."""

from __future__ import annotations

import re

_BLANKS = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
# One pinyin syllable in ASCII or full-width parentheses, as reading-aid renderings write it after
# a character: (hào), (biāo), （guān）, (lǜ). Lower-case Latin letters with tone marks or ü only,
# at most 6 of them (zhuāng), so that real parenthesised content such as (2019) or (试行) is not one.
PINYIN = r"[(（][a-zāáǎàēéěèêīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,6}[)）]"
_PINYIN = re.compile(PINYIN)


def squash(text: str) -> str:
    """Remove every kind of blank (ASCII, NBSP, en/em spaces, U+3000, zero-width)."""
    return _BLANKS.sub("", text)


def clean(text: str) -> str:
    """Collapse runs of blanks to one ASCII space and strip the ends.

    The blanks are ``_BLANKS``: Python's whitespace (``str.isspace``, which is also what ``\\s``
    matches) plus the zero-width space and the BOM, which are not whitespace to Python. Written
    with ``str.split`` rather than ``_BLANKS.sub``: three times faster on a page's whole text."""
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())


def strip_pinyin(text: str) -> str:
    """Drop parenthesised pinyin syllables: 「發(fā)文字號(hào)」 → 「發文字號」. For labels only: a
    value keeps whatever the page wrote."""
    return _PINYIN.sub("", text)
