"""Text normalisation shared by the extractors: real portals pad text with every kind of
blank (ASCII spaces in 「索 引 号」, ``&ensp;`` on the Fujian template, U+3000 on gov.cn, NBSP)."""

from __future__ import annotations

import re

_BLANKS = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def squash(text: str) -> str:
    """Remove every kind of blank (ASCII, NBSP, en/em spaces, U+3000, zero-width)."""
    return _BLANKS.sub("", text)


def clean(text: str) -> str:
    """Collapse runs of blanks to one ASCII space and strip the ends."""
    return _BLANKS.sub(" ", text).strip()
