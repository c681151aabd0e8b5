"""Small attachments made in the tests themselves (no binary fixtures): PDFs with a real text
layer (a Type0 font whose ToUnicode map is the identity, so any Chinese text can be written
without embedding a font), scanned-looking PDFs, hostile files, and Office files written with
python-docx and openpyxl."""

from __future__ import annotations

import io
import zipfile
import zlib


def _pdf_bytes(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, trailer_extra, xref)
    return bytes(out)


def _stream(data: bytes, compress: bool = True) -> bytes:
    if compress:
        packed = zlib.compress(data)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
1 begincidrange <0000> <FFFF> 0 endcidrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def pdf(pages: list[str], image_pages: int = 0, filler: int = 0) -> bytes:
    """A PDF whose pages carry ``pages`` as text (one line per \\n), then ``image_pages`` pages that are
    only an image (a scan without a text layer). ``filler`` bytes of incompressible image data make
    a big file (the benchmark's 50 MB PDF)."""
    import os

    objects: list[bytes] = [b"", b""]  # 1 catalog, 2 pages
    font = len(objects) + 1
    objects.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
                   b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (font + 1, font + 2))
    objects.append(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
                   b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>")
    objects.append(_stream(_CMAP))
    image = len(objects) + 1
    raw = os.urandom(filler) if filler else b"\x80" * 64
    side = 8 if not filler else max(1, int((filler / 3) ** 0.5))
    raw = raw[: side * side * 3] if filler else bytes(8 * 8 * 3)
    objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                   b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(raw)) + raw + b"\nendstream")
    kids = []
    for text in pages:
        ops = [b"BT /F1 12 Tf 50 780 Td 14 TL"]
        for line in text.split("\n"):
            ops.append(b"<" + line.encode("utf-16-be").hex().encode() + b"> Tj T*")
        ops.append(b"ET")
        objects.append(_stream(b"\n".join(ops)))
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font))
        kids.append(len(objects))
    for _ in range(image_pages):
        objects.append(_stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"))
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /XObject << /Im1 %d 0 R >> >> >>" % (content, image))
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return _pdf_bytes(objects)


def pdf_page_loop() -> bytes:
    """A PDF whose page tree contains itself (Kids → the Pages node): a recursion loop."""
    return _pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
    ])


def pdf_encrypted(text: str = "保密文件 13800138000") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf([text]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xlsx(rows_by_sheet: dict[str, list[list]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in rows_by_sheet.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.rows[r].cells[c].text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_zip_bomb(inflated_mb: int = 300) -> bytes:
    """An .xlsx whose worksheet inflates from about a megabyte to ``inflated_mb`` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            chunk = b"<row><c><v>0</v></c></row>" * 40000
            for _ in range(inflated_mb * 1024 * 1024 // len(chunk)):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return out.getvalue()
