"""The ``zwgk`` command (政务公开专栏自查工具)."""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import traceback
from pathlib import Path

import click

from zwgk import __version__
from zwgk.click_zh import ZwgkGroupHelp, in_chinese
from zwgk.pipeline import MAX_PORT, url_problem

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
SITES_AT_ONCE = 100  # --parallel / --concurrency: the most; the machine's CPU and memory room decide (zwgk.site_pool)

DB_HELP = ("扫描数据库：SQLite 文件（须已存在）或 postgresql://用户@主机/库 / scan database: an SQLite file (must exist) "
           "or postgresql://user@host/db")
SCAN_STATUS = {"finished": "完成 finished", "partial": "不完整 partial", "interrupted": "中断 interrupted",
               "running": "抓取中 running"}
JSON_HELP = "输出 JSON 而不是文字摘要 / print JSON instead of the readable summary"
FORMAT_HELP = ("输出格式，逗号分隔：html,json,csv,xlsx,sarif,junit,docx（存档用 Word 自查报告），pdf（存档用 PDF，需要 Chromium）；"
               "all 为除 pdf 外的全部 / output formats, comma separated; docx and pdf are the filed copy (pdf needs "
               "Chromium); all = every format but pdf")
_debug = False  # --debug: tracebacks instead of one-line errors


class ZwgkGroup(ZwgkGroupHelp):
    """Every error is one line on stderr with exit code 2 (3: site unreachable, 130: Ctrl-C);
    ``zwgk --debug`` prints the traceback as well."""

    group_class = ZwgkGroupHelp

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        # SIGTERM outside a crawl (while checking or writing the report) ends with 143 and one line;
        # during a crawl, crawler.run's own handler saves what was fetched first
        signal.signal(signal.SIGTERM, _terminated)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            if _debug and (exc.__cause__ or exc.__context__) is not None:
                traceback.print_exception(exc)
            where = exc.ctx.command_path if getattr(exc, "ctx", None) else (prog_name or "zwgk")
            _exit_if_write_failed(exc, where)
            _error_line(f"{where}: {in_chinese(exc.format_message())}")
            sys.exit(2 if exc.exit_code in (0, 1) else exc.exit_code)
        except click.Abort:
            _error_line(f"已中断 interrupted{_AFTER_INTERRUPT['hint']}")
            sys.exit(130)
        except Exception as exc:  # a bug or an environment problem nobody foresaw: still one line
            if _debug:
                traceback.print_exc()
            _exit_if_write_failed(exc, prog_name or "zwgk")
            if "malformed" in str(exc) or "not a database" in str(exc):
                _error_line(f"{prog_name or 'zwgk'}: 数据库文件已损坏 the database file is damaged: {exc}；请从备份恢复 restore it "
                            "from a backup")
                sys.exit(2)
            _error_line(f"{prog_name or 'zwgk'}: 意外错误，命令未完成 unexpected error, the command did not finish: "
                        f"{exc or '（无说明 no detail）'}（加 --debug 重新运行可查看详情 run again with --debug for details）")
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


def _exit_if_write_failed(exc: BaseException, where: str) -> None:
    """Disk full, an I/O error or read-only storage while checking or writing a report: exit 4 like
    a crawl's failed write, saying what was kept and how to go on."""
    from crawler.write_errors import write_failure_in
    from zwgk.pipeline import WRITE_FAILED

    words = write_failure_in(exc) or (write_failure_in(RuntimeError(exc.format_message()))
                                      if isinstance(exc, click.ClickException) else None)
    if words:
        _error_line(f"{where}: 写入失败，命令未完成：{words}；已保存的扫描不受影响，排除原因后重新运行（audit 加 --resume）"
                    f"a write failed, the command did not finish; the stored scan is kept, run it again once the cause "
                    "is gone (audit: --resume)")
        sys.exit(WRITE_FAILED)


# what an interrupted command says to do next: set by a command whose work is kept (audit: --resume)
_AFTER_INTERRUPT = {"hint": ""}
AUDIT_RESUME_HINT = ("：已抓取的内容已保存，用同一命令加 --resume 继续（已完成的抓取不再重复，只补做检查和报告）"
                     " / what was fetched is kept: run the same command with --resume to continue")


def _terminated(signum, frame) -> None:
    _error_line(f"已中断 interrupted (SIGTERM){_AFTER_INTERRUPT['hint']}")
    sys.exit(128 + signum)


def _error_line(message: str) -> None:
    click.echo(" ".join(str(message).split()), err=True)


class SiteUnreachable(click.ClickException):
    exit_code = 3


class FiniteFloatRange(click.FloatRange):
    """FloatRange that also refuses nan (which compares false with every bound)."""

    def convert(self, value, param, ctx):
        rv = super().convert(value, param, ctx)
        if math.isnan(rv):
            self.fail(f"{value!r} is not a number in the range {self._describe_range()}.", param, ctx)
        return rv


class HttpUrl(click.ParamType):
    name = "URL"

    def convert(self, value, param, ctx):
        problem = url_problem(value)
        if problem:
            self.fail(f"不是有效的网址 not a valid http(s) URL: {value} ({problem})", param, ctx)
        return value


class HostPort(click.ParamType):
    """HOST[:PORT]: a host name, IPv4 address or [IPv6] address, port 1-65535."""

    name = "HOST[:PORT]"

    def convert(self, value, param, ctx):
        problem = None if "/" not in value and "@" not in value else "expected HOST[:PORT], not a URL"
        problem = problem or url_problem(f"http://{value}/")
        if problem:
            self.fail(f"{value!r}: {problem} (expected HOST[:PORT], port 1-{MAX_PORT}, IPv6 in brackets)", param, ctx)
        return value.lower()


class NameResolution(click.ParamType):
    """--dns-server IP[:PORT] and --resolve HOST:PORT:ADDRESS, checked by the parsers the crawl uses."""

    def __init__(self, name: str, parser: str):
        self.name, self.parser = name, parser

    def convert(self, value, param, ctx):
        from crawler import dns

        try:
            getattr(dns, self.parser)(value if self.parser == "parse_server" else [value])
        except dns.ResolveOverrideError as exc:
            self.fail(str(exc).partition(" ")[2], param, ctx)  # without the option name click adds
        return value


def _verify_db(db: str) -> None:
    """Read-only commands: the database must exist and be zwgk's; nothing is created or changed."""
    from storage.schema import UnusableDatabase
    from storage.sqlite import verify_db

    try:
        verify_db(db)
    except UnusableDatabase as exc:
        raise click.UsageError(str(exc)) from exc


def _set_debug(ctx, param, value):
    global _debug
    _debug = _debug or bool(value)
    return value


