"""Column (栏目) type inference: from the ``ColumnType`` meta tag, the column's name, or its URL.

The types are those the freshness rules distinguish (regulations.md: 动态/要闻 14 days,
通知公告/政策文件 6 months, the others 1 year) plus the disclosure columns that 平台通知
requires (指南, 制度, 年报), and the consulting boards (互动咨询) that 互动回应差 reads.
"""

from __future__ import annotations

import re

# type → (name keywords, URL path keywords); order matters: the first match wins.
COLUMN_TYPES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("政策解读", ("政策解读", "解读"), ("zcjd", "jd")),
    ("信息公开年报", ("年报", "年度报告"), ("ndbg", "gknb", "nb")),
    ("信息公开指南", ("公开指南", "指南"), ("gkzn", "zn")),
    ("信息公开制度", ("公开制度", "制度"), ("gkzd", "zd")),
    ("通知公告", ("通知公告", "公告", "通知", "公示"), ("tzgg", "gg", "gs")),
    ("政策文件", ("政策文件", "政府文件", "规范性文件", "文件", "政策", "法规"), ("zcwj", "zfwj", "gfxwj", "wj", "zc")),
    ("工作动态", ("工作动态", "动态", "要闻", "新闻", "资讯"), ("gzdt", "dt", "yw", "xw", "zx")),
    ("人事信息", ("人事", "任免"), ("rsxx", "rs", "rm")),
    ("财政信息", ("财政", "预算", "决算"), ("czxx", "cz", "ys", "js")),
    ("规划计划", ("规划", "计划"), ("ghjh", "gh")),
    ("统计信息", ("统计",), ("tjxx", "tj")),
    ("机构信息", ("机构", "领导", "职能"), ("jgxx", "jgzn", "ld")),
    ("重大项目", ("项目",), ("zdxm", "xm")),
    ("法定主动公开内容", ("法定主动公开", "主动公开"), ("fdzdgknr",)),
]
# 政务咨询 columns that must answer letters and messages (检查指标 互动回应差); 在线访谈, 调查征集 and
# 举报投诉 columns are excepted by the indicator, so a name with one of those words is never one
# (a ColumnType of 咨询投诉 covers both: the name decides).
CONSULTING = "互动咨询"
CONSULTING_NAMES = ("咨询", "留言", "信箱", "12345", "问政", "来信", "写信", "民意直通", "诉求")
NOT_CONSULTING_NAMES = ("访谈", "调查", "征集", "举报", "投诉", "评议", "问卷")
# URL words that say consulting only: not ldxx (领导信箱 or 领导信息), zixun (咨询 or 资讯), xzxx (县长信箱 or 乡镇信息) …
CONSULTING_SLUGS = ("wyzx", "wszx", "wsly", "liuyan", "xinxiang", "mailbox", "12345")


def is_consulting_name(name: str | None) -> bool:
    """A column or link name that names a 政务咨询 channel (领导信箱, 网上咨询 …), not an excepted one."""
    name = name or ""
    return any(w in name for w in CONSULTING_NAMES) and not any(w in name for w in NOT_CONSULTING_NAMES)


def is_excepted_name(name: str | None) -> bool:
    """在线访谈, 调查/意见征集, 举报投诉: interaction columns the indicator does not judge."""
    return any(w in (name or "") for w in NOT_CONSULTING_NAMES)


FRESHNESS_GROUP = {"工作动态": "dynamic", "通知公告": "notice", "政策文件": "notice"}


def infer_column_type(meta_type: str | None, name: str | None, url: str) -> tuple[str, str]:
    """(type, how): how is ``meta``, ``name``, ``url`` or ``default``."""
    if is_consulting_name(name) or (is_consulting_name(meta_type) and not is_excepted_name(name)):
        return CONSULTING, "name" if is_consulting_name(name) else "meta"
    for source, text in (("meta", meta_type or ""), ("name", name or "")):
        for col_type, names, _ in COLUMN_TYPES:
            if any(word in text for word in names):
                return col_type, source
    segments = [s for s in re.split(r"[/_.?=&-]+", url.split("://", 1)[-1].lower()) if s]
    if not is_excepted_name(name) and not is_excepted_name(meta_type) and any(s in segments for s in CONSULTING_SLUGS):
        return CONSULTING, "url"
    for col_type, _, slugs in COLUMN_TYPES:
        if any(slug in segments for slug in slugs):
            return col_type, "url"
    return "其他", "default"
