"""Text of the files a disclosure page attaches (附件): PDF, Word, Excel, plain text, HTML.

The lists that leak personal data (低保、补贴、招聘名单) are published as attachments, so the
content rules read them like page text. Attachments come from the audited site, i.e. from an
untrusted server: a PDF whose page tree loops, a zip bomb named ``.xlsx`` or a ``.pdf`` that is
really a login page must end as a recorded problem, never as a crash or a hung crawl. Parsing
therefore runs in a separate worker process (``python -m crawler.attachments``) under a memory
cap, with a hard time limit per file: a worker that overruns is killed and replaced.

One entry point for the crawler::

    result = read_attachment(url, body, content_type, max_bytes, time_limit)
    rows = attachment_row(scan_id, url, source_url, content_type, len(body), result)

Libraries: pypdf (pure Python, maintained, reads the text layer with ToUnicode/CID maps, reports
encryption, and caps decompression at 75 MB per stream), python-docx, openpyxl (read-only
streaming), xlrd 2.x for legacy .xls (it reads only .xls, which is what it is maintained for),
olefile for the containers of legacy .doc (its text is read from the Word 97 piece table here:
no maintained pure-Python library reads .doc).
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
import zipfile
from bisect import bisect_right
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

# Problems (attachments.problem): why an attachment gave no (or not all of its) text.
PROBLEMS = ("image_only", "empty", "wrong_type", "encrypted", "corrupt", "too_large", "timeout", "unsupported", "missing")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # --max-attachment-size
DEFAULT_TIME_LIMIT = 30.0  # seconds per file
MAX_TEXT_CHARS = 2_000_000  # text kept per attachment (a 2 000-page list); the rest is noted as truncated
MAX_UNZIPPED = 256 * 1024 * 1024  # declared uncompressed size of an OOXML package
MAX_RATIO = 200  # per member: a zip bomb compresses far better than any spreadsheet
WORKER_MEMORY = 1536 * 1024 * 1024  # address space of a parser process

# Extensions the crawler should GET and read (others are only probed).
READABLE_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "txt", "csv", "htm", "html")
_EXT_KIND = {"pdf": "pdf", "doc": "doc", "docx": "docx", "xls": "xls", "xlsx": "xlsx", "txt": "txt", "csv": "csv",
             "htm": "html", "html": "html", "shtml": "html", "wps": "wps", "et": "et", "ofd": "ofd", "zip": "zip",
             "rar": "rar", "7z": "7z", "rtf": "rtf", "pptx": "pptx", "ppt": "ppt",
             "jpg": "image", "jpeg": "image", "png": "image", "gif": "image", "bmp": "image"}
_TYPE_KIND = {"application/pdf": "pdf", "application/msword": "doc", "application/vnd.ms-excel": "xls",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
              "text/plain": "txt", "text/csv": "csv", "text/html": "html"}
TEXT_KINDS = {"pdf", "doc", "docx", "xls", "xlsx", "txt", "csv", "html"}


@dataclass
class AttachmentText:
    kind: str  # what the bytes are: pdf, docx, xlsx, xls, doc, txt, csv, html, zip, ole, image, unknown
    text: str = ""
    segments: list[tuple[str, str]] = field(default_factory=list)  # (where, text): "page:3", "sheet:名单 row:4" …
    problem: str | None = None  # one of PROBLEMS, or None when the text was read
    detail: str = ""  # why, in a line (the parser's message, the size that was exceeded …)
    pages: int | None = None  # pages (PDF), sheets (Excel), paragraphs (Word)
    expected: str | None = None  # the kind the URL's extension or the Content-Type promised
    elapsed_ms: int = 0
    tables: list = field(default_factory=list)  # an annual report's tables, rows of cells (crawler.report_tables)

    def __post_init__(self):
        if not self.text and self.segments:
            self.text = "\n".join(t for _, t in self.segments)


def is_readable_attachment(url: str) -> bool:
    """Whether the crawler should GET and read this link (an attachment file of a readable type)."""
    m = re.search(r"\.([A-Za-z0-9]{1,5})$", unquote(urlsplit(url).path))
    return bool(m) and m[1].lower() in READABLE_EXTENSIONS and m[1].lower() not in ("htm", "html")


def expected_kind(url: str, content_type: str | None) -> str | None:
    """The kind promised by the URL's extension, else by the Content-Type."""
    path = unquote(urlsplit(url).path)
    m = re.search(r"\.([A-Za-z0-9]{1,5})$", path)
    if m and m[1].lower() in _EXT_KIND:
        return _EXT_KIND[m[1].lower()]
    ctype = (content_type or "").split(";")[0].strip().lower()
    return _TYPE_KIND.get(ctype)