def crawl_options(f):
    """Options shared by `crawl`, `audit` and `demo`."""
    options = [
        click.option("--db", default="zwgk.db", show_default=True,
                     help="扫描数据库：SQLite 文件或 postgresql://用户@主机/库（不存在时创建，不会修改其他程序的数据库）/ scan "
                          "database: an SQLite file or postgresql://user@host/db (created if missing; another "
                          "application's database is refused)"),
        click.option("--allow-host", multiple=True, type=HostPort(), help="一并抓取的其他主机 / also crawl this host"),
        click.option("--max-pages", type=click.IntRange(min=0), default=0, help="最多抓取页数，0 为不限 / stop after N responses (0 = no limit)"),
        click.option("--max-depth", type=click.IntRange(min=0), default=10, show_default=True, help="最大链接层级（翻页不计）/ link hops from the start page (pagination not counted)"),
        click.option("--concurrency", type=click.IntRange(1, 1000), default=16, show_default=True, help="总并发请求数 / concurrent requests"),
        click.option("--per-host", type=click.IntRange(1, 1000), default=2, show_default=True,
                     help="对同一主机同时进行的请求数（默认值对真实网站是礼貌的）/ requests at a time to one host (the default is "
                          "polite to a real site)"),
        click.option("--delay", type=FiniteFloatRange(0, 3600), default=0.5, show_default=True,
                     help="同一主机两次请求之间的最短间隔（秒）；网站拦截时加大，如 2 / least time between two requests to "
                          "a host (seconds); raise it, e.g. to 2, when a site blocks the crawl"),
        click.option("--timeout", type=FiniteFloatRange(0.1, 3600), default=30.0, show_default=True, help="下载超时（秒）/ download timeout in seconds"),
        click.option("--max-size", "max_size_mb", type=click.IntRange(1, 10240), default=50, show_default=True, help="单个响应上限（MB）/ maximum response size (MB)"),
        click.option("--max-attachment-size", "max_attachment_mb", type=click.IntRange(0, 10240), default=20, show_default=True,
                     help="读取本站附件（PDF、Word、Excel 等）正文的大小上限（MB），0 为只检查链接 / read the site's own "
                          "attachments (PDF, Word, Excel …) up to this size for content checks; 0: only check the links"),
        click.option("--workers", type=click.IntRange(1, 256), default=os.cpu_count() or 1, show_default="CPU 核数 / number of cores",
                     help="抓取一个网站最多使用的进程数：页面较大且抓取进程忙于解析时才启用其余进程（各进程共用每主机并发和间隔限制）/ "
                          "at most this many processes for one site's crawl: the others parse pages only when pages are large "
                          "and the crawl's process is busy parsing (--per-host and --delay hold across all of them)"),
        click.option("--full", is_flag=True,
                     help="完整重新下载，不发送条件请求（默认对已扫描过的网站只下载有变化的页面）/ download everything again; "
                          "by default a re-scan sends conditional requests and re-parses only pages that changed"),
        click.option("--ignore-robots", is_flag=True, help="不遵守 robots.txt（仅限网站管理者自查）/ ignore robots.txt (site owners only)"),
        click.option("--resume", is_flag=True, help="续抓上次中断的扫描 / resume the interrupted scan of the same URLs"),
        click.option("--no-link-check", is_flag=True, help="不探测站外链接和附件 / do not probe external links and attachments"),
        click.option("--no-render", is_flag=True,
                     help="不用浏览器渲染只由脚本加载列表的栏目（这类栏目报告 crawl.script_only_column）/ do not render "
                          "script-only lists in Chromium (such columns are reported as crawl.script_only_column)"),
        click.option("--allow-private", is_flag=True,
                     help="允许访问内网、回环、链路本地等内部地址（默认只允许被检查网站自身的地址）/ allow internal addresses "
                          "(private, loopback, link-local, metadata); by default only the audited site's own addresses"),
        click.option("--dns-server", type=NameResolution("IP[:PORT]", "parse_server"), help="所有域名解析使用该 DNS 服务器 / resolve every name with this server (port 1-65535, default 53)"),
        click.option("--resolve", multiple=True, type=NameResolution("HOST:PORT:ADDRESS", "parse_resolve"), help="指定域名解析结果（同 curl）/ pin a name to an address, like curl"),
        click.option("--contact", metavar="EMAIL", callback=lambda ctx, param, value: _ascii_contact(value), help="写入 User-Agent 的联系方式 / contact put in the User-Agent"),
        click.option("--ipv6/--no-ipv6", "ipv6", default=None,
                     help="抓取后测量 IPv6 与 DNS 支持（audit 默认开启）/ measure IPv6 and DNS after the crawl (default: on for audit)"),
        click.option("--ipv6-max-links", type=click.IntRange(1, 100_000), default=300, show_default=True,
                     help="二级、三级内链各测量的链接数上限 / links measured per level"),
        click.option("--cloak-check/--no-cloak-check", "cloak", default=None,
                     help="抓取后以搜索引擎爬虫和搜索来访者身份再次访问首页和抽样页面，检查搜索引擎劫持（audit 默认开启）/ "
                          "after the crawl, look at the home page and sampled pages again as search engines' crawlers and "
                          "as visitors from a search page, for cloaked hijacks (default: on for audit)"),
        click.option("--quiet", is_flag=True, help="成功时只输出结果摘要（无进度、日志和“已写入”行；错误和警告仍输出）/ "
                                                   "print only the result summary on success: no progress, crawl log, "
                                                   "IPv6 line or 'wrote' lines (errors and warnings still go to stderr)"),
        click.option("--verbose", is_flag=True, help="输出抓取日志 / show the crawl log"),
        click.option("--json", "as_json", is_flag=True, help=JSON_HELP),
        click.option("--work-dir", type=click.Path(file_okay=False),
                     help="数据库为 PostgreSQL 时本机抓取工作目录（默认 ~/.cache/zwgk）/ local work directory of the crawl when "
                          "--db is a PostgreSQL server (default ~/.cache/zwgk)"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _ascii_contact(value):
    if value is not None and not (value.isascii() and value.isprintable()):
        raise click.BadParameter("联系方式须为可打印的 ASCII（写在 HTTP 头中）/ must be printable ASCII (it goes into an HTTP header)")
    return value


def _crawl_fields(kw) -> dict:
    """CrawlOptions fields from the command line (besides start_urls and db)."""
    return dict(
        allow_hosts=tuple(kw["allow_host"]), max_pages=kw["max_pages"],
        max_depth=kw["max_depth"], concurrency=kw["concurrency"], per_host=kw["per_host"], delay=kw["delay"],
        timeout=kw["timeout"], max_size_mb=kw["max_size_mb"], obey_robots=not kw["ignore_robots"],
        max_attachment_mb=kw["max_attachment_mb"],
        resume=kw["resume"], check_links=not kw["no_link_check"], dns_server=kw["dns_server"],
        resolve=list(kw["resolve"]), contact=kw["contact"], progress=not kw["quiet"],
        log_level="INFO" if kw["verbose"] else "ERROR" if kw["quiet"] else "WARNING", allow_private=kw["allow_private"],
        render=not kw["no_render"], workers=kw["workers"], incremental=not kw["full"],
    )


def _job(urls, db, kw, **extra):
    from zwgk.pipeline import AuditJob

    fields = dict(
        urls=list(urls), db=db, crawl=_crawl_fields(kw) if "allow_host" in kw else {}, rules_file=kw.get("rules_file"),
        select=tuple(kw.get("select") or ()), ignore=tuple(kw.get("ignore") or ()),
        as_of=kw["as_of"].date().isoformat() if kw.get("as_of") else None, calendar_dirs=tuple(kw.get("calendar_dir") or ()),
        out_dir=kw.get("out_dir"), formats=kw.get("formats") or "html,json", lang=kw.get("lang") or "zh",
        baseline=kw.get("baseline"), fail_on=kw.get("fail_on") or "error", ipv6=kw.get("ipv6") is not False,
        ipv6_max_links=kw.get("ipv6_max_links") or 300, report_partial=bool(kw.get("report_partial")),
        cloak=kw.get("cloak") is not False,
        work_dir=kw.get("work_dir"), quiet=bool(kw.get("quiet")),
    )
    fields.update(extra)
    return AuditJob(**fields)


def _usage(call, *args, **kwargs):
    """Run a pipeline step; its AuditInputError becomes the one-line usage error (exit 2)."""
    from zwgk.pipeline import AuditInputError

    try:
        return call(*args, **kwargs)
    except AuditInputError as exc:
        raise click.UsageError(str(exc)) from exc


def _summary(db_path: str, scan_id: int) -> dict:
    conn = _usage(_connect, db_path)
    try:
        kinds = dict(conn.execute("select kind, count(*) from pages where scan_id = ? group by kind", (scan_id,)).fetchall())
        count = lambda table, extra="": conn.execute(f"select count(*) from {table} where scan_id = ?{extra}", (scan_id,)).fetchone()[0]
        return {
            "scan": scan_id,
            "status": conn.execute("select status from scans where id = ?", (scan_id,)).fetchone()[0],
            "pages": sum(kinds.values()), "by_kind": kinds, "columns": count("columns"), "column_items": count("column_items"),
            "documents": count("documents"), "links": count("links"),
            "errors": count("pages", " and (error is not null or status >= 400)"),
        }
    finally:
        conn.close()


def _connect(db: str, create: bool = False):
    from zwgk.pipeline import connect_db

    return connect_db(db, create)


def _echo_crawl_summary(summary: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    kinds = "，".join(f"{k} {v}" for k, v in sorted(summary["by_kind"].items(), key=lambda kv: str(kv[0])))
    click.echo(f"扫描 scan {summary['scan']} ({summary['status']}): 页面 pages {summary['pages']} ({kinds})，栏目 columns "
               f"{summary['columns']}，公开文件 documents {summary['documents']}，链接 links {summary['links']}，"
               f"出错 errors {summary['errors']}")


def check_options(f):
    """Options shared by `audit`, `check` and `demo`."""
    options = [
        click.option("--rules", "rules_file", type=click.Path(dir_okay=False), help="规则文件，覆盖默认 rules.yaml 中的部分规则 / rules file overriding the defaults"),
        click.option("--select", multiple=True, metavar="RULE", help="只运行这些规则（编号或类别，如 links）/ run only these rules (ids or families)"),
        click.option("--ignore", multiple=True, metavar="RULE", help="不运行这些规则 / skip these rules"),
        click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="检查基准日期，默认北京时间今天 / audit date (default: today, Asia/Shanghai)"),
        click.option("--calendar-dir", multiple=True, type=click.Path(exists=True, file_okay=False), help="补充节假日日历目录（每年一个 YAML）/ extra holiday calendar directory"),
        click.option("--out", "out_dir", type=click.Path(file_okay=False), help="输出目录（抓取前检查可写）/ output directory for the report files (checked before the crawl)"),
        click.option("--format", "formats", default="html,json", show_default=True,
                     help=FORMAT_HELP),
        click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="报告语言 / report language"),
        click.option("--baseline", type=click.Path(dir_okay=False), help="已接受问题清单（YAML，含理由和到期日）/ accepted findings file"),
        click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error", show_default=True,
                     help="有该级别及以上问题时退出码为 1 / exit 1 when findings at or above this severity exist"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group(cls=ZwgkGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="zwgk", help="显示版本号并退出 / show the version and exit")
@click.option("--debug", is_flag=True, is_eager=True, expose_value=False, callback=_set_debug,
              help="出错时显示 Python 调用栈 / show the traceback of an error (errors are one line otherwise)")
def main():
    """政务公开专栏自查工具 zwgk-audit：抓取政府门户网站的政府信息公开专栏，按《政府信息公开条例》
    和《政府网站与政务新媒体检查指标》逐项检查，生成自查报告。

    Crawl a government portal's disclosure column, check it against the regulations, report.
    """


@main.command(context_settings=CONTEXT)
@click.argument("urls", nargs=-1, required=True, type=HttpUrl())
@crawl_options
def crawl(urls, **kw):
    """抓取网站并写入数据库（不做检查）。Crawl URL(s) into the scan database.

    \b
    示例 Example:
      zwgk crawl https://www.example.gov.cn/ --db zwgk.db
      zwgk crawl https://www.example.gov.cn/ --db zwgk.db --resume   # 中断后续抓
    """
    from storage.postgres import is_postgres
    from zwgk import pipeline

    job = _job(urls, kw["db"], kw)
    server = is_postgres(job.db)
    if server:
        _usage(_connect, job.db, True).close()
    local = pipeline.work_db(job) if server else job.db
    scan_id = _usage(pipeline.crawl_site, job, local)
    if _interrupted() or _write_failed():
        _echo_crawl_summary(_summary(local, scan_id), kw["as_json"])
        _exit_interrupted(scan_id)
    if kw["ipv6"]:
        summary = pipeline.measure_ipv6(job, local, scan_id)
        if not kw.get("quiet"):
            rates = {k: summary.get(k) for k in ("level2_rate", "level3_rate")}
            click.echo(json.dumps({"ipv6": {"hosts": len(summary["hosts"]), **rates}}, ensure_ascii=False), err=True)
    if kw["cloak"]:
        rules = _usage(pipeline.load_rules, job)
        summary = pipeline.measure_cloak(job, local, scan_id, rules)
        if summary and not kw.get("quiet"):
            click.echo(json.dumps({"cloak_check": summary}, ensure_ascii=False), err=True)
    if server:
        scan_id = _usage(pipeline.publish, local, scan_id, job.db)
    _echo_crawl_summary(_summary(job.db, scan_id), kw["as_json"])


def _interrupted() -> int | None:
    from crawler.run import interrupted_by

    return interrupted_by()


def _write_failed() -> str | None:
    from crawler.run import write_failure

    return write_failure()


def _exit_interrupted(scan_id: int) -> None:
    """130 after SIGINT, 143 after SIGTERM, 4 after a failed write: the scan is kept as ``interrupted``
    for --resume."""
    from crawler.run import write_failure
    from zwgk.pipeline import WRITE_FAILED, interruption_line

    if write_failure():
        _error_line(interruption_line(scan_id, write_failure()))
        sys.exit(WRITE_FAILED)
    signum = _interrupted()
    _error_line(f"扫描 {scan_id} 已中断，已抓取的内容已保存；用 --resume 继续 scan {scan_id} interrupted, everything fetched "
                "is saved; continue it with --resume")
    sys.exit(128 + signum)


def _words(error, kw) -> str:
    """A stored error (``DownloadConnectionRefusedError: …``) as the reader's words (连接被拒绝)."""
    from reports.failures import readable_error

    return readable_error(error, kw.get("lang") or "zh")


def _finish(result, rules, kw) -> None:
    """Print the audit's readable summary (or JSON) and exit with its code."""
    from zwgk.pipeline import summary_lines

    if not kw.get("quiet"):
        for path in result.outputs:
            click.echo(f"已写入 wrote {path}", err=True)
    if kw.get("as_json"):
        s = result.summary
        click.echo(json.dumps({"scan": result.scan_id, "status": result.status, "error": result.error,
                               "findings": s.get("findings", 0), "by_severity": s.get("by_severity", {}),
                               "by_rule": s.get("by_rule", {}), "score": s.get("score"), "passed": s.get("passed"),
                               "vetoes": s.get("vetoes", []), "scorecard": s.get("scorecard"), "scan_status": s.get("scan_status"),
                               "check": s.get("check"), "report": s.get("report")}, ensure_ascii=False))
    else:
        click.echo("\n".join(summary_lines(result, rules, kw.get("lang") or "zh")))
    if result.status == "interrupted":
        _exit_interrupted(result.scan_id)
    if result.status == "unreachable":
        raise SiteUnreachable(f"网站无法访问，未能检查 site could not be audited: {_words(result.error, kw)}")
    sys.exit(result.exit_code)


@main.command(context_settings=CONTEXT)
@click.argument("urls", nargs=-1, required=True, type=HttpUrl())
@crawl_options
@check_options
@click.option("--report-partial", is_flag=True,
              help="抓取被中断时仍检查并输出报告（报告首页注明不完整）/ check and report an interrupted crawl too "
                   "(the report says on its first screen that it is partial)")
def audit(urls, **kw):
    """抓取并检查网站，输出自查结果。Crawl URL(s), run every enabled rule, write the report.

    \b
    退出码 Exit codes:
      0  没有达到 --fail-on 级别的问题 / nothing at or above --fail-on
      1  存在达到 --fail-on 级别的问题 / findings at or above --fail-on
      2  用法、配置或文件错误（一行说明）/ usage, configuration or file error (one line)
      3  网站无法访问，未能检查 / the site could not be audited (unreachable)
      4  写入失败（如磁盘已满），扫描已中断并保存，排除原因后 --resume / a write failed (disk full …): interrupted, saved, resumable
      130/143  被 Ctrl-C / SIGTERM 中断，已抓取内容已保存，可 --resume / interrupted, saved, resumable

    \b
    示例 Example:
      zwgk audit https://www.example.gov.cn/ --db zwgk.db --out 自查报告 --format html,json
      zwgk audit https://www.example.gov.cn/ --db postgresql://zwgk@db.example/zwgk --out 自查报告
    """
    from zwgk import pipeline

    job = _job(urls, kw["db"], kw)
    rules = _usage(pipeline.load_rules, job)
    _AFTER_INTERRUPT["hint"] = AUDIT_RESUME_HINT
    result = _usage(pipeline.audit_site, job)
    if result.status == "unreachable" and not kw["as_json"]:
        raise SiteUnreachable(f"网站无法访问，未能检查 site could not be audited: {_words(result.error, kw)}")
    _finish(result, rules, kw)


@main.command(context_settings=CONTEXT)
@click.option("--db", default="zwgk.db", show_default=True, help=DB_HELP)
@click.option("--scan", "scan_id", type=click.IntRange(min=1), help="扫描编号，默认最近一次 / scan id (default: the latest)")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--quiet", is_flag=True, help="不显示“已写入”行 / no 'wrote' lines")
@check_options
def check(db, scan_id, **kw):
    """对已保存的扫描重新运行规则（不抓取）。Run the rules on a stored scan without crawling."""
    from zwgk import pipeline

    job = _job([], db, kw)
    rules = _usage(pipeline.load_rules, job)
    scan_id = _resolve_scan(db, scan_id)
    _usage(pipeline.check_inputs, job)
    _usage(pipeline.verify_before_writing, db)
    _refuse_running(db, scan_id)
    findings = _usage(pipeline.check_scan, db, scan_id, rules, job)
    conn = _usage(_connect, db)
    try:
        check_no = pipeline.last_check(conn, scan_id)
    finally:
        conn.close()
    outputs = _usage(pipeline.write_outputs, db, scan_id, rules, job, check_no) if job.out_dir else []
    summary = pipeline.summarize(db, scan_id, rules, findings, outputs)
    _finish(pipeline.AuditResult("audited", pipeline.exit_code(findings, job.fail_on), db, scan_id, None, None, summary,
                                 outputs), rules, kw)


def _refuse_running(db: str, scan_id: int) -> None:
    """A scan still marked running is being crawled, or its crawl was killed: not checked until it
    is finished or resumed (an interrupted one may be, and says so)."""
    conn = _usage(_connect, db)
    try:
        status = conn.execute("select status from scans where id = ?", (scan_id,)).fetchone()[0]
    finally:
        conn.close()
    if status == "running":
        raise click.UsageError(f"扫描 {scan_id} 仍在抓取或抓取进程已被终止，不能检查；被终止的请用 --resume 续抓 scan {scan_id} is "
                               "still being crawled, or its crawl was killed: continue it with --resume first")


def _resolve_scan(db: str, scan_id: int | None, checked: bool = False) -> int:
    """The scan's id (default: the latest); with ``checked`` the database must have findings (report, diff)."""
    from checks.engine import audit_checked

    conn = _usage(_connect, db)
    try:
        if scan_id is None:
            row = conn.execute("select max(id) from scans").fetchone()
            if row is None or row[0] is None:
                raise click.UsageError(f"数据库中没有扫描 no scans in {db}")
            scan_id = row[0]
        elif conn.execute("select 1 from scans where id = ?", (scan_id,)).fetchone() is None:
            raise click.UsageError(f"没有编号为 {scan_id} 的扫描 no scan {scan_id} in {db}")
        if checked:
            if not audit_checked(conn, scan_id):
                raise click.UsageError(f"扫描 {scan_id} 尚未检查，不能出具报告 scan {scan_id} has not been checked: "
                                       f"run `zwgk check --db {db} --scan {scan_id}`")
        return scan_id
    finally:
        conn.close()


@main.command(context_settings=CONTEXT)
@click.argument("scan_id", type=click.IntRange(min=1), required=False)
@click.option("--db", default="zwgk.db", show_default=True, help=DB_HELP)
@click.option("--out", "out_dir", default="zwgk-out", show_default=True, type=click.Path(file_okay=False), help="输出目录 / output directory")
@click.option("--format", "formats", default="html,json", show_default=True, help=FORMAT_HELP)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="报告语言 / report language")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), help="规则文件（用于规则说明）/ rules file (for rule texts)")
@click.option("--check", "check_no", type=click.IntRange(min=0), default=0, show_default=True,
              help="出具第几次检查的结果（0 为扫描时的检查）/ which check of the scan (0: the audit's own)")
