"""A finding's evidence in words (证据), for the person who fixes the site.

The checks store evidence as data (``findings.json`` keeps it whole, for machines). Every report a
person reads shows it through here instead: labelled lines in Chinese (English with lang="en"),
failures in words (连接被拒绝, never ``DownloadConnectionRefusedError``), and the page to edit
(整改页面): for a broken link the page that holds the link, not the dead target.

    readable(rule_id, evidence, lang)        → [(label, value), …]
    evidence_text(rule_id, evidence, lang)   → the same lines as one text ("label：value" per line)
    fix_page(rule_id, finding)               → the page to edit
    involved_url(rule_id, finding)           → the link target or other address concerned, "" when none
    for_reader(finding, lang)                → all of it for one finding, with its message

and, from reports.failures, failure_words(code, detail, lang) (连接被拒绝 / HTTP 404 页面不存在 …) and
readable_error(text, lang) (a stored error message in words).
"""

from __future__ import annotations

import functools
import re

from reports.failures import failure_words, http_words, plain, readable_error

__all__ = ["readable", "evidence_text", "fix_page", "involved_url", "holding_pages", "for_reader", "failure_words",
           "readable_error"]

LIST_LIMIT = 10  # items of a list shown; the rest are counted
TEXT_LIMIT = 300  # characters of one value


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


# ---- the page to fix ----------------------------------------------------------------------------

LINK_RULES = ("links.broken", "links.blocked")
ATTACHMENT_RULES = ("content.attachment_image_only", "content.attachment_unreadable")


def holding_pages(evidence: dict) -> list[str]:
    """The pages that hold the link or attachment a finding is about (``linked_from``, else ``pages``)."""
    out = []
    for item in (evidence or {}).get("linked_from") or (evidence or {}).get("pages") or []:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url and url not in out:
            out.append(url)
    return out


def fix_page(rule_id: str, finding: dict) -> str:
    """The page a person edits to fix the finding: for a broken or blocked link, an unreadable
    attachment or personal data in an attachment, the first page holding the link; otherwise the
    finding's own page."""
    evidence = finding.get("evidence") or {}
    if rule_id in LINK_RULES or rule_id in ATTACHMENT_RULES or (rule_id == "content.personal_data" and evidence.get("attachment")):
        pages = holding_pages(evidence)
        if pages:
            return pages[0]
    return finding.get("url") or ""


def involved_url(rule_id: str, finding: dict) -> str:
    """The other address a finding concerns (链接目标/涉及网址): the link target, the attachment, the
    page that declares a document repealed, the policy of an interpretation …; "" when there is none."""
    evidence = finding.get("evidence") or {}
    url = finding.get("url") or ""
    page = fix_page(rule_id, finding)
    if rule_id == "links.malformed":
        return str(evidence.get("href") or "")
    if rule_id == "content.hidden_link":
        return str(evidence.get("target") or "")
    if rule_id == "content.repealed_unmarked":
        return str(evidence.get("declared_by") or "")
    if rule_id.startswith("linkage.") and evidence.get("policy"):  # the policy, or the interpretation of one
        return (evidence.get("interpretation") or "") if url == evidence["policy"] else evidence["policy"]
    return url if url != page else ""


# ---- evidence in words --------------------------------------------------------------------------

