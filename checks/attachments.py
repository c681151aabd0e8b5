"""Attachments (附件) that yield no text: scans without a text layer, and files that are missing,
empty, of the wrong type, encrypted, damaged, too large or too slow to read. Read from the
``attachments`` table that crawler.attachments fills; the content rules read the text itself."""

from __future__ import annotations

from checks.content import attachment_rows, linking_pages
from checks.registry import Finding, rule

PROBLEM_NAMES = {
    "empty": ("内容为空", "empty"), "wrong_type": ("文件类型与扩展名不符", "not the type its name says"),
    "encrypted": ("已加密，无法阅读", "encrypted"), "corrupt": ("文件损坏", "damaged"),
    "too_large": ("超过大小上限", "over the size limit"), "timeout": ("读取超时", "not read within the time limit"),
    "missing": ("无法下载", "could not be downloaded"), "unsupported": ("格式无法读取", "a format with no text reader"),
}


def _evidence(ctx, row) -> dict:
    return {"attachment": row["url"], "linked_from": linking_pages(ctx, row["url"], row["source_url"]),
            "problem": row["problem"], "detail": row["detail"], "kind": row["kind"], "expected_kind": row["expected_kind"],
            "content_type": row["content_type"], "size": row["size"], "pages": row["pages"]}


@rule("content.attachment_image_only")
def attachment_image_only(ctx, params):
    """A PDF attachment that is only images (a scan without a text layer): unreadable for screen
    readers and search, and its personal data cannot be checked."""
    for row in attachment_rows(ctx, "problem = 'image_only'"):
        yield Finding(
            "content.attachment_image_only", row["url"],
            f"附件为扫描图片，没有文字层（{row['pages'] or '?'} 页）", f"attachment is scanned images without a text layer ({row['pages'] or '?'} pages)",
            _evidence(ctx, row),
        )


@rule("content.attachment_unreadable")
def attachment_unreadable(ctx, params):
    """An attachment a visitor cannot read: empty, not the type its name says (a .pdf that is an
    error page), encrypted, damaged, too large or too slow to open."""
    wanted = params["problems"]
    for row in attachment_rows(ctx, "problem is not null"):
        if row["problem"] not in wanted:
            continue
        zh, en = PROBLEM_NAMES.get(row["problem"], (row["problem"], row["problem"]))
        detail = f"：{row['detail']}" if row["detail"] else ""
        yield Finding(
            "content.attachment_unreadable", row["url"],
            f"附件无法阅读：{zh}{detail}", f"attachment cannot be read: {en}" + (f" ({row['detail']})" if row["detail"] else ""),
            _evidence(ctx, row), key=row["problem"],
        )