@click.option("--partial", is_flag=True, help="允许为未结束的扫描出具不完整的报告 / allow a report of a scan that never ended")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（写出的文件）/ print JSON (the files written)")
@click.option("--quiet", is_flag=True, help="不显示“已写入”行 / no 'wrote' lines")
def report(scan_id, db, out_dir, formats, lang, rules_file, check_no, partial, as_json, quiet):
    """重新生成已保存扫描的报告（不抓取、不重新检查）。Re-render a stored scan's report.

    默认出具扫描时检查（检查 0）的结果；`zwgk check` 对同一扫描的重新检查依次编号为 1、2……，用 --check N 出具。
    By default the audit's own check (0); later `zwgk check` runs of the scan are 1, 2 … (--check N).
    """
    from checks.engine import checks_of
    from zwgk import pipeline

    job = _job([], db, {"rules_file": rules_file, "out_dir": out_dir, "formats": formats, "lang": lang})
    rules = _usage(pipeline.load_rules, job)
    scan_id = _resolve_scan(db, scan_id, checked=check_no == 0)
    conn = _usage(_connect, db)
    try:
        (status,) = conn.execute("select status from scans where id = ?", (scan_id,)).fetchone()
        known = {c["check_no"] for c in checks_of(conn, scan_id)} or {0}
    finally:
        conn.close()
    if status == "running" and not partial:
        raise click.UsageError(f"扫描 {scan_id} 仍在抓取或未正常结束，不能出具正式报告；确需查看已抓取部分，加 --partial "
                               f"scan {scan_id} is still crawling or never ended: add --partial for a report of what was stored")
    if check_no not in known:
        raise click.UsageError(f"扫描 {scan_id} 没有第 {check_no} 次检查（已有：{', '.join(map(str, sorted(known)))}） "
                               f"scan {scan_id} has no check {check_no}")
    _usage(pipeline.check_formats, formats)
    _usage(pipeline.check_out_dir, out_dir)
    outputs = _usage(pipeline.write_outputs, db, scan_id, rules, job, check_no)
    if as_json:
        click.echo(json.dumps({"scan": scan_id, "check": check_no, "outputs": outputs}, ensure_ascii=False))
    elif not quiet:
        for path in outputs:
            click.echo(f"已写入 wrote {path}")


