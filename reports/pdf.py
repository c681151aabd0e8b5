"""The filed copy of the self-inspection report as PDF (``--format pdf`` → 自查报告.pdf): the
print template reports/templates/filed.html.j2 printed to A4 by the system Chromium, with the
site's name and 标识码 in every page's header and the page number in its footer.

The page holds crawled text, so it is printed with the least a browser can do: JavaScript off, no
network (Chromium gets a proxy that is a bound but never listening port, as crawler.render does,
and every request but the page's own file is aborted), a fresh context, nothing kept. The same
Chromium and flags as crawler.render ($ZWGK_CHROMIUM, `chromium` on PATH, /usr/bin/chromium).
"""

from __future__ import annotations

import socket
import sqlite3
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape

from crawler.browser import FLAGS
from crawler.render import Renderer, default_executable
from reports import filed
from reports.writers import FormatUnavailable

TIMEOUT_MS = 300_000  # a scan with tens of thousands of findings prints to thousands of pages
MARGIN = {"top": "20mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
# header and footer are separate small documents: they get no styles from the page and need their own font size
_BAND = ('<div style="width:100%; box-sizing:border-box; padding:0 16mm; font-size:8pt; color:#333; font-family:\'Noto Serif CJK SC\', '
         '\'SimSun\', \'WenQuanYi Zen Hei\', serif; display:flex; justify-content:space-between; {border}">{body}</div>')

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                   autoescape=select_autoescape(["html", "j2"], default=True), trim_blocks=True, lstrip_blocks=True)


class PdfUnavailable(FormatUnavailable):
    """The PDF cannot be printed on this machine; str() is one line in Chinese and English."""


def unavailable(executable: str | None = None) -> str | None:
    """Why ``--format pdf`` cannot work here (no Chromium, or no Playwright), in one line; None if it can."""
    exe = default_executable(executable)
    if Renderer.available(exe):
        return None
    return (f"无法生成 PDF：未找到可用的 Chromium（{exe}），请安装 chromium（apt-get install chromium）或用环境变量 "
            f"ZWGK_CHROMIUM 指定其路径 / cannot write the PDF: no usable Chromium at {exe} (install chromium, or set "
            f"ZWGK_CHROMIUM to its path)")


def render_html(copy: dict) -> str:
    return _env.get_template("filed.html.j2").render(f=copy)


def header_footer(copy: dict) -> tuple[str, str]:
    """Chromium's header and footer templates: site name and 标识码 above, page N of M below."""
    t = copy["t"]
    site = copy["site"]
    code = f"{t['code']}{t['colon']}{site['code']}" if site["code"] else ""
    name = site["name"] if len(site["name"]) <= 60 else site["name"][:60] + "…"
    header = _BAND.format(border="border-bottom:0.5px solid #999; padding-bottom:2px;",
                          body=f"<span>{escape(name)}　{escape(code)}</span><span>{escape(t['report'])}</span>")
    pages = str(escape(t["page_of"])).replace("{page}", '<span class="pageNumber"></span>').replace(
        "{pages}", '<span class="totalPages"></span>')
    footer = _BAND.format(border="", body=f"<span>{escape(t['as_of'])}{escape(t['colon'])}{escape(copy['as_of'])}</span>"
                                          f"<span>{pages}</span>")
    return header, footer


def print_pdf(html: str, header: str, footer: str, path: Path, executable: str | None = None) -> None:
    """Print ``html`` to ``path`` (A4) in a headless Chromium that cannot reach anything."""
    problem = unavailable(executable)
    if problem:
        raise PdfUnavailable(problem)
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    dead_proxy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    dead_proxy.bind(("127.0.0.1", 0))  # reserved, never listening: anything Chromium sends on its own is refused
    try:
        with tempfile.TemporaryDirectory(prefix="zwgk-pdf-") as work:
            page_file = Path(work) / "filed.html"
            page_file.write_text(html, encoding="utf-8")
            own = page_file.as_uri()
            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(
                        executable_path=default_executable(executable), headless=True,
                        args=[*FLAGS, f"--proxy-server=http://127.0.0.1:{dead_proxy.getsockname()[1]}",
                              "--proxy-bypass-list=<-loopback>"])
                    try:
                        context = browser.new_context(java_script_enabled=False, service_workers="block",
                                                      accept_downloads=False, offline=True, locale="zh-CN",
                                                      timezone_id="Asia/Shanghai")
                        context.route("**/*", lambda route: route.continue_() if route.request.url == own else route.abort())
                        page = context.new_page()
                        page.goto(own, wait_until="load", timeout=TIMEOUT_MS)
                        page.emulate_media(media="print")
                        page.pdf(path=str(path), format="A4", print_background=True, margin=MARGIN,
                                 display_header_footer=True, header_template=header, footer_template=footer,
                                 prefer_css_page_size=True)
                    finally:
                        browser.close()
            except PlaywrightError as exc:  # its text is Playwright's own notes: --debug shows them
                raise PdfUnavailable(f"无法生成 PDF：Chromium（{default_executable(executable)}）未能完成打印（启动失败或中途退出）"
                                     f" / cannot write the PDF: Chromium did not finish printing (it failed to start "
                                     f"or exited)") from exc
    finally:
        dead_proxy.close()


def write(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang: str = "zh", check_no: int = 0) -> Path:
    """``out_dir/自查报告.pdf`` (``self-inspection-report.pdf`` in English); the file appears whole or not at all."""
    copy = filed.build(conn, scan_id, rules, lang, check_no)
    header, footer = header_footer(copy)
    path = out_dir / f"{filed.FILE_NAMES[lang]}.pdf"
    partial = out_dir / f".{path.name}.part"
    try:
        print_pdf(render_html(copy), header, footer, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path