LABELS = {
    "linked_from": ("链接所在页面", "Pages holding the link"), "anchor": ("链接文字", "Link text"),
    "target": ("链接目标", "Link target"), "failure": ("失败原因", "Why it fails"),
    "redirects": ("重定向经过", "Redirects"), "on_home": ("首页上有此链接", "Linked from the home page"),
    "href": ("错误的链接地址", "Malformed address"), "off_site": ("指向其他网站", "Leads off the site"),
    "spam_words": ("链接文字含违规词语", "Link text carries spam words"), "pages": ("所在页面", "Pages"),
    "page_count": ("页面数", "Pages in all"), "items": ("条目数", "Items"), "count": ("出现次数", "Occurrences"),
    "attachment": ("附件", "Attachment"), "term": ("违规词语", "Term"), "category": ("类别", "Category"),
    "occurrences": ("出现位置", "Where it appears"), "wrong": ("错误写法", "Wrong form"), "right": ("应为", "Should read"),
    "contexts": ("上下文", "Context"), "where": ("附件中的位置", "Place in the attachment"),
    "document_date": ("文件日期", "Document date"), "abolished_since": ("机构撤销或更名日期", "Abolished or renamed on"),
    "source": ("词条出处", "Source of the entry"), "problem": ("问题", "Problem"), "kind": ("文件类型", "File type"),
    "expected_kind": ("扩展名对应的类型", "Type its name says"), "content_type": ("服务器声明的类型", "Content-Type"),
    "size": ("大小", "Size"), "type": ("栏目类型", "Column type"), "synonyms": ("查找的栏目名称", "Names looked for"),
    "matched_columns": ("匹配的栏目", "Matching columns"), "similar_columns": ("名称相近的栏目", "Similar columns"),
    "found_instead": ("实际找到的栏目", "Columns found"), "candidate_pages": ("候选页面", "Candidate pages"),
    "column": ("栏目", "Column"), "column_type": ("栏目类型", "Column type"),
    "empty_notice": ("页面显示“暂无信息”", "Shows a no-content notice"), "newest": ("最新信息日期", "Newest item"),
    "limit": ("期限", "Limit"), "days_since": ("距检查基准日天数", "Days before the audit date"),
    "max_days": ("期限（天）", "Limit (days)"), "written_date": ("成文日期", "Written"),
    "publish_date": ("发布日期", "Published"), "working_days": ("相隔工作日", "Working days between"),
    "year": ("年度", "Year"), "report_columns": ("年报栏目", "Annual report columns"), "deadline": ("截止日期", "Deadline"),
    "title": ("标题", "Title"), "missing_tags": ("缺少的 meta 标签", "Missing meta tags"),
    "page_kind": ("页面类型", "Page kind"), "tag": ("标签", "Tag"), "value": ("实际值", "Value found"),
    "missing_footer": ("页脚缺少", "Footer lacks"), "field": ("元数据项", "Field"),
    "column_types": ("所在栏目类型", "Column types"), "required_by_type": ("要求该项的栏目类型", "Required by column types"),
    "label": ("页面上的标签", "Label on the page"), "state": ("情况", "State"), "raw": ("页面原文", "Text on the page"),
    "why": ("原因", "Why"), "policy": ("政策文件", "Policy"), "interpretation": ("解读", "Interpretation"),
    "matched_by": ("对应方式", "Matched by"), "missing": ("缺少的链接", "Missing link"),
    "policy_date": ("政策发布日期", "Policy published"), "interpretation_date": ("解读发布日期", "Interpretation published"),
    "validity": ("页面标注的有效性", "Validity shown"), "declared_by": ("宣布废止的文件", "Declared repealed by"),
    "declared_by_title": ("宣布废止的文件标题", "Title of that document"), "declared_on": ("宣布日期", "Declared on"),
    "sentence": ("原文", "Sentence"), "doc_no": ("发文字号", "Document no."), "valid_until": ("有效期至", "Valid until"),
    "host": ("域名", "Host"), "error": ("失败原因", "Why it fails"), "level": ("域名类别", "Kind of host"),
    "a": ("IPv4 地址", "IPv4 addresses"), "portal": ("门户网站域名", "Portal host"),
    "ipv6_address": ("IPv6 地址", "IPv6 address"), "ipv6_status": ("IPv6 访问结果", "Over IPv6"),
    "ipv6_error": ("IPv6 访问失败原因", "Why it fails over IPv6"),
    "ipv4_status": ("IPv4 访问结果", "Over IPv4"), "ipv4_title": ("IPv4 页面标题", "Title over IPv4"),
    "ipv6_title": ("IPv6 页面标题", "Title over IPv6"), "rate": ("IPv6 支持率", "IPv6 support"),
    "threshold": ("要求", "Required"), "ok": ("支持 IPv6 的链接数", "Links working over IPv6"),
    "total": ("检测的链接数", "Links tested"), "failing_links": ("IPv6 无法访问的链接", "Links failing over IPv6"),
    "zone": ("域", "Zone"), "name_servers": ("权威域名服务器", "Name servers"),
    "without_ipv6": ("没有 IPv6 地址的服务器", "Servers without IPv6"), "hosts": ("未能测量的域名", "Hosts not measured"),
    "links": ("未能测量的链接", "Links not measured"), "declared": ("声明的信息条数", "Records declared"),
    "found": ("列出的信息条数", "Records listed"), "pager": ("分页方式", "Pager"),
    "claimed_pages": ("声明的页数", "Pages claimed"), "claimed_records": ("声明的信息条数", "Records claimed"),
    "listed_items": ("实际信息条数", "Items really listed"), "pages_requested": ("请求的页数", "Pages requested"),
    "wasted_requests": ("多余的请求", "Wasted requests"), "status": ("HTTP 状态码", "HTTP status"),
    "elapsed_ms": ("响应时间", "Response time"),
    # content.cloaked_hijack (each view that differs) and metadata.duplicate_index_no
    "views": ("与普通访问不同的视图", "Views that differ from the normal one"), "view": ("视图", "View"),
    "seen_as": ("访问身份", "Seen as"), "compared_with": ("对照的普通视图", "Compared with"),
    "redirect_to": ("被跳转到", "Sent to"), "normal_redirect_to": ("普通访问跳转到", "Normal visit sent to"),
    "normal_final_url": ("普通访问的页面", "Page of the normal visit"), "spam_terms": ("违规词语", "Spam terms"),
    "context": ("上下文", "Context"), "added_links": ("多出的无关网站链接", "Extra links to unrelated hosts"),
    "added_link_count": ("多出的无关网站链接数", "Extra links to unrelated hosts in all"),
    "added_excerpt": ("只在该视图中出现的文字", "Text only this view shows"),
    "normal_excerpt": ("普通访问者看到而该视图没有的文字", "Text the normal view shows instead"),
    "first_view": ("首个发现的视图", "First view found"), "new_host": ("普通访问中没有该网站的链接", "Host not linked in the normal view"),
    "frame": ("嵌入的网页框架（iframe）", "A frame (iframe)"), "spam_category": ("类别", "Kind"),
    "url": ("网址", "Address"), "index_no": ("索引号", "Index number"), "documents": ("共用该索引号的文件", "Documents sharing it"),
    "document_count": ("文件数", "Documents"), "urls": ("网址", "Addresses"),
}
# per rule, where a key means something else than elsewhere
RULE_LABELS = {
    ("content.personal_data", "items"): ("发现的号码（已脱敏）", "Numbers found (masked)"),
    ("content.personal_data", "count"): ("处数", "Occurrences"),
    ("content.personal_data", "linked_from"): ("链接该附件的页面", "Pages linking the attachment"),
    ("content.attachment_image_only", "linked_from"): ("链接该附件的页面", "Pages linking the attachment"),
    ("content.attachment_unreadable", "linked_from"): ("链接该附件的页面", "Pages linking the attachment"),
    ("content.attachment_image_only", "pages"): ("页数", "Pages"),
    ("content.attachment_unreadable", "pages"): ("页数", "Pages"),
    ("content.hidden_link", "pages"): ("含隐藏链接的页面", "Pages carrying it"),
    ("content.spam_text", "pages"): ("含该词语的页面", "Pages carrying it"),
    ("content.wording", "category"): ("错误类别", "Kind of error"),
    ("content.spam_text", "category"): ("类别", "Kind"),
    ("disclosure.catalogue_missing", "problem"): ("情况", "State"),
    ("metadata.bad_value", "problem"): ("问题", "Problem"),
    ("freshness.stale_column", "items"): ("栏目信息条数", "Items in the column"),
    ("freshness.stale_home", "items"): ("首页信息条数", "Items on the home page"),
    ("ipv6.link_rate", "level"): ("链接层级", "Link level"),
    ("dns.failure", "error"): ("无法解析的原因", "Why it does not resolve"),
    ("linkage.missing_interpretation", "title"): ("政策文件标题", "Policy title"),
    ("content.repealed_unmarked", "title"): ("文件标题", "Document title"),
    ("metadata.missing_field", "title"): ("文件标题", "Document title"),
}
# the annual report's rules (checks/annual_report.py, checks/report_format.py)
_ANNUAL_REPORT = {
    "title": ("年度报告标题", "Report title"), "year": ("报告年度", "Year"), "source": ("报告形式", "Published as"),
    "source_url": ("所在页面", "Page it is on"), "problem": ("无法读取的原因", "Why it cannot be read"),
    "form": ("表格格式", "Form"), "table": ("表", "Table"), "row": ("行", "Row"), "column": ("列", "Column"),
    "stated": ("表中数值", "Stated"), "stated_raw": ("表中原文", "As printed"), "parts": ("分项", "Parts"),
    "sum": ("分项之和", "Sum of the parts"), "difference": ("差额", "Difference"), "value": ("表中原文", "As printed"),
    "relation": ("勾稽关系", "Relation"), "new": ("本年新收", "New this year"), "carried_in": ("上年结转", "Carried in"),
    "total": ("办理结果总计", "Handled"), "carried_out": ("结转下年度", "Carried over"), "left": ("一＋二", "New + carried in"),
    "right": ("三（七）＋四", "Handled + carried over"), "this_year": ("本年度", "This year"), "last_year": ("上一年度", "Last year"),
    "carried_out_last_year": ("上一年报告结转下年度", "Last year's carried over"), "last_year_url": ("上一年报告", "Last year's report"),
    "valid": ("现行有效件数", "In force"), "valid_last_year": ("上一年现行有效件数", "In force last year"),
    "made": ("本年制发件数", "Made this year"), "repealed": ("本年废止件数", "Repealed this year"),
    "expected": ("应为", "Expected"), "missing": ("缺少", "Missing"), "found": ("已找到", "Found"), "rows": ("行", "Rows"),
    "unrecognised": ("无法识别的行", "Rows not recognised"), "rows_without_known_label": ("无法识别的行", "Rows not recognised"),
    "parts_found": ("找到的部分", "Parts found"), "headings": ("报告中的标题", "Headings in the report"),
}
RULE_LABELS.update({(rule, key): words for rule in ("disclosure.annual_report_format", "disclosure.annual_report_inconsistent",
                                                     "disclosure.annual_report_carryover") for key, words in _ANNUAL_REPORT.items()})