@main.command(context_settings=CONTEXT)
@click.argument("site", required=False)
@click.option("--db", default="zwgk.db", show_default=True, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), help="规则文件（评分用）/ rules file (for the scoring)")
@click.option("--quiet", is_flag=True, help="只输出各次扫描的编号、结论和得分，不输出表头 / only id, verdict and score, no header")
def history(site, db, as_json, rules_file, quiet):
    """列出历次扫描及其结论和得分（可按网站筛选）。List the stored scans with verdict and score, optionally of one site."""
    from storage.schema import table_columns
    from reports.data import scan_verdict
    from reports.history import scans_of_site
    from reports.times import beijing
    from zwgk import pipeline

    rules = _usage(pipeline.load_rules, pipeline.AuditJob(urls=[], rules_file=rules_file))

    conn = _usage(_connect, db)
    try:
        if not table_columns(conn, "findings"):  # crawled, never checked: no findings yet (a temporary table)
            conn.execute("create temp table findings (scan_id integer, suppressed text, check_no integer)")
        scans = scans_of_site(conn, site)
        for scan in scans:  # the audit's verdict (check 0), under the rules given
            card = scan_verdict(conn, scan["id"], rules) if scan["as_of"] else None
            scan["score"], scan["passed"] = (card["score"], card["passed"]) if card else (None, None)
            scan["verdict"] = card["verdict_zh"] if card else "—"
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(scans, ensure_ascii=False, indent=1))
        return
    if quiet:
        for s in scans:
            click.echo(f"{s['id']} {s['verdict']} {'—' if s['score'] is None else format(s['score'], 'g')}")
        return
    click.echo(f"{'编号 id':>8}  {'网站 site':28} {'开始 started':22} {'状态 status':16} {'基准日 as-of':12} {'页面':>6} {'文件':>6} "
               f"{'问题':>6}  结论 verdict  得分 score")
    for s in scans:
        status = SCAN_STATUS.get(s["status"], s["status"])
        click.echo(f"{s['id']:>8}  {s['site']:28} {beijing(s['started_at']):22} {status:16} {s['as_of'] or '—':12} {s['pages']:>6} "
                   f"{s['documents']:>6} {s['findings']:>6}  {s['verdict']:6} {'—' if s['score'] is None else format(s['score'], 'g')}")


