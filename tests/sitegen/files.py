"""Attachment files as 公示 notices publish them (test-only): an Excel list (openpyxl), a Word list
(python-docx), a PDF with a text layer (a Type0 font with a ToUnicode map, as Word's "save as
PDF" writes Chinese), a scanned PDF (one image per page, no text), a CSV export, and damaged
files. Every file is byte-for-byte deterministic (zip entry times and document properties are
fixed) so ``generate(seed)`` stays reproducible.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

FIXED = datetime(2026, 11, 2, 9, 0, 0)


def _normalise_zip(data: bytes) -> bytes:
    """The same archive with every entry dated FIXED (openpyxl and python-docx stamp 'now')."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps dcterms:modified with the time of saving
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2026-11-02T09:00:00Z\g<2>", data)
            dst.writestr(new, data)
    return out.getvalue()


def xlsx(title: str, header: list[str], rows: list[list], sheet: str = "Sheet1") -> bytes:
    """An Excel 公示 list: a merged title row, a header row and the rows (str or int cells)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(header)))
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.properties.creator = "Administrator"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def docx(title: str, paragraphs: list[str], header: list[str] | None = None, rows: list[list[str]] | None = None) -> bytes:
    """A Word document: a title, paragraphs and, when given, a table."""
    import docx as pydocx

    d = pydocx.Document()
    d.add_heading(title, level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    if header:
        t = d.add_table(rows=1, cols=len(header))
        for cell, text in zip(t.rows[0].cells, header):
            cell.text = text
        for row in rows or []:
            cells = t.add_row().cells
            for cell, text in zip(cells, row):
                cell.text = str(text)
    cp = d.core_properties
    cp.author = "Administrator"
    cp.created = FIXED
    cp.modified = FIXED
    cp.last_modified_by = "Administrator"
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return _normalise_zip(buf.getvalue())


def csv_bytes(header: list[str], rows: list[list], encoding: str) -> bytes:
    """A CSV export (Excel's 'CSV' writes GBK on Chinese Windows; 'CSV UTF-8' writes a BOM)."""
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    return text.encode("utf-8-sig" if encoding == "utf-8" else "gbk")


def _pdf(objects: list[bytes]) -> bytes:
    """Objects 1..n (object 1 the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream"


def _info() -> bytes:
    return b"<< /Producer (Microsoft\xae Word 2016) /CreationDate (D:20261102090000+08'00') >>"


def pdf_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Chinese and digits): a Type0 font,
    Identity-H codes = Unicode code points, and a ToUnicode CMap for every character used."""
    chars = sorted({ch for line in lines for ch in line if ord(ch) < 0x10000})
    content = [b"BT", b"/F1 11 Tf", b"14 TL", b"50 790 Td"]
    for line in lines:
        hexcodes = "".join(f"{ord(ch):04X}" for ch in line if ord(ch) < 0x10000)
        content.append(f"<{hexcodes}> Tj T*".encode())
    content.append(b"ET")
    stream = b"\n".join(content)
    bfchars = []
    for i in range(0, len(chars), 100):
        block = chars[i:i + 100]
        bfchars.append(f"{len(block)} beginbfchar\n" + "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in block) + "\nendbfchar")
    cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n"
            "/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "\n".join(bfchars) +
            "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(stream),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
        b"/Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 >>",
        _stream(cmap),
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 "
        b"/Descent -141 /CapHeight 683 /StemV 80 >>",
        _info(),
    ]
    return _pdf(objects)


def pdf_scanned(pages: int, seed: int) -> bytes:
    """A scan: each page one grey image XObject drawn full-page, no font, no text operator."""
    n = pages
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(n))
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i in range(n):
        page, contents, image = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        pixels = bytes(((x * 7 + y * 13 + seed + i) % 64) + 160 for y in range(32) for x in range(24))
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 {image} 0 R >> >> "
                       f"/Contents {contents} 0 R >>".encode())
        objects.append(_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q"))
        objects.append(_stream(pixels, " /Type /XObject /Subtype /Image /Width 24 /Height 32 /ColorSpace /DeviceGray /BitsPerComponent 8"))
    objects.append(b"<< /Producer (Canon iR-ADV C5535 PDF) /CreationDate (D:20261102090000+08'00') >>")
    return _pdf(objects)


def corrupt(kind: str, good: bytes) -> bytes:
    """A damaged upload: ``truncated`` (the first part of a real file), ``html`` (the server's error
    page saved under the attachment's name), or ``garbage`` (bytes that start like a zip)."""
    if kind == "truncated":
        return good[: max(64, len(good) // 5)]
    if kind == "html":
        return ("<html><head><title>系统错误</title></head><body><h1>500 Internal Server Error</h1>"
                "<p>文件转换失败，请联系管理员。</p></body></html>").encode("utf-8")
    return b"PK\x03\x04\x14\x00\x00\x00" + bytes((i * 37 + 11) % 256 for i in range(900))