# 互动回应差 (checks/interaction.py): a message, its two dates, its board
_INTERACTION = {
    "title": ("留言标题", "Message"), "asked_at": ("留言时间", "Left on"), "answered_at": ("回复时间", "Answered on"),
    "status": ("办理状态", "Status shown"), "replier": ("回复单位", "Answered by"), "list_url": ("留言列表页", "List page"),
    "detail_url": ("留言详情页", "Message page"), "age_days": ("至检查日天数", "Days up to the audit date"),
    "due": ("应回复期限", "Due by"), "months": ("期限（月）", "Limit (months)"), "days": ("留言至回复天数", "Days to the reply"),
    "column": ("咨询栏目", "Consulting column"),
}
RULE_LABELS.update({(rule, key): words for rule in ("interaction.unanswered", "interaction.late_reply")
                    for key, words in _INTERACTION.items()})
RULE_LABELS.update({
    ("interaction.unchecked_board", "column"): ("咨询栏目", "Consulting column"),
    ("interaction.unchecked_board", "items"): ("栏目列出条数", "Entries listed"),
    ("interaction.unchecked_board", "messages"): ("读出的留言数", "Messages read"),
    ("interaction.unchecked_board", "unreadable"): ("无可读留言时间的留言数", "Messages without a readable time"),
    ("interaction.unchecked_board", "undetermined"): ("未标明是否回复的留言数", "Messages not saying whether answered"),
    ("interaction.unchecked_board", "examples"): ("示例", "Examples"),
    ("interaction.unchecked_board", "outside_scope"): ("在抓取范围之外", "Outside the crawl"),
    ("interaction.no_channel", "candidates"): ("找到的咨询渠道（均不可用）", "Channels found (none working)"),
})
# 站点无法访问 over a week (checks/availability.py): the visits zwgk monitor stored
_AVAILABILITY = {
    "visits": ("监测访问次数", "Visits"), "failures": ("未能打开次数", "Failed visits"), "share": ("失败占比", "Share failed"),
    "family": ("判定所用协议（IPv4=4，IPv6=6）", "IP family judged (4 or 6)"), "window": ("监测日期范围", "Days monitored"),
    "worst_day": ("失败最多的一天", "Worst day"), "examples": ("失败示例（北京时间、原因）", "Failed visits (Beijing time, why)"),
    "incomplete_days": ("访问不足的日期", "Days with too few visits"), "other_family": ("另一协议", "Other IP family"),
    "slow": ("缓慢的访问", "Slow visits"), "slow_count": ("缓慢访问次数", "Slow visits in all"),
}
RULE_LABELS.update({(rule, key): words for rule in ("availability.unreachable", "availability.slow")
                    for key, words in _AVAILABILITY.items()})
