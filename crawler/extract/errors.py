"""Error pages that answer 200 (soft 404s).

Many government CMSs answer a deleted article with HTTP 200 and a page saying 您访问的页面不存在,
or redirect it to the home page. Audited as a document such a page yields five false
"missing metadata" findings while the real problem, a dead link, goes unreported. A page is an
error page only on strong evidence: the wording in its title or heading, or the wording in a
page that has no metadata and lists nothing.
"""

from __future__ import annotations

import re

# what a missing page says of itself; never matched against a whole article's body text
NOT_FOUND = re.compile(
    r"(?:您|你)?(?:所)?(?:要)?(?:访问|请求|查找|浏览)的(?:页面|网页|信息|文章|内容)(?:不存在|已删除|已被删除|已过期|未找到|找不到)|"
    r"(?:页面|网页|信息|文章|内容)(?:不存在|已删除|已被删除|已撤销|未找到|找不到)|"
    r"找不到(?:该|此|您要访问的)?(?:页面|网页)|无法找到(?:该|此)?(?:页面|网页)|"
    r"\b404\b|not\s+found|page\s+(?:does\s+not|doesn't)\s+exist",
    re.I,
)
SHORT_HEADING = 80


def soft_404_reason(title: str, heading: str, text: str, has_content: bool) -> str | None:
    """Why a 200 page is an error page ("title", "text"), or None if it is a real page."""
    for candidate in (title, heading):
        if candidate and len(candidate) <= SHORT_HEADING and NOT_FOUND.search(candidate):
            return "title"
    if not has_content and NOT_FOUND.search(text[:3000]):
        return "text"
    return None
