"""Completeness of the disclosure metadata on document pages (条例第十二条)."""

from __future__ import annotations

import json
import re

from checks.registry import Finding, rule
from crawler.extract.columns import infer_column_type
from crawler.dates import DATE_RE
from crawler.extract.labels import DATE_FIELDS, FIELD_NAMES_ZH

EMPTY_REASON_ZH = {"empty": "值为空", "commented_out": "值被注释隐藏"}


def _document_columns(ctx, doc, listed: list, columns: dict) -> list[tuple[str, str]]:
    """(type, name) of each column a document belongs to: the columns that list it and the column
    it was found under (documents.column_url); for a document in no column, what its own page's
    ColumnType / ColumnName meta tags say. ``columns``: the site's columns by URL, home excluded."""
    listed = {c["url"]: c for c in listed}
    if doc["column_url"] in columns:
        listed.setdefault(doc["column_url"], columns[doc["column_url"]])
    if listed:
        return [(c["type"] or "", c["name"] or "") for c in listed.values()]
    for r in ctx.rows("select meta_tags from pages where scan_id = ? and url = ? and kind in ('document', 'interpretation') "
                      "order by request_body", (doc["url"],)):
        meta = json.loads(r["meta_tags"] or "{}")
        if meta.get("ColumnType") or meta.get("ColumnName"):
            col_type, _ = infer_column_type(meta.get("ColumnType"), meta.get("ColumnName"), doc["url"])
            return [(col_type, f"{meta.get('ColumnType', '')} {meta.get('ColumnName', '')}")]
    return []


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _is_of(key: str, col_type: str, col_name: str) -> bool:
    """A required_by_type key names a column type (政策文件) or a kind of one that the column's name
    says (规范性文件: the crawler types a 行政规范性文件 column 政策文件, a 规范性文件解读 column 政策解读)."""
    return key == col_type or (key in col_name and infer_column_type(None, key, "")[0] == col_type)