@main.command(context_settings=CONTEXT)
@click.argument("old", type=click.IntRange(min=1))
@click.argument("new", type=click.IntRange(min=1))
@click.option("--db", default="zwgk.db", show_default=True, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON")
@click.option("--quiet", is_flag=True, help="只输出各类数量 / only the counts")
def diff(old, new, db, as_json, quiet):
    """比较两次扫描：新增、已整改、仍存在、无法比较的问题。Compare two scans' findings."""
    from reports.history import as_json as diff_json, compare

    _resolve_scan(db, old, checked=True)
    _resolve_scan(db, new, checked=True)
    conn = _usage(_connect, db)
    try:
        sites = dict(conn.execute("select id, site from scans where id in (?, ?)", (old, new)).fetchall())
        if sites[old] != sites[new]:
            raise click.UsageError(f"扫描 {old}（{sites[old]}）与扫描 {new}（{sites[new]}）不是同一网站，不能比较 "
                                   f"scans {old} and {new} are of different sites")
        result = compare(conn, old, new)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(diff_json(result), ensure_ascii=False, indent=1))
        return
    names = {"new": "新增 new", "fixed": "已整改 fixed", "still_open": "仍存在 still open", "not_comparable": "无法比较 not comparable"}
    for key, label in names.items():
        click.echo(f"{label}: {len(result[key])}")
        if key != "still_open" and not quiet:
            for f in result[key]:
                click.echo(f"  [{f['rule']}] {f['url']}  {f['message_zh']}")


@main.command(context_settings=CONTEXT)
@click.argument("rule_id", required=False)
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), help="规则文件 / rules file")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="说明语言 / language")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（规则及评分方法）/ print JSON (the rules and the scoring)")
@click.option("--quiet", is_flag=True, help="只输出规则编号 / only the rule ids")
def rules(rule_id, rules_file, lang, as_json, quiet):
    """列出全部规则和评分方法，或显示一条规则（或一类规则）的说明和依据。List the rules and the scoring, or explain one."""
    from dataclasses import asdict

    from zwgk import pipeline

    loaded = _usage(pipeline.load_rules, pipeline.AuditJob(urls=[], rules_file=rules_file))
    family = [r for r in loaded.values() if r.family == rule_id]
    if rule_id is not None and rule_id not in loaded and not family:
        raise click.UsageError(f"未知的规则 unknown rule: {rule_id}{pipeline.suggest_rules(loaded, rule_id)} (see `zwgk rules`)")
    if as_json:
        shown = [loaded[rule_id]] if rule_id in loaded else (family or list(loaded.values()))
        click.echo(json.dumps({"rules": [asdict(r) for r in shown], "scoring": asdict(loaded.scoring)}, ensure_ascii=False, indent=1))
        return
    if quiet:
        click.echo("\n".join(r.id for r in ([loaded[rule_id]] if rule_id in loaded else family or loaded.values())))
        return
    if rule_id is None or family and rule_id not in loaded:
        for r in family or loaded.values():
            title = r.title_zh if lang == "zh" else r.title_en
            click.echo(f"{r.id:34} {r.severity:8} {'启用' if r.enabled and lang == 'zh' else ('on' if r.enabled else ('停用' if lang == 'zh' else 'off'))}  {title}")
        if rule_id is None:
            click.echo("\n".join(scoring_lines(loaded.scoring, lang)))
        return
    r = loaded[rule_id]
    lines = [
        f"{r.id}  [{r.severity}{'' if r.enabled else ', disabled'}]",
        f"{r.title_zh} / {r.title_en}",
        "",
        r.description_zh if lang == "zh" else r.description_en,
        "",
        f"依据 Basis: {r.basis}",
        f"扣分权重 Weight: {r.weight}",
        "参数 Parameters:",
    ] + [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in r.params.items()]
    click.echo("\n".join(lines))


def scoring_lines(scoring, lang: str) -> list[str]:
    """How a verdict is made, as `zwgk rules` prints it."""
    zh = lang == "zh"
    lines = ["", ("评分方法（按《政府网站与政务新媒体检查指标》；各地分值可在规则文件的 scoring 段调整）：" if zh else
                  "Scoring (as the 检查指标 does it; a rules file's scoring section sets a province's own shares):"),
             ("一、单项否决：任一项达到门槛即不合格" if zh else "1. Single-veto items: any one reaching its threshold fails the site"),
             ("  站点无法访问（单次抽样）: 本次检查时首页无法打开（≥1）；一周监测见 availability.unreachable" if zh else
              "  Site unreachable (single sample): the home page could not be opened during the audit (≥1); the week "
              "of monitoring is availability.unreachable")]
    for v in scoring.vetoes:
        lines.append(f"  {v.item_zh if zh else v.item_en}: {', '.join(v.rules)}（≥{v.at_least}）")
    lines.append(f"二、扣分指标：共 100 分，每项扣分不超过其分值；低于 {scoring.pass_score:g} 分不合格" if zh else
                 f"2. Scored indicators: 100 points, none losing more than its share; below {scoring.pass_score:g} fails")
    for i in scoring.indicators:
        per = ("按页面计" if zh else "per page") if i.per == "page" else ("按问题计" if zh else "per finding")
        lines.append(f"  {i.name_zh if zh else i.name_en} {i.share:g} {'分' if zh else 'points'}（{per}）: {', '.join(i.rules)}")
    return lines


@main.command(context_settings=CONTEXT)
@click.argument("source")
@click.option("--url", type=HttpUrl(), help="把本地文件当作该网址的页面 / treat the file as served at this URL")
@click.option("--content-type", help="模拟的 HTTP Content-Type / the HTTP Content-Type to assume")
@click.option("--links/--no-links", default=False, help="输出页面全部链接 / include every link")
@click.option("--render", is_flag=True,
              help="用浏览器（系统的 Chromium）渲染该网址一次并点击一次“下一页”，输出渲染后页面的抽取结果，以及从中学到的列表接口"
                   "或文件接口 / render the URL once in Chromium (one click of its next-page control) and show the "
                   "rendered page's extraction with the list or document request learned from it")
def extract(source, url, content_type, links, render):
    """对单个页面（文件或网址）运行抽取，输出 JSON。Run the extraction on one page and print JSON.

    Use it when a site's template confuses the audit: it shows the fields found with their raw
    labels, the meta tags, dates, page kind and charset.
    """
    from crawler.extract.page import extract_page

    if source.startswith(("http://", "https://")):
        import urllib.request

        HttpUrl().convert(source, None, click.get_current_context())
        try:
            with urllib.request.urlopen(source, timeout=30) as resp:  # a single page, on request
                body, content_type = resp.read(), content_type or resp.headers.get("Content-Type")
        except OSError as exc:
            raise SiteUnreachable(f"无法获取 cannot fetch {source}: {exc}") from exc
        url = url or source
    else:
        path = Path(source)
        if not path.is_file():
            raise click.UsageError(f"文件不存在 no such file: {source}")
        body = path.read_bytes()
        if not url:
            click.echo("提示：本地文件未给出 --url，相对链接、栏目和分页按 http://localhost/… 解析，可能与网站上不同 "
                       "note: a local file without --url: relative links, the column and its pager resolve against "
                       "http://localhost/…, which may differ from the site", err=True)
        url = url or path.resolve().as_uri().replace("file://", "http://localhost")
    if render:
        if not source.startswith(("http://", "https://")):
            raise click.UsageError("--render 需要网址 needs a URL / --render needs a URL")
        result = _rendered_extract(source)
    else:
        result = extract_page(url, body, content_type).as_json()
    if not links:
        result["links"] = len(result["links"])
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


