"""Run the enabled rules over a stored scan and store their findings."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from fnmatch import fnmatch
from zoneinfo import ZoneInfo

from checks import CHECKS
from checks.config import Rule, load_rules
from checks.context import ScanContext
from checks.registry import JUDGE_IF, WHOLE_SITE, Finding
from checks.workdays import WorkCalendar
from storage.sqlite import home_unreachable

CHINA = ZoneInfo("Asia/Shanghai")
SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
EVIDENCE_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(…, ensure_ascii=False) without a new encoder each time
FINDINGS_COLUMNS = {
    "scan_id": int, "rule": str, "severity": str, "url": str, "message_zh": str, "message_en": str,
    "evidence": str, "fingerprint": str, "column_url": str, "rank": int, "suppressed": str, "check_no": int,
}
# Every check of a scan is kept: the audit's own (check 0, whose as-of date is the scan's) and each
# later `zwgk check` of the stored scan (1, 2 …, described in table scan_checks). Nothing is replaced.
CHECKS_COLUMNS = {"scan_id": int, "check_no": int, "as_of": str, "selection": str, "skipped": str, "checked_at": str}


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def rules_for_run(rules_file=None) -> dict[str, Rule]:
    return load_rules(rules_file, known_ids=set(CHECKS))


def _matches(rule_id: str, patterns) -> bool:
    """A rule id named by an id, a family (links: links.*) or a pattern (links.b*)."""
    return any(rule_id == p or rule_id.startswith(p + ".") or fnmatch(rule_id, p) for p in patterns)


def selected(rules: dict[str, Rule], select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> list[Rule]:
    """Enabled rules, narrowed by --select and --ignore (ids, families or patterns: links, links.*)."""
    out = []
    for rule in rules.values():
        if select and not _matches(rule.id, select):
            continue
        if not select and not rule.enabled:
            continue
        if _matches(rule.id, ignore):
            continue
        out.append(rule)
    return out


def unknown_patterns(rules: dict[str, Rule], patterns: tuple[str, ...]) -> list[str]:
    return [p for p in patterns if not any(_matches(r, (p,)) for r in rules)]


def fingerprint(ctx: ScanContext, finding: Finding) -> str:
    # a URL inside the key (a broken or hidden link's target) is compared like the finding's URL
    extra = ctx.fingerprint_url(finding.key) if finding.key.startswith(("http://", "https://")) else finding.key
    key = f"{finding.rule}\x1f{ctx.fingerprint_url(finding.url)}\x1f{extra}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def ensure_findings_table(conn) -> None:
    from storage.schema import table_columns

    # no DDL when the tables are complete: a PostgreSQL user with row rights only can check
    have = set(table_columns(conn, "findings"))
    if not have:
        columns = ", ".join(f'"{name}" {"BIGINT" if t is int else "TEXT"}' for name, t in FINDINGS_COLUMNS.items())
        conn.execute(f"create table if not exists findings ({columns})")
        conn.execute("create index if not exists idx_findings_scan on findings (scan_id, rule)")
        have = set(FINDINGS_COLUMNS)
    for name, col_type in FINDINGS_COLUMNS.items():
        if name not in have:  # databases written by an older zwgk
            conn.execute(f'alter table findings add column "{name}" {"BIGINT" if col_type is int else "TEXT"}')
    if not table_columns(conn, "scan_checks"):
        columns = ", ".join(f'"{name}" {"BIGINT" if t is int else "TEXT"}' for name, t in CHECKS_COLUMNS.items())
        conn.execute(f"create table if not exists scan_checks ({columns})")


def checks_of(conn, scan_id: int) -> list[dict]:
    """The checks run on a scan, the audit's first (check_no 0); reads only."""
    from storage.schema import table_columns

    if not table_columns(conn, "scan_checks"):
        return []
    names = list(CHECKS_COLUMNS)
    return [dict(zip(names, row)) for row in conn.execute(
        f"select {', '.join(names)} from scan_checks where scan_id = ? order by check_no", (scan_id,))]


def audit_checked(conn, scan_id: int) -> bool:
    """Whether the scan has its audit's own check (check 0): a scan_checks row, or findings of it
    written by a zwgk from before checks were numbered."""
    from storage.schema import table_columns

    return bool(table_columns(conn, "findings") and (
        conn.execute("select 1 from findings where scan_id = ? and coalesce(check_no, 0) = 0 limit 1", (scan_id,)).fetchone()
        or (table_columns(conn, "scan_checks") and conn.execute(
            "select 1 from scan_checks where scan_id = ? and check_no = 0", (scan_id,)).fetchone())))


def check_covers(check: dict | None, rule_id: str) -> bool:
    """Whether a stored check (a scan_checks row) ran ``rule_id``: not narrowed away by its
    selection, not skipped. A check from before scan_checks ran every rule."""
    if not check:
        return True
    selection = json.loads(check["selection"]) if check.get("selection") else {}
    skipped = json.loads(check["skipped"]) if check.get("skipped") else []
    if rule_id in skipped or _matches(rule_id, selection.get("ignore") or ()):
        return False
    return not selection.get("select") or _matches(rule_id, selection["select"])


def next_check_no(conn, scan_id: int) -> int:
    """0 for a scan never checked (its audit's check); otherwise one more than the last check.
    A scan checked by an older zwgk (findings, no scan_checks row) counts as checked once."""
    row = conn.execute("select max(check_no) from scan_checks where scan_id = ?", (scan_id,)).fetchone()
    if row[0] is not None:
        return row[0] + 1
    return 1 if conn.execute("select 1 from findings where scan_id = ? limit 1", (scan_id,)).fetchone() else 0


