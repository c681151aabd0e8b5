"""Attachment text extraction (crawler.attachments.read_attachment): every readable format gives
its text with the page, sheet row or paragraph; every hostile or broken file ends as a recorded
problem within its time limit, never as an exception or a hang."""

import struct
import time
import zipfile
import io

import pytest

from attachment_files import docx, pdf, pdf_encrypted, pdf_page_loop, xlsx, xlsx_zip_bomb
from crawler.attachments import attachment_row, doc_text, locate, read_attachment, unread

ID = "110101199003074258"  # a valid check digit (GB 11643)


def read(name, body, content_type=None, **kw):
    return read_attachment(f"http://portal.test/files/{name}", body, content_type, **kw)


def test_xlsx_rows_by_sheet():
    body = xlsx({"低保名单": [["姓名", "身份证号", "电话"], ["张三", ID, 13800138000]], "说明": [["无"]]})
    got = read("list.xlsx", body)
    assert got.problem is None and got.kind == "xlsx" and got.pages == 2
    assert got.segments == [("sheet:低保名单 row:1", "姓名\t身份证号\t电话"), ("sheet:低保名单 row:2", f"张三\t{ID}\t13800138000"),
                            ("sheet:说明 row:1", "无")]


def test_docx_paragraphs_and_tables():
    got = read("list.docx", docx(["关于低保对象的公示", "名单如下："], [["李四", "13912345678"]]))
    assert got.problem is None
    assert got.segments == [("paragraph:1", "关于低保对象的公示"), ("paragraph:2", "名单如下："), ("table:1 row:1", "李四\t13912345678")]


def test_pdf_text_layer_by_page():
    got = read("notice.pdf", pdf(["补贴发放名单", f"王五 {ID}"]))
    assert got.problem is None and got.pages == 2
    assert [w for w, _ in got.segments] == ["page:1", "page:2"] and ID in got.segments[1][1]


def test_plain_text_csv_and_html():
    assert read("a.txt", "名单 13800138000".encode("gbk")).segments == [("line:1", "名单 13800138000")]
    assert read("a.csv", "姓名,电话\n张三,13800138000\n".encode()).text == "姓名,电话\n张三,13800138000"
    html = read("a.html", "<html><head><title>t</title><script>var x=1</script></head><body><p>公示</p></body></html>".encode())
    assert html.problem is None and "公示" in html.text and "var x" not in html.text


def test_legacy_doc_piece_table():
    """A Word 97 WordDocument stream and table stream, as olefile hands them over: one compressed
    (cp1252) piece and one UTF-16 piece."""
    fib = bytearray(0x200)
    struct.pack_into("<H", fib, 32, 0)  # csw
    struct.pack_into("<H", fib, 34, 0)  # cslw
    struct.pack_into("<H", fib, 36, 93)  # cbRgFcLcb
    latin, chinese = b"Name 13800138000\r", "张三\r".encode("utf-16-le")
    word = bytes(fib) + latin + chinese
    pieces = [(0, len(latin), (0x200 * 2) | 0x40000000), (len(latin), len(latin) + 3, 0x200 + len(latin))]
    cps = [0, len(latin), len(latin) + 3]
    plc = struct.pack("<3I", *cps) + b"".join(struct.pack("<HIH", 0, fc, 0) for _, _, fc in pieces)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    table = b"\x00" * 16 + clx
    struct.pack_into("<II", fib, 38 + 33 * 8, 16, len(clx))
    word = bytes(fib) + latin + chinese
    assert doc_text(word, table) == "Name 13800138000\n张三\n"


@pytest.mark.parametrize("name, body, problem", [
    ("scan.pdf", pdf([], image_pages=3), "image_only"),
    ("loop.pdf", pdf_page_loop(), "corrupt"),
    ("secret.pdf", pdf_encrypted(), "encrypted"),
    ("notice.pdf", b"<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>", "wrong_type"),
    ("table.xlsx", pdf(["x"]), "wrong_type"),
    ("empty.docx", b"", "empty"),
    ("cut.docx", docx(["a"])[:300], "corrupt"),
    ("cut.pdf", pdf(["a"])[:200], "corrupt"),
    ("garbage.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "corrupt"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "")
def test_broken_and_hostile_files_are_problems(name, body, problem):
    got = read(name, body, time_limit=20)
    assert got.problem == problem, got
    assert got.text == ""


def test_zip_bomb_named_xlsx_is_refused_quickly():
    bomb = xlsx_zip_bomb(300)
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    got = read("bomb.xlsx", bomb, time_limit=20)
    assert got.problem == "too_large" and "inflates" in got.detail
    assert time.monotonic() - started < 10


def test_zip_member_lying_about_its_size_is_corrupt():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row/>" * 100000 + "</worksheet>")
    body = bytearray(out.getvalue())
    # shrink the declared size of the worksheet in the central directory (a classic bomb trick)
    cd = body.rfind(b"PK\x01\x02" + body[body.rfind(b"PK\x01\x02") + 4:][:0])
    struct.pack_into("<I", body, cd + 24, 10)
    got = read("lying.xlsx", bytes(body), time_limit=20)
    assert got.problem in ("corrupt", "too_large")


def test_time_limit_kills_the_parser_and_the_next_file_still_reads():
    slow = pdf([f"第{i}页 " + "测试" * 200 for i in range(3000)])
    started = time.monotonic()
    got = read("huge.pdf", slow, time_limit=0.5)
    assert got.problem == "timeout"
    assert time.monotonic() - started < 3
    assert read("ok.txt", b"13800138000").problem is None


def test_size_limit_and_unread_rows():
    assert read("big.pdf", pdf(["x"]), max_bytes=100).problem == "too_large"
    missing = unread("http://portal.test/files/gone.pdf", "missing", "404")
    assert missing.problem == "missing" and missing.expected == "pdf"


def test_row_keeps_segments_as_offsets():
    got = read("list.xlsx", xlsx({"名单": [["a"], ["张三", ID]]}))
    row = attachment_row(7, "http://portal.test/files/list.xlsx", "http://portal.test/doc.html", None, 100, got)
    assert row["scan_id"] == 7 and row["kind"] == "xlsx" and row["problem"] is None
    assert locate(row["segments"], row["text"].index(ID)) == "sheet:名单 row:2"
    assert locate(row["segments"], 0) == "sheet:名单 row:1"