def sniff(body: bytes) -> str:
    """What the bytes are, from their signature (never from the name)."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(b"PK\x03\x04") or body.startswith(b"PK\x05\x06"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "broken_zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if body.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if body[:4] in (b"\x89PNG", b"GIF8") or body[:3] == b"\xff\xd8\xff" or body[:2] == b"BM":
        return "image"
    if body.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"{\\rtf")):
        return "archive"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<meta", b"<script", b"<!--")):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "unknown"
    return "txt"


def read_attachment(url: str, body: bytes, content_type: str | None, max_bytes: int = DEFAULT_MAX_BYTES,
                    time_limit: float = DEFAULT_TIME_LIMIT, tables: bool = False) -> AttachmentText:
    """The text of one attachment, or the problem that prevented it. Never raises, never runs longer
    than about ``time_limit`` seconds (the parser runs in a worker process that is killed at the limit).
    ``tables``: also read its tables (an annual report: crawler.report_tables)."""
    started = time.monotonic()
    try:
        result = _classify(url, body, content_type, max_bytes)
        if result is None:
            result = _POOL.run(url, body, content_type, time_limit, tables)
    except Exception as exc:  # noqa: BLE001 — the contract: a finding, never a crash
        result = AttachmentText("unknown", problem="corrupt", detail=f"{type(exc).__name__}: {exc}"[:300])
    result.elapsed_ms = int((time.monotonic() - started) * 1000)
    result.expected = result.expected or expected_kind(url, content_type)
    return result


def unread(url: str, problem: str, detail: str = "", content_type: str | None = None) -> AttachmentText:
    """A row for an attachment whose body was not read: ``missing`` (404, error) or ``too_large``
    (the download was cut at the size limit)."""
    return AttachmentText("unknown", problem=problem, detail=detail, expected=expected_kind(url, content_type))


def _classify(url: str, body: bytes, content_type: str | None, max_bytes: int) -> AttachmentText | None:
    """The cheap verdicts that need no parser; None when the worker should parse."""
    expected = expected_kind(url, content_type)
    if len(body) > max_bytes:
        return AttachmentText("unknown", problem="too_large", expected=expected,
                              detail=f"{len(body)} bytes > limit {max_bytes}")
    if not body.strip():
        return AttachmentText("unknown", problem="empty", expected=expected, detail="no bytes" if not body else "blank")
    kind = sniff(body)
    if kind == "ole" and expected in ("doc", "xls", "docx", "xlsx"):
        return None  # the worker opens the OLE container (untrusted structure) and tells Word from Excel
    if kind == "broken_zip" and expected in ("docx", "xlsx"):
        return AttachmentText(expected, problem="corrupt", expected=expected, detail="damaged zip package (truncated?)")
    # a .pdf that is an HTML page (soft 404, login page), a .xlsx that is a PDF …
    compatible = {("txt", "csv"), ("csv", "txt"), ("html", "txt"), ("txt", "html"), ("doc", "docx"), ("docx", "doc"),
                  ("xls", "xlsx"), ("xlsx", "xls")}
    if expected in TEXT_KINDS and kind != expected and (expected, kind) not in compatible:
        title = ""
        if kind == "html":
            m = re.search(rb"<title[^>]*>(.*?)</title>", body[:4096], re.I | re.S)
            title = _decode_text(m[1]).strip()[:80] if m else ""
        return AttachmentText(kind, problem="wrong_type", expected=expected,
                              detail=f".{expected} is really {kind}" + (f" ({title})" if title else ""))
    if kind not in TEXT_KINDS:
        return AttachmentText(kind, problem="unsupported", expected=expected, detail=f"no text reader for {kind}")
    return None


def _ole_kind(body: bytes) -> str:
    try:
        import olefile

        ole = olefile.OleFileIO(body)
        try:
            streams = {"/".join(s) for s in ole.listdir()}
        finally:
            ole.close()
    except Exception:  # noqa: BLE001
        return "broken_ole"
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return "encrypted_ooxml"
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    return "ole"


# ----------------------------------------------------------------------------- worker process side

def _decode_text(raw: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(codec, "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", "replace")  # GBK/GB2312 attachments, as pages (crawler.encoding)


def _check_zip(body: bytes) -> None:
    """Refuse a zip bomb before a parser inflates it: declared sizes and per-member ratios. (zipfile
    stops at the declared size and fails the CRC when a member lies about it.)"""
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _TooLarge(f"member {info.filename} inflates {info.compress_size} → {info.file_size} bytes")
        if total > MAX_UNZIPPED:
            raise _TooLarge(f"package inflates to {total} bytes > {MAX_UNZIPPED}")


class _TooLarge(Exception):
    pass


class _Encrypted(Exception):
    pass


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))  # 13800138000.0 → 13800138000 (numbers typed into a cell)
    return str(value).strip()


def _pdf(body: bytes) -> AttachmentText:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = pypdf.PdfReader(io.BytesIO(body), strict=False)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):  # many portals' PDFs carry an empty user password (permissions only)
                raise _Encrypted("password required")
        except (DependencyError, NotImplementedError, FileNotDecryptedError) as exc:
            raise _Encrypted(str(exc)) from None
    segments, images, size = [], 0, 0
    pages = reader.pages
    for number, page in enumerate(pages, 1):
        try:
            text = page.extract_text() or ""
        except FileNotDecryptedError as exc:
            raise _Encrypted(str(exc)) from None
        if text.strip():
            segments.append((f"page:{number}", text))
            size += len(text)
        elif _has_image(page):
            images += 1
        if size > MAX_TEXT_CHARS:
            return AttachmentText("pdf", segments=segments, pages=len(pages), detail=f"text truncated after page {number}")
    if not any(t.strip() for _, t in segments):
        if images:
            return AttachmentText("pdf", pages=len(pages), problem="image_only",
                                  detail=f"{images} of {len(pages)} pages are images without a text layer")
        return AttachmentText("pdf", pages=len(pages), problem="empty", detail="no text and no images")
    detail = f"{images} page(s) are images without text" if images else ""
    return AttachmentText("pdf", segments=segments, pages=len(pages), detail=detail)


def _has_image(page) -> bool:
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        return any(xobjects[name].get_object().get("/Subtype") in ("/Image", "/Form") for name in xobjects)
    except Exception:  # noqa: BLE001
        return False


def _docx(body: bytes) -> AttachmentText:
    import docx

    _check_zip(body)
    document = docx.Document(io.BytesIO(body))
    segments = [(f"paragraph:{i}", p.text) for i, p in enumerate(document.paragraphs, 1) if p.text.strip()]
    for t, table in enumerate(document.tables, 1):
        for r, row in enumerate(table.rows, 1):
            cells = list(dict.fromkeys(c.text.strip() for c in row.cells))  # merged cells repeat
            if any(cells):
                segments.append((f"table:{t} row:{r}", "\t".join(cells)))
    return AttachmentText("docx", segments=segments, pages=len(document.paragraphs))


def _xlsx(body: bytes) -> AttachmentText:
    import openpyxl

    _check_zip(body)
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    segments, size = [], 0
    try:
        for sheet in book.worksheets:
            for r, row in enumerate(sheet.iter_rows(values_only=True), 1):
                line = "\t".join(_cell(v) for v in row).strip()
                if line:
                    segments.append((f"sheet:{sheet.title} row:{r}", line))
                    size += len(line)
                if size > MAX_TEXT_CHARS:
                    return AttachmentText("xlsx", segments=segments, pages=len(book.worksheets), detail="text truncated")
        return AttachmentText("xlsx", segments=segments, pages=len(book.worksheets))
    finally:
        book.close()


def _xls(body: bytes) -> AttachmentText:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True)
    segments, size = [], 0
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        for r in range(sheet.nrows):
            line = "\t".join(_cell(v) for v in sheet.row_values(r)).strip()
            if line:
                segments.append((f"sheet:{sheet.name} row:{r + 1}", line))
                size += len(line)
        if size > MAX_TEXT_CHARS:
            return AttachmentText("xls", segments=segments, pages=book.nsheets, detail="text truncated")
    return AttachmentText("xls", segments=segments, pages=book.nsheets)


def _doc(body: bytes) -> AttachmentText:
    import olefile

    ole = olefile.OleFileIO(body)
    try:
        word = ole.openstream("WordDocument").read()
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:  # fEncrypted
            raise _Encrypted("password-protected Word document")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        table = ole.openstream(table_name).read() if ole.exists(table_name) else b""
    finally:
        ole.close()
    text = doc_text(word, table)
    segments = [(f"paragraph:{i}", p) for i, p in enumerate(text.split("\n"), 1) if p.strip()]
    return AttachmentText("doc", segments=segments, pages=len(segments))


def doc_text(word: bytes, table: bytes) -> str:
    """The main text of a Word 97–2003 document from its piece table ([MS-DOC] 2.8.35 Clx / PlcPcd)."""
    csw = struct.unpack_from("<H", word, 32)[0]
    pos = 34 + csw * 2
    cslw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + cslw * 4 + 2  # fibRgLw, then cbRgFcLcb
    fc_clx, lcb_clx = struct.unpack_from("<II", word, pos + 33 * 8)  # FibRgFcLcb97.fcClx/lcbClx
    clx = table[fc_clx:fc_clx + lcb_clx]
    i = 0
    while i < len(clx) and clx[i] == 1:  # Prc entries before the Pcdt
        i += 3 + struct.unpack_from("<H", clx, i + 1)[0]
    if i >= len(clx) or clx[i] != 2:
        raise ValueError("no piece table")
    lcb = struct.unpack_from("<I", clx, i + 1)[0]
    plc = clx[i + 5:i + 5 + lcb]
    n = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    parts = []
    for k in range(n):
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * k + 2)[0]
        length = cps[k + 1] - cps[k]
        if fc & 0x40000000:  # compressed: 8-bit cp1252 at fc/2
            start = (fc & 0x3FFFFFFF) // 2
            parts.append(word[start:start + length].decode("cp1252", "replace"))
        else:
            parts.append(word[fc:fc + 2 * length].decode("utf-16-le", "replace"))
    text = "".join(parts)
    text = re.sub(r"\x13[^\x13\x14\x15]*\x14([^\x15]*)\x15", r"\1", text)  # field: keep the result only
    text = re.sub(r"\x13[^\x15]*\x15", "", text)
    text = text.replace("\r", "\n").replace("\x07", "\t").replace("\x0b", "\n").replace("\x0c", "\n")
    return re.sub(r"[\x00-\x08\x0e-\x1f]", "", text)


def _plain(body: bytes, kind: str) -> AttachmentText:
    text = _decode_text(body)
    unit = "row" if kind == "csv" else "line"
    segments = [(f"{unit}:{i}", line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not segments:
        return AttachmentText(kind, problem="empty", detail="blank text")
    return AttachmentText(kind, segments=segments[: MAX_TEXT_CHARS // 20], pages=len(segments))


def _html(body: bytes, content_type: str | None) -> AttachmentText:
    import lxml.html

    from crawler.encoding import decode_html

    root = lxml.html.fromstring(decode_html(body, content_type).text or "<html></html>")
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    lines = [line.strip() for line in root.text_content().splitlines()]
    segments = [(f"line:{i}", line) for i, line in enumerate(lines, 1) if line]
    if not segments:
        return AttachmentText("html", problem="empty", detail="no visible text")
    return AttachmentText("html", segments=segments)


def parse(body: bytes, content_type: str | None, tables: bool = False) -> AttachmentText:
    """Parse in this process (the worker calls this; tests and the benchmark may too)."""
    result = _parse(body, content_type)
    if tables and result.problem is None:
        from crawler.report_tables import file_tables

        try:
            result.tables = file_tables(result.kind, body)
        except Exception as exc:  # noqa: BLE001 — the text was read; the tables are said to be unreadable
            result.detail = (result.detail + "; " if result.detail else "") + f"tables: {type(exc).__name__}: {exc}"[:300]
    return result


def _parse(body: bytes, content_type: str | None) -> AttachmentText:
    kind = sniff(body)
    if kind == "ole":
        kind = _ole_kind(body)
    try:
        if kind == "pdf":
            result = _pdf(body)
        elif kind == "docx":
            result = _docx(body)
        elif kind == "xlsx":
            result = _xlsx(body)
        elif kind == "xls":
            result = _xls(body)
        elif kind == "doc":
            result = _doc(body)
        elif kind == "html":
            result = _html(body, content_type)
        elif kind == "txt":
            result = _plain(body, "csv" if "csv" in (content_type or "") else "txt")
        elif kind == "broken_ole":
            return AttachmentText("ole", problem="corrupt", detail="damaged OLE container")
        elif kind == "encrypted_ooxml":  # an encrypted .docx/.xlsx is an OLE container with EncryptionInfo
            return AttachmentText("ole", problem="encrypted", detail="password-protected Office file")
        else:
            return AttachmentText(kind, problem="unsupported", detail=f"no text reader for {kind}")
    except _Encrypted as exc:
        return AttachmentText(kind, problem="encrypted", detail=str(exc)[:300])
    except (_TooLarge, MemoryError) as exc:
        return AttachmentText(kind, problem="too_large", detail=(str(exc) or "over the parser's memory limit")[:300])
    except RecursionError:
        return AttachmentText(kind, problem="corrupt", detail="recursion loop in the file's structure")
    except Exception as exc:  # noqa: BLE001 — every parser error is a damaged file
        return AttachmentText(kind, problem="corrupt", detail=f"{type(exc).__name__}: {exc}"[:300])
    if result.problem is None and not result.text.strip():
        result.problem, result.detail = "empty", result.detail or "no text"
    return result


def _worker_main() -> None:
    """Loop: read one request (length-prefixed JSON header + body) from stdin, answer one JSON line."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ImportError, ValueError, OSError):
        pass
    import warnings
    import logging

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)  # pypdf logs every malformed object
    sys.setrecursionlimit(5000)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return
        header_len, body_len = struct.unpack("<II", head)
        header = json.loads(stdin.read(header_len))
        body = stdin.read(body_len)
        result = parse(body, header.get("content_type"), bool(header.get("tables")))
        answer = json.dumps(result.__dict__, ensure_ascii=False).encode()
        stdout.write(struct.pack("<I", len(answer)) + answer)
        stdout.flush()


