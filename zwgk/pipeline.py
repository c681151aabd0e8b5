"""The audit of one site — crawl → IPv6 → checks → report → verdict — in one function.

`zwgk audit`, `zwgk batch` and the Celery worker (many sites per process: zwgk.site_host) all call
:func:`audit_site` with an :class:`AuditJob`; `zwgk/cli.py` only turns options into a job and
the result into words. Everything the audit reads after the crawl (rules, calendars, baseline,
output directory) is checked before the crawl starts (:func:`check_inputs`).

With a PostgreSQL scan database the crawl writes a local SQLite work file (crash-safe and
resumable like any crawl, and the place the next scan of the site finds its conditional-request
cache); the checked scan is then published to the server in one transaction and the reports are
written from the server, where the site's earlier scans are.
"""

from __future__ import annotations

import ipaddress
import json
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

PSEUDO_FILESYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))
MAX_PORT = 65535
# `--format all` and the demo: every format that needs nothing but Python; pdf (Chromium) only when named
FORMATS_ALL = "html,json,csv,xlsx,sarif,junit,docx"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a start URL (scheme http/https, a valid host and port), or None."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "scheme must be http or https"
    host = parts.hostname or ""
    if not host:
        return "no host"
    if port is not None and not 1 <= port <= MAX_PORT:
        return f"port must be 1-{MAX_PORT}"
    return _host_problem(host)


def _host_problem(host: str) -> str | None:
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return f"not an IPv6 address: {host}"
        return None
    labels = host.rstrip(".").split(".")
    if not all(labels) or any(not all(c.isalnum() or c in "-_" for c in label) or label[0] == "-" for label in labels):
        return f"not a host name: {host}"
    return None


WRITE_FAILED = 4  # exit code: a write failed (disk full, I/O error); the scan is interrupted and resumable


class AuditInputError(Exception):
    """An option, file or database the audit cannot use: one line, exit code 2."""


@dataclass
class AuditJob:
    urls: list[str]
    db: str = "zwgk.db"
    crawl: dict = field(default_factory=dict)  # crawler.run.CrawlOptions fields besides start_urls and db
    rules_file: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    as_of: str | None = None  # ISO date; default today in Beijing
    calendar_dirs: tuple[str, ...] = ()
    out_dir: str | None = None
    formats: str = "html,json"
    lang: str = "zh"
    baseline: str | None = None
    fail_on: str = "error"
    ipv6: bool = True
    ipv6_max_links: int = 300
    cloak: bool = True  # the second look for cloaked hijacks (crawler.cloak) after the crawl
    report_partial: bool = False
    work_dir: str | None = None  # local SQLite work files when db is a server (default ~/.cache/zwgk)
    quiet: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> "AuditJob":
        data = dict(data)
        for key in ("select", "ignore", "calendar_dirs"):
            data[key] = tuple(data.get(key) or ())
        return cls(**data)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AuditResult:
    status: str  # audited | unreachable | interrupted
    exit_code: int
    db: str
    scan_id: int | None = None
    error: str | None = None
    signal: int | None = None
    summary: dict = field(default_factory=dict)  # verdict, score, vetoes, rules with most findings, report paths
    outputs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def audit_site(job: AuditJob, publish_hook=None, run_crawl=None) -> AuditResult:
    """Audit one site. ``publish_hook(conn, scan_id, result)`` runs inside the transaction that
    publishes a scan to a PostgreSQL database (with the server's scan id and the audit's result) and
    may return False to drop the copy (a batch site another worker already finished). ``run_crawl``
    runs the crawl (crawler.run.run_crawl: a reactor of its own; zwgk.site_host: a shared one).
    Raises AuditInputError for unusable input (before any request is sent)."""
    from crawler.run import interrupted_by, write_failure
    from storage.postgres import is_postgres

    rules = load_rules(job)
    check_inputs(job)
    server = is_postgres(job.db)
    if server:
        connect_db(job.db, create=True).close()  # a server that cannot be used is refused before the crawl
    local_db = work_db(job) if server else job.db
    # continuing (--resume, a batch's next attempt): a scan whose crawl completed but whose checks never
    # ran (the audit was killed in between) is checked, not crawled again
    scan_id = crawled_unchecked(local_db, job.urls) if job.crawl.get("resume") else None
    if scan_id is None:
        scan_id = crawl_site(job, local_db, rules, run_crawl)
    if write_failure():  # disk full …: nothing can be checked or written honestly until the cause is gone
        return AuditResult("interrupted", WRITE_FAILED, job.db, scan_id, write_failure())
    signum = interrupted_by()
    if signum and not job.report_partial:
        return AuditResult("interrupted", 128 + signum, job.db, scan_id, "interrupted", signum)
    unreachable = None if signum else site_unreachable(local_db, scan_id)
    if not signum and not unreachable and job.ipv6:
        measure_ipv6(job, local_db, scan_id)
    if not signum and not unreachable and job.cloak:
        measure_cloak(job, local_db, scan_id, rules)
    if server:  # the monitor's visits are on the server; the checks read the local work file
        copy_visits(job, local_db, scan_id, rules)
    findings = check_scan(local_db, scan_id, rules, job)
    if signum:
        result = AuditResult("interrupted", 128 + signum, job.db, scan_id, "interrupted", signum)
    elif unreachable:
        result = AuditResult("unreachable", 3, job.db, scan_id, unreachable)
    else:
        result = AuditResult("audited", exit_code(findings, job.fail_on), job.db, scan_id)
    result.summary = summarize(local_db, scan_id, rules, findings, [])
    if server:
        hook = (lambda conn, new_id: publish_hook(conn, new_id, result)) if publish_hook else None
        result.scan_id = publish(local_db, scan_id, job.db, hook)
        if result.scan_id is None:  # published by another worker first: theirs is the result
            return AuditResult("duplicate", 0, job.db, None, "already published by another worker", summary=result.summary)
        result.summary["scan"] = result.scan_id
    if job.out_dir:
        result.outputs = write_outputs(job.db, result.scan_id, rules, job)
        html = [p for p in result.outputs if p.endswith(".html")]
        result.summary["report"] = html[0] if html else None
    return result