def required_fields(params: dict, columns: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(fields a document must carry, the required_by_type keys that asked for them): the union over
    its columns, each asking for its type's list or, for a type not listed, ``required``."""
    fields: list[str] = []
    keys: list[str] = []
    for col_type, col_name in columns or [("", "")]:
        matched = [k for k in params.get("required_by_type", {}) if _is_of(k, col_type, col_name)]
        keys += [k for k in matched if k not in keys]
        for lst in [params["required_by_type"][k] for k in matched] or [params["required"]]:
            fields += [f for f in lst if f not in fields]
    return fields, keys


@rule("metadata.missing_field")
def missing_field(ctx, params):
    """A field its column type requires does not appear on the document page at all (not even
    its label); the title counts as present when the page shows one anywhere."""
    names = list(dict.fromkeys([*params["required"], *(f for lst in params.get("required_by_type", {}).values() for f in lst)]))
    # whether each field that any column type asks for is on the page: one index look-up each
    present = ", ".join(f"case when exists (select 1 from document_fields f where f.scan_id = d.scan_id and f.url = d.url "
                        f"and f.field = {_literal(name)}) then 1 else 0 end as \"has_{i}\"" for i, name in enumerate(names))
    flags = {name: f"has_{i}" for i, name in enumerate(names)}
    section, section_params = ctx.disclosure_filter
    site_columns = {c["url"]: c for c in ctx.columns if c["kind"] != "home"}
    requirements: dict[tuple, tuple[list[str], list[str]]] = {}  # a few combinations of columns on a site
    for doc, listed in ctx.documents_with_columns(f"d.url, d.title, d.column_url, {present}", f"and {section}", section_params):
        url = doc["url"]
        columns = _document_columns(ctx, doc, listed, site_columns)
        key = tuple(columns)
        if key not in requirements:
            requirements[key] = required_fields(params, columns)
        required, types = requirements[key]
        column_types = sorted({t for t, _ in columns if t})
        for name in required:
            # a document whose title the page shows (its heading or <title>) has one, labelled or not:
            # a supervisor opening the page sees it
            if not doc[flags[name]] and not (name == "title" and (doc["title"] or "").strip()):
                zh = FIELD_NAMES_ZH.get(name, name)
                why_zh = f"（{'、'.join(types)}栏目要求）" if types else ""
                why_en = f" (required in {', '.join(types)} columns)" if types else ""
                yield Finding(
                    "metadata.missing_field", url,
                    f"文件页缺少「{zh}」{why_zh}", f"document page has no {name} ({zh}) field{why_en}",
                    {"field": name, "field_zh": zh, "title": doc["title"], "column_types": column_types,
                     "required_by_type": types}, key=name,
                )


@rule("metadata.empty_field")
def empty_field(ctx, params):
    """The label is on the page but its value is blank or commented out."""
    for f in ctx.disclosure_fields(tuple(params["fields"]), "and f.state in ('empty', 'commented_out')"):
        name = f["field"]
        zh = FIELD_NAMES_ZH.get(name, name)
        yield Finding(
            "metadata.empty_field", f["url"],
            f"「{f['label']}」{EMPTY_REASON_ZH[f['state']]}", f"{name} ({f['label']}) is {f['state'].replace('_', ' ')}",
            {"field": name, "field_zh": zh, "label": f["label"], "state": f["state"], "raw": f["raw_value"]}, key=name,
        )


@rule("metadata.bad_value")
def bad_value(ctx, params):
    """Unparseable dates, 成文日期 after 发布日期, 索引号 of no known shape (warning)."""
    for f in ctx.disclosure_fields(DATE_FIELDS, "and f.state = 'ok' and (f.parsed is null or f.parsed = '')"):
        name = f["field"]
        yield Finding(
            "metadata.bad_value", f["url"],
            f"「{f['label']}」无法识别为日期：{f['value']}", f"{name} is not a date: {f['value']}",
            {"field": name, "value": f["value"], "problem": "unparseable_date"}, key=f"{name}:date",
        )
    for url, written, published in ctx.disclosure_dates():
        if written[:10] > published[:10]:
            yield Finding(
                "metadata.bad_value", url,
                f"成文日期 {written[:10]} 晚于发布日期 {published[:10]}",
                f"成文日期 {written[:10]} is after 发布日期 {published[:10]}",
                {"field": "written_date", "written_date": written[:10], "publish_date": published[:10],
                 "problem": "written_after_published"}, key="written_after_published",
            )
    placeholders = {str(p).casefold() for p in params.get("index_no_placeholders", ())}
    for f in ctx.disclosure_fields(("index_no",), "and f.state = 'ok'"):
        why = index_no_problem(f["value"], placeholders)
        if why:
            zh, en = INDEX_NO_PROBLEMS[why]
            yield Finding(
                "metadata.bad_value", f["url"],
                f"索引号「{f['value']}」不是有效的索引号（{zh}）", f"索引号 {f['value']!r} cannot be an index number ({en})",
                {"field": "index_no", "value": f["value"], "problem": "index_no_invalid", "why": why},
                key="index_no:invalid",
            )


INDEX_NO_PROBLEMS = {"placeholder": ("占位词", "a placeholder"), "date": ("只有一个日期", "a date alone"),
                     "no_digit": ("没有数字", "no digit"), "stray": ("含异常字符", "stray characters")}
# what index numbers are written with: letters, digits, CJK (机构简称), separators and brackets
_INDEX_NO_CHARS = re.compile(r"[0-9A-Za-z\u3400-\u9fff\-‐－—_/／.．·:：\\()（）〔〕\[\]【】{}\s]+")
_DATE_ALONE = re.compile(DATE_RE.pattern + r"$")


def index_no_problem(value: str, placeholders: set) -> str | None:
    """Why ``value`` cannot be a 索引号 (placeholder, date, no_digit, stray), or None: regions number
    documents in their own ways, so every shape that could be one passes."""
    text = value.strip()
    if text.casefold() in placeholders or not text.strip("-‐－—_/／.．·　 "):
        return "placeholder"
    if _DATE_ALONE.match(text):
        return "date"
    if not any(c.isdigit() for c in text):
        return "no_digit"
    if not _INDEX_NO_CHARS.fullmatch(text):
        return "stray"
    return None
