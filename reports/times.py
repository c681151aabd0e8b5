"""Times as a reader in China reads them: Beijing time (北京时间, UTC+8), to the minute.

The scan database stores UTC (storage.sqlite.now: ``2026-12-07T02:48:00Z``) and some tables an
offset time (a check's ``checked_at``: ``2026-12-07T10:48:00+08:00``); machine formats keep them as
stored, every page, sheet and terminal line a person reads converts here."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
SUFFIX = {"zh": "北京时间", "en": "Beijing time (UTC+8)"}


def beijing(stamp: str | None, lang: str = "zh") -> str:
    """``2026-12-07T02:48:00Z`` → ``2026-12-07 10:48 北京时间``; a time without a zone is taken as UTC
    (what the store writes); '' when unset; text that is not a time comes back unchanged."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(str(stamp).strip().replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M} {SUFFIX.get(lang, SUFFIX['zh'])}"
