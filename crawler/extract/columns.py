"""Column (栏目) type inference: from the ``ColumnType`` meta tag, the column's name, or its URL.

The types are those the freshness rules distinguish (regulations.md: 动态/要闻 14 days,
通知公告/政策文件 6 months, the others 1 year) plus the disclosure columns that 平台通知
requires (指南, 制度, 年报).
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
FRESHNESS_GROUP = {"工作动态": "dynamic", "通知公告": "notice", "政策文件": "notice"}


def infer_column_type(meta_type: str | None, name: str | None, url: str) -> tuple[str, str]:
    """(type, how): how is ``meta``, ``name``, ``url`` or ``default``."""
    for source, text in (("meta", meta_type or ""), ("name", name or "")):
        for col_type, names, _ in COLUMN_TYPES:
            if any(word in text for word in names):
                return col_type, source
    segments = [s for s in re.split(r"[/_.?=&-]+", url.split("://", 1)[-1].lower()) if s]
    for col_type, _, slugs in COLUMN_TYPES:
        if any(slug in segments for slug in slugs):
            return col_type, "url"
    return "其他", "default"
