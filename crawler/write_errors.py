"""A write that fails stops the crawl like a signal does.

Disk full, an I/O error or a database that went away while the crawl writes its rows, its saved
responses or its request queue: the crawl cannot go on honestly (pages would be fetched and lost),
so the first such failure stops it. What was stored is flushed where possible (``crawler.run``
keeps a little reserved space for that), the scan is ``interrupted`` with the failure in words,
the saved responses stay for ``--resume``, and the command exits 4 saying why. Never a scan
marked finished with pages missing.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

logger = logging.getLogger(__name__)

WRITE_ERRORS = (sqlite3.Error, OSError)
_state: dict = {"reason": None, "stop": None}


def reset(stop) -> None:
    """A new crawl: ``stop()`` is called once, on the first failed write."""
    _state.update(reason=None, stop=stop)


def failed() -> str | None:
    """Why the crawl's writes failed (in words), or None."""
    return _state["reason"]


def write_failed(exc: BaseException, what: str) -> None:
    """Record the first failed write (``what`` was being written) and stop the crawl."""
    if _state["reason"] is not None:
        return
    _state["reason"] = f"{in_words(exc)}（{what}）"
    logger.info("写入失败，停止抓取 write failed, stopping the crawl: %s: %s", what, exc)
    stop = _state["stop"]
    if stop is not None:
        stop()


_WRITE_FAILURE_TEXT = ("disk is full", "no space left", "disk i/o error", "readonly database", "read-only file system")


def write_failure_in(exc: BaseException | None) -> str | None:
    """The failed write (in words) an error is, or was caused by — disk full, I/O error, read-only
    storage — outside a crawl too (checks, reports); None for any other error."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS) or any(
                text in str(exc).lower() for text in _WRITE_FAILURE_TEXT):
            return in_words(exc)
        # an error raised `from None` has already said what it means (e.g. too little space to start)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return None


def in_words(exc: BaseException) -> str:
    """The failure as a reader says it: 磁盘已满, 磁盘读写错误, 数据库只读 …"""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text or "no space" in text:
        return "磁盘已满 disk full"
    if code == errno.EIO or "disk i/o error" in text:
        return "磁盘读写错误 disk I/O error"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text or "read-only" in text:
        return "存储只读或无权写入 storage is read-only or not writable"
    if "malformed" in text or "not a database" in text:
        return "数据库文件已损坏 database file is damaged"
    return "写入失败 write failed"
