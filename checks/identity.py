"""Page identity: the 指引 meta tags for the page's kind, and the footer identity."""

from __future__ import annotations

import json
import re

from checks.registry import Finding, rule
from crawler.dates import PUBDATE_META_RE

SITE_ID_CODE_RE = re.compile(r"^(?:bm\d{8}|\d{10})$")


@rule("identity.missing_meta")
def missing_meta(ctx, params):
    """Site tags on every page, column tags on column pages, article tags on document pages."""
    seen_final: set[str] = set()
    pages = ctx.stream(
        "select url, final_url, kind, meta_tags, footer from pages where scan_id = ? and status = 200 and probe = 0 "
        "and method = 'GET' and lower(content_type) like 'text/html%' "
        "and kind in ('home', 'column', 'document', 'interpretation', 'other') order by url, request_body"
    )
    for page in pages:
        if page["final_url"] in seen_final:
            continue  # a redirect to a page already checked
        seen_final.add(page["final_url"])
        url, kind = page["url"], page["kind"]
        tags = json.loads(page["meta_tags"] or "{}")
        required = list(params["site_tags"])
        if kind == "column":
            required += params["column_tags"]
        elif kind in ("document", "interpretation"):
            required += params["article_tags"]
        missing = [t for t in required if not tags.get(t)]
        if missing:
            yield Finding(
                "identity.missing_meta", url,
                f"缺少 meta 标签：{'、'.join(missing)}", f"missing meta tags: {', '.join(missing)}",
                {"missing_tags": missing, "page_kind": kind}, key="tags:" + ",".join(missing),
            )
        pubdate = tags.get("PubDate")
        if kind in ("document", "interpretation") and pubdate and not PUBDATE_META_RE.match(pubdate):
            yield Finding(
                "identity.missing_meta", url,
                f"PubDate 格式应为“YYYY-MM-DD HH:MM”，实为“{pubdate}”", f"PubDate should be YYYY-MM-DD HH:MM, is {pubdate!r}",
                {"tag": "PubDate", "value": pubdate}, key="PubDate:format",
            )
        code = tags.get("SiteIDCode")
        if code and not SITE_ID_CODE_RE.match(code):
            yield Finding(
                "identity.missing_meta", url,
                f"网站标识码格式不正确：{code}", f"malformed SiteIDCode: {code}",
                {"tag": "SiteIDCode", "value": code}, key="SiteIDCode:format",
            )
        footer = json.loads(page["footer"] or "{}")
        absent = [k for k in params["require_footer"] if not footer.get(k)]
        if absent:
            names = {"site_id_code": "网站标识码", "icp": "ICP备案编号", "police_record": "公安机关备案号"}
            yield Finding(
                "identity.missing_meta", url,
                f"页面未展示{'、'.join(names.get(k, k) for k in absent)}", f"page shows no {', '.join(absent)}",
                {"missing_footer": absent}, key="footer:" + ",".join(absent),
            )