def _rendered_extract(source: str) -> dict:
    """What the crawler learns by rendering one page: its extraction as rendered, and the list
    request (crawler.list_api) or the document request (crawler.detail_api) behind it."""
    from urllib.parse import urlsplit

    from crawler.detail_api import learn as learn_detail
    from crawler.extract.page import extract_page
    from crawler.list_api import learn, rendered_items
    from crawler.render import Renderer

    host = urlsplit(source).netloc
    if not Renderer.available():
        missing = click.ClickException("没有可用的 Chromium（apt-get install chromium）no working Chromium (apt-get install chromium)")
        missing.exit_code = 2
        raise missing
    with Renderer(lambda u: u.startswith(("http://", "https://")) and urlsplit(u).netloc == host) as renderer:
        rendered = renderer.render(source, 1)
    if rendered.error and not rendered.html:
        raise SiteUnreachable(f"无法渲染 cannot render {source}: {_words(rendered.detail or rendered.error, {})}")
    page = extract_page(source, rendered.html.encode("utf-8"), "text/html; charset=utf-8")
    result = page.as_json()
    items = rendered_items(rendered.html, rendered.json, rendered.final_url or source)
    apis = learn(rendered.calls, items, rendered.final_url or source) if items else []
    detail = learn_detail(rendered.calls, page, source) if page.kind in ("document", "interpretation") else None
    result["rendered"] = {"items": len(items), "requests": len(rendered.calls), "clicked_pages": len(rendered.pages_after),
                          "list_api": apis[0].as_json() if apis else None, "detail_api": detail.as_json() if detail else None}
    return result