def load_rules(job: AuditJob) -> dict:
    from checks.config import RulesError
    from checks.engine import rules_for_run, unknown_patterns

    try:
        rules = rules_for_run(job.rules_file)
    except RulesError as exc:
        raise AuditInputError(str(exc)) from None
    unknown = unknown_patterns(rules, tuple(job.select) + tuple(job.ignore))
    if unknown:
        raise AuditInputError(f"未知的规则 unknown rule id or family: {', '.join(unknown)}{suggest_rules(rules, unknown[0])}"
                              " (see `zwgk rules`)")
    return rules


def suggest_rules(rules: dict, wrong: str) -> str:
    """'，是否想输入 did you mean: …' with the rule ids and families closest to ``wrong``, or ''."""
    import difflib

    names = sorted({*rules, *(rule_id.split(".", 1)[0] for rule_id in rules)})
    close = difflib.get_close_matches(wrong, names, n=4, cutoff=0.6)
    return f"，是否想输入 did you mean: {', '.join(close)}" if close else ""


def check_formats(formats: str) -> list[str]:
    from reports.writers import WRITERS

    from reports.writers import unavailable

    named = [f.strip() for f in formats.split(",") if f.strip()]
    wanted = list(dict.fromkeys(w for f in named for w in (FORMATS_ALL.split(",") if f == "all" else [f])))
    unknown = [f for f in wanted if f not in WRITERS]
    if unknown or not wanted:
        raise AuditInputError(f"未知的输出格式 unknown format: {', '.join(unknown) or repr(formats)} (known: all, {', '.join(WRITERS)})")
    for name in wanted:  # before a crawl, not after it
        problem = unavailable(name)
        if problem:
            raise AuditInputError(problem)
    return wanted


def check_out_dir(out_dir) -> None:
    """The report directory can be created and written (no file in the way, not read-only, not
    /proc). Leaves nothing behind."""
    where = f"--out {out_dir}"
    try:
        path = Path(out_dir).expanduser().resolve()
        if any(path == fs or fs in path.parents for fs in PSEUDO_FILESYSTEMS):
            raise AuditInputError(f"{where}: 不能写入系统伪文件系统 is on a kernel pseudo file system")
        existing = path
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            raise AuditInputError(f"{where}: {existing} 是文件而不是目录 is a file, not a directory")
        if existing == path:
            with tempfile.TemporaryFile(dir=path):
                pass
        else:
            Path(tempfile.mkdtemp(dir=existing)).rmdir()
    except OSError as exc:
        raise AuditInputError(f"{where}: 无法写入 cannot write there ({exc.strerror or exc})") from exc


