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
ICP_RE = re.compile(r"([\u4e00-\u9fff]ICP[备證证]\s*\d+号(?:-\d+)?)", re.I)
POLICE_RE = re.compile(r"([\u4e00-\u9fff]公网安备\s*\d+号)")


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
    out = {}
    for key, pattern in (("site_id_code", SITE_ID_CODE_RE), ("icp", ICP_RE), ("police_record", POLICE_RE)):
        m = pattern.search(text)
        if m:
            out[key] = re.sub(r"\s+", "", m[1])
    return out
