"""Completeness of the disclosure metadata on document pages (条例第十二条)."""

from __future__ import annotations

import re

from checks.registry import Finding, rule
from crawler.extract.labels import DATE_FIELDS, FIELD_NAMES_ZH

EMPTY_REASON_ZH = {"empty": "值为空", "commented_out": "值被注释隐藏"}


@rule("metadata.missing_field")
def missing_field(ctx, params):
    """A required field's label does not appear on the document page at all."""
    for url, doc in ctx.documents.items():
        present = ctx.fields.get(url, {})
        for name in params["required"]:
            if name not in present:
                zh = FIELD_NAMES_ZH.get(name, name)
                yield Finding(
                    "metadata.missing_field", url,
                    f"文件页缺少「{zh}」", f"document page has no {name} ({zh}) field",
                    {"field": name, "field_zh": zh, "title": doc["title"]}, key=name,
                )


@rule("metadata.empty_field")
def empty_field(ctx, params):
    """The label is on the page but its value is blank or commented out."""
    for url, fields in ctx.fields.items():
        for name in params["fields"]:
            f = fields.get(name)
            if f is None or f["state"] not in EMPTY_REASON_ZH:
                continue
            zh = FIELD_NAMES_ZH.get(name, name)
            yield Finding(
                "metadata.empty_field", url,
                f"「{f['label']}」{EMPTY_REASON_ZH[f['state']]}", f"{name} ({f['label']}) is {f['state'].replace('_', ' ')}",
                {"field": name, "field_zh": zh, "label": f["label"], "state": f["state"], "raw": f["raw_value"]}, key=name,
            )


@rule("metadata.bad_value")
def bad_value(ctx, params):
    """Unparseable dates, 成文日期 after 发布日期, 索引号 of no known shape (warning)."""
    shapes = [re.compile(p) for p in params["index_no_patterns"]]
    for url, fields in ctx.fields.items():
        for name in DATE_FIELDS:
            f = fields.get(name)
            if f is not None and f["state"] == "ok" and not f["parsed"]:
                yield Finding(
                    "metadata.bad_value", url,
                    f"「{f['label']}」无法识别为日期：{f['value']}", f"{name} is not a date: {f['value']}",
                    {"field": name, "value": f["value"], "problem": "unparseable_date"}, key=f"{name}:date",
                )
        written, published = fields.get("written_date"), fields.get("publish_date")
        if written is not None and published is not None and written["parsed"] and published["parsed"]:
            if written["parsed"][:10] > published["parsed"][:10]:
                yield Finding(
                    "metadata.bad_value", url,
                    f"成文日期 {written['parsed'][:10]} 晚于发布日期 {published['parsed'][:10]}",
                    f"成文日期 {written['parsed'][:10]} is after 发布日期 {published['parsed'][:10]}",
                    {"field": "written_date", "written_date": written["parsed"][:10], "publish_date": published["parsed"][:10],
                     "problem": "written_after_published"}, key="written_after_published",
                )
        index_no = fields.get("index_no")
        if index_no is not None and index_no["state"] == "ok" and not any(p.match(index_no["value"]) for p in shapes):
            yield Finding(
                "metadata.bad_value", url,
                f"索引号格式不常见：{index_no['value']}", f"索引号 of no known shape: {index_no['value']}",
                {"field": "index_no", "value": index_no["value"], "problem": "index_no_shape"},
                key="index_no:shape", severity="warning",
            )