def check_inputs(job: AuditJob) -> None:
    """Everything the audit reads or writes after the crawl, checked before it starts."""
    from checks.workdays import CalendarError, WorkCalendar
    from reports import baseline

    check_formats(job.formats)
    if job.out_dir:
        check_out_dir(job.out_dir)
    try:
        WorkCalendar(tuple(job.calendar_dirs))
        if job.baseline:
            baseline.load(job.baseline)
    except (CalendarError, baseline.BaselineError) as exc:
        raise AuditInputError(str(exc)) from exc


def connect_db(db: str, create: bool = False):
    from storage.schema import UnusableDatabase
    from storage.connect import connect

    try:
        return connect(db, create=create)
    except UnusableDatabase as exc:
        raise AuditInputError(str(exc)) from exc


def verify_before_writing(db: str) -> None:
    """A local scan database is checked for damage (SQLite quick_check) before findings are written
    into it; AuditInputError (one line, exit 2) when it is damaged."""
    from storage.integrity import verify_scan_db
    from storage.postgres import is_postgres
    from storage.schema import UnusableDatabase

    if not is_postgres(db):
        try:
            verify_scan_db(db)
        except UnusableDatabase as exc:
            raise AuditInputError(str(exc)) from exc


def work_db(job: AuditJob) -> str:
    """The local SQLite file a crawl for a server database writes: one per site, kept between scans
    (it holds the site's conditional-request cache); published scans are removed from it."""
    base = Path(job.work_dir or Path.home() / ".cache" / "zwgk")
    base.mkdir(parents=True, exist_ok=True)
    parts = urlsplit(job.urls[0])
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{parts.hostname}_{parts.port or parts.scheme}")
    return str(base / f"{name}.db")


def crawl_site(job: AuditJob, db: str, rules: dict | None = None, run_crawl=None) -> int:
    """Crawl the site into ``db``; the content rules of ``rules`` (default: the job's) mark the
    documents they will read (crawler.text_marks)."""
    from checks.prefilters import mark_specs
    from crawler.dns import ResolveOverrideError
    from crawler.run import CrawlError, CrawlOptions, run_crawl as own_reactor
    from storage.schema import UnusableDatabase

    marks = mark_specs(rules if rules is not None else load_rules(job), tuple(job.select), tuple(job.ignore))
    opts = CrawlOptions(start_urls=list(job.urls), db=db, text_marks=marks, **job.crawl)
    try:
        return (run_crawl or own_reactor)(opts)
    except (CrawlError, ResolveOverrideError, UnusableDatabase) as exc:
        raise AuditInputError(str(exc)) from exc


def crawled_unchecked(db: str, urls) -> int | None:
    """The newest scan of these start URLs when its crawl completed (finished or partial) and no check
    of it was stored; None otherwise (nothing to continue, or a crawl to resume)."""
    from checks.engine import audit_checked

    if not Path(db).is_file():
        return None
    conn = connect_db(db)
    try:
        row = conn.execute("select id, status from scans where start_urls = ? order by id desc limit 1",
                           (json.dumps(list(urls)),)).fetchone()
        if row is None or row[1] not in ("finished", "partial"):
            return None
        return None if audit_checked(conn, row[0]) else row[0]
    finally:
        conn.close()


def site_unreachable(db: str, scan_id: int) -> str | None:
    """A message when none of the start pages could be fetched (exit code 3)."""
    from reports.data import home_unreachable

    conn = connect_db(db)
    try:
        return home_unreachable(conn, scan_id)
    finally:
        conn.close()


