"""The disclosure metadata labels (政府信息公开 元数据) and their synonyms.

Canonical field → the labels seen on real portals (regulations.md, cms-patterns.md §3).
Matching is done on labels with blanks allowed between characters and in Simplified or
Traditional characters, so 「索 引 号」, 「索&ensp;引&ensp;号」 and 「索引號」 all match.
"""

from __future__ import annotations

import re

import opencc

from crawler.text import squash

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "索引编号"),  # 索引号
    "category": ("主题分类", "组配分类", "信息分类", "主题类别", "分类"),  # 主题分类
    "publisher": (  # 发文机关
        "发文机关", "发布机构", "发文机构", "发文单位", "办文部门", "报送单位", "发布单位",
        "生成机构", "公开主体",
    ),
    "written_date": ("成文日期", "印发日期", "生成日期", "制发日期"),  # 成文日期
    "publish_date": ("发布日期", "发布时间", "发文日期", "公开日期", "公开时间"),  # 发布日期
    "title": ("标题", "名称", "公文名称", "文件名称", "信息名称"),  # 标题
    "doc_no": ("发文字号", "文号", "文件编号", "发文编号"),  # 发文字号
    "keywords": ("主题词", "关键词", "关键字"),  # 主题词
    "validity": ("有效性", "有效期", "时效性", "时效", "效力状态"),  # 有效性
    "disclosure_mode": ("公开方式",),
    "disclosure_scope": ("公开范围", "公开属性"),
    "doc_type": ("公文种类", "文种"),
    "joint_publishers": ("联合发文单位",),
    "effective_date": ("实施日期", "生效日期"),
    "repeal_date": ("废止日期", "失效日期"),
    "source": ("信息来源", "来源"),
    "summary": ("内容概述", "摘要"),
}

# Chinese names of the canonical fields, for messages and reports.
FIELD_NAMES_ZH: dict[str, str] = {field: labels[0] for field, labels in FIELD_LABELS.items()}
FIELD_NAMES_ZH["publisher"] = "发文机关"

DATE_FIELDS = ("written_date", "publish_date", "effective_date", "repeal_date")

_BLANK = r"[\s\u00a0\u2000-\u200b\u3000]*"


_TO_TRADITIONAL = [opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk")]  # each loads dictionaries: once


def _variants(label: str) -> set[str]:
    out = {label} | {converter.convert(label) for converter in _TO_TRADITIONAL}
    # OpenCC writes 发布 as 發佈, but Traditional portals mostly write 發布
    return out | {v.replace("佈", "布") for v in out}


LABEL_TO_FIELD: dict[str, str] = {}
for _field, _labels in FIELD_LABELS.items():
    for _label in _labels:
        for _v in _variants(_label):
            LABEL_TO_FIELD[_v] = _field

_alternation = "|".join(
    _BLANK.join(re.escape(ch) for ch in label) for label in sorted(LABEL_TO_FIELD, key=len, reverse=True)
)
# A label token: the label at the start of a text node, then a colon and a value, or nothing.
LABEL_RE = re.compile(rf"^{_BLANK}(?P<label>{_alternation}){_BLANK}(?:(?P<colon>[:：]){_BLANK}(?P<rest>.*))?$", re.S)


def field_for(label: str) -> str | None:
    """Canonical field for a raw label (any blanks, either script)."""
    return LABEL_TO_FIELD.get(squash(label).rstrip(":："))