# keys a reader has no use for: machine detail (kept in findings.json), internal weights, lexicon bookkeeping
HIDDEN = {"detail", "weight", "lexicon", "ipv4_hash", "ipv6_hash", "field_zh", "linked_from_count", "note"}
RULE_HIDDEN = {"content.spam_text": {"status", "source"}, "content.wording": {"status"},
               "availability.unreachable": {"days"}}  # (each day's counts: findings.json)
WORDS = {
    "page_kind": {"document": ("文件页", "document page"), "interpretation": ("解读页", "interpretation page"),
                  "column": ("栏目页", "column page"), "home": ("首页", "home page"), "other": ("其他页面", "other page")},
    "state": {"empty": ("值为空", "empty"), "commented_out": ("值被注释隐藏", "commented out")},
    "missing": {"policy_to_interpretation": ("政策文件页面没有链接到解读", "the policy does not link to its interpretation"),
                "interpretation_to_policy": ("解读页面没有链接到政策文件", "the interpretation does not link to the policy"),
                "both": ("双方都没有链接到对方", "neither links to the other")},
    "matched_by": {"link": ("页面之间的链接", "a link between the pages"), "title": ("标题", "the title"),
                   "doc_no": ("发文字号", "the document number")},
    "missing_footer": {"site_id_code": ("网站标识码", "site identity code"), "icp": ("ICP备案编号", "ICP number"),
                       "police_record": ("公安机关备案号", "police record number")},
    "why": {"placeholder": ("占位词", "a placeholder"), "date": ("只有一个日期", "a date alone"),
            "no_digit": ("没有数字", "no digit"), "stray": ("含异常字符", "stray characters")},
}
RULE_WORDS = {
    ("metadata.bad_value", "problem"): {
        "unparseable_date": ("日期无法识别", "not a date"),
        "written_after_published": ("成文日期晚于发布日期", "written after it was published"),
        "index_no_invalid": ("不是有效的索引号", "not a valid index number")},
    ("disclosure.catalogue_missing", "problem"): {
        "missing": ("未找到", "not found"), "unreachable": ("链接无法访问", "linked but not reachable"),
        "empty": ("栏目为空", "empty")},
    ("content.wording", "category"): {
        "institution": ("已撤销或更名的机构名称", "an abolished or renamed body"), "taiwan": ("涉台用语", "cross-strait wording"),
        "expression": ("固定政治用语", "a fixed political phrase"), "misspelling": ("错别字", "a misspelling")},
    ("content.spam_text", "category"): {
        "gambling": ("赌博", "gambling"), "pornography": ("色情", "pornography"), "seo": ("垃圾推广", "SEO spam")},
    ("content.cloaked_hijack", "compared_with"): {
        "normal": ("普通访问（网页源码）", "a plain normal visit"), "normal:render": ("普通访问（浏览器渲染）", "a normal visit rendered in a browser")},
}
SPAM_FIELDS = {"title": ("文件标题", "document title"), "body": ("正文", "body text"), "page_title": ("网页标题", "page title"),
               "footer": ("页脚", "footer"), "footer_text": ("页脚", "footer"), "visible_text": ("页面文字", "page text"),
               "text": ("页面文字", "page text"), "link_text": ("链接文字", "link text"), "attachment": ("附件", "attachment")}