def measure_ipv6(job: AuditJob, db: str, scan_id: int) -> dict:
    from crawler.ipv6 import measure
    from crawler.run import CrawlOptions, site_cache_for, user_agent

    c = job.crawl
    polite = CrawlOptions(start_urls=[], db=db)  # the crawl's own defaults where the job sets none
    # the crawl's copies (and validators) of the pages it kept: the probes ask "has it changed?"
    site_cache = site_cache_for(CrawlOptions(start_urls=list(job.urls), db=db, cache_dir=c.get("cache_dir")))
    return measure(db, scan_id, c.get("dns_server"), c.get("resolve") or [], tuple(c.get("allow_hosts") or ()),
                   timeout=min(c.get("timeout", 30.0), 15), max_links=job.ipv6_max_links, user_agent=user_agent(c.get("contact")),
                   allow_private=c.get("allow_private", False), per_host=c.get("per_host", polite.per_host),
                   delay=c.get("delay", polite.delay), site_cache=site_cache if Path(site_cache).exists() else None)


def measure_cloak(job: AuditJob, db: str, scan_id: int, rules: dict) -> dict | None:
    """The second look for cloaked hijacks, when content.cloaked_hijack is among the rules checked:
    the sampled pages as the search engines' crawlers and their visitors see them (None: not run)."""
    from checks.content import spam_marks
    from checks.engine import selected
    from crawler.cloak import measure
    from crawler.run import CrawlOptions, user_agent

    rule = next((r for r in selected(rules, tuple(job.select), tuple(job.ignore)) if r.id == "content.cloaked_hijack"), None)
    if rule is None:
        return None
    c = job.crawl
    polite = CrawlOptions(start_urls=[], db=db)  # the crawl's own defaults where the job sets none
    return measure(db, scan_id, pages=rule.params["pages"], render_pages=rule.params["render_pages"], render=c.get("render", True),
                   terms=spam_marks(rule.params).literals, dns_server=c.get("dns_server"), resolve=c.get("resolve") or [],
                   allow_hosts=tuple(c.get("allow_hosts") or ()), allow_private=c.get("allow_private", False),
                   timeout=min(c.get("timeout", 30.0), 15), per_host=c.get("per_host", polite.per_host),
                   delay=c.get("delay", polite.delay), user_agent=user_agent(c.get("contact")))


def copy_visits(job: AuditJob, local_db: str, scan_id: int, rules: dict) -> None:
    """The site's monitored home-page visits of the check's window, copied from the server database
    into the local work file the checks read (availability.*)."""
    import json

    from checks.availability import sites_of
    from checks.engine import today_in_china
    from storage.visits import copy_week

    rule = rules.get("availability.unreachable")
    if rule is None:
        return
    as_of = date.fromisoformat(job.as_of) if job.as_of else today_in_china()
    src, dst = connect_db(job.db), connect_db(local_db, create=True)
    try:
        scan = dst.execute("select site, start_urls from scans where id = ?", (scan_id,)).fetchone()
        copy_week(src, dst, sites_of(json.loads(scan["start_urls"]), scan["site"]), as_of, int(rule.params.get("window_days", 7)))
    finally:
        src.close()
        dst.close()


def check_scan(db: str, scan_id: int, rules: dict, job: AuditJob) -> list[dict]:
    """Run the rules on a stored scan (findings stored), apply the baseline; the open findings."""
    from checks.engine import run_checks, today_in_china
    from checks.workdays import CalendarError
    from reports import baseline

    as_of = date.fromisoformat(job.as_of) if job.as_of else None
    try:
        # the checks use as many processes as the crawl (a batch of many sites: one each)
        findings = run_checks(db, scan_id, rules, as_of, tuple(job.select), tuple(job.ignore), tuple(job.calendar_dirs),
                              workers=job.crawl.get("workers"))
    except CalendarError as exc:
        raise AuditInputError(str(exc)) from None
    if job.baseline:
        entries = baseline.load(job.baseline)
        conn = connect_db(db)
        try:
            check_no = last_check(conn, scan_id)
            expired = baseline.apply(conn, scan_id, entries, today_in_china(), check_no)
            accepted = {r[0] for r in conn.execute(
                "select fingerprint from findings where scan_id = ? and coalesce(check_no, 0) = ? and suppressed is not null",
                (scan_id, check_no))}
        finally:
            conn.close()
        for entry in expired:
            _warn(f"基线条目已过期，不再屏蔽 baseline entry expired {entry.expires}: {job.baseline}:{entry.line} ({entry.reason})")
        findings = [f for f in findings if f["fingerprint"] not in accepted]
    return findings