# ----------------------------------------------------------------------------- parent side

class _Worker:
    def __init__(self):
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen([sys.executable, "-m", "crawler.attachments"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, close_fds=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass

    def ask(self, body: bytes, content_type: str | None, time_limit: float, tables: bool = False) -> AttachmentText:
        header = json.dumps({"content_type": content_type, "tables": tables}).encode()
        deadline = time.monotonic() + time_limit
        self.proc.stdin.write(struct.pack("<II", len(header), len(body)) + header)
        self.proc.stdin.write(body)
        self.proc.stdin.flush()
        fd = self.proc.stdout.fileno()
        buf = b""
        need = 4
        while len(buf) < need:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, max(need - len(buf), 65536))
            if not chunk:
                raise EOFError
            buf += chunk
            if need == 4 and len(buf) >= 4:
                need = 4 + struct.unpack("<I", buf[:4])[0]
        data = json.loads(buf[4:need])
        data["segments"] = [tuple(s) for s in data["segments"]]
        return AttachmentText(**data)


class _Pool:
    """Worker processes shared by the threads that read attachments (one request per worker at a time)."""

    # one core is the crawl's own (Scrapy and its writes): on 2 cores one reader, which also keeps
    # the crawl's process tree small (each reader holds the PDF/Office libraries, ~35 MB)
    def __init__(self, size: int = max(1, min(4, (os.cpu_count() or 1) - 1))):
        self.size = size
        self.idle: list[_Worker] = []
        self.busy = 0
        self.cond = threading.Condition()

    def _take(self) -> _Worker:
        with self.cond:
            while not self.idle and self.busy >= self.size:
                self.cond.wait()
            self.busy += 1
            worker = self.idle.pop() if self.idle else None
        if worker is None or not worker.alive():
            try:
                worker = _Worker()
            except BaseException:
                self._give(None)
                raise
        return worker

    def _give(self, worker: _Worker | None) -> None:
        with self.cond:
            self.busy -= 1
            if worker is not None:
                self.idle.append(worker)
            self.cond.notify()

    def run(self, url: str, body: bytes, content_type: str | None, time_limit: float, tables: bool = False) -> AttachmentText:
        worker = self._take()
        try:
            result = worker.ask(body, content_type, time_limit, tables)
        except TimeoutError:
            worker.kill()
            worker = None
            return AttachmentText(sniff(body), problem="timeout", detail=f"not read within {time_limit:g} s")
        except (EOFError, OSError, ValueError) as exc:  # the parser died (memory cap, a C-level crash)
            worker.kill()
            worker = None
            return AttachmentText(sniff(body), problem="corrupt", detail=f"the parser process died ({type(exc).__name__})")
        finally:
            self._give(worker)
        return result

    def close(self) -> None:
        with self.cond:
            workers, self.idle = self.idle, []
        for worker in workers:
            worker.kill()


_POOL = _Pool()


def close_workers() -> None:
    """Stop the idle parser processes (the crawler calls this when the spider closes)."""
    _POOL.close()


# ----------------------------------------------------------------------------- storage

def attachment_row(scan_id: int, url: str, source_url: str | None, content_type: str | None, size: int | None,
                   result: AttachmentText) -> dict:
    """The ``attachments`` row (storage.schema.SCHEMA) for one read attachment. The text is stored once;
    ``segments`` holds [where, offset into text] so evidence can name the page, sheet row or paragraph."""
    offsets, pos, parts = [], 0, []
    for where, text in result.segments:
        offsets.append([where, pos])
        parts.append(text)
        pos += len(text) + 1
    text = "\n".join(parts) if result.segments else result.text
    return {
        "scan_id": scan_id, "url": url, "source_url": source_url, "content_type": content_type, "size": size,
        "kind": result.kind, "expected_kind": result.expected, "pages": result.pages, "text": text or None,
        "segments": json.dumps(offsets, ensure_ascii=False) if offsets else None,
        "problem": result.problem, "detail": result.detail or None, "elapsed_ms": result.elapsed_ms,
    }


def locate(segments_json: str | None, offset: int) -> str | None:
    """The segment ("page:3", "sheet:名单 row:4") that holds character ``offset`` of a stored text."""
    if not segments_json:
        return None
    segments = json.loads(segments_json)
    i = bisect_right([s[1] for s in segments], offset) - 1
    return segments[i][0] if i >= 0 else None


if __name__ == "__main__":
    _worker_main()