PERSONAL_KINDS = {"id_number": ("身份证号", "ID number"), "mobile": ("手机号", "mobile number"),
                  "bank_card": ("银行卡号", "bank card number")}
IPV6_LEVELS = {2: ("二级内链（首页点击一次可达）", "level 2 (one click from the home page)"),
               3: ("三级内链（首页点击两次可达）", "level 3 (two clicks from the home page)")}
YES_NO = {True: ("是", "yes"), False: ("否", "no")}


@functools.cache
def _attachment_problems() -> dict:
    from checks.attachments import PROBLEM_NAMES

    return {**PROBLEM_NAMES, "image_only": ("扫描图片，没有文字层", "scanned images without a text layer")}


def _cut(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _more(total: int, lang: str) -> str:
    return f"…共 {total} 项" if lang == "zh" else f"… {total} in all"


def _is_url(value) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _joined(items: list[str], lang: str, total: int | None = None) -> str:
    """Addresses one per line, words with 、; the first LIST_LIMIT of them."""
    total = len(items) if total is None else total
    shown = [_cut(i) for i in items[:LIST_LIMIT]]
    if all(_is_url(i) for i in items[:LIST_LIMIT]):
        text = "\n".join(shown)
        return text + ("\n" + _more(total, lang) if total > len(shown) else "")
    text = ("、" if lang == "zh" else ", ").join(shown)
    return text + (_more(total, lang) if total > len(shown) else "")


def _segment(where: str, lang: str) -> str:
    """An attachment segment ("page:3", "sheet:名单 row:4", "paragraph:5") in words."""
    zh = lang == "zh"
    match = re.fullmatch(r"sheet:(.*) row:(\d+)", where)
    if match:
        return f"工作表“{match[1]}”第 {match[2]} 行" if zh else f"sheet {match[1]}, row {match[2]}"
    match = re.fullmatch(r"(page|paragraph):(\d+)", where)
    if match:
        return (f"第 {match[2]} 页" if match[1] == "page" else f"第 {match[2]} 段") if zh else f"{match[1]} {match[2]}"
    return where


def _size(value) -> str:
    if not isinstance(value, (int, float)):
        return str(value)
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value} B"


