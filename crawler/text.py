"""Text normalisation shared by the extractors.

Real portals pad labels with every kind of blank (ASCII spaces in 「索 引 号」, ``&ensp;`` on
the Fujian template, U+3000 on gov.cn, NBSP) and some are written in Traditional characters,
so labels are compared only after :func:`normalize_label`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

_BLANKS = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_converter = opencc.OpenCC("t2s")


def squash(text: str) -> str:
    """Remove every kind of blank (ASCII, NBSP, en/em spaces, U+3000, zero-width)."""
    return _BLANKS.sub("", text)


def clean(text: str) -> str:
    """Collapse runs of blanks to one ASCII space and strip the ends."""
    return _BLANKS.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    return _converter.convert(text)


def normalize_label(text: str) -> str:
    """「索&ensp;引&ensp;号：」, 「索 引 號:」 → 「索引号」."""
    return to_simplified(squash(text)).rstrip(":：")
