"""The ``zwgk`` command (政务公开专栏自查工具)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from zwgk import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def crawl_options(f):
    """Options shared by `crawl`, `audit` and `demo`."""
    options = [
        click.option("--db", default="zwgk.db", show_default=True, help="扫描数据库（SQLite）路径 / scan database"),
        click.option("--allow-host", multiple=True, metavar="HOST[:PORT]", help="一并抓取的其他主机 / also crawl this host"),
        click.option("--max-pages", type=int, default=0, help="最多抓取页数，0 为不限 / stop after N responses (0 = no limit)"),
        click.option("--max-depth", type=int, default=10, show_default=True, help="最大链接层级（翻页不计）/ link hops from the start page (pagination not counted)"),
        click.option("--concurrency", type=int, default=16, show_default=True, help="总并发请求数 / concurrent requests"),
        click.option("--per-host", type=int, default=8, show_default=True, help="每主机并发数 / concurrent requests per host"),
        click.option("--delay", type=float, default=0.0, show_default=True, help="同一主机请求间隔（秒）/ minimum delay between requests to a host"),
        click.option("--timeout", type=float, default=30.0, show_default=True, help="下载超时（秒）/ download timeout in seconds"),
        click.option("--max-size", "max_size_mb", type=int, default=50, show_default=True, help="单个响应上限（MB）/ maximum response size"),
        click.option("--ignore-robots", is_flag=True, help="不遵守 robots.txt（仅限网站管理者自查）/ ignore robots.txt (site owners only)"),
        click.option("--resume", is_flag=True, help="续抓上次中断的扫描 / resume the interrupted scan of the same URLs"),
        click.option("--no-link-check", is_flag=True, help="不探测站外链接和附件 / do not probe external links and attachments"),
        click.option("--dns-server", metavar="HOST[:PORT]", help="所有域名解析使用该 DNS 服务器 / resolve every name with this server"),
        click.option("--resolve", multiple=True, metavar="HOST:PORT:ADDRESS", help="指定域名解析结果（同 curl）/ pin a name to an address, like curl"),
        click.option("--contact", metavar="EMAIL", help="写入 User-Agent 的联系方式 / contact put in the User-Agent"),
        click.option("--quiet", is_flag=True, help="不显示进度 / no progress display"),
        click.option("--verbose", is_flag=True, help="输出抓取日志 / show the crawl log"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _crawl_options(urls, kw) -> "CrawlOptions":
    from crawler.run import CrawlOptions

    return CrawlOptions(
        start_urls=list(urls), db=kw["db"], allow_hosts=tuple(kw["allow_host"]), max_pages=kw["max_pages"],
        max_depth=kw["max_depth"], concurrency=kw["concurrency"], per_host=kw["per_host"], delay=kw["delay"],
        timeout=kw["timeout"], max_size_mb=kw["max_size_mb"], obey_robots=not kw["ignore_robots"],
        resume=kw["resume"], check_links=not kw["no_link_check"], dns_server=kw["dns_server"],
        resolve=list(kw["resolve"]), contact=kw["contact"], progress=not kw["quiet"],
        log_level="INFO" if kw["verbose"] else "WARNING",
    )


def _run_crawl(opts) -> int:
    from crawler.dns import ResolveOverrideError
    from crawler.run import CrawlError, run_crawl

    try:
        return run_crawl(opts)
    except (CrawlError, ResolveOverrideError) as exc:
        raise click.UsageError(str(exc)) from None


def _summary(db_path: str, scan_id: int) -> dict:
    from crawler.store import open_db

    db = open_db(db_path)
    try:
        kinds = dict(db.execute("select kind, count(*) from pages where scan_id = ? group by kind", [scan_id]).fetchall())
        return {
            "scan": scan_id,
            "status": db["scans"].get(scan_id)["status"],
            "pages": sum(kinds.values()),
            "by_kind": kinds,
            "columns": db.execute("select count(*) from columns where scan_id = ?", [scan_id]).fetchone()[0],
            "column_items": db.execute("select count(*) from column_items where scan_id = ?", [scan_id]).fetchone()[0],
            "documents": db.execute("select count(*) from documents where scan_id = ?", [scan_id]).fetchone()[0],
            "links": db.execute("select count(*) from links where scan_id = ?", [scan_id]).fetchone()[0],
            "errors": db.execute("select count(*) from pages where scan_id = ? and (error is not null or status >= 400)", [scan_id]).fetchone()[0],
        }
    finally:
        db.close()


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="zwgk")
def main():
    """政务公开专栏自查工具 zwgk-audit：抓取政府门户网站的政府信息公开专栏，按《政府信息公开条例》
    和《政府网站与政务新媒体检查指标》逐项检查，生成自查报告。

    Crawl a government portal's disclosure column, check it against the regulations, report.
    """


@main.command(context_settings=CONTEXT)
@click.argument("urls", nargs=-1, required=True)
@crawl_options
def crawl(urls, **kw):
    """抓取网站并写入数据库（不做检查）。Crawl URL(s) into the scan database.

    \b
    示例 Example:
      zwgk crawl https://www.example.gov.cn/ --db zwgk.db
      zwgk crawl https://www.example.gov.cn/ --db zwgk.db --resume   # 中断后续抓
    """
    opts = _crawl_options(urls, kw)
    scan_id = _run_crawl(opts)
    click.echo(json.dumps(_summary(opts.db, scan_id), ensure_ascii=False))


@main.command(context_settings=CONTEXT)
@click.argument("source")
@click.option("--url", help="把本地文件当作该网址的页面 / treat the file as served at this URL")
@click.option("--content-type", help="模拟的 HTTP Content-Type / the HTTP Content-Type to assume")
@click.option("--links/--no-links", default=False, help="输出页面全部链接 / include every link")
def extract(source, url, content_type, links):
    """对单个页面（文件或网址）运行抽取，输出 JSON。Run the extraction on one page and print JSON.

    Use it when a site's template confuses the audit: it shows the fields found with their raw
    labels, the meta tags, dates, page kind and charset.
    """
    from crawler.extract.page import extract_page

    if source.startswith(("http://", "https://")):
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=30) as resp:  # a single page, on request
                body, content_type = resp.read(), content_type or resp.headers.get("Content-Type")
        except OSError as exc:
            raise click.ClickException(f"无法获取 cannot fetch {source}: {exc}") from None
        url = url or source
    else:
        path = Path(source)
        if not path.is_file():
            raise click.UsageError(f"文件不存在 no such file: {source}")
        body = path.read_bytes()
        url = url or path.resolve().as_uri().replace("file://", "http://localhost")
    result = extract_page(url, body, content_type).as_json()
    if not links:
        result["links"] = len(result["links"])
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@main.command(context_settings=CONTEXT)
@click.option("--db", default="zwgk-demo.db", show_default=True, help="扫描数据库 / scan database")
@click.option("--out", default="zwgk-out", show_default=True, help="报告目录 / report directory")
@click.option("--quiet", is_flag=True, help="不显示进度 / no progress display")
def demo(db, out, quiet):
    """启动内置示范网站、完成一次自查并输出报告，然后退出。Serve the bundled demo portal on
    loopback, audit it, write the report, stop the portal and exit."""
    from crawler.run import CrawlOptions
    from zwgk.demo.server import serve_portal

    with serve_portal() as served:
        opts = CrawlOptions(start_urls=[served["v4"] + "/"], db=db, progress=not quiet, concurrency=16)
        scan_id = _run_crawl(opts)
    summary = _summary(db, scan_id)
    click.echo(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