def run_checks(db_path: str, scan_id: int, rules: dict[str, Rule], as_of: date | None = None,
               select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), calendar_dirs: tuple[str, ...] = (),
               workers: int | None = None) -> list[dict]:
    """Run the selected rules on one scan and store their findings as a new check of it (the audit's
    own findings, check 0, are never replaced); return them. Rules that need the whole site
    (registry.WHOLE_SITE) are skipped on a scan that did not crawl all of it (status not finished).

    The checks are independent readers of the scan: with ``workers`` > 1 (default: the machine's
    cores) they run in that many processes, each taking the next check when it is free, and
    their findings are taken in the checks' own order, so that the result is the same."""
    as_of = as_of or today_in_china()
    from storage.connect import connect

    run_rules = selected(rules, select, ignore)
    conn = connect(db_path)
    try:
        (status,) = conn.execute("select status from scans where id = ?", (scan_id,)).fetchone()
        whole = status == "finished" and home_unreachable(conn, scan_id) is None  # a site that answered at all
        unjudged = [r.id for r in run_rules if r.id in JUDGE_IF and not JUDGE_IF[r.id](conn, scan_id, as_of, r.params)]
    finally:
        conn.close()
    skipped = [r.id for r in run_rules if r.id in WHOLE_SITE and not whole or r.id in unjudged]
    run_rules = [r for r in run_rules if r.id not in skipped]
    wanted = {r.id for r in run_rules}
    checks = [fn.rule_id for fn in dict.fromkeys(CHECKS[rule.id] for rule in run_rules)]  # each check once, in order
    workers = min(len(checks), workers if workers is not None else (os.cpu_count() or 1))
    args = (db_path, scan_id, as_of, tuple(calendar_dirs), rules)
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_worker_start, initargs=args) as pool:
            results = [pool.submit(_run_check, rule_id) for rule_id in checks]
            found = [f for future in results for f in future.result()]
    else:
        _open_scan(*args)
        try:
            found = [f for rule_id in checks for f in _run_check(rule_id)]
        finally:
            _close_scan()
    conn = connect(db_path)
    try:
        ensure_findings_table(conn)
        check_no = next_check_no(conn, scan_id)
        findings: list[dict] = []
        seen: set[str] = set()
        for fp, finding in found:
            if finding.rule not in wanted:  # e.g. calendar.unknown_year from the delay check
                continue
            if fp in seen:
                continue
            seen.add(fp)
            findings.append({
                "scan_id": scan_id, "rule": finding.rule,
                "severity": finding.severity or rules[finding.rule].severity,
                "url": finding.url, "message_zh": finding.message_zh, "message_en": finding.message_en,
                "evidence": finding.evidence, "fingerprint": fp, "column_url": finding.column_url, "check_no": check_no,
            })
        findings.sort(key=lambda f: (-SEVERITY_ORDER[f["severity"]], f["rule"], f["url"], f["fingerprint"]))
        for rank, f in enumerate(findings):
            f["rank"] = rank
        with conn:
            conn.executemany(
                f"insert into findings ({', '.join(FINDINGS_COLUMNS)}) values ({', '.join('?' * len(FINDINGS_COLUMNS))})",
                ([EVIDENCE_JSON.encode(f[c]) if c == "evidence" else f.get(c) for c in FINDINGS_COLUMNS] for f in findings),
            )
            selection = json.dumps({"select": list(select), "ignore": list(ignore)}) if select or ignore else None
            conn.execute(f"insert into scan_checks ({', '.join(CHECKS_COLUMNS)}) values (?, ?, ?, ?, ?, ?)",
                         (scan_id, check_no, as_of.isoformat(), selection, json.dumps(skipped) if skipped else None,
                          datetime.now(CHINA).isoformat(timespec="seconds")))
            if check_no == 0:
                conn.execute("update scans set as_of = ? where id = ?", (as_of.isoformat(), scan_id))
        return findings
    finally:
        conn.close()


class _ThisScan(threading.local):
    """The scan this thread checks: its connection and context (shared data computed once). Per
    thread: a process auditing many sites (zwgk.site_host) checks several scans at once."""

    def __init__(self):
        self.scan: dict = {}


_THIS = _ThisScan()


def _open_scan(db_path: str, scan_id: int, as_of: date, calendar_dirs: tuple[str, ...], rules: dict[str, Rule]) -> None:
    from storage.connect import connect

    conn = connect(db_path)
    _THIS.scan.update(conn=conn, ctx=ScanContext(conn, scan_id, as_of, WorkCalendar(calendar_dirs), rules))


def _worker_start(*args) -> None:
    # Ctrl-C and a service stop reach the whole process group: the command decides, not a worker
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    try:
        _open_scan(*args)
    except Exception as exc:  # noqa: BLE001 — said by the first check it runs (a broken pool says nothing)
        _THIS.scan["error"] = exc


def _close_scan() -> None:
    conn = _THIS.scan.pop("conn", None)
    _THIS.scan.pop("ctx", None)
    if conn is not None:
        conn.close()


def _run_check(rule_id: str) -> list[tuple[str, Finding]]:
    """(fingerprint, finding) of one check's findings, fingerprinted where they are found."""
    if "error" in _THIS.scan:
        raise _THIS.scan["error"]
    ctx = _THIS.scan["ctx"]
    return [(fingerprint(ctx, f), f) for f in CHECKS[rule_id](ctx, ctx.rules[rule_id].params)]