def last_check(conn, scan_id: int) -> int:
    """The number of the scan's latest check (0: the audit's own)."""
    from checks.engine import checks_of

    checks = checks_of(conn, scan_id)
    return checks[-1]["check_no"] if checks else 0


def _warn(message: str) -> None:
    import sys

    print(message, file=sys.stderr)


def publish(local_db: str, scan_id: int, target: str, hook=None) -> int | None:
    """Copy a checked scan from the local work file to the server; the server's scan id (None when
    the hook dropped it). The work file keeps only what the next scan of the site needs."""
    from storage.postgres import publish_scan
    from storage.sqlite import scan_tables

    conn = connect_db(target, create=True)
    try:
        new_id = publish_scan(local_db, scan_id, conn, hook)
    finally:
        conn.close()
    local = connect_db(local_db)
    try:
        with local:  # earlier scans in the work file: published long ago
            tables = scan_tables(local)
            for (old,) in local.execute("select id from scans where id < ?", (scan_id,)).fetchall():
                for table in tables:
                    local.execute(f'delete from "{table}" where scan_id = ?', (old,))
                local.execute("delete from scans where id = ?", (old,))
    finally:
        local.close()
    return new_id


def write_outputs(db: str, scan_id: int, rules: dict, job: AuditJob, check_no: int = 0) -> list[str]:
    from reports.writers import WRITERS, FormatUnavailable

    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    conn = connect_db(db)
    try:
        return [str(WRITERS[name](conn, scan_id, out, rules, job.lang, check_no)) for name in check_formats(job.formats)]
    except FormatUnavailable as exc:  # Chromium found but it could not print
        raise AuditInputError(str(exc)) from exc
    finally:
        conn.close()


def exit_code(findings: list[dict], fail_on: str) -> int:
    from checks.engine import SEVERITY_ORDER

    if fail_on != "never" and any(SEVERITY_ORDER[f["severity"]] >= SEVERITY_ORDER[fail_on] for f in findings):
        return 1
    return 0


def summarize(db: str, scan_id: int, rules: dict, findings: list[dict], outputs: list[str]) -> dict:
    """What a person reads at the end of an audit: verdict, score, single-veto items, the rules with
    most findings, the report's path (and the counts a script wants)."""
    from reports.data import site_identity, verdict_of, veto_findings
    from reports.findings_json import scan_summary
    from reports.scorecard import explain

    evidence = [{**f, "evidence": f["evidence"] if isinstance(f["evidence"], dict) else json.loads(f["evidence"] or "{}")}
                for f in findings]
    by_rule: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for f in findings:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
        by_severity[f["severity"]] = by_severity.get(f["severity"], 0) + 1
    conn = connect_db(db)
    try:
        site, status, limited_by = conn.execute("select site, status, limited_by from scans where id = ?", (scan_id,)).fetchone()
        check_no = last_check(conn, scan_id)
        identity = site_identity(conn, scan_id, scan_summary(conn, scan_id))
        pages = conn.execute("select count(*) from pages where scan_id = ?", (scan_id,)).fetchone()[0]
        documents = conn.execute("select count(*) from documents where scan_id = ?", (scan_id,)).fetchone()[0]
        unread = conn.execute("select count(*) from columns where scan_id = ? and kind = 'script_only'", (scan_id,)).fetchone()[0]
        card = verdict_of(conn, scan_id, rules, evidence, check_no)
    finally:
        conn.close()
    html = [p for p in outputs if p.endswith(".html")]
    return {
        "scan": scan_id, "site": site, "site_name": identity["name"], "site_code": identity["code"], "scan_status": status, "limited_by": limited_by, "check": check_no, "pages": pages, "documents": documents, "unread_columns": unread,
        "passed": card["passed"], "score": card["score"],
        "vetoes": [{"rule": f["rule"], "url": f["url"], "message_zh": f["message_zh"], "message_en": f["message_en"]}
                   for f in veto_findings(evidence, card)],
        "verdict_lines": dict(zip(("zh", "en"), explain(card, rules, only_losses=True))),
        "scorecard": card,
        "findings": len(findings), "by_severity": by_severity,
        "by_rule": dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
        "report": html[0] if html else None,
    }


