"""The disclosure metadata labels (政府信息公开 元数据) and their synonyms.

Canonical field → the labels seen on real portals (regulations.md, cms-patterns.md §3).
Matching is done on labels with blanks allowed between characters and in Simplified or
Traditional characters, so 「索 引 号」, 「索&ensp;引&ensp;号」 and 「索引號」 all match, and with
parenthesised pinyin after any character (「索 引 號(hào)」, 「發(fā)文字號(hào)」, seed 002).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from crawler.extract.traditional_labels import TRADITIONAL
from crawler.text import PINYIN, squash, strip_pinyin

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "索引编号"),  # 索引号
    "category": ("主题分类", "组配分类", "信息分类", "主题类别", "分类"),  # 主题分类
    "publisher": (  # 发文机关
        "发文机关", "发布机构", "发文机构", "发文单位", "办文部门", "报送单位", "发布单位",
        "生成机构", "公开主体",
    ),
    "written_date": ("成文日期", "印发日期", "生成日期", "制发日期"),  # 成文日期
    # 时间 and 日期 alone: article headers (「时间：2020-01-19 09:31」); weak labels, see metadata.py
    "publish_date": ("发布日期", "发布时间", "发文日期", "公开日期", "公开时间", "时间", "日期"),  # 发布日期
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
    "source": ("信息来源", "文章来源", "来源"),
    "summary": ("内容概述", "摘要"),
}

# Chinese names of the canonical fields, for messages and reports.
FIELD_NAMES_ZH: dict[str, str] = {field: labels[0] for field, labels in FIELD_LABELS.items()}
FIELD_NAMES_ZH["publisher"] = "发文机关"

DATE_FIELDS = ("written_date", "publish_date", "effective_date", "repeal_date")

_BLANK = r"[\s\u00a0\u2000-\u200b\u3000]*"


# Words of an article header that are not disclosure metadata but end the value before them
# (「来源：龙城区 作者：张三 浏览次数：12」).
HEADER_WORDS = ("作者", "撰稿", "编辑", "责任编辑", "审核", "浏览", "浏览次数", "浏览量", "阅读", "阅读次数",
                "阅读量", "点击", "点击数", "点击量", "点击率", "访问量", "访问次数", "字号", "字体")


def opencc_traditional(words) -> dict[str, list[str]]:
    """Each word in Traditional characters as OpenCC writes it for the mainland, Taiwan and Hong
    Kong: what crawler/extract/traditional_labels.py holds (OpenCC's dictionaries take 40 MB and
    0.3 s to load in every crawl and parse process, for a table of a hundred words)."""
    import opencc

    converters = [opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk")]
    return {word: sorted({converter.convert(word) for converter in converters}) for word in sorted(words)}


LABEL_WORDS = {w for labels in FIELD_LABELS.values() for w in labels} | set(HEADER_WORDS)
# a label added above without running `python -m crawler.extract.labels` fails here, at import
_TO_TRADITIONAL = {word: set(TRADITIONAL[word]) for word in LABEL_WORDS}


def _variants(label: str) -> set[str]:
    out = {label} | _TO_TRADITIONAL[label]
    # OpenCC writes 发布 as 發佈, but Traditional portals mostly write 發布
    return out | {v.replace("佈", "布") for v in out}


LABEL_TO_FIELD: dict[str, str] = {}
LABEL_TO_BASE: dict[str, str] = {}  # any written variant → the Simplified label of FIELD_LABELS
for _field, _labels in FIELD_LABELS.items():
    for _label in _labels:
        for _v in _variants(_label):
            LABEL_TO_FIELD[_v] = _field
            LABEL_TO_BASE[_v] = _label

# Labels too common in running text to open a field on their own: they count only next to
# another label (a procurement notice's 「名称：」 is not a document title).
WEAK_LABELS = {"名称", "来源", "分类", "摘要", "关键字", "关键词", "时效", "文种", "主题", "公开时间", "时间", "日期"}
# Weak labels an article header writes on their own (「时间：2020-01-19 09:31」, 「来源：新华社」): they
# count alone too when they come before the body and their value fits (a date; any text).
HEADER_LABELS = {"时间", "日期", "来源"}

def _pattern(words) -> str:
    """Alternation of words, longest first, each character followed by blanks or a pinyin syllable."""
    sep = rf"{_BLANK}(?:{PINYIN}{_BLANK})?"
    return "|".join(sep.join(re.escape(ch) for ch in w) + f"(?:{PINYIN})?" for w in sorted(words, key=len, reverse=True))


_alternation = _pattern(LABEL_TO_FIELD)
# A label token: the label at the start of a text node, then a colon and a value, or nothing.
LABEL_RE = re.compile(rf"^{_BLANK}(?P<label>{_alternation}){_BLANK}(?:(?P<colon>[:：]){_BLANK}(?P<rest>.*))?$", re.S)
# Where one text node holds several fields (seed 001: 「发布日期:2019-10-22 信息来源:龙城区」): before
# a label or header word with its colon that follows a blank or a digit.
# Not before the other weak labels: 「1.采购人信息 名称：」 is no field of the page.
_splitting = {v for v, base in LABEL_TO_BASE.items() if base not in WEAK_LABELS - HEADER_LABELS}
_splitting |= {v for w in HEADER_WORDS for v in _variants(w)}
LABEL_SPLIT_RE = re.compile(rf"(?<=[\s\d])(?={_pattern(_splitting)}{_BLANK}[:：])")
# Proper prefixes of the labels (「发布」 of 「发布时间」): a label split across <span>s starts with one.
LABEL_PREFIXES = {v[:k] for v in LABEL_TO_FIELD for k in range(1, len(v))}


def label_text(label: str) -> str:
    """A label as written, without blanks, pinyin or a trailing colon: 「索 引 號(hào):」 → 「索引號」."""
    return strip_pinyin(squash(label)).rstrip(":：")


def field_for(label: str) -> str | None:
    """Canonical field for a raw label (any blanks, either script, with or without pinyin)."""
    return LABEL_TO_FIELD.get(label_text(label))


def base_label(label: str) -> str | None:
    """The Simplified label of FIELD_LABELS that a written label is a variant of (「來源」 → 「来源」)."""
    return LABEL_TO_BASE.get(label_text(label))


if __name__ == "__main__":  # python -m crawler.extract.labels: write the Traditional table again
    table = opencc_traditional(LABEL_WORDS)
    lines = [f"    {word!r}: {variants!r}," for word, variants in table.items()]
    Path(__file__).with_name("traditional_labels.py").write_text(
        '"""Generated by `python -m crawler.extract.labels` with OpenCC (s2t, s2tw, s2hk): every label word\n'
        'of crawler.extract.labels in Traditional characters. Do not edit; regenerate after changing the labels."""\n\n'
        "TRADITIONAL: dict[str, list[str]] = {\n" + "\n".join(lines) + "\n}\n", encoding="utf-8")
    sys.exit(0)