def _flat(value, lang: str) -> str:
    """Any value as one line of words (the fallback: never a JSON blob)."""
    sep = "；" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    if isinstance(value, bool):
        return _pick(YES_NO[value], lang)
    if isinstance(value, dict):
        return sep.join(f"{_label('', k, lang)}{colon}{_flat(v, lang)}" for k, v in value.items() if not _empty(v))
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(_flat(v, lang) for v in value[:LIST_LIMIT]) + (
            _more(len(value), lang) if len(value) > LIST_LIMIT else "")
    return _cut(value)


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _label(rule_id: str, key: str, lang: str) -> str:
    pair = RULE_LABELS.get((rule_id, key)) or LABELS.get(key)
    return _pick(pair, lang) if pair else key


def _column_list(columns: list, lang: str) -> str:
    """Columns found (dicts of name, type, url) as "名称（类型） 网址" lines."""
    lines = []
    for c in columns[:LIST_LIMIT]:
        if isinstance(c, dict):
            kind = f"（{c['type']}）" if lang == "zh" and c.get("type") else (f" ({c['type']})" if c.get("type") else "")
            lines.append(f"{c.get('name') or ''}{kind} {c.get('url') or ''}".strip())
        else:
            lines.append(_flat(c, lang))
    return "\n".join(lines) + ("\n" + _more(len(columns), lang) if len(columns) > LIST_LIMIT else "")


