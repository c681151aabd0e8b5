"""The 《政府网站发展指引》 网页设计规范 meta tags and the footer identity (网站标识码, ICP备案).

Portals write the tag names in any case (``KeyWords``, ``keywords``), and Pingtan misspells
``Description`` as ``Desctiption``: names are matched case-insensitively and the misspelling is
kept under its own name so the identity check can report it.
"""

from __future__ import annotations

import re

from crawler.text import clean

STANDARD_TAGS = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords",
    "ColumnType", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description",
    "Image", "Url", "DocId", "ChnlId", "SiteId",
)
_CANONICAL = {name.lower(): name for name in STANDARD_TAGS}

SITE_ID_CODE_RE = re.compile(r"网站标识码[:：\s]*([A-Za-z]{0,2}\d{8,10})")
# 「京ICP备05070218号」, 「闽公网安备 35010202000123号」: a province's abbreviation, then the record.
# Searched from "ICP" / "公网安备" and the character before it checked: a pattern that starts with a
# CJK character class is tried at every character of a Chinese page (0.5 ms a page; re.I costs as
# much again, hence [Ii][Cc][Pp]).
ICP_RE = re.compile(r"[Ii][Cc][Pp][备證证]\s*\d+号(?:-\d+)?")
POLICE_RE = re.compile(r"公网安备\s*\d+号")


def _after_cjk(pattern: re.Pattern, text: str) -> str | None:
    """The first match of ``pattern`` right after a CJK character, with that character."""
    for m in pattern.finditer(text):
        if m.start() > 0 and "\u4e00" <= text[m.start() - 1] <= "\u9fff":
            return text[m.start() - 1:m.end()]
    return None


def extract_meta_tags(root) -> dict[str, str]:
    """``{"SiteName": "…", "PubDate": "…", …}``: every named meta tag, standard names normalised."""
    tags: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = meta.get("name")
        if not name:
            continue
        key = _CANONICAL.get(name.strip().lower(), name.strip())
        tags.setdefault(key, clean(meta.get("content") or ""))
    return tags


def extract_footer_identity(text: str) -> dict[str, str]:
    """网站标识码, ICP备案编号 and 公安机关备案号 as printed on the page (usually the footer)."""
    m = SITE_ID_CODE_RE.search(text)
    found = {"site_id_code": m[1] if m else None, "icp": _after_cjk(ICP_RE, text), "police_record": _after_cjk(POLICE_RE, text)}
    return {key: re.sub(r"\s+", "", value) for key, value in found.items() if value}