def interruption_line(scan_id: int | None, failure: str) -> str:
    """The first line after a failed write: what failed, that nothing fetched is lost, how to go on."""
    return (f"扫描 {scan_id} 因写入失败而中断，未检查：{failure}；已抓取的内容已保存，排除原因（如清理磁盘空间）后用 --resume 继续 "
            f"scan {scan_id} interrupted, not checked: a write failed; what was fetched is saved, continue with --resume "
            "once the cause is gone")


def summary_lines(result: AuditResult, rules: dict | None = None, lang: str = "zh") -> list[str]:
    """The readable end of `zwgk audit`/`check`: verdict first."""
    from reports.failures import readable_error

    s = result.summary
    if result.exit_code == WRITE_FAILED:
        return [interruption_line(result.scan_id, result.error)]
    if not s:
        return [f"扫描 scan {result.scan_id}: {result.status} {readable_error(result.error, lang)}".strip()]
    card = s.get("scorecard") or {}
    verdict = f"{card.get('verdict_zh', '合格' if s['passed'] else '不合格')} {card.get('verdict_en', 'pass' if s['passed'] else 'fail').lower()}"
    if s.get("scan_status") in ("partial", "interrupted"):
        verdict += "（扫描不完整 partial scan）"
    # with a veto item, or an incomplete check, the score decides nothing
    reference = "（仅供参考 for reference only）" if (s["vetoes"] or not card.get("complete", True)) else ""
    name = s.get("site_name") or s["site"]
    code = f"（{s['site_code']}）" if s.get("site_code") else ""
    lines = [f"{name}{code}  扫描 scan {s['scan']}  结论 verdict: {verdict}  得分 score: {s['score']:g}{reference}",
             f"页面 pages {s['pages']}  公开文件 documents {s['documents']}  问题 findings {s['findings']} "
             f"(错误 error {s['by_severity'].get('error', 0)}, 警告 warning {s['by_severity'].get('warning', 0)}, "
             f"提示 info {s['by_severity'].get('info', 0)})"]
    if s.get("unread_columns"):
        lines.insert(0, f"{s['unread_columns']} 个栏目只由脚本加载列表，未能读取（未渲染或没有可用的 Chromium），其文件未检查 "
                        f"{s['unread_columns']} columns list only by script and could not be read (no rendering or no working "
                        "Chromium): their documents were not checked")
    if s.get("check"):
        lines.insert(0, f"这是对扫描 {s['scan']} 的第 {s['check']} 次重新检查，扫描时检查的结果保留不变（报告默认出具检查 0） "
                        f"re-check {s['check']} of scan {s['scan']}; the audit's own findings are kept (check 0)")
    if s.get("scan_status") == "partial":
        why = "达到抓取页数上限 page limit" if s.get("limited_by") == "max_pages" else "达到链接层级上限 depth limit"
        lines.insert(0, f"扫描不完整（{why}）：只检查了已抓取的部分，依赖全站的检查未进行 partial scan: only the part crawled "
                        "was checked; checks needing the whole site were not run")
    if s.get("scan_status") == "interrupted" and result.status != "interrupted":  # e.g. `zwgk check` of such a scan
        lines.insert(0, "扫描未完成（抓取被中断）：只检查了已抓取的部分，依赖全站的检查未进行；用 --resume 续抓后再检查 interrupted "
                        "scan: only the part crawled was checked; checks needing the whole site were not run (continue it "
                        "with --resume, then check)")
    if result.status == "unreachable":
        # one request of this audit: a sample; the 指标's week of visits is zwgk monitor's (availability.unreachable)
        lines.insert(0, f"网站无法访问（单次抽样）site unreachable (single sample): {readable_error(result.error, lang)}")
    if result.status == "interrupted":
        lines.insert(0, "抓取被中断，报告不完整 the crawl was interrupted: the report is partial")
    explained = s.get("verdict_lines", {}).get(lang) or []
    lines += [f"  {line}" for line in explained[1:]]  # which veto item, which indicator lost how much
    top = list(s["by_rule"].items())[:5]
    if top:
        lines.append("问题最多的规则 rules with most findings:")
        for rule, n in top:
            title = ""
            if rules and rule in rules:
                title = rules[rule].title_zh if lang == "zh" else rules[rule].title_en
            lines.append(f"  {n:>6}  {rule}  {title}")
    if s.get("report"):
        lines.append(f"自查报告 report: {Path(s['report']).resolve()}")
    return lines