def _value(rule_id: str, key: str, value, evidence: dict, lang: str) -> str:
    """One evidence value in words."""
    zh = lang == "zh"
    words = RULE_WORDS.get((rule_id, key)) or WORDS.get(key)
    if rule_id in ATTACHMENT_RULES and key == "problem":
        words = _attachment_problems()
    if words and isinstance(value, str):
        return _pick(words[value], lang) if value in words else value
    if words and isinstance(value, list):
        return _joined([_pick(words[v], lang) if v in words else str(v) for v in value], lang)
    if key == "field":
        from crawler.extract.labels import FIELD_NAMES_ZH

        return (evidence.get("field_zh") or FIELD_NAMES_ZH.get(value, value)) if zh else str(value).replace("_", " ")
    if key == "limit":
        if isinstance(value, dict):
            from checks.freshness import describe

            return _pick(describe(value), lang)
        return f"{value} 个工作日" if zh else f"{value} working days"
    if key in ("rate", "threshold") and isinstance(value, (int, float)):
        return f"{value:.1%}"
    if key == "size":
        return _size(value)
    if key in ("error", "ipv6_error"):
        return failure_words(value, lang=lang)
    if key in ("ipv4_status", "ipv6_status") and isinstance(value, int):
        return http_words(value, lang)
    if key == "status" and isinstance(value, int):
        return http_words(value, lang)
    if key == "level":
        if rule_id == "ipv6.link_rate":
            return _pick(IPV6_LEVELS.get(value, (str(value), str(value))), lang)
        return ("门户网站" if value == 0 else "网站链接到的其他域名") if zh else ("the portal" if value == 0 else "a linked host")
    if key == "where":
        return _joined([_segment(w, lang) for w in (value if isinstance(value, list) else [value])], lang)
    if key in ("similar_columns", "found_instead", "matched_columns") and isinstance(value, list):
        return _column_list(value, lang)
    if key == "name_servers" and isinstance(value, list):
        return _joined([s.get("name", "") if isinstance(s, dict) else str(s) for s in value], lang)
    if key == "contexts" and isinstance(value, list):
        return "\n".join(_cut(c) for c in value[:LIST_LIMIT])
    if key == "elapsed_ms" and isinstance(value, (int, float)):
        return f"{value / 1000:.1f} 秒" if zh else f"{value / 1000:.1f} s"
    if key == "validity" and not value:
        return "未标注" if zh else "not shown"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return _joined([str(v) for v in value], lang)
    if isinstance(value, list):
        return "\n".join(_flat(v, lang) for v in value[:LIST_LIMIT]) + (
            "\n" + _more(len(value), lang) if len(value) > LIST_LIMIT else "")
    return _flat(value, lang)


def _link_lines(rule_id: str, evidence: dict, url: str | None, lang: str) -> list[tuple[str, str]]:
    """links.broken / links.blocked: where the link is, its text, where it leads, why it fails."""
    label = lambda key: _label(rule_id, key, lang)  # noqa: E731
    sources = [s for s in evidence.get("linked_from") or [] if isinstance(s, dict)]
    pages = holding_pages(evidence)
    total = evidence.get("linked_from_count") or len(pages)
    out = []
    if pages:
        out.append((label("linked_from"), _joined(pages, lang, total)))
    anchors = list(dict.fromkeys(" ".join(s["anchor"].split()) for s in sources if s.get("anchor")))
    if anchors:
        out.append((label("anchor"), _joined([f"“{a}”" for a in anchors], lang)))
    if url:
        out.append((label("target"), url))
    error, status = evidence.get("error"), evidence.get("status")
    if error == "slow":
        reason = failure_words("slow", evidence.get("elapsed_ms"), lang)
    elif error:
        reason = failure_words(error, evidence.get("detail"), lang)
    elif status is not None:
        reason = failure_words(status, lang=lang)
    else:
        reason = ""
    if reason:
        out.append((label("failure"), reason))
    redirects = evidence.get("redirects") or []
    if redirects:
        chain = redirects[:6]
        text = " → ".join(chain) + (" → …" if len(redirects) > len(chain) else "")
        if lang == "zh":
            text += f"（共 {len(redirects) - 1} 次重定向）" if len(redirects) > 1 else ""
        else:
            text += f" ({len(redirects) - 1} redirects)" if len(redirects) > 1 else ""
        out.append((label("redirects"), text))
    if any(s.get("hidden") for s in sources):
        out.append(("链接被隐藏" if lang == "zh" else "Hidden link", _pick(YES_NO[True], lang)))
    if evidence.get("on_home"):
        out.append((label("on_home"), _pick(YES_NO[True], lang)))
    return out