class BatchGroup(ZwgkGroupHelp):
    """`zwgk batch SITES` runs a batch; `zwgk batch status` shows one."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@main.group(cls=BatchGroup, context_settings=CONTEXT)
def batch():
    """批量检查多个网站（本机并行，或经 Celery/Redis 分发到多台机器）。Audit many sites.

    \b
    示例 Example:
      zwgk batch sites.yaml --db zwgk.db --out 批量报告                       # 本机 / this machine
      zwgk batch 网站清单.csv --db postgresql://zwgk@db/zwgk --broker redis://mq/0   # 多机 / many machines
      zwgk batch status --db postgresql://zwgk@db/zwgk
    """


@batch.command("run", context_settings=CONTEXT)
@click.argument("sites_file", metavar="SITES.yaml|SITES.csv")
@crawl_options
@check_options
@click.option("--parallel", type=click.IntRange(1, 1000), default=SITES_AT_ONCE, show_default=True,
              help="本机最多同时检查的网站数；实际数目按 CPU 与内存余量随时决定 / at most this many sites at once on this "
                   "machine (without --broker); how many run is decided by the CPU and memory left")
@click.option("--broker", metavar="redis://HOST/0",
              help="Celery 的 Redis 地址：把网站分发给各台机器上的 `zwgk worker` / Redis broker: hand the sites to "
                   "`zwgk worker`s on any machine")
@click.option("--no-wait", is_flag=True, help="（--broker）只入队，不等待结果 / only enqueue, do not wait (with --broker)")
@click.option("--wait-hours", type=FiniteFloatRange(0.01, 24 * 31), default=72.0, show_default=True,
              help="（--broker）最长等待时间 / longest wait for the workers (hours)")
@click.option("--batch", "batch_id", metavar="ID", help="继续该批次（只重做未完成的网站）/ continue this batch (only sites not done)")
def batch_run(sites_file, **kw):
    """检查清单中的全部网站，输出每站报告、排名页和汇总问题清单。Audit every site in the list.

    \b
    清单 Sites file: YAML (sites: [{name, url, code, organiser, allow_hosts, rules}]) 或 CSV
    (列 columns: 网站名称,网站标识码,首页网址,主办单位)。
    输出 Outputs: OUT/index.html（排名 ranking）, OUT/问题清单.xlsx, OUT/<网站>/index.html …
    退出码 Exit: 0 全部检查且无 --fail-on 级别问题 / all audited, nothing at --fail-on; 1 否则 / otherwise; 2 输入错误 / bad input
    """
    from zwgk import batch as batches, pipeline

    ctx = click.get_current_context()
    sites = _usage(batches.load_sites, sites_file)
    job = _job([], kw["db"], kw, out_dir=None)
    if ctx.get_parameter_source("workers") == click.core.ParameterSource.DEFAULT:
        job.crawl["workers"] = 1  # many sites at once already use the cores
    for rules_file in {s.rules_file for s in sites} | {job.rules_file}:
        _usage(pipeline.load_rules, pipeline.AuditJob(urls=[], rules_file=rules_file, select=job.select, ignore=job.ignore))
    _usage(pipeline.check_inputs, job)
    if kw["broker"]:
        _usage(batches.check_broker, kw["broker"])
    out_dir = kw["out_dir"] or "zwgk-batch"
    _usage(pipeline.check_out_dir, out_dir)
    conn = _usage(_connect, job.db, True)
    try:
        batch_id = batches.new_batch(conn, sites, str(Path(sites_file).resolve()), {"crawl": job.crawl, "fail_on": job.fail_on},
                                     kw["broker"], kw["batch_id"])
    finally:
        conn.close()
    say = (lambda text: None) if kw["quiet"] else (lambda text: click.echo(text, err=True))
    say(f"批次 batch {batch_id}: {len(sites)} 个网站 sites")
    if kw["broker"]:
        try:
            batches.enqueue(kw["broker"], job.db, batch_id, sites, job)
        except Exception as exc:  # the broker or the database went away meanwhile: what was lost is sent again
            if kw["no_wait"] or not batches.outage(exc):
                raise
        if kw["no_wait"]:
            from storage.postgres import without_password

            click.echo(f"批次 batch {batch_id} 已入队 queued; 查看进度 progress: zwgk batch status --db {without_password(job.db)} "
                       f"--batch {batch_id}")
            return
        # outages of the database or the broker are waited out, said on stderr even with --quiet
        done = batches.supervise(kw["broker"], job.db, batch_id, kw["wait_hours"] * 3600,
                                 on_progress=lambda counts: say("  " + _counts_text(counts)),
                                 say=lambda text: _error_line(text))
        if not done:
            _error_line(f"等待超时，批次 {batch_id} 尚未完成 timed out; batch {batch_id} still running: zwgk batch status --batch {batch_id}")
            sys.exit(1)
    else:
        batches.run_local(job.db, batch_id, sites, job, kw["parallel"],
                          on_done=lambda site, status: say(f"  {site.name} ({site.key}): {status}"), out_dir=out_dir)
    result = batches.write_outputs(job.db, batch_id, out_dir, job, {s.key: s for s in sites})
    ranked = result["ranked"]
    if kw["as_json"]:
        click.echo(json.dumps({"batch": batch_id, "sites": [{k: s.get(k) for k in ("key", "name", "code", "status", "error", "score",
                                                                                   "passed", "scan_id", "report")} for s in ranked],
                               "index": str(result["paths"]["index"]), "xlsx": str(result["paths"]["xlsx"]),
                               "continue": result["batch"].resume}, ensure_ascii=False))
    else:
        click.echo("\n".join(_batch_lines(batch_id, ranked, result["paths"], result["batch"].resume)))
    failing = [s for s in ranked if s["status"] != "audited" or (job.fail_on != "never" and _at_or_above(s, job.fail_on))]
    sys.exit(1 if failing else 0)


def _at_or_above(site: dict, fail_on: str) -> bool:
    from checks.engine import SEVERITY_ORDER

    return any(n and SEVERITY_ORDER[sev] >= SEVERITY_ORDER[fail_on] for sev, n in (site.get("by_severity") or {}).items())


def _counts_text(counts: dict) -> str:
    names = {"queued": "排队 queued", "running": "检查中 running", "stalled": "停止续约 stalled", "audited": "完成 audited",
             "unreachable": "无法访问 unreachable", "failed": "失败 failed", "interrupted": "中断 interrupted"}
    return "，".join(f"{names.get(k, k)} {v}" for k, v in sorted(counts.items(), key=lambda kv: list(names).index(kv[0])
                                                                                       if kv[0] in names else 99))


def _batch_lines(batch_id: str, ranked: list[dict], paths: dict, resume: str | None = None) -> list[str]:
    audited = [s for s in ranked if s["status"] == "audited"]
    passed = [s for s in audited if s.get("passed")]
    lines = [f"批次 batch {batch_id}: 网站 sites {len(ranked)}，已检查 audited {len(audited)}，合格 pass {len(passed)}，"
             f"不合格 fail {len(audited) - len(passed)}，未能检查 not audited {len(ranked) - len(audited)}"]

    def line(s):
        if s["status"] != "audited":
            return f"  {s['name']} ({s.get('code') or s.get('key')}): {s['status']} {_words(s.get('error'), {})}".rstrip()
        vetoes = f"，单项否决 vetoes {len(s.get('vetoes') or [])}" if s.get("vetoes") else ""
        return f"  {s['name']} ({s.get('code') or s.get('key')}): {'合格' if s.get('passed') else '不合格'} 得分 {s.get('score'):g}{vetoes}"

    lines.append("排名靠后 bottom:")
    lines += [line(s) for s in ranked[:5]]
    if len(ranked) > 5:
        lines.append("排名靠前 top:")
        lines += [line(s) for s in list(reversed(ranked))[:5]]
    lines.append(f"排名页 ranking: {Path(paths['index']).resolve()}")
    lines.append(f"问题清单 findings workbook: {Path(paths['xlsx']).resolve()}")
    if resume:  # the last line: what to run to finish the batch
        from reports.batch import resume_lines

        from zwgk.batch import DONE

        lines += resume_lines(resume, sum(1 for s in ranked if s["status"] not in DONE))
    return lines


@batch.command("status", context_settings=CONTEXT)
@click.option("--db", default="zwgk.db", show_default=True, help=DB_HELP)
@click.option("--batch", "batch_id", metavar="ID", help="批次编号，默认最近一批 / batch id (default: the latest)")
@click.option("--broker", metavar="redis://HOST/0",
              help="（多机批次）把停止续约的网站重新分发到这个 Redis，默认为批次记录的地址 / (distributed batch) hand stalled "
                   "sites out again on this broker (default: the one the batch was sent to)")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--quiet", is_flag=True, help="只输出各状态的网站数 / only the counts")
def batch_status(db, batch_id, broker, as_json, quiet):
    """显示批次进度：排队、检查中、停止续约（stalled）、完成、失败的网站及最近错误；多机批次中停止续约的网站重新分发。
    Show a batch's queued/running/stalled/done/failed sites; a distributed batch's stalled sites are handed out again."""
    import time

    from zwgk import batch as batches

    conn = _usage(_connect, db)
    try:
        batch_id = batch_id or batches.latest_batch(conn)
        if batch_id is None:
            raise click.UsageError(f"数据库中没有批次 no batches in {db}")
        rows = [dict(r) for r in batches.site_rows(conn, batch_id)]
        stored = conn.execute('select "broker" from "batches" where "id" = ?', (batch_id,)).fetchone()
    finally:
        conn.close()
    if not rows:
        raise click.UsageError(f"没有批次 no batch {batch_id} in {db}")
    stale = time.time() - batches.STALLED_AFTER
    for r in rows:
        r["stalled"] = r["status"] == "running" and (r["heartbeat"] or 0) < stale
    distributed = bool(broker or (stored and stored[0]))
    broker = broker or (stored[0] if stored and stored[0] and ":***@" not in stored[0] else None)
    handed: list[str] = []
    if broker and any(r["stalled"] for r in rows):
        try:
            handed = batches.heal(broker, db, batch_id)
        except Exception as exc:  # noqa: BLE001 — a broker away, a user who may only read: the status still shows
            _error_line(f"未能重新分发停止续约的网站 could not hand the stalled sites out again: {batches.one_line(exc)}")
    for r in rows:
        r["handed_out_again"] = r["site_key"] in handed
    if as_json:
        click.echo(json.dumps({"batch": batch_id, "sites": rows}, ensure_ascii=False, indent=1))
        return
    counts: dict[str, int] = {}
    for r in rows:
        shown = "stalled" if r["stalled"] else r["status"]
        counts[shown] = counts.get(shown, 0) + 1
    click.echo(f"批次 batch {batch_id}: {_counts_text(counts)}")
    for r in ([] if quiet else rows):
        if r["status"] != "audited":
            detail = f"  {_words(r['error'], {})}" if r["error"] and not r["stalled"] else ""
            who = f"  [{r['worker']}]" if r["status"] == "running" and r["worker"] else ""
            if r["stalled"]:
                ago = int(time.time() - (r["heartbeat"] or 0))
                detail = f"  {ago} 秒未续约 no heartbeat for {ago} s" + (
                    "，已重新分发 handed out again" if r["handed_out_again"] else
                    "" if broker or not distributed else "（加 --broker 可重新分发 add --broker to hand it out again）")
            click.echo(f"  {'stalled' if r['stalled'] else r['status']:12} {r['name']} ({r['site_key']}){who}{detail}")


@main.command(context_settings=CONTEXT)
@click.argument("sites", nargs=-1, metavar="SITES.yaml|SITES.csv|URL …")
@click.option("--db", default="zwgk.db", show_default=True,
              help="扫描数据库：SQLite 文件或 postgresql://用户@主机/库（访问记录写入 visits 表）/ scan database: an SQLite file "
                   "or postgresql://user@host/db (the visits go to its visits table)")
@click.option("--per-day", type=click.IntRange(1, 86400), default=24, show_default=True,
              help="每个网站每天访问次数（检查指标要求至少 20 次）/ visits a day to each site (the 指标 asks for at least 20)")
@click.option("--interval", type=FiniteFloatRange(0.01, 7 * 86400), metavar="SECONDS",
              help="两次访问的间隔（秒），代替 --per-day / seconds between two visits of a site, instead of --per-day")
@click.option("--limit", type=FiniteFloatRange(0.1, 600), default=15.0, show_default=True,
              help="首页须在多少秒内打开（检查指标为 15 秒）/ seconds the home page has to open in (15 in the 指标)")
@click.option("--count", type=click.IntRange(1), help="每个网站访问这么多次后停止 / stop after this many visits of each site")
@click.option("--duration", type=FiniteFloatRange(0.01, 366 * 86400), metavar="SECONDS",
              help="运行这么多秒后停止（默认一直运行，Ctrl-C 停止）/ stop after this many seconds (default: until Ctrl-C)")
@click.option("--once", is_flag=True, help="只访问一轮后退出（供 systemd 定时器使用）/ one round of visits, then exit (for a systemd timer)")
@click.option("--broker", metavar="redis://HOST/0",
              help="多台机器：运行 celery beat，把访问任务交给各机器的 `zwgk worker` / many machines: run celery beat, "
                   "handing the visits to the `zwgk worker`s")
@click.option("--beat-schedule", type=click.Path(dir_okay=False), default=os.path.join("~", ".cache", "zwgk", "monitor-beat"),
              show_default=True, help="（--broker）celery beat 记录上次发送时间的文件 / (with --broker) celery beat's state file")
@click.option("--allow-host", multiple=True, type=HostPort(), help="首页重定向到的其他主机（地址策略放行）/ another host the home page redirects to")
@click.option("--allow-private", is_flag=True, help="允许访问内网、回环等内部地址 / allow internal addresses")
@click.option("--dns-server", type=NameResolution("IP[:PORT]", "parse_server"), help="域名解析使用该 DNS 服务器 / resolve names with this server")
@click.option("--resolve", multiple=True, type=NameResolution("HOST:PORT:ADDRESS", "parse_resolve"), help="指定域名解析结果（同 curl）/ pin a name to an address, like curl")
@click.option("--contact", metavar="EMAIL", callback=lambda ctx, param, value: _ascii_contact(value), help="写入 User-Agent 的联系方式 / contact put in the User-Agent")
@click.option("--quiet", is_flag=True, help="不输出每次访问，只输出结果 / print only the result, not each visit")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def monitor(sites, db, per_day, interval, limit, count, duration, once, broker, beat_schedule, allow_host, allow_private,
            dns_server, resolve, contact, quiet, as_json):
    """按计划访问网站首页，记录每次访问，用于一周“站点无法访问”判定。Visit home pages on a schedule.

    \b
    每个网站每天默认访问 24 次（各网站时刻错开），首页 15 秒内打开（2xx 且有内容，跟随重定向）为成功，
    有 AAAA 记录时 IPv4 与 IPv6 各访问一次；检查时 availability.unreachable 按检查日期前 7 天的访问判定（失败 ≥5% 否决）。
    Each site 24 times a day by default (sites at staggered moments); a visit succeeds when the page opens within
    15 s (2xx with a body, redirects followed), over IPv4 and also IPv6 when the host has AAAA.
    \b
    示例 Example:
      zwgk monitor sites.yaml --db zwgk.db                         # 前台运行 foreground, Ctrl-C 停止
      zwgk monitor sites.yaml --db zwgk.db --once                  # 一轮（systemd 定时器）one round (timer)
      zwgk monitor sites.yaml --db postgresql://zwgk@db/zwgk --broker redis://mq/0   # celery beat
    详见 See docs/monitor.md
    """
    import time

    from zwgk import monitor as mon

    targets = _usage(mon.targets_from, list(sites))
    options = mon.Options(interval=interval or 86400 / per_day, limit=limit, dns_server=dns_server, resolve=list(resolve),
                          allow_private=allow_private, contact=contact)
    for target in targets:
        target.allow_hosts += list(allow_host)
    if 86400 / options.interval < 20:
        click.echo(f"注意：每天 {86400 / options.interval:g} 次访问，少于检查指标要求的 20 次，一周的判定将为“监测不完整” "
                   f"note: {86400 / options.interval:g} visits a day, fewer than the 20 the 指标 asks for", err=True)
    _usage(mon.prepare, db)
    if broker:
        from zwgk.batch import check_broker

        _usage(check_broker, broker)
        path = os.path.expanduser(beat_schedule)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        from zwgk.monitor_beat import run_beat

        run_beat(broker, db, targets, options, path)
        return
    def result(written: int) -> None:
        click.echo(json.dumps({"visits": written, "sites": len(targets), "db": db}, ensure_ascii=False) if as_json
                   else f"已记录 {written} 次访问 recorded {written} visits")

    if once:
        result(mon.once(db, targets, options))
        return

    def said(target, rows):
        for r in [] if quiet else rows:
            what = "打开 opened" if r["ok"] else (r["error"] or "") if r["ok"] is None else f"失败 failed: {r['error']}"
            click.echo(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {target.site} IPv{r['family']} {what}"
                       + (f" {r['total_ms']} ms" if r["ok"] else ""), err=True)

    try:
        written = mon.run(db, targets, options, count=count, duration=duration, on_visit=said)
    except KeyboardInterrupt:
        click.echo("已停止，此前的访问均已记录 stopped; every visit made is stored", err=True)
        raise
    result(written)


@main.command(context_settings=CONTEXT)
@click.option("--broker", required=True, metavar="redis://HOST/0", help="Celery 的 Redis 地址 / the Redis broker")
@click.option("--concurrency", type=click.IntRange(1, 1000), default=SITES_AT_ONCE, show_default=True,
              help="最多同时检查的网站数；实际数目按 CPU 与内存余量随时决定 / at most this many sites at once; how many run "
                   "is decided by the CPU and memory left")
@click.option("--work-dir", type=click.Path(file_okay=False), help="本机抓取工作目录（默认 ~/.cache/zwgk）/ local work directory")
@click.option("--visibility-timeout", type=click.IntRange(10, 30 * 86400), default=12 * 3600, show_default=True,
              help="任务未确认多少秒后由 Redis 交给其他机器（须长于最长一次检查；提交批次的命令和 batch status 约一分钟即重新分发"
                   "停止续约的网站）/ seconds before Redis gives a dead machine's task to another worker (must exceed the "
                   "longest audit; the batch's submitter and `batch status` hand out a stalled site after about a minute)")
@click.option("--loglevel", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO", show_default=True)
def worker(broker, concurrency, work_dir, visibility_timeout, loglevel):
    """在本机运行检查任务（Celery worker），可在多台机器上各启动一个。Run a worker on this machine.

    抓取选项（--per-host、--delay 等）由提交批次的 `zwgk batch` 决定，默认同样是礼貌的（每主机 2 个并发、间隔 0.5 秒）。
    The crawl options (--per-host, --delay …) are the ones `zwgk batch` was given; their defaults are polite here too.
    """
    from zwgk.batch import check_broker
    from zwgk.tasks import run_worker

    _usage(check_broker, broker)
    run_worker(broker, concurrency, visibility_timeout, work_dir, loglevel)


@main.command(context_settings=CONTEXT)
@click.option("--db", default="zwgk-demo.db", show_default=True, type=click.Path(dir_okay=False), help="扫描数据库 / scan database")
@click.option("--out", default="zwgk-out", show_default=True, type=click.Path(file_okay=False), help="报告目录 / report directory")
@click.option("--quiet", is_flag=True, help="不显示进度和“已写入”行 / no progress display, no 'wrote' lines")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="报告语言 / report language")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def demo(db, out, quiet, lang, as_json):
    """启动内置示范网站、完成一次自查并输出报告，然后退出。Serve the bundled demo portal on
    loopback, audit it as of the portal's own date, write the report, stop the portal and exit."""
    from zwgk.demo.portal import BASE_DATE
    from zwgk.demo.server import serve_portal

    from zwgk import pipeline

    job = pipeline.AuditJob(urls=[], db=db, as_of=BASE_DATE.isoformat(), out_dir=out, formats=pipeline.FORMATS_ALL,
                            fail_on="never", lang=lang, quiet=quiet)
    rules = _usage(pipeline.load_rules, job)
    _usage(pipeline.check_inputs, job)
    with serve_portal() as served:
        # the demo portal is on loopback, not a real site: crawled at full speed
        site = pipeline.AuditJob(urls=[served["v4"] + "/"], db=db,
                                 crawl={"progress": not quiet, "concurrency": 16, "per_host": 8, "delay": 0.0})
        scan_id = _usage(pipeline.crawl_site, site, db, rules)
    findings = _usage(pipeline.check_scan, db, scan_id, rules, job)
    outputs = _usage(pipeline.write_outputs, db, scan_id, rules, job)
    if not quiet:
        for path in outputs:
            click.echo(f"已写入 wrote {path}", err=True)
    result = pipeline.AuditResult("audited", 0, db, scan_id, None, None,
                                  pipeline.summarize(db, scan_id, rules, findings, outputs), outputs)
    if as_json:
        click.echo(json.dumps(result.summary, ensure_ascii=False))
    else:
        click.echo("\n".join(pipeline.summary_lines(result, rules, lang)))


if __name__ == "__main__":
    main(prog_name="zwgk")
