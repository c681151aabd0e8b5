"""Content safety: hidden spam links injected into hijacked pages (暗链/黑链) and personal
information published without masking (身份证号、手机号、银行卡号)."""

from __future__ import annotations

import re
from datetime import date

from checks.registry import Finding, rule

ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})((?:19|20)\d{2})(\d{2})(\d{2})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
CARD_RE = re.compile(r"(?<!\d)(?:62|4\d|5[1-5])\d{14,17}(?!\d)")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(number: str) -> bool:
    """An 18-digit 居民身份证号码 with a valid date and check digit (GB 11643)."""
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    check = "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS)) % 11]
    return number[17].upper() == check


def luhn(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        n = int(digit)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask(value: str) -> str:
    """Shown in reports as regulators ask it to be published: 138****5678, 3701**********1237."""
    keep = 3 if len(value) == 11 else 4
    return value[:keep] + "*" * (len(value) - keep - 4) + value[-4:]


@rule("content.personal_data")
def personal_data(ctx, params):
    """Unmasked 身份证号 (valid check digit), 手机号 and 银行卡号 (Luhn) in document text."""
    for url, text in ctx.rows("select url, body_text from documents where scan_id = ? and body_text is not null order by url"):
        found = []
        for m in ID_RE.finditer(text):
            if valid_id(m[0]):
                found.append(("id_number", mask(m[0])))
        if "mobile" in params["kinds"]:
            found += [("mobile", mask(m[0])) for m in MOBILE_RE.finditer(text)]
        if "bank_card" in params["kinds"]:
            found += [("bank_card", mask(m[0])) for m in CARD_RE.finditer(text) if luhn(m[0]) and not valid_id(m[0][:18])]
        if not found:
            continue
        kinds = sorted({k for k, _ in found})
        names = {"id_number": "身份证号", "mobile": "手机号", "bank_card": "银行卡号"}
        yield Finding(
            "content.personal_data", url,
            f"页面公开了未脱敏的{'、'.join(names[k] for k in kinds)}（{len(found)} 处）",
            f"unmasked personal data published: {', '.join(kinds)} ({len(found)})",
            {"items": [{"kind": k, "masked": v} for k, v in found[:20]], "count": len(found)},
        )


@rule("content.hidden_link")
def hidden_link(ctx, params):
    """Links hidden by inline style that lead off the site or carry spam words (暗链), one
    finding per target with the pages carrying it (an injected template reaches every page)."""
    spam = re.compile("|".join(map(re.escape, params["spam_words"])))
    by_target: dict[str, list] = {}
    for r in ctx.rows("select source_url, target_url, anchor from links where scan_id = ? and hidden = 1 and tag = 'a' "
                      "order by target_url, source_url"):
        off_site = ctx.fingerprint_url(r["target_url"]).startswith(("http://", "https://"))
        if off_site or spam.search(r["anchor"] or ""):
            by_target.setdefault(r["target_url"], []).append(r)
    for target, rows in by_target.items():
        pages = sorted({r["source_url"] for r in rows}, key=lambda u: (u not in ctx.home_urls, u))
        anchor = rows[0]["anchor"]
        yield Finding(
            "content.hidden_link", pages[0],
            f"页面含隐藏链接（暗链）：「{anchor}」→ {target}（{len(pages)} 个页面）",
            f"hidden link: {anchor!r} → {target} ({len(pages)} page(s))",
            {"target": target, "anchor": anchor, "off_site": ctx.fingerprint_url(target).startswith(("http://", "https://")),
             "spam_words": bool(spam.search(anchor or "")), "pages": pages[:100], "page_count": len(pages),
             "on_home": pages[0] in ctx.home_urls},
            key=target,
        )