def _personal_items(items: list, lang: str) -> str:
    lines = []
    for item in items[:LIST_LIMIT]:
        kind = _pick(PERSONAL_KINDS.get(item.get("kind"), (item.get("kind"), item.get("kind"))), lang)
        where = f"（{_segment(item['where'], lang)}）" if lang == "zh" and item.get("where") else (
            f" ({_segment(item['where'], lang)})" if item.get("where") else "")
        lines.append(f"{kind} {item.get('masked', '')}{where}")
    return "\n".join(lines) + ("\n" + _more(len(items), lang) if len(items) > LIST_LIMIT else "")


def _occurrences(occurrences: list, lang: str) -> str:
    colon = "：" if lang == "zh" else ": "
    lines = []
    for o in occurrences[:LIST_LIMIT]:
        field = o.get("field") or ""
        name = ("meta " + field.split(":", 1)[1]) if field.startswith("meta:") else _pick(SPAM_FIELDS.get(field, (field, field)), lang)
        lines.append(f"{name}{colon}{_cut(o.get('context') or '')}")
    return "\n".join(lines) + ("\n" + _more(len(occurrences), lang) if len(occurrences) > LIST_LIMIT else "")


def readable(rule_id: str, evidence: dict, lang: str = "zh", *, url: str | None = None) -> list[tuple[str, str]]:
    """The evidence of a finding of ``rule_id`` as (label, value) lines in ``lang`` ("zh" or "en").
    ``url``: the finding's own address, named as the link target of a link finding (its evidence
    does not repeat it). Keys without a label of their own come out as "key: value"."""
    if not isinstance(evidence, dict):
        return [] if _empty(evidence) else [("证据" if lang == "zh" else "Evidence", _flat(evidence, lang))]
    if rule_id in LINK_RULES:
        return _link_lines(rule_id, evidence, url, lang)
    hidden = RULE_HIDDEN.get(rule_id, ())
    out = []
    for key, value in evidence.items():
        if key in HIDDEN or key in hidden or _empty(value):
            continue
        if key == "on_home" and not value:
            continue
        if rule_id == "content.personal_data" and key == "items" and isinstance(value, list):
            text = _personal_items(value, lang)
        elif key == "occurrences" and isinstance(value, list):
            text = _occurrences(value, lang)
        elif key == "page_count" and isinstance(evidence.get("pages"), list) and value <= len(evidence["pages"]):
            continue  # the pages are listed in full
        elif key == "pages" and isinstance(value, list):
            text = _joined(value, lang, evidence.get("page_count") or len(value))
        elif rule_id in ATTACHMENT_RULES and key == "expected_kind" and value == evidence.get("kind"):
            continue
        else:
            text = _value(rule_id, key, value, evidence, lang)
        if text:
            out.append((_label(rule_id, key, lang), text))
    return out


def evidence_text(rule_id: str, evidence: dict, lang: str = "zh", *, url: str | None = None) -> str:
    """readable() as one text: "label：value" a line (a value may run over several lines)."""
    colon = "：" if lang == "zh" else ": "
    return "\n".join(f"{label}{colon}{value}" for label, value in readable(rule_id, evidence, lang, url=url))


def for_reader(finding: dict, lang: str = "zh") -> dict:
    """What a report shows of one finding (a dict as reports.findings_json.findings_of returns it):
    its message without exception names, the page to fix, the address involved, the evidence lines."""
    rule_id = finding["rule"]
    message = finding.get("message") if lang == "zh" else (finding.get("message_en") or finding.get("message"))
    return {"message": plain(message), "page_to_fix": fix_page(rule_id, finding),
            "involved_url": involved_url(rule_id, finding),
            "evidence": readable(rule_id, finding.get("evidence") or {}, lang, url=finding.get("url"))}
