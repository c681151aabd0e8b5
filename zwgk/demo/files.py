"""Real attachment files for the demo portal (PDF with a text layer, a scanned PDF without one,
DOCX, XLSX), made in memory when the portal starts, so the audit reads them as it reads a real
portal's attachments."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import Workbook

TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _pdf(page_content: bytes, resources: bytes, resource_object: bytes) -> bytes:
    """A one-page PDF whose page draws ``page_content`` with one resource (object 4: a font or an
    image); the xref offsets are computed."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources " + resources + b"/Contents 5 0 R>>",
        resource_object,
        b"<</Length %d>>stream\n" % len(page_content) + page_content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A PDF with a text layer (ASCII lines: the standard Helvetica font has no CJK glyphs)."""
    ops = [b"BT /F1 12 Tf 72 770 Td 16 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + escaped.encode("latin-1") + b") Tj T*")
    ops.append(b"ET")
    return _pdf(b"\n".join(ops), b"<</Font<</F1 4 0 R>>>>", b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>")


def scanned_pdf() -> bytes:
    """A scan: the page is one image (a grey pixel stretched over the page), no text layer."""
    image = b"<</Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceGray/BitsPerComponent 8/Length 1>>stream\n\x80\nendstream"
    return _pdf(b"q 450 0 0 350 72 400 cm /Im1 Do Q", b"<</XObject<</Im1 4 0 R>>>>", image)


def docx(paragraphs: list[str]) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx(title: str, rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
